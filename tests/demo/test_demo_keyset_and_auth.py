"""The platform keyset and the OIDC authentication endpoint (auth.php), over HTTP."""

from __future__ import annotations

import json
import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from lti_tool.demo.models import (AGS_ENDPOINT_CLAIM, DL_CLAIM, LTI_CLAIM, NRPS_CLAIM,
                                  ROLE_INSTITUTION_ADMIN, ROLE_INSTRUCTOR, ROLE_LEARNER,
                                  ROLE_SYSTEM_ADMIN, DemoActivity, DemoCourse, DemoUser)
from lti_tool.demo.platform import PlatformSite, parse_autopost_form, serve_platform


def published_key(site: PlatformSite, kid: str):
    keys = requests.get(site.certs_url, timeout=5).json()["keys"]
    return jwt.PyJWK({k: v for k, v in next(key for key in keys if key["kid"] == kid).items()}).key


def decode_id_token(site: PlatformSite, token: str) -> dict:
    kid = jwt.get_unverified_header(token)["kid"]
    return jwt.decode(token, published_key(site, kid), algorithms=["RS256"],
                      audience=site.client_id)


def auth_params(site: PlatformSite, login: dict, **changes: str) -> dict:
    params = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post",
              "prompt": "none", "client_id": login["client_id"],
              "redirect_uri": site.tool_redirect_uri, "login_hint": login["login_hint"],
              "lti_message_hint": login["lti_message_hint"], "state": "state-123",
              "nonce": "nonce-456"}
    params.update(changes)
    return {name: value for name, value in params.items() if value is not None}


def launch_via_auth(site: PlatformSite, user_id: str, activity_id: str | None = None,
                    **login_options) -> dict:
    login = site.login_params(user_id, activity_id, **login_options)
    response = requests.get(site.auth_url, params=auth_params(site, login), timeout=5)
    assert response.status_code == 200, response.text
    action, fields = parse_autopost_form(response.text)
    assert action == site.tool_redirect_uri
    assert fields["state"] == "state-123"
    return decode_id_token(site, fields["id_token"])


def test_keyset_publishes_rsa_keys_in_moodle_format_and_keeps_rotated_keys(site_a):
    first = requests.get(site_a.certs_url, timeout=5)
    assert first.status_code == 200
    (key,) = first.json()["keys"]
    assert set(key) == {"kty", "kid", "alg", "use", "n", "e"}
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")

    new_key = site_a.rotate_key()
    kids = [k["kid"] for k in requests.get(site_a.certs_url, timeout=5).json()["keys"]]
    assert kids == [key["kid"], new_key.kid]
    token = site_a.sign(site_a.launch_claims("2", "101"))
    assert jwt.get_unverified_header(token)["kid"] == new_key.kid


def test_login_initiation_parameters_are_moodles(site_a, tool):
    login = site_a.login_params("2", "105")
    assert login["iss"] == site_a.issuer and not login["iss"].endswith("/")
    assert login["target_link_uri"] == tool.url + "/lti/launch/portfolio/pillar-4"
    assert login["login_hint"] == "2"
    assert login["client_id"] == "cimp-univ-a" and login["lti_deployment_id"] == "1"
    assert json.loads(login["lti_message_hint"])["cmid"] == "105"


def test_auth_answers_a_signed_id_token_with_moodles_claims(site_a, tool):
    claims = launch_via_auth(site_a, "2", "112")
    assert claims["iss"] == site_a.issuer
    assert claims["sub"] == "2" and claims["azp"] == site_a.client_id
    assert claims["nonce"] == "nonce-456"
    assert claims["exp"] - claims["iat"] == 60
    assert claims[LTI_CLAIM + "message_type"] == "LtiResourceLinkRequest"
    assert claims[LTI_CLAIM + "version"] == "1.3.0"
    assert claims[LTI_CLAIM + "deployment_id"] == "1"
    assert claims[LTI_CLAIM + "target_link_uri"] == (
        tool.url + "/lti/launch/assessment/collective-report")
    assert claims[LTI_CLAIM + "resource_link"]["id"] == "112"
    assert claims[LTI_CLAIM + "roles"] == [ROLE_LEARNER]
    assert claims[LTI_CLAIM + "context"]["id"] == "12"
    assert claims[LTI_CLAIM + "launch_presentation"]["document_target"] == "iframe"
    assert claims[LTI_CLAIM + "tool_platform"]["product_family_code"] == "moodle"
    assert (claims["given_name"], claims["email"]) == ("Amélie", "amelie.dubois@univ-a.example")
    ags = claims[AGS_ENDPOINT_CLAIM]
    assert ags["lineitems"] == f"{site_a.issuer}/services/12/lineitems?type_id=1"
    assert ags["lineitem"].startswith(f"{site_a.issuer}/services/12/lineitems/")
    assert ags["lineitem"].endswith("/lineitem?type_id=1")
    assert claims[NRPS_CLAIM] == {
        "context_memberships_url": f"{site_a.issuer}/services/12/memberships",
        "service_versions": ["2.0"]}


