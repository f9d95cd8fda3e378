"""Queuing published grades for the platforms' gradebooks, and what the teacher sees of it.

Publishing a grade and queuing it happen in the caller's one transaction (``enqueue_grade``
commits nothing): a grade is never published without being queued, nor queued without being
published. Delivery is the worker's job (``lti_tool.grades.sync``); ``request_sync`` only wakes
it early, and ``lti-tool grades sync`` guarantees delivery anyway.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask import Flask, current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from lti_tool.accounts.models import User
from lti_tool.accounts.roles import PARTICIPANT
from lti_tool.cohorts.services import cohort_members
from lti_tool.db import utcnow
from lti_tool.grades.models import FAILED, PENDING, SENDING, SUPERSEDED, GradeOutbox

log = logging.getLogger("lti_tool.grades")

DEFAULT_GRADE_MAX = Decimal(20)
COMMENT_MAX_LENGTH = 2000


class GradeError(ValueError):
    """A grade that cannot be queued (bad value, unknown assessment or person)."""


@dataclass(frozen=True)
class SyncStatus:
    """Where one person's grade for one assessment stands on their platform.

    ``status`` is one of the outbox statuses (pending, sending, sent, failed, not_gradable,
    superseded) or ``None`` when no grade was published yet; ``last_error`` is the platform's
    reason for a failure or the last transient problem of a pending grade.
    """

    user_id: int
    name: str
    university: str
    role: str
    assessment_id: str
    status: str | None
    grade: Decimal | None = None
    grade_max: Decimal | None = None
    published_at: datetime | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    outbox_id: int | None = None


def _checked_decimal(value: Decimal | int | float | str, name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise GradeError(f"{name} is not a number: {value!r}") from exc
    if not number.is_finite():
        raise GradeError(f"{name} is not a finite number: {value!r}")
    return number


def assessment_ids() -> tuple[str, ...]:
    """The programme's assessment ids, in programme order."""
    from programme.loader import cached_programme

    return tuple(a.id for a in cached_programme().assessments)


def next_score_timestamp(session: Session, user_id: int, assessment_id: str) -> datetime:
    """Now, in whole seconds, and at least one second after any earlier score of this
    (user, assessment): the platform keeps only a strictly newer score (one-second precision)."""
    now = utcnow().replace(microsecond=0)
    latest = session.scalar(select(func.max(GradeOutbox.created_at)).where(
        GradeOutbox.user_id == user_id, GradeOutbox.assessment_id == assessment_id))
    if latest is not None:
        if latest.tzinfo is None:  # SQLite's func.max bypasses the column type
            latest = datetime.fromisoformat(str(latest)).replace(tzinfo=now.tzinfo)
        now = max(now, latest.replace(microsecond=0) + timedelta(seconds=1))
    return now


def enqueue_grade(session: Session, *, user_id: int, assessment_id: str, grade: Decimal,
                  grade_max: Decimal = DEFAULT_GRADE_MAX, comment: str = "",
                  published_by_id: int | None) -> GradeOutbox:
    """Queue a published grade in the caller's transaction (nothing is committed here).

    Any grade of the same (user, assessment) still waiting is superseded: the newest published
    grade wins. Raises ``GradeError`` for a grade outside 0..grade_max, an unknown assessment or
    an unknown user.
    """
    grade = _checked_decimal(grade, "grade")
    grade_max = _checked_decimal(grade_max, "grade_max")
    if grade_max <= 0:
        raise GradeError(f"grade_max must be positive, got {grade_max}")
    if not Decimal(0) <= grade <= grade_max:
        raise GradeError(f"grade {grade} is outside 0..{grade_max}")
    if assessment_id not in assessment_ids():
        raise GradeError(f"unknown assessment {assessment_id!r} "
                         f"(expected one of: {', '.join(assessment_ids())})")
    if session.get(User, user_id) is None:
        raise GradeError(f"no user {user_id}")
    session.execute(
        update(GradeOutbox)
        .where(GradeOutbox.user_id == user_id, GradeOutbox.assessment_id == assessment_id,
               GradeOutbox.status.in_((PENDING, FAILED)))
        .values(status=SUPERSEDED, last_error=None)
        .execution_options(synchronize_session=False))
    stamp = next_score_timestamp(session, user_id, assessment_id)
    row = GradeOutbox(user_id=user_id, assessment_id=assessment_id, grade=grade,
                      grade_max=grade_max, comment=(comment or "").strip()[:COMMENT_MAX_LENGTH],
                      published_by_id=published_by_id, created_at=stamp, status=PENDING,
                      attempts=0, next_attempt_at=utcnow())
    session.add(row)
    session.flush()
    return row


