"""Where a launch lands: every canonical target of the programme, named by the link's address,
its query string or a custom parameter; the landing page and the launch token that guards it."""
from __future__ import annotations

import html
import time

import pytest

from lti_tool.accounts.services import LaunchContext
from lti_tool.sessions import _serializer, launch_url, start_launch_session
from lti_tool.store import get_store
from programme.loader import cached_programme
from programme.targets import launch_targets
from tests.lti.launching import page_facts

SESSION_ENDED_FR = "Votre session a pris fin"
OPEN_AGAIN_FR = "Ouvrez à nouveau l'activité depuis votre cours Moodle pour continuer."
NOT_A_LAUNCH_FR = ("Cette adresse est ouverte par votre plateforme de cours, depuis une activité "
                   "de votre cours.")
TARGETS = {target.name: target for target in launch_targets(cached_programme())}
# The demo course of univ-a: one activity per canonical target, in this order from 101.
ACTIVITY_TARGETS = [
    ("101", "portfolio"),
    *[(str(101 + n), f"portfolio/pillar-{n}") for n in range(1, 7)],
    ("108", "seminar-1"), ("109", "seminar-2"), ("110", "seminar-3"), ("111", "case-study"),
    ("112", "assessment/collective-report"), ("113", "assessment/reflective-report"),
    ("114", "assessment/oral-exam"),
]




def first_page(name: str, user_id: str) -> str:
    """Where a launch of target ``name`` sends the user: a participant (user 2) straight to their
    own portfolio page, anyone else to the target's landing page."""
    if user_id != "2" or name.startswith("assessment/"):
        return f"/app/{name}"
    if name == "portfolio":
        return "/portfolio/"
    return "/portfolio/" + name.removeprefix("portfolio/")


def test_the_demo_course_covers_every_canonical_target():
    assert sorted(name for _, name in ACTIVITY_TARGETS) == sorted(TARGETS)


@pytest.mark.parametrize("activity_id, name", ACTIVITY_TARGETS)
@pytest.mark.parametrize("user_id", ["2", "4"], ids=["participant", "teacher"])
def test_each_target_lands_on_its_page(driver, site_a, activity_id, name, user_id):
    result = driver.launch(site_a, user_id, activity_id)
    assert result.status == 200, result.response.text
    assert result.location.startswith(f"{first_page(name, user_id)}?lt=")
    # Each area may lead a role on to its own pages; every one of them opens.
    assert driver.page(result).status_code == 200


@pytest.mark.parametrize("activity_id, name", [(activity_id, name)
                                                for activity_id, name in ACTIVITY_TARGETS
                                                if not name.startswith("assessment/")])
def test_the_landing_page_says_who_where_and_what(driver, site_a, activity_id, name):
    # A guest (no known role) stays on the landing page of the target itself (the assessments
    # have pages of their own).
    result = driver.forged_launch(site_a, "2", activity_id, roles=[])
    assert result.location.startswith(f"/app/{name}?lt=")
    page = driver.page(result)
    assert page.status_code == 200
    assert f"<h1>{TARGETS[name].title}</h1>" in html.unescape(page.text)
    facts = page_facts(page.text)
    assert facts["Personne"] == "Amélie Dubois"
    assert facts["Rôle"] == "Invité"
    assert facts["Cours"] == "Certificat inter-universités en management public"
    assert facts["Cohorte"]
    assert facts["Cible"] == f"/lti/launch/{name}"


def test_the_query_form_of_a_target_is_honoured(driver, site_a):
    assert site_a.activities["109"].target == "/lti/launch?target=seminar-2"
    result = driver.forged_launch(site_a, "4", "109", roles=[])
    assert result.location.startswith("/app/seminar-2?lt=")
    assert page_facts(driver.page(result).text)["Cible"] == "/lti/launch/seminar-2"


@pytest.mark.parametrize("custom_target, name", [
    ("seminar-3", "seminar-3"),
    ("portfolio/pillar-4", "portfolio/pillar-4"),
    ("pillar-4", "portfolio/pillar-4"),
    ("oral-exam", "assessment/oral-exam"),
])
def test_a_custom_target_parameter_wins_over_the_link_address(driver, site_a, custom_target,
                                                              name):
    result = driver.forged_launch(site_a, "2", "101", roles=[],
                                  custom={"target": custom_target})
    assert result.location.startswith(f"/app/{name}?lt=")
    assert driver.page(result).status_code == 200


def test_an_unknown_custom_target_falls_back_to_the_link_address(driver, site_a):
    result = driver.forged_launch(site_a, "2", "104", custom={"target": "no-such-thing"})
    assert result.location.startswith("/portfolio/pillar-3?lt=")


def test_a_link_naming_no_target_opens_the_portfolio(driver, site_a, tool_server):
    result = driver.forged_launch(site_a, "2", "101",
                                  target_link_uri=tool_server.url + "/lti/launch")
    assert result.location.startswith("/portfolio/?lt=")


def test_a_target_page_without_launch_token_is_refused(driver, tool_server):
    response = driver.http.get(tool_server.url + "/app/portfolio")
    assert response.status_code == 401
    assert SESSION_ENDED_FR in response.text
    assert OPEN_AGAIN_FR in html.unescape(response.text)


