"""Security headers on every response; only registered platforms may frame the tool."""
from __future__ import annotations

import re


def directive(policy: str, name: str) -> list[str]:
    match = re.search(rf"(?:^|;\s*){name} ([^;]*)", policy)
    assert match, f"no {name} in {policy!r}"
    return match.group(1).split()


def test_every_kind_of_response_carries_the_headers(driver, site_a, site_b, tool_server):
    launched = driver.launch(site_a, "2", "101")
    responses = [
        driver.http.get(tool_server.url + "/lti/jwks.json"),
        driver.http.post(tool_server.url + "/lti/login", data={"iss": "https://unknown.example"}),
        driver.page(launched),
        driver.http.get(tool_server.url + "/app/portfolio"),  # no launch token: 401 page
        driver.http.get(tool_server.url + "/no/such/page"),
    ]
    origins = sorted({site_a.issuer.rsplit("/", 1)[0], site_b.issuer.rsplit("/", 1)[0]})
    for response in responses:
        policy = response.headers["Content-Security-Policy"]
        assert directive(policy, "script-src") == ["'self'"]
        assert "'unsafe-inline'" not in policy
        assert sorted(directive(policy, "frame-ancestors")) == sorted(["'self'", *origins])
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "X-Frame-Options" not in response.headers  # it would forbid Moodle's iframe


def test_an_unregistered_site_may_not_frame_the_tool(client):
    policy = client.get("/lti/jwks.json").headers["Content-Security-Policy"]
    assert directive(policy, "frame-ancestors") == ["'self'"]


def test_pages_with_launch_tokens_are_not_cached(driver, site_a):
    page = driver.page(driver.launch(site_a, "2", "101"))
    assert "no-store" in page.headers["Cache-Control"]
