"""Blind scoring by each juror, the jury's deliberation, the chair's agreement and publication.

Blind phase: a juror sees only their own scores until they have submitted them; the
deliberation (everyone's scores and comments, criterion by criterion) opens to a juror once they
have submitted, and the chair records the agreed levels once every juror has submitted.
Divergence is measured in LEVELS, so that it means the same on every rubric: by default a
criterion diverges when the highest and lowest levels chosen are more than 1 level apart (two
levels or more; 2 points on the reflective report's 0-2-4-6 scales, 2 points on the 1-4 scales).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.accounts.models import User
from lti_tool.db import utcnow
from lti_tool.evaluation.audit import record_event
from lti_tool.evaluation.errors import EvaluationError
from lti_tool.evaluation.models import (VISIBILITIES, VISIBILITY_JURY, AgreedScore, Assignment,
                                        JuryMember, JurorScore, JurorSubmission, PublishedResult)
from lti_tool.evaluation.organisation import candidate_name, persons_concerned
from lti_tool.grades.services import enqueue_grade
from rubrics import GradeResult, Rubric, RubricError, load_rubric, score_rubric
from rubrics.agreement import divergent_criteria

DEFAULT_DIVERGENCE_LEVELS = 1
COMMENT_MAX_LENGTH = 5000
JUSTIFICATION_MAX_LENGTH = 5000


@dataclass(frozen=True)
class ScoreEntry:
    """What a juror wrote for one criterion: the level's points (None: not chosen yet), a
    comment and who may read it ("participant" or "jury")."""

    points: Decimal | None
    comment: str = ""
    visibility: str = VISIBILITY_JURY


@dataclass(frozen=True)
class JurorTask:
    """One candidate on a juror's list for an assessment."""

    assignment_id: int
    candidate: str
    jury_name: str
    is_chair: bool
    scored_criteria: int
    submitted: bool
    jury_submitted: int
    jury_size: int
    published: bool


@dataclass(frozen=True)
class JurorView:
    """One juror's score of one criterion, as the deliberation shows it."""

    juror_id: int
    juror: str
    points: Decimal
    level_title: str
    level_index: int
    comment: str
    visibility: str


@dataclass(frozen=True)
class CriterionDeliberation:
    criterion_id: str
    title: str
    levels: tuple[tuple[Decimal, str], ...]
    scores: tuple[JurorView, ...]
    divergent: bool
    spread_levels: int
    agreed_points: Decimal | None
    agreed_level_title: str | None
    justification: str


@dataclass(frozen=True)
class Deliberation:
    """Everything the jury sees after the blind phase, for one candidate."""

    assignment: Assignment
    candidate: str
    rubric: Rubric
    is_chair: bool
    jurors: tuple[tuple[int, str, bool], ...]
    submitted_ids: frozenset[int]
    all_submitted: bool
    criteria: tuple[CriterionDeliberation, ...]
    threshold_levels: int
    grade: GradeResult | None
    persons: tuple[tuple[int, str], ...]
    published: dict[int, PublishedResult] = field(default_factory=dict)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def parse_points(text: Any) -> Decimal | None:
    """A form's points field as a Decimal (comma or point), None when empty; ``bad_number``."""
    if text is None or str(text).strip() == "":
        return None
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation:
        raise EvaluationError("bad_number", f"{text!r} is not a number") from None
    if not value.is_finite():
        raise EvaluationError("bad_number", f"{text!r} is not a number")
    return value


def jury_members(session: Session, assignment: Assignment) -> list[JuryMember]:
    return list(session.scalars(select(JuryMember).where(
        JuryMember.jury_id == assignment.jury_id).order_by(JuryMember.id)))


def membership(session: Session, assignment: Assignment, user_id: int) -> JuryMember | None:
    """The user's seat on the assignment's jury, or None."""
    return session.scalar(select(JuryMember).where(JuryMember.jury_id == assignment.jury_id,
                                                   JuryMember.user_id == user_id))


def _require_juror(session: Session, assignment: Assignment, user_id: int) -> JuryMember:
    seat = membership(session, assignment, user_id)
    if seat is None:
        raise EvaluationError("not_a_juror", "only the assigned jurors score this candidate")
    return seat


def submitted_juror_ids(session: Session, assignment_id: int) -> set[int]:
    return set(session.scalars(select(JurorSubmission.juror_id).where(
        JurorSubmission.assignment_id == assignment_id)))


def blind_phase_over(session: Session, assignment: Assignment) -> bool:
    """True once every member of the jury has submitted their scores."""
    members = {m.user_id for m in jury_members(session, assignment)}
    return bool(members) and members <= submitted_juror_ids(session, assignment.id)


