"""Every launch the LTI Advantage conformance list says a tool must REJECT.

Each case is a real RS256 message (or a deliberately broken one) from the test platform, posted
over HTTP after a real login. A refusal is a 4xx (never a 500) with a clear page in the user's
language naming the reason code, one structured log line with that reason, and no row written.
"""
from __future__ import annotations

import base64
import html
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from jwt.algorithms import RSAAlgorithm

from lti_tool.demo.jose import generate_rsa_key
from lti_tool.demo.platform import parse_autopost_form
from lti_tool.lti import adapter
from tests.lti.launching import LaunchResult, launch_rows, logged_refusals

REFUSED_TITLE_FR = "L'outil n'a pas pu être ouvert"
REFUSED_TITLE_EN = "The tool could not be opened"
CODE_SENTENCE_FR = "communiquez ce code à l'enseignant du cours"
NO_ROWS = {"users": 0, "courses": 0, "memberships": 0, "resource_links": 0}


def assert_refused(result: LaunchResult, reason: str, caplog, app, *, rows=None,
                   status: int = 400) -> None:
    """A clear French refusal page naming ``reason``, logged, and nothing written."""
    response = result.response
    assert response.status_code == status, response.text
    assert 400 <= response.status_code < 500
    assert '<html lang="fr">' in response.text
    assert REFUSED_TITLE_FR in response.text
    assert CODE_SENTENCE_FR in response.text
    assert f"<code>{reason}</code>" in response.text
    assert "Traceback" not in response.text
    assert [r["reason"] for r in logged_refusals(caplog)][-1:] == [reason]
    assert launch_rows(app) == (NO_ROWS if rows is None else rows)


def now(site) -> int:
    return int(site.now())


@pytest.fixture
def certs_fetches(monkeypatch, site_a):
    """URLs of the platform keyset the tool fetched during the test (real HTTP, counted)."""
    fetched: list[str] = []
    real_get = requests.get

    def counting_get(url, *args, **kwargs):
        if url == site_a.certs_url:
            fetched.append(url)
        return real_get(url, *args, **kwargs)

    monkeypatch.setattr(adapter.requests, "get", counting_get)
    return fetched


# ----- the JWT header and signature ------------------------------------------------------------

def test_a_token_without_kid_is_refused(driver, site_a, app, caplog):
    result = driver.forged_launch(site_a, "2", "101", headers={"kid": None})
    assert_refused(result, "kid", caplog, app)


def test_an_unknown_kid_is_refused_after_one_fresh_keyset_fetch(driver, site_a, app, caplog,
                                                                certs_fetches):
    result = driver.forged_launch(site_a, "2", "101", headers={"kid": "never-published"})
    assert_refused(result, "kid", caplog, app)
    assert len(certs_fetches) == 1


def test_an_unknown_kid_refetches_a_cached_keyset_once(driver, site_a, app, caplog,
                                                       certs_fetches):
    assert driver.launch(site_a, "2", "101").status == 200
    rows = launch_rows(app)
    assert len(certs_fetches) == 1
    result = driver.forged_launch(site_a, "2", "101", headers={"kid": "never-published"})
    assert_refused(result, "kid", caplog, app, rows=rows)
    assert len(certs_fetches) == 2


def test_a_kid_that_names_no_rsa_key_is_refused(driver, site_a, app, caplog, monkeypatch):
    not_rsa = {"kty": "oct", "kid": site_a.current_key.kid, "k": "c2VjcmV0LWtleQ"}
    monkeypatch.setattr(site_a, "jwks", lambda: {"keys": [not_rsa]})
    result = driver.launch(site_a, "2", "101")
    assert_refused(result, "kid", caplog, app)


def test_a_keyset_holding_a_private_key_verifies_with_its_public_half(driver, site_a,
                                                                      monkeypatch):
    """A platform that publishes its private key by mistake (it should not) still launches."""
    key = site_a.current_key
    private = {**RSAAlgorithm.to_jwk(key.private_key, as_dict=True), "kid": key.kid,
               "alg": "RS256", "use": "sig"}
    assert "d" in private
    monkeypatch.setattr(site_a, "jwks", lambda: {"keys": [private]})
    assert driver.launch(site_a, "2", "101").status == 200


