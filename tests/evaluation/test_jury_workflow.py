"""The whole jury path over real HTTP: four jurors of two universities score blind, see each
other's scores once they have submitted, the chair agrees and publishes, the participant reads
the result and the grade is queued (and, with the sync worker, lands on their own platform)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from lti_tool.db import get_session
from lti_tool.evaluation.models import (AgreedScore, Assignment, EvaluationEvent, JurorScore,
                                        Jury, PublishedResult)
from rubrics import load_rubric, score_rubric
from tests.evaluation.flow import (ACTIVITY, JURORS, build_cohort, post_on_deliberation,
                                   post_scores, score_form, visible_text)

AMELIE, BRUNO, NICOLAS, SOPHIE = (("univ-a", "2"), ("univ-a", "3"), ("univ-b", "2"),
                                  ("univ-b", "3"))
CHAIR = ("univ-b", "5")


@pytest.fixture
def cohort(app, driver, tool_server, site_a, site_b):
    app.config["GRADES_SYNC_IN_BACKGROUND"] = False  # the tests run the sync themselves
    return build_cohort(app, driver, tool_server.url, site_a, site_b)


def rows_of(app, model, **where) -> list:
    """Rows of ``model`` read in a session of their own, usable after it closed."""
    with app.app_context():
        session = get_session()
        rows = session.scalars(select(model).filter_by(**where)).all()
        session.expunge_all()
    return rows


def only(app, model, **where):
    rows = rows_of(app, model, **where)
    assert len(rows) == 1, rows
    return rows[0]


def form_jury_and_assign(cohort, assessment_id: str, candidates: dict[str, int]) -> int:
    answer = cohort.form_jury(list(JURORS), CHAIR, name="Jury A")
    assert answer.status_code == 303, answer.text[:500]
    jury = only(cohort.app, Jury, cohort_id=cohort.cohort_id)
    answer = cohort.assign(assessment_id, {key: jury.id for key in candidates})
    assert answer.status_code == 303, answer.text[:800]
    return jury.id


def sync_if_available(app) -> bool:
    """Run GRADES' worker once when it exists; False when it is not there yet."""
    try:
        from lti_tool.grades.sync import sync_pending_scores
    except ImportError:
        return False
    with app.app_context():
        report = sync_pending_scores(app.extensions["db_sessionmaker"], "evaluation-tests")
    assert report.claimed >= 1
    return True


def platform_grades(site, assessment_id: str) -> dict[str, float]:
    """sub -> scoreGiven of the line items of an assessment in a site's gradebook."""
    grades = {}
    for item in site.gradebook().values():
        if item["resource_id"] == assessment_id or item["tag"] == assessment_id or (
                assessment_id in (item["label"] or "")):
            for sub, score in item["scores"].items():
                grades[sub] = score["scoreGiven"]
    return grades


