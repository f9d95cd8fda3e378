"""Cohort pages are for teachers, and only for the cohort of the course they launched from."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lti_tool.accounts.models import User
from lti_tool.cohorts.models import Cohort, CohortCourse, CohortJuror
from lti_tool.db import get_session
from tests.cohorts.pages import ToolPages, cohort_id_of, join_code_on, launched

TEACHER_A, TEACHER_B = "4", "5"
PORTFOLIO_A, PORTFOLIO_B = "101", "201"


def rows(app, model) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


@pytest.fixture
def cohort_x(driver, tool_server, site_a):
    """Cohort X, created by univ-a's teacher: (her pages, cohort id)."""
    teacher = launched(driver, tool_server.url, site_a, TEACHER_A, PORTFOLIO_A)
    created = teacher.post("/cohort/create", {"name": "Cohorte X"})
    return teacher, cohort_id_of(created)


def cohort_paths(cohort_id: int) -> list[str]:
    return ["/cohort/", f"/cohort/{cohort_id}", f"/cohort/{cohort_id}/members"]


def test_pages_without_a_launch_are_refused(driver, tool_server, cohort_x):
    _teacher, cohort_id = cohort_x
    for path in cohort_paths(cohort_id):
        assert driver.http.get(tool_server.url + path).status_code == 401, path


@pytest.mark.parametrize("user_id", ["2", "3"])
def test_participants_are_refused(driver, tool_server, site_a, cohort_x, app, user_id):
    _teacher, cohort_id = cohort_x
    participant = launched(driver, tool_server.url, site_a, user_id, PORTFOLIO_A)
    for path in cohort_paths(cohort_id):
        assert participant.get(path).status_code == 403, path
    for path, data in (("/cohort/create", {"name": "Pirate"}), ("/cohort/join", {"code": "X"}),
                       (f"/cohort/{cohort_id}/rosters", {}),
                       (f"/cohort/{cohort_id}/jurors", {"user_id": "1", "action": "appoint"})):
        # No page gives a participant a CSRF token: the request is refused either way.
        assert participant.post(path, data, csrf_token="none").status_code in (400, 403), path
    assert rows(app, Cohort) == 1 and rows(app, CohortJuror) == 0


def test_a_guest_is_refused(driver, tool_server, site_a, cohort_x):
    _teacher, cohort_id = cohort_x
    result = driver.forged_launch(site_a, "2", PORTFOLIO_A, roles=[])
    assert result.status == 200
    guest = ToolPages(driver, tool_server.url, result.token)
    for path in cohort_paths(cohort_id):
        assert guest.get(path).status_code == 403, path


def test_a_teacher_never_sees_another_cohort(driver, tool_server, site_a, site_b, cohort_x, app):
    teacher_a, cohort_x_id = cohort_x
    teacher_b = launched(driver, tool_server.url, site_b, TEACHER_B, PORTFOLIO_B)
    cohort_y_id = cohort_id_of(teacher_b.post("/cohort/create", {"name": "Cohorte Y"}))
    assert teacher_b.post(f"/cohort/{cohort_y_id}/rosters", {},
                          csrf_from=f"/cohort/{cohort_y_id}").status_code == 303
    csrf_a = teacher_a.csrf_token(f"/cohort/{cohort_x_id}")

    # Guessing the other cohort's id in the address finds nothing.
    assert teacher_a.get(f"/cohort/{cohort_y_id}").status_code == 404
    assert teacher_a.get(f"/cohort/{cohort_y_id}/members").status_code == 404
    assert teacher_a.post(f"/cohort/{cohort_y_id}/rosters", {},
                          csrf_token=csrf_a).status_code == 404
    assert teacher_a.post(f"/cohort/{cohort_y_id}/jurors",
                          {"user_id": "1", "action": "appoint"},
                          csrf_token=csrf_a).status_code == 404
    assert teacher_a.get("/cohort/999").status_code == 404

    # Cohort X's own pages hold nothing of cohort Y.
    members_x = teacher_a.get(f"/cohort/{cohort_x_id}/members").text
    assert "Nicolas Dupont" not in members_x and "Université B" not in members_x
    assert "CIMP-B" not in teacher_a.get(f"/cohort/{cohort_x_id}").text
    members_y = teacher_b.get(f"/cohort/{cohort_y_id}/members").text
    assert "Nicolas Dupont" in members_y


def test_a_person_of_another_cohort_cannot_be_made_a_juror(driver, tool_server, site_a, site_b,
                                                           cohort_x, app):
    teacher_a, cohort_x_id = cohort_x
    teacher_b = launched(driver, tool_server.url, site_b, TEACHER_B, PORTFOLIO_B)
    assert teacher_b.post("/cohort/create", {"name": "Cohorte Y"}).status_code == 303
    with app.app_context():
        teacher_b_id = get_session().scalar(select(User.id).where(User.sub == TEACHER_B,
                                                                  User.issuer == site_b.issuer))
    answer = teacher_a.post(f"/cohort/{cohort_x_id}/jurors",
                            {"user_id": str(teacher_b_id), "action": "appoint"},
                            csrf_from=f"/cohort/{cohort_x_id}")
    page = teacher_a.follow(answer)
    assert "n’est pas membre de la cohorte" in page.text
    assert rows(app, CohortJuror) == 0


def test_a_launch_outside_a_course_cannot_create_a_cohort(driver, tool_server, site_a, app):
    result = driver.forged_launch(site_a, TEACHER_A, PORTFOLIO_A, context=None)
    assert result.status == 200
    teacher = ToolPages(driver, tool_server.url, result.token)
    page = teacher.get("/cohort/")
    assert page.status_code == 200
    assert "Ouvrez l’outil depuis un cours" in page.text
    assert rows(app, CohortCourse) == 0


def test_joining_twice_says_so(driver, tool_server, site_a, site_b, cohort_x, app):
    teacher_a, cohort_x_id = cohort_x
    code = join_code_on(teacher_a.get(f"/cohort/{cohort_x_id}").text)
    teacher_b = launched(driver, tool_server.url, site_b, TEACHER_B, PORTFOLIO_B)
    csrf_b = teacher_b.csrf_token()
    assert teacher_b.post("/cohort/join", {"code": code}, csrf_token=csrf_b).status_code == 303
    again = teacher_b.post("/cohort/join", {"code": code}, csrf_token=csrf_b)
    assert again.status_code == 409
    assert "fait déjà partie de cette cohorte" in again.text
    assert rows(app, CohortCourse) == 2


def test_the_landing_page_links_teachers_to_the_cohort(driver, tool_server, site_a):
    teacher = launched(driver, tool_server.url, site_a, TEACHER_A, PORTFOLIO_A)
    assert 'href="/cohort/?lt=' in teacher.landing().text
    participant = launched(driver, tool_server.url, site_a, "2", PORTFOLIO_A)
    assert "/cohort/" not in participant.landing().text
