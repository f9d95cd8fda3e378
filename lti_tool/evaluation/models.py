"""Tables of the evaluation: groups, juries, assignments, jurors' scores, agreement, results, log.

A candidate is either one participant (individual assessments) or a group (the collective
report). Every score, agreement and result hangs on the assignment of a jury to a candidate for
one assessment. The audit log (``EvaluationEvent``) is append-only: the ORM refuses to update or
delete its rows.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (Boolean, CheckConstraint, ForeignKey, Numeric, String, Text,
                        UniqueConstraint, event)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.db import Base, UTCDateTime, utcnow

VISIBILITY_PARTICIPANT, VISIBILITY_JURY = "participant", "jury"
VISIBILITIES = (VISIBILITY_PARTICIPANT, VISIBILITY_JURY)
EVENT_ACTIONS = ("scored", "changed", "submitted", "agreed", "adjusted", "published")
# Points of rubric levels and grades out of 20: two decimals are plenty.
POINTS = Numeric(8, 2)


class Group(Base):
    """A group of 2 or 3 participants (any university of the cohort) for the collective report."""

    __tablename__ = "evaluation_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    members: Mapped[list[GroupMember]] = relationship(back_populates="group",
                                                        cascade="all, delete-orphan",
                                                        order_by="GroupMember.id")


class GroupMember(Base):
    """A participant in a group; a person belongs to one group of the cohort at most."""

    __tablename__ = "evaluation_group_members"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("evaluation_groups.id", ondelete="CASCADE"),
                                          index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    group: Mapped[Group] = relationship(back_populates="members")
    user = relationship("User")


class Jury(Base):
    """Four of the cohort's appointed jurors, one of them the chair."""

    __tablename__ = "evaluation_juries"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    members: Mapped[list[JuryMember]] = relationship(back_populates="jury",
                                                       cascade="all, delete-orphan",
                                                       order_by="JuryMember.id")


class JuryMember(Base):
    __tablename__ = "evaluation_jury_members"
    __table_args__ = (UniqueConstraint("jury_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jury_id: Mapped[int] = mapped_column(ForeignKey("evaluation_juries.id", ondelete="CASCADE"),
                                         index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    is_chair: Mapped[bool] = mapped_column(Boolean, default=False)

    jury: Mapped[Jury] = relationship(back_populates="members")
    user = relationship("User")


class Assignment(Base):
    """A jury assigned to a candidate (a participant or a group) for one assessment."""

    __tablename__ = "evaluation_assignments"
    __table_args__ = (
        UniqueConstraint("assessment_id", "candidate_user_id"),
        UniqueConstraint("assessment_id", "candidate_group_id"),
        CheckConstraint("(candidate_user_id IS NULL) <> (candidate_group_id IS NULL)",
                        name="one_candidate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    assessment_id: Mapped[str] = mapped_column(String(60))
    jury_id: Mapped[int] = mapped_column(ForeignKey("evaluation_juries.id", ondelete="RESTRICT"),
                                         index=True)
    candidate_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"))
    candidate_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("evaluation_groups.id", ondelete="RESTRICT"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    jury: Mapped[Jury] = relationship()
    candidate_user = relationship("User", foreign_keys=[candidate_user_id])
    candidate_group: Mapped[Group | None] = relationship()


class JurorScore(Base):
    """One juror's level for one criterion of one candidate, with an optional comment."""

    __tablename__ = "evaluation_juror_scores"
    __table_args__ = (UniqueConstraint("assignment_id", "juror_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_assignments.id", ondelete="CASCADE"), index=True)
    juror_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[str] = mapped_column(String(60))
    points: Mapped[Decimal | None] = mapped_column(POINTS)
    comment: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(12), default=VISIBILITY_JURY)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class JurorSubmission(Base):
    """A juror's scores for a candidate are final: the juror may now see the others'."""

    __tablename__ = "evaluation_juror_submissions"
    __table_args__ = (UniqueConstraint("assignment_id", "juror_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_assignments.id", ondelete="CASCADE"), index=True)
    juror_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AgreedScore(Base):
    """The level the jury agreed on for one criterion, recorded by the chair with a reason."""

    __tablename__ = "evaluation_agreed_scores"
    __table_args__ = (UniqueConstraint("assignment_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_assignments.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[str] = mapped_column(String(60))
    points: Mapped[Decimal] = mapped_column(POINTS)
    justification: Mapped[str] = mapped_column(Text)
    agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PublishedResult(Base):
    """The published grade of one person for one assessment (each member of a group has one)."""

    __tablename__ = "evaluation_published_results"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_assignments.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    assessment_id: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    rubric_grade: Mapped[Decimal] = mapped_column(POINTS)
    adjustment: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(0))
    adjustment_justification: Mapped[str] = mapped_column(Text, default="")
    grade: Mapped[Decimal] = mapped_column(POINTS)
    explanation: Mapped[str] = mapped_column(Text)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                   ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EvaluationEvent(Base):
    """One line of the audit log: who did what, on which candidate and criterion, from what to
    what, and when. Rows are only ever added."""

    __tablename__ = "evaluation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    assessment_id: Mapped[str] = mapped_column(String(60))
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("evaluation_assignments.id", ondelete="SET NULL"))
    candidate_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    candidate_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("evaluation_groups.id", ondelete="SET NULL"))
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                   ondelete="SET NULL"))
    criterion_id: Mapped[str | None] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    actor = relationship("User", foreign_keys=[actor_id])


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete a line of the audit log."""


@event.listens_for(EvaluationEvent, "before_update")
def _refuse_event_update(_mapper, _connection, target: EvaluationEvent) -> None:
    raise AuditLogIsAppendOnly(f"evaluation event {target.id} cannot be changed")


@event.listens_for(EvaluationEvent, "before_delete")
def _refuse_event_delete(_mapper, _connection, target: EvaluationEvent) -> None:
    raise AuditLogIsAppendOnly(f"evaluation event {target.id} cannot be deleted")