def test_four_jurors_score_blind_then_agree_and_the_chair_publishes(cohort, site_a, app):
    oral = load_rubric("oral-exam")
    amelie_key = f"user-{cohort.ids[AMELIE]}"
    form_jury_and_assign(cohort, "oral-exam", {amelie_key: 0})
    assignment = only(app, Assignment, candidate_user_id=cohort.ids[AMELIE])

    # Each juror launches the oral exam's activity and lands on their scoring list.
    for who in JURORS:
        pages = cohort.launch(who, ACTIVITY[who[0], "oral-exam"])
        landing = pages.get("/app/assessment/oral-exam")
        assert landing.status_code == 303
        listing = pages.follow(landing)
        assert "/evaluation/jury/oral-exam" in landing.headers["Location"]
        assert "Amélie Dubois" in listing.text and "Noter Amélie Dubois" in listing.text

    first, second, third, fourth = (cohort.pages[who] for who in JURORS)
    criteria = [c.id for c in oral.criteria]
    # The first juror saves a draft, changes it, then submits with comments of both kinds.
    assert post_scores(first, assignment.id, score_form(oral, {criteria[0]: 1})).status_code \
        == 303
    draft = first.get(f"/evaluation/score/{assignment.id}").text
    assert 'value="2" checked' in draft
    levels_first = {c: 3 for c in criteria}
    comments = {criteria[0]: ("Exposé remarquable, bravo.", "participant"),
                criteria[1]: ("Hésitations sur le diagnostic (note interne).", "jury")}
    answer = post_scores(first, assignment.id,
                         score_form(oral, levels_first, comments, action="submit"))
    assert answer.status_code == 303 and "/deliberation/" in answer.headers["Location"]

    # Blind phase: the second juror sees none of the first juror's scores anywhere.
    own = second.get(f"/evaluation/score/{assignment.id}")
    assert own.status_code == 200
    assert "Exposé remarquable" not in own.text and "Hésitations" not in own.text
    blocked = second.get(f"/evaluation/deliberation/{assignment.id}")
    assert blocked.status_code == 303 and "/evaluation/score/" in blocked.headers["Location"]
    assert "Soumettez d’abord vos propres notes" in second.follow(blocked).text
    for path in (f"/evaluation/cohort/{cohort.cohort_id}/audit",
                 f"/evaluation/cohort/{cohort.cohort_id}/statistics",
                 "/evaluation/jury/oral-exam"):
        page = second.get(path)
        assert page.status_code == 200, path
        assert "Exposé remarquable" not in page.text and "Hésitations" not in page.text, path
    organisation = cohort.teacher.get(f"/evaluation/cohort/{cohort.cohort_id}/assessment/oral-exam")
    assert "Notation commencée : 1 soumission(s) sur 4" in organisation.text
    assert "Exposé remarquable" not in organisation.text
    audit = second.get(f"/evaluation/cohort/{cohort.cohort_id}/audit").text
    assert "masqué jusqu’à ce que tout le jury ait soumis" in audit
    # The first juror can no longer change the submitted scores.
    again = post_scores(first, assignment.id, score_form(oral, {c: 0 for c in criteria}))
    assert again.status_code == 400
    assert "déjà soumises" in again.text

    # Submitting needs every criterion.
    incomplete = post_scores(second, assignment.id,
                             score_form(oral, {criteria[0]: 2}, action="submit"))
    assert incomplete.status_code == 400 and "Manquant" in incomplete.text
    # Second juror agrees with the first, the third is one level higher, the fourth far lower
    # on the first criterion: a spread of 3 levels there, divergent with the default threshold.
    third_levels = {**{c: 3 for c in criteria}, criteria[2]: 2}
    fourth_levels = {**{c: 2 for c in criteria}, criteria[0]: 0}
    for pages, chosen in ((second, {c: 3 for c in criteria}), (third, third_levels),
                          (fourth, fourth_levels)):
        assert post_scores(pages, assignment.id,
                           score_form(oral, chosen, action="submit")).status_code == 303
    deliberation = cohort.pages[CHAIR].get(f"/evaluation/deliberation/{assignment.id}")
    assert deliberation.status_code == 200
    text = visible_text(deliberation.text)
    assert "Exposé remarquable" in text and "Hésitations sur le diagnostic" in text
    assert "Divergence : les niveaux du jury sont écartés de 3 niveaux." in text
    assert text.count("Divergence :") == 1
    for who in JURORS:
        assert cohort.pages[who].get(f"/evaluation/deliberation/{assignment.id}").status_code \
            == 200

    # Only the chair agrees; a justification is required for each agreed level.
    agreed_levels = {c: 3 for c in criteria}
    agreed_levels[criteria[0]] = 2
    agreement = {f"agreed-{c}": str(oral.criterion(c).levels[agreed_levels[c]].points)
                 for c in criteria}
    agreement.update({f"justification-{c}": "Consensus après discussion." for c in criteria})
    assert post_on_deliberation(first, assignment.id, "agree", agreement).status_code == 403
    missing = dict(agreement, **{f"justification-{criteria[0]}": " "})
    refused = post_on_deliberation(cohort.pages[CHAIR], assignment.id, "agree", missing)
    assert refused.status_code == 400 and "donnez une justification" in refused.text
    assert rows_of(app, AgreedScore, assignment_id=assignment.id) == []
    assert post_on_deliberation(first, assignment.id, "publish", {}).status_code == 403
    answer = post_on_deliberation(cohort.pages[CHAIR], assignment.id, "agree", agreement)
    assert answer.status_code == 303
    expected = score_rubric(oral, {c: oral.criterion(c).levels[agreed_levels[c]].points
                                   for c in criteria})
    page = visible_text(cohort.pages[CHAIR].get(f"/evaluation/deliberation/{assignment.id}")
                        .text)
    assert expected.explanation.splitlines()[-1] in page

    # Nothing is visible to the participant before publication.
    amelie = cohort.launch(AMELIE, ACTIVITY["univ-a", "oral-exam"])
    landing = amelie.get("/app/assessment/oral-exam")
    assert "/evaluation/result/oral-exam" in landing.headers["Location"]
    assert "pas encore publié" in amelie.follow(landing).text

    answer = post_on_deliberation(cohort.pages[CHAIR], assignment.id, "publish", {})
    assert answer.status_code == 303, answer.text[:800]
    published = only(app, PublishedResult, user_id=cohort.ids[AMELIE])
    assert published.grade == expected.grade
    events = {e.action for e in rows_of(app, EvaluationEvent, assignment_id=assignment.id)}
    assert events == {"scored", "changed", "submitted", "agreed", "published"}
    # Every juror's scores are kept next to the agreed ones.
    assert len(rows_of(app, JurorScore, assignment_id=assignment.id)) == 4 * len(criteria)

    result = amelie.get("/evaluation/result/oral-exam")
    assert result.status_code == 200
    text = visible_text(result.text)
    assert f"{str(expected.grade).replace('.', ',')}/20" in text
    assert "Exposé remarquable, bravo." in text
    assert "Hésitations" not in text  # a jury-only comment never reaches the participant
    assert expected.explanation.splitlines()[1] in text
    for criterion in oral.criteria:
        assert criterion.title in text
    # Another participant sees nothing of it.
    bruno = cohort.launch(BRUNO, ACTIVITY["univ-a", "oral-exam"])
    assert "Votre résultat n’est pas encore publié." in bruno.get(
        "/evaluation/result/oral-exam").text

    # The grade is queued for Amélie's platform in the same transaction as the publication.
    from lti_tool.grades.models import GradeOutbox
    queued = only(app, GradeOutbox, user_id=cohort.ids[AMELIE], assessment_id="oral-exam")
    assert Decimal(queued.grade) == expected.grade
    if sync_if_available(app):
        assert platform_grades(site_a, "oral-exam")["2"] == float(expected.grade)

    # Agreement statistics now count this candidate; the fourth juror was the most severe.
    stats = visible_text(cohort.teacher.get(f"/evaluation/cohort/{cohort.cohort_id}/statistics")
                         .text)
    assert "Candidat·e·s pris·es en compte 1" in stats
    assert "plus sévère" in stats
