"""The demo pages a newcomer uses in a browser, and how the app learns its base URL."""

from __future__ import annotations

import json
import re

import requests

from lti_tool.demo.platform import (create_platform_app, demo_sites, parse_autopost_form,
                                    set_platform_base_url)
from lti_tool.demo.server import serve_in_thread


def test_home_lists_both_sites_their_people_and_launch_forms(platform):
    page = requests.get(platform.url + "/", timeout=5)
    assert page.status_code == 200
    html = page.text
    assert '<html lang="fr">' in html
    for text in ("Université A", "Université B", "Amélie Dubois", "Nicolas Dupont",
                 "Claire Martin", "Didier Peeters", "Élise Janssens", "Marc Vandenberghe",
                 "Julie Renard", "Portfolio : pilier 3", "épreuve orale"):
        assert text.lower() in html.lower()
    assert html.count("Lancer en tant que") == 28  # 14 activities on each site
    assert "Sélectionner un contenu" in html


def test_pages_have_no_inline_script_and_a_strict_policy(platform):
    for path in ("/", "/univ-a/course/12?user=2&activity=104",
                 "/univ-a/launch/initiate?user=2&activity=104", "/univ-a/gradebook"):
        response = requests.get(platform.url + path, timeout=5)
        assert response.status_code == 200
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        scripts = re.findall(r"<script([^>]*)>", response.text)
        assert all('src="' in attributes for attributes in scripts)
    script = requests.get(platform.url + "/static/demo/autosubmit.js", timeout=5)
    assert script.status_code == 200 and "data-autosubmit" in script.text


def test_course_page_frames_the_login_initiation_which_posts_to_the_tool(platform, tool):
    site = platform.site("univ-a")
    course = requests.get(platform.url + "/univ-a/course/12?user=2&activity=104", timeout=5)
    frame_src = re.search(r'<iframe[^>]*src="([^"]+)"', course.text).group(1).replace("&amp;", "&")
    initiation = requests.get(platform.url + frame_src, timeout=5)
    action, fields = parse_autopost_form(initiation.text)
    assert action == site.tool_login_url
    assert 'data-autosubmit' in initiation.text
    assert fields["target_link_uri"] == tool.url + "/lti/launch/portfolio/pillar-3"
    assert fields["iss"] == site.issuer and fields["login_hint"] == "2"
    assert json.loads(fields["lti_message_hint"])["cmid"] == "104"


def test_teacher_can_select_content_and_participant_cannot(platform):
    teacher = requests.get(platform.url + "/univ-a/course/12?user=4", timeout=5).text
    participant = requests.get(platform.url + "/univ-a/course/12?user=2", timeout=5).text
    assert "select=1" in teacher and "select=1" not in participant
    selection = requests.get(platform.url + "/univ-a/course/12?user=4&select=1", timeout=5).text
    frame_src = re.search(r'<iframe[^>]*src="([^"]+)"', selection).group(1)
    assert "deep_linking=1" in frame_src


def test_gradebook_page_shows_received_grades(platform):
    site = platform.site("univ-a")
    lineitem = next(iter(site.gradebook()))
    site.post_score("12", lineitem, "application/vnd.ims.lis.v1.score+json", json.dumps({
        "userId": "3", "scoreGiven": 16, "scoreMaximum": 20, "comment": "Très clair",
        "timestamp": "2026-03-01T09:30:00Z", "gradingProgress": "FullyGraded",
        "activityProgress": "Completed"}).encode())
    page = requests.get(platform.url + "/univ-a/gradebook", timeout=5).text
    assert "Bruno Lambert" in page and "16.0 / 20.0" in page
    assert "Très clair" in page and "2026-03-01T09:30:00Z" in page


def test_unknown_site_or_user_is_not_found(platform):
    assert requests.get(platform.url + "/univ-z/certs", timeout=5).status_code == 404
    assert requests.get(platform.url + "/univ-a/course/12?user=77", timeout=5).status_code == 404


def test_base_url_set_after_binding_becomes_the_issuer(tool):
    sites = demo_sites(tool.url)
    app = create_platform_app(sites)
    with serve_in_thread(app) as server:
        set_platform_base_url(app, server.url + "/")
        assert sites[0].issuer == server.url + "/univ-a"
        login = requests.get(server.url + "/univ-b/launch/initiate?user=2&activity=201",
                             timeout=5)
        assert parse_autopost_form(login.text)[1]["iss"] == server.url + "/univ-b"


def test_base_url_defaults_to_the_first_request_host(tool):
    sites = demo_sites(tool.url)
    with serve_in_thread(create_platform_app(sites)) as server:
        requests.get(server.url + "/univ-a/certs", timeout=5)
        assert sites[0].issuer == server.url + "/univ-a"


def test_registration_lists_what_the_tool_admin_enters(platform):
    registration = platform.site("univ-b").registration()
    assert registration == {
        "name": "Université B", "issuer": platform.url + "/univ-b", "client_id": "cimp-univ-b",
        "deployment_ids": ["1"], "auth_login_url": platform.url + "/univ-b/auth",
        "auth_token_url": platform.url + "/univ-b/token",
        "key_set_url": platform.url + "/univ-b/certs"}
    assert requests.get(registration["key_set_url"], timeout=5).json()["keys"]
