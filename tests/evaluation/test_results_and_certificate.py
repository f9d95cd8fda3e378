"""After publication: the participant's certificate result once the three grades are published
(computed with config/certificate.yaml and explained), the teacher's overview per participant,
and the participant's self-assessment beside the jury's view, objective by objective."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool.db import get_session
from lti_tool.evaluation.models import Assignment, Group, Jury
from lti_tool.evaluation.organisation import assessment_or_error, assign_juries
from lti_tool.evaluation.scoring import ScoreEntry, publish_result, record_agreement, save_scores
from rubrics import load_rubric, score_rubric
from rubrics.certificate import certificate_result, load_certificate_rules
from tests.evaluation.flow import ACTIVITY, JURORS, build_cohort, visible_text
from tests.evaluation.test_jury_workflow import AMELIE, BRUNO, CHAIR, only


@pytest.fixture
def cohort(app, driver, tool_server, site_a, site_b):
    app.config["GRADES_SYNC_IN_BACKGROUND"] = False
    cohort = build_cohort(app, driver, tool_server.url, site_a, site_b)
    assert cohort.form_jury(list(JURORS), CHAIR).status_code == 303
    cohort.jury_id = only(app, Jury, cohort_id=cohort.cohort_id).id
    return cohort


def publish_with_services(app, cohort, assessment_id: str, candidate_key: str,
                          level: int) -> None:
    """Assign, score (every juror at the same level), agree and publish through the services."""
    with app.app_context():
        session = get_session()
        assessment = assessment_or_error(assessment_id)
        assign_juries(session, cohort.cohort_id, assessment, {candidate_key: cohort.jury_id},
                      None)
        assignment = session.scalar(select(Assignment).where(
            Assignment.assessment_id == assessment_id))
        rubric = load_rubric(assessment_id)
        for juror in JURORS:
            save_scores(session, assignment, cohort.ids[juror],
                        {c.id: ScoreEntry(c.levels[level].points) for c in rubric.criteria},
                        submit=True)
        record_agreement(session, assignment, cohort.ids[CHAIR],
                         {c.id: (c.levels[level].points, "Unanime.") for c in rubric.criteria})
        publish_result(session, assignment, cohort.ids[CHAIR])


def grade_at(assessment_id: str, level: int):
    rubric = load_rubric(assessment_id)
    return score_rubric(rubric, {c.id: c.levels[level].points for c in rubric.criteria}).grade


def test_the_certificate_appears_once_the_three_grades_are_published(cohort, app):
    assert cohort.form_group([AMELIE, BRUNO]).status_code == 303
    group = only(app, Group, cohort_id=cohort.cohort_id)
    amelie = cohort.launch(AMELIE, ACTIVITY["univ-a", "oral-exam"])

    publish_with_services(app, cohort, "collective-report", f"group-{group.id}", 2)
    publish_with_services(app, cohort, "oral-exam", f"user-{cohort.ids[AMELIE]}", 1)
    page = visible_text(amelie.get("/evaluation/results").text)
    assert "Le résultat du certificat apparaîtra" in page
    overview = visible_text(cohort.teacher.get(
        f"/evaluation/cohort/{cohort.cohort_id}/grades").text)
    assert "incomplet" in overview and "il manque la note de reflective-report" in overview

    publish_with_services(app, cohort, "reflective-report", f"user-{cohort.ids[AMELIE]}", 3)
    grades = {a: grade_at(a, level) for a, level in (("collective-report", 2),
                                                      ("oral-exam", 1),
                                                      ("reflective-report", 3))}
    expected = certificate_result(grades, load_certificate_rules())
    page = visible_text(amelie.get("/evaluation/results").text)
    grade_text = str(expected.grade).replace(".", ",")
    assert f"{grade_text}/20" in page
    assert expected.explanation.splitlines()[1] in page
    overview = visible_text(cohort.teacher.get(
        f"/evaluation/cohort/{cohort.cohort_id}/grades").text)
    assert f"{grade_text}/20" in overview
    # Bruno has the group's grade only: his certificate is still incomplete.
    bruno = cohort.launch(BRUNO, ACTIVITY["univ-a", "oral-exam"])
    assert "Le résultat du certificat apparaîtra" in bruno.get("/evaluation/results").text


def test_the_participant_sees_their_self_assessment_beside_the_jury(cohort, app):
    portfolio = pytest.importorskip("lti_tool.portfolio.models")
    with app.app_context():
        session = get_session()
        session.add(portfolio.OutcomeRating(user_id=cohort.ids[AMELIE], outcome_id="CASE.A1",
                                            level=2))
        session.add(portfolio.OutcomeRating(user_id=cohort.ids[AMELIE], outcome_id="CASE.A1",
                                            level=3))
        session.commit()
    publish_with_services(app, cohort, "oral-exam", f"user-{cohort.ids[AMELIE]}", 2)
    amelie = cohort.launch(AMELIE, ACTIVITY["univ-a", "oral-exam"])
    page = visible_text(amelie.get("/evaluation/result/oral-exam").text)
    rubric = load_rubric("oral-exam")
    presentation = rubric.criteria[0]
    assert "CASE.A1" in presentation.assesses
    # The newest rating is the current one; an outcome never rated says so.
    assert "CASE.A1 : 3/4" in page and "CASE.A2 : non évalué" in page
    assert f"{presentation.title} — jury : {presentation.levels[2].title}" in page
