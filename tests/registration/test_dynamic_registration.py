"""GET /lti/register: LTI Dynamic Registration against a Moodle-like platform on 127.0.0.1."""
from __future__ import annotations

import json
import logging
import socket

import jwt
import lxml.html
import pytest

from tests.registration.conftest import TOOL_BASE_URL

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
EXPECTED_SCOPES = {
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
}


def register(tool, query, **kwargs):
    return tool.get("/lti/register", query_string=query, **kwargs)


def refusal_logs(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records
            if r.name == "lti_tool.registration" and "lti.registration.refused" in r.getMessage()]


def assert_refused(response, caplog, stored_platforms, reason: str) -> dict:
    """A clear 4xx page, one structured log line with the reason, and nothing recorded."""
    assert 400 <= response.status_code < 500
    assert "L'outil n'a pas pu être enregistré" in response.text
    assert "Rien n'a été enregistré du côté de l'outil." in response.text
    assert f"<code>{reason}</code>" in response.text
    assert "org.imsglobal.lti.close" not in response.text
    assert "registration.js" not in response.text
    logs = refusal_logs(caplog)
    assert [entry["reason"] for entry in logs] == [reason]
    assert stored_platforms() == []
    return logs[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_registration_sends_the_tool_metadata_and_records_the_platform(
        tool, moodle, stored_platforms):
    token = moodle.registration_token()
    response = register(tool, moodle.registration_start_query(token))

    assert response.status_code == 200
    assert len(moodle.received) == 1
    received = moodle.received[0]
    assert received.authorization == f"Bearer {token}"
    assert received.content_type == "application/json"
    metadata = received.payload
    launch_url = f"{TOOL_BASE_URL}/lti/launch"
    assert metadata["application_type"] == "web"
    assert metadata["response_types"] == ["id_token"]
    assert metadata["grant_types"] == ["implicit", "client_credentials"]
    assert metadata["initiate_login_uri"] == f"{TOOL_BASE_URL}/lti/login"
    assert metadata["redirect_uris"] == [launch_url]
    assert metadata["client_name"] == "CIMP – portfolio et évaluation"
    assert metadata["jwks_uri"] == f"{TOOL_BASE_URL}/lti/jwks.json"
    assert metadata["token_endpoint_auth_method"] == "private_key_jwt"
    assert set(metadata["scope"].split(" ")) == EXPECTED_SCOPES
    configuration = metadata[TOOL_CONFIGURATION]
    assert configuration["domain"] == "cimp.example.org"
    assert configuration["target_link_uri"] == launch_url
    assert configuration["claims"] == ["iss", "sub", "name", "given_name", "family_name", "email"]
    messages = {m["type"]: m for m in configuration["messages"]}
    assert set(messages) == {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}
    assert messages["LtiDeepLinkingRequest"]["target_link_uri"] == launch_url
    assert messages["LtiDeepLinkingRequest"]["label"]
    assert configuration["description"]

    # Moodle created a pending tool type whose id is the deployment id, for the token's client id.
    [tool_type] = moodle.tool_types
    assert tool_type.state == "pending"
    client_id = jwt.decode(token, options={"verify_signature": False})["sub"]
    assert tool_type.client_id == client_id
    root = moodle.wwwroot
    assert stored_platforms() == [(root, client_id, f"{root}/mod/lti/auth.php",
                                   f"{root}/mod/lti/token.php", f"{root}/mod/lti/certs.php",
                                   (str(tool_type.type_id),))]


def test_the_done_page_tells_to_activate_the_tool_and_signals_the_platform(tool, moodle):
    response = register(tool, moodle.registration_start_query())
    assert 'lang="fr"' in response.text
    assert "L'outil est enregistré" in response.text
    assert "en attente" in response.text and "activer" in response.text
    document = lxml.html.fromstring(response.text)
    assert document.xpath("//*[@data-lti-close]")
    scripts = document.findall(".//script")
    assert [s.get("src") for s in scripts] == ["/static/registration.js"]
    assert not any((s.text or "").strip() for s in scripts)
    script = tool.get("/static/registration.js").get_data(as_text=True)
    assert 'subject: "org.imsglobal.lti.close"' in script
    assert "window.opener || window.parent" in script
    assert '"*"' in script


def test_the_done_page_is_english_on_request(tool, moodle):
    response = register(tool, moodle.registration_start_query(),
                        headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "The tool is registered" in response.text and "pending" in response.text


def test_a_base_url_with_a_port_gives_a_domain_with_the_port(tool_app, tool, moodle,
                                                             stored_platforms):
    tool_app.config["BASE_URL"] = "https://cimp.example.org:8443"
    response = register(tool, moodle.registration_start_query())
    assert response.status_code == 200
    assert moodle.received[0].payload[TOOL_CONFIGURATION]["domain"] == "cimp.example.org:8443"
    assert len(stored_platforms()) == 1


def test_an_issuer_on_another_host_is_refused_before_registering(tool, moodle, caplog,
                                                                 stored_platforms):
    moodle.issuer = "https://moodle.other.example"
    response = register(tool, moodle.registration_start_query())
    log = assert_refused(response, caplog, stored_platforms, "issuer_host_mismatch")
    assert "autre hôte" in response.text
    assert "moodle.other.example" in log["detail"]
    assert moodle.configuration_requests == 1 and moodle.received == []


def test_an_issuer_on_another_port_of_the_same_host_is_refused(tool, moodle, caplog,
                                                               stored_platforms):
    moodle.issuer = f"http://127.0.0.1:{free_port()}"
    response = register(tool, moodle.registration_start_query())
    assert_refused(response, caplog, stored_platforms, "issuer_host_mismatch")
    assert moodle.received == []


def test_a_registration_endpoint_on_another_host_does_not_get_the_token(tool, moodle, caplog,
                                                                        stored_platforms):
    document = moodle.configuration()
    document["registration_endpoint"] = document["registration_endpoint"].replace(
        "127.0.0.1", "localhost")
    moodle.configuration_override = document
    response = register(tool, moodle.registration_start_query())
    assert_refused(response, caplog, stored_platforms, "registration_endpoint_host_mismatch")
    assert moodle.received == []


@pytest.mark.parametrize("missing", ["registration_token", "openid_configuration"])
def test_a_request_without_its_parameters_is_refused(tool, moodle, caplog, stored_platforms,
                                                     missing):
    query = moodle.registration_start_query()
    del query[missing]
    response = register(tool, query)
    log = assert_refused(response, caplog, stored_platforms, "missing_parameters")
    assert missing in log["detail"]
    assert moodle.configuration_requests == 0 and moodle.received == []


def test_an_empty_token_is_refused(tool, moodle, caplog, stored_platforms):
    response = register(tool, {**moodle.registration_start_query(), "registration_token": " "})
    assert_refused(response, caplog, stored_platforms, "missing_parameters")
    assert moodle.received == []


def test_a_platform_refusal_is_shown_with_its_message(tool, moodle, caplog, stored_platforms):
    moodle.answer_with = (400, "invalid_redirect_uris")
    response = register(tool, moodle.registration_start_query())
    log = assert_refused(response, caplog, stored_platforms, "registration_refused")
    assert "Réponse de la plateforme" in response.text
    assert "invalid_redirect_uris" in response.text
    assert log["platform_message"] == "invalid_redirect_uris"
    assert "HTTP 400" in log["detail"]


def test_a_platform_message_is_shown_as_text_not_markup(tool, moodle, caplog, stored_platforms):
    moodle.answer_with = (400, "<script>alert(1)</script>" + "x" * 2000)
    response = register(tool, moodle.registration_start_query())
    assert_refused(response, caplog, stored_platforms, "registration_refused")
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "x" * 2000 not in response.text


def test_a_used_token_is_refused_by_the_platform_and_nothing_more_is_recorded(
        tool, moodle, caplog, stored_platforms):
    token = moodle.registration_token()
    assert register(tool, moodle.registration_start_query(token)).status_code == 200
    first = stored_platforms()
    response = register(tool, moodle.registration_start_query(token))
    assert response.status_code == 400
    assert "token_already_used" in response.text
    assert [entry["reason"] for entry in refusal_logs(caplog)] == ["registration_refused"]
    assert stored_platforms() == first and len(moodle.tool_types) == 1


def test_an_expired_token_is_refused_by_the_platform(tool, moodle, caplog, stored_platforms):
    token = moodle.registration_token(expires_in=-10)
    response = register(tool, moodle.registration_start_query(token))
    log = assert_refused(response, caplog, stored_platforms, "registration_refused")
    assert "expired" in log["platform_message"]


def test_an_unreachable_configuration_address_is_refused(tool, caplog, stored_platforms):
    url = f"http://127.0.0.1:{free_port()}/mod/lti/openid-configuration.php"
    response = register(tool, {"openid_configuration": url, "registration_token": "a.b.c"})
    log = assert_refused(response, caplog, stored_platforms, "configuration_unreachable")
    assert "joignable" in response.text
    assert log["configuration_host"] == url.split("/")[2]


def test_a_configuration_address_answering_an_error_is_refused(tool, moodle, caplog,
                                                               stored_platforms):
    url = moodle.wwwroot + "/mod/lti/no-such-page.php"
    response = register(tool, {"openid_configuration": url, "registration_token": "a.b.c"})
    log = assert_refused(response, caplog, stored_platforms, "configuration_unreachable")
    assert "HTTP 404" in log["detail"]
    # Whatever that server answered stays out of the page (the address may be anyone's).
    assert "Not Found" not in response.text and "platform_message" not in log


def test_a_configuration_address_that_is_not_a_web_address_is_refused(
        tool, caplog, stored_platforms):
    response = register(tool, {"openid_configuration": "file:///etc/passwd",
                               "registration_token": "a.b.c"})
    assert_refused(response, caplog, stored_platforms, "bad_configuration_url")


@pytest.mark.parametrize("body", [b"<html><body>Moodle</body></html>", b"[1, 2]", b"\xff\xfe"])
def test_a_configuration_that_is_not_a_json_object_is_refused(tool, moodle, caplog,
                                                              stored_platforms, body):
    moodle.configuration_override = body
    response = register(tool, moodle.registration_start_query())
    assert_refused(response, caplog, stored_platforms, "configuration_not_json")
    assert moodle.received == []


@pytest.mark.parametrize("change, reason", [
    (lambda c: c.pop("https://purl.imsglobal.org/spec/lti-platform-configuration"),
     "platform_unsupported"),
    (lambda c: c.update(id_token_signing_alg_values_supported=["HS256"]), "platform_unsupported"),
    (lambda c: c.update(response_types_supported=["code"]), "platform_unsupported"),
    (lambda c: c.pop("registration_endpoint"), "configuration_incomplete"),
    (lambda c: c.update(token_endpoint="not an address"), "configuration_incomplete"),
    (lambda c: c.pop("issuer"), "configuration_incomplete"),
])
def test_a_configuration_without_what_the_tool_needs_is_refused(tool, moodle, caplog,
                                                                stored_platforms, change, reason):
    document = moodle.configuration()
    change(document)
    moodle.configuration_override = document
    response = register(tool, moodle.registration_start_query())
    assert_refused(response, caplog, stored_platforms, reason)
    assert moodle.received == []


@pytest.mark.parametrize("answer", [
    (200, "not json"),
    (200, json.dumps({"client_id": "abc"})),
    (200, json.dumps({"client_id": "", TOOL_CONFIGURATION: {"deployment_id": "3"}})),
    (201, json.dumps({"client_id": "abc", TOOL_CONFIGURATION: {}})),
])
def test_a_registration_answer_without_client_or_deployment_id_is_refused(
        tool, moodle, caplog, stored_platforms, answer):
    moodle.answer_with = answer
    response = register(tool, moodle.registration_start_query())
    assert_refused(response, caplog, stored_platforms, "registration_response_invalid")


def test_the_token_never_appears_in_the_logs(tool, moodle, caplog):
    caplog.set_level(logging.INFO, logger="lti_tool.registration")
    token = moodle.registration_token()
    register(tool, moodle.registration_start_query(token))
    moodle.answer_with = (400, "invalid_redirect_uris")
    register(tool, moodle.registration_start_query(token))
    messages = [r.getMessage() for r in caplog.records if r.name == "lti_tool.registration"]
    events = [json.loads(m)["event"] for m in messages]
    assert events == ["lti.registration.completed", "lti.registration.refused"]
    assert not any(token in m or token.split(".")[2] in m for m in messages)


def frame_ancestors(response) -> list[str]:
    policy = response.headers["Content-Security-Policy"]
    [directive] = [d.strip() for d in policy.split(";") if d.strip().startswith("frame-ancestors")]
    return directive.split()[1:]


def test_the_platform_being_registered_may_frame_the_registration_pages(tool, moodle):
    """Moodle shows the registration in a frame before the tool knows the platform."""
    assert frame_ancestors(tool.get("/lti/config")) == ["'self'"]
    refused = register(tool, {"openid_configuration": moodle.configuration_url()})
    assert frame_ancestors(refused) == ["'self'", moodle.wwwroot]
    done = register(tool, moodle.registration_start_query())
    assert frame_ancestors(done) == ["'self'", moodle.wwwroot]


def test_a_configuration_far_larger_than_a_configuration_is_refused(tool, moodle, caplog,
                                                                    stored_platforms):
    moodle.configuration_override = b"{" + b" " * 2_000_000 + b"}"
    response = register(tool, moodle.registration_start_query())
    assert_refused(response, caplog, stored_platforms, "response_too_large")
    assert moodle.received == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.1.2.3", "192.168.0.10",
                                  "169.254.169.254", "[::1]"])
def test_a_platform_on_a_private_or_local_address_is_refused_in_production(
        tool_app, tool, caplog, stored_platforms, host):
    """The address comes from the browser: by default the tool never fetches its own network."""
    tool_app.config["REGISTRATION_ALLOW_PRIVATE_ADDRESSES"] = False
    url = f"http://{host}/mod/lti/openid-configuration.php"
    response = register(tool, {"openid_configuration": url, "registration_token": "a.b.c"})
    assert_refused(response, caplog, stored_platforms, "configuration_address_not_public")
    assert "réseau privé ou local" in response.text