def test_a_key_rotated_after_the_keyset_was_cached_is_accepted(driver, site_a, certs_fetches):
    first_kid = site_a.current_key.kid
    assert driver.launch(site_a, "2", "101").status == 200
    site_a.rotate_key()
    assert site_a.current_key.kid != first_kid
    result = driver.launch(site_a, "3", "101")
    assert result.status == 200, result.response.text
    assert len(certs_fetches) == 2
    # The new key is now cached: the next launch fetches nothing.
    assert driver.launch(site_a, "4", "101").status == 200
    assert len(certs_fetches) == 2


def test_an_unreachable_platform_keyset_is_a_clear_temporary_refusal(driver, site_a, app,
                                                                    caplog):
    site_a.faults.add("certs", status=503)
    result = driver.forged_launch(site_a, "2", "101")
    response = result.response
    assert response.status_code == 502
    assert REFUSED_TITLE_FR in response.text
    assert "<code>keyset_unavailable</code>" in response.text
    assert [r["reason"] for r in logged_refusals(caplog)] == ["keyset_unavailable"]
    assert launch_rows(app) == NO_ROWS
    # Once the platform answers again, launches go through.
    assert driver.launch(site_a, "2", "101").status == 200


def test_alg_none_is_refused(driver, site_a, app, caplog):
    result = driver.forged_launch(site_a, "2", "101", algorithm="none")
    assert_refused(result, "algorithm", caplog, app)


def test_hs256_signed_with_the_platform_public_key_is_refused(driver, site_a, app, caplog):
    result = driver.forged_launch(site_a, "2", "101", algorithm="HS256")
    assert_refused(result, "algorithm", caplog, app)


def test_a_signature_from_another_rsa_key_is_refused(driver, site_a, app, caplog):
    result = driver.forged_launch(site_a, "2", "101", key=generate_rsa_key(1024))
    assert_refused(result, "signature", caplog, app)


