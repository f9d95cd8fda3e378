"""The grade sync worker: posts queued grades to each participant's own platform (AGS).

One pass (``sync_pending_scores``) claims due outbox rows in small batches, finds the line item
of each (course, assessment) once, and posts the scores from a thread pool. Every outcome is
written back only if the row is still claimed by this pass, so:

- several workers never send the same row at the same time: a claim is one atomic statement
  (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, a conditional ``UPDATE`` on SQLite);
- a row claimed by a worker that died is claimed again after ``claim_timeout_seconds``; if the
  dead worker's post had reached the platform, the platform answers 409 to the repeat (same
  timestamp) and the row is recorded as sent after reading the stored result back: the grade
  lands in the gradebook once, and no grade is lost;
- timeouts, connection errors, 5xx and 401 (after one token renewal) are retried with capped
  exponential backoff and jitter; 400 is "not gradable" (a teacher, an administrator) and
  reported, never retried; after ``max_attempts`` a grade is reported as failed.

Access tokens come from ``lti_tool.lti.platform_services`` (shared store, one token per
issuer, client id and scopes), fetched once per platform and scope set, not per score.
"""
from __future__ import annotations

import json
import logging
import os
import random
import secrets
import socket
import threading
import time
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from requests.adapters import HTTPAdapter
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from lti_tool.accounts.models import Course, Membership, ResourceLink, User
from lti_tool.accounts.roles import PARTICIPANT
from lti_tool.cohorts.models import CohortCourse
from lti_tool.db import utcnow
from lti_tool.grades.models import (FAILED, NOT_GRADABLE, PENDING, SENDING, SENT, SUPERSEDED,
                                    GradeOutbox)
from lti_tool.lti.adapter import DatabaseToolConf
from lti_tool.lti.models import Platform
from lti_tool.lti.platform_services import PlatformServiceError, StoreServiceConnector
from lti_tool.store import Store, get_store

log = logging.getLogger("lti_tool.grades")

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEM_CONTAINER_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
RESULT_CONTAINER_MEDIA_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"
ASSESSMENT_TAG = "assessment"
LINEITEM_SCORE_MAXIMUM = 20
# A line item found once is remembered in the shared store for this long.
LINEITEM_CACHE_SECONDS = 24 * 3600
LINEITEM_CREATE_LOCK_SECONDS = 60


@dataclass(frozen=True)
class SyncSettings:
    """How a sync pass behaves; ``from_config`` reads the ``GRADES_*`` settings of the app."""

    http_timeout_seconds: float = 10.0
    threads: int = 16
    batch_size: int = 200
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    max_attempts: int = 12
    claim_timeout_seconds: float = 300.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any],
                    environ: Mapping[str, str] | None = None) -> "SyncSettings":
        """From the app's ``GRADES_*`` settings, else ``LTI_TOOL_GRADES_*`` variables."""
        environ = os.environ if environ is None else environ
        defaults = cls()
        names = {"http_timeout_seconds": "GRADES_HTTP_TIMEOUT_SECONDS",
                 "threads": "GRADES_SYNC_THREADS", "batch_size": "GRADES_SYNC_BATCH_SIZE",
                 "retry_base_seconds": "GRADES_RETRY_BASE_SECONDS",
                 "retry_max_seconds": "GRADES_RETRY_MAX_SECONDS",
                 "max_attempts": "GRADES_MAX_ATTEMPTS",
                 "claim_timeout_seconds": "GRADES_CLAIM_TIMEOUT_SECONDS"}
        values = {}
        for attribute, key in names.items():
            value = config.get(key)
            if value is None:
                value = environ.get("LTI_TOOL_" + key) or None
            if value is not None:
                values[attribute] = type(getattr(defaults, attribute))(value)
        return replace(defaults, **values)


@dataclass
class SyncReport:
    """What one pass did: rows claimed, their outcomes, and the HTTP requests it made."""

    claimed: int = 0
    sent: int = 0
    not_gradable: int = 0
    failed: int = 0
    superseded: int = 0
    retrying: int = 0
    released: int = 0
    requests: int = 0
    lost_claims: int = 0

    def add(self, status: str) -> None:
        attribute = {SENT: "sent", NOT_GRADABLE: "not_gradable", FAILED: "failed",
                     SUPERSEDED: "superseded", PENDING: "retrying"}[status]
        setattr(self, attribute, getattr(self, attribute) + 1)


