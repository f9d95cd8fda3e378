"""The token endpoint (token.php): client credentials with a private_key_jwt assertion."""

from __future__ import annotations

import time

import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from lti_tool.demo.models import SCOPE_NRPS, SCOPE_SCORE
from tests.demo.demo_platform_helpers import start_stand_in_tool

from lti_tool.demo.platform import demo_sites, serve_platform


def assertion_form(assertion: str) -> dict:
    return {"grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion, "scope": SCOPE_SCORE}


def test_valid_assertion_gets_a_token_labelled_text_html_like_moodle(site_a, tool):
    response = tool.token_request(site_a, [SCOPE_SCORE, SCOPE_NRPS])
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert set(body["scope"].split()) == {SCOPE_SCORE, SCOPE_NRPS}
    assert body["access_token"]
    assert site_a.tokens_issued == 1


def test_only_permitted_scopes_are_granted(site_a, tool):
    site_a.allowed_scopes = (SCOPE_SCORE,)
    granted = tool.token_request(site_a, [SCOPE_SCORE, SCOPE_NRPS])
    assert granted.json()["scope"] == SCOPE_SCORE
    refused = tool.token_request(site_a, [SCOPE_NRPS])
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"


def test_assertion_signed_by_another_key_is_refused(site_a, tool):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    forged = tool.sign({"iss": site_a.client_id, "sub": site_a.client_id, "aud": site_a.token_url,
                        "iat": now, "exp": now + 60, "jti": "forged"}, key=stranger)
    response = requests.post(site_a.token_url, data=assertion_form(forged), timeout=5)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"
    assert site_a.tokens_issued == 0


def test_assertion_with_the_wrong_audience_is_refused(site_a, tool):
    assertion = tool.client_assertion(site_a, aud=site_a.issuer + "/auth")
    response = requests.post(site_a.token_url, data=assertion_form(assertion),
                             timeout=5)
    assert response.status_code == 400 and response.json()["error"] == "invalid_client"


def test_assertion_from_another_client_is_refused(site_a, tool):
    assertion = tool.client_assertion(site_a, iss="cimp-univ-b", sub="cimp-univ-b")
    response = requests.post(site_a.token_url, data=assertion_form(assertion),
                             timeout=5)
    assert response.status_code == 400 and "client_id" in response.json()["error_description"]


def test_expired_assertion_and_assertion_without_jti_are_refused(site_a, tool):
    old = int(time.time()) - 600
    for assertion in (tool.client_assertion(site_a, iat=old, exp=old + 60),
                      tool.client_assertion(site_a, jti=None)):
        response = requests.post(site_a.token_url, data=assertion_form(assertion),
                                 timeout=5)
        assert response.status_code == 400


def test_a_jti_cannot_be_used_twice(site_a, tool):
    assertion = tool.client_assertion(site_a)
    first = requests.post(site_a.token_url, data=assertion_form(assertion), timeout=5)
    second = requests.post(site_a.token_url, data=assertion_form(assertion), timeout=5)
    assert (first.status_code, second.status_code) == (200, 400)
    assert "jti" in second.json()["error_description"]


def test_wrong_grant_type_and_missing_assertion_are_refused(site_a, tool):
    wrong_grant = tool.token_request(site_a, grant_type="password")
    assert wrong_grant.status_code == 400
    assert wrong_grant.json()["error"] == "unsupported_grant_type"
    no_assertion = tool.token_request(site_a, client_assertion="")
    assert no_assertion.status_code == 400 and no_assertion.json()["error"] == "invalid_request"


def test_assertion_without_kid_is_refused(site_a, tool):
    now = int(time.time())
    assertion = tool.sign({"iss": site_a.client_id, "sub": site_a.client_id,
                           "aud": site_a.token_url, "iat": now, "exp": now + 60, "jti": "x"},
                          headers={})
    response = requests.post(site_a.token_url, data=assertion_form(assertion),
                             timeout=5)
    assert response.status_code == 400 and "kid" in response.json()["error_description"]


def test_keyset_is_cached_and_refetched_when_the_tool_rotates_its_key():
    rotating = start_stand_in_tool()
    with rotating.server, serve_platform(demo_sites(rotating.url)) as platform:
        site = platform.site("univ-a")
        assert rotating.token_request(site).status_code == 200
        assert rotating.token_request(site).status_code == 200
        assert site.tool_keyset_fetches == 1
        rotating.add_key()
        assert rotating.token_request(site).status_code == 200
        assert site.tool_keyset_fetches == 2
        assert site.tokens_issued == 3