def test_a_token_whose_claims_were_altered_after_signing_is_refused(driver, site_a, app, caplog):
    login = driver.start_login(site_a, "2", "101")
    genuine = site_a.sign(site_a.launch_claims("2", "101", nonce=login.nonce))
    header, body, signature = genuine.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["https://purl.imsglobal.org/spec/lti/claim/roles"] = [
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
    altered = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    result = driver.post_launch({"id_token": f"{header}.{altered}.{signature}",
                                 "state": login.state}, login.cookies)
    assert_refused(result, "signature", caplog, app)


@pytest.mark.parametrize("token", [
    "not-a-jwt",
    "a.b",
    "%%%.%%%.%%%",
    # Three base64 parts that decode to JSON, but not to objects.
    "WzFd.WzJd.c2ln",
])
def test_something_that_is_not_a_jwt_is_refused(driver, site_a, app, caplog, token):
    result = driver.forged_launch(site_a, "2", "101", token=token)
    assert_refused(result, "jwt_format", caplog, app)


def test_a_genuine_token_with_a_character_outside_base64url_is_refused(driver, site_a, app,
                                                                        caplog):
    # base64 decoders skip such characters: the token must be refused before any decoding.
    login = driver.start_login(site_a, "2", "101")
    header, body, signature = site_a.sign(
        site_a.launch_claims("2", "101", nonce=login.nonce)).split(".")
    result = driver.post_launch({"id_token": f"{header}.{body[:12]}!{body[12:]}.{signature}",
                                 "state": login.state}, login.cookies)
    assert_refused(result, "jwt_format", caplog, app)


def test_a_launch_without_id_token_is_refused(driver, site_a, app, caplog):
    login = driver.start_login(site_a, "2", "101")
    result = driver.post_launch({"state": login.state}, login.cookies)
    assert_refused(result, "jwt_format", caplog, app)


# ----- required LTI claims ---------------------------------------------------------------------

@pytest.mark.parametrize("version", ["1.1.0", "1.3", None])
def test_a_wrong_or_missing_lti_version_is_refused(driver, site_a, app, caplog, version):
    result = driver.forged_launch(site_a, "2", "101", version=version)
    assert_refused(result, "version", caplog, app)


@pytest.mark.parametrize("message_type", [None, "LtiSubmissionReviewRequest"])
def test_a_missing_or_unsupported_message_type_is_refused(driver, site_a, app, caplog,
                                                          message_type):
    result = driver.forged_launch(site_a, "2", "101", message_type=message_type)
    assert_refused(result, "message_type", caplog, app)


@pytest.mark.parametrize("roles", [None, "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"])
def test_a_missing_or_malformed_roles_claim_is_refused(driver, site_a, app, caplog, roles):
    result = driver.forged_launch(site_a, "2", "101", roles=roles)
    assert_refused(result, "roles", caplog, app)


def test_a_missing_deployment_id_is_refused(driver, site_a, app, caplog):
    result = driver.forged_launch(site_a, "2", "101", deployment_id=None)
    assert_refused(result, "deployment", caplog, app)


def test_an_unregistered_deployment_id_is_refused(driver, site_a, app, caplog):
    result = driver.forged_launch(site_a, "2", "101", deployment_id="99")
    assert_refused(result, "deployment", caplog, app)


def test_a_deployment_of_another_platform_is_refused(driver, site_a, site_b, app, caplog):
    # Both sites use deployment "1"; a registration's deployments belong to it alone.
    result = driver.forged_launch(site_a, "2", "101", deployment_id="1",
                                  aud=site_b.client_id, azp=site_b.client_id)
    assert_refused(result, "audience", caplog, app)


@pytest.mark.parametrize("resource_link", [None, {"title": "Portfolio"}, {"id": ""}])
def test_a_resource_link_launch_without_resource_link_id_is_refused(driver, site_a, app, caplog,
                                                                    resource_link):
    result = driver.forged_launch(site_a, "2", "101", resource_link=resource_link)
    assert_refused(result, "resource_link", caplog, app)


@pytest.mark.parametrize("sub", [None, ""])
def test_a_missing_sub_is_refused(driver, site_a, app, caplog, sub):
    result = driver.forged_launch(site_a, "2", "101", sub=sub)
    assert_refused(result, "sub", caplog, app)


def test_a_sub_longer_than_255_characters_is_refused(driver, site_a, app, caplog):
    result = driver.forged_launch(site_a, "2", "101", sub="7" * 256)
    assert_refused(result, "sub", caplog, app)


def test_a_sub_of_255_characters_is_accepted(driver, site_a, app):
    result = driver.forged_launch(site_a, "2", "101", sub="7" * 255)
    assert result.status == 200, result.response.text
    assert launch_rows(app)["users"] == 1


@pytest.mark.parametrize("claims", [
    {"name": "\x00"},
    {"sub": "7\x00"},
    {"context": {"id": "12", "title": "Cours\x00"}},
    {"https://purl.imsglobal.org/spec/lti/claim/custom": {"note\x00": "x"}},
])
def test_a_claim_holding_a_nul_character_is_refused(driver, site_a, app, caplog, claims):
    # PostgreSQL cannot store a NUL in a text column: the launch is refused before any write.
    result = driver.forged_launch(site_a, "2", "101", **claims)
    assert_refused(result, "claim_encoding", caplog, app)
    assert "caractères qui ne sont pas autorisés" in html.unescape(result.response.text)


# ----- time ------------------------------------------------------------------------------------

def test_a_token_expired_beyond_the_leeway_is_refused(driver, site_a, app, caplog):
    issued = now(site_a) - 180
    result = driver.forged_launch(site_a, "2", "101", iat=issued, exp=issued + 60)
    assert_refused(result, "expired", caplog, app)


def test_a_token_issued_in_the_future_beyond_the_leeway_is_refused(driver, site_a, app, caplog):
    issued = now(site_a) + 120
    result = driver.forged_launch(site_a, "2", "101", iat=issued, exp=issued + 60)
    assert_refused(result, "expired", caplog, app)


@pytest.mark.parametrize("missing", ["iat", "exp"])
def test_a_token_without_iat_or_exp_is_refused(driver, site_a, app, caplog, missing):
    result = driver.forged_launch(site_a, "2", "101", **{missing: None})
    assert_refused(result, "expired", caplog, app)


def test_a_token_not_valid_before_a_time_beyond_the_leeway_is_refused(driver, site_a, app,
                                                                       caplog):
    result = driver.forged_launch(site_a, "2", "101", nbf=now(site_a) + 120)
    assert_refused(result, "expired", caplog, app)


@pytest.mark.parametrize("claim", ["iat", "exp", "nbf"])
@pytest.mark.parametrize("value", ["tomorrow", float("nan"), float("inf")])
def test_a_validity_time_that_is_not_a_number_is_refused(driver, site_a, app, caplog, claim,
                                                         value):
    result = driver.forged_launch(site_a, "2", "101", **{claim: value})
    assert_refused(result, "expired", caplog, app)


@pytest.mark.parametrize("skew", [30, -30])
def test_a_platform_clock_30_seconds_off_is_accepted(driver, site_a, skew):
    site_a.clock_skew_seconds = skew
    result = driver.launch(site_a, "2", "101")
    assert result.status == 200, result.response.text


def test_a_token_that_expired_within_the_leeway_is_accepted(driver, site_a):
    issued = now(site_a) - 80
    result = driver.forged_launch(site_a, "2", "101", iat=issued, exp=issued + 60)
    assert result.status == 200, result.response.text


# ----- issuer and audience ---------------------------------------------------------------------

def test_an_unknown_issuer_is_refused(driver, site_a, app, caplog):
    result = driver.forged_launch(site_a, "2", "101", iss="https://moodle.unknown.example")
    assert_refused(result, "issuer", caplog, app)


def test_a_missing_issuer_is_refused(driver, site_a, app, caplog):
    result = driver.forged_launch(site_a, "2", "101", iss=None)
    assert_refused(result, "issuer", caplog, app)


@pytest.mark.parametrize("aud", ["another-tool", ["another-tool"], None, [], 42])
def test_an_audience_without_our_client_id_is_refused(driver, site_a, app, caplog, aud):
    result = driver.forged_launch(site_a, "2", "101", aud=aud)
    assert_refused(result, "audience", caplog, app)


@pytest.mark.parametrize("azp", [None, "another-tool"])
def test_several_audiences_without_azp_naming_us_are_refused(driver, site_a, app, caplog, azp):
    result = driver.forged_launch(site_a, "2", "101", aud=[site_a.client_id, "another-tool"],
                                  azp=azp)
    assert_refused(result, "audience", caplog, app)


@pytest.mark.parametrize("aud", ["client-id", ["client-id"]], ids=["string", "list-of-one"])
def test_an_azp_naming_another_client_than_aud_is_refused(driver, site_a, app, caplog, aud):
    aud = site_a.client_id if aud == "client-id" else [site_a.client_id]
    result = driver.forged_launch(site_a, "2", "101", aud=aud, azp="another-tool")
    assert_refused(result, "audience", caplog, app)


def test_a_single_audience_without_azp_is_accepted(driver, site_a):
    result = driver.forged_launch(site_a, "2", "101", aud=[site_a.client_id], azp=None)
    assert result.status == 200, result.response.text


def test_several_audiences_with_azp_naming_us_are_accepted(driver, site_a):
    result = driver.forged_launch(site_a, "2", "101", aud=["another-tool", site_a.client_id],
                                  azp=site_a.client_id)
    assert result.status == 200, result.response.text


# ----- nonce and state -------------------------------------------------------------------------

def test_a_replayed_id_token_is_refused(driver, site_a, app, caplog):
    login = driver.start_login(site_a, "2", "101")
    action, fields = driver.platform_auth(login)
    assert driver.post_launch(fields, login.cookies, action).status == 200
    rows = launch_rows(app)
    replay = driver.post_launch(fields, login.cookies, action)
    assert_refused(replay, "nonce", caplog, app, rows=rows)


def test_a_nonce_the_tool_never_issued_is_refused(driver, site_a, app, caplog):
    token = site_a.sign(site_a.launch_claims("2", "101", nonce="never-issued-by-the-tool"))
    result = driver.forged_launch(site_a, "2", "101", token=token)
    assert_refused(result, "nonce", caplog, app)


def _nonce_issued(secret_key, lifetime: int, seconds_ago: int, monkeypatch) -> str:
    """A nonce made by the tool's own nonce maker, as it would have been ``seconds_ago``."""
    real_time = time.time
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: real_time() - seconds_ago)
        return adapter.Nonces(secret_key, None, lifetime).issue()


