"""The append-only audit log of the evaluation: every score, change, submission, agreement,
adjustment and publication, with the old and new values."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.accounts.models import User
from lti_tool.evaluation.models import (Assignment, EvaluationEvent, Group, JuryMember,
                                        JurorSubmission)

SCORE_ACTIONS = ("scored", "changed")


def record_event(session: Session, *, assignment: Assignment, actor_id: int | None,
                 action: str, criterion_id: str | None = None, old_value: str | None = None,
                 new_value: str | None = None, subject_user_id: int | None = None) -> None:
    """Add one line to the log in the caller's transaction."""
    session.add(EvaluationEvent(
        cohort_id=assignment.cohort_id, actor_id=actor_id, action=action,
        assessment_id=assignment.assessment_id, assignment_id=assignment.id,
        candidate_user_id=assignment.candidate_user_id,
        candidate_group_id=assignment.candidate_group_id, subject_user_id=subject_user_id,
        criterion_id=criterion_id, old_value=old_value, new_value=new_value))


@dataclass(frozen=True)
class EventView:
    """A line of the log as a teacher reads it; ``values_hidden`` while the jury's blind phase
    lasts (a juror's points and comments are then nobody else's business)."""

    created_at: datetime
    actor: str
    action: str
    assessment_id: str
    candidate: str
    criterion_id: str | None
    old_value: str | None
    new_value: str | None
    values_hidden: bool


def blind_assignments(session: Session, assignment_ids: set[int]) -> set[int]:
    """The assignments among ``assignment_ids`` whose jurors have not all submitted."""
    if not assignment_ids:
        return set()
    members: dict[int, int] = {}
    for assignment_id, count in session.execute(
            select(Assignment.id, JuryMember.id)
            .join(JuryMember, JuryMember.jury_id == Assignment.jury_id)
            .where(Assignment.id.in_(assignment_ids))).all():
        members[assignment_id] = members.get(assignment_id, 0) + 1
    submitted: dict[int, int] = {}
    for (assignment_id,) in session.execute(
            select(JurorSubmission.assignment_id)
            .where(JurorSubmission.assignment_id.in_(assignment_ids))).all():
        submitted[assignment_id] = submitted.get(assignment_id, 0) + 1
    return {a for a in assignment_ids if submitted.get(a, 0) < members.get(a, 0)}


def cohort_events(session: Session, cohort_id: int, limit: int = 1000) -> list[EventView]:
    """The newest ``limit`` lines of the cohort's log, newest first."""
    events = session.scalars(
        select(EvaluationEvent).where(EvaluationEvent.cohort_id == cohort_id)
        .order_by(EvaluationEvent.created_at.desc(), EvaluationEvent.id.desc()).limit(limit)
    ).all()
    user_ids = {e.actor_id for e in events} | {e.candidate_user_id for e in events} | {
        e.subject_user_id for e in events}
    names = {user.id: user.display_name for user in session.scalars(
        select(User).where(User.id.in_({i for i in user_ids if i is not None})))}
    group_ids = {e.candidate_group_id for e in events if e.candidate_group_id is not None}
    groups = {group.id: group.name for group in session.scalars(
        select(Group).where(Group.id.in_(group_ids)))}
    hidden = blind_assignments(session, {e.assignment_id for e in events
                                         if e.assignment_id is not None
                                         and e.action in SCORE_ACTIONS})
    views = []
    for e in events:
        candidate = (groups.get(e.candidate_group_id, "") if e.candidate_group_id
                     else names.get(e.candidate_user_id, ""))
        if e.subject_user_id and e.candidate_group_id:
            candidate = f"{candidate} — {names.get(e.subject_user_id, '')}"
        conceal = e.action in SCORE_ACTIONS and e.assignment_id in hidden
        views.append(EventView(
            created_at=e.created_at, actor=names.get(e.actor_id, ""), action=e.action,
            assessment_id=e.assessment_id, candidate=candidate, criterion_id=e.criterion_id,
            old_value=None if conceal else e.old_value,
            new_value=None if conceal else e.new_value, values_hidden=conceal))
    return views
