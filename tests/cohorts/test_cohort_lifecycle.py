"""Creating a cohort at one university and joining it from another, over real launches."""
from __future__ import annotations

from sqlalchemy import func, select

from lti_tool.cohorts.models import Cohort, CohortCourse
from lti_tool.db import get_session
from tests.cohorts.pages import cohort_id_of, join_code_on, launched

TEACHER_A, TEACHER_B = "4", "5"
PORTFOLIO_A, PORTFOLIO_B = "101", "201"


def count(app, model) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


def create(pages, name="2026-2027"):
    response = pages.post("/cohort/create", {"name": name})
    assert response.status_code == 303, response.text[:500]
    return response


def test_a_teacher_creates_a_cohort_and_gets_a_join_code(driver, tool_server, site_a, app):
    teacher = launched(driver, tool_server.url, site_a, TEACHER_A, PORTFOLIO_A)
    start = teacher.get("/cohort/")
    assert start.status_code == 200
    assert "Créer une cohorte" in start.text

    created = create(teacher)
    page = teacher.follow(created)
    assert page.status_code == 200
    assert "2026-2027" in page.text
    code = join_code_on(page.text)
    assert len(code.replace("-", "")) == 8
    assert not set(code.replace("-", "")) & set("0O1IL5S2Z")
    assert "Université A" in page.text
    with app.app_context():
        cohort = get_session().get(Cohort, cohort_id_of(created))
        assert cohort.name == "2026-2027"
        assert code.replace("-", "") == cohort.join_code

    # Coming back to the cohort entry page now leads to the course's cohort.
    again = teacher.get("/cohort/")
    assert again.status_code == 303
    assert f"/cohort/{cohort_id_of(created)}" in again.headers["Location"]


def test_a_teacher_of_another_university_joins_with_the_code(driver, tool_server, site_a, site_b,
                                                             app):
    teacher_a = launched(driver, tool_server.url, site_a, TEACHER_A, PORTFOLIO_A)
    created = create(teacher_a)
    code = join_code_on(teacher_a.follow(created).text)

    teacher_b = launched(driver, tool_server.url, site_b, TEACHER_B, PORTFOLIO_B)
    # Typed by hand: lower case, spaces instead of the dash.
    joined = teacher_b.post("/cohort/join", {"code": code.lower().replace("-", " ")})
    assert joined.status_code == 303
    assert cohort_id_of(joined) == cohort_id_of(created)
    page = teacher_b.follow(joined)
    assert "Université A" in page.text and "Université B" in page.text
    assert "a rejoint la cohorte" in page.text
    assert count(app, CohortCourse) == 2

    # The first teacher sees the other university's course too.
    seen_by_a = teacher_a.get(f"/cohort/{cohort_id_of(created)}")
    assert "Université B" in seen_by_a.text and "CIMP-B" in seen_by_a.text


def test_a_wrong_code_is_refused_and_nothing_is_written(driver, tool_server, site_a, site_b, app):
    teacher_a = launched(driver, tool_server.url, site_a, TEACHER_A, PORTFOLIO_A)
    create(teacher_a)
    teacher_b = launched(driver, tool_server.url, site_b, TEACHER_B, PORTFOLIO_B)

    refused = teacher_b.post("/cohort/join", {"code": "ZZZZ-0000"})
    assert refused.status_code == 400
    assert "Aucune cohorte n’a ce code" in refused.text
    assert 'aria-invalid="true"' in refused.text and 'id="join-code-error"' in refused.text
    assert count(app, CohortCourse) == 1


def test_a_course_already_in_a_cohort_cannot_join_or_create_another(
        driver, tool_server, site_a, site_b, app):
    teacher_a = launched(driver, tool_server.url, site_a, TEACHER_A, PORTFOLIO_A)
    code_x = join_code_on(teacher_a.follow(create(teacher_a, "Cohorte X")).text)
    teacher_b = launched(driver, tool_server.url, site_b, TEACHER_B, PORTFOLIO_B)
    csrf_b = teacher_b.csrf_token()
    create(teacher_b, "Cohorte Y")

    again = teacher_b.post("/cohort/create", {"name": "Cohorte Z"}, csrf_token=csrf_b)
    assert again.status_code == 409
    assert "déjà rattaché à une cohorte" in again.text
    other = teacher_b.post("/cohort/join", {"code": code_x}, csrf_token=csrf_b)
    assert other.status_code == 409
    assert "déjà rattaché à une cohorte" in other.text
    assert count(app, Cohort) == 2 and count(app, CohortCourse) == 2


def test_a_cohort_needs_a_name(driver, tool_server, site_a, app):
    teacher = launched(driver, tool_server.url, site_a, TEACHER_A, PORTFOLIO_A)
    refused = teacher.post("/cohort/create", {"name": "   "})
    assert refused.status_code == 400
    assert "Donnez un nom à la cohorte" in refused.text
    assert count(app, Cohort) == 0
