"""Launches the LTI Advantage conformance list says a tool must ACCEPT, for a learner and an
instructor: real RS256 messages from the test platform, shaped by claim overrides, over HTTP.

Each accepted launch lands on its page (who, role, course) and records the person, the course and
the membership the launch describes, and nothing it does not describe.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from lti_tool.accounts.models import Course, Membership, ResourceLink, User
from lti_tool.db import new_session
from tests.lti.launching import LaunchResult, auth_url_of_login_answer, page_facts

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
SYSTEM = "http://purl.imsglobal.org/vocab/lis/v2/system/person#"
ROLE_LABELS = {"admin": "Administrateur", "teacher": "Enseignant",
               "participant": "Participant", "guest": "Invité"}
COURSE_TITLE = "Certificat inter-universités en management public"
NO_COURSE = "Aucun cours (lancé hors d'un cours)"


@dataclass(frozen=True)
class Person:
    user_id: str
    role: str
    given_name: str
    family_name: str
    email: str

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


LEARNER = Person("2", "participant", "Amélie", "Dubois", "amelie.dubois@univ-a.example")
INSTRUCTOR = Person("4", "teacher", "Claire", "Martin", "claire.martin@univ-a.example")
PEOPLE = pytest.mark.parametrize("person", [LEARNER, INSTRUCTOR], ids=["learner", "instructor"])


def stored(app, model) -> list:
    """Every row of ``model``, read outside the tool's requests."""
    with app.app_context():
        with new_session() as session:
            return list(session.scalars(select(model).order_by(model.id)))


def landed(driver, result: LaunchResult) -> dict[str, str]:
    """Follow an accepted launch to its page and return the page's facts."""
    assert result.status == 200, result.response.text
    # A participant goes straight to their portfolio; other roles to the target's landing page.
    assert result.location.split("?lt=")[0] in ("/portfolio/", "/app/portfolio")
    page = driver.page(result)
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    return page_facts(page.text)


def the_user(app) -> User:
    users = stored(app, User)
    assert len(users) == 1
    return users[0]


@PEOPLE
def test_a_basic_launch_is_accepted(driver, site_a, app, person):
    before = datetime.now(timezone.utc)
    facts = landed(driver, driver.launch(site_a, person.user_id, "101"))
    after = datetime.now(timezone.utc)
    assert facts["Personne"] == person.name
    assert facts["Rôle"] == ROLE_LABELS[person.role]
    assert facts["Cours"] == COURSE_TITLE
    assert facts["Plateforme"] == "Université A"

    user = the_user(app)
    assert (user.issuer, user.sub) == (site_a.issuer, person.user_id)
    assert (user.given_name, user.family_name, user.email) == (
        person.given_name, person.family_name, person.email)
    assert user.name == person.name
    [course] = stored(app, Course)
    assert (course.context_id, course.label, course.deployment_id) == ("12", "CIMP-A", "1")
    [membership] = stored(app, Membership)
    assert (membership.user_id, membership.course_id) == (user.id, course.id)
    assert membership.role == person.role
    assert json.loads(membership.lti_roles) == site_a.launch_roles(person.user_id, "12")
    # Times are stored as UTC and read back as such; flags as booleans.
    assert before <= user.created_at == user.last_launch_at <= after
    assert before <= membership.updated_at <= after
    assert membership.active is True and membership.source == "launch"
    [link] = stored(app, ResourceLink)
    assert (link.resource_link_id, link.course_id, link.target) == ("101", course.id, "portfolio")


@PEOPLE
def test_the_launch_answers_with_its_first_page_and_names_its_address(driver, site_a, person):
    result = driver.launch(site_a, person.user_id, "101")
    assert result.status == 200 and result.location.startswith("/")
    # The page's script puts that address in the address bar: a reload opens it with a GET.
    assert f'data-address="{result.location}"' in html.unescape(result.response.text)
    reloaded = driver.reopen(result)
    assert reloaded.status_code == 200
    assert page_facts(reloaded.text) == page_facts(result.response.text)


