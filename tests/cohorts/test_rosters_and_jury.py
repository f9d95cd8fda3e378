"""Rosters of every course of a cohort imported with NRPS (on request and after teacher
launches), platform failures shown to the teacher, and the jury appointed inside the tool."""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from lti_tool.accounts.models import Course, Membership, User
from lti_tool.cohorts.models import CohortJuror
from lti_tool.db import get_session
from tests.cohorts.pages import cohort_id_of, join_code_on, launched

TEACHER_A, TEACHER_B = "4", "5"
PORTFOLIO_A, PORTFOLIO_B = "101", "201"


def memberships(app, issuer: str) -> dict[str, tuple[str, str, bool]]:
    """sub -> (role, source, active) of the memberships of the courses of ``issuer``."""
    with app.app_context():
        rows = get_session().execute(
            select(User.sub, Membership.role, Membership.source, Membership.active)
            .join(Membership, Membership.user_id == User.id).where(User.issuer == issuer)
        ).all()
    return {sub: (role, source, active) for sub, role, source, active in rows}


@pytest.fixture
def cohort(driver, tool_server, site_a, site_b):
    """A cohort of univ-a's course 12 and univ-b's course 7, joined by their teachers."""
    teacher_a = launched(driver, tool_server.url, site_a, TEACHER_A, PORTFOLIO_A)
    created = teacher_a.post("/cohort/create", {"name": "2026-2027"})
    cohort_id = cohort_id_of(created)
    code = join_code_on(teacher_a.follow(created).text)
    teacher_b = launched(driver, tool_server.url, site_b, TEACHER_B, PORTFOLIO_B)
    assert teacher_b.post("/cohort/join", {"code": code}).status_code == 303
    return teacher_a, teacher_b, cohort_id


def import_rosters(pages, cohort_id):
    answer = pages.post(f"/cohort/{cohort_id}/rosters", {}, csrf_from=f"/cohort/{cohort_id}")
    assert answer.status_code == 303
    page = pages.follow(answer)
    assert page.status_code == 200
    return page


def test_rosters_of_every_course_are_imported_page_by_page(cohort, site_a, site_b, app):
    teacher_a, _teacher_b, cohort_id = cohort
    site_a.nrps_page_size = 2
    site_b.nrps_page_size = 2
    tokens_before = (site_a.tokens_issued, site_b.tokens_issued)

    page = import_rosters(teacher_a, cohort_id)
    # Both courses have the same title: each message names its university.
    assert ("(Université A) : 5 personnes dans la liste des participants, dont 4 nouvelles"
            in page.text)
    assert ("(Université B) : 4 personnes dans la liste des participants, dont 3 nouvelles"
            in page.text)

    # People who never launched are there, from both universities, marked as from the roster.
    on_a = memberships(app, site_a.issuer)
    assert set(on_a) == {"2", "3", "4", "5", "6"}
    assert on_a["2"] == ("participant", "roster", True)
    assert on_a["4"] == ("teacher", "launch", True)  # her launch's role and source are kept
    on_b = memberships(app, site_b.issuer)
    assert set(on_b) == {"2", "3", "5", "6"}
    assert on_b["5"] == ("teacher", "launch", True)
    assert on_b["6"][1] == "roster"

    members = teacher_a.get(f"/cohort/{cohort_id}/members").text
    for name in ("Amélie Dubois", "Bruno Lambert", "Nicolas Dupont", "Sophie Lemaire",
                 "Julie Renard"):
        assert name in members
    assert "liste des participants" in members and "a ouvert l’outil" in members

    # Importing again reuses each platform's token and adds nobody.
    page = import_rosters(teacher_a, cohort_id)
    assert "dont 0 nouvelles" in page.text
    tokens_after = (site_a.tokens_issued, site_b.tokens_issued)
    assert tokens_after == (tokens_before[0] + 1, tokens_before[1] + 1)
    with app.app_context():
        assert all(c.roster_synced_at is not None for c in get_session().scalars(select(Course)))


def test_a_platform_error_is_shown_and_nothing_is_written(cohort, site_a, app):
    teacher_a, _teacher_b, cohort_id = cohort
    site_a.faults.add(endpoint="memberships", status=500)
    page = import_rosters(teacher_a, cohort_id)
    assert ("(Université A) : la plateforme a refusé de fournir la liste des participants "
            "(HTTP 500)") in page.text
    assert set(memberships(app, site_a.issuer)) == {"4"}
    # The other university's roster was imported all the same.
    assert "4 personnes dans la liste des participants" in page.text


