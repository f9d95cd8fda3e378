"""Where a launch target leads each role, and what its landing page says about the launch."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, aliased

from lti_tool.accounts.models import (Course, User, course_display_title,
                                      person_display_name)
from lti_tool.accounts.roles import PARTICIPANT, TEACHER, at_least
from lti_tool.accounts.services import LaunchContext
from lti_tool.cohorts.models import Cohort, CohortCourse
from lti_tool.db import read_columns
from lti_tool.lti.models import Platform
from programme.targets import LAUNCH_PATH, parse_target_path


def participant_page(target: str, role: str) -> tuple[str, dict[str, Any]] | None:
    """The endpoint (and its values) of a participant's own portfolio page for a portfolio,
    pillar, seminar or case-study target. Teachers, guests and the assessment targets have a
    landing page of their own: None."""
    launch_target = parse_target_path("/lti/launch/" + target)
    if launch_target is None or launch_target.kind == "assessment":
        return None
    if not at_least(role, PARTICIPANT) or at_least(role, TEACHER):
        return None
    if launch_target.kind == "portfolio":
        return "portfolio.overview", {}
    if launch_target.kind == "case-study":
        return "portfolio.case_study", {}
    number = int(launch_target.slug.rsplit("-", 1)[1])
    endpoint = "portfolio.pillar" if launch_target.kind == "pillar" else "portfolio.seminar"
    return endpoint, {"number": number}


@dataclass(frozen=True)
class LaunchFacts:
    """What a landing page says about its launch: who, from which platform, course and cohort,
    for which target."""

    person: str
    role: str
    platform: str
    course: str | None
    cohort: str | None
    target_path: str


def launch_facts(session: Session, launch: LaunchContext) -> LaunchFacts:
    """The facts of a launch, read in one query (landing pages show them on every visit)."""
    (name, given_name, family_name, email, sub, platform, title, label, context_id,
     cohort) = read_columns(session, _FACTS_QUERY, {"user_id": launch.user_id,
                                              "course_id": launch.course_id}).one()
    return LaunchFacts(
        person=person_display_name(name, given_name, family_name, email, sub),
        role=launch.role, platform=platform,
        course=course_display_title(title, label, context_id) if context_id is not None
        else None,
        cohort=cohort, target_path=f"{LAUNCH_PATH}/{launch.target}")


def _facts_query():
    course = aliased(Course)
    return (select(User.name, User.given_name, User.family_name, User.email, User.sub,
                   Platform.name, course.title, course.label, course.context_id, Cohort.name)
            .join(Platform, Platform.id == User.platform_id)
            .outerjoin(course, course.id == bindparam("course_id"))
            .outerjoin(CohortCourse, CohortCourse.course_id == course.id)
            .outerjoin(Cohort, Cohort.id == CohortCourse.cohort_id)
            .where(User.id == bindparam("user_id")))


# Built once: building this statement costs more than running it.
_FACTS_QUERY = _facts_query()
