"""Forming the groups of the collective report and the juries, and assigning juries to candidates.

Groups: 2 or 3 participants of the cohort (any university), a person in one group at most.
Juries: 4 of the cohort's appointed jurors (any university), one of them the chair. A candidate
is a group for the collective report and a participant for the individual assessments.
Every function validates everything first, then writes and commits once.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from lti_tool.accounts.models import User
from lti_tool.accounts.roles import PARTICIPANT
from lti_tool.cohorts.services import cohort_jurors, cohort_members
from lti_tool.evaluation.errors import EvaluationError
from lti_tool.evaluation.models import (Assignment, Group, GroupMember, Jury, JuryMember,
                                        JurorScore, JurorSubmission, PublishedResult)
from programme import Assessment, cached_programme

JURY_SIZE = 4
GROUP_KIND, USER_KIND = "group", "user"


@dataclass(frozen=True)
class Person:
    """A member of the cohort with the university they come from."""

    user_id: int
    name: str
    university: str


@dataclass(frozen=True)
class Candidate:
    """Who is assessed: a participant or a group; ``key`` is ``user-<id>`` or ``group-<id>``."""

    kind: str
    id: int
    name: str
    universities: tuple[str, ...]
    member_ids: tuple[int, ...]

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.id}"


@dataclass(frozen=True)
class CandidateAssignment:
    """A candidate of an assessment with the jury assigned (if any) and how far the jury is."""

    candidate: Candidate
    assignment_id: int | None
    jury_id: int | None
    scores_started: bool
    published: bool
    jurors_submitted: int = 0


def assessment_or_error(assessment_id: str) -> Assessment:
    """The programme's assessment with this id; EvaluationError ``unknown_assessment``."""
    try:
        return cached_programme().assessment(assessment_id)
    except KeyError:
        raise EvaluationError("unknown_assessment",
                              f"no assessment {assessment_id!r}") from None


def cohort_participants(session: Session, cohort_id: int) -> list[Person]:
    """The participants of every course of the cohort, once each, by university then name."""
    people: dict[int, Person] = {}
    for member in cohort_members(session, cohort_id):
        if member.role == PARTICIPANT and member.active and member.user_id not in people:
            people[member.user_id] = Person(member.user_id, member.name, member.university)
    return list(people.values())


def cohort_juror_people(session: Session, cohort_id: int) -> list[Person]:
    """The cohort's appointed jurors, by name, with their university."""
    return [Person(user.id, user.display_name, user.platform.name)
            for user in cohort_jurors(session, cohort_id)]


def cohort_groups(session: Session, cohort_id: int) -> list[Group]:
    """The cohort's groups in the order they were formed, members loaded."""
    return list(session.scalars(
        select(Group).options(selectinload(Group.members).selectinload(GroupMember.user)
                              .selectinload(User.platform))
        .where(Group.cohort_id == cohort_id).order_by(Group.id)))


def cohort_juries(session: Session, cohort_id: int) -> list[Jury]:
    """The cohort's juries in the order they were formed, members loaded (chair first)."""
    juries = list(session.scalars(
        select(Jury).options(selectinload(Jury.members).selectinload(JuryMember.user)
                             .selectinload(User.platform))
        .where(Jury.cohort_id == cohort_id).order_by(Jury.id)))
    for jury in juries:
        jury.members.sort(key=lambda m: (not m.is_chair, m.user.display_name.casefold()))
    return juries


def _distinct_ids(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(int(i) for i in ids))


def create_group(session: Session, cohort_id: int, member_ids: Iterable[int],
                 created_by_id: int | None) -> Group:
    """Form a group of the collective report from participants of the cohort.

    Refused (EvaluationError): ``group_size`` outside 2..3 people, ``not_a_participant``,
    ``already_in_group`` (a person belongs to one group at most).
    """
    collective = next(a for a in cached_programme().assessments if a.is_collective)
    ids = _distinct_ids(member_ids)
    if not collective.group_min <= len(ids) <= collective.group_max:
        raise EvaluationError("group_size", f"a group has {collective.group_min} to "
                              f"{collective.group_max} people, got {len(ids)}",
                              minimum=collective.group_min, maximum=collective.group_max)
    participants = {p.user_id: p for p in cohort_participants(session, cohort_id)}
    strangers = [i for i in ids if i not in participants]
    if strangers:
        raise EvaluationError("not_a_participant",
                              f"users {strangers} are not participants of the cohort")
    taken = session.scalars(select(GroupMember.user_id).where(
        GroupMember.cohort_id == cohort_id, GroupMember.user_id.in_(ids))).all()
    if taken:
        names = ", ".join(participants[i].name for i in taken)
        raise EvaluationError("already_in_group", f"already in a group: {names}", names=names)
    group = Group(cohort_id=cohort_id, created_by_id=created_by_id,
                  name=", ".join(participants[i].name for i in ids))
    group.members = [GroupMember(cohort_id=cohort_id, user_id=i) for i in ids]
    session.add(group)
    session.commit()
    return group


