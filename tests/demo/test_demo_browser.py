"""A full launch in headless Chromium: the Moodle-like course page frames the tool, the login
initiation and the id_token are auto-posted by the platform's script (no inline script).
The `browser` fixture (one headless Chromium per session) comes from tests/conftest.py."""

from __future__ import annotations

import json
import secrets
from urllib.parse import urlencode

import jwt
import pytest
from flask import Flask, redirect, request

from lti_tool.demo.platform import create_platform_app, demo_sites, set_platform_base_url
from lti_tool.demo.server import serve_in_thread
from tests.conftest import serious_accessibility_violations

pytestmark = pytest.mark.browser


def minimal_tool(platform_sites: dict) -> Flask:
    """Just enough of a tool to answer the OIDC login and show who launched."""
    app = Flask("minimal_tool")
    issued: dict[str, str] = {}

    @app.post("/lti/login")
    def login():
        site = platform_sites[request.form["iss"].rsplit("/", 1)[-1]]
        state, nonce = secrets.token_hex(8), secrets.token_hex(8)
        issued[state] = nonce
        params = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post",
                  "prompt": "none", "client_id": request.form["client_id"],
                  "redirect_uri": site.tool_redirect_uri, "state": state, "nonce": nonce,
                  "login_hint": request.form["login_hint"],
                  "lti_message_hint": request.form["lti_message_hint"]}
        return redirect(f"{site.auth_url}?{urlencode(params)}")

    @app.post("/lti/launch")
    def launch():
        token = request.form["id_token"]
        issuer = jwt.decode(token, options={"verify_signature": False})["iss"]
        site = platform_sites[issuer.rsplit("/", 1)[-1]]
        key = jwt.PyJWKClient(site.certs_url).get_signing_key_from_jwt(token).key
        claims = jwt.decode(token, key, algorithms=["RS256"], audience=site.client_id)
        assert issued.pop(request.form["state"]) == claims["nonce"]
        target = claims["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"]
        return f"<p id='who'>{claims['name']}</p><p id='target'>{target}</p>"

    return app


def test_launch_inside_the_course_iframe(browser):
    holder: dict = {}
    with serve_in_thread(minimal_tool(holder)) as tool_server:
        sites = demo_sites(tool_server.url)
        holder.update({site.slug: site for site in sites})
        platform_app = create_platform_app(sites)
        with serve_in_thread(platform_app) as platform_server:
            # "localhost" for the platform, 127.0.0.1 for the tool: two sites, as in production.
            platform_url = f"http://localhost:{platform_server.port}"
            set_platform_base_url(platform_app, platform_url)
            context = browser.new_context()
            try:
                page = context.new_page()
                page.goto(f"{platform_url}/univ-b/course/7?user=2&activity=209")
                frame = page.frame_locator("iframe.tool-frame")
                assert frame.locator("#who").inner_text(timeout=10000) == "Nicolas Dupont"
                assert frame.locator("#target").inner_text() == (
                    tool_server.url + "/lti/launch?target=seminar-2")
            finally:
                context.close()
    assert [claims["sub"] for claims in sites[1].id_tokens_issued] == ["2"]


def test_demo_pages_have_no_serious_accessibility_violation(browser, axe_source, platform):
    site = platform.site("univ-a")
    lineitem = next(iter(site.gradebook()))
    site.post_score("12", lineitem, "application/vnd.ims.lis.v1.score+json", json.dumps({
        "userId": "2", "scoreGiven": 15, "scoreMaximum": 20, "comment": "Bien",
        "timestamp": "2026-03-01T09:30:00Z", "gradingProgress": "FullyGraded",
        "activityProgress": "Completed"}).encode())
    context = browser.new_context(locale="fr-BE")
    try:
        page = context.new_page()
        for path in ("/", "/univ-a/course/12?user=4", "/univ-a/gradebook"):
            page.goto(platform.url + path)
            assert serious_accessibility_violations(page, axe_source) == [], path
    finally:
        context.close()