def test_query_string_of_a_link_target_is_kept(site_a, tool):
    claims = launch_via_auth(site_a, "3", "109")
    assert claims[LTI_CLAIM + "target_link_uri"] == tool.url + "/lti/launch?target=seminar-2"


def test_roles_of_teacher_juror_and_site_admin(site_a):
    assert launch_via_auth(site_a, "4", "101")[LTI_CLAIM + "roles"] == [ROLE_INSTRUCTOR]
    assert launch_via_auth(site_a, "5", "101")[LTI_CLAIM + "roles"] == [ROLE_INSTRUCTOR]
    assert launch_via_auth(site_a, "9", "101")[LTI_CLAIM + "roles"] == [
        ROLE_INSTITUTION_ADMIN, ROLE_INSTRUCTOR, ROLE_SYSTEM_ADMIN]


def test_privacy_settings_withhold_names_and_email(site_a):
    site_a.send_names = False
    site_a.send_email = False
    claims = launch_via_auth(site_a, "2", "101")
    assert not {"name", "given_name", "family_name", "email"} & set(claims)


@pytest.mark.parametrize("changes, error", [
    ({"redirect_uri": "https://elsewhere.example/lti/launch"}, "invalid_request"),
    ({"prompt": None}, "invalid_request"),
    ({"response_mode": "query"}, "invalid_request"),
    ({"scope": "openid profile"}, "invalid_scope"),
    ({"response_type": "code"}, "unsupported_response_type"),
    ({"client_id": "someone-else"}, "unauthorized_client"),
    ({"nonce": None}, "invalid_request"),
    ({"login_hint": "3"}, "access_denied"),
    ({"lti_message_hint": "not json"}, "invalid_request"),
])
def test_auth_refuses_bad_requests(site_a, changes, error):
    login = site_a.login_params("2", "101")
    response = requests.post(site_a.auth_url, data=auth_params(site_a, login, **changes),
                             timeout=5)
    assert response.status_code == 400
    assert error in response.text
    assert "id_token" not in parse_autopost_form(response.text)[1]


def test_auth_posts_the_error_back_only_to_a_registered_redirect_uri(site_a):
    login = site_a.login_params("2", "101")
    refused = requests.get(site_a.auth_url, params=auth_params(site_a, login, prompt="login"),
                           timeout=5)
    action, fields = parse_autopost_form(refused.text)
    assert action == site_a.tool_redirect_uri
    assert fields["error"] == "invalid_request" and fields["state"] == "state-123"
    unregistered = requests.get(site_a.auth_url, timeout=5, params=auth_params(
        site_a, site_a.login_params("2", "101"), redirect_uri="https://evil.example/"))
    assert parse_autopost_form(unregistered.text)[0] is None


def test_a_login_can_be_completed_only_once(site_a):
    login = site_a.login_params("2", "101")
    first = requests.get(site_a.auth_url, params=auth_params(site_a, login), timeout=5)
    again = requests.get(site_a.auth_url, params=auth_params(site_a, login), timeout=5)
    assert (first.status_code, again.status_code) == (200, 400)


def test_imported_link_has_no_lineitem_until_the_tool_creates_one_then_an_empty_one(site_a):
    claims = site_a.launch_claims("2", "114")
    assert "lineitem" not in claims[AGS_ENDPOINT_CLAIM]
    site_a.create_lineitem("12", {"label": "Oral", "scoreMaximum": 20, "resourceLinkId": "114"})
    assert site_a.launch_claims("2", "114")[AGS_ENDPOINT_CLAIM]["lineitem"] == ""