@pytest.mark.parametrize("person, roles", [
    (LEARNER, [MEMBERSHIP + "Learner", INSTITUTION + "Student", MEMBERSHIP + "Mentor"]),
    (INSTRUCTOR, [MEMBERSHIP + "Learner", MEMBERSHIP + "Instructor", INSTITUTION + "Faculty",
                  MEMBERSHIP + "Instructor#TeachingAssistant"]),
], ids=["learner", "instructor"])
def test_several_role_values_give_the_most_privileged_known_role(driver, site_a, app, person,
                                                                 roles):
    facts = landed(driver, driver.forged_launch(site_a, person.user_id, "101", roles=roles))
    assert facts["Rôle"] == ROLE_LABELS[person.role]
    [membership] = stored(app, Membership)
    assert membership.role == person.role
    assert json.loads(membership.lti_roles) == roles


@pytest.mark.parametrize("person, short_role", [(LEARNER, "Learner"),
                                                (INSTRUCTOR, "Instructor")],
                         ids=["learner", "instructor"])
def test_a_short_role_name_is_understood(driver, site_a, app, person, short_role):
    facts = landed(driver, driver.forged_launch(site_a, person.user_id, "101",
                                                roles=[short_role]))
    assert facts["Rôle"] == ROLE_LABELS[person.role]
    assert stored(app, Membership)[0].role == person.role


@PEOPLE
@pytest.mark.parametrize("roles", [
    ["http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper"],
    ["urn:example:moodle:role#Observer", "Unknown"],
    [],
], ids=["unknown-lis-role", "unknown-roles", "empty"])
def test_an_unknown_or_empty_role_set_gives_the_guest_view(driver, site_a, app, person, roles):
    facts = landed(driver, driver.forged_launch(site_a, person.user_id, "101", roles=roles))
    assert facts["Rôle"] == ROLE_LABELS["guest"]
    assert facts["Personne"] == person.name
    assert stored(app, Membership)[0].role == "guest"


@PEOPLE
def test_a_launch_with_email_only(driver, site_a, app, person):
    facts = landed(driver, driver.forged_launch(site_a, person.user_id, "101", name=None,
                                                given_name=None, family_name=None))
    assert facts["Personne"] == person.email
    user = the_user(app)
    assert (user.name, user.given_name, user.family_name) == (None, None, None)
    assert user.email == person.email


@PEOPLE
def test_a_launch_with_names_only(driver, site_a, app, person):
    facts = landed(driver, driver.forged_launch(site_a, person.user_id, "101", email=None))
    assert facts["Personne"] == person.name
    user = the_user(app)
    assert user.email is None
    assert (user.given_name, user.family_name) == (person.given_name, person.family_name)


@PEOPLE
def test_a_launch_with_given_and_family_names_but_no_full_name(driver, site_a, app, person):
    facts = landed(driver, driver.forged_launch(site_a, person.user_id, "101", name=None,
                                                email=None))
    assert facts["Personne"] == person.name


@PEOPLE
def test_a_launch_without_any_personal_data(driver, site_a, app, person):
    facts = landed(driver, driver.forged_launch(site_a, person.user_id, "101", name=None,
                                                given_name=None, family_name=None, email=None))
    # Nothing but the platform's user id is known: the page still says who this is.
    assert facts["Personne"] == person.user_id
    assert facts["Rôle"] == ROLE_LABELS[person.role]
    user = the_user(app)
    assert (user.name, user.given_name, user.family_name, user.email) == (None,) * 4


@PEOPLE
def test_a_launch_without_context_is_outside_any_course(driver, site_a, app, person):
    facts = landed(driver, driver.forged_launch(site_a, person.user_id, "101", context=None))
    assert facts["Cours"] == NO_COURSE
    assert facts["Rôle"] == ROLE_LABELS[person.role]
    assert the_user(app).sub == person.user_id
    assert stored(app, Course) == []
    assert stored(app, Membership) == []
    [link] = stored(app, ResourceLink)
    assert link.course_id is None


def test_a_moodle_site_administrator_is_an_admin(driver, site_a, app):
    roles = site_a.launch_roles("9", "12")
    assert INSTITUTION + "Administrator" in roles and SYSTEM + "Administrator" in roles
    facts = landed(driver, driver.launch(site_a, "9", "101"))
    assert facts["Rôle"] == ROLE_LABELS["admin"]
    assert facts["Personne"] == "Admin Université A"
    assert stored(app, Membership)[0].role == "admin"