def default_worker_id(kind: str = "worker") -> str:
    """``host:pid:kind``: names who holds a claimed row in the outbox."""
    return f"{socket.gethostname()}:{os.getpid()}:{kind}"[:80]


def retry_delay(attempts: int, settings: SyncSettings,
                rand: Callable[[], float] = random.random) -> float:
    """Exponential backoff (base x 2^(attempts-1)), capped, with jitter over its upper half."""
    ceiling = min(settings.retry_max_seconds,
                  settings.retry_base_seconds * 2 ** max(attempts - 1, 0))
    return ceiling / 2 + rand() * ceiling / 2


def score_timestamp(stamp: datetime) -> str:
    """ISO 8601 in UTC with whole seconds, the precision Moodle compares."""
    return stamp.astimezone(utcnow().tzinfo).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def with_path_suffix(url: str, suffix: str, **params: str) -> str:
    """Insert ``suffix`` at the end of the path (before the query string) and add parameters:
    ``.../lineitem?type_id=1`` -> ``.../lineitem/scores?type_id=1``."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + suffix,
                       urlencode(query), parts.fragment))


# ----- claiming ------------------------------------------------------------------------------

def _due_condition(now: datetime, claim_timeout_seconds: float):
    abandoned_before = now - timedelta(seconds=claim_timeout_seconds)
    return or_(and_(GradeOutbox.status == PENDING, GradeOutbox.next_attempt_at <= now),
               and_(GradeOutbox.status == SENDING, GradeOutbox.claimed_at < abandoned_before))


def claim_due_rows(session_factory: sessionmaker, claim_id: str, limit: int,
                   claim_timeout_seconds: float = 300.0,
                   due_at: datetime | None = None) -> list[GradeOutbox]:
    """Mark up to ``limit`` rows due at ``due_at`` (default now): pending and due, or claimed
    by a worker that died, as being sent by ``claim_id``, in one transaction, and return them
    (detached). A pass gives its start time, so a row it reschedules waits for the next pass."""
    now = utcnow()
    due = _due_condition(due_at or now, claim_timeout_seconds)
    claim = {"status": SENDING, "claimed_by": claim_id, "claimed_at": now,
             "attempts": GradeOutbox.attempts + 1}
    with session_factory() as session:
        if session.get_bind().dialect.name == "postgresql":
            ids = list(session.scalars(select(GradeOutbox.id).where(due)
                                       .order_by(GradeOutbox.next_attempt_at, GradeOutbox.id)
                                       .limit(limit).with_for_update(skip_locked=True)))
            if ids:
                session.execute(update(GradeOutbox).where(GradeOutbox.id.in_(ids))
                                .values(**claim).execution_options(synchronize_session=False))
        else:
            # One UPDATE statement: SQLite runs it under its write lock, and the condition is
            # checked again on each row, so two workers never claim the same row.
            candidates = (select(GradeOutbox.id).where(due)
                          .order_by(GradeOutbox.next_attempt_at, GradeOutbox.id).limit(limit)
                          .scalar_subquery())
            session.execute(update(GradeOutbox).where(GradeOutbox.id.in_(candidates), due)
                            .values(**claim).execution_options(synchronize_session=False))
        session.commit()
        rows = list(session.scalars(select(GradeOutbox).where(
            GradeOutbox.claimed_by == claim_id, GradeOutbox.status == SENDING)
            .order_by(GradeOutbox.id)))
        session.expunge_all()
    return rows


# ----- where a grade goes --------------------------------------------------------------------

@dataclass(frozen=True)
class Destination:
    """The participant's own platform, their course there, and the assessment's link in it."""

    platform_id: int
    sub: str
    course_id: int
    lineitems_url: str | None
    resource_link_id: str | None
    link_lineitem_url: str | None


@dataclass
class Outcome:
    row_id: int
    status: str
    error: str | None = None
    lineitem_url: str | None = None


class _Retry(Exception):
    """A problem that may go away: timeouts, connection errors, 5xx, a refused token."""

    def __init__(self, reason: str, status: int | None = None):
        super().__init__(reason)
        self.status = status


class _Refused(Exception):
    """A final answer: the row is reported with ``status`` and never retried."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def _destinations(session: Session,
                  rows: Sequence[GradeOutbox]) -> dict[tuple[int, str], Destination]:
    """Each user's platform, the cohort course of that platform they belong to, and the
    assessment's resource link in that course when a launch made it known."""
    user_ids = {row.user_id for row in rows}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))}
    courses: dict[int, Course] = {}
    memberships = session.execute(
        select(Membership, Course, CohortCourse.joined_at)
        .join(Course, Course.id == Membership.course_id)
        .join(CohortCourse, CohortCourse.course_id == Course.id)
        .where(Membership.user_id.in_(user_ids))).all()
    ranked = sorted(memberships, key=lambda m: (m[0].role == PARTICIPANT, m[2]), reverse=True)
    for membership, course, _joined in ranked:
        user = users.get(membership.user_id)
        if user is not None and course.platform_id == user.platform_id:
            courses.setdefault(user.id, course)
    wanted = {(courses[r.user_id].id, r.assessment_id) for r in rows if r.user_id in courses}
    links: dict[tuple[int, str], ResourceLink] = {}
    if wanted:
        course_ids = {course_id for course_id, _ in wanted}
        for link in session.scalars(select(ResourceLink).where(
                ResourceLink.course_id.in_(course_ids),
                ResourceLink.target.like("assessment/%")).order_by(ResourceLink.id)):
            key = (link.course_id, (link.target or "").removeprefix("assessment/"))
            if key in wanted and (key not in links or not links[key].lineitem_url):
                links[key] = link
    result = {}
    for user_id, assessment_id in {(r.user_id, r.assessment_id) for r in rows}:
        course = courses.get(user_id)
        if course is not None:
            link = links.get((course.id, assessment_id))
            result[(user_id, assessment_id)] = Destination(
                platform_id=users[user_id].platform_id, sub=users[user_id].sub,
                course_id=course.id, lineitems_url=course.lineitems_url or None,
                resource_link_id=link.resource_link_id if link else None,
                link_lineitem_url=(link.lineitem_url or None) if link else None)
    return result


