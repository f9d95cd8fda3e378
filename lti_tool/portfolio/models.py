"""The reflective portfolio: outcome self-ratings, entries with revisions, evidence, intervision."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.db import Base, UTCDateTime, utcnow

RATING_LEVELS = (1, 2, 3, 4)
ENTRY_KINDS = ("reflection", "seminar", "case-study")
ENTRY_STATUSES = ("draft", "published")
REVISION_REASONS = ("autosave", "save", "publish")


class OutcomeRating(Base):
    """One self-rating of a learning outcome; append-only, the newest row per outcome is current."""

    __tablename__ = "outcome_ratings"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 4", name="level_range"),
        Index("ix_outcome_ratings_user_outcome_created", "user_id", "outcome_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    outcome_id: Mapped[str] = mapped_column(String(40))
    level: Mapped[int] = mapped_column(Integer)
    justification: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Entry(Base):
    """A reflective entry; ``body_html`` is always sanitised before it is stored."""

    __tablename__ = "portfolio_entries"
    __table_args__ = (Index("ix_portfolio_entries_author_kind", "author_id", "kind", "anchor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="reflection")
    anchor_id: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author = relationship("User")
    revisions: Mapped[list["EntryRevision"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryRevision.version")
    evidence: Mapped[list["Evidence"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="Evidence.uploaded_at")
    shares: Mapped[list["EntryShare"]] = relationship(back_populates="entry",
                                                      cascade="all, delete-orphan")
    comments: Mapped[list["Comment"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="Comment.created_at")


class EntryRevision(Base):
    """The state of an entry after one save."""

    __tablename__ = "portfolio_entry_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("portfolio_entries.id", ondelete="CASCADE"),
                                          index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body_html: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(String(16))

    entry: Mapped[Entry] = relationship(back_populates="revisions")


class Evidence(Base):
    """A file attached to an entry, stored under a random name outside the web root."""

    __tablename__ = "portfolio_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("portfolio_entries.id", ondelete="CASCADE"),
                                          index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(150))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="evidence")


class EntryShare(Base):
    """An entry shared with one member of the cohort; withdrawing keeps the row."""

    __tablename__ = "portfolio_entry_shares"
    __table_args__ = (UniqueConstraint("entry_id", "recipient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("portfolio_entries.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                              index=True)
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    entry: Mapped[Entry] = relationship(back_populates="shares")
    recipient = relationship("User")


class Comment(Base):
    """A comment on a shared entry, or an answer to one (``parent_id``)."""

    __tablename__ = "portfolio_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("portfolio_entries.id", ondelete="CASCADE"),
                                          index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("portfolio_comments.id", ondelete="CASCADE"))

    entry: Mapped[Entry] = relationship(back_populates="comments")
    author = relationship("User")