@pytest.mark.parametrize("roles", [[SYSTEM + "Administrator"], [INSTITUTION + "Administrator"],
                                   ["Administrator"]])
def test_any_administrator_role_alone_is_an_admin(driver, site_a, app, roles):
    facts = landed(driver, driver.forged_launch(site_a, "4", "101", roles=roles))
    assert facts["Rôle"] == ROLE_LABELS["admin"]


def test_an_english_launch_shows_the_page_in_english(driver, site_a, app):
    result = driver.forged_launch(
        site_a, "2", "101",
        launch_presentation={"locale": "en", "document_target": "iframe"})
    page = driver.page(result)
    assert '<html lang="en">' in page.text
    facts = page_facts(page.text)
    assert facts["Role"] == "Participant"
    assert facts["Person"] == LEARNER.name
    assert the_user(app).locale == "en"


def test_the_same_launch_twice_updates_the_same_rows(driver, site_a, app):
    landed(driver, driver.launch(site_a, "2", "101"))
    first = the_user(app)
    landed(driver, driver.launch(site_a, "2", "101"))
    again = the_user(app)
    assert again.created_at == first.created_at and again.last_launch_at > first.last_launch_at
    assert len(stored(app, Course)) == 1
    assert len(stored(app, Membership)) == 1
    assert len(stored(app, ResourceLink)) == 1


# ----- login -----------------------------------------------------------------------------------

def set_cookie_headers(response) -> list[str]:
    return response.raw.headers.getlist("Set-Cookie")


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("new_window", [False, True], ids=["in-frame", "new-window"])
def test_the_login_sends_the_browser_to_the_platform_with_every_parameter(
        driver, site_a, tool_server, method, new_window):
    params = site_a.login_params("2", "101")
    if new_window:
        params["lti1p3_new_window"] = "1"
    url = tool_server.url + "/lti/login"
    response = (driver.http.get(url, params=params, allow_redirects=False) if method == "GET"
                else driver.http.post(url, data=params, allow_redirects=False))
    assert response.status_code == (302 if new_window else 200)
    auth_url = auth_url_of_login_answer(response)
    parts = urlsplit(auth_url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == site_a.auth_url
    query = {k: v for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    assert all(len(values) == 1 for values in query.values())
    sent = {k: v[0] for k, v in query.items()}
    assert sent.pop("state") and sent.pop("nonce")
    assert sent == {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post",
        "prompt": "none", "client_id": site_a.client_id,
        "redirect_uri": tool_server.url + "/lti/launch",
        "login_hint": params["login_hint"], "lti_message_hint": params["lti_message_hint"],
    }


def test_each_login_gets_its_own_state_and_nonce(driver, site_a):
    first = driver.start_login(site_a, "2", "101")
    second = driver.start_login(site_a, "2", "101")
    assert first.state != second.state
    assert first.nonce != second.nonce
    assert len(first.nonce) >= 16


def test_the_state_cookie_works_inside_another_sites_frame(driver, site_a, tool_server):
    response = driver.http.post(tool_server.url + "/lti/login",
                                data=site_a.login_params("2", "101"), allow_redirects=False)
    state = parse_qs(urlsplit(auth_url_of_login_answer(response)).query)["state"][0]
    headers = set_cookie_headers(response)
    [state_cookie] = [h for h in headers if h.startswith(f"lti1p3-{state}={state}")]
    attributes = {part.strip().split("=")[0].lower() for part in state_cookie.split(";")[1:]}
    assert {"secure", "samesite", "partitioned", "httponly", "path"} <= attributes
    assert "SameSite=None" in state_cookie
    for header in headers:
        assert "Secure" in header and "SameSite=None" in header and "Partitioned" in header


def test_login_and_launch_keep_nothing_in_a_cookie_session(driver, site_a, tool_server):
    login = driver.start_login(site_a, "2", "101")
    assert all(name.startswith("lti1p3-") for name in login.cookies)
    action, fields = driver.platform_auth(login)
    result = driver.post_launch(fields, login.cookies, action)
    assert result.status == 200
    assert set_cookie_headers(result.response) == []
    page = driver.page(result)
    assert page.status_code == 200
    assert set_cookie_headers(page) == []
