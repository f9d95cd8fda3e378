"""Groups of the collective report and juries, formed by a teacher with clear refusals; a group
of three from two universities, graded once, each member's grade on their own platform."""
from __future__ import annotations

from decimal import Decimal

import pytest

from lti_tool.evaluation.models import Assignment, Group, GroupMember, Jury, PublishedResult
from rubrics import load_rubric, score_rubric
from tests.evaluation.flow import ACTIVITY, JURORS, build_cohort, post_on_deliberation, \
    post_scores, score_form
from tests.evaluation.test_jury_workflow import (AMELIE, BRUNO, CHAIR, NICOLAS, SOPHIE, only,
                                                 platform_grades, rows_of, sync_if_available)


@pytest.fixture
def cohort(app, driver, tool_server, site_a, site_b):
    app.config["GRADES_SYNC_IN_BACKGROUND"] = False
    return build_cohort(app, driver, tool_server.url, site_a, site_b)


def test_groups_have_two_or_three_participants_in_one_group_at_most(cohort, app):
    alone = cohort.form_group([AMELIE])
    assert alone.status_code == 400 and "Un groupe compte de 2 à 3 personnes." in alone.text
    four = cohort.form_group([AMELIE, BRUNO, NICOLAS, SOPHIE])
    assert four.status_code == 400
    juror = cohort.teacher_post(f"/evaluation/cohort/{cohort.cohort_id}/groups",
                                {"member": [cohort.ids[AMELIE], cohort.ids[JURORS[0]]]})
    assert juror.status_code == 400 and "uniquement des participant" in juror.text
    assert rows_of(app, Group) == []

    assert cohort.form_group([AMELIE, NICOLAS]).status_code == 303
    twice = cohort.form_group([NICOLAS, SOPHIE])
    assert twice.status_code == 400
    assert "Déjà dans un groupe : Nicolas Dupont." in twice.text
    assert len(rows_of(app, GroupMember)) == 2
    page = cohort.teacher.get(f"/evaluation/cohort/{cohort.cohort_id}/groups").text
    assert "Amélie Dubois" in page and "Université B" in page


def test_juries_have_four_appointed_jurors_and_a_chair_among_them(cohort, app):
    three = cohort.form_jury(list(JURORS[:3]), JURORS[0])
    assert three.status_code == 400 and "Un jury compte 4 membres" in three.text
    outsider = cohort.form_jury(list(JURORS[:3]) + [AMELIE], JURORS[0])
    assert outsider.status_code == 400 and "membres du jury désignés" in outsider.text
    no_chair = cohort.teacher_post(f"/evaluation/cohort/{cohort.cohort_id}/juries",
                                   {"member": [cohort.ids[j] for j in JURORS]})
    assert no_chair.status_code == 400 and "présidence" in no_chair.text
    assert rows_of(app, Jury) == []
    assert cohort.form_jury(list(JURORS), CHAIR).status_code == 303
    page = cohort.teacher.get(f"/evaluation/cohort/{cohort.cohort_id}/juries").text
    assert "Marc Vandenberghe" in page and "présidence" in page


def test_a_jury_cannot_change_once_it_has_started_scoring(cohort, app):
    assert cohort.form_jury(list(JURORS), CHAIR).status_code == 303
    assert cohort.form_jury(list(JURORS), JURORS[0], name="Jury B").status_code == 303
    first, second = (j.id for j in sorted(rows_of(app, Jury), key=lambda j: j.id))
    key = f"user-{cohort.ids[SOPHIE]}"
    assert cohort.assign("reflective-report", {key: first}).status_code == 303
    assert cohort.assign("reflective-report", {key: second}).status_code == 303
    assignment = only(app, Assignment, candidate_user_id=cohort.ids[SOPHIE])
    assert assignment.jury_id == second
    juror = cohort.launch(JURORS[0], ACTIVITY["univ-a", "reflective-report"])
    rubric = load_rubric("reflective-report")
    assert post_scores(juror, assignment.id,
                       score_form(rubric, {rubric.criteria[0].id: 1})).status_code == 303
    refused = cohort.assign("reflective-report", {key: first})
    assert refused.status_code == 400 and "a commencé à noter" in refused.text
    assert only(app, Assignment, candidate_user_id=cohort.ids[SOPHIE]).jury_id == second


def test_a_group_of_three_from_two_universities_gets_its_grade_on_each_platform(
        cohort, app, site_a, site_b):
    assert cohort.form_group([AMELIE, BRUNO, NICOLAS]).status_code == 303
    group = only(app, Group, cohort_id=cohort.cohort_id)
    assert cohort.form_jury(list(JURORS), CHAIR).status_code == 303
    jury = only(app, Jury, cohort_id=cohort.cohort_id)
    assert cohort.assign("collective-report", {f"group-{group.id}": jury.id}).status_code == 303
    assignment = only(app, Assignment, candidate_group_id=group.id)

    rubric = load_rubric("collective-report")
    levels = {c.id: 2 for c in rubric.criteria}
    for who in JURORS:
        pages = cohort.launch(who, ACTIVITY[who[0], "collective-report"])
        assert post_scores(pages, assignment.id,
                           score_form(rubric, levels, action="submit")).status_code == 303
    chair = cohort.pages[CHAIR]
    agreement = {f"agreed-{c.id}": str(c.levels[2].points) for c in rubric.criteria}
    agreement.update({f"justification-{c.id}": "Niveau unanime." for c in rubric.criteria})
    assert post_on_deliberation(chair, assignment.id, "agree", agreement).status_code == 303

    nicolas_id = cohort.ids[NICOLAS]
    unjustified = post_on_deliberation(chair, assignment.id, "publish",
                                       {f"adjust-{nicolas_id}": "1"})
    assert unjustified.status_code == 400 and "Donnez une justification" in unjustified.text
    assert rows_of(app, PublishedResult) == []
    answer = post_on_deliberation(chair, assignment.id, "publish", {
        f"adjust-{nicolas_id}": "1,5", f"adjust-why-{nicolas_id}": "A rédigé le diagnostic."})
    assert answer.status_code == 303, answer.text[:500]

    group_grade = score_rubric(rubric, {c.id: c.levels[2].points for c in rubric.criteria}).grade
    grades = {r.user_id: r for r in rows_of(app, PublishedResult)}
    assert set(grades) == {cohort.ids[AMELIE], cohort.ids[BRUNO], nicolas_id}
    assert grades[cohort.ids[AMELIE]].grade == grades[cohort.ids[BRUNO]].grade == group_grade
    assert grades[nicolas_id].grade == min(group_grade + Decimal("1.5"), Decimal(20))
    assert "A rédigé le diagnostic." in grades[nicolas_id].explanation

    nicolas = cohort.launch(NICOLAS, ACTIVITY["univ-b", "collective-report"])
    result = nicolas.get("/evaluation/result/collective-report").text
    assert "Ajustement individuel" in result and "A rédigé le diagnostic." in result

    if sync_if_available(app):
        on_a = platform_grades(site_a, "collective-report")
        on_b = platform_grades(site_b, "collective-report")
        assert on_a == {"2": float(group_grade), "3": float(group_grade)}
        assert on_b == {"2": float(grades[nicolas_id].grade)}