def test_roster_claim_only_once_the_course_has_an_activity_bound_to_the_tool(tool):
    site = PlatformSite(
        slug="imported-only", name="Cours importé", client_id="c",
        users=[DemoUser("2", "Ana", "Lopes", "ana@example.org")],
        courses=[DemoCourse("5", "IMP", "Importé", {"2": "student"})],
        activities=[DemoActivity("1", "5", "Pilier 1", "/lti/launch/portfolio/pillar-1",
                                 imported=True)])
    site.set_tool_urls(tool.url)
    with serve_platform([site]):
        assert NRPS_CLAIM not in site.launch_claims("2", "1")
        bound = DemoActivity("2", "5", "Portfolio", "/lti/launch/portfolio")
        site.add_activity(bound)
        assert NRPS_CLAIM in site.launch_claims("2", "1")


def test_custom_parameters_are_named_as_moodle_names_them(tool):
    site = PlatformSite(
        slug="custom", name="Custom", client_id="c",
        users=[DemoUser("2", "Ana", "Lopes", "ana@example.org")],
        courses=[DemoCourse("5", "C", "Cours", {"2": "student"})],
        activities=[DemoActivity("1", "5", "A", "/lti/launch", custom={"Pillar-Id": "3"})])
    site.set_tool_urls(tool.url)
    with serve_platform([site]):
        assert site.launch_claims("2", "1")[LTI_CLAIM + "custom"] == {"pillar_id": "3"}


def test_deep_linking_launch_carries_configured_settings(site_a, tool):
    claims = launch_via_auth(site_a, "4", deep_linking=True,
                             deep_linking_settings={"accept_multiple": False})
    assert claims[LTI_CLAIM + "message_type"] == "LtiDeepLinkingRequest"
    assert LTI_CLAIM + "resource_link" not in claims
    settings = claims[DL_CLAIM + "deep_linking_settings"]
    assert settings["deep_link_return_url"].startswith(site_a.issuer + "/deeplink/return?")
    assert settings["accept_types"] == ["ltiResourceLink"]
    assert settings["accept_presentation_document_targets"] == ["iframe", "window"]
    assert settings["accept_multiple"] is False
    assert isinstance(settings["data"], str) and settings["data"]


def test_forged_messages_fail_verification_against_the_published_keys(site_a):
    claims = site_a.launch_claims("2", "101", roles=["Instructor"], context=None)
    assert claims[LTI_CLAIM + "roles"] == ["Instructor"]
    assert LTI_CLAIM + "context" not in claims
    assert "kid" not in jwt.get_unverified_header(site_a.sign(claims, headers={"kid": None}))
    assert jwt.get_unverified_header(site_a.sign(claims, algorithm="none"))["alg"] == "none"
    assert jwt.get_unverified_header(site_a.sign(claims, algorithm="HS256"))["alg"] == "HS256"
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = site_a.sign(claims, key=other_key)
    with pytest.raises(jwt.InvalidSignatureError):
        decode_id_token(site_a, forged)
    assert decode_id_token(site_a, site_a.sign(claims))["sub"] == "2"


def test_same_user_id_on_two_sites_is_two_people(site_a, site_b):
    a = site_a.launch_claims("2", "101")
    b = site_b.launch_claims("2", "201")
    assert a["sub"] == b["sub"] == "2"
    assert a["iss"] != b["iss"] and a["name"] != b["name"]
    assert a["aud"] != b["aud"]


def test_claims_for_a_user_outside_the_course_need_forged_roles(tool):
    site = PlatformSite(
        slug="outsider", name="Outsider", client_id="c",
        users=[DemoUser("2", "Ana", "Lopes", "ana@example.org"),
               DemoUser("8", "Guest", "User", "guest@example.org")],
        courses=[DemoCourse("5", "C", "Cours", {"2": "student"})],
        activities=[DemoActivity("1", "5", "A", "/lti/launch/portfolio")])
    site.set_tool_urls(tool.url)
    with serve_platform([site]):
        with pytest.raises(ValueError, match="not enrolled"):
            site.launch_claims("8", "1")
        forged = site.launch_claims("8", "1", roles=["http://example.org/unknown#Role"])
        assert forged[LTI_CLAIM + "roles"] == ["http://example.org/unknown#Role"]


def test_platform_clock_can_run_ahead(site_a):
    site_a.clock_skew_seconds = 30
    claims = site_a.launch_claims("2", "101")
    assert claims["iat"] >= int(time.time()) + 29


def test_lineitem_claim_is_absent_when_a_link_has_several_grade_items(site_a):
    assert site_a.launch_claims("2", "112")[AGS_ENDPOINT_CLAIM]["lineitem"]
    site_a.create_lineitem("12", {"label": "Bonus", "scoreMaximum": 5, "resourceLinkId": "112"})
    assert "lineitem" not in site_a.launch_claims("2", "112")[AGS_ENDPOINT_CLAIM]
