"""The scoring services on their own (session in, no Flask request): the divergence threshold,
publication that is all or nothing, and the pages in English on request."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool.db import get_session
from lti_tool.evaluation.errors import EvaluationError
from lti_tool.evaluation.models import Assignment, EvaluationEvent, Group, Jury, PublishedResult
from lti_tool.evaluation.organisation import assessment_or_error, assign_juries
from lti_tool.evaluation.scoring import (ScoreEntry, deliberation, publish_result,
                                         record_agreement, save_scores)
from lti_tool.grades.models import GradeOutbox
from rubrics import load_rubric
from tests.evaluation.flow import JURORS, build_cohort
from tests.evaluation.test_jury_workflow import AMELIE, BRUNO, CHAIR, NICOLAS, only, rows_of


@pytest.fixture
def cohort(app, driver, tool_server, site_a, site_b):
    app.config["GRADES_SYNC_IN_BACKGROUND"] = False
    cohort = build_cohort(app, driver, tool_server.url, site_a, site_b)
    assert cohort.form_jury(list(JURORS), CHAIR).status_code == 303
    cohort.jury_id = only(app, Jury, cohort_id=cohort.cohort_id).id
    return cohort


def scored(app, cohort, assessment_id: str, candidate_key: str, levels_by_juror) -> int:
    """Assign the jury and let each juror submit ``levels_by_juror[i]`` (criterion -> level)."""
    with app.app_context():
        session = get_session()
        assign_juries(session, cohort.cohort_id, assessment_or_error(assessment_id),
                      {candidate_key: cohort.jury_id}, None)
        assignment = session.scalar(select(Assignment).where(
            Assignment.assessment_id == assessment_id))
        rubric = load_rubric(assessment_id)
        for juror, levels in zip(JURORS, levels_by_juror):
            save_scores(session, assignment, cohort.ids[juror],
                        {c.id: ScoreEntry(c.levels[levels[c.id]].points)
                         for c in rubric.criteria}, submit=True)
        return assignment.id


def test_divergence_is_measured_in_levels_against_the_threshold(cohort, app):
    rubric = load_rubric("reflective-report")  # 0-2-4-6 scales: one level is 2 points
    first, second = rubric.criteria[0].id, rubric.criteria[1].id
    base = {c.id: 2 for c in rubric.criteria}
    levels = [base, base, dict(base, **{first: 0, second: 1}), base]
    assignment_id = scored(app, cohort, "reflective-report", f"user-{cohort.ids[AMELIE]}",
                           levels)
    with app.app_context():
        session = get_session()
        assignment = session.get(Assignment, assignment_id)
        by_default = deliberation(session, assignment, cohort.ids[CHAIR])
        divergent = {c.criterion_id: c.spread_levels for c in by_default.criteria if c.divergent}
        assert divergent == {first: 2}  # two levels apart (4 points); one level is tolerated
        lenient = deliberation(session, assignment, cohort.ids[CHAIR], threshold_levels=2)
        assert not any(c.divergent for c in lenient.criteria)
        strict = deliberation(session, assignment, cohort.ids[CHAIR], threshold_levels=0)
        assert {c.criterion_id for c in strict.criteria if c.divergent} == {first, second}


def test_publication_is_all_or_nothing(cohort, app):
    assert cohort.form_group([AMELIE, BRUNO, NICOLAS]).status_code == 303
    group = only(app, Group, cohort_id=cohort.cohort_id)
    rubric = load_rubric("collective-report")
    levels = {c.id: 1 for c in rubric.criteria}
    assignment_id = scored(app, cohort, "collective-report", f"group-{group.id}",
                           [levels] * 4)
    queued = []

    def failing_queue(session, **grade):
        if queued:
            raise RuntimeError("the outbox is unavailable")
        queued.append(grade)

    with app.app_context():
        session = get_session()
        assignment = session.get(Assignment, assignment_id)
        record_agreement(session, assignment, cohort.ids[CHAIR],
                         {c.id: (c.levels[1].points, "Accord.") for c in rubric.criteria})
        with pytest.raises(EvaluationError) as refused:
            publish_result(session, assignment, cohort.ids[JURORS[0]])
        assert refused.value.code == "not_the_chair"
        with pytest.raises(RuntimeError):
            publish_result(session, assignment, cohort.ids[CHAIR], enqueue=failing_queue)
    assert len(queued) == 1  # the first member's grade was queued, then the queue failed
    assert rows_of(app, PublishedResult) == [] and rows_of(app, GradeOutbox) == []
    assert [e for e in rows_of(app, EvaluationEvent) if e.action == "published"] == []

    with app.app_context():
        session = get_session()
        publish_result(session, session.get(Assignment, assignment_id), cohort.ids[CHAIR])
    assert len(rows_of(app, PublishedResult)) == 3 and len(rows_of(app, GradeOutbox)) == 3


def test_pages_are_in_english_on_request(cohort):
    page = cohort.teacher.get(f"/evaluation/cohort/{cohort.cohort_id}", lang="en")
    assert page.status_code == 200 and 'lang="en"' in page.text
    assert "Evaluation of the cohort 2026-2027" in page.text
    french = cohort.teacher.get(f"/evaluation/cohort/{cohort.cohort_id}")
    assert "Évaluation de la cohorte 2026-2027" in french.text