def test_a_nonce_older_than_the_launch_lifetime_is_refused(driver, site_a, app, caplog,
                                                            monkeypatch):
    lifetime = app.config["LAUNCH_SESSION_SECONDS"]
    login = driver.start_login(site_a, "2", "101")
    for seconds_ago, status in ((lifetime + 5, None), (5, 200)):
        nonce = _nonce_issued(app.secret_key, lifetime, seconds_ago, monkeypatch)
        token = site_a.sign(site_a.launch_claims("2", "101", nonce=nonce))
        result = driver.post_launch({"id_token": token, "state": login.state}, login.cookies)
        if status is None:
            assert_refused(result, "nonce", caplog, app)
        else:  # the same nonce maker, a moment ago: accepted
            assert result.status == status


def test_a_nonce_signed_with_another_key_is_refused(driver, site_a, app, caplog, monkeypatch):
    nonce = _nonce_issued("another tool's key", app.config["LAUNCH_SESSION_SECONDS"], 0,
                          monkeypatch)
    token = site_a.sign(site_a.launch_claims("2", "101", nonce=nonce))
    result = driver.forged_launch(site_a, "2", "101", token=token)
    assert_refused(result, "nonce", caplog, app)


def test_a_token_without_nonce_is_refused(driver, site_a, app, caplog):
    claims = site_a.launch_claims("2", "101")
    del claims["nonce"]
    result = driver.forged_launch(site_a, "2", "101", token=site_a.sign(claims))
    assert_refused(result, "nonce", caplog, app)


