"""The reflective report: drafting it from the portfolio, submitting a frozen snapshot before
the cohort's deadline, reopening by a teacher, and the cohort's deadline itself.

Every function takes the cohort the caller is entitled to (the cohort of the launch's course):
nothing here crosses cohorts. Each version of a participant's report is one row; the newest is
the one being worked on.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.accounts.models import User
from lti_tool.cohorts.models import Cohort
from lti_tool.db import utcnow
from lti_tool.portfolio.models import Entry, OutcomeRating
from lti_tool.portfolio.services import sanitize_html
from lti_tool.reports.models import (DRAFT, REOPENED, SUBMITTED, ReportDeadline,
                                     ReportSubmission)
from programme import Programme

REPORT_ASSESSMENT_ID = "reflective-report"
SNAPSHOT_FORMAT = 1
SYNTHESIS_MAX_CHARACTERS = 200_000
PUBLISHED = "published"


class ReportError(ValueError):
    """A report operation refused; ``code`` names the reason for the page that shows it."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class RatingPair:
    """A learning outcome's current self-rating beside the first one."""

    outcome_id: str
    current_level: int
    current_justification: str
    current_at: datetime
    first_level: int
    first_at: datetime
    changes: int


def sanitize_synthesis(html: str) -> str:
    """The synthesis as stored: the portfolio's own rich-text rules (plain text becomes
    paragraphs)."""
    return sanitize_html(html or "")


# --- reading -------------------------------------------------------------------------------

def report_versions(session: Session, cohort_id: int, user_id: int) -> list[ReportSubmission]:
    """Every version of a participant's report in a cohort, oldest first."""
    return list(session.scalars(
        select(ReportSubmission)
        .where(ReportSubmission.cohort_id == cohort_id, ReportSubmission.user_id == user_id)
        .order_by(ReportSubmission.version)))


def latest_version(session: Session, cohort_id: int, user_id: int) -> ReportSubmission | None:
    return session.scalar(
        select(ReportSubmission)
        .where(ReportSubmission.cohort_id == cohort_id, ReportSubmission.user_id == user_id)
        .order_by(ReportSubmission.version.desc()).limit(1))


def submitted_versions(session: Session, cohort_id: int) -> list[tuple[ReportSubmission, User]]:
    """Every submitted (or reopened) version of the cohort, newest first — never drafts."""
    return list(session.execute(
        select(ReportSubmission, User).join(User, User.id == ReportSubmission.user_id)
        .where(ReportSubmission.cohort_id == cohort_id,
               ReportSubmission.status.in_((SUBMITTED, REOPENED)))
        .order_by(ReportSubmission.submitted_at.desc(), ReportSubmission.id.desc())).all())


def submitted_version(session: Session, cohort_id: int,
                      submission_id: int) -> ReportSubmission | None:
    """A submitted (or reopened) version of the cohort; None for drafts and other cohorts."""
    submission = session.get(ReportSubmission, submission_id)
    if submission is None or submission.cohort_id != cohort_id or submission.is_draft:
        return None
    return submission


def published_entries(session: Session, user_id: int) -> list[Entry]:
    """A participant's published entries, newest first (the ones a report may include)."""
    return list(session.scalars(
        select(Entry).where(Entry.author_id == user_id, Entry.status == PUBLISHED)
        .order_by(Entry.published_at.desc(), Entry.id.desc())))


def rating_pairs(session: Session, user_id: int) -> dict[str, RatingPair]:
    """For each outcome the participant rated: the current and the first self-rating."""
    rows = session.scalars(
        select(OutcomeRating).where(OutcomeRating.user_id == user_id)
        .order_by(OutcomeRating.outcome_id, OutcomeRating.created_at, OutcomeRating.id))
    history: dict[str, list[OutcomeRating]] = {}
    for row in rows:
        history.setdefault(row.outcome_id, []).append(row)
    return {
        outcome_id: RatingPair(outcome_id=outcome_id, current_level=ratings[-1].level,
                               current_justification=ratings[-1].justification or "",
                               current_at=ratings[-1].created_at, first_level=ratings[0].level,
                               first_at=ratings[0].created_at, changes=len(ratings) - 1)
        for outcome_id, ratings in history.items()
    }


def selected_entry_ids(submission: ReportSubmission | None) -> list[int]:
    if submission is None:
        return []
    return [int(i) for i in json.loads(submission.entry_ids_json or "[]")]


def snapshot_of(submission: ReportSubmission) -> dict[str, Any]:
    """The frozen content of a submitted version."""
    return json.loads(submission.snapshot_json or "{}")