def own_scores(session: Session, assignment_id: int, juror_id: int) -> dict[str, JurorScore]:
    """The juror's own scores for a candidate, by criterion (never anyone else's)."""
    return {score.criterion_id: score for score in session.scalars(select(JurorScore).where(
        JurorScore.assignment_id == assignment_id, JurorScore.juror_id == juror_id))}


def juror_tasks(session: Session, cohort_id: int, juror_id: int,
                assessment_id: str) -> list[JurorTask]:
    """The candidates the juror has to score for the assessment, with their progress."""
    rows = session.execute(
        select(Assignment, JuryMember).join(JuryMember, JuryMember.jury_id == Assignment.jury_id)
        .where(Assignment.cohort_id == cohort_id, Assignment.assessment_id == assessment_id,
               JuryMember.user_id == juror_id).order_by(Assignment.id)).all()
    tasks = []
    for assignment, seat in rows:
        submitted = submitted_juror_ids(session, assignment.id)
        scored = sum(1 for s in own_scores(session, assignment.id, juror_id).values()
                     if s.points is not None)
        published = session.scalar(select(PublishedResult.id).where(
            PublishedResult.assignment_id == assignment.id).limit(1)) is not None
        tasks.append(JurorTask(
            assignment_id=assignment.id, candidate=candidate_name(session, assignment),
            jury_name=assignment.jury.name, is_chair=seat.is_chair, scored_criteria=scored,
            submitted=juror_id in submitted, jury_submitted=len(submitted),
            jury_size=len(jury_members(session, assignment)), published=published))
    return sorted(tasks, key=lambda t: t.candidate.casefold())


def _checked_entry(rubric: Rubric, criterion_id: str, entry: ScoreEntry) -> None:
    try:
        criterion = rubric.criterion(criterion_id)
    except KeyError:
        raise EvaluationError("unknown_criterion", f"no criterion {criterion_id!r}") from None
    if entry.points is not None and criterion.level_for(entry.points) is None:
        raise EvaluationError("not_a_level", f"{entry.points} is not a level of {criterion_id}",
                              criterion=criterion.title)
    if entry.visibility not in VISIBILITIES:
        raise EvaluationError("bad_visibility", f"unknown visibility {entry.visibility!r}")
    if len(entry.comment) > COMMENT_MAX_LENGTH:
        raise EvaluationError("comment_too_long", f"comment on {criterion_id} too long",
                              criterion=criterion.title, maximum=COMMENT_MAX_LENGTH)


def save_scores(session: Session, assignment: Assignment, juror_id: int,
                entries: Mapping[str, ScoreEntry], submit: bool = False) -> None:
    """Save a juror's levels and comments (any criteria, drafts allowed) and, with ``submit``,
    make them final: every criterion then needs a level.

    Refused: ``not_a_juror``, ``already_submitted``, ``unknown_criterion``, ``not_a_level``,
    ``bad_visibility``, ``comment_too_long``, ``incomplete`` (submitting without every level).
    """
    _require_juror(session, assignment, juror_id)
    if juror_id in submitted_juror_ids(session, assignment.id):
        raise EvaluationError("already_submitted", "the scores were already submitted")
    rubric = load_rubric(assignment.assessment_id)
    for criterion_id, entry in entries.items():
        _checked_entry(rubric, criterion_id, entry)
    existing = own_scores(session, assignment.id, juror_id)
    if submit:
        missing = [c.title for c in rubric.criteria
                   if (entries[c.id].points if c.id in entries else
                       (existing[c.id].points if c.id in existing else None)) is None]
        if missing:
            raise EvaluationError("incomplete", f"no level for: {', '.join(missing)}",
                                  criteria=", ".join(missing))
    for criterion_id, entry in entries.items():
        _write_score(session, assignment, juror_id, existing.get(criterion_id), criterion_id,
                     entry)
    if submit:
        session.add(JurorSubmission(assignment_id=assignment.id, juror_id=juror_id))
        record_event(session, assignment=assignment, actor_id=juror_id, action="submitted")
    session.commit()


def _score_summary(points: Decimal | None, comment: str, visibility: str) -> str:
    shown = _text(points) if points is not None else "—"
    return f"{shown} | {visibility} | {comment}" if comment else f"{shown} | {visibility}"


