"""The registration pages in headless Chromium: Dynamic Registration inside the platform's frame
(the platform on ``localhost``, the tool on ``127.0.0.1``: two sites), and the copy buttons."""
from __future__ import annotations

import json

import pytest

from lti_tool.db import new_session
from lti_tool.demo.server import serve_in_thread
from lti_tool.lti.platforms import list_platforms
from tests.conftest import serious_accessibility_violations
from tests.lti.conftest import tool_server  # noqa: F401  (fixture)
from tests.registration.moodle_registration import MoodleRegistrationSite

pytestmark = pytest.mark.browser


@pytest.fixture
def framing_moodle():
    site = MoodleRegistrationSite()
    server = serve_in_thread(site.wsgi_app())
    site.wwwroot = server.url.replace("127.0.0.1", "localhost")
    yield site
    server.stop()


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="fr-BE")
    context.set_default_timeout(15000)
    yield context
    context.close()


def test_registration_inside_the_platform_frame_closes_it(app, context, framing_moodle,
                                                          tool_server):
    page = context.new_page()
    page.goto(f"{framing_moodle.wwwroot}/admin/manage-tools.php?url="
              f"{tool_server.url}/lti/register")
    page.locator("#messages li").wait_for()
    messages = [json.loads(text) for text in page.locator("#messages li").all_inner_texts()]
    assert messages == [{"subject": "org.imsglobal.lti.close"}]
    assert page.locator("iframe.registration-frame").count() == 0
    [tool_type] = framing_moodle.tool_types
    with app.app_context():
        with new_session() as session:
            [platform] = list_platforms(session)
            assert (platform.issuer, platform.client_id, platform.deployment_ids) == (
                framing_moodle.wwwroot, tool_type.client_id, [str(tool_type.type_id)])


def test_the_done_page_is_accessible(context, framing_moodle, tool_server, axe_source):
    page = context.new_page()
    page.goto(framing_moodle.registration_start_url(f"{tool_server.url}/lti/register"))
    assert page.locator("h1").inner_text() == "L'outil est enregistré"
    assert serious_accessibility_violations(page, axe_source) == []


def test_a_refusal_page_is_accessible(context, framing_moodle, tool_server, axe_source):
    framing_moodle.answer_with = (400, "invalid_redirect_uris")
    page = context.new_page()
    response = page.goto(framing_moodle.registration_start_url(f"{tool_server.url}/lti/register"))
    assert response.status == 400
    assert "invalid_redirect_uris" in page.locator("pre").inner_text()
    assert serious_accessibility_violations(page, axe_source) == []


def test_copy_buttons_copy_each_value(context, tool_server, axe_source):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=tool_server.url)
    page = context.new_page()
    page.goto(f"{tool_server.url}/lti/config")
    button = page.get_by_role("button", name="Copier (URL de l'outil)")
    button.click()
    # The clipboard answers asynchronously: wait for the announcement, then check all of it.
    status = page.locator("#copy-status")
    status.filter(has_text="Copié").wait_for()
    assert status.inner_text() == "Copié dans le presse-papiers : URL de l'outil"
    assert page.evaluate("navigator.clipboard.readText()") == f"{tool_server.url}/lti/launch"
    assert page.get_by_role("button", name="Copier (Commande)").count() == 1
    assert serious_accessibility_violations(page, axe_source) == []


def test_the_configuration_page_fits_a_phone(browser, tool_server):
    context = browser.new_context(locale="en", viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(f"{tool_server.url}/lti/config")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        values = page.locator(".copy-value")
        assert values.count() == 8
        assert page.get_by_role("button", name="Copy (Tool URL)").is_visible()
    finally:
        context.close()
