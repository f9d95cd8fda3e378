"""A cohort's progress for its teachers: participants by objectives, aggregated in SQL.

Only what participants published or rated is read here; drafts never are. Every function takes
the cohort the teacher is entitled to (the cohort of the launch's course).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from lti_tool.accounts.models import Course, Membership, User
from lti_tool.accounts.roles import PARTICIPANT
from lti_tool.cohorts.models import CohortCourse
from lti_tool.lti.models import Platform
from lti_tool.portfolio.models import Entry, OutcomeRating
from programme import Objective, Programme

PUBLISHED = "published"


@dataclass(frozen=True)
class Participant:
    user_id: int
    name: str
    university: str


@dataclass(frozen=True)
class Cell:
    """One participant's self-assessment of one objective."""

    rated: int
    outcome_count: int
    mean_level: float | None

    @property
    def coverage(self) -> float:
        """The share of the objective's outcomes self-rated, 0..1."""
        return self.rated / self.outcome_count if self.outcome_count else 0.0

    @property
    def coverage_percent(self) -> int:
        return round(self.coverage * 100)

    @property
    def shade(self) -> int:
        """0 (nothing rated) to 4 (mean level rounded), for the cell's colour."""
        return 0 if self.mean_level is None else max(1, min(4, round(self.mean_level)))


@dataclass(frozen=True)
class MatrixRow:
    participant: Participant
    cells: tuple[Cell, ...]
    published_entries: int
    rated_outcomes: int


@dataclass(frozen=True)
class ProgressMatrix:
    objectives: tuple[Objective, ...]
    rows: tuple[MatrixRow, ...]


def cohort_participants(session: Session, cohort_id: int) -> list[Participant]:
    """The people with the participant role in a course of the cohort, by university and name
    (one row each even when enrolled in two of its courses)."""
    rows = session.execute(
        select(User.id, User.name, User.given_name, User.family_name, User.email, User.sub,
               func.min(Platform.name))
        .join(Membership, Membership.user_id == User.id)
        .join(CohortCourse, CohortCourse.course_id == Membership.course_id)
        .join(Course, Course.id == Membership.course_id)
        .join(Platform, Platform.id == Course.platform_id)
        .where(CohortCourse.cohort_id == cohort_id, Membership.role == PARTICIPANT)
        .group_by(User.id, User.name, User.given_name, User.family_name, User.email, User.sub)
    ).all()
    participants = [Participant(user_id=row[0], name=_display_name(*row[1:6]), university=row[6])
                    for row in rows]
    return sorted(participants, key=lambda p: (p.university.casefold(), p.name.casefold()))


def _display_name(name, given, family, email, sub) -> str:
    full = " ".join(p for p in (given, family) if p)
    return name or full or email or sub


def is_cohort_participant(session: Session, cohort_id: int, user_id: int) -> bool:
    return session.scalar(
        select(Membership.id)
        .join(CohortCourse, CohortCourse.course_id == Membership.course_id)
        .where(CohortCourse.cohort_id == cohort_id, Membership.user_id == user_id,
               Membership.role == PARTICIPANT).limit(1)) is not None


def _objective_of_outcome(programme: Programme) -> dict[str, str]:
    return {outcome.id: objective.id for objective in programme.objectives()
            for outcome in objective.outcomes}


def _participant_ids(cohort_id: int):
    return (select(Membership.user_id)
            .join(CohortCourse, CohortCourse.course_id == Membership.course_id)
            .where(CohortCourse.cohort_id == cohort_id, Membership.role == PARTICIPANT)
            .scalar_subquery())


def objective_aggregates(session: Session, cohort_id: int,
                         programme: Programme) -> dict[tuple[int, str], tuple[int, float]]:
    """(user, objective) -> (outcomes rated, mean current level), computed by the database.

    The current rating is the newest row per (user, outcome): the one at the latest
    ``created_at`` (read from the (user, outcome, created_at) index), the highest id among
    equal times. A CASE over the programme's 90 outcomes maps each to its objective, then the
    rows are grouped: one row per participant and objective comes back, whatever the history.
    """
    newest = (
        select(OutcomeRating.user_id, OutcomeRating.outcome_id,
               func.max(OutcomeRating.created_at).label("created_at"))
        .where(OutcomeRating.user_id.in_(_participant_ids(cohort_id)))
        .group_by(OutcomeRating.user_id, OutcomeRating.outcome_id)
        .subquery()
    )
    later_twin = aliased(OutcomeRating)
    current = OutcomeRating
    objective = case(_objective_of_outcome(programme), value=current.outcome_id,
                     else_=None).label("objective_id")
    current_rows = (
        select(current.user_id, objective, current.level)
        .join(newest, and_(newest.c.user_id == current.user_id,
                           newest.c.outcome_id == current.outcome_id,
                           newest.c.created_at == current.created_at))
        .where(~exists().where(later_twin.user_id == current.user_id,
                               later_twin.outcome_id == current.outcome_id,
                               later_twin.created_at == current.created_at,
                               later_twin.id > current.id))
        .subquery()
    )
    rows = session.execute(
        select(current_rows.c.user_id, current_rows.c.objective_id, func.count(),
               func.avg(current_rows.c.level))
        .where(current_rows.c.objective_id.is_not(None))
        .group_by(current_rows.c.user_id, current_rows.c.objective_id)
    ).all()
    return {(user_id, objective_id): (int(count), float(mean))
            for user_id, objective_id, count, mean in rows}


def published_entry_counts(session: Session, cohort_id: int) -> dict[int, int]:
    """How many published entries each participant of the cohort has (drafts are not counted)."""
    rows = session.execute(
        select(Entry.author_id, func.count())
        .where(Entry.author_id.in_(_participant_ids(cohort_id)), Entry.status == PUBLISHED)
        .group_by(Entry.author_id)).all()
    return {author_id: int(count) for author_id, count in rows}


def progress_matrix(session: Session, cohort_id: int, programme: Programme) -> ProgressMatrix:
    """The cohort's participants by the programme's 22 objectives (three queries in all)."""
    objectives = tuple(programme.objectives())
    aggregates = objective_aggregates(session, cohort_id, programme)
    entry_counts = published_entry_counts(session, cohort_id)
    rows = []
    for participant in cohort_participants(session, cohort_id):
        cells = []
        for objective in objectives:
            rated, mean = aggregates.get((participant.user_id, objective.id), (0, None))
            cells.append(Cell(rated=rated, outcome_count=len(objective.outcomes),
                              mean_level=mean))
        rows.append(MatrixRow(participant=participant, cells=tuple(cells),
                              published_entries=entry_counts.get(participant.user_id, 0),
                              rated_outcomes=sum(c.rated for c in cells)))
    return ProgressMatrix(objectives=objectives, rows=tuple(rows))


def published_entries_of(session: Session, user_id: int) -> list[Entry]:
    """A participant's published entries for a teacher, newest first — never a draft."""
    return list(session.scalars(
        select(Entry).where(Entry.author_id == user_id, Entry.status == PUBLISHED)
        .order_by(Entry.published_at.desc(), Entry.id.desc())))


def published_entry(session: Session, user_id: int, entry_id: int) -> Entry | None:
    entry = session.get(Entry, entry_id)
    if entry is None or entry.author_id != user_id or entry.status != PUBLISHED:
        return None
    return entry
