"""Who may open the teachers' progress and report pages: no launch 401, participants 403,
another cohort 404, and drafts never shown to a teacher."""
from __future__ import annotations

import pytest

from lti_tool.accounts.roles import PARTICIPANT, TEACHER
from lti_tool.db import new_session
from lti_tool.reports.services import report_versions, save_draft, submit_report
from programme import cached_programme
from tests.reports.cohort_data import add_entry, launch_token, make_cohort
from tests.reports.pages import get, post, text_of


@pytest.fixture
def two_cohorts(app):
    return make_cohort(app, "Liège", participants=2), make_cohort(app, "Mons", participants=1)


def submitted_report(app, people, user_id, synthesis="<p>Synthèse déposée</p>") -> int:
    with app.app_context():
        session = new_session()
        save_draft(session, people.cohort_id, user_id, synthesis, [])
        submission = submit_report(session, people.cohort_id, user_id, cached_programme())
        submission_id = submission.id
        session.close()
    return submission_id


def draft_report(app, people, user_id, synthesis) -> None:
    with app.app_context():
        session = new_session()
        save_draft(session, people.cohort_id, user_id, synthesis, [])
        session.close()


def teacher_pages(people, user_id: int, entry_id: int, submission_id: int) -> list[str]:
    base = f"/progress/{people.cohort_id}"
    return [base, f"{base}/participants/{user_id}",
            f"{base}/participants/{user_id}/entries/{entry_id}", f"{base}/deadline",
            f"{base}/reports", f"{base}/reports/{submission_id}",
            f"{base}/reports/{submission_id}/report.pdf",
            f"{base}/reports/{submission_id}/report.html"]


@pytest.fixture
def liege_pages(app, two_cohorts):
    liege, _mons = two_cohorts
    user_id = liege.participant_ids[0]
    entry_id = add_entry(app, user_id, "Entrée publiée", "<p>visible</p>")
    return teacher_pages(liege, user_id, entry_id, submitted_report(app, liege, user_id))


def test_every_teacher_page_needs_a_launch(client, liege_pages):
    for path in ["/progress/"] + liege_pages:
        assert get(client, path, None).status_code == 401, path
    assert client.post(liege_pages[0] + "/deadline").status_code in (400, 401)


def test_participants_are_refused_the_teacher_pages(app, client, two_cohorts, liege_pages):
    liege, _mons = two_cohorts
    token = launch_token(app, liege, liege.participant_ids[0], PARTICIPANT)
    for path in ["/progress/"] + liege_pages:
        assert get(client, path, token).status_code == 403, path


def test_the_teacher_of_the_cohort_reads_every_page(app, client, two_cohorts, liege_pages):
    liege, _mons = two_cohorts
    token = launch_token(app, liege, liege.teacher_id, TEACHER)
    for path in liege_pages:
        assert get(client, path, token).status_code == 200, path
    index = get(client, "/progress/", token)
    assert index.status_code == 303 and index.headers["Location"].startswith(liege_pages[0])


def test_a_teacher_of_another_cohort_reads_nothing_of_it(app, client, two_cohorts, liege_pages):
    liege, mons = two_cohorts
    mons_teacher = launch_token(app, mons, mons.teacher_id, TEACHER)
    for path in liege_pages:
        assert get(client, path, mons_teacher).status_code == 404, path
    # Not even through the teacher's own cohort id with the other cohort's people and reports.
    user_id = liege.participant_ids[0]
    with app.app_context():
        session = new_session()
        [submission] = report_versions(session, liege.cohort_id, user_id)
        session.close()
    own = f"/progress/{mons.cohort_id}"
    for path in (f"{own}/participants/{user_id}", f"{own}/reports/{submission.id}",
                 f"{own}/reports/{submission.id}/report.pdf"):
        assert get(client, path, mons_teacher).status_code == 404, path
    refused = post(client, f"{own}/reports/{submission.id}/reopen", mons_teacher, {},
                   csrf_from=f"{own}/deadline")
    assert refused.status_code == 404
    listing = text_of(get(client, f"{own}/reports", mons_teacher))
    assert "Participant Liège" not in listing


