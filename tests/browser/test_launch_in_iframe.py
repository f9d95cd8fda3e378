"""Launches in a real browser, inside another site's iframe, with third-party cookies blocked."""
from __future__ import annotations

import pytest
import requests

from tests.browser.conftest import tool_frame, tool_frame_object, tool_page_address
from tests.conftest import serious_accessibility_violations
from tests.lti.conftest import tool_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def open_activity(page, platform, site_slug: str, course_id: str, user_id: str, activity_id: str):
    site = platform.site(site_slug)
    page.goto(f"{site.issuer}/course/{course_id}?user={user_id}&activity={activity_id}")
    return tool_frame(page)


def test_learner_launches_inside_the_course_iframe(page, framing_platform, tool_server):
    frame = open_activity(page, framing_platform, "univ-a", "12", "2", "101")
    frame.locator("dl.facts").wait_for()
    assert frame.locator("h1").inner_text() == "Le portfolio réflexif"
    facts = frame.locator("dl.facts").inner_text()
    assert "Amélie Dubois" in facts and "Participant" in facts and "Université A" in facts
    assert frame.locator("html").get_attribute("lang") == "fr"


def test_the_first_page_has_its_own_address_and_reloads(page, framing_platform, tool_server):
    """The launch answers with the page: the frame then shows the page's own address, and a
    reload opens the page again rather than posting the used-up launch."""
    frame = open_activity(page, framing_platform, "univ-a", "12", "2", "102")
    frame.locator("dl.facts").wait_for()
    assert tool_page_address(page, tool_server.url).startswith(
        tool_server.url + "/portfolio/pillar-1?lt=")
    tool_frame_object(page, tool_server.url).evaluate("location.reload()")
    frame.locator("dl.facts").wait_for()
    assert tool_page_address(page, tool_server.url).startswith(
        tool_server.url + "/portfolio/pillar-1?lt=")
    assert "Pilier 1" in frame.locator("h1").inner_text()
    assert "Amélie Dubois" in frame.locator("dl.facts").inner_text()


def test_teacher_launches_a_pillar_on_the_other_university(page, framing_platform, tool_server):
    # univ-b has no editing teacher in the demo: user 5 is a (non-editing) teacher there.
    frame = open_activity(page, framing_platform, "univ-b", "7", "5", "204")
    frame.locator("dl.facts").wait_for()
    assert "Pilier 3" in frame.locator("h1").inner_text()
    facts = frame.locator("dl.facts").inner_text()
    assert "Marc Vandenberghe" in facts and "Enseignant" in facts and "Université B" in facts


def test_the_same_sub_on_two_platforms_is_two_people(page, framing_platform, tool_server):
    first = open_activity(page, framing_platform, "univ-a", "12", "2", "101")
    first.locator("dl.facts").wait_for()
    assert "Amélie Dubois" in first.locator("dl.facts").inner_text()
    second = open_activity(page, framing_platform, "univ-b", "7", "2", "201")
    second.locator("dl.facts").wait_for()
    facts = second.locator("dl.facts").inner_text()
    assert "Nicolas Dupont" in facts and "Amélie" not in facts


def test_without_any_cookie_the_tool_offers_a_new_window(page, framing_platform, tool_server,
                                                          axe_source):
    """A browser that refuses even partitioned cookies in frames (as some do): the login step
    cannot bind the browser, so the tool offers to continue in a top-level window, where the
    same login (Moodle's single-use hint not yet spent) completes."""

    def login_refusing_cookies(route):
        # The tool's answer is fetched outside the browser and passed on without its cookies,
        # as a browser that refuses every cookie in frames would leave it.
        answer = requests.request(route.request.method, route.request.url,
                                  data=route.request.post_data,
                                  headers={"Content-Type": "application/x-www-form-urlencoded"},
                                  allow_redirects=False)
        assert "Set-Cookie" in answer.headers
        route.fulfill(status=answer.status_code, body=answer.content,
                      headers={"Content-Type": answer.headers["Content-Type"]})

    page.route(f"{tool_server.url}/lti/login",
               lambda route: login_refusing_cookies(route)
               if route.request.frame != page.main_frame else route.continue_())
    frame = open_activity(page, framing_platform, "univ-a", "12", "3", "101")
    link = frame.get_by_role("link", name="Ouvrir l'outil dans une nouvelle fenêtre")
    link.wait_for()
    assert frame.locator("html").get_attribute("lang") == "fr"
    assert frame.locator("main h1").inner_text() == "Ouverture de l'outil…"
    assert serious_accessibility_violations(
        page, axe_source, tool_frame_object(page, tool_server.url)) == []
    with page.context.expect_page() as new_window:
        link.click()
    popup = new_window.value
    popup.locator("dl.facts").wait_for()
    assert "Bruno Lambert" in popup.locator("dl.facts").inner_text()