# ----- talking to the platform ---------------------------------------------------------------

class SharedConnector(StoreServiceConnector):
    """The platform services connector, shared by the pass's threads.

    Token requests are serialised so that threads starting together ask the platform once,
    and a token the platform refused (401) is dropped only if it is still the stored one (the
    other threads that held it then reuse the renewed token instead of renewing it again).
    Counts the requests it makes.
    """

    def __init__(self, *args: Any, pool_size: int = 10, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._token_lock = threading.Lock()
        self._pass_tokens: dict[str, str] = {}
        self._used = threading.local()
        self._count_lock = threading.Lock()
        self.requests_made = 0
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(pool_size, 10))
        self._requests_session.mount("http://", adapter)
        self._requests_session.mount("https://", adapter)

    def _count(self) -> None:
        with self._count_lock:
            self.requests_made += 1

    def get_access_token(self, scopes: Sequence[str]) -> str:
        key = self._scope_key(scopes)
        # The store is read once per pass and scope set; every later call of the pass reuses
        # what it read (threads would otherwise queue on the lock for a database read each).
        token = self._pass_tokens.get(key)
        if token is None:
            with self._token_lock:
                token = self._pass_tokens.get(key)
                if token is None:
                    before = self._get_cached_access_token(key)
                    token = super().get_access_token(scopes)
                    if token != before:
                        self._count()
                    self._pass_tokens[key] = token
        self._used.token = token
        return token

    def forget_access_token(self, scopes: Sequence[str]) -> None:
        key = self._scope_key(scopes)
        refused = getattr(self._used, "token", None)
        with self._token_lock:
            if self._pass_tokens.get(key) == refused:
                self._pass_tokens.pop(key, None)
            if self._get_cached_access_token(key) == refused:
                super().forget_access_token(scopes)

    def make_service_request(self, scopes, url, **kwargs):  # type: ignore[override]
        self._count()
        return super().make_service_request(scopes, url, **kwargs)


