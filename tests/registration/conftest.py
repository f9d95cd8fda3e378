"""A Moodle-like registration platform on 127.0.0.1 and a tool with a public-looking base URL."""
from __future__ import annotations

import pytest

from lti_tool.db import new_session
from lti_tool.demo.server import serve_in_thread
from lti_tool.lti.platforms import list_platforms
from tests.registration.moodle_registration import MoodleRegistrationSite

TOOL_BASE_URL = "https://cimp.example.org"


@pytest.fixture
def tool_app(app):
    """The tool as deployed at ``TOOL_BASE_URL`` (only sent to the platform as data)."""
    app.config["BASE_URL"] = TOOL_BASE_URL
    app.config["REGISTRATION_TIMEOUT_SECONDS"] = 5
    return app


@pytest.fixture
def tool(tool_app):
    return tool_app.test_client()


@pytest.fixture
def moodle():
    site = MoodleRegistrationSite()
    server = serve_in_thread(site.wsgi_app())
    site.wwwroot = server.url
    yield site
    server.stop()


@pytest.fixture
def stored_platforms(tool_app):
    """Read the registrations the tool has recorded (a fresh session each call)."""
    def read():
        with tool_app.app_context():
            session = new_session()
            try:
                return [(p.issuer, p.client_id, p.auth_login_url, p.auth_token_url,
                         p.key_set_url, tuple(p.deployment_ids))
                        for p in list_platforms(session)]
            finally:
                session.close()
    return read
