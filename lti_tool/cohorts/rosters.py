"""Course rosters read with NRPS, so that groups and juries can include people who have not
launched the tool yet.

A roster is fetched whole (every page) before anything is written, then users (issuer, sub) and
memberships are upserted in one transaction. A membership first seen in a launch keeps the role
of the launch (Moodle's NRPS calls a non-editing teacher a Learner); one that is no longer on the
roster is marked inactive.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lti_tool.accounts.models import Course, Membership, User
from lti_tool.accounts.services import upsert_membership, upsert_user
from lti_tool.cohorts.models import CohortCourse
from lti_tool.cohorts.services import cohort_course_ids
from lti_tool.db import get_session, new_session, read_columns, utcnow
from lti_tool.lti.platform_services import Member, PlatformServiceError, fetch_memberships
from lti_tool.store import get_store

log = logging.getLogger("lti_tool.rosters")

ROSTER = "roster"
DEFAULT_SYNC_MINUTES = 30


@dataclass(frozen=True)
class RosterImport:
    """What importing one course's roster did (``error`` set when it could not be read)."""

    course_id: int
    course_title: str
    university: str
    members: int = 0
    new_people: int = 0
    no_roster_service: bool = False
    error: str | None = None
    error_status: int | None = None

    @property
    def ok(self) -> bool:
        return not self.no_roster_service and self.error is None


def _write_roster(session: Session, course: Course, members: list[Member]) -> int:
    """Upsert users and memberships of a fetched roster; return how many people were new."""
    platform = course.platform
    existing = {m.user.sub: m for m in session.scalars(
        select(Membership).where(Membership.course_id == course.id))}
    new_people = 0
    for member in members:
        membership = existing.get(member.sub)
        if membership is not None and membership.source != ROSTER:
            # Seen in a launch: the launch's role is the authoritative one.
            upsert_user(session, platform.id, platform.issuer, member.sub,
                        member.identity_claims())
            membership.active = member.active
            continue
        if membership is None and not _user_exists(session, platform.issuer, member.sub):
            new_people += 1
        user = upsert_user(session, platform.id, platform.issuer, member.sub,
                           member.identity_claims())
        membership = upsert_membership(session, user, course, member.role, list(member.roles),
                                       source=ROSTER)
        membership.active = member.active
    on_roster = {member.sub for member in members}
    for sub, membership in existing.items():
        if sub not in on_roster:
            membership.active = False
    course.roster_synced_at = utcnow()
    return new_people


def _user_exists(session: Session, issuer: str, sub: str) -> bool:
    return session.scalar(select(User.id).where(User.issuer == issuer, User.sub == sub)) \
        is not None


def import_course_roster(session: Session, course_id: int) -> RosterImport:
    """Read a course's roster from its platform and record it; errors are reported, not raised."""
    course = session.get(Course, course_id)
    if course is None:
        raise ValueError(f"no course {course_id}")
    title, university = course.display_title, course.platform.name
    if not course.memberships_url:
        return RosterImport(course_id, title, university, no_roster_service=True)
    try:
        members = fetch_memberships(session, course)
    except PlatformServiceError as exc:
        log.warning(json.dumps({"event": "roster.import.failed", "course_id": course_id,
                                "status": exc.status, "detail": exc.detail}))
        return RosterImport(course_id, title, university, error=exc.detail,
                            error_status=exc.status)
    try:
        new_people = _write_roster(session, course, members)
        session.commit()
    except IntegrityError:
        # Another import (or a launch) added some of these people meanwhile: write again over
        # what it recorded.
        session.rollback()
        course = session.get(Course, course_id)
        new_people = _write_roster(session, course, members)
        session.commit()
    return RosterImport(course_id, title, university, members=len(members),
                        new_people=new_people)


def import_cohort_rosters(session: Session, cohort_id: int) -> list[RosterImport]:
    """Import the roster of every course joined to the cohort, one transaction per course."""
    outcomes = []
    for course_id in cohort_course_ids(session, cohort_id):
        outcomes.append(import_course_roster(session, course_id))
        _mark_synced(course_id)
    return outcomes


def _sync_interval_seconds() -> int:
    minutes = current_app.config.get("ROSTER_SYNC_MINUTES", DEFAULT_SYNC_MINUTES)
    return int(minutes) * 60


def _mark_synced(course_id: int) -> None:
    interval = _sync_interval_seconds()
    if interval > 0:
        get_store().set(f"roster-sync:{course_id}", utcnow().isoformat(), interval)


# Built once: most teacher launches ask it, and building it costs more than running it.
_IN_A_COHORT_WITH_A_ROSTER = (
    select(CohortCourse.id).join(Course, Course.id == CohortCourse.course_id)
    .where(CohortCourse.course_id == bindparam("course_id"), Course.memberships_url.is_not(None),
           Course.memberships_url != ""))


def roster_sync_due_now(course_id: int) -> None:
    """The course's next teacher launch imports its roster (it has just joined a cohort)."""
    get_store().delete(f"roster-sync:{course_id}")


def sync_roster_if_due(course_id: int) -> RosterImport | None:
    """After a teacher's launch: import the course's roster when the course is in a cohort, has
    a roster service and was not synced in the last ``ROSTER_SYNC_MINUTES`` (shared store, so
    one worker of many does it). The import runs in its own database session; never raises."""
    interval = _sync_interval_seconds()
    if interval <= 0 or get_store().get(f"roster-sync:{course_id}") is not None:
        return None  # synced a moment ago: most teacher launches stop at this one lookup
    session = None
    try:
        # The request's session says whether there is anything to import (a read, after the
        # launch is committed); only an import opens a session of its own.
        if read_columns(get_session(), _IN_A_COHORT_WITH_A_ROSTER,
                                 {"course_id": course_id}).first() is None:
            # Nothing to import: noted for the interval, as a sync would be, so that the
            # course's next teacher launches stop at the lookup above. Joining a cohort clears
            # the note (roster_sync_due_now).
            get_store().set(f"roster-sync:{course_id}", "nothing to import", interval)
            return None
        if not get_store().add(f"roster-sync:{course_id}", utcnow().isoformat(), interval):
            return None
        session = new_session()
        return import_course_roster(session, course_id)
    except Exception:  # a roster that cannot be read must not break the teacher's page
        if session is not None:
            session.rollback()
        log.exception("roster sync of course %s failed", course_id)
        return None
    finally:
        if session is not None:
            session.close()
