"""A live tool server and a test platform of two sites, registered with each other."""
from __future__ import annotations

import pytest

from lti_tool.demo.platform import demo_sites, serve_platform
from lti_tool.demo.server import serve_in_thread
from lti_tool.demo_setup import register_demo_sites
from tests.lti.launching import LaunchDriver


@pytest.fixture
def tool_server(app):
    server = serve_in_thread(app)
    app.config["BASE_URL"] = server.url
    yield server
    server.stop()


@pytest.fixture
def platform(app, tool_server):
    running = serve_platform(demo_sites(tool_server.url, jwks_path="/lti/jwks.json",
                                       key_size=1024))
    register_demo_sites(app, running.sites.values())
    yield running
    running.stop()


@pytest.fixture
def site_a(platform):
    return platform.site("univ-a")


@pytest.fixture
def site_b(platform):
    return platform.site("univ-b")


@pytest.fixture
def driver(tool_server, platform):
    return LaunchDriver(tool_server.url)
