"""Deep Linking return: the platform verifies the tool's signed response and creates activities."""

from __future__ import annotations

import time
import uuid

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from lti_tool.demo.models import AGS_ENDPOINT_CLAIM, DL_CLAIM, LTI_CLAIM, NRPS_CLAIM

ITEMS = [
    {"type": "ltiResourceLink", "title": "Pilier 3 : portfolio",
     "url": "https://tool.example/lti/launch/portfolio/pillar-3", "custom": {"pillar": "3"}},
    {"type": "ltiResourceLink", "title": "Rapport réflexif", "text": "Dépôt du rapport",
     "url": "https://tool.example/lti/launch/assessment/reflective-report",
     "lineItem": {"label": "Rapport réflexif", "scoreMaximum": 20,
                  "resourceId": "reflective-report-2", "tag": "assessment"}},
]


def deep_linking_request(site, user_id="4", **settings) -> dict:
    claims = site.launch_claims(user_id, message_type="LtiDeepLinkingRequest",
                                deep_linking_settings=settings)
    return claims[DL_CLAIM + "deep_linking_settings"]


def response_claims(site, settings: dict, items=ITEMS, **changes) -> dict:
    now = int(time.time())
    claims = {
        "iss": site.client_id, "aud": site.issuer, "iat": now, "exp": now + 300,
        "nonce": uuid.uuid4().hex,
        LTI_CLAIM + "deployment_id": site.deployment_id,
        LTI_CLAIM + "message_type": "LtiDeepLinkingResponse",
        LTI_CLAIM + "version": "1.3.0",
        DL_CLAIM + "content_items": items,
        DL_CLAIM + "data": settings["data"],
        DL_CLAIM + "msg": "2 contenus ajoutés",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def send(settings: dict, token: str) -> requests.Response:
    return requests.post(settings["deep_link_return_url"], data={"JWT": token}, timeout=5)


def test_valid_response_creates_one_activity_per_item_with_its_grade_item(site_a, tool):
    settings = deep_linking_request(site_a)
    response = send(settings, tool.sign(response_claims(site_a, settings)))
    assert response.status_code == 200, response.text
    assert "Pilier 3 : portfolio" in response.text
    (result,) = site_a.deep_link_results
    assert result["status"] == 200 and result["msg"] == "2 contenus ajoutés"
    first, second = (site_a.activities[aid] for aid in result["activities"])
    assert (first.title, first.course_id, dict(first.custom)) == ("Pilier 3 : portfolio", "12",
                                                                  {"pillar": "3"})
    launch = site_a.launch_claims("2", second.activity_id)
    assert launch[LTI_CLAIM + "target_link_uri"] == ITEMS[1]["url"]
    assert launch[LTI_CLAIM + "custom"] == {}
    assert NRPS_CLAIM in launch
    lineitem_url = launch[AGS_ENDPOINT_CLAIM]["lineitem"]
    (item,) = [i for i in site_a.gradebook().values() if i["url"] == lineitem_url]
    assert (item["label"], item["score_maximum"], item["resource_id"]) == (
        "Rapport réflexif", 20.0, "reflective-report-2")
    assert item["resource_link_id"] == second.activity_id


def test_a_response_cannot_be_replayed(site_a, tool):
    settings = deep_linking_request(site_a)
    token = tool.sign(response_claims(site_a, settings))
    assert send(settings, token).status_code == 200
    assert send(settings, token).status_code == 400


@pytest.mark.parametrize("changes, reason", [
    ({DL_CLAIM + "data": "something else"}, "data"),
    ({DL_CLAIM + "data": None}, "data"),
    ({"aud": "https://other-platform.example"}, "audience"),
    ({"iss": "cimp-univ-b"}, "iss"),
    ({"nonce": None}, "nonce"),
    ({LTI_CLAIM + "deployment_id": "2"}, "deployment_id"),
    ({LTI_CLAIM + "message_type": "LtiResourceLinkRequest"}, "message_type"),
    ({LTI_CLAIM + "version": "1.1"}, "version"),
    ({"exp": int(time.time()) - 600, "iat": int(time.time()) - 700}, "expired"),
])
def test_invalid_responses_are_refused_with_a_reason(site_a, tool, changes, reason):
    settings = deep_linking_request(site_a)
    response = send(settings, tool.sign(response_claims(site_a, settings, **changes)))
    assert response.status_code == 400
    assert reason in site_a.deep_link_results[-1]["reason"].lower()
    assert site_a.deep_link_results[-1]["activities"] == []


def test_tampered_or_foreign_signatures_are_refused(site_a, tool):
    settings = deep_linking_request(site_a)
    header, payload, signature = tool.sign(response_claims(site_a, settings)).split(".")
    other = tool.sign(response_claims(site_a, settings, **{DL_CLAIM + "msg": "autre"}))
    tampered = ".".join([header, other.split(".")[1], signature])
    assert send(settings, tampered).status_code == 400
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert send(settings, tool.sign(response_claims(site_a, settings),
                                    key=stranger)).status_code == 400
    assert send(settings, tool.sign(response_claims(site_a, settings),
                                    headers={})).status_code == 400
    assert send(settings, "not-a-jwt").status_code == 400
    assert all(result["status"] == 400 for result in site_a.deep_link_results)


def test_settings_are_honoured(site_a, tool):
    single = deep_linking_request(site_a, accept_multiple=False)
    assert send(single, tool.sign(response_claims(site_a, single))).status_code == 400
    html_only = deep_linking_request(site_a, accept_types=["html"])
    assert send(html_only, tool.sign(response_claims(site_a, html_only))).status_code == 400
    empty = deep_linking_request(site_a)
    assert send(empty, tool.sign(response_claims(site_a, empty, items=[]))).status_code == 200


def test_unknown_return_session_is_refused(site_a, tool):
    settings = deep_linking_request(site_a)
    wrong = dict(settings, deep_link_return_url=site_a.issuer + "/deeplink/return?session=nope")
    assert send(wrong, tool.sign(response_claims(site_a, settings))).status_code == 400
