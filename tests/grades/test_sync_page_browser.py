"""The grade sync page in headless Chromium: no serious accessibility violation, usable at
phone width, and the resend button works."""
from __future__ import annotations

import pytest

from tests.conftest import serious_accessibility_violations
from tests.grades.grading import build_world, enqueue, posts_for, sync

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-BE", viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_the_page_is_accessible_at_phone_width_and_resends(
        app, driver, tool_server, site_a, site_b, page, axe_source):
    world = build_world(app, driver, site_a, site_b)
    enqueue(app, world.user("a", "2"), "collective-report", 15)
    enqueue(app, world.user("a", "4"), "collective-report", 20)
    sync(app)

    page.goto(f"{tool_server.url}/grades/?lt={world.tokens[('a', '4')]}")

    assert serious_accessibility_violations(page, axe_source) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    page.get_by_role("button", name="Renvoyer la note de Amélie Dubois pour Rapport collectif",
                     exact=True).click()
    page.get_by_text("La note va être renvoyée dans un instant.").wait_for()
    for _attempt in range(100):
        if len(posts_for(site_a, "2")) == 2:
            break
        page.wait_for_timeout(100)
    assert [p["status"] for p in posts_for(site_a, "2")] == [200, 200]
