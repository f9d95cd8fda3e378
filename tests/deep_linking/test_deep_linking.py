"""Deep Linking: a teacher chooses what to place in her course; the tool answers with a signed
LtiDeepLinkingResponse the platform accepts and turns into activities and gradebook columns."""
from __future__ import annotations

import json
import re
from html import unescape

import jwt
import pytest
import requests
from jwt.algorithms import RSAAlgorithm

from lti_tool.deep_linking.services import DeepLinkingUnavailable, read_settings
from lti_tool.deep_linking.views import unavailable_message
from lti_tool.demo.platform import parse_autopost_form
from tests.cohorts.pages import ToolPages

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
TEACHER_A, PARTICIPANT_A = "4", "2"
ALL_ITEMS = 14  # portfolio, 6 pillars, 3 seminars, case study, 3 assessments


def deep_link_launch(driver, tool_url, site, user_id, **settings) -> tuple[ToolPages, dict]:
    """A genuine "Select content" launch with these deep linking settings; returns the tool
    pages of the launch and the settings the platform sent."""
    original = site.login_params

    def with_settings(user, activity=None, deep_linking=False, **kwargs):
        return original(user, activity, deep_linking=deep_linking,
                        deep_linking_settings=settings or None, **kwargs)

    site.login_params = with_settings
    try:
        result = driver.launch(site, user_id, deep_linking=True)
    finally:
        del site.login_params
    assert result.status == 200, result.response.text[:500]
    assert "/deep-linking/" in result.location
    sent = site.id_tokens_issued[-1][DL + "deep_linking_settings"]
    return ToolPages(driver, tool_url, result.token), sent


def choose(pages: ToolPages, *names: str) -> requests.Response:
    page = pages.get("/deep-linking/")
    assert page.status_code == 200, page.text[:500]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return pages.driver.http.post(pages.tool_url + "/deep-linking/",
                                  data={"lt": pages.token, "csrf_token": unescape(csrf),
                                        "item": list(names)}, allow_redirects=False)


def tool_public_key(tool_url: str, kid: str):
    keyset = requests.get(tool_url + "/lti/jwks.json", timeout=5).json()
    [jwk] = [key for key in keyset["keys"] if key["kid"] == kid]
    return RSAAlgorithm.from_jwk(json.dumps(jwk))


def decoded_response(tool_url: str, response: requests.Response, site) -> tuple[str, dict]:
    """The return URL and the verified claims of the auto-post page's JWT."""
    assert response.status_code == 200, response.text[:500]
    action, fields = parse_autopost_form(response.text)
    token = fields["JWT"]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    claims = jwt.decode(token, tool_public_key(tool_url, header["kid"]), algorithms=["RS256"],
                        audience=site.issuer)
    return unescape(action), claims


def test_the_teacher_sees_everything_she_can_place(driver, tool_server, site_a):
    pages, _settings = deep_link_launch(driver, tool_server.url, site_a, TEACHER_A)
    page = pages.get("/deep-linking/")
    assert page.status_code == 200
    assert page.text.count('type="checkbox" name="item"') == ALL_ITEMS
    for text in ("Le portfolio réflexif", "Portfolio : Pilier 3", "Journal : Séminaire 2",
                 "Journal : Le cas d'organisation publique", "Évaluation : Épreuve orale"):
        assert text in unescape(page.text), text
    assert "Sélectionner un contenu" in page.text


def test_the_response_is_signed_complete_and_accepted_by_the_platform(driver, tool_server,
                                                                      site_a):
    pages, settings = deep_link_launch(driver, tool_server.url, site_a, TEACHER_A)
    response = choose(pages, "portfolio/pillar-3", "assessment/oral-exam")
    assert 'src="/static/deep_linking.js"' in response.text
    assert "<script>" not in response.text
    action, claims = decoded_response(tool_server.url, response, site_a)

    assert action == settings["deep_link_return_url"]
    assert claims["iss"] == site_a.client_id
    assert claims["aud"] == site_a.issuer
    assert claims["nonce"]
    assert claims["iat"] <= claims["exp"]
    assert claims[LTI + "deployment_id"] == site_a.deployment_id
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "version"] == "1.3.0"
    assert claims[DL + "data"] == settings["data"]
    pillar, oral = claims[DL + "content_items"]
    assert pillar["type"] == "ltiResourceLink"
    assert pillar["url"] == tool_server.url + "/lti/launch/portfolio/pillar-3"
    assert pillar["title"].startswith("Portfolio : Pilier 3")
    assert "iframe" in pillar and "window" not in pillar
    assert "lineItem" not in pillar
    assert oral["url"] == tool_server.url + "/lti/launch/assessment/oral-exam"
    assert oral["lineItem"] == {"label": "Évaluation : Épreuve orale", "scoreMaximum": 20,
                                "resourceId": "oral-exam", "tag": "assessment"}

    # The browser posts the form to the platform, which checks and applies it.
    fields = parse_autopost_form(response.text)[1]
    returned = driver.http.post(action, data=fields)
    assert returned.status_code == 200, returned.text[:500]
    [result] = site_a.deep_link_results
    assert result["status"] == 200 and len(result["activities"]) == 2
    columns = [item for item in site_a.gradebook().values() if item["resource_id"] == "oral-exam"]
    assert len(columns) == 1
    assert columns[0]["score_maximum"] == 20 and columns[0]["tag"] == "assessment"
    new_activity = site_a.activities[result["activities"][0]]
    assert new_activity.target == tool_server.url + "/lti/launch/portfolio/pillar-3"


