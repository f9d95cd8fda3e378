"""Service calls to the platform: access tokens cached in the shared store per registration and
scopes, NRPS paging, role forms, and platform failures reported as PlatformServiceError."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool.accounts.models import Course
from lti_tool.accounts.roles import PARTICIPANT, TEACHER
from lti_tool.db import get_session
from lti_tool.lti.adapter import DatabaseToolConf
from lti_tool.lti.models import Platform
from lti_tool.lti.platform_services import (NRPS_SCOPE, NoRosterService, PlatformServiceError,
                                            StoreServiceConnector, access_token_key,
                                            connector_for, fetch_memberships)
from lti_tool.store import get_store

TEACHER_A, PORTFOLIO_A = "4", "101"
COURSE_A_PEOPLE = {"2", "3", "4", "5", "6"}


@pytest.fixture
def course_a(app, driver, site_a):
    """Course 12 of univ-a as a teacher's launch recorded it (with its memberships URL)."""
    assert driver.launch(site_a, TEACHER_A, PORTFOLIO_A).status == 200
    with app.app_context():
        course = get_session().scalar(select(Course).where(Course.context_id == "12"))
        assert course.memberships_url == site_a.memberships_url("12")
        return course.id


def roster(app, course_id):
    with app.app_context():
        session = get_session()
        return fetch_memberships(session, session.get(Course, course_id))


def test_the_whole_roster_is_read_across_pages(app, site_a, course_a):
    site_a.nrps_page_size = 2
    members = roster(app, course_a)
    assert {m.sub for m in members} == COURSE_A_PEOPLE
    by_sub = {m.sub: m for m in members}
    assert by_sub["4"].role == TEACHER
    assert by_sub["2"].role == PARTICIPANT
    # Moodle's NRPS calls a non-editing teacher a Learner.
    assert by_sub["5"].role == PARTICIPANT
    assert by_sub["2"].name == "Amélie Dubois"
    assert by_sub["2"].email == "amelie.dubois@univ-a.example"
    assert all(m.active for m in members)


def test_short_role_names_are_understood(app, site_a, course_a):
    site_a.nrps_short_roles = True
    by_sub = {m.sub: m for m in roster(app, course_a)}
    assert by_sub["4"].roles == ("Instructor",) and by_sub["4"].role == TEACHER
    assert by_sub["3"].roles == ("Learner",) and by_sub["3"].role == PARTICIPANT


def test_one_token_serves_several_calls_and_connectors(app, site_a, course_a):
    site_a.nrps_page_size = 2
    before = site_a.tokens_issued
    roster(app, course_a)
    roster(app, course_a)
    assert site_a.tokens_issued - before == 1
    with app.app_context():
        platform = get_session().scalar(select(Platform).where(Platform.issuer == site_a.issuer))
        key = access_token_key(platform.issuer, platform.client_id, [NRPS_SCOPE])
        # Kept in the shared store, where every worker finds it.
        assert isinstance(get_store().get(key), str)


def test_the_token_asks_only_for_the_scopes_of_the_call(app, site_a, course_a, monkeypatch):
    asked = []
    original = StoreServiceConnector._post_token_request

    def spy(self, token_url, scopes):
        asked.append(list(scopes))
        return original(self, token_url, scopes)

    monkeypatch.setattr(StoreServiceConnector, "_post_token_request", spy)
    roster(app, course_a)
    assert asked == [[NRPS_SCOPE]]


def test_token_keys_name_the_client_id_and_ignore_scope_order():
    scopes = ["https://example.test/scope/b", "https://example.test/scope/a"]
    same = access_token_key("https://moodle.example", "client-1", scopes)
    assert same == access_token_key("https://moodle.example", "client-1", reversed(scopes))
    assert same != access_token_key("https://moodle.example", "client-2", scopes)
    assert same != access_token_key("https://moodle.example", "client-1", scopes[:1])


def test_a_token_living_less_than_the_margin_is_not_cached(app, site_a, course_a):
    site_a.token_lifetime = 30
    before = site_a.tokens_issued
    roster(app, course_a)
    roster(app, course_a)
    assert site_a.tokens_issued - before == 2


def test_a_token_the_platform_dropped_is_renewed_once(app, site_a, course_a):
    roster(app, course_a)
    site_a.expire_tokens()
    before = site_a.tokens_issued
    assert {m.sub for m in roster(app, course_a)} == COURSE_A_PEOPLE
    assert site_a.tokens_issued - before == 1


def test_a_platform_error_is_reported_with_its_status(app, site_a, course_a):
    site_a.faults.add(endpoint="memberships", status=500)
    with pytest.raises(PlatformServiceError) as failure:
        roster(app, course_a)
    assert failure.value.status == 500


def test_an_error_on_a_later_page_fails_the_whole_roster(app, site_a, course_a):
    site_a.nrps_page_size = 2
    roster(app, course_a)  # the token is cached: the next fault hits the second page
    site_a.faults.add(endpoint="memberships", status=None)
    site_a.faults.add(endpoint="memberships", status=503)
    with pytest.raises(PlatformServiceError) as failure:
        roster(app, course_a)
    assert failure.value.status == 503


def test_a_refused_token_request_is_reported(app, site_a, course_a):
    site_a.faults.add(endpoint="token", status=400)
    with pytest.raises(PlatformServiceError) as failure:
        roster(app, course_a)
    assert failure.value.status == 400


def test_a_slow_platform_times_out(app, site_a, course_a):
    with app.app_context():
        session = get_session()
        platform = session.scalar(select(Platform).where(Platform.issuer == site_a.issuer))
        registration = DatabaseToolConf(session).find_registration_by_params(
            platform.issuer, platform.client_id)
        connector = StoreServiceConnector(registration, get_store(), timeout=0.5)
        connector.get_access_token([NRPS_SCOPE])
        site_a.faults.add(endpoint="memberships", status=None, delay_seconds=2)
        with pytest.raises(PlatformServiceError):
            list(connector.paginated([NRPS_SCOPE], site_a.memberships_url("12"),
                                     accept="application/vnd.ims.lti-nrps.v2."
                                            "membershipcontainer+json"))


def test_a_course_without_memberships_url_has_no_roster(app, site_a, course_a):
    with app.app_context():
        session = get_session()
        course = session.get(Course, course_a)
        course.memberships_url = None
        with pytest.raises(NoRosterService):
            fetch_memberships(session, course)


def test_an_unknown_platform_has_no_connector(app):
    with app.app_context(), pytest.raises(PlatformServiceError):
        connector_for(get_session(), 999)


def test_inactive_members_are_marked(app, site_a, course_a, monkeypatch):
    from lti_tool.lti import platform_services

    original = platform_services.member_from_nrps

    def with_status(entry):
        if isinstance(entry, dict) and entry.get("user_id") == "3":
            entry = {**entry, "status": "Inactive"}
        return original(entry)

    monkeypatch.setattr(platform_services, "member_from_nrps", with_status)
    by_sub = {m.sub: m for m in roster(app, course_a)}
    assert not by_sub["3"].active and by_sub["2"].active
