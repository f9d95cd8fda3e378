"""In headless Chromium, inside the platform's course iframe: a participant submits the report,
a teacher reads the progress matrix; no serious accessibility violation on either page."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool.accounts.models import Course, User
from lti_tool.cohorts.services import create_cohort
from lti_tool.db import new_session
from tests.browser.conftest import tool_frame
from tests.conftest import serious_accessibility_violations
from tests.reports.cohort_data import add_entry, rate

pytestmark = pytest.mark.browser


def open_activity(page, platform, user_id: str, activity_id: str):
    """Open a univ-a activity as a user; the tool's frame once its page has loaded."""
    site = platform.site("univ-a")
    page.goto(f"{site.issuer}/course/12?user={user_id}&activity={activity_id}")
    tool_frame(page).locator("main").wait_for()
    for _attempt in range(150):
        frame = next((f for f in page.frames if "lt=" in f.url), None)
        if frame is not None:
            return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no launched tool frame among {[f.url for f in page.frames]}")


def cohort_for_univ_a(app, teacher_sub: str = "4") -> int:
    with app.app_context():
        session = new_session()
        course = session.scalar(select(Course).where(Course.context_id == "12"))
        teacher = session.scalar(select(User).where(User.sub == teacher_sub,
                                                    User.platform_id == course.platform_id))
        cohort_id = create_cohort(session, course.id, teacher.id, "2026-2027").id
        session.close()
    return cohort_id


def user_id_of(app, sub: str) -> int:
    with app.app_context():
        session = new_session()
        course = session.scalar(select(Course).where(Course.context_id == "12"))
        user_id = session.scalar(select(User.id).where(User.sub == sub,
                                                      User.platform_id == course.platform_id))
        session.close()
    return user_id


def tool_page(frame, tool_url: str, path: str) -> None:
    token = frame.url.split("lt=", 1)[1].split("&", 1)[0]
    frame.goto(f"{tool_url}{path}?lt={token}")


def test_a_participant_submits_the_report_and_a_teacher_sees_the_matrix(
        app, page, framing_platform, tool_server, axe_source):
    teacher_frame = open_activity(page, framing_platform, "4", "113")
    cohort_id = cohort_for_univ_a(app)
    participant_frame = open_activity(page, framing_platform, "2", "113")
    amelie = user_id_of(app, "2")
    add_entry(app, amelie, "Ce que le pilier 1 m'a appris", "<p>Un regard neuf.</p>")
    rate(app, amelie, "P1.O1.A1", 2, 3)

    tool_page(participant_frame, tool_server.url, "/report/")
    frame = participant_frame
    synthesis = frame.get_by_label("Votre synthèse réflexive")
    synthesis.fill("Au fil de l'année, ma posture de mandataire s'est affirmée.")
    synthesis.select_text()
    frame.get_by_role("toolbar").get_by_role("button", name="Gras").click()
    assert synthesis.input_value().startswith("<strong>Au fil")
    frame.get_by_role("checkbox", name="Ce que le pilier 1 m'a appris").check()
    frame.get_by_role("spinbutton", name="Position — Ce que le pilier 1 m'a appris").fill("1")
    assert serious_accessibility_violations(page, axe_source, frame=frame) == []
    frame.get_by_role("button", name="Déposer le rapport").click()
    frame.get_by_text("Votre rapport est déposé (version 1)").wait_for()
    assert "déposé le" in frame.locator("dl.facts").inner_text()
    frame.get_by_role("link", name="Version 1, déposée le", exact=False).click()
    frame.get_by_role("heading", name="Synthèse").wait_for()
    assert "ma posture de mandataire" in frame.locator("main").inner_text()
    assert frame.locator(".rich-text strong").first.inner_text().startswith("Au fil")
    assert serious_accessibility_violations(page, axe_source, frame=frame) == []

    teacher_frame = open_activity(page, framing_platform, "4", "113")
    tool_page(teacher_frame, tool_server.url, f"/progress/{cohort_id}")
    teacher_frame.locator("table.matrix").wait_for()
    assert "Amélie Dubois" in teacher_frame.locator("table.matrix").inner_text()
    assert serious_accessibility_violations(page, axe_source, frame=teacher_frame) == []
    teacher_frame.get_by_role("link", name="Amélie Dubois").click()
    teacher_frame.get_by_role("heading", name="Portfolio de Amélie Dubois").wait_for()
    assert "Ce que le pilier 1 m'a appris" in teacher_frame.locator("main").inner_text()
    assert serious_accessibility_violations(page, axe_source, frame=teacher_frame) == []
    tool_page(teacher_frame, tool_server.url, f"/progress/{cohort_id}/reports")
    teacher_frame.get_by_role("button", name="Rouvrir pour Amélie Dubois").wait_for()
    assert serious_accessibility_violations(page, axe_source, frame=teacher_frame) == []


def test_the_matrix_fits_a_phone_width(app, browser, framing_platform, tool_server, axe_source):
    """A phone opens the tool in its own tab (Moodle's app does): the wide table scrolls inside
    its own region and the page itself does not overflow."""
    context = browser.new_context(locale="fr-BE", viewport={"width": 375, "height": 740})
    phone = context.new_page()
    try:
        open_activity(phone, framing_platform, "2", "113")
        frame = open_activity(phone, framing_platform, "4", "113")
        cohort_id = cohort_for_univ_a(app)
        token = frame.url.split("lt=", 1)[1].split("&", 1)[0]
        phone.goto(f"{tool_server.url}/progress/{cohort_id}?lt={token}")
        phone.locator("table.matrix").wait_for()
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1
        assert serious_accessibility_violations(phone, axe_source) == []
    finally:
        context.close()