def test_the_nonce_of_another_login_cannot_be_used_twice(driver, site_a, app, caplog):
    """A nonce issued to one login and used there cannot serve a second, valid state."""
    first = driver.start_login(site_a, "2", "101")
    token = site_a.sign(site_a.launch_claims("2", "101", nonce=first.nonce))
    assert driver.post_launch({"id_token": token, "state": first.state},
                              first.cookies).status == 200
    rows = launch_rows(app)
    result = driver.forged_launch(site_a, "2", "101", token=token)
    assert_refused(result, "nonce", caplog, app, rows=rows)


def test_a_state_that_does_not_match_the_browser_cookie_is_refused(driver, site_a, app, caplog):
    result = driver.forged_launch(site_a, "2", "101", state="a-state-of-another-browser")
    assert_refused(result, "state_not_bound", caplog, app)


def test_a_launch_without_state_is_refused(driver, site_a, app, caplog):
    login = driver.start_login(site_a, "2", "101")
    token = site_a.sign(site_a.launch_claims("2", "101", nonce=login.nonce))
    result = driver.post_launch({"id_token": token}, login.cookies)
    assert_refused(result, "state", caplog, app)


def test_the_state_cookie_of_another_login_does_not_bind_this_state(driver, site_a, app, caplog):
    mine = driver.start_login(site_a, "2", "101")
    other = driver.start_login(site_a, "3", "101")
    token = site_a.sign(site_a.launch_claims("2", "101", nonce=mine.nonce))
    result = driver.post_launch({"id_token": token, "state": mine.state}, other.cookies)
    assert result.status in (400, 401)
    assert [r["reason"] for r in logged_refusals(caplog)] == ["state_not_bound"]
    assert launch_rows(app) == NO_ROWS


def test_a_launch_from_a_browser_that_kept_no_cookie_is_refused(driver, site_a, app, caplog):
    login = driver.start_login(site_a, "2", "101")
    action, fields = driver.platform_auth(login)
    result = driver.post_launch(fields, cookies={}, action=action)
    assert_refused(result, "state_not_bound", caplog, app)