def _write_score(session: Session, assignment: Assignment, juror_id: int,
                 score: JurorScore | None, criterion_id: str, entry: ScoreEntry) -> None:
    comment = entry.comment.strip()
    if score is None:
        if entry.points is None and not comment:
            return
        session.add(JurorScore(assignment_id=assignment.id, juror_id=juror_id,
                               criterion_id=criterion_id, points=entry.points, comment=comment,
                               visibility=entry.visibility))
        record_event(session, assignment=assignment, actor_id=juror_id, action="scored",
                     criterion_id=criterion_id,
                     new_value=_score_summary(entry.points, comment, entry.visibility))
        return
    old = (score.points, score.comment, score.visibility)
    if old == (entry.points, comment, entry.visibility):
        return
    score.points, score.comment, score.visibility = entry.points, comment, entry.visibility
    score.updated_at = utcnow()
    record_event(session, assignment=assignment, actor_id=juror_id, action="changed",
                 criterion_id=criterion_id, old_value=_score_summary(*old),
                 new_value=_score_summary(entry.points, comment, entry.visibility))


def agreed_scores(session: Session, assignment_id: int) -> dict[str, AgreedScore]:
    return {a.criterion_id: a for a in session.scalars(select(AgreedScore).where(
        AgreedScore.assignment_id == assignment_id))}


def agreed_grade(rubric: Rubric, agreed: Mapping[str, AgreedScore]) -> GradeResult | None:
    """The grade of the agreed levels, once every criterion has one."""
    if any(c.id not in agreed for c in rubric.criteria):
        return None
    try:
        return score_rubric(rubric, {c.id: agreed[c.id].points for c in rubric.criteria})
    except RubricError:
        return None  # a level removed from the rubric since: the chair must agree again


def _level_index(rubric: Rubric, criterion_id: str, points: Decimal) -> int | None:
    for index, level in enumerate(rubric.criterion(criterion_id).levels):
        if level.points == points:
            return index
    return None


def deliberation(session: Session, assignment: Assignment, viewer_id: int,
                 threshold_levels: int = DEFAULT_DIVERGENCE_LEVELS) -> Deliberation:
    """The jury's view of a candidate: every submitted score and comment, criterion by
    criterion, the divergent criteria and the agreed levels.

    Refused: ``not_a_juror``; ``blind_phase`` while the viewer has not submitted.
    """
    seat = _require_juror(session, assignment, viewer_id)
    submitted = submitted_juror_ids(session, assignment.id)
    if viewer_id not in submitted:
        raise EvaluationError("blind_phase", "submit your own scores first")
    rubric = load_rubric(assignment.assessment_id)
    members = jury_members(session, assignment)
    names = {u.id: u.display_name for u in session.scalars(
        select(User).where(User.id.in_([m.user_id for m in members])))}
    scores = session.scalars(select(JurorScore).where(
        JurorScore.assignment_id == assignment.id,
        JurorScore.juror_id.in_(submitted))).all()
    by_criterion: dict[str, list[JurorView]] = {c.id: [] for c in rubric.criteria}
    level_indexes: dict[int, dict[str, int]] = {}
    for score in scores:
        index = (_level_index(rubric, score.criterion_id, score.points)
                 if score.criterion_id in by_criterion and score.points is not None else None)
        if index is None:
            continue
        level = rubric.criterion(score.criterion_id).levels[index]
        by_criterion[score.criterion_id].append(JurorView(
            score.juror_id, names.get(score.juror_id, ""), score.points, level.title, index,
            score.comment, score.visibility))
        level_indexes.setdefault(score.juror_id, {})[score.criterion_id] = index
    divergent = set(divergent_criteria(level_indexes, threshold_levels))
    agreed = agreed_scores(session, assignment.id)
    criteria = []
    for criterion in rubric.criteria:
        views = sorted(by_criterion[criterion.id], key=lambda v: v.juror.casefold())
        indexes = [v.level_index for v in views]
        chosen = agreed.get(criterion.id)
        level = criterion.level_for(chosen.points) if chosen else None
        criteria.append(CriterionDeliberation(
            criterion_id=criterion.id, title=criterion.title,
            levels=tuple((lv.points, lv.title) for lv in criterion.levels),
            scores=tuple(views), divergent=criterion.id in divergent,
            spread_levels=max(indexes) - min(indexes) if indexes else 0,
            agreed_points=chosen.points if chosen else None,
            agreed_level_title=level.title if level else None,
            justification=chosen.justification if chosen else ""))
    persons = persons_concerned(session, assignment)
    person_names = {u.id: u.display_name for u in session.scalars(
        select(User).where(User.id.in_(persons)))}
    published = {r.user_id: r for r in session.scalars(select(PublishedResult).where(
        PublishedResult.assignment_id == assignment.id))}
    return Deliberation(
        assignment=assignment, candidate=candidate_name(session, assignment), rubric=rubric,
        is_chair=seat.is_chair,
        jurors=tuple((m.user_id, names.get(m.user_id, ""), m.is_chair) for m in members),
        submitted_ids=frozenset(submitted),
        all_submitted={m.user_id for m in members} <= submitted,
        criteria=tuple(criteria), threshold_levels=threshold_levels,
        grade=agreed_grade(rubric, agreed),
        persons=tuple((p, person_names.get(p, "")) for p in persons), published=published)