# --- deadline ------------------------------------------------------------------------------

def report_deadline(session: Session, cohort_id: int) -> ReportDeadline | None:
    return session.scalar(select(ReportDeadline).where(
        ReportDeadline.cohort_id == cohort_id,
        ReportDeadline.assessment_id == REPORT_ASSESSMENT_ID))


def set_report_deadline(session: Session, cohort_id: int, due_at: datetime,
                        set_by_id: int) -> ReportDeadline:
    """Set or move the cohort's report deadline (an aware datetime)."""
    if due_at.tzinfo is None:
        raise ReportError("naive_deadline", "the deadline needs a time zone")
    deadline = report_deadline(session, cohort_id)
    if deadline is None:
        deadline = ReportDeadline(cohort_id=cohort_id, assessment_id=REPORT_ASSESSMENT_ID)
        session.add(deadline)
    deadline.due_at, deadline.set_by_id, deadline.set_at = due_at, set_by_id, utcnow()
    session.commit()
    return deadline


def submission_open(session: Session, cohort_id: int, user_id: int,
                    now: datetime | None = None) -> bool:
    """Whether the participant may submit now: before the deadline (or with none), or
    after a teacher reopened their submitted version."""
    deadline = report_deadline(session, cohort_id)
    if deadline is None or (now or utcnow()) <= deadline.due_at:
        return True
    latest = latest_version(session, cohort_id, user_id)
    if latest is None:
        return False
    if latest.status == REOPENED:
        return True
    return latest.status == DRAFT and _follows_a_reopened_version(session, latest)


def _follows_a_reopened_version(session: Session, draft: ReportSubmission) -> bool:
    previous = session.scalar(select(ReportSubmission.status).where(
        ReportSubmission.cohort_id == draft.cohort_id, ReportSubmission.user_id == draft.user_id,
        ReportSubmission.version == draft.version - 1))
    return previous == REOPENED


# --- writing -------------------------------------------------------------------------------

def _checked_entry_ids(session: Session, user_id: int, entry_ids: Sequence[int]) -> list[int]:
    """The chosen entries, in order, once each: the participant's own published ones only."""
    ordered = list(dict.fromkeys(int(i) for i in entry_ids))
    if not ordered:
        return []
    allowed = set(session.scalars(select(Entry.id).where(
        Entry.id.in_(ordered), Entry.author_id == user_id, Entry.status == PUBLISHED)))
    refused = [i for i in ordered if i not in allowed]
    if refused:
        raise ReportError("entry_not_available",
                          f"entries {refused} are not published entries of this participant")
    return ordered


def working_draft(session: Session, cohort_id: int, user_id: int) -> ReportSubmission:
    """The draft the participant edits: the newest version if it is a draft, a new version
    copied from a reopened one, or version 1. Refused while a version awaits the jury."""
    latest = latest_version(session, cohort_id, user_id)
    if latest is not None and latest.status == DRAFT:
        return latest
    if latest is not None and latest.status == SUBMITTED:
        raise ReportError("already_submitted", "the report is submitted; a teacher may reopen it")
    draft = ReportSubmission(user_id=user_id, cohort_id=cohort_id, status=DRAFT,
                             version=(latest.version + 1) if latest else 1,
                             synthesis_html=latest.synthesis_html if latest else "",
                             entry_ids_json=latest.entry_ids_json if latest else "[]")
    session.add(draft)
    session.flush()
    return draft


def save_draft(session: Session, cohort_id: int, user_id: int, synthesis_html: str,
               entry_ids: Sequence[int]) -> ReportSubmission:
    """Save the synthesis (sanitised) and the chosen entries of the participant's draft."""
    if len(synthesis_html or "") > SYNTHESIS_MAX_CHARACTERS:
        raise ReportError("synthesis_too_long", "the synthesis is too long")
    ordered = _checked_entry_ids(session, user_id, entry_ids)
    clean = sanitize_synthesis(synthesis_html)
    draft = working_draft(session, cohort_id, user_id)
    draft.synthesis_html, draft.entry_ids_json = clean, json.dumps(ordered)
    session.commit()
    return draft


