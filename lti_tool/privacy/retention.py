"""Retention (``config/retention.yaml``): whose personal data has been kept long enough.

An edition ends with the last grade its cohort published. A participant's data expires
``personal_data_months`` after the end of the last edition they took part in; it is then erased
as ``lti-tool person erase`` does (the certificate's record is always kept).
"""
from __future__ import annotations

import calendar
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import yaml
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from lti_tool.accounts.models import Membership, User
from lti_tool.accounts.roles import PARTICIPANT
from lti_tool.cohorts.models import CohortCourse
from lti_tool.evaluation.models import PublishedResult
from lti_tool.privacy.records import ERASED_SUB_PREFIX

RETENTION_FILE = Path(__file__).resolve().parents[2] / "config" / "retention.yaml"
KEYS = ("personal_data_months", "certificate_record")


class RetentionError(ValueError):
    """The retention file is missing or wrong; the message names the file and the key."""


@dataclass(frozen=True)
class Retention:
    personal_data_months: int


@dataclass(frozen=True)
class ExpiredPerson:
    user_id: int
    issuer: str
    sub: str
    edition_ended_at: datetime


def load_retention(path: str | os.PathLike | None = None) -> Retention:
    """Read and check the retention settings (default ``config/retention.yaml``)."""
    file = Path(path) if path is not None else RETENTION_FILE
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RetentionError(f"{file}: cannot be read ({exc.strerror or exc})")
    except yaml.YAMLError as exc:
        raise RetentionError(f"{file}: not valid YAML ({exc})")
    if not isinstance(data, dict):
        raise RetentionError(f"{file}: expected a mapping with keys {', '.join(KEYS)}")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise RetentionError(f"{file}: unknown key(s) {', '.join(map(str, unknown))}")
    months = data.get("personal_data_months")
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise RetentionError(f"{file}: personal_data_months: expected a whole number of months "
                             f"(1 or more), got {months!r}")
    if data.get("certificate_record") != "keep":
        raise RetentionError(f"{file}: certificate_record: must be 'keep' (the certificate's "
                             f"rules require it), got {data.get('certificate_record')!r}")
    return Retention(months)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day ``months`` earlier (the month's last day when it is shorter)."""
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def expired_people(session: Session, retention: Retention, now: datetime) -> list[ExpiredPerson]:
    """Participants not yet erased whose every cohort ended before the retention limit."""
    cohort_end = (select(PublishedResult.cohort_id, func.max(PublishedResult.published_at)
                         .label("ended_at")).group_by(PublishedResult.cohort_id).subquery())
    rows = session.execute(
        select(User.id, User.issuer, User.sub, func.count(CohortCourse.cohort_id.distinct()),
               func.count(case((cohort_end.c.ended_at.is_not(None), CohortCourse.cohort_id))
                          .distinct()),
               func.max(cohort_end.c.ended_at))
        .join(Membership, Membership.user_id == User.id)
        .join(CohortCourse, CohortCourse.course_id == Membership.course_id)
        .outerjoin(cohort_end, cohort_end.c.cohort_id == CohortCourse.cohort_id)
        .where(Membership.role == PARTICIPANT, User.sub.not_like(ERASED_SUB_PREFIX + "%"))
        .group_by(User.id, User.issuer, User.sub)
        .order_by(User.id)).all()
    limit = months_before(now, retention.personal_data_months)
    found = []
    for user_id, issuer, sub, cohorts, ended, last_end in rows:
        # Expired only when every cohort of the person has ended, the last one long enough ago.
        if last_end is not None and ended >= cohorts and _aware(last_end) <= limit:
            found.append(ExpiredPerson(user_id, issuer, sub, _aware(last_end)))
    return found


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
