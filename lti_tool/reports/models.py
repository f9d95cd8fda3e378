"""Report submissions (one row per version) and the report deadline of each cohort."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base, UTCDateTime, utcnow

DRAFT, SUBMITTED, REOPENED = "draft", "submitted", "reopened"
REPORT_STATUSES = (DRAFT, SUBMITTED, REOPENED)


class ReportSubmission(Base):
    """One version of a participant's reflective report in a cohort.

    A version starts as a draft; submitting it freezes ``snapshot_json`` (everything the jury
    reads); a teacher may reopen it, and the participant's next save starts version + 1.
    """

    __tablename__ = "report_submissions"
    __table_args__ = (
        UniqueConstraint("user_id", "cohort_id", "version"),
        Index("ix_report_submissions_cohort_id_status", "cohort_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    synthesis_html: Mapped[str] = mapped_column(Text, default="")
    # The published entries chosen for the report, in the participant's order (JSON list of ids).
    entry_ids_json: Mapped[str] = mapped_column(Text, default="[]")
    status: Mapped[str] = mapped_column(String(20), default=DRAFT)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    snapshot_json: Mapped[str | None] = mapped_column(Text)
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT


class FrozenSnapshotError(RuntimeError):
    """Something tried to change what a submitted version holds."""


# Once submitted, a version's content is what the jury reads: no code path may change it.
_FROZEN_COLUMNS = ("snapshot_json", "synthesis_html", "entry_ids_json", "submitted_at",
                   "version", "user_id", "cohort_id")


@event.listens_for(ReportSubmission, "before_update")
def _refuse_changes_to_a_submitted_version(_mapper, _connection, target: ReportSubmission):
    state = inspect(target)
    status_history = state.attrs.status.history
    was_draft = DRAFT in (status_history.deleted or ()) or (
        not status_history.has_changes() and target.status == DRAFT)
    if was_draft:
        return
    for name in _FROZEN_COLUMNS:
        if state.attrs[name].history.has_changes():
            raise FrozenSnapshotError(
                f"report version {target.id}: {name} is frozen once submitted")


class ReportDeadline(Base):
    """When a cohort's reports are due (one deadline per cohort and assessment)."""

    __tablename__ = "report_deadlines"
    __table_args__ = (UniqueConstraint("cohort_id", "assessment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    assessment_id: Mapped[str] = mapped_column(String(50), default="reflective-report")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
