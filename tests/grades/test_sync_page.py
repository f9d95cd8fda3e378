"""The teacher's grade sync page: statuses per participant, resend, access and languages."""
from __future__ import annotations

import html
import re
import time
from dataclasses import replace

import pytest

from lti_tool.grades.models import SENT
from tests.grades.grading import (FAST, all_rows, build_world, enqueue, item_for, posts_for, sync)

PAGE = "/grades/"


@pytest.fixture
def world(app, driver, site_a, site_b):
    return build_world(app, driver, site_a, site_b)


def get_page(driver, tool_server, token, **params):
    return driver.http.get(tool_server.url + PAGE, params={"lt": token, **params})


def rows_of(page_html: str) -> dict[tuple[str, str], str]:
    """{(participant, assessment title): status cell text} of the status table."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page_html, re.S):
        name = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if name and len(cells) >= 4:
            text = " ".join(re.sub(r"<[^>]+>", " ", html.unescape(cells[3])).split())
            rows[(html.unescape(name.group(1)), html.unescape(cells[1]))] = text
    return rows


def csrf_of(page_html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)


def test_the_teacher_sees_each_participants_status_on_both_universities(
        app, driver, tool_server, world, site_a):
    enqueue(app, world.user("b", "2"), "collective-report", 12)
    enqueue(app, world.user("a", "3"), "collective-report", 11)
    enqueue(app, world.user("a", "4"), "collective-report", 20)
    sync(app)
    enqueue(app, world.user("a", "2"), "collective-report", 15)
    site_a.faults.add("scores", 500, times=None)
    sync(app, replace(FAST, retry_base_seconds=60, retry_max_seconds=60))
    site_a.faults.clear()
    enqueue(app, world.user("b", "3"), "reflective-report", 9)
    sync(app)

    page = get_page(driver, tool_server, world.tokens[("a", "4")])

    assert page.status_code == 200
    assert 'lang="fr"' in page.text
    rows = rows_of(page.text)
    collective, reflective = "Rapport collectif", "Rapport réflexif individuel"
    assert rows[("Nicolas Dupont", collective)].startswith("Envoyée")
    assert rows[("Sophie Lemaire", reflective)].startswith("Envoyée")
    assert rows[("Amélie Dubois", collective)].startswith("En attente d’envoi")
    assert "500" in rows[("Amélie Dubois", collective)]
    assert rows[("Amélie Dubois", reflective)] == "Non publiée"
    assert rows[("Claire Martin", collective)].startswith("Ne peut pas être notée")
    assert "gradebook role" in rows[("Claire Martin", collective)]
    assert '<caption id="sync-caption">' in page.text


def test_the_page_can_show_one_assessment_and_speaks_english_on_request(
        app, driver, tool_server, world, site_a):
    site_a.locale = "en"
    token = driver.launch(site_a, "4", "101").token
    enqueue(app, world.user("a", "2"), "oral-exam", 14)

    page = get_page(driver, tool_server, token, assessment="oral-exam")

    assert 'lang="en"' in page.text and "Grades in the gradebooks" in page.text
    rows = rows_of(page.text)
    assert rows[("Amélie Dubois", "Épreuve orale")] == "Waiting to be sent"
    assert {assessment for _, assessment in rows} == {"Épreuve orale"}


def test_a_course_without_a_line_items_service_is_pointed_out(
        app, driver, tool_server, world):
    from lti_tool.accounts.models import Course

    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        session.get(Course, world.course_b).lineitems_url = None
        session.commit()
        session.close()
    page = get_page(driver, tool_server, world.tokens[("a", "4")])
    assert "n’a pas encore fourni de service de notes" in page.text
    assert "Université B" in page.text


def test_resend_queues_the_latest_grade_with_a_newer_timestamp(
        app, driver, tool_server, world, site_a):
    enqueue(app, world.user("a", "2"), "collective-report", 15)
    sync(app)
    first = item_for(site_a, "collective-report")["scores"]["2"]["timestamp"]
    token = world.tokens[("a", "4")]
    page = get_page(driver, tool_server, token)

    answer = driver.http.post(tool_server.url + "/grades/resend", data={
        "lt": token, "csrf_token": csrf_of(page.text), "user_id": world.user("a", "2"),
        "assessment_id": "collective-report"}, allow_redirects=False)

    assert answer.status_code == 303
    # The page wakes a background pass; wait for it.
    deadline = time.monotonic() + 15
    while len(posts_for(site_a, "2")) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    rows = all_rows(app)
    assert len(rows) == 2 and rows[1].created_at > rows[0].created_at
    deadline = time.monotonic() + 5
    while all_rows(app)[1].status != SENT and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all_rows(app)[1].status == SENT
    assert [p["status"] for p in posts_for(site_a, "2")] == [200, 200]
    assert item_for(site_a, "collective-report")["scores"]["2"]["timestamp"] > first
    followed = get_page(driver, tool_server, token)
    assert "La note va être renvoyée dans un instant." in followed.text


def test_resend_without_the_csrf_token_is_refused(app, driver, tool_server, world):
    enqueue(app, world.user("a", "2"), "collective-report", 15)
    answer = driver.http.post(tool_server.url + "/grades/resend", data={
        "lt": world.tokens[("a", "4")], "user_id": world.user("a", "2"),
        "assessment_id": "collective-report"}, allow_redirects=False)
    assert answer.status_code == 400
    assert len(all_rows(app)) == 1


def test_resend_of_something_never_published_says_so(app, driver, tool_server, world):
    enqueue(app, world.user("a", "2"), "collective-report", 15)
    sync(app)
    token = world.tokens[("a", "4")]
    page = get_page(driver, tool_server, token)
    answer = driver.http.post(tool_server.url + "/grades/resend", data={
        "lt": token, "csrf_token": csrf_of(page.text), "user_id": world.user("a", "3"),
        "assessment_id": "oral-exam"})
    assert answer.status_code == 200
    assert "Aucune note publiée n’est à renvoyer" in answer.text
    assert len(all_rows(app)) == 1


@pytest.mark.parametrize("who", ["participant", "guest", "nobody"])
def test_only_teachers_reach_the_page(driver, tool_server, world, site_a, who):
    if who == "participant":
        params = {"lt": world.tokens[("a", "2")]}
    elif who == "guest":
        params = {"lt": driver.forged_launch(site_a, "2", "101", roles=[]).token}
    else:
        params = {}
    page = driver.http.get(tool_server.url + PAGE, params=params)
    resend = driver.http.post(tool_server.url + "/grades/resend",
                              data={**params, "user_id": world.user("a", "2"),
                                    "assessment_id": "collective-report"})
    expected = 401 if who == "nobody" else 403
    assert page.status_code == expected
    assert resend.status_code == expected


def test_a_teacher_of_another_cohort_sees_and_resends_nothing_of_this_one(
        app, driver, tool_server, site_a, site_b):
    from lti_tool.cohorts.services import create_cohort

    world = build_world(app, driver, site_a, site_b)
    # A third course on univ-b, in a cohort of its own, with its own teacher.
    from lti_tool.demo.models import EDITING_TEACHER, DemoActivity, DemoCourse

    site_b.courses["8"] = DemoCourse("8", "OTHER", "Another course", {"5": EDITING_TEACHER})
    site_b.add_activity(DemoActivity("301", "8", "Portfolio", "/lti/launch/portfolio"))
    token = driver.launch(site_b, "5", "301").token
    with app.app_context():
        from sqlalchemy import select

        from lti_tool.accounts.models import Course

        session = app.extensions["db_sessionmaker"]()
        other = session.scalar(select(Course.id).where(Course.context_id == "8"))
        create_cohort(session, other, world.user("b", "5"), "Other cohort")
        session.close()
    enqueue(app, world.user("a", "2"), "collective-report", 15)
    # The teacher's own (not gradable) grade gives her page a resend form, hence a CSRF token.
    enqueue(app, world.user("b", "5"), "oral-exam", 10)
    sync(app)

    page = get_page(driver, tool_server, token)
    assert page.status_code == 200
    assert "Amélie Dubois" not in page.text and "Nicolas Dupont" not in page.text
    assert "Marc Vandenberghe" in page.text
    answer = driver.http.post(tool_server.url + "/grades/resend", data={
        "lt": token, "csrf_token": csrf_of(page.text), "user_id": world.user("a", "2"),
        "assessment_id": "collective-report"}, allow_redirects=False)
    assert answer.status_code == 404
    assert len(all_rows(app)) == 2
