"""Fault injection: planned errors, slow answers, latency, a site that is down, a stopped server."""

from __future__ import annotations

import json
import time

import pytest
import requests
from tests.demo.demo_platform_helpers import bearer

SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


def post_score(site, token, timestamp: str, timeout: float = 5) -> requests.Response:
    lineitem = site.launch_claims("2", "112")[
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]["lineitem"]
    base, _, query = lineitem.partition("?")
    score = {"userId": "2", "scoreGiven": 14, "scoreMaximum": 20, "timestamp": timestamp,
             "gradingProgress": "FullyGraded", "activityProgress": "Completed"}
    return requests.post(f"{base}/scores?{query}", data=json.dumps(score), timeout=timeout,
                         headers=bearer(token) | {"Content-Type": SCORE_TYPE})


def test_planned_error_answers_then_normal_service(site_a, tool):
    token = tool.access_token(site_a)
    site_a.faults.add("scores", status=500, times=1)
    assert post_score(site_a, token, "2026-02-01T10:00:00Z").status_code == 500
    assert post_score(site_a, token, "2026-02-01T10:00:00Z").status_code == 200
    assert [(post["status"], post["user_id"]) for post in site_a.score_posts] == [
        (500, "2"), (200, "2")]


def test_planned_token_errors_count_down(site_a, tool):
    site_a.faults.add("token", status=503, times=2)
    statuses = [tool.token_request(site_a).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert site_a.tokens_issued == 1


def test_fault_on_keyset_and_roster(site_a, tool):
    site_a.faults.add("certs", status=500)
    assert requests.get(site_a.certs_url, timeout=5).status_code == 500
    assert requests.get(site_a.certs_url, timeout=5).status_code == 200
    site_a.faults.add("memberships", status=502, times=None)
    for _ in range(2):
        response = requests.get(site_a.memberships_url("12"), timeout=5,
                                headers=bearer(tool.access_token(site_a)))
        assert response.status_code == 502


def test_a_slow_answer_makes_the_client_time_out(site_a, tool):
    token = tool.access_token(site_a)
    site_a.faults.add("scores", status=None, delay_seconds=0.5)
    with pytest.raises(requests.Timeout):
        post_score(site_a, token, "2026-02-01T10:00:00Z", timeout=0.1)


def test_latency_delays_every_service_request(site_a, tool):
    site_a.faults.latency = 0.2
    started = time.monotonic()
    tool.access_token(site_a)
    assert time.monotonic() - started >= 0.2


def test_a_site_that_is_down_answers_503_and_the_other_site_still_works(site_a, site_b, tool):
    site_a.down = True
    assert requests.get(site_a.certs_url, timeout=5).status_code == 503
    assert tool.token_request(site_a).status_code == 503
    assert requests.get(site_b.certs_url, timeout=5).status_code == 200
    site_a.down = False
    assert requests.get(site_a.certs_url, timeout=5).status_code == 200


def test_a_stopped_server_refuses_connections(platform, site_a):
    url = site_a.certs_url
    platform.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)


def test_unknown_fault_endpoint_is_refused(site_a):
    with pytest.raises(ValueError, match="unknown endpoint"):
        site_a.faults.add("grades")
