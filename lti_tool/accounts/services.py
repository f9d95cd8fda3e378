"""Recording who launched, from which course and activity, and with which role."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lti_tool.accounts.models import Course, Membership, ResourceLink, User
from lti_tool.accounts.roles import tool_role
from lti_tool.db import utcnow
from lti_tool.lti.adapter import LTI, ValidatedLaunch

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
RECORD_ATTEMPTS = 3
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


@dataclass
class LaunchContext:
    """What the tool's pages know about the launch they serve; kept in the launch session."""

    user_id: int
    role: str
    platform_id: int
    issuer: str
    client_id: str
    deployment_id: str
    course_id: int | None
    resource_link_id: int | None
    message_type: str
    target: str
    locale: str
    pylti_launch_id: str
    return_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LaunchContext":
        """Rebuild a stored context; fields it no longer has are ignored (sessions opened before
        an upgrade), a missing required field raises TypeError."""
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


def _text(value: Any, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def upsert_user(session: Session, platform_id: int, issuer: str, sub: str,
                claims: dict[str, Any]) -> User:
    user = session.scalar(select(User).where(User.issuer == issuer, User.sub == sub))
    if user is None:
        user = User(platform_id=platform_id, issuer=issuer, sub=sub)
        session.add(user)
    # Names and email come only when the platform's privacy settings allow: keep what we had.
    for field, limit in (("name", 300), ("given_name", 200), ("family_name", 200),
                         ("email", 320)):
        value = _text(claims.get(field), limit)
        if value:
            setattr(user, field, value)
    return user


def upsert_course(session: Session, platform_id: int, deployment_id: str,
                  context: dict[str, Any], claims: dict[str, Any]) -> Course:
    context_id = str(context["id"])[:255]
    course = session.scalar(select(Course).where(
        Course.platform_id == platform_id, Course.deployment_id == deployment_id,
        Course.context_id == context_id))
    if course is None:
        course = Course(platform_id=platform_id, deployment_id=deployment_id, context_id=context_id)
        session.add(course)
    course.label = _text(context.get("label"), 300) or course.label
    course.title = _text(context.get("title"), 500) or course.title
    nrps = claims.get(NRPS)
    if isinstance(nrps, dict) and isinstance(nrps.get("context_memberships_url"), str):
        course.memberships_url = nrps["context_memberships_url"]
    ags = claims.get(AGS)
    if isinstance(ags, dict) and isinstance(ags.get("lineitems"), str):
        course.lineitems_url = ags["lineitems"]
    return course


def upsert_membership(session: Session, user: User, course: Course, role: str,
                      lti_roles: list[str], source: str = "launch") -> Membership:
    membership = None
    if user.id is not None and course.id is not None:
        membership = session.scalar(select(Membership).where(
            Membership.user_id == user.id, Membership.course_id == course.id))
    if membership is None:
        membership = Membership(user=user, course=course)
        session.add(membership)
    membership.role, membership.lti_roles = role, json.dumps(lti_roles)
    membership.source, membership.active = source, True
    return membership


def upsert_resource_link(session: Session, platform_id: int, deployment_id: str,
                         course: Course | None, claims: dict[str, Any],
                         target: str) -> ResourceLink | None:
    link_claim = claims.get(LTI + "resource_link")
    if not isinstance(link_claim, dict) or not link_claim.get("id"):
        return None
    link_id = str(link_claim["id"])[:255]
    link = session.scalar(select(ResourceLink).where(
        ResourceLink.platform_id == platform_id, ResourceLink.deployment_id == deployment_id,
        ResourceLink.resource_link_id == link_id))
    if link is None:
        link = ResourceLink(platform_id=platform_id, deployment_id=deployment_id,
                            resource_link_id=link_id)
        session.add(link)
    link.course = course
    link.title = _text(link_claim.get("title"), 500) or link.title
    link.target = target
    ags = claims.get(AGS)
    # Moodle sends "lineitem": "" once the tool created its own item: treat empty as absent.
    if isinstance(ags, dict) and isinstance(ags.get("lineitem"), str) and ags["lineitem"]:
        link.lineitem_url = ags["lineitem"]
    return link


def launch_locale(claims: dict[str, Any]) -> str:
    presentation = claims.get(LTI + "launch_presentation")
    locale = presentation.get("locale") if isinstance(presentation, dict) else None
    return "en" if isinstance(locale, str) and locale.lower().startswith("en") else "fr"


def record_launch(session: Session, launch: ValidatedLaunch, target: str) -> LaunchContext:
    """Create or update the user, course, membership and activity of a validated launch."""
    for _ in range(RECORD_ATTEMPTS - 1):
        try:
            return _record_launch_once(session, launch, target)
        except IntegrityError:
            # A concurrent launch (often a classmate's first one) created the same course, user
            # or activity a moment ago: start again, the rows are found and updated this time.
            session.rollback()
    return _record_launch_once(session, launch, target)


def _record_launch_once(session: Session, launch: ValidatedLaunch, target: str) -> LaunchContext:
    claims = launch.claims
    lti_roles = [r for r in claims.get(LTI + "roles", []) if isinstance(r, str)]
    role = tool_role(lti_roles)
    user = upsert_user(session, launch.platform_id, launch.issuer, claims["sub"], claims)
    user.last_launch_at = utcnow()
    user.locale = launch_locale(claims)
    context = claims.get(LTI + "context")
    course = None
    if isinstance(context, dict) and context.get("id"):
        course = upsert_course(session, launch.platform_id, launch.deployment_id, context, claims)
        upsert_membership(session, user, course, role, lti_roles)
    link = upsert_resource_link(session, launch.platform_id, launch.deployment_id, course,
                                claims, target)
    session.commit()
    presentation = claims.get(LTI + "launch_presentation")
    return_url = presentation.get("return_url") if isinstance(presentation, dict) else None
    return LaunchContext(
        user_id=user.id, role=role, platform_id=launch.platform_id, issuer=launch.issuer,
        client_id=launch.client_id, deployment_id=launch.deployment_id,
        course_id=course.id if course else None, resource_link_id=link.id if link else None,
        message_type=launch.message_type, target=target, locale=launch_locale(claims),
        pylti_launch_id=launch.pylti_launch_id,
        return_url=return_url if isinstance(return_url, str) else None,
    )
