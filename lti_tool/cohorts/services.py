"""Cohorts: creating one from a course, joining other universities' courses to it with its join
code, listing its courses and members, and appointing its jurors.

Every function that reads a cohort's data takes the cohort id the caller is entitled to (the
cohort of the launch's course, see ``cohort_for_course``): nothing here crosses cohorts.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from lti_tool.accounts.models import Course, Membership, User
from lti_tool.accounts.roles import PRIVILEGE_ORDER
from lti_tool.cohorts.models import Cohort, CohortCourse, CohortJuror
from lti_tool.lti.models import Platform

# No 0/O, 1/I/L, 5/S or 2/Z: a code read aloud or copied by hand stays unambiguous.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
JOIN_CODE_LENGTH = 8
NAME_MAX_LENGTH = 200


class CohortError(ValueError):
    """A cohort operation refused; ``code`` names the reason for the page that shows it."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class CohortCourseView:
    """A course of a cohort with the platform (university) it lives on."""

    course_id: int
    title: str
    label: str | None
    university: str
    has_roster_service: bool
    roster_synced_at: datetime | None
    joined_at: datetime


@dataclass(frozen=True)
class CohortMember:
    """A person of one of the cohort's courses; ``source`` is "launch" once they launched."""

    user_id: int
    name: str
    email: str | None
    university: str
    course_title: str
    role: str
    source: str
    active: bool
    is_juror: bool
    lti_roles: tuple[str, ...] = field(default=())


def new_join_code() -> str:
    """A short random code from an unambiguous alphabet (about 38 bits)."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalize_join_code(text: str) -> str:
    """What the teacher typed, upper-cased, without spaces or dashes."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def format_join_code(code: str) -> str:
    """``ABCD7XYZ`` -> ``ABCD-7XYZ`` (easier to read and copy)."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}" if len(code) > 4 else code


# Built once: most pages ask it, and building the statement costs more than running it.
_COHORT_OF_COURSE = select(Cohort).join(CohortCourse).where(
    CohortCourse.course_id == bindparam("course_id"))


def cohort_for_course(session: Session, course_id: int) -> Cohort | None:
    """The cohort a course is joined to, if any."""
    return session.scalar(_COHORT_OF_COURSE, {"course_id": course_id})


def _checked_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise CohortError("name_missing", "the cohort needs a name")
    if len(name) > NAME_MAX_LENGTH:
        raise CohortError("name_too_long", f"the name is longer than {NAME_MAX_LENGTH} characters")
    return name


def _course_free_for_a_cohort(session: Session, course_id: int) -> Course:
    course = session.get(Course, course_id)
    if course is None:
        raise CohortError("no_course", f"no course {course_id}")
    if cohort_for_course(session, course_id) is not None:
        raise CohortError("course_in_cohort", "this course is already joined to a cohort")
    return course


def create_cohort(session: Session, course_id: int, user_id: int, name: str) -> Cohort:
    """Create a cohort with a fresh join code and join the teacher's course to it."""
    name = _checked_name(name)
    _course_free_for_a_cohort(session, course_id)
    code = new_join_code()
    while session.scalar(select(Cohort.id).where(Cohort.join_code == code)) is not None:
        code = new_join_code()
    cohort = Cohort(name=name, join_code=code, created_by_id=user_id)
    cohort.courses.append(CohortCourse(course_id=course_id, joined_by_id=user_id))
    session.add(cohort)
    _commit_or_refuse(session)
    return cohort


def join_cohort(session: Session, course_id: int, user_id: int, code: str) -> Cohort:
    """Join a course to the cohort whose join code is ``code``."""
    normalized = normalize_join_code(code)
    cohort = session.scalar(select(Cohort).where(Cohort.join_code == normalized)) \
        if normalized else None
    if cohort is None:
        raise CohortError("unknown_code", "no cohort has this join code")
    current = cohort_for_course(session, course_id)
    if current is not None:
        if current.id == cohort.id:
            raise CohortError("already_joined", "this course is already joined to this cohort")
        raise CohortError("course_in_cohort", "this course is already joined to a cohort")
    _course_free_for_a_cohort(session, course_id)
    session.add(CohortCourse(cohort_id=cohort.id, course_id=course_id, joined_by_id=user_id))
    _commit_or_refuse(session)
    return cohort


