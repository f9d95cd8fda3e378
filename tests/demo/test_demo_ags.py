"""Assignment and Grade Services as Moodle runs them: line items, scores, results, over HTTP."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from tests.demo.demo_platform_helpers import bearer

from lti_tool.demo.models import SCOPE_LINEITEM_READONLY, SCOPE_SCORE

LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


@pytest.fixture
def token(site_a, tool) -> str:
    return tool.access_token(site_a)


def create_lineitem(site, token, course="12", **fields) -> requests.Response:
    body = {"label": "Épreuve orale", "scoreMaximum": 20, "resourceLinkId": "114",
            "resourceId": "oral-exam", "tag": "assessment"} | fields
    return requests.post(site.lineitems_url(course), data=json.dumps(body), timeout=5,
                         headers=bearer(token) | {"Content-Type": LINEITEM_TYPE})


def scores_url(lineitem_url: str) -> str:
    base, _, query = lineitem_url.partition("?")
    return f"{base}/scores?{query}"


def post_score(token, lineitem_url, **fields) -> requests.Response:
    score = {"userId": "2", "scoreGiven": 7.5, "scoreMaximum": 10,
             "timestamp": "2026-01-10T10:00:00.000+00:00", "gradingProgress": "FullyGraded",
             "activityProgress": "Completed", "comment": "Analyse solide."} | fields
    score = {name: value for name, value in score.items() if value is not None}
    return requests.post(scores_url(lineitem_url), data=json.dumps(score), timeout=5,
                         headers=bearer(token) | {"Content-Type": SCORE_TYPE})


@pytest.fixture
def oral_exam(site_a, token) -> str:
    response = create_lineitem(site_a, token)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_created_lineitem_has_a_moodle_shaped_url_and_is_found_by_filters(
        site_a, token, oral_exam):
    assert oral_exam.startswith(f"{site_a.issuer}/services/12/lineitems/")
    assert oral_exam.endswith("/lineitem?type_id=1")
    for filters in ({"resource_link_id": "114"}, {"resource_id": "oral-exam"},
                    {"tag": "assessment", "resource_link_id": "114"}):
        found = requests.get(site_a.lineitems_url("12"), params=filters, headers=bearer(token),
                             timeout=5)
        assert found.status_code == 200
        assert [item["id"] for item in found.json()] == [oral_exam]
    everything = requests.get(site_a.lineitems_url("12"), headers=bearer(token), timeout=5).json()
    assert len(everything) == 3  # two written reports created with the course + this one
    item = requests.get(oral_exam, headers=bearer(token), timeout=5).json()
    assert (item["label"], item["scoreMaximum"]) == ("Épreuve orale", 20)
    assert item["resourceLinkId"] == "114"


@pytest.mark.parametrize("fields", [{"label": None}, {"scoreMaximum": "vingt"},
                                    {"scoreMaximum": None}, {"resourceLinkId": "201"}])
def test_lineitem_creation_needs_label_numeric_maximum_and_a_link_of_the_course(site_a, token,
                                                                                fields):
    body = {"label": "X", "scoreMaximum": 20} | fields
    response = create_lineitem(site_a, token, **body)
    assert response.status_code == 400


def test_score_reaches_the_gradebook_rescaled_and_answers_an_empty_200(
        site_a, token, oral_exam):
    response = post_score(token, oral_exam)
    assert response.status_code == 200 and response.content == b""
    (item,) = [i for i in site_a.gradebook().values() if i["url"] == oral_exam]
    assert item["resource_link_id"] == "114"
    assert item["scores"]["2"] == {
        "scoreGiven": 15.0, "scoreMaximum": 20.0, "comment": "Analyse solide.",
        "timestamp": "2026-01-10T10:00:00.000+00:00", "gradingProgress": "FullyGraded",
        "activityProgress": "Completed"}


def test_a_score_no_newer_than_the_stored_grade_gets_409(site_a, token, oral_exam):
    assert post_score(token, oral_exam).status_code == 200
    assert post_score(token, oral_exam).status_code == 409
    same_second = post_score(token, oral_exam, timestamp="2026-01-10T10:00:00.900+00:00")
    assert same_second.status_code == 409
    older = post_score(token, oral_exam, timestamp="2026-01-10T09:00:00+00:00")
    assert older.status_code == 409
    later = post_score(token, oral_exam, scoreGiven=9, timestamp="2026-01-10T10:00:01Z")
    assert later.status_code == 200
    assert site_a.gradebook()[int(oral_exam.split("/")[-2])]["scores"]["2"]["scoreGiven"] == 18.0
    assert [post["status"] for post in site_a.score_posts] == [200, 409, 409, 409, 200]


def test_any_progress_but_fully_graded_clears_the_grade(site_a, token, oral_exam):
    post_score(token, oral_exam)
    cleared = post_score(token, oral_exam, gradingProgress="Pending",
                         timestamp="2026-01-11T10:00:00Z")
    assert cleared.status_code == 200
    stored = site_a.gradebook()[int(oral_exam.split("/")[-2])]["scores"]["2"]
    assert stored["scoreGiven"] is None and stored["gradingProgress"] == "Pending"


@pytest.mark.parametrize("user_id", ["4", "5", "9", "404"])
def test_users_without_a_gradebook_role_get_400(site_a, token, oral_exam, user_id):
    response = post_score(token, oral_exam, userId=user_id)
    assert response.status_code == 400
    assert site_a.score_posts[-1]["status"] == 400


@pytest.mark.parametrize("missing", ["userId", "timestamp", "gradingProgress",
                                     "activityProgress", "scoreMaximum"])
def test_required_score_fields(token, oral_exam, missing):
    assert post_score(token, oral_exam, **{missing: None}).status_code == 400


def test_score_content_type_and_scope_are_checked(site_a, tool, token, oral_exam):
    wrong_type = requests.post(scores_url(oral_exam), timeout=5, data="{}",
                               headers=bearer(token) | {"Content-Type": "application/json"})
    assert wrong_type.status_code == 415
    readonly = tool.access_token(site_a, [SCOPE_LINEITEM_READONLY])
    assert post_score(readonly, oral_exam).status_code == 401
    assert create_lineitem(site_a, tool.access_token(site_a, [SCOPE_SCORE])).status_code == 401


def test_scores_appended_after_the_query_string_get_400(site_a, token, oral_exam):
    wrong = requests.post(oral_exam + "/scores", timeout=5, data="{}",
                          headers=bearer(token) | {"Content-Type": SCORE_TYPE})
    assert wrong.status_code == 400


def test_results_omit_result_score_for_a_zero_grade(site_a, token, oral_exam):
    post_score(token, oral_exam, userId="2", scoreGiven=0, comment="Absent")
    post_score(token, oral_exam, userId="3", scoreGiven=8)
    base, _, query = oral_exam.partition("?")
    response = requests.get(f"{base}/results?{query}", headers=bearer(token), timeout=5)
    assert response.status_code == 200
    results = {result["userId"]: result for result in response.json()}
    assert "resultScore" not in results["2"] and results["2"]["comment"] == "Absent"
    assert results["3"]["resultScore"] == 16.0 and results["3"]["resultMaximum"] == 20.0
    assert results["3"]["scoreOf"] == oral_exam


def test_lineitem_update_and_delete(site_a, token, oral_exam):
    headers = bearer(token) | {"Content-Type": LINEITEM_TYPE}
    updated = requests.put(oral_exam, data=json.dumps({"label": "Oral", "scoreMaximum": 10}),
                           headers=headers, timeout=5)
    assert updated.status_code == 200 and updated.json()["scoreMaximum"] == 10
    assert requests.delete(oral_exam, headers=bearer(token), timeout=5).status_code == 204
    assert requests.get(oral_exam, headers=bearer(token), timeout=5).status_code == 404
    activity_item = site_a.launch_claims("2", "112")[
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]["lineitem"]
    assert requests.delete(activity_item, headers=bearer(token), timeout=5).status_code == 403


def test_type_id_is_required_and_lineitems_are_per_course(site_a, token, oral_exam):
    base = oral_exam.partition("?")[0]
    assert requests.get(base, headers=bearer(token), timeout=5).status_code == 400
    other_course = oral_exam.replace("/services/12/", "/services/7/")
    assert requests.get(other_course, headers=bearer(token), timeout=5).status_code == 404


def test_tokens_issued_counts_token_requests_not_score_posts(site_a, tool, oral_exam):
    token = tool.access_token(site_a)
    for second, user in enumerate(("2", "3")):
        assert post_score(token, oral_exam, userId=user,
                          timestamp=f"2026-01-12T10:00:0{second}Z").status_code == 200
    assert site_a.tokens_issued == 2  # the fixture's token and this one


def test_concurrent_scores_keep_the_newest_grade_per_user(site_a, token, oral_exam):
    posts = [(user, second) for user in ("2", "3") for second in range(10)]

    def send(post: tuple[str, int]) -> int:
        user, second = post
        return post_score(token, oral_exam, userId=user, scoreGiven=second,
                          timestamp=f"2026-01-13T10:00:{second:02d}Z").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, posts))
    assert set(statuses) <= {200, 409} and statuses.count(200) >= 2
    scores = site_a.gradebook()[int(oral_exam.split("/")[-2])]["scores"]
    assert {user: scores[user]["timestamp"] for user in scores} == {
        "2": "2026-01-13T10:00:09Z", "3": "2026-01-13T10:00:09Z"}
    assert len(site_a.score_posts) == 20
