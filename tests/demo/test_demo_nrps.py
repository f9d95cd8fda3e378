"""Names and Role Provisioning Services: access rules and paging over HTTP."""

from __future__ import annotations

import re

import requests
from tests.demo.demo_platform_helpers import bearer

from lti_tool.demo.models import ROLE_INSTRUCTOR, ROLE_LEARNER, SCOPE_NRPS, SCOPE_SCORE

NRPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def all_pages(url: str, token: str) -> tuple[list[dict], int]:
    members, pages = [], 0
    while url:
        response = requests.get(url, headers=bearer(token, NRPS_TYPE), timeout=5)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith(NRPS_TYPE)
        members += response.json()["members"]
        pages += 1
        match = re.search(r'<([^>]+)>;\s*rel="next"', response.headers.get("Link", ""))
        url = match.group(1) if match else None
    return members, pages


def test_roster_pages_follow_the_next_links(site_a, tool):
    site_a.nrps_page_size = 2
    members, pages = all_pages(site_a.memberships_url("12"), tool.access_token(site_a))
    assert pages == 3
    by_id = {member["user_id"]: member for member in members}
    assert set(by_id) == {"2", "3", "4", "5", "6"}
    assert by_id["4"]["roles"] == [ROLE_INSTRUCTOR]
    # A non-editing teacher (a juror) launches as Instructor but is a Learner in NRPS.
    assert by_id["5"]["roles"] == [ROLE_LEARNER]
    assert by_id["2"] | {"roles": None} == {
        "user_id": "2", "roles": None, "status": "Active", "name": "Amélie Dubois",
        "given_name": "Amélie", "family_name": "Dubois", "email": "amelie.dubois@univ-a.example"}


def test_roster_in_one_page_without_a_page_size(site_b, tool):
    members, pages = all_pages(site_b.memberships_url("7"), tool.access_token(site_b))
    assert pages == 1 and len(members) == 4


def test_short_role_names_and_privacy_settings(site_a, tool):
    site_a.nrps_short_roles = True
    site_a.send_email = False
    site_a.send_names = False
    members, _ = all_pages(site_a.memberships_url("12"), tool.access_token(site_a))
    assert {tuple(m["roles"]) for m in members} == {("Instructor",), ("Learner",)}
    assert all(set(member) == {"user_id", "roles", "status"} for member in members)


def test_role_filter_accepts_short_or_long_names(site_a, tool):
    token = tool.access_token(site_a)
    for role in ("Instructor", ROLE_INSTRUCTOR):
        response = requests.get(site_a.memberships_url("12"), params={"role": role},
                                headers=bearer(token, NRPS_TYPE), timeout=5)
        assert [m["user_id"] for m in response.json()["members"]] == ["4"]


def test_roster_needs_the_media_type_and_a_token_with_the_nrps_scope(site_a, tool):
    url = site_a.memberships_url("12")
    token = tool.access_token(site_a)
    assert requests.get(url, headers=bearer(token, "application/json"),
                        timeout=5).status_code == 406
    assert requests.get(url, headers={"Accept": NRPS_TYPE}, timeout=5).status_code == 401
    score_only = tool.access_token(site_a, [SCOPE_SCORE])
    assert requests.get(url, headers=bearer(score_only, NRPS_TYPE), timeout=5).status_code == 401
    nrps_only = tool.access_token(site_a, [SCOPE_NRPS])
    assert requests.get(url, headers=bearer(nrps_only, NRPS_TYPE), timeout=5).status_code == 200
    site_a.expire_tokens()
    assert requests.get(url, headers=bearer(nrps_only, NRPS_TYPE), timeout=5).status_code == 401


def test_unknown_course_is_not_found(site_a, tool):
    response = requests.get(site_a.memberships_url("999"),
                            headers=bearer(tool.access_token(site_a), NRPS_TYPE), timeout=5)
    assert response.status_code == 404
