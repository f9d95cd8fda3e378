"""A juror scores a rubric in headless Chromium, inside the course page's iframe of another
site as in Moodle; axe-core finds no serious accessibility problem on the scoring page nor on the
participant's result page, at desktop and phone width."""
from __future__ import annotations

import pytest

from lti_tool.evaluation.models import Assignment, Jury, JurorScore, JurorSubmission
from rubrics import load_rubric
from tests.browser.conftest import framing_platform, page, tool_frame  # noqa: F401 (fixtures)
from tests.conftest import serious_accessibility_violations
from tests.evaluation.flow import (JURORS, build_cohort, post_on_deliberation, post_scores,
                                   score_form)
from tests.evaluation.test_jury_workflow import AMELIE, CHAIR, only, rows_of
from tests.lti.conftest import tool_server  # noqa: F401  (fixture)
from tests.lti.launching import LaunchDriver

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 740}


def open_activity(page, platform, site_slug: str, course_id: str, user_id: str,
                  activity_id: str):
    site = platform.site(site_slug)
    page.goto(f"{site.issuer}/course/{course_id}?user={user_id}&activity={activity_id}")
    return tool_frame(page)


def assert_fits_a_phone(page, url: str) -> None:
    """The page, opened on its own at phone width, needs no horizontal scrolling (wide tables
    scroll inside their own box)."""
    page.set_viewport_size(PHONE)
    page.goto(url)
    page.locator("main h1").wait_for()
    overflow = page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                     && !e.closest('.table-scroll'))
        .map(e => e.tagName + '.' + e.className)""")
    assert overflow == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def cohort(app, framing_platform, tool_server):
    app.config["GRADES_SYNC_IN_BACKGROUND"] = False
    driver = LaunchDriver(tool_server.url)
    cohort = build_cohort(app, driver, tool_server.url, framing_platform.site("univ-a"),
                          framing_platform.site("univ-b"))
    assert cohort.form_jury(list(JURORS), CHAIR).status_code == 303
    jury = only(app, Jury, cohort_id=cohort.cohort_id)
    assert cohort.assign("oral-exam", {f"user-{cohort.ids[AMELIE]}": jury.id}).status_code \
        == 303
    cohort.assignment_id = only(app, Assignment, candidate_user_id=cohort.ids[AMELIE]).id
    return cohort


def test_a_juror_scores_the_rubric_in_the_course_iframe(page, framing_platform, cohort, app,
                                                        axe_source):
    rubric = load_rubric("oral-exam")
    frame = open_activity(page, framing_platform, "univ-a", "12", "5", "114")
    frame.get_by_role("link", name="Noter Amélie Dubois").click()
    frame.get_by_role("heading", name="Notation de Amélie Dubois").wait_for()
    tool = next(f for f in page.frames if "/evaluation/score/" in f.url)
    assert serious_accessibility_violations(page, axe_source, tool) == []

    for criterion in rubric.criteria:
        group = frame.get_by_role("group", name=f"Niveau atteint pour : {criterion.title}")
        group.get_by_label(criterion.levels[2].title, exact=False).check()
    frame.get_by_label(f"Commentaire sur {rubric.criteria[0].title} (facultatif)").fill(
        "Exposé clair et bien structuré.")
    frame.get_by_role("group", name="Qui peut lire ce commentaire ?").first.get_by_label(
        "Le ou la participant·e (après publication)").check()
    frame.get_by_role("button", name="Enregistrer (modifiable ensuite)").click()
    frame.get_by_text("Notes enregistrées.").wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    frame.get_by_role("button", name="Soumettre mes notes définitives").click()
    frame.get_by_role("heading", name="Délibération sur Amélie Dubois").wait_for()

    scores = rows_of(app, JurorScore, assignment_id=cohort.assignment_id)
    assert {s.criterion_id: s.points for s in scores} == {
        c.id: c.levels[2].points for c in rubric.criteria}
    assert [s.visibility for s in scores if s.comment] == ["participant"]
    assert len(rows_of(app, JurorSubmission, assignment_id=cohort.assignment_id)) == 1

    # At phone width (the tool's page on its own, as a phone's Moodle app opens it).
    deliberation_url = next(f.url for f in page.frames if "/evaluation/deliberation/" in f.url)
    assert_fits_a_phone(page, deliberation_url)


def test_the_participant_reads_the_published_result(page, framing_platform, cohort, app,
                                                    axe_source):
    rubric = load_rubric("oral-exam")
    # The scoring form itself fits a phone and passes axe-core there too.
    juror = cohort.launch(JURORS[1], "114")
    assert_fits_a_phone(page, f"{juror.tool_url}/evaluation/score/{cohort.assignment_id}"
                              f"?lt={juror.token}")
    assert serious_accessibility_violations(page, axe_source) == []
    page.set_viewport_size({"width": 1280, "height": 900})
    levels = {c.id: 3 for c in rubric.criteria}
    comments = {rubric.criteria[0].id: ("Très belle défense.", "participant")}
    for who in JURORS:
        juror = cohort.launch(who, "114" if who[0] == "univ-a" else "214")
        assert post_scores(juror, cohort.assignment_id,
                           score_form(rubric, levels, comments, "submit")).status_code == 303
    agreement = {f"agreed-{c.id}": str(c.levels[3].points) for c in rubric.criteria}
    agreement.update({f"justification-{c.id}": "Unanimité." for c in rubric.criteria})
    chair = cohort.pages[CHAIR]
    assert post_on_deliberation(chair, cohort.assignment_id, "agree", agreement).status_code \
        == 303
    assert post_on_deliberation(chair, cohort.assignment_id, "publish", {}).status_code == 303

    frame = open_activity(page, framing_platform, "univ-a", "12", "2", "114")
    frame.get_by_role("heading", name="Votre note").wait_for()
    assert "20/20" in frame.locator(".grade").inner_text()
    assert "Très belle défense." in frame.locator("main").inner_text()
    tool = next(f for f in page.frames if "/evaluation/result/" in f.url)
    assert serious_accessibility_violations(page, axe_source, tool) == []
    assert_fits_a_phone(page, tool.url)
    assert serious_accessibility_violations(page, axe_source) == []


def test_the_teacher_pages_pass_axe_and_fit_a_phone(page, cohort, axe_source):
    teacher = cohort.teacher
    for path in ("", "/groups", "/juries", "/assessment/oral-exam", "/assessment/collective-report",
                 "/statistics", "/audit", "/grades"):
        url = f"{teacher.tool_url}/evaluation/cohort/{cohort.cohort_id}{path}?lt={teacher.token}"
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(url)
        page.locator("main h1").wait_for()
        assert serious_accessibility_violations(page, axe_source) == [], path
        assert_fits_a_phone(page, url)
