"""What is read once results are published: a participant's result with the jury's comments
meant for them and their own self-assessment beside the jury's view, the certificate's result,
and the agreement statistics of the cohort's jurors."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.accounts.models import User
from lti_tool.evaluation.audit import blind_assignments
from lti_tool.evaluation.models import (VISIBILITY_PARTICIPANT, AgreedScore, Assignment,
                                        JurorScore, PublishedResult)
from lti_tool.evaluation.organisation import cohort_participants
from programme import Objective, Outcome, Pillar, Programme, cached_programme
from rubrics import Rubric, describe_formula, load_rubric
from rubrics.agreement import JurorDeviation, juror_deviations, krippendorff_alpha
from rubrics.certificate import CertificateResult, certificate_result, load_certificate_rules

RATING_MAX = 4


@dataclass(frozen=True)
class OutcomeSelfRating:
    outcome_id: str
    text: str
    level: int | None


@dataclass(frozen=True)
class ObjectiveSelfAssessment:
    """The participant's current self-ratings of the outcomes of one objective."""

    objective_id: str
    title: str
    outcomes: tuple[OutcomeSelfRating, ...]

    @property
    def mean(self) -> float | None:
        levels = [o.level for o in self.outcomes if o.level is not None]
        return sum(levels) / len(levels) if levels else None


@dataclass(frozen=True)
class CriterionResult:
    criterion_id: str
    title: str
    level_title: str
    points: Decimal
    max_points: Decimal
    comments: tuple[str, ...]
    assesses: tuple[str, ...]
    self_assessment: tuple[ObjectiveSelfAssessment, ...]


@dataclass(frozen=True)
class ParticipantResult:
    """A published result as its participant sees it (never the jury-only comments)."""

    assessment_id: str
    rubric: Rubric
    published: PublishedResult
    criteria: tuple[CriterionResult, ...]
    formula: str


def current_self_ratings(session: Session, user_id: int) -> dict[str, int]:
    """The participant's current level (the newest rating) per learning outcome; empty when
    the portfolio is not installed."""
    try:
        from lti_tool.portfolio.models import OutcomeRating
    except ImportError:
        return {}
    current: dict[str, int] = {}
    for outcome_id, level in session.execute(
            select(OutcomeRating.outcome_id, OutcomeRating.level)
            .where(OutcomeRating.user_id == user_id)
            .order_by(OutcomeRating.created_at, OutcomeRating.id)).all():
        current[outcome_id] = level
    return current


def _objectives_assessed(programme: Programme, assessed_id: str) -> list[tuple[str, str,
                                                                              tuple[Outcome, ...]]]:
    """(id, title, outcomes) of the objectives (or the case study) an assessed id points to;
    seminars have no outcomes to rate and give nothing."""
    try:
        element = programme.get(assessed_id)
    except KeyError:
        return []
    if isinstance(element, Pillar):
        return [(o.id, o.title, o.outcomes) for o in element.objectives]
    if isinstance(element, Objective):
        return [(element.id, element.title, element.outcomes)]
    if isinstance(element, Outcome):
        if element.parent_id == programme.case_study.id:
            return [(programme.case_study.id, programme.case_study.title,
                     programme.case_study.outcomes)]
        objective = programme.objective(element.parent_id)
        return [(objective.id, objective.title, objective.outcomes)]
    if element is programme.case_study:
        return [(element.id, element.title, element.outcomes)]
    return []


def self_assessment(programme: Programme, ratings: dict[str, int],
                    assesses: tuple[str, ...]) -> tuple[ObjectiveSelfAssessment, ...]:
    """The participant's self-ratings, objective by objective, for the ids a criterion
    assesses."""
    seen: dict[str, ObjectiveSelfAssessment] = {}
    for assessed_id in assesses:
        for objective_id, title, outcomes in _objectives_assessed(programme, assessed_id):
            if objective_id not in seen:
                seen[objective_id] = ObjectiveSelfAssessment(objective_id, title, tuple(
                    OutcomeSelfRating(o.id, o.text, ratings.get(o.id)) for o in outcomes))
    return tuple(seen.values())


def published_result_for(session: Session, cohort_id: int, user_id: int,
                         assessment_id: str) -> PublishedResult | None:
    return session.scalar(select(PublishedResult).where(
        PublishedResult.cohort_id == cohort_id, PublishedResult.user_id == user_id,
        PublishedResult.assessment_id == assessment_id))