def delete_group(session: Session, cohort_id: int, group_id: int) -> None:
    """Dissolve a group that no jury was assigned to yet (``group_assigned`` otherwise)."""
    group = session.get(Group, group_id)
    if group is None or group.cohort_id != cohort_id:
        raise EvaluationError("no_group", f"no group {group_id} in this cohort")
    if session.scalar(select(Assignment.id).where(Assignment.candidate_group_id == group_id)):
        raise EvaluationError("group_assigned", "a jury is assigned to this group")
    session.delete(group)
    session.commit()


def create_jury(session: Session, cohort_id: int, member_ids: Iterable[int], chair_id: int | None,
                created_by_id: int | None, name: str = "") -> Jury:
    """Form a jury of 4 appointed jurors of the cohort, the chair among them.

    Refused: ``jury_size``, ``not_a_juror`` (not appointed in this cohort), ``chair_missing``
    (no chair chosen, or the chair is not one of the four), ``name_too_long``.
    """
    ids = _distinct_ids(member_ids)
    if len(ids) != JURY_SIZE:
        raise EvaluationError("jury_size", f"a jury has {JURY_SIZE} members, got {len(ids)}",
                              size=JURY_SIZE)
    jurors = {p.user_id: p for p in cohort_juror_people(session, cohort_id)}
    strangers = [i for i in ids if i not in jurors]
    if strangers:
        raise EvaluationError("not_a_juror", f"users {strangers} are not jurors of the cohort")
    if chair_id is None or chair_id not in ids:
        raise EvaluationError("chair_missing", "the chair must be one of the jury's members")
    name = " ".join((name or "").split())
    if len(name) > 200:
        raise EvaluationError("name_too_long", "the name is longer than 200 characters")
    if not name:
        count = session.scalar(select(func.count(Jury.id)).where(Jury.cohort_id == cohort_id))
        name = f"Jury {count + 1}"
    jury = Jury(cohort_id=cohort_id, name=name, created_by_id=created_by_id)
    jury.members = [JuryMember(user_id=i, is_chair=i == chair_id) for i in ids]
    session.add(jury)
    session.commit()
    return jury


def assessment_candidates(session: Session, cohort_id: int,
                          assessment: Assessment) -> list[Candidate]:
    """The groups of the cohort for a collective assessment, its participants otherwise."""
    if assessment.is_collective:
        return [Candidate(GROUP_KIND, group.id, group.name,
                          tuple(dict.fromkeys(m.user.platform.name for m in group.members)),
                          tuple(m.user_id for m in group.members))
                for group in cohort_groups(session, cohort_id)]
    return [Candidate(USER_KIND, p.user_id, p.name, (p.university,), (p.user_id,))
            for p in cohort_participants(session, cohort_id)]


def _assignments_by_candidate(session: Session, cohort_id: int,
                              assessment_id: str) -> dict[str, Assignment]:
    assignments = session.scalars(select(Assignment).where(
        Assignment.cohort_id == cohort_id, Assignment.assessment_id == assessment_id)).all()
    return {(f"{GROUP_KIND}-{a.candidate_group_id}" if a.candidate_group_id
             else f"{USER_KIND}-{a.candidate_user_id}"): a for a in assignments}


def _started(session: Session, assignment_ids: Iterable[int]) -> set[int]:
    ids = list(assignment_ids)
    return set(session.scalars(select(JurorScore.assignment_id).where(
        JurorScore.assignment_id.in_(ids)).distinct())) if ids else set()


def _submissions(session: Session, assignment_ids: Iterable[int]) -> dict[int, int]:
    ids = list(assignment_ids)
    counts: dict[int, int] = {}
    if ids:
        for assignment_id in session.scalars(select(JurorSubmission.assignment_id).where(
                JurorSubmission.assignment_id.in_(ids))):
            counts[assignment_id] = counts.get(assignment_id, 0) + 1
    return counts