def test_drafts_are_never_shown_to_teachers(app, client, two_cohorts):
    liege, _mons = two_cohorts
    user_id = liege.participant_ids[0]
    published = add_entry(app, user_id, "Réflexion publiée", "<p>publique</p>")
    draft = add_entry(app, user_id, "Brouillon intime", "<p>secret</p>", published=False)
    draft_report(app, liege, user_id, "<p>Synthèse en cours secrète</p>")
    token = launch_token(app, liege, liege.teacher_id, TEACHER)
    base = f"/progress/{liege.cohort_id}"
    portfolio = text_of(get(client, f"{base}/participants/{user_id}", token))
    assert "Réflexion publiée" in portfolio and "Brouillon intime" not in portfolio
    assert get(client, f"{base}/participants/{user_id}/entries/{published}",
               token).status_code == 200
    assert get(client, f"{base}/participants/{user_id}/entries/{draft}", token).status_code == 404
    assert "Synthèse en cours secrète" not in text_of(get(client, f"{base}/reports", token))
    with app.app_context():
        session = new_session()
        [draft_version] = report_versions(session, liege.cohort_id, user_id)
        session.close()
    for suffix in ("", "/report.pdf", "/report.html"):
        assert get(client, f"{base}/reports/{draft_version.id}{suffix}",
                   token).status_code == 404
    matrix = text_of(get(client, base, token))
    assert "Brouillon intime" not in matrix


def test_the_participant_report_pages_need_a_launch_and_a_role(app, client, two_cohorts):
    liege, _mons = two_cohorts
    for path in ("/report/", "/report/preview", "/report/versions/1",
                 "/report/versions/1/report.pdf"):
        assert get(client, path, None).status_code == 401, path
    assert client.post("/report/").status_code in (400, 401)
    teacher = launch_token(app, liege, liege.teacher_id, TEACHER)
    answer = get(client, "/report/", teacher)
    assert answer.status_code == 303 and "/progress/" in answer.headers["Location"]


def test_a_participant_reads_only_their_own_submitted_versions(app, client, two_cohorts):
    liege, _mons = two_cohorts
    first, second = liege.participant_ids
    submitted_report(app, liege, first, "<p>Le rapport de la première</p>")
    token = launch_token(app, liege, second, PARTICIPANT)
    # Version numbers are per person: the second participant has no version 1 of their own.
    for path in ("/report/versions/1", "/report/versions/1/report.pdf",
                 "/report/versions/1/report.html"):
        assert get(client, path, token).status_code == 404, path
    draft_report(app, liege, second, "<p>brouillon</p>")
    assert get(client, "/report/versions/1", token).status_code == 404


def test_the_teacher_sets_and_moves_the_deadline(app, client, two_cohorts):
    liege, mons = two_cohorts
    token = launch_token(app, liege, liege.teacher_id, TEACHER)
    path = f"/progress/{liege.cohort_id}/deadline"
    bad = post(client, path, token, {"due_at": "demain"}, csrf_from=path)
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    assert post(client, path, token, {"due_at": "2027-06-15T23:59"},
                csrf_from=path).status_code == 303
    assert "15 juin 2027 23:59" in text_of(get(client, path, token))
    assert post(client, path, token, {"due_at": "2027-06-30T12:00"},
                csrf_from=path).status_code == 303
    page = get(client, path, token)
    assert "30 juin 2027 12:00" in text_of(page) and 'value="2027-06-30T12:00"' in page.get_data(
        as_text=True)
    participant = launch_token(app, liege, liege.participant_ids[0], PARTICIPANT)
    assert "30 juin 2027 12:00" in text_of(get(client, "/report/", participant))
    # The other cohort's deadline is untouched.
    other = launch_token(app, mons, mons.participant_ids[0], PARTICIPANT)
    assert "pas encore fixée" in text_of(get(client, "/report/", other))
