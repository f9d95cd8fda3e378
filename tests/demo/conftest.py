"""Fixtures: the demo platform served on 127.0.0.1 and a stand-in tool serving its keyset."""

from __future__ import annotations

import pytest
from tests.demo.demo_platform_helpers import StandInTool, start_stand_in_tool

from lti_tool.demo.jose import SigningKey
from lti_tool.demo.platform import PlatformSite, RunningPlatform, demo_sites, serve_platform


@pytest.fixture(scope="session")
def tool() -> StandInTool:
    stand_in = start_stand_in_tool()
    yield stand_in
    stand_in.server.stop()


@pytest.fixture(scope="session")
def platform_keys() -> list[SigningKey]:
    """One key per demo site, generated once: every test still gets fresh sites."""
    return [SigningKey.generate(), SigningKey.generate()]


@pytest.fixture
def platform(tool: StandInTool, platform_keys: list[SigningKey]) -> RunningPlatform:
    running = serve_platform(demo_sites(tool.url, signing_keys=platform_keys))
    yield running
    running.stop()


@pytest.fixture
def site_a(platform: RunningPlatform) -> PlatformSite:
    return platform.site("univ-a")


@pytest.fixture
def site_b(platform: RunningPlatform) -> PlatformSite:
    return platform.site("univ-b")