def _require_chair_after_blind_phase(session: Session, assignment: Assignment,
                                     user_id: int) -> None:
    seat = _require_juror(session, assignment, user_id)
    if not seat.is_chair:
        raise EvaluationError("not_the_chair", "only the chair records the jury's decisions")
    if not blind_phase_over(session, assignment):
        raise EvaluationError("jurors_pending", "every juror must submit first")


def record_agreement(session: Session, assignment: Assignment, chair_id: int,
                     entries: Mapping[str, tuple[Decimal | None, str]]) -> int:
    """The chair records the agreed level and its justification for criteria
    (criterion id -> (points, justification)); criteria left without points are skipped.
    Returns how many agreed scores changed.

    Refused: ``not_a_juror``, ``not_the_chair``, ``jurors_pending``, ``unknown_criterion``,
    ``not_a_level``, ``justification_missing``, ``justification_too_long``.
    """
    _require_chair_after_blind_phase(session, assignment, chair_id)
    rubric = load_rubric(assignment.assessment_id)
    checked: dict[str, tuple[Decimal, str]] = {}
    for criterion_id, (points, justification) in entries.items():
        _checked_entry(rubric, criterion_id, ScoreEntry(points))
        if points is None:
            continue
        justification = (justification or "").strip()
        title = rubric.criterion(criterion_id).title
        if not justification:
            raise EvaluationError("justification_missing",
                                  f"no justification for {criterion_id}", criterion=title)
        if len(justification) > JUSTIFICATION_MAX_LENGTH:
            raise EvaluationError("justification_too_long", f"justification of {criterion_id}",
                                  criterion=title, maximum=JUSTIFICATION_MAX_LENGTH)
        checked[criterion_id] = (points, justification)
    existing = agreed_scores(session, assignment.id)
    changed = 0
    for criterion_id, (points, justification) in checked.items():
        agreed = existing.get(criterion_id)
        if agreed is not None and (agreed.points, agreed.justification) == (points,
                                                                             justification):
            continue
        old = f"{_text(agreed.points)} | {agreed.justification}" if agreed else None
        if agreed is None:
            session.add(AgreedScore(assignment_id=assignment.id, criterion_id=criterion_id,
                                    points=points, justification=justification,
                                    agreed_by_id=chair_id))
        else:
            agreed.points, agreed.justification = points, justification
            agreed.agreed_by_id, agreed.agreed_at = chair_id, utcnow()
        record_event(session, assignment=assignment, actor_id=chair_id, action="agreed",
                     criterion_id=criterion_id, old_value=old,
                     new_value=f"{_text(points)} | {justification}")
        changed += 1
    session.commit()
    return changed


@dataclass(frozen=True)
class Adjustment:
    """An individual adjustment of a group member's grade: points (+/-) and why."""

    points: Decimal = Decimal(0)
    justification: str = ""


def clamp_grade(grade: Decimal, grade_max: Decimal) -> Decimal:
    return min(max(grade, Decimal(0)), grade_max)


def _adjusted_explanation(result: GradeResult, adjustment: Adjustment, final: Decimal) -> str:
    if not adjustment.points:
        return result.explanation
    sign = "+" if adjustment.points > 0 else "−"
    amount = format(abs(adjustment.points).normalize(), "f").replace(".", ",")
    gmax = format(result.grade_max.normalize(), "f")
    rubric_grade = format(result.grade.normalize(), "f").replace(".", ",")
    final_text = format(final.normalize(), "f").replace(".", ",")
    return (f"{result.explanation}\nAjustement individuel : {sign} {amount} point(s) "
            f"({adjustment.justification}).\nNote après ajustement : {rubric_grade} {sign} "
            f"{amount} = {final_text}/{gmax} (bornée entre 0 et {gmax}).")


def grade_comment(rubric: Rubric, agreed: Mapping[str, AgreedScore], grade: Decimal) -> str:
    """The short rubric summary sent with the grade to the platform's gradebook."""
    parts = []
    for criterion in rubric.criteria:
        points = format(agreed[criterion.id].points.normalize(), "f").replace(".", ",")
        maximum = format(criterion.max_points.normalize(), "f").replace(".", ",")
        parts.append(f"{criterion.title} {points}/{maximum}")
    grade_text = format(grade.normalize(), "f").replace(".", ",")
    gmax = format(rubric.grade_max.normalize(), "f")
    return f"{rubric.title} : {grade_text}/{gmax}. " + " ; ".join(parts) + "."