def _commit_or_refuse(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        # Two teachers joined the same course at the same moment: the unique course_id won.
        session.rollback()
        raise CohortError("course_in_cohort", "this course is already joined to a cohort") from exc


def cohort_course_ids(session: Session, cohort_id: int) -> list[int]:
    return list(session.scalars(
        select(CohortCourse.course_id).where(CohortCourse.cohort_id == cohort_id)
        .order_by(CohortCourse.id)))


def cohort_courses(session: Session, cohort_id: int) -> list[CohortCourseView]:
    """The courses of a cohort, in the order they joined, with their university."""
    rows = session.execute(
        select(CohortCourse, Course, Platform)
        .join(Course, Course.id == CohortCourse.course_id)
        .join(Platform, Platform.id == Course.platform_id)
        .where(CohortCourse.cohort_id == cohort_id)
        .order_by(CohortCourse.id)
    ).all()
    return [CohortCourseView(course_id=course.id, title=course.display_title, label=course.label,
                             university=platform.name,
                             has_roster_service=bool(course.memberships_url),
                             roster_synced_at=course.roster_synced_at,
                             joined_at=link.joined_at)
            for link, course, platform in rows]


def _juror_ids(session: Session, cohort_id: int) -> set[int]:
    return set(session.scalars(select(CohortJuror.user_id)
                               .where(CohortJuror.cohort_id == cohort_id)))


def cohort_members(session: Session, cohort_id: int) -> list[CohortMember]:
    """Everyone of every course of the cohort (launched or imported from a roster), one entry
    per person and course, sorted by university then name."""
    jurors = _juror_ids(session, cohort_id)
    rows = session.execute(
        select(Membership, User, Course, Platform)
        .join(User, User.id == Membership.user_id)
        .join(Course, Course.id == Membership.course_id)
        .join(Platform, Platform.id == Course.platform_id)
        .join(CohortCourse, CohortCourse.course_id == Course.id)
        .where(CohortCourse.cohort_id == cohort_id)
    ).all()
    members = [
        CohortMember(user_id=user.id, name=user.display_name, email=user.email,
                     university=platform.name, course_title=course.display_title,
                     role=membership.role, source=membership.source, active=membership.active,
                     is_juror=user.id in jurors,
                     lti_roles=tuple(json.loads(membership.lti_roles or "[]")))
        for membership, user, course, platform in rows
    ]
    return sorted(members, key=lambda m: (m.university.casefold(), m.name.casefold(),
                                          -PRIVILEGE_ORDER.index(m.role)))


def is_cohort_member(session: Session, cohort_id: int, user_id: int) -> bool:
    """Whether the user belongs to one of the cohort's courses."""
    return session.scalar(
        select(Membership.id)
        .join(CohortCourse, CohortCourse.course_id == Membership.course_id)
        .where(CohortCourse.cohort_id == cohort_id, Membership.user_id == user_id)
        .limit(1)
    ) is not None


def appoint_juror(session: Session, cohort_id: int, user_id: int,
                  appointed_by_id: int | None) -> CohortJuror:
    """Put a member of the cohort (any university) on its jury; appointing twice changes nothing."""
    if not is_cohort_member(session, cohort_id, user_id):
        raise CohortError("not_a_member", "this person is not a member of the cohort")
    juror = session.scalar(select(CohortJuror).where(CohortJuror.cohort_id == cohort_id,
                                                     CohortJuror.user_id == user_id))
    if juror is None:
        juror = CohortJuror(cohort_id=cohort_id, user_id=user_id, appointed_by_id=appointed_by_id)
        session.add(juror)
        try:
            session.commit()
        except IntegrityError:
            # Appointed by another teacher at the same moment: the jury already holds them.
            session.rollback()
            juror = session.scalar(select(CohortJuror).where(CohortJuror.cohort_id == cohort_id,
                                                             CohortJuror.user_id == user_id))
    return juror


def remove_juror(session: Session, cohort_id: int, user_id: int) -> bool:
    """Take a person off the cohort's jury; False when they were not on it."""
    juror = session.scalar(select(CohortJuror).where(CohortJuror.cohort_id == cohort_id,
                                                     CohortJuror.user_id == user_id))
    if juror is None:
        return False
    session.delete(juror)
    session.commit()
    return True


def cohort_jurors(session: Session, cohort_id: int) -> list[User]:
    """The cohort's jurors, by name."""
    users = session.scalars(
        select(User).options(selectinload(User.platform))
        .join(CohortJuror, CohortJuror.user_id == User.id)
        .where(CohortJuror.cohort_id == cohort_id)
    ).all()
    return sorted(users, key=lambda u: u.display_name.casefold())