def test_a_tampered_launch_token_is_refused(driver, site_a, tool_server):
    token = driver.launch(site_a, "2", "101").token
    assert driver.http.get(tool_server.url + "/app/portfolio",
                           params={"lt": token}).status_code == 200
    # The last two: characters base64 decoding would skip, so the signature would still verify.
    for tampered in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
                     "x" + token, token.split(".")[0], token + "\r\n", token + '"><b>'):
        response = driver.http.get(tool_server.url + "/app/portfolio", params={"lt": tampered})
        assert response.status_code == 401
        assert SESSION_ENDED_FR in response.text


def test_the_launch_token_is_accepted_as_a_header(driver, site_a, tool_server):
    token = driver.forged_launch(site_a, "2", "101", roles=[]).token
    response = driver.http.get(tool_server.url + "/app/seminar-1",
                               headers={"X-Launch-Token": token})
    assert response.status_code == 200
    assert page_facts(response.text)["Cible"] == "/lti/launch/seminar-1"


def test_a_launch_token_opens_other_targets_of_the_tool(driver, site_a, tool_server):
    token = driver.forged_launch(site_a, "2", "101", roles=[]).token
    response = driver.http.get(tool_server.url + "/app/case-study", params={"lt": token})
    assert response.status_code == 200
    assert page_facts(response.text)["Personne"] == "Amélie Dubois"


def test_an_unknown_target_page_is_not_found(driver, site_a, tool_server):
    token = driver.launch(site_a, "2", "101").token
    response = driver.http.get(tool_server.url + "/app/pillar-9", params={"lt": token})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/lti/launch", "/lti/launch/portfolio/pillar-3",
                                  "/lti/launch?target=seminar-2",
                                  "/lti/launch/assessment/oral-exam"])
def test_opening_a_launch_address_directly_explains_where_it_is_opened(driver, tool_server,
                                                                       path):
    response = driver.http.get(tool_server.url + path)
    assert response.status_code == 405
    assert '<html lang="fr">' in response.text
    assert NOT_A_LAUNCH_FR in html.unescape(response.text)
    assert "<code>not_a_launch</code>" in response.text


def test_a_launch_session_ends_after_its_lifetime(driver, site_a, tool_server, app):
    app.config["LAUNCH_SESSION_SECONDS"] = 2
    result = driver.launch(site_a, "2", "101")
    assert driver.reopen(result).status_code == 200
    time.sleep(3.2)
    response = driver.reopen(result)
    assert response.status_code == 401
    assert SESSION_ENDED_FR in response.text
    assert OPEN_AGAIN_FR in html.unescape(response.text)
    # A new launch opens a new session.
    assert driver.page(driver.launch(site_a, "2", "101")).status_code == 200


def test_a_session_problem_is_reported_in_json_to_scripts(driver, site_a, tool_server, app):
    app.config["LAUNCH_SESSION_SECONDS"] = 1
    token = driver.launch(site_a, "2", "101").token
    time.sleep(2.2)
    response = driver.http.get(tool_server.url + "/app/portfolio", params={"lt": token},
                               headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.json()["code"] == 401
    assert response.json()["session"] in ("expired", "invalid")


def stored_session(app, token: str) -> tuple[str, dict]:
    with app.app_context():
        sid = _serializer(app).loads(token)
        return f"session:{sid}", get_store().get(f"session:{sid}")


def test_a_session_stored_with_an_extra_field_still_opens(driver, site_a, tool_server, app):
    token = driver.forged_launch(site_a, "2", "101", roles=[]).token
    key, data = stored_session(app, token)
    data["launch"]["field_of_another_version"] = 1
    with app.app_context():
        get_store().set(key, data, 60)
    response = driver.http.get(tool_server.url + "/app/seminar-1", params={"lt": token})
    assert response.status_code == 200
    assert page_facts(response.text)["Personne"] == "Amélie Dubois"


def test_a_session_stored_without_a_required_field_has_ended(driver, site_a, tool_server, app):
    token = driver.forged_launch(site_a, "2", "101", roles=[]).token
    key, data = stored_session(app, token)
    del data["launch"]["role"]
    with app.app_context():
        get_store().set(key, data, 60)
    response = driver.http.get(tool_server.url + "/app/seminar-1", params={"lt": token})
    assert response.status_code == 401
    assert SESSION_ENDED_FR in response.text


def test_links_carry_the_launch_token_before_any_fragment(app):
    context = LaunchContext(user_id=1, role="participant", platform_id=1, issuer="https://lms",
                            client_id="client", deployment_id="1", course_id=None,
                            resource_link_id=None, message_type="LtiResourceLinkRequest",
                            target="portfolio", locale="fr", pylti_launch_id="test")
    with app.test_request_context("/"):
        token = start_launch_session(context)
        assert launch_url("portfolio.pillar", number=2) == f"/portfolio/pillar-2?lt={token}"
        assert launch_url("portfolio.new_entry", kind="seminar", _anchor="form") == (
            f"/portfolio/entries/new?kind=seminar&lt={token}#form")