def test_a_course_without_roster_service_is_explained(driver, tool_server, site_a, site_b, app):
    # A course whose links all came from the cartridge: no NRPS claim in its launches.
    site_b.activities[PORTFOLIO_B] = dataclasses.replace(site_b.activities[PORTFOLIO_B],
                                                         nrps=False)
    teacher_a = launched(driver, tool_server.url, site_a, TEACHER_A, PORTFOLIO_A)
    created = teacher_a.post("/cohort/create", {"name": "2026-2027"})
    cohort_id = cohort_id_of(created)
    code = join_code_on(teacher_a.follow(created).text)
    teacher_b = launched(driver, tool_server.url, site_b, TEACHER_B, PORTFOLIO_B)
    assert teacher_b.post("/cohort/join", {"code": code}).status_code == 303

    overview = teacher_b.get(f"/cohort/{cohort_id}").text
    assert "Pas encore de service de liste" in overview
    page = import_rosters(teacher_b, cohort_id)
    assert ("ne fournit pas encore la liste des participants (service de liste) pour ce cours"
            in page.text)
    assert "« Sélectionner un contenu »" in page.text
    assert set(memberships(app, site_b.issuer)) == {TEACHER_B}
    assert len(memberships(app, site_a.issuer)) == 5


def test_a_teacher_launch_imports_a_due_roster_once(cohort, driver, tool_server, site_a, app):
    _teacher_a, _teacher_b, _cohort_id = cohort
    # The course was in no cohort at the first launch: nothing was imported then.
    assert set(memberships(app, site_a.issuer)) == {TEACHER_A}

    teacher = launched(driver, tool_server.url, site_a, TEACHER_A, PORTFOLIO_A)
    assert teacher.landing().status_code == 200
    assert set(memberships(app, site_a.issuer)) == {"2", "3", "4", "5", "6"}

    # Within the interval, another teacher launch leaves the platform alone.
    site_a.faults.add(endpoint="memberships", status=500)
    again = launched(driver, tool_server.url, site_a, "5", PORTFOLIO_A)
    assert again.landing().status_code == 200
    assert len(site_a.faults.pending) == 1


def test_a_failing_roster_after_a_launch_does_not_break_the_page(cohort, driver, tool_server,
                                                                 site_a, app):
    site_a.faults.add(endpoint="memberships", status=500)
    teacher = launched(driver, tool_server.url, site_a, TEACHER_A, PORTFOLIO_A)
    assert teacher.landing().status_code == 200
    assert not site_a.faults.pending
    assert set(memberships(app, site_a.issuer)) == {TEACHER_A}


def test_a_participant_launch_imports_nothing(cohort, driver, tool_server, site_a, app):
    participant = launched(driver, tool_server.url, site_a, "2", PORTFOLIO_A)
    assert participant.landing().status_code == 200
    assert set(memberships(app, site_a.issuer)) == {TEACHER_A, "2"}


def test_jurors_of_any_university_are_appointed_and_removed(cohort, site_b, app):
    teacher_a, _teacher_b, cohort_id = cohort
    import_rosters(teacher_a, cohort_id)
    with app.app_context():
        juror_id = get_session().scalar(select(User.id).where(User.issuer == site_b.issuer,
                                                              User.sub == "6"))
    members_path = f"/cohort/{cohort_id}/members"
    csrf = teacher_a.csrf_token(members_path)

    appointed = teacher_a.post(f"/cohort/{cohort_id}/jurors",
                               {"user_id": str(juror_id), "action": "appoint"}, csrf_token=csrf)
    page = teacher_a.follow(appointed)
    assert "Ajouté au jury" in page.text
    assert "Retirer Julie Renard du jury" in page.text
    overview = teacher_a.get(f"/cohort/{cohort_id}").text
    assert "Julie Renard" in overview and "Université B" in overview

    # Appointing twice changes nothing.
    teacher_a.post(f"/cohort/{cohort_id}/jurors", {"user_id": str(juror_id), "action": "appoint"},
                   csrf_token=csrf)
    with app.app_context():
        assert get_session().scalar(select(CohortJuror.user_id)) == juror_id
        assert len(get_session().scalars(select(CohortJuror)).all()) == 1

    removed = teacher_a.post(f"/cohort/{cohort_id}/jurors",
                             {"user_id": str(juror_id), "action": "remove"}, csrf_token=csrf)
    assert "Retiré du jury" in teacher_a.follow(removed).text
    with app.app_context():
        assert get_session().scalars(select(CohortJuror)).all() == []


def test_a_malformed_jury_request_is_refused(cohort, app):
    teacher_a, _teacher_b, cohort_id = cohort
    answer = teacher_a.post(f"/cohort/{cohort_id}/jurors", {"user_id": "x", "action": "appoint"},
                            csrf_from=f"/cohort/{cohort_id}")
    assert answer.status_code == 400
