"""Users keyed on (issuer, sub), courses on (platform, deployment, context), and memberships."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.db import Base, UTCDateTime, utcnow


def person_display_name(name: str | None, given_name: str | None, family_name: str | None,
                        email: str | None, sub: str) -> str:
    """The best name the platform gave: full name, given and family names, email, user id."""
    full = " ".join(p for p in (given_name, family_name) if p)
    return name or full or email or f"{sub}"


def course_display_title(title: str | None, label: str | None, context_id: str) -> str:
    return title or label or context_id


class User(Base):
    """A person as one platform knows them: a Moodle user id is unique per site only."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("issuer", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"),
                                             index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(300))
    given_name: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    locale: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_launch_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    platform = relationship("Platform")

    @property
    def display_name(self) -> str:
        return person_display_name(self.name, self.given_name, self.family_name, self.email,
                                   self.sub)


class Course(Base):
    __tablename__ = "courses"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"),
                                             index=True)
    deployment_id: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str] = mapped_column(String(255))
    label: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(String(500))
    memberships_url: Mapped[str | None] = mapped_column(String(1000))
    lineitems_url: Mapped[str | None] = mapped_column(String(1000))
    roster_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    platform = relationship("Platform")

    @property
    def display_title(self) -> str:
        return course_display_title(self.title, self.label, self.context_id)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    role: Mapped[str] = mapped_column(String(20))
    lti_roles: Mapped[str] = mapped_column(Text, default="[]")
    # "launch" when seen in a launch, "roster" when only imported from NRPS.
    source: Mapped[str] = mapped_column(String(10), default="launch")
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()


class ResourceLink(Base):
    """An activity in a platform's course that launches the tool."""

    __tablename__ = "resource_links"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"),
                                             index=True)
    deployment_id: Mapped[str] = mapped_column(String(255))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    title: Mapped[str | None] = mapped_column(String(500))
    target: Mapped[str | None] = mapped_column(String(200))
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))

    course: Mapped[Course | None] = relationship()