def connectors_for(session: Session, platform_ids: Iterable[int], store: Store,
                   settings: SyncSettings) -> dict[int, SharedConnector | PlatformServiceError]:
    """One connector per platform (or the reason there is none)."""
    connectors: dict[int, SharedConnector | PlatformServiceError] = {}
    conf = DatabaseToolConf(session)
    for platform_id in set(platform_ids):
        platform = session.get(Platform, platform_id)
        registration = (conf.find_registration_by_params(platform.issuer, platform.client_id)
                        if platform else None)
        if registration is None:
            connectors[platform_id] = PlatformServiceError(
                f"the registration of platform {platform_id} could not be read")
            continue
        connectors[platform_id] = SharedConnector(registration, store,
                                                  timeout=settings.http_timeout_seconds,
                                                  pool_size=settings.threads)
    return connectors


RETRIED_STATUSES = frozenset({401, 404, 408, 425, 429})


def _service_error(exc: PlatformServiceError, what: str,
                   refused_status: str = FAILED) -> Exception:
    """A platform's answer as a retry (no answer, 5xx, 401, 404, 429) or a final refusal."""
    status = exc.status
    if status is None or status >= 500 or status in RETRIED_STATUSES:
        return _Retry(f"{what}: {exc.detail}", status)
    return _Refused(refused_status if status == 400 else FAILED, f"{what}: {exc.detail}")