def test_data_of_any_shape_is_echoed_verbatim(driver, tool_server, site_a):
    data = {"csrf": "abc", "n": [1, 2, {"deep": "é"}]}
    pages, _settings = deep_link_launch(driver, tool_server.url, site_a, TEACHER_A, data=data)
    _action, claims = decoded_response(tool_server.url, choose(pages, "portfolio"), site_a)
    assert claims[DL + "data"] == data


def test_a_single_item_when_the_platform_accepts_only_one(driver, tool_server, site_a):
    pages, _settings = deep_link_launch(driver, tool_server.url, site_a, TEACHER_A,
                                        accept_multiple=False)
    page = pages.get("/deep-linking/")
    assert page.text.count('type="radio" name="item"') == ALL_ITEMS
    assert 'type="checkbox"' not in page.text

    refused = choose(pages, "portfolio", "seminar-1")
    assert refused.status_code == 400
    assert "Choisissez un seul élément" in unescape(refused.text)
    assert 'name="JWT"' not in refused.text

    response = choose(pages, "seminar-1")
    action, claims = decoded_response(tool_server.url, response, site_a)
    assert [item["url"] for item in claims[DL + "content_items"]] == [
        tool_server.url + "/lti/launch/seminar-1"]
    assert driver.http.post(action, data=parse_autopost_form(response.text)[1]).status_code == 200
    assert site_a.deep_link_results[-1]["status"] == 200


def test_nothing_chosen_or_an_unknown_item_is_asked_again(driver, tool_server, site_a):
    pages, _settings = deep_link_launch(driver, tool_server.url, site_a, TEACHER_A)
    for names in ((), ("assessment/unknown",)):
        refused = choose(pages, *names)
        assert refused.status_code == 400
        assert "Choisissez ce qu’il faut placer" in unescape(refused.text)


def test_a_window_when_the_platform_does_not_accept_a_frame(driver, tool_server, site_a):
    pages, _settings = deep_link_launch(driver, tool_server.url, site_a, TEACHER_A,
                                        accept_presentation_document_targets=["window"])
    _action, claims = decoded_response(tool_server.url, choose(pages, "case-study"), site_a)
    [item] = claims[DL + "content_items"]
    assert "window" in item and "iframe" not in item


def test_a_platform_accepting_only_other_windows_is_explained(driver, tool_server, site_a):
    pages, _sent = deep_link_launch(driver, tool_server.url, site_a, TEACHER_A,
                                    accept_presentation_document_targets=["embed"])
    page = pages.get("/deep-linking/")
    assert "ni un cadre intégré ni une nouvelle fenêtre" in unescape(page.text)
    assert 'name="item"' not in page.text


def test_a_request_accepting_no_resource_link_is_refused(driver, tool_server, site_a, app):
    # pylti1p3 refuses the launch itself; the tool's own check stands behind it.
    original = site_a.login_params
    site_a.login_params = lambda user, activity=None, deep_linking=False, **kwargs: original(
        user, activity, deep_linking=deep_linking,
        deep_linking_settings={"accept_types": ["link", "html"]}, **kwargs)
    try:
        result = driver.launch(site_a, TEACHER_A, deep_linking=True)
    finally:
        del site_a.login_params
    assert result.status == 400
    assert 'name="item"' not in result.response.text
    assert "deep_linking_types" in result.response.text
    assert "uniquement des activités (liens LTI)" in unescape(result.response.text)
    with app.test_request_context():
        with pytest.raises(DeepLinkingUnavailable) as refused:
            read_settings({DL + "deep_linking_settings": {
                "deep_link_return_url": "https://moodle.example/return",
                "accept_types": ["link"], "accept_presentation_document_targets": ["iframe"]}})
        assert refused.value.reason == "no_resource_link"
        assert "n’accepte pas ici de liens vers l’outil" in unavailable_message("no_resource_link")


def test_a_learner_is_refused(driver, tool_server, site_a):
    assert driver.launch(site_a, PARTICIPANT_A, deep_linking=True).status == 403
    learner = driver.launch(site_a, PARTICIPANT_A, "101")
    forged = driver.http.post(tool_server.url + "/deep-linking/",
                              data={"lt": learner.token, "item": "portfolio"})
    assert forged.status_code in (400, 403)
    assert 'name="JWT"' not in forged.text


def test_without_a_launch_or_from_a_resource_link_launch(driver, tool_server, site_a):
    assert driver.http.get(tool_server.url + "/deep-linking/").status_code == 401
    result = driver.launch(site_a, TEACHER_A, "101")
    page = ToolPages(driver, tool_server.url, result.token).get("/deep-linking/")
    assert page.status_code == 400
    assert "Sélectionner un contenu" in page.text and 'name="item"' not in page.text
