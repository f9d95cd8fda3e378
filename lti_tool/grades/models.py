"""The grade outbox: one row per published grade to send to the participant's platform."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base, UTCDateTime, utcnow

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
NOT_GRADABLE = "not_gradable"
SUPERSEDED = "superseded"
STATUSES = (PENDING, SENDING, SENT, FAILED, NOT_GRADABLE, SUPERSEDED)
# Statuses a row never leaves by itself (a teacher's resend adds a new row instead).
FINAL_STATUSES = frozenset({SENT, FAILED, NOT_GRADABLE, SUPERSEDED})


class GradeOutbox(Base):
    """A grade waiting for, or done with, delivery to the platform's gradebook.

    ``created_at`` is the score's timestamp sent to the platform (aware UTC, whole seconds): it
    grows strictly for one (user, assessment), so the platform keeps the newest grade and answers
    409 to an older or repeated one.
    """

    __tablename__ = "grade_outbox"
    __table_args__ = (
        Index("ix_grade_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_grade_outbox_user_id_assessment_id", "user_id", "assessment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assessment_id: Mapped[str] = mapped_column(String(100))
    grade: Mapped[Decimal] = mapped_column(Numeric(8, 3))
    grade_max: Mapped[Decimal] = mapped_column(Numeric(8, 3))
    comment: Mapped[str] = mapped_column(Text, default="")
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