class LineItemResolver:
    """Finds, or creates, the line item of an assessment in a course, once per pass."""

    def __init__(self, store: Store, titles: Mapping[str, str]):
        self._store = store
        self._titles = titles
        self._found: dict[tuple[int, str], str] = {}
        self._lock = threading.Lock()
        self._key_locks: dict[tuple[int, str], threading.Lock] = {}

    def _cache_key(self, course_id: int, assessment_id: str) -> str:
        return f"grades-lineitem:{course_id}:{assessment_id}"

    def forget(self, course_id: int, assessment_id: str) -> None:
        with self._lock:
            self._found.pop((course_id, assessment_id), None)
        self._store.delete(self._cache_key(course_id, assessment_id))

    def resolve(self, connector: SharedConnector, dest: Destination, assessment_id: str) -> str:
        """The line item URL: the launch's ``lineitem`` claim, else found in the course's
        ``lineitems`` by resource link, resourceId or tag, else created."""
        if dest.link_lineitem_url:
            return dest.link_lineitem_url
        key = (dest.course_id, assessment_id)
        with self._lock:
            if key in self._found:
                return self._found[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._found:
                    return self._found[key]
            url = self._store.get(self._cache_key(*key))
            if not isinstance(url, str) or not url:
                url = self._find_or_create(connector, dest, assessment_id)
                self._store.set(self._cache_key(*key), url, LINEITEM_CACHE_SECONDS)
            with self._lock:
                self._found[key] = url
            return url

    def _find_or_create(self, connector: SharedConnector, dest: Destination,
                        assessment_id: str) -> str:
        if not dest.lineitems_url:
            # A later launch from the course brings it: retry with backoff until then.
            raise _Retry("no_lineitems_service: the course's launches never carried a line "
                         "items URL (AGS)")
        found = self._find(connector, dest, assessment_id)
        if found:
            return found
        lock_key = f"grades-lineitem-create:{dest.course_id}:{assessment_id}"
        if not self._store.add(lock_key, True, LINEITEM_CREATE_LOCK_SECONDS):
            # Another worker is creating it right now: find it on the next attempt.
            raise _Retry("the line item is being created by another worker")
        try:
            found = self._find(connector, dest, assessment_id)
            return found or self._create(connector, dest, assessment_id)
        finally:
            self._store.delete(lock_key)

    def _find(self, connector: SharedConnector, dest: Destination,
              assessment_id: str) -> str | None:
        searches = []
        if dest.resource_link_id:
            searches.append({"resource_link_id": dest.resource_link_id})
        searches += [{"resource_id": assessment_id}, {"tag": ASSESSMENT_TAG}]
        for params in searches:
            url = with_path_suffix(dest.lineitems_url or "", "", **params)
            try:
                answer = connector.make_service_request(
                    [SCOPE_LINEITEM], url, accept=LINEITEM_CONTAINER_MEDIA_TYPE)
            except PlatformServiceError as exc:
                raise _service_error(exc, "reading the line items") from exc
            items = answer["body"] if isinstance(answer["body"], list) else []
            for item in items:
                if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                    continue
                # A tag search lists every assessment: keep this assessment's item only.
                if "tag" in params and item.get("resourceId") != assessment_id:
                    continue
                return item["id"]
        return None

    def _create(self, connector: SharedConnector, dest: Destination, assessment_id: str) -> str:
        body: dict[str, Any] = {"label": self._titles.get(assessment_id, assessment_id),
                                "scoreMaximum": LINEITEM_SCORE_MAXIMUM,
                                "resourceId": assessment_id, "tag": ASSESSMENT_TAG}
        if dest.resource_link_id:
            body["resourceLinkId"] = dest.resource_link_id
        try:
            answer = connector.make_service_request(
                [SCOPE_LINEITEM], dest.lineitems_url, is_post=True, data=json.dumps(body),
                content_type=LINEITEM_MEDIA_TYPE, accept=LINEITEM_MEDIA_TYPE)
        except PlatformServiceError as exc:
            raise _service_error(exc, "creating the line item") from exc
        created = answer["body"]
        if not isinstance(created, dict) or not isinstance(created.get("id"), str):
            raise _Retry("the platform created a line item without an id")
        log.info(json.dumps({"event": "grades.lineitem.created", "course_id": dest.course_id,
                             "assessment_id": assessment_id, "lineitem": created["id"]}))
        return created["id"]


def score_body(row: GradeOutbox, sub: str) -> dict[str, Any]:
    """The AGS score of a row as Moodle wants it: points out of grade_max, FullyGraded."""
    body: dict[str, Any] = {
        "userId": sub, "scoreGiven": float(row.grade), "scoreMaximum": float(row.grade_max),
        "timestamp": score_timestamp(row.created_at),
        "activityProgress": "Completed", "gradingProgress": "FullyGraded",
    }
    if row.comment:
        body["comment"] = row.comment
    return body


def post_score(connector: SharedConnector, lineitem_url: str, row: GradeOutbox,
               sub: str) -> Outcome:
    """Post one score; a 409 is settled by reading back what the gradebook holds."""
    try:
        connector.make_service_request(
            [SCOPE_SCORE], with_path_suffix(lineitem_url, "/scores"), is_post=True,
            data=json.dumps(score_body(row, sub)), content_type=SCORE_MEDIA_TYPE)
    except PlatformServiceError as exc:
        if exc.status == 409:
            return _settle_conflict(connector, lineitem_url, row, sub)
        # Moodle answers 400 to a score for someone without a gradebook role.
        raise _service_error(exc, "posting the score", refused_status=NOT_GRADABLE) from exc
    return Outcome(row.id, SENT, lineitem_url=lineitem_url)


def _settle_conflict(connector: SharedConnector, lineitem_url: str, row: GradeOutbox,
                     sub: str) -> Outcome:
    """409: the gradebook holds a grade as new as or newer than this one. If it is this very
    score (an earlier attempt reached the platform), the row is sent; otherwise it is stale."""
    mine = score_timestamp(row.created_at)
    try:
        answer = connector.make_service_request(
            [SCOPE_RESULT_READONLY], with_path_suffix(lineitem_url, "/results", user_id=sub),
            accept=RESULT_CONTAINER_MEDIA_TYPE)
        results = answer["body"] if isinstance(answer["body"], list) else []
    except PlatformServiceError as exc:
        log.warning("grade %s: 409 and the result could not be read back: %s", row.id,
                    exc.detail)
        results = []
    for result in results:
        if not isinstance(result, dict) or str(result.get("userId")) != sub:
            continue
        stored = result.get("timestamp")
        if isinstance(stored, str) and _same_second(stored, mine):
            return Outcome(row.id, SENT, lineitem_url=lineitem_url)
        return Outcome(row.id, SUPERSEDED, lineitem_url=lineitem_url,
                       error=f"conflict: the gradebook holds a newer grade (set {stored})")
    return Outcome(row.id, SUPERSEDED, lineitem_url=lineitem_url,
                   error="conflict: the gradebook holds a grade as new as or newer than this one")


def _same_second(left: str, right: str) -> bool:
    try:
        a, b = (datetime.fromisoformat(v.replace("Z", "+00:00")) for v in (left, right))
    except ValueError:
        return False
    if a.tzinfo is None:
        a = a.replace(tzinfo=b.tzinfo)
    return int(a.timestamp()) == int(b.timestamp())


# ----- recording outcomes --------------------------------------------------------------------

def record_outcomes(session_factory: sessionmaker, claim_id: str, outcomes: Sequence[Outcome],
                    settings: SyncSettings, report: SyncReport) -> None:
    """Write outcomes back, each only if the row is still claimed by this pass; a retry becomes
    pending again after its backoff, or superseded when a newer grade of the same
    (user, assessment) was queued meanwhile, or failed after ``max_attempts``."""
    if not outcomes:
        return
    now = utcnow()
    with session_factory() as session:
        rows = {r.id: r for r in session.scalars(select(GradeOutbox).where(
            GradeOutbox.id.in_([o.row_id for o in outcomes])))}
        # Rows that end alike are written by one statement (a batch is mostly "sent").
        groups: dict[tuple, tuple[str, dict[str, Any], list[int]]] = {}
        for outcome in outcomes:
            row = rows.get(outcome.row_id)
            if row is None:
                continue
            status, values = _final_values(session, row, outcome, now, settings)
            key = tuple(sorted((name, str(value)) for name, value in values.items()))
            groups.setdefault(key, (status, values, []))[2].append(row.id)
        for status, values, ids in groups.values():
            changed = session.execute(
                update(GradeOutbox)
                .where(GradeOutbox.id.in_(ids), GradeOutbox.claimed_by == claim_id,
                       GradeOutbox.status == SENDING)
                .values(**values).execution_options(synchronize_session=False)).rowcount or 0
            for _ in range(changed):
                report.add(status)
            report.lost_claims += len(ids) - changed
        session.commit()


def _final_values(session: Session, row: GradeOutbox, outcome: Outcome, now: datetime,
                  settings: SyncSettings) -> tuple[str, dict[str, Any]]:
    values: dict[str, Any] = {"claimed_by": None, "claimed_at": None,
                              "last_error": outcome.error}
    if outcome.lineitem_url:
        values["lineitem_url"] = outcome.lineitem_url
    status = outcome.status
    if status == PENDING:
        newer = session.scalar(select(GradeOutbox.id).where(
            GradeOutbox.user_id == row.user_id, GradeOutbox.assessment_id == row.assessment_id,
            GradeOutbox.created_at > row.created_at).limit(1))
        if newer is not None:
            status = SUPERSEDED
        elif row.attempts >= settings.max_attempts:
            status = FAILED
            values["last_error"] = f"gave up after {row.attempts} attempts: {outcome.error}"
        else:
            values["next_attempt_at"] = now + timedelta(
                seconds=retry_delay(row.attempts, settings))
    if status == SENT:
        values["sent_at"] = now
    values["status"] = status
    return status, values


def release_rows(session_factory: sessionmaker, claim_id: str, row_ids: Iterable[int]) -> int:
    """Give claimed rows back untouched (a worker asked to stop before sending them)."""
    ids = list(row_ids)
    if not ids:
        return 0
    with session_factory() as session:
        released = session.execute(
            update(GradeOutbox)
            .where(GradeOutbox.id.in_(ids), GradeOutbox.claimed_by == claim_id,
                   GradeOutbox.status == SENDING)
            .values(status=PENDING, claimed_by=None, claimed_at=None,
                    attempts=GradeOutbox.attempts - 1)
            .execution_options(synchronize_session=False)).rowcount
        session.commit()
    return released or 0


# ----- one pass ------------------------------------------------------------------------------

def sync_pending_scores(session_factory: sessionmaker, worker_id: str, limit: int = 5000, *,
                        store: Store | None = None, settings: SyncSettings | None = None,
                        stop: threading.Event | None = None) -> SyncReport:
    """Send up to ``limit`` due grades to their platforms and record each outcome.

    Claims rows in batches of ``settings.batch_size``; ``stop`` (set by a signal handler, say)
    ends the pass after the posts in flight, giving unsent claimed rows back. Needs an app
    context unless ``store`` is given.
    """
    settings = settings or SyncSettings()
    store = store or get_store()
    report = SyncReport()
    titles = _assessment_titles()
    resolver = LineItemResolver(store, titles)
    connectors: dict[int, SharedConnector | PlatformServiceError] = {}
    started = utcnow()
    with ThreadPoolExecutor(max_workers=max(settings.threads, 1),
                            thread_name_prefix="grades-sync") as pool:
        while report.claimed < limit and not (stop and stop.is_set()):
            claim_id = f"{worker_id}:{secrets.token_hex(4)}"
            rows = claim_due_rows(session_factory, claim_id,
                                  min(settings.batch_size, limit - report.claimed),
                                  settings.claim_timeout_seconds, due_at=started)
            if not rows:
                break
            report.claimed += len(rows)
            _run_batch(session_factory, claim_id, rows, pool, connectors, resolver, settings,
                       report, stop)
    report.requests = sum(c.requests_made for c in connectors.values()
                          if isinstance(c, SharedConnector))
    if report.claimed:
        log.info(json.dumps({"event": "grades.sync.pass", "worker": worker_id,
                             **report.__dict__}))
    return report


def _assessment_titles() -> dict[str, str]:
    from programme.loader import cached_programme

    return {a.id: a.title for a in cached_programme().assessments}


def _run_batch(session_factory: sessionmaker, claim_id: str, rows: list[GradeOutbox],
               pool: ThreadPoolExecutor, connectors: dict, resolver: LineItemResolver,
               settings: SyncSettings, report: SyncReport, stop: threading.Event | None) -> None:
    with session_factory() as session:
        destinations = _destinations(session, rows)
        missing = {d.platform_id for d in destinations.values()} - set(connectors)
        connectors.update(connectors_for(session, missing, resolver._store, settings))
    outcomes: list[Outcome] = []
    futures: list[tuple[GradeOutbox, Future]] = []
    unsent: list[int] = []
    for row in rows:
        if stop and stop.is_set():
            unsent.append(row.id)
            continue
        dest = destinations.get((row.user_id, row.assessment_id))
        if dest is None:
            outcomes.append(Outcome(row.id, FAILED, error="no_course: the person belongs to "
                                    "no course of their platform in a cohort"))
            continue
        connector = connectors.get(dest.platform_id)
        if isinstance(connector, PlatformServiceError) or connector is None:
            outcomes.append(Outcome(row.id, PENDING, error=str(connector)))
            continue
        futures.append((row, pool.submit(_deliver, connector, resolver, dest, row)))
    for row, future in futures:
        while not future.done():
            if stop and stop.is_set():
                # Posts not started yet are given back; those in flight finish.
                future.cancel()
            try:
                future.result(timeout=0.1)
            except (FutureTimeout, CancelledError):
                pass
        if future.cancelled():
            unsent.append(row.id)
        else:
            outcomes.append(future.result())
    record_outcomes(session_factory, claim_id, outcomes, settings, report)
    report.released += release_rows(session_factory, claim_id, unsent)


def _deliver(connector: SharedConnector, resolver: LineItemResolver, dest: Destination,
             row: GradeOutbox) -> Outcome:
    """Resolve the line item and post the score; never raises."""
    try:
        lineitem_url = resolver.resolve(connector, dest, row.assessment_id)
        try:
            return post_score(connector, lineitem_url, row, dest.sub)
        except _Retry as retry:
            if retry.status != 404:
                raise
            # The line item was deleted on the platform: find or create it again.
            resolver.forget(dest.course_id, row.assessment_id)
            if lineitem_url != dest.link_lineitem_url:
                raise
            dest = replace(dest, link_lineitem_url=None)
            return post_score(connector, resolver.resolve(connector, dest, row.assessment_id),
                              row, dest.sub)
    except _Retry as retry:
        return Outcome(row.id, PENDING, error=str(retry))
    except _Refused as refused:
        return Outcome(row.id, refused.status, error=refused.reason)
    except Exception as exc:  # noqa: BLE001 - one bad row must not stop the pass
        log.exception("grade %s could not be sent", row.id)
        return Outcome(row.id, PENDING, error=f"unexpected error: {exc}")


def run_loop(session_factory: sessionmaker, worker_id: str, poll_seconds: float,
             stop: threading.Event, *, store: Store | None = None,
             settings: SyncSettings | None = None,
             on_pass: Callable[[SyncReport], None] | None = None) -> None:
    """Run passes until ``stop`` is set, waiting ``poll_seconds`` when nothing was due."""
    while not stop.is_set():
        started = time.monotonic()
        try:
            report = sync_pending_scores(session_factory, worker_id, store=store,
                                         settings=settings, stop=stop)
        except Exception:  # noqa: BLE001 - the loop outlives a database or platform hiccup
            log.exception("grade sync pass failed")
            report = SyncReport()
        if on_pass is not None:
            on_pass(report)
        if not report.claimed:
            stop.wait(max(poll_seconds - (time.monotonic() - started), 0.0))