def submit_report(session: Session, cohort_id: int, user_id: int, programme: Programme,
                  now: datetime | None = None) -> ReportSubmission:
    """Submit the participant's draft: freeze everything it includes into its snapshot."""
    now = now or utcnow()
    latest = latest_version(session, cohort_id, user_id)
    if latest is None or latest.status != DRAFT:
        code = "already_submitted" if latest is not None and latest.status == SUBMITTED \
            else "nothing_to_submit"
        raise ReportError(code, "there is no draft to submit")
    if not submission_open(session, cohort_id, user_id, now):
        raise ReportError("deadline_passed", "the deadline has passed")
    if not (latest.synthesis_html or "").strip():
        raise ReportError("synthesis_missing", "the report needs a synthesis")
    # Entries unpublished since they were chosen are refused rather than silently dropped.
    entry_ids = _checked_entry_ids(session, user_id, selected_entry_ids(latest))
    snapshot = build_snapshot(session, cohort_id, user_id, latest.synthesis_html, entry_ids,
                              programme, now)
    snapshot["version"] = latest.version
    latest.snapshot_json = json.dumps(snapshot, ensure_ascii=False)
    latest.status, latest.submitted_at = SUBMITTED, now
    session.commit()
    return latest


def reopen_report(session: Session, cohort_id: int, submission_id: int,
                  teacher_id: int) -> ReportSubmission:
    """Let the participant submit again; the submitted version stays as it was."""
    submission = session.get(ReportSubmission, submission_id)
    if submission is None or submission.cohort_id != cohort_id:
        raise ReportError("no_submission", "no such report in this cohort")
    newest = latest_version(session, cohort_id, submission.user_id)
    if submission.status != SUBMITTED or newest is None or newest.id != submission.id:
        raise ReportError("not_reopenable", "only the newest submitted version can be reopened")
    submission.status, submission.reopened_at = REOPENED, utcnow()
    submission.reopened_by_id = teacher_id
    session.commit()
    return submission


# --- the snapshot --------------------------------------------------------------------------

def build_snapshot(session: Session, cohort_id: int, user_id: int, synthesis_html: str,
                   entry_ids: Sequence[int], programme: Programme,
                   now: datetime | None = None) -> dict[str, Any]:
    """Everything a version shows, as plain JSON data: later edits of entries or ratings do not
    reach it. Also used to preview a draft."""
    user = session.get(User, user_id)
    cohort = session.get(Cohort, cohort_id)
    entries_by_id = {e.id: e for e in session.scalars(
        select(Entry).where(Entry.id.in_(list(entry_ids)), Entry.author_id == user_id,
                            Entry.status == PUBLISHED))} if entry_ids else {}
    return {
        "format": SNAPSHOT_FORMAT,
        "assessment_id": REPORT_ASSESSMENT_ID,
        "participant": {"id": user_id, "name": user.display_name if user else str(user_id)},
        "cohort": {"id": cohort_id, "name": cohort.name if cohort else ""},
        "taken_at": (now or utcnow()).isoformat(),
        "synthesis_html": synthesis_html,
        "entries": [_entry_data(entries_by_id[i], programme) for i in entry_ids
                    if i in entries_by_id],
        "objectives": _ratings_data(rating_pairs(session, user_id), programme),
    }


def _anchor_title(anchor_id: str | None, programme: Programme) -> str:
    if not anchor_id:
        return ""
    try:
        return programme.get(anchor_id).title
    except (KeyError, AttributeError):
        return anchor_id


def _entry_data(entry: Entry, programme: Programme) -> dict[str, Any]:
    return {"id": entry.id, "title": entry.title, "kind": entry.kind,
            "anchor_id": entry.anchor_id, "anchor_title": _anchor_title(entry.anchor_id, programme),
            "body_html": entry.body_html,
            "published_at": entry.published_at.isoformat() if entry.published_at else None}


def _ratings_data(pairs: dict[str, RatingPair], programme: Programme) -> list[dict[str, Any]]:
    """The rated outcomes grouped by objective (then the case study), in programme order."""
    groups = [(o.id, f"{o.id} · {o.title}", o.outcomes) for o in programme.objectives()]
    case = programme.case_study
    groups.append((case.id, case.title, case.outcomes))
    result = []
    for group_id, title, outcomes in groups:
        rated = [_outcome_data(outcome, pairs[outcome.id]) for outcome in outcomes
                 if outcome.id in pairs]
        if rated:
            result.append({"id": group_id, "title": title, "outcome_count": len(outcomes),
                           "outcomes": rated})
    return result


def _outcome_data(outcome, pair: RatingPair) -> dict[str, Any]:
    return {"id": outcome.id, "text": outcome.text,
            "current_level": pair.current_level,
            "current_justification": pair.current_justification,
            "current_at": pair.current_at.isoformat(),
            "first_level": pair.first_level, "first_at": pair.first_at.isoformat(),
            "changes": pair.changes}
