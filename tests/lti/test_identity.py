"""Who a launch is: users keyed on (issuer, sub), since a Moodle user id is unique per site only;
what a later launch changes (names, email, role) and what it keeps."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from lti_tool.accounts.models import Course, Membership, User
from lti_tool.db import new_session
from tests.lti.launching import LaunchDriver, page_facts


def stored(app, model) -> list:
    with app.app_context():
        with new_session() as session:
            return list(session.scalars(select(model).order_by(model.id)))


def person_on_page(driver, result) -> str:
    assert result.status == 200, result.response.text
    return page_facts(driver.page(result).text)["Personne"]


def test_the_same_sub_on_two_platforms_is_two_people(driver, site_a, site_b, app):
    assert person_on_page(driver, driver.launch(site_a, "2", "101")) == "Amélie Dubois"
    assert person_on_page(driver, driver.launch(site_b, "2", "201")) == "Nicolas Dupont"

    users = stored(app, User)
    assert [(u.issuer, u.sub, u.name) for u in users] == [
        (site_a.issuer, "2", "Amélie Dubois"), (site_b.issuer, "2", "Nicolas Dupont")]
    assert users[0].platform_id != users[1].platform_id
    courses = stored(app, Course)
    assert [(c.platform_id, c.context_id) for c in courses] == [
        (users[0].platform_id, "12"), (users[1].platform_id, "7")]
    assert {(m.user_id, m.course_id) for m in stored(app, Membership)} == {
        (users[0].id, courses[0].id), (users[1].id, courses[1].id)}


def test_each_person_keeps_their_own_launch_session(driver, site_a, site_b, app):
    """Two people with the same sub, launched one after the other, see their own page."""
    first = driver.launch(site_a, "2", "101")
    second = driver.launch(site_b, "2", "201")
    assert page_facts(driver.page(second).text)["Personne"] == "Nicolas Dupont"
    assert page_facts(driver.page(first).text)["Personne"] == "Amélie Dubois"


def test_a_later_launch_updates_names_and_email(driver, site_a, app):
    driver.launch(site_a, "2", "101")
    result = driver.forged_launch(site_a, "2", "101", name="Amélie Dubois-Lenoir",
                                  family_name="Dubois-Lenoir", email="a.lenoir@univ-a.example")
    assert person_on_page(driver, result) == "Amélie Dubois-Lenoir"
    [user] = stored(app, User)
    assert (user.family_name, user.email) == ("Dubois-Lenoir", "a.lenoir@univ-a.example")


def test_a_later_launch_without_personal_data_keeps_what_was_known(driver, site_a, app):
    driver.launch(site_a, "2", "101")
    result = driver.forged_launch(site_a, "2", "101", name=None, given_name=None,
                                  family_name=None, email=None)
    assert person_on_page(driver, result) == "Amélie Dubois"
    [user] = stored(app, User)
    assert user.email == "amelie.dubois@univ-a.example"


def test_a_role_change_in_the_course_updates_the_membership(driver, site_a, app):
    driver.launch(site_a, "2", "101")
    assert stored(app, Membership)[0].role == "participant"
    driver.forged_launch(site_a, "2", "101",
                         roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"])
    [membership] = stored(app, Membership)
    assert membership.role == "teacher"


def test_a_person_launching_in_two_courses_is_one_user(driver, site_a, app):
    driver.launch(site_a, "2", "101")
    driver.forged_launch(site_a, "2", "101",
                         context={"id": "99", "label": "CIMP-2027", "title": "Autre cohorte"})
    assert len(stored(app, User)) == 1
    assert [c.context_id for c in stored(app, Course)] == ["12", "99"]
    assert len(stored(app, Membership)) == 2


def test_a_whole_class_launching_for_the_first_time_at_once_is_recorded(site_a, tool_server,
                                                                        app):
    """Every first launch of a course races to create the course row: none may fail."""
    people = ["2", "3", "4", "5", "6", "9"]
    prepared = []
    for user_id in people:
        browser = LaunchDriver(tool_server.url)
        login = browser.start_login(site_a, user_id, "101")
        action, fields = browser.platform_auth(login)
        prepared.append((browser, login, action, fields))
    barrier = threading.Barrier(len(prepared))

    def launch(entry):
        browser, login, action, fields = entry
        barrier.wait()
        return browser.post_launch(fields, login.cookies, action).status

    with ThreadPoolExecutor(max_workers=len(prepared)) as pool:
        statuses = list(pool.map(launch, prepared))
    assert statuses == [200] * len(people)
    assert sorted(u.sub for u in stored(app, User)) == sorted(people)
    [course] = stored(app, Course)
    assert len(stored(app, Membership)) == len(people)
    assert {m.course_id for m in stored(app, Membership)} == {course.id}
