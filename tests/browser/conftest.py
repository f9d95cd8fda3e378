"""Headless Chromium (Debian's package) driven by Playwright, and a Moodle-like platform on
``http://localhost:<port>`` framing the tool on ``http://127.0.0.1:<port>``: two different sites,
so the browser treats the tool's cookies as third-party ones, as inside a real Moodle.
"""
from __future__ import annotations

import pytest

from lti_tool.demo.platform import demo_sites, serve_platform, set_platform_base_url
from lti_tool.demo_setup import register_demo_sites

@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-BE")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def framing_platform(app, tool_server):
    """The test platform under the host name ``localhost`` (the tool is on 127.0.0.1)."""
    running = serve_platform(demo_sites(tool_server.url, jwks_path="/lti/jwks.json",
                                       key_size=1024))
    set_platform_base_url(running.app, running.url.replace("127.0.0.1", "localhost"))
    register_demo_sites(app, running.sites.values())
    yield running
    running.stop()


def tool_frame(page):
    """The frame showing the tool inside the course page."""
    return page.frame_locator("iframe.tool-frame")


def tool_frame_object(page, tool_url: str):
    """The Frame (not a locator) of the tool, for axe-core."""
    return next(f for f in page.frames if f.url.startswith(tool_url))


def tool_page_address(page, tool_url: str) -> str:
    """The address of the page the tool's frame shows. A launch answers with its first page;
    that page's script then puts the page's own address (with the launch token) in place of
    the launch's: wait for it."""
    frame = tool_frame_object(page, tool_url)
    frame.wait_for_function("() => new URLSearchParams(location.search).has('lt')")
    return frame.url