def participant_result(session: Session, cohort_id: int, user_id: int,
                       assessment_id: str) -> ParticipantResult | None:
    """The participant's own published result for an assessment, or None before publication."""
    published = published_result_for(session, cohort_id, user_id, assessment_id)
    if published is None:
        return None
    rubric = load_rubric(assessment_id)
    agreed = {a.criterion_id: a for a in session.scalars(select(AgreedScore).where(
        AgreedScore.assignment_id == published.assignment_id))}
    comments: dict[str, list[str]] = defaultdict(list)
    for score in session.scalars(select(JurorScore).where(
            JurorScore.assignment_id == published.assignment_id,
            JurorScore.visibility == VISIBILITY_PARTICIPANT).order_by(JurorScore.id)):
        if score.comment:
            comments[score.criterion_id].append(score.comment)
    programme = cached_programme()
    ratings = current_self_ratings(session, user_id)
    criteria = []
    for criterion in rubric.criteria:
        chosen = agreed.get(criterion.id)
        level = criterion.level_for(chosen.points) if chosen else None
        criteria.append(CriterionResult(
            criterion_id=criterion.id, title=criterion.title,
            level_title=level.title if level else "",
            points=chosen.points if chosen else Decimal(0), max_points=criterion.max_points,
            comments=tuple(comments[criterion.id]), assesses=criterion.assesses,
            self_assessment=self_assessment(programme, ratings, criterion.assesses)))
    return ParticipantResult(assessment_id, rubric, published, tuple(criteria),
                             describe_formula(rubric))


@dataclass(frozen=True)
class CertificateOverview:
    """A participant's published grades per assessment and the certificate's result."""

    user_id: int
    name: str
    university: str
    grades: dict[str, Decimal | None]
    certificate: CertificateResult


def certificate_for(session: Session, cohort_id: int, user_id: int) -> tuple[
        dict[str, Decimal | None], CertificateResult]:
    """The participant's published grades and the certificate result (``config/certificate.yaml``:
    weighted mean, optional minimum rule; incomplete until the three grades are published)."""
    rules = load_certificate_rules()
    grades: dict[str, Decimal | None] = dict.fromkeys(rules.assessments)
    for result in session.scalars(select(PublishedResult).where(
            PublishedResult.cohort_id == cohort_id, PublishedResult.user_id == user_id)):
        if result.assessment_id in grades:
            grades[result.assessment_id] = result.grade
    return grades, certificate_result(grades, rules)


def certificate_overview(session: Session, cohort_id: int) -> list[CertificateOverview]:
    """Every participant of the cohort with their grades and certificate result."""
    rows = []
    for person in cohort_participants(session, cohort_id):
        grades, certificate = certificate_for(session, cohort_id, person.user_id)
        rows.append(CertificateOverview(person.user_id, person.name, person.university, grades,
                                        certificate))
    return rows


@dataclass(frozen=True)
class JurorDeviationRow:
    juror: str
    deviation: JurorDeviation


@dataclass(frozen=True)
class RubricAgreement:
    """Agreement of the jurors on one rubric: Krippendorff's alpha (interval level on the
    criterion points, units = (candidate, criterion)) and each juror's deviation from the
    agreed scores. Only candidates whose jurors have all submitted count."""

    assessment_id: str
    title: str
    candidates: int
    units: int
    alpha: float | None
    deviations: tuple[JurorDeviationRow, ...]


def agreement_statistics(session: Session, cohort_id: int) -> list[RubricAgreement]:
    """The agreement statistics of each assessment of the cohort."""
    statistics = []
    for assessment in cached_programme().assessments:
        assignments = {a.id for a in session.scalars(select(Assignment).where(
            Assignment.cohort_id == cohort_id, Assignment.assessment_id == assessment.id))}
        done = assignments - blind_assignments(session, assignments)
        scores = session.scalars(select(JurorScore).where(
            JurorScore.assignment_id.in_(done), JurorScore.points.is_not(None))).all() \
            if done else []
        units: dict[tuple[int, str], dict[int, Decimal]] = defaultdict(dict)
        for score in scores:
            units[score.assignment_id, score.criterion_id][score.juror_id] = score.points
        agreed = {(a.assignment_id, a.criterion_id): a.points for a in session.scalars(
            select(AgreedScore).where(AgreedScore.assignment_id.in_(done)))} if done else {}
        deviations = juror_deviations(
            ((s.juror_id, s.assignment_id, s.criterion_id, s.points) for s in scores), agreed)
        names = {u.id: u.display_name for u in session.scalars(
            select(User).where(User.id.in_(list(deviations))))} if deviations else {}
        rows = sorted((JurorDeviationRow(names.get(j, ""), d) for j, d in deviations.items()),
                      key=lambda r: r.juror.casefold())
        statistics.append(RubricAgreement(
            assessment_id=assessment.id, title=assessment.title, candidates=len(done),
            units=sum(1 for u in units.values() if len(u) >= 2),
            alpha=krippendorff_alpha(units, "interval") if units else None,
            deviations=tuple(rows)))
    return statistics