def test_a_browser_that_refuses_cookies_in_the_frame_is_offered_a_new_window(driver, site_a,
                                                                             app):
    login_params = site_a.login_params("2", "101")
    framed = driver.http.post(driver.tool_url + "/lti/login", data=login_params,
                              allow_redirects=False)
    # Inside a frame the answer is a page that checks the cookie came back before going on.
    assert framed.status_code == 200
    assert '<html lang="fr">' in framed.text
    assert "Ouvrir l'outil dans une nouvelle fenêtre" in framed.text
    new_window_link = link_href(framed.text, 'target="_blank"')
    assert urlsplit(new_window_link).path == "/lti/login"
    offered = {k: v[0] for k, v in parse_qs(urlsplit(new_window_link).query).items()}
    assert offered.pop("lti1p3_new_window") == "1"
    assert offered == login_params

    # In a top-level window the cookie is first-party: the same login goes through.
    new_window = driver.http.get(driver.tool_url + new_window_link, allow_redirects=False)
    assert new_window.status_code == 302
    auth_url = new_window.headers["Location"]
    assert auth_url.startswith(site_a.auth_url + "?")
    state = parse_qs(urlsplit(auth_url).query)["state"][0]
    cookies = {c.name: c.value for c in new_window.cookies}
    assert cookies[f"lti1p3-{state}"] == state
    action, fields = parse_autopost_form(driver.http.get(auth_url).text)
    assert driver.post_launch(fields, cookies, action).status == 200
    assert launch_rows(app)["users"] == 1


def link_href(page: str, marker: str) -> str:
    """The href of the first <a> whose tag contains ``marker`` (HTML entities decoded)."""
    start = page.index(marker)
    tag = page[page.rindex("<a ", 0, start):page.index(">", start)]
    return html.unescape(tag.split('href="', 1)[1].split('"', 1)[0])


# ----- language --------------------------------------------------------------------------------

def test_the_refusal_page_is_in_english_when_the_browser_asks(driver, site_a, app, caplog):
    driver.http.headers["Accept-Language"] = "en-GB,en;q=0.9"
    result = driver.forged_launch(site_a, "2", "101", headers={"kid": None})
    assert result.status == 400
    assert '<html lang="en">' in result.response.text
    assert REFUSED_TITLE_EN in result.response.text
    assert "<code>kid</code>" in result.response.text
    assert launch_rows(app) == NO_ROWS


# ----- login -----------------------------------------------------------------------------------

def login_answer(driver, method: str, params: dict[str, str]) -> requests.Response:
    url = driver.tool_url + "/lti/login"
    if method == "GET":
        return driver.http.get(url, params=params, allow_redirects=False)
    return driver.http.post(url, data=params, allow_redirects=False)


def assert_login_refused(response: requests.Response, caplog, reason: str = "login_params"):
    assert response.status_code == 400, response.text
    assert '<html lang="fr">' in response.text
    assert REFUSED_TITLE_FR in response.text
    assert f"<code>{reason}</code>" in response.text
    assert [r["reason"] for r in logged_refusals(caplog, "login")] == [reason]
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("missing", ["iss", "login_hint"])
def test_a_login_without_iss_or_login_hint_is_refused(driver, site_a, caplog, method, missing):
    params = site_a.login_params("2", "101")
    del params[missing]
    assert_login_refused(login_answer(driver, method, params), caplog)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_login_from_an_unknown_issuer_is_refused(driver, site_a, caplog, method):
    params = {**site_a.login_params("2", "101"), "iss": "https://moodle.unknown.example"}
    assert_login_refused(login_answer(driver, method, params), caplog, "registration")


def test_a_login_with_an_unregistered_client_id_is_refused(driver, site_a, caplog):
    params = {**site_a.login_params("2", "101"), "client_id": "not-our-client-id"}
    assert_login_refused(login_answer(driver, "POST", params), caplog, "registration")


def test_a_token_issued_long_ago_is_refused_even_with_a_far_expiry(driver, site_a, app, caplog):
    """exp far in the future does not make an old id_token acceptable."""
    issued = int(time.time()) - 3600
    result = driver.forged_launch(site_a, "2", "101", iat=issued, exp=issued + 86400 * 30)
    assert result.status == 400
    assert "<code>expired</code>" in result.response.text
