"""Recording who launched, from which course and activity, and with which role."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from lti_tool.accounts.models import Course, Membership, ResourceLink, User
from lti_tool.accounts.roles import tool_role
from lti_tool.db import driver_statement, driver_transaction, utcnow
from lti_tool.lti.adapter import LTI, ValidatedLaunch

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
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
        # Flat values only: a copy of the fields, not dataclasses.asdict's deep copy.
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LaunchContext":
        """Rebuild a stored context; fields it no longer has are ignored (sessions opened before
        an upgrade), a missing required field raises TypeError."""
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


def _text(value: Any, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


# What a launch or a roster says of a person, a course and an activity. A value of None means
# the platform did not say (names and email come only when its privacy settings allow): the
# value already kept stays.
def identity_values(claims: dict[str, Any]) -> dict[str, str | None]:
    return {"name": _text(claims.get("name"), 300),
            "given_name": _text(claims.get("given_name"), 200),
            "family_name": _text(claims.get("family_name"), 200),
            "email": _text(claims.get("email"), 320)}


def course_values(context: dict[str, Any], claims: dict[str, Any]) -> dict[str, str | None]:
    nrps, ags = claims.get(NRPS), claims.get(AGS)
    return {"label": _text(context.get("label"), 300),
            "title": _text(context.get("title"), 500),
            "memberships_url": _text(nrps.get("context_memberships_url"), 1000)
            if isinstance(nrps, dict) else None,
            "lineitems_url": _text(ags.get("lineitems"), 1000) if isinstance(ags, dict) else None}


def link_values(link_claim: dict[str, Any], claims: dict[str, Any]) -> dict[str, str | None]:
    ags = claims.get(AGS)
    # Moodle sends "lineitem": "" once the tool created its own item: treat empty as absent.
    return {"title": _text(link_claim.get("title"), 500),
            "lineitem_url": _text(ags.get("lineitem"), 1000) if isinstance(ags, dict) else None}


def _set_known(row: Any, values: dict[str, str | None]) -> None:
    for field, value in values.items():
        if value is not None:
            setattr(row, field, value)


def upsert_user(session: Session, platform_id: int, issuer: str, sub: str,
                claims: dict[str, Any]) -> User:
    user = session.scalar(select(User).where(User.issuer == issuer, User.sub == sub))
    if user is None:
        user = User(platform_id=platform_id, issuer=issuer, sub=sub)
        session.add(user)
    _set_known(user, identity_values(claims))
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
    _set_known(course, course_values(context, claims))
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
    link.target = target
    _set_known(link, link_values(link_claim, claims))
    return link


def _upsert(cursor: Any, dialect: Any, model: type, key: dict[str, Any],
            values: dict[str, Any], insert_only: dict[str, Any] | None = None) -> int:
    """Insert a row or update the one with the same ``key`` in a single statement (safe when
    two first launches race), and return its id. A ``values`` entry of None keeps the stored
    value; ``insert_only`` values are written only when the row is new."""
    row = {**key, **values, **(insert_only or {})}
    statement = _upsert_statement(dialect.name, model, tuple(key), tuple(values))
    return driver_statement(statement, dialect, tuple(row)).run(cursor, row)[0]


@functools.lru_cache(maxsize=64)
def _upsert_statement(dialect: str, model: type, key: tuple[str, ...],
                      updated: tuple[str, ...]):
    # Built once per shape: building an ON CONFLICT statement costs more than running it.
    table = model.__table__
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table)
    kept = {name: func.coalesce(statement.excluded[name], table.c[name]) for name in updated}
    return statement.on_conflict_do_update(index_elements=list(key), set_=kept) \
        .returning(table.c.id)


def launch_locale(claims: dict[str, Any]) -> str:
    presentation = claims.get(LTI + "launch_presentation")
    locale = presentation.get("locale") if isinstance(presentation, dict) else None
    return "en" if isinstance(locale, str) and locale.lower().startswith("en") else "fr"


def record_launch(session: Session, launch: ValidatedLaunch, target: str) -> LaunchContext:
    """Create or update the user, course, membership and activity of a validated launch: one
    statement each, in one transaction."""
    claims = launch.claims
    lti_roles = [r for r in claims.get(LTI + "roles", []) if isinstance(r, str)]
    role = tool_role(lti_roles)
    now = utcnow()
    where = {"platform_id": launch.platform_id, "deployment_id": launch.deployment_id}
    context = claims.get(LTI + "context")
    link_claim = claims.get(LTI + "resource_link")
    course_id = link_id = None
    engine = session.get_bind()
    # The four rows in one transaction of their own, on the database driver (see
    # DriverStatement): a launch writes them every time, and nothing else in the request
    # depends on the session having written them.
    with driver_transaction(engine) as cursor:
        user_id = _upsert(cursor, engine.dialect, User,
                          {"issuer": launch.issuer, "sub": claims["sub"]},
                          {**identity_values(claims), "locale": launch_locale(claims),
                           "last_launch_at": now},
                          insert_only={"platform_id": launch.platform_id, "created_at": now})
        if isinstance(context, dict) and context.get("id"):
            course_id = _upsert(cursor, engine.dialect, Course,
                                {**where, "context_id": str(context["id"])[:255]},
                                course_values(context, claims))
            _upsert(cursor, engine.dialect, Membership,
                    {"user_id": user_id, "course_id": course_id},
                    {"role": role, "lti_roles": json.dumps(lti_roles), "source": "launch",
                     "active": True, "updated_at": now})
        if isinstance(link_claim, dict) and link_claim.get("id"):
            link_id = _upsert(cursor, engine.dialect, ResourceLink,
                              {**where, "resource_link_id": str(link_claim["id"])[:255]},
                              {**link_values(link_claim, claims), "course_id": course_id,
                               "target": target})
    presentation = claims.get(LTI + "launch_presentation")
    return_url = presentation.get("return_url") if isinstance(presentation, dict) else None
    return LaunchContext(
        user_id=user_id, role=role, platform_id=launch.platform_id, issuer=launch.issuer,
        client_id=launch.client_id, deployment_id=launch.deployment_id,
        course_id=course_id, resource_link_id=link_id,
        message_type=launch.message_type, target=target, locale=launch_locale(claims),
        pylti_launch_id=launch.pylti_launch_id,
        return_url=return_url if isinstance(return_url, str) else None,
    )
