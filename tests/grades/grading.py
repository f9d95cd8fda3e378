"""A cohort joining univ-a's and univ-b's courses, with launched participants and teachers, and
helpers to queue grades, run the worker and read the platforms' gradebooks."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from lti_tool.accounts.models import Course, User
from lti_tool.accounts.services import upsert_membership, upsert_user
from lti_tool.cohorts.services import create_cohort, join_cohort
from lti_tool.db import utcnow
from lti_tool.demo.models import STUDENT, DemoUser
from lti_tool.grades.models import GradeOutbox
from lti_tool.grades.services import enqueue_grade
from lti_tool.grades.sync import SyncReport, SyncSettings, sync_pending_scores
from lti_tool.lti.models import Platform

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
# Retries are due at once in tests; the backoff itself is tested on retry_delay.
FAST = SyncSettings(http_timeout_seconds=5, threads=8, retry_base_seconds=0,
                    retry_max_seconds=0, claim_timeout_seconds=300)


@dataclass
class World:
    """Tool-side ids of the people and courses the launches created."""

    cohort_id: int
    course_a: int
    course_b: int
    users: dict[tuple[str, str], int] = field(default_factory=dict)
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)

    def user(self, site: str, sub: str) -> int:
        return self.users[(site, sub)]


def launched(driver, site, user_id: str, activity_id: str) -> str:
    result = driver.launch(site, user_id, activity_id)
    assert result.status == 200, result.response.text
    return result.token


def build_world(app, driver, site_a, site_b, participant_activities=("112", "212")) -> World:
    """Teachers 4 (univ-a) and 5 (univ-b) and participants 2 and 3 of both sites launch; the
    two courses form one cohort."""
    tokens = {("a", "4"): launched(driver, site_a, "4", "101"),
              ("b", "5"): launched(driver, site_b, "5", "201")}
    for sub in ("2", "3"):
        tokens[("a", sub)] = launched(driver, site_a, sub, participant_activities[0])
        tokens[("b", sub)] = launched(driver, site_b, sub, participant_activities[1])
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        users = {}
        for slug, site in (("a", site_a), ("b", site_b)):
            for user in session.scalars(select(User).where(User.issuer == site.issuer)):
                users[(slug, user.sub)] = user.id
        course_a = _course(session, site_a, "12")
        course_b = _course(session, site_b, "7")
        cohort = create_cohort(session, course_a, users[("a", "4")], "CIMP 2026")
        join_cohort(session, course_b, users[("b", "5")], cohort.join_code)
        world = World(cohort.id, course_a, course_b, users, tokens)
        session.close()
    return world


def _course(session, site, context_id: str) -> int:
    return session.scalar(select(Course.id).join(Platform, Platform.id == Course.platform_id)
                          .where(Platform.issuer == site.issuer,
                                 Course.context_id == context_id))


def add_participants(app, site, context_id: str, count: int, first: int = 1000) -> list[int]:
    """``count`` more students on a platform course, known to the tool as a roster import
    would make them known; returns their tool user ids."""
    ids = []
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        platform = session.scalar(select(Platform).where(Platform.issuer == site.issuer))
        course = session.get(Course, _course(session, site, context_id))
        for n in range(first, first + count):
            sub = str(n)
            site.users[sub] = DemoUser(sub, "Participant", f"N{n}", f"p{n}@example.org")
            site.courses[context_id].members[sub] = STUDENT
            user = upsert_user(session, platform.id, platform.issuer, sub,
                               {"name": f"Participant N{n}"})
            upsert_membership(session, user, course, "participant", [LEARNER], source="roster")
            session.flush()
            ids.append(user.id)
        session.commit()
        session.close()
    return ids


def enqueue(app, user_id: int, assessment_id: str, grade, comment: str = "") -> int:
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        row = enqueue_grade(session, user_id=user_id, assessment_id=assessment_id,
                            grade=Decimal(str(grade)), comment=comment, published_by_id=None)
        session.commit()
        row_id = row.id
        session.close()
    return row_id


def sync(app, settings: SyncSettings = FAST, worker_id: str = "test-worker",
         **kwargs) -> SyncReport:
    with app.app_context():
        return sync_pending_scores(app.extensions["db_sessionmaker"], worker_id,
                                   settings=settings, **kwargs)


def outbox(app, row_id: int) -> GradeOutbox:
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        row = session.get(GradeOutbox, row_id)
        session.expunge(row)
        session.close()
    return row


def all_rows(app) -> list[GradeOutbox]:
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        rows = list(session.scalars(select(GradeOutbox).order_by(GradeOutbox.id)))
        session.expunge_all()
        session.close()
    return rows


def item_for(site, resource_id: str) -> dict:
    """The gradebook column of an assessment (by its resourceId); exactly one must exist."""
    items = [dict(item, id=item_id) for item_id, item in site.gradebook().items()
             if item["resource_id"] == resource_id]
    assert len(items) == 1, items
    return items[0]


def posts_for(site, user_sub: str, status: int | None = None) -> list[dict]:
    return [p for p in site.score_posts
            if p["user_id"] == user_sub and (status is None or p["status"] == status)]


def post_newer_grade_on_platform(site, course_id: str, lineitem_id: int, user_sub: str,
                                 score: float, hours_ahead: int = 1) -> None:
    """A grade set on the platform itself, newer than anything the tool will send."""
    body = {"userId": user_sub, "scoreGiven": score, "scoreMaximum": 20,
            "timestamp": (utcnow() + timedelta(hours=hours_ahead)).isoformat(),
            "gradingProgress": "FullyGraded", "activityProgress": "Completed"}
    site.post_score(course_id, lineitem_id, SCORE_MEDIA_TYPE, json.dumps(body).encode())
