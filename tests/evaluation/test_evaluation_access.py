"""Who may reach which evaluation page: no launch, no page (401); teachers only their cohort;
only the assigned jurors score; participants only their own results; the audit log is
append-only."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool.db import get_session
from lti_tool.evaluation.models import Assignment, AuditLogIsAppendOnly, EvaluationEvent, Jury
from rubrics import load_rubric
from tests.cohorts.pages import cohort_id_of, launched
from tests.evaluation.flow import ACTIVITY, JURORS, build_cohort, post_scores, score_form
from tests.evaluation.test_jury_workflow import AMELIE, BRUNO, CHAIR, only

GET_PATHS = ["/evaluation/", "/evaluation/cohort/{c}", "/evaluation/cohort/{c}/groups",
             "/evaluation/cohort/{c}/juries", "/evaluation/cohort/{c}/assessment/oral-exam",
             "/evaluation/cohort/{c}/statistics", "/evaluation/cohort/{c}/audit",
             "/evaluation/cohort/{c}/grades", "/evaluation/jury/oral-exam",
             "/evaluation/score/{a}", "/evaluation/deliberation/{a}",
             "/evaluation/result/oral-exam", "/evaluation/results", "/app/assessment/oral-exam"]
POST_PATHS = ["/evaluation/cohort/{c}/groups", "/evaluation/cohort/{c}/groups/1/delete",
              "/evaluation/cohort/{c}/juries", "/evaluation/cohort/{c}/assessment/oral-exam",
              "/evaluation/score/{a}", "/evaluation/deliberation/{a}/agree",
              "/evaluation/deliberation/{a}/publish"]
TEACHER_PATHS = [p for p in GET_PATHS if "/cohort/" in p]


@pytest.fixture
def cohort(app, driver, tool_server, site_a, site_b):
    app.config["GRADES_SYNC_IN_BACKGROUND"] = False
    cohort = build_cohort(app, driver, tool_server.url, site_a, site_b)
    assert cohort.form_jury(list(JURORS), CHAIR).status_code == 303
    jury = only(app, Jury, cohort_id=cohort.cohort_id)
    assert cohort.assign("oral-exam", {f"user-{cohort.ids[AMELIE]}": jury.id}).status_code \
        == 303
    cohort.assignment_id = only(app, Assignment, candidate_user_id=cohort.ids[AMELIE]).id
    return cohort


def paths(templates, cohort) -> list[str]:
    return [p.format(c=cohort.cohort_id, a=cohort.assignment_id) for p in templates]


def test_every_page_needs_a_launch(cohort, driver, tool_server):
    for path in paths(GET_PATHS, cohort):
        assert driver.http.get(tool_server.url + path).status_code == 401, path
    for path in paths(POST_PATHS, cohort):
        answer = driver.http.post(tool_server.url + path, data={"csrf_token": "x"})
        assert answer.status_code in (400, 401), path


def test_participants_reach_no_teacher_page(cohort):
    participant = cohort.launch(AMELIE, ACTIVITY["univ-a", "oral-exam"])
    for path in paths(TEACHER_PATHS, cohort):
        assert participant.get(path).status_code == 403, path
    # Nor the jury's pages about themselves.
    assert participant.get(f"/evaluation/score/{cohort.assignment_id}").status_code == 403
    assert participant.get(f"/evaluation/deliberation/{cohort.assignment_id}").status_code \
        == 403


def test_only_the_assigned_jurors_score(cohort, app):
    # The coordinating teacher is no juror of this jury: she can organise, not score.
    teacher = cohort.teacher
    assert teacher.get(f"/evaluation/score/{cohort.assignment_id}").status_code == 403
    rubric = load_rubric("oral-exam")
    refused = teacher.post(f"/evaluation/score/{cohort.assignment_id}",
                           score_form(rubric, {c.id: 1 for c in rubric.criteria}, action="submit"),
                           csrf_from=f"/evaluation/cohort/{cohort.cohort_id}/groups")
    assert refused.status_code == 403
    assert "/evaluation/cohort/" in teacher.get("/app/assessment/oral-exam").headers["Location"]
    juror = cohort.launch(JURORS[0], ACTIVITY["univ-a", "oral-exam"])
    assert post_scores(juror, cohort.assignment_id,
                       score_form(rubric, {c.id: 1 for c in rubric.criteria})).status_code == 303


def test_teachers_see_only_their_own_cohort(app, driver, tool_server, site_a, site_b):
    teacher_a = launched(driver, tool_server.url, site_a, "4", "101")
    cohort_x = cohort_id_of(teacher_a.post("/cohort/create", {"name": "Cohorte X"}))
    teacher_b = launched(driver, tool_server.url, site_b, "5", "201")
    cohort_y = cohort_id_of(teacher_b.post("/cohort/create", {"name": "Cohorte Y"}))
    for template in TEACHER_PATHS:
        assert teacher_b.get(template.format(c=cohort_x)).status_code == 404, template
        assert teacher_a.get(template.format(c=cohort_y)).status_code == 404, template
        assert teacher_a.get(template.format(c=cohort_x)).status_code == 200, template


def test_another_participant_never_sees_a_result_that_is_not_theirs(cohort):
    bruno = cohort.launch(BRUNO, ACTIVITY["univ-a", "oral-exam"])
    page = bruno.get("/evaluation/result/oral-exam")
    assert page.status_code == 200 and "pas encore publié" in page.text
    assert "Amélie" not in page.text


def test_the_audit_log_is_append_only(cohort, app):
    juror = cohort.launch(JURORS[0], ACTIVITY["univ-a", "oral-exam"])
    rubric = load_rubric("oral-exam")
    post_scores(juror, cohort.assignment_id, score_form(rubric, {rubric.criteria[0].id: 1}))
    with app.app_context():
        session = get_session()
        event = session.scalars(select(EvaluationEvent)).first()
        assert event is not None and event.action == "scored"
        event.new_value = "forged"
        with pytest.raises(AuditLogIsAppendOnly):
            session.flush()
        session.rollback()
        with pytest.raises(AuditLogIsAppendOnly):
            session.delete(session.scalars(select(EvaluationEvent)).first())
            session.flush()
        session.rollback()
