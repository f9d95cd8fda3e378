"""The tool address the launch links are built on."""

from __future__ import annotations

import pytest

from imscc_export import ToolUrlError, normalise_tool_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://tool.example.org", "https://tool.example.org"),
        ("https://tool.example.org/", "https://tool.example.org"),
        ("  https://tool.example.org:8443/cimp/  ", "https://tool.example.org:8443/cimp"),
        ("http://localhost:5000", "http://localhost:5000"),
        ("http://127.0.0.1/", "http://127.0.0.1"),
    ],
)
def test_accepted_addresses_lose_their_trailing_slash(given, expected):
    assert normalise_tool_url(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "",
        "tool.example.org",
        "//tool.example.org",
        "http://tool.example.org",
        "http://192.168.1.5",
        "https://tool.example.org#top",
        "https://tool.example.org?",
        "https://0.0.0.0",
        "mailto:a@b.org",
    ],
)
def test_refused_addresses_say_why(given):
    with pytest.raises(ToolUrlError, match="tool URL"):
        normalise_tool_url(given)