def _published(session: Session, assignment_ids: Iterable[int]) -> set[int]:
    ids = list(assignment_ids)
    return set(session.scalars(select(PublishedResult.assignment_id).where(
        PublishedResult.assignment_id.in_(ids)).distinct())) if ids else set()


def candidate_assignments(session: Session, cohort_id: int,
                          assessment: Assessment) -> list[CandidateAssignment]:
    """Every candidate of the assessment with its jury and progress, for the assignment page."""
    by_candidate = _assignments_by_candidate(session, cohort_id, assessment.id)
    ids = [a.id for a in by_candidate.values()]
    started, published = _started(session, ids), _published(session, ids)
    submitted = _submissions(session, ids)
    rows = []
    for candidate in assessment_candidates(session, cohort_id, assessment):
        assignment = by_candidate.get(candidate.key)
        rows.append(CandidateAssignment(
            candidate=candidate, assignment_id=assignment.id if assignment else None,
            jury_id=assignment.jury_id if assignment else None,
            scores_started=bool(assignment and assignment.id in started),
            published=bool(assignment and assignment.id in published),
            jurors_submitted=submitted.get(assignment.id, 0) if assignment else 0))
    return rows


def assign_juries(session: Session, cohort_id: int, assessment: Assessment,
                  choices: Mapping[str, int | None], assigned_by_id: int | None) -> int:
    """Assign (or change, or remove) the jury of each candidate named in ``choices``
    (candidate key -> jury id or None); returns how many assignments changed.

    Refused as a whole: ``unknown_candidate``, ``no_jury``, ``juror_is_candidate`` (a juror
    cannot assess themselves), ``scoring_started`` (the jury of a candidate already scored
    cannot change).
    """
    candidates = {c.key: c for c in assessment_candidates(session, cohort_id, assessment)}
    juries = {jury.id: jury for jury in cohort_juries(session, cohort_id)}
    current = _assignments_by_candidate(session, cohort_id, assessment.id)
    started = _started(session, [a.id for a in current.values()])
    changes: list[tuple[Candidate, Assignment | None, int | None]] = []
    for key, jury_id in choices.items():
        candidate = candidates.get(key)
        if candidate is None:
            raise EvaluationError("unknown_candidate", f"no candidate {key!r}")
        if jury_id is not None and jury_id not in juries:
            raise EvaluationError("no_jury", f"no jury {jury_id} in this cohort")
        assignment = current.get(key)
        if (assignment.jury_id if assignment else None) == jury_id:
            continue
        if jury_id is not None and {m.user_id for m in juries[jury_id].members} & set(
                candidate.member_ids):
            raise EvaluationError("juror_is_candidate", f"{candidate.name} sits on the jury",
                                  name=candidate.name)
        if assignment is not None and assignment.id in started:
            raise EvaluationError("scoring_started",
                                  f"the jury of {candidate.name} has started scoring",
                                  name=candidate.name)
        changes.append((candidate, assignment, jury_id))
    for candidate, assignment, jury_id in changes:
        if jury_id is None:
            session.delete(assignment)
        elif assignment is not None:
            assignment.jury_id, assignment.assigned_by_id = jury_id, assigned_by_id
        else:
            session.add(Assignment(
                cohort_id=cohort_id, assessment_id=assessment.id, jury_id=jury_id,
                candidate_user_id=candidate.id if candidate.kind == USER_KIND else None,
                candidate_group_id=candidate.id if candidate.kind == GROUP_KIND else None,
                assigned_by_id=assigned_by_id))
    session.commit()
    return len(changes)


def candidate_name(session: Session, assignment: Assignment) -> str:
    """The name of the participant or group an assignment is about."""
    if assignment.candidate_group_id is not None:
        return session.get(Group, assignment.candidate_group_id).name
    return session.get(User, assignment.candidate_user_id).display_name


def persons_concerned(session: Session, assignment: Assignment) -> list[int]:
    """The user ids who receive the grade: the participant, or every member of the group."""
    if assignment.candidate_group_id is not None:
        return list(session.scalars(select(GroupMember.user_id).where(
            GroupMember.group_id == assignment.candidate_group_id).order_by(GroupMember.id)))
    return [assignment.candidate_user_id]
