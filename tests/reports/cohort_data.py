"""Cohorts, people and portfolio data written straight to the database, and launch sessions for
them, so that report and progress pages can be tested without a platform round trip."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask

from lti_tool.accounts.models import Course, Membership, User
from lti_tool.accounts.roles import PARTICIPANT, TEACHER
from lti_tool.accounts.services import LaunchContext
from lti_tool.cohorts.models import Cohort, CohortCourse
from lti_tool.db import new_session, utcnow
from lti_tool.lti.models import Platform
from lti_tool.portfolio.models import Entry, OutcomeRating
from lti_tool.sessions import start_launch_session

_numbers = itertools.count(1)


@dataclass
class CohortPeople:
    cohort_id: int
    course_id: int
    platform_id: int
    issuer: str
    teacher_id: int
    participant_ids: list[int] = field(default_factory=list)


def make_cohort(app: Flask, name: str, participants: int = 2) -> CohortPeople:
    """A platform with one course joined to a new cohort, a teacher and some participants."""
    number = next(_numbers)
    with app.app_context():
        session = new_session()
        issuer = f"https://moodle-{number}.example"
        platform = Platform(name=f"Université {name}", issuer=issuer, client_id=f"client-{number}",
                            auth_login_url=issuer + "/auth", auth_token_url=issuer + "/token",
                            key_set_url=issuer + "/certs")
        session.add(platform)
        session.flush()
        course = Course(platform_id=platform.id, deployment_id="1", context_id=f"c{number}",
                        title=f"CIMP {name}")
        session.add(course)
        teacher = _person(session, platform, "teacher", f"Prof {name}", course, TEACHER)
        people = [_person(session, platform, f"p{i}", f"Participant {name} {i}", course,
                          PARTICIPANT) for i in range(1, participants + 1)]
        cohort = Cohort(name=f"Cohort {name}", join_code=f"CODE{number:04d}")
        session.add(cohort)
        session.flush()
        session.add(CohortCourse(cohort_id=cohort.id, course_id=course.id))
        session.commit()
        result = CohortPeople(cohort_id=cohort.id, course_id=course.id, platform_id=platform.id,
                              issuer=issuer, teacher_id=teacher.id,
                              participant_ids=[p.id for p in people])
        session.close()
    return result


def _person(session, platform: Platform, sub: str, name: str, course: Course, role: str) -> User:
    given, family = name.rsplit(" ", 1)
    user = User(platform_id=platform.id, issuer=platform.issuer, sub=sub, name=name,
                given_name=given, family_name=family)
    session.add(user)
    session.flush()
    session.add(Membership(user_id=user.id, course_id=course.id, role=role))
    return user


def launch_token(app: Flask, people: CohortPeople, user_id: int, role: str,
                 locale: str = "fr") -> str:
    """A live launch session of ``user_id`` from the cohort's course, as a launch leaves it."""
    context = LaunchContext(user_id=user_id, role=role, platform_id=people.platform_id,
                            issuer=people.issuer, client_id="client", deployment_id="1",
                            course_id=people.course_id, resource_link_id=None,
                            message_type="LtiResourceLinkRequest", target="portfolio",
                            locale=locale, pylti_launch_id="test")
    with app.test_request_context("/"):
        return start_launch_session(context)


def add_entry(app: Flask, author_id: int, title: str, body_html: str, published: bool = True,
              anchor_id: str | None = "P1.O1", when: datetime | None = None) -> int:
    with app.app_context():
        session = new_session()
        when = when or utcnow()
        entry = Entry(author_id=author_id, kind="reflection", anchor_id=anchor_id, title=title,
                      body_html=body_html, status="published" if published else "draft",
                      created_at=when, updated_at=when, published_at=when if published else None)
        session.add(entry)
        session.commit()
        entry_id = entry.id
        session.close()
    return entry_id


def rate(app: Flask, user_id: int, outcome_id: str, *levels: int,
         start: datetime | None = None) -> None:
    """Successive self-ratings of one outcome, a day apart (the last one is current)."""
    start = start or utcnow() - timedelta(days=len(levels))
    with app.app_context():
        session = new_session()
        for day, level in enumerate(levels):
            session.add(OutcomeRating(user_id=user_id, outcome_id=outcome_id, level=level,
                                      justification=f"justification {level}",
                                      created_at=start + timedelta(days=day)))
        session.commit()
        session.close()


def update_entry(app: Flask, entry_id: int, **values) -> None:
    with app.app_context():
        session = new_session()
        entry = session.get(Entry, entry_id)
        for name, value in values.items():
            setattr(entry, name, value)
        session.commit()
        session.close()