def latest_grade(session: Session, user_id: int, assessment_id: str) -> GradeOutbox | None:
    """The most recently published grade of a (user, assessment), whatever its status."""
    return session.scalar(
        select(GradeOutbox)
        .where(GradeOutbox.user_id == user_id, GradeOutbox.assessment_id == assessment_id)
        .order_by(GradeOutbox.created_at.desc(), GradeOutbox.id.desc()).limit(1))


def resend_grade(session: Session, user_id: int, assessment_id: str,
                 requested_by_id: int | None) -> GradeOutbox:
    """Queue the latest published grade again with a new, later timestamp (no commit).

    Raises ``GradeError`` when nothing was ever published for this (user, assessment), or when
    that grade is on its way right now.
    """
    latest = latest_grade(session, user_id, assessment_id)
    if latest is None:
        raise GradeError("no grade was published for this person and assessment")
    if latest.status == SENDING:
        raise GradeError("this grade is being sent right now")
    return enqueue_grade(session, user_id=user_id, assessment_id=assessment_id,
                         grade=latest.grade, grade_max=latest.grade_max, comment=latest.comment,
                         published_by_id=requested_by_id)


def sync_statuses(session: Session, cohort_id: int,
                  assessment_id: str | None = None) -> list[SyncStatus]:
    """Per participant of the cohort and assessment, where their latest published grade stands.

    Participants without a published grade are listed with ``status=None``; anyone else of the
    cohort appears once a grade was queued for them (a teacher's grade is not gradable, say).
    Sorted by university, name, then assessment in programme order.
    """
    wanted = (assessment_id,) if assessment_id else assessment_ids()
    people: dict[int, tuple[str, str, str]] = {}
    for member in cohort_members(session, cohort_id):
        known = people.get(member.user_id)
        if known is None or (member.role == PARTICIPANT and known[2] != PARTICIPANT):
            people[member.user_id] = (member.name, member.university, member.role)
    if not people:
        return []
    latest: dict[tuple[int, str], GradeOutbox] = {}
    rows = session.scalars(
        select(GradeOutbox)
        .where(GradeOutbox.user_id.in_(people), GradeOutbox.assessment_id.in_(wanted))
        .order_by(GradeOutbox.created_at, GradeOutbox.id))
    for row in rows:
        latest[(row.user_id, row.assessment_id)] = row
    statuses = []
    for user_id, (name, university, role) in people.items():
        for assessment in wanted:
            row = latest.get((user_id, assessment))
            if row is None and role != PARTICIPANT:
                continue
            statuses.append(_status(user_id, name, university, role, assessment, row))
    order = {a: i for i, a in enumerate(wanted)}
    return sorted(statuses, key=lambda s: (s.university.casefold(), s.name.casefold(),
                                           s.user_id, order[s.assessment_id]))


def _status(user_id: int, name: str, university: str, role: str, assessment_id: str,
            row: GradeOutbox | None) -> SyncStatus:
    if row is None:
        return SyncStatus(user_id, name, university, role, assessment_id, None)
    return SyncStatus(user_id, name, university, role, assessment_id, row.status,
                      grade=row.grade, grade_max=row.grade_max, published_at=row.created_at,
                      attempts=row.attempts, next_attempt_at=row.next_attempt_at,
                      sent_at=row.sent_at, last_error=row.last_error, outbox_id=row.id)


# ----- waking the worker ---------------------------------------------------------------------

_background_lock = threading.Lock()
_background_state: dict[int, str] = {}


def request_sync(app: Flask | None = None) -> None:
    """Run one sync pass soon in a background thread (best effort, after the caller's commit).

    At most one background pass runs per application; a request arriving during a pass makes
    it run once more afterwards, so a grade committed meanwhile is not left for the next poll.
    Disabled with the setting ``GRADES_SYNC_IN_BACKGROUND = False``.
    """
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("GRADES_SYNC_IN_BACKGROUND", True):
        return
    key = id(app)
    with _background_lock:
        state = _background_state.get(key)
        if state is not None:
            _background_state[key] = "again"
            return
        _background_state[key] = "running"
    thread = threading.Thread(target=_background_passes, args=(app, key),
                              name="grades-sync-request", daemon=True)
    thread.start()


def _background_passes(app: Flask, key: int) -> None:
    from lti_tool.grades.sync import SyncSettings, default_worker_id, sync_pending_scores

    while True:
        try:
            with app.app_context():
                sync_pending_scores(app.extensions["db_sessionmaker"],
                                    default_worker_id("request"),
                                    settings=SyncSettings.from_config(app.config))
        except Exception:  # noqa: BLE001 - best effort: the outbox keeps every grade
            log.exception("background grade sync failed; the grades stay queued")
        with _background_lock:
            if _background_state.get(key) == "again":
                _background_state[key] = "running"
                continue
            _background_state.pop(key, None)
            return
