"""Portfolio tests: a small cohort built directly in the database for the service tests, and the
live tool with the two-site test platform for the pages."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from lti_tool.accounts.models import Course, Membership, User
from lti_tool.cohorts.models import Cohort, CohortCourse
from lti_tool.db import get_session
from lti_tool.lti.models import Platform
from tests.lti.conftest import *  # noqa: F401,F403


@dataclass
class World:
    """Cohort X joins a course of university A and one of university B; cohort Y is elsewhere."""

    alice: int
    bruno: int
    nicolas: int
    teacher_x: int
    outsider: int
    teacher_y: int
    cohort_x: int
    cohort_y: int
    course_a: int
    course_b: int
    course_c: int


def _platform(session, name: str) -> Platform:
    platform = Platform(name=name, issuer=f"https://{name}.example", client_id=name,
                        auth_login_url="https://x", auth_token_url="https://x",
                        key_set_url="https://x")
    session.add(platform)
    session.flush()
    return platform


def _person(session, platform: Platform, sub: str, name: str, course: Course, role: str) -> int:
    user = User(platform_id=platform.id, issuer=platform.issuer, sub=sub, name=name)
    session.add(user)
    session.flush()
    session.add(Membership(user_id=user.id, course_id=course.id, role=role, lti_roles="[]",
                           source="launch", active=True))
    return user.id


@pytest.fixture
def world(app) -> World:
    with app.app_context():
        session = get_session()
        univ_a, univ_b = _platform(session, "univ-a"), _platform(session, "univ-b")
        courses = []
        for platform, context in ((univ_a, "12"), (univ_b, "7"), (univ_b, "99")):
            course = Course(platform_id=platform.id, deployment_id="1", context_id=context)
            session.add(course)
            courses.append(course)
        session.flush()
        course_a, course_b, course_c = courses
        people = World(
            alice=_person(session, univ_a, "2", "Alice", course_a, "participant"),
            bruno=_person(session, univ_a, "3", "Bruno", course_a, "participant"),
            nicolas=_person(session, univ_b, "2", "Nicolas", course_b, "participant"),
            teacher_x=_person(session, univ_a, "4", "Claire", course_a, "teacher"),
            outsider=_person(session, univ_b, "8", "Oscar", course_c, "participant"),
            teacher_y=_person(session, univ_b, "5", "Yves", course_c, "teacher"),
            cohort_x=0, cohort_y=0, course_a=course_a.id, course_b=course_b.id,
            course_c=course_c.id)
        cohort_x = Cohort(name="X", join_code="XXXXXXXX")
        cohort_x.courses += [CohortCourse(course_id=course_a.id),
                             CohortCourse(course_id=course_b.id)]
        cohort_y = Cohort(name="Y", join_code="YYYYYYYY")
        cohort_y.courses.append(CohortCourse(course_id=course_c.id))
        session.add_all([cohort_x, cohort_y])
        session.commit()
        people.cohort_x, people.cohort_y = cohort_x.id, cohort_y.id
        return people


@pytest.fixture
def db(app):
    """A database session inside an app context."""
    with app.app_context():
        yield get_session()