def publish_result(session: Session, assignment: Assignment, chair_id: int,
                   adjustments: Mapping[int, Adjustment] | None = None,
                   enqueue: Callable[..., Any] | None = None) -> list[PublishedResult]:
    """Publish the agreed grade to every person concerned, and queue it for their platform's
    gradebook, in ONE transaction (``enqueue`` defaults to ``lti_tool.grades.services.
    enqueue_grade``). Group members may get an individual adjustment (+/- points with a
    mandatory justification); the grade stays within 0..grade_max. Publishing again replaces
    the published grade (the newest one wins on the platform too).

    Refused: ``not_a_juror``, ``not_the_chair``, ``jurors_pending``, ``not_agreed`` (a criterion
    has no agreed level), ``adjustment_for_stranger``, ``adjustment_individual`` (adjustments
    are for group members), ``justification_missing``, ``adjustment_too_large``.
    """
    _require_chair_after_blind_phase(session, assignment, chair_id)
    rubric = load_rubric(assignment.assessment_id)
    agreed = agreed_scores(session, assignment.id)
    result = agreed_grade(rubric, agreed)
    if result is None:
        raise EvaluationError("not_agreed", "every criterion needs an agreed level")
    persons = persons_concerned(session, assignment)
    checked = _checked_adjustments(assignment, persons, adjustments or {}, rubric.grade_max)
    enqueue = enqueue or enqueue_grade
    try:
        published = _publish_and_queue(session, assignment, chair_id, rubric, agreed, result,
                                       persons, checked, enqueue)
    except Exception:
        session.rollback()  # nothing half-published: no result without its queued grade
        raise
    session.commit()
    return published


def _publish_and_queue(session: Session, assignment: Assignment, chair_id: int, rubric: Rubric,
                       agreed: Mapping[str, AgreedScore], result: GradeResult,
                       persons: list[int], checked: Mapping[int, Adjustment],
                       enqueue: Callable[..., Any]) -> list[PublishedResult]:
    existing = {r.user_id: r for r in session.scalars(select(PublishedResult).where(
        PublishedResult.assignment_id == assignment.id))}
    published = []
    for user_id in persons:
        adjustment = checked.get(user_id, Adjustment())
        final = clamp_grade(result.grade + adjustment.points, rubric.grade_max)
        row = existing.get(user_id) or PublishedResult(
            assignment_id=assignment.id, cohort_id=assignment.cohort_id,
            assessment_id=assignment.assessment_id, user_id=user_id)
        old = _text(row.grade) if row.id else None
        row.rubric_grade, row.adjustment = result.grade, adjustment.points
        row.adjustment_justification = adjustment.justification
        row.grade, row.explanation = final, _adjusted_explanation(result, adjustment, final)
        row.published_by_id, row.published_at = chair_id, utcnow()
        session.add(row)
        if adjustment.points:
            record_event(session, assignment=assignment, actor_id=chair_id, action="adjusted",
                         subject_user_id=user_id, old_value=_text(result.grade),
                         new_value=f"{_text(final)} | {adjustment.justification}")
        record_event(session, assignment=assignment, actor_id=chair_id, action="published",
                     subject_user_id=user_id, old_value=old, new_value=_text(final))
        enqueue(session, user_id=user_id, assessment_id=assignment.assessment_id, grade=final,
                grade_max=rubric.grade_max, comment=grade_comment(rubric, agreed, final),
                published_by_id=chair_id)
        published.append(row)
    return published


def _checked_adjustments(assignment: Assignment, persons: list[int],
                         adjustments: Mapping[int, Adjustment],
                         grade_max: Decimal) -> dict[int, Adjustment]:
    checked = {}
    for user_id, adjustment in adjustments.items():
        if not adjustment.points:
            continue
        if user_id not in persons:
            raise EvaluationError("adjustment_for_stranger", f"user {user_id} is not concerned")
        if assignment.candidate_group_id is None:
            raise EvaluationError("adjustment_individual",
                                  "only group members get individual adjustments")
        if abs(adjustment.points) > grade_max:
            raise EvaluationError("adjustment_too_large", f"{adjustment.points} points",
                                  maximum=grade_max)
        justification = adjustment.justification.strip()
        if not justification:
            raise EvaluationError("justification_missing", f"adjustment of user {user_id}",
                                  criterion="")
        checked[user_id] = Adjustment(adjustment.points, justification)
    return checked
