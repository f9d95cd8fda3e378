"""The outbox: queuing in the caller's transaction, newest grade wins, timestamps, statuses."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from lti_tool.accounts.models import Course, Membership, User
from lti_tool.cohorts.services import create_cohort
from lti_tool.grades.models import PENDING, SUPERSEDED, GradeOutbox
from lti_tool.grades.services import (GradeError, enqueue_grade, resend_grade,
                                      sync_statuses)
from lti_tool.lti.models import Platform


@pytest.fixture
def db(app):
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        yield session
        session.close()


@pytest.fixture
def people(db):
    """A course of one platform with two participants and a teacher, in a cohort."""
    platform = Platform(name="Université A", issuer="https://a.example", client_id="c",
                        auth_login_url="x", auth_token_url="x", key_set_url="x")
    db.add(platform)
    db.flush()
    course = Course(platform_id=platform.id, deployment_id="1", context_id="12",
                    title="CIMP", lineitems_url="https://a.example/lineitems")
    db.add(course)
    users = {}
    for sub, name, role in (("2", "Amélie Dubois", "participant"),
                            ("3", "Bruno Lambert", "participant"),
                            ("4", "Claire Martin", "teacher")):
        user = User(platform_id=platform.id, issuer=platform.issuer, sub=sub, name=name)
        db.add(user)
        db.add(Membership(user=user, course=course, role=role))
        users[sub] = user
    db.commit()
    cohort = create_cohort(db, course.id, users["4"].id, "CIMP 2026")
    return {"cohort": cohort.id, **{sub: user.id for sub, user in users.items()}}


def queue(db, user_id, grade, assessment="collective-report", **kwargs):
    return enqueue_grade(db, user_id=user_id, assessment_id=assessment, grade=Decimal(grade),
                         comment=kwargs.pop("comment", ""), published_by_id=None, **kwargs)


def test_enqueue_commits_nothing_itself(db, people):
    queue(db, people["2"], "12")
    db.rollback()
    assert db.scalars(select(GradeOutbox)).all() == []


def test_timestamps_grow_strictly_by_whole_seconds(db, people):
    rows = [queue(db, people["2"], str(g)) for g in (10, 11, 12)]
    db.commit()
    stamps = [row.created_at for row in rows]
    assert all(stamp.microsecond == 0 and stamp.tzinfo is not None for stamp in stamps)
    assert stamps[1] > stamps[0] and stamps[2] > stamps[1]
    assert (stamps[2] - stamps[0]).total_seconds() >= 2


def test_the_newest_grade_supersedes_the_waiting_ones_of_the_same_assessment_only(db, people):
    first = queue(db, people["2"], "10")
    other_assessment = queue(db, people["2"], "9", assessment="oral-exam")
    other_person = queue(db, people["3"], "8")
    newest = queue(db, people["2"], "14")
    db.commit()
    for row in (first, other_assessment, other_person, newest):
        db.refresh(row)
    assert first.status == SUPERSEDED
    assert {other_assessment.status, other_person.status, newest.status} == {PENDING}


@pytest.mark.parametrize("grade, grade_max, assessment, message", [
    ("21", "20", "collective-report", "outside 0..20"),
    ("-1", "20", "collective-report", "outside"),
    ("NaN", "20", "collective-report", "finite"),
    ("abc", "20", "collective-report", "not a number"),
    ("5", "0", "collective-report", "must be positive"),
    ("5", "20", "final-exam", "unknown assessment 'final-exam'"),
])
def test_bad_grades_are_refused_with_a_clear_message(db, people, grade, grade_max,
                                                     assessment, message):
    with pytest.raises(GradeError, match=message):
        enqueue_grade(db, user_id=people["2"], assessment_id=assessment, grade=grade,
                      grade_max=grade_max, comment="", published_by_id=None)
    assert db.scalars(select(GradeOutbox)).all() == []


def test_an_unknown_person_is_refused(db, people):
    with pytest.raises(GradeError, match="no user 999"):
        queue(db, 999, "10")


def test_resend_copies_the_latest_grade_with_a_later_timestamp(db, people):
    original = queue(db, people["2"], "13.5", comment="Clear and well argued")
    db.commit()
    again = resend_grade(db, people["2"], "collective-report", requested_by_id=people["4"])
    db.commit()
    assert (again.grade, again.comment, again.published_by_id) == (
        Decimal("13.5"), "Clear and well argued", people["4"])
    assert again.created_at > original.created_at
    with pytest.raises(GradeError, match="no grade was published"):
        resend_grade(db, people["3"], "oral-exam", requested_by_id=None)


def test_statuses_list_every_participant_and_assessment_and_graded_others(db, people):
    queue(db, people["2"], "15")
    queue(db, people["4"], "20", assessment="oral-exam")
    db.commit()

    statuses = sync_statuses(db, people["cohort"])

    by_key = {(s.name, s.assessment_id): s for s in statuses}
    assert by_key[("Amélie Dubois", "collective-report")].status == PENDING
    assert by_key[("Amélie Dubois", "collective-report")].grade == Decimal("15")
    assert by_key[("Bruno Lambert", "oral-exam")].status is None
    # The teacher appears only for the assessment a grade was queued for.
    assert [s.assessment_id for s in statuses if s.name == "Claire Martin"] == ["oral-exam"]
    assert len(statuses) == 2 * 3 + 1
    only_oral = sync_statuses(db, people["cohort"], "oral-exam")
    assert {s.assessment_id for s in only_oral} == {"oral-exam"}


def test_statuses_of_an_empty_or_unknown_cohort_are_empty(db, people):
    assert sync_statuses(db, 9999) == []
