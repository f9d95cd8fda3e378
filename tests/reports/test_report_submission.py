"""The participant's report: drafting, submitting a frozen snapshot, deadline, reopening."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from lti_tool.accounts.roles import PARTICIPANT, TEACHER
from lti_tool.db import new_session, utcnow
from lti_tool.reports.models import FrozenSnapshotError, ReportSubmission
from lti_tool.reports.services import (ReportError, report_versions, save_draft,
                                       set_report_deadline, submit_report)
from programme import cached_programme
from tests.reports.cohort_data import (add_entry, launch_token, make_cohort, rate, update_entry)
from tests.reports.pages import csrf_of, get, post, text_of


@pytest.fixture
def cohort(app):
    return make_cohort(app, "Namur", participants=2)


@pytest.fixture
def amelie(app, cohort):
    return cohort.participant_ids[0]


@pytest.fixture
def amelie_token(app, cohort, amelie):
    return launch_token(app, cohort, amelie, PARTICIPANT)


def versions_of(app, cohort, user_id) -> list[ReportSubmission]:
    with app.app_context():
        session = new_session()
        versions = report_versions(session, cohort.cohort_id, user_id)
        session.close()
    return versions


def submit(client, token, synthesis: str, include: list[int] = (), positions=None):
    fields = [("synthesis", synthesis), ("action", "submit")]
    for index, entry_id in enumerate(include, start=1):
        fields.append(("include", str(entry_id)))
        fields.append((f"position-{entry_id}", str((positions or {}).get(entry_id, index))))
    return post(client, "/report/", token, fields)


def test_the_report_page_lists_published_entries_only(app, client, cohort, amelie, amelie_token):
    add_entry(app, amelie, "Ce que j'ai publié", "<p>public</p>")
    add_entry(app, amelie, "Mon brouillon secret", "<p>draft</p>", published=False)
    page = get(client, "/report/", amelie_token)
    assert page.status_code == 200
    text = text_of(page)
    assert "Rapport réflexif individuel" in text
    assert "Ce que j'ai publié" in text and "Mon brouillon secret" not in text


def test_saving_a_draft_sanitises_the_synthesis_and_keeps_the_chosen_order(
        app, client, cohort, amelie, amelie_token):
    first = add_entry(app, amelie, "Premier", "<p>un</p>")
    second = add_entry(app, amelie, "Second", "<p>deux</p>")
    response = post(client, "/report/", amelie_token, [
        ("synthesis", "<p>Bilan</p><script>alert(1)</script><p onclick='x()'>fin</p>"),
        ("include", str(first)), (f"position-{first}", "2"),
        ("include", str(second)), (f"position-{second}", "1"), ("action", "save")])
    assert response.status_code == 303
    [draft] = versions_of(app, cohort, amelie)
    assert draft.status == "draft"
    assert "<script" not in draft.synthesis_html and "onclick" not in draft.synthesis_html
    assert "Bilan" in draft.synthesis_html
    assert json.loads(draft.entry_ids_json) == [second, first]


def test_submitting_freezes_entries_and_ratings(app, client, cohort, amelie, amelie_token):
    entry = add_entry(app, amelie, "Gouvernance", "<p>Version publiée</p>")
    rate(app, amelie, "P1.O1.A1", 1, 2, 3)
    response = submit(client, amelie_token, "Ma synthèse réflexive", [entry])
    assert response.status_code == 303, text_of(response)
    [submitted] = versions_of(app, cohort, amelie)
    assert submitted.status == "submitted" and submitted.submitted_at is not None

    # Later edits of the entry and a new rating do not reach what the jury reads.
    update_entry(app, entry, title="Titre changé", body_html="<p>Réécrit après coup</p>")
    rate(app, amelie, "P1.O1.A1", 4)
    snapshot = json.loads(versions_of(app, cohort, amelie)[0].snapshot_json)
    assert [e["title"] for e in snapshot["entries"]] == ["Gouvernance"]
    assert "Version publiée" in snapshot["entries"][0]["body_html"]
    [objective] = snapshot["objectives"]
    [outcome] = objective["outcomes"]
    assert (outcome["first_level"], outcome["current_level"]) == (1, 3)

    page = get(client, "/report/versions/1", amelie_token)
    assert page.status_code == 200
    text = text_of(page)
    assert "Version publiée" in text and "Réécrit après coup" not in text
    assert "Ma synthèse réflexive" in text


def test_a_submitted_version_cannot_be_changed_in_the_database(app, cohort, amelie):
    with app.app_context():
        session = new_session()
        save_draft(session, cohort.cohort_id, amelie, "Synthèse", [])
        submission = submit_report(session, cohort.cohort_id, amelie, cached_programme())
        submission.snapshot_json = json.dumps({"forged": True})
        with pytest.raises(FrozenSnapshotError):
            session.commit()
        session.rollback()
        submission.synthesis_html = "<p>autre</p>"
        with pytest.raises(FrozenSnapshotError):
            session.flush()
        session.close()


def test_a_submitted_report_cannot_be_edited_until_reopened(app, client, cohort, amelie,
                                                            amelie_token):
    csrf = csrf_of(client, amelie_token)
    assert submit(client, amelie_token, "Première version").status_code == 303
    again = post(client, "/report/", amelie_token, {"synthesis": "Autre", "action": "save"},
                 csrf_token=csrf)
    assert again.status_code == 409
    assert "demandez à votre enseignant" in text_of(again).lower()
    kept = [v.synthesis_html for v in versions_of(app, cohort, amelie)]
    assert kept == ["<p>Première version</p>"]


def test_submission_after_the_deadline_is_refused_with_a_clear_message(
        app, client, cohort, amelie, amelie_token):
    with app.app_context():
        session = new_session()
        set_report_deadline(session, cohort.cohort_id, utcnow() - timedelta(hours=1),
                            cohort.teacher_id)
        session.close()
    response = submit(client, amelie_token, "Trop tard")
    assert response.status_code == 409
    assert "La date limite" in text_of(response) and "est passée" in text_of(response)
    assert [v.status for v in versions_of(app, cohort, amelie)] == ["draft"]


def test_submission_before_the_deadline_is_accepted(app, client, cohort, amelie, amelie_token):
    with app.app_context():
        session = new_session()
        set_report_deadline(session, cohort.cohort_id, utcnow() + timedelta(days=3),
                            cohort.teacher_id)
        session.close()
    assert submit(client, amelie_token, "À temps").status_code == 303
    assert [v.status for v in versions_of(app, cohort, amelie)] == ["submitted"]


def test_reopening_lets_the_participant_submit_again_after_the_deadline(
        app, client, cohort, amelie, amelie_token):
    assert submit(client, amelie_token, "Version un").status_code == 303
    with app.app_context():
        session = new_session()
        set_report_deadline(session, cohort.cohort_id, utcnow() - timedelta(minutes=5),
                            cohort.teacher_id)
        session.close()
    teacher = launch_token(app, cohort, cohort.teacher_id, TEACHER)
    [first] = versions_of(app, cohort, amelie)
    reopened = post(client, f"/progress/{cohort.cohort_id}/reports/{first.id}/reopen", teacher,
                    {}, csrf_from=f"/progress/{cohort.cohort_id}/reports")
    assert reopened.status_code == 303
    assert submit(client, amelie_token, "Version deux").status_code == 303
    versions = versions_of(app, cohort, amelie)
    assert [(v.version, v.status) for v in versions] == [(1, "reopened"), (2, "submitted")]
    assert versions[0].reopened_by_id == cohort.teacher_id
    assert "Version un" in json.loads(versions[0].snapshot_json)["synthesis_html"]
    assert "Version deux" in json.loads(versions[1].snapshot_json)["synthesis_html"]


def test_entries_of_someone_else_or_drafts_cannot_be_included(app, cohort, amelie):
    other = cohort.participant_ids[1]
    foreign = add_entry(app, other, "D'une autre", "<p>x</p>")
    draft = add_entry(app, amelie, "Brouillon", "<p>x</p>", published=False)
    with app.app_context():
        session = new_session()
        for entry_id in (foreign, draft):
            with pytest.raises(ReportError) as refused:
                save_draft(session, cohort.cohort_id, amelie, "Synthèse", [entry_id])
            assert refused.value.code == "entry_not_available"
        session.close()


def test_an_empty_synthesis_cannot_be_submitted(app, client, cohort, amelie, amelie_token):
    response = submit(client, amelie_token, "   ")
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_the_report_page_speaks_english_on_request(app, client, cohort, amelie):
    token = launch_token(app, cohort, amelie, PARTICIPANT, locale="en")
    assert "Individual reflective report" in text_of(get(client, "/report/", token))


def test_only_the_newest_submitted_version_can_be_reopened(app, cohort, amelie):
    from lti_tool.reports.services import reopen_report

    with app.app_context():
        session = new_session()
        save_draft(session, cohort.cohort_id, amelie, "Un", [])
        first = submit_report(session, cohort.cohort_id, amelie, cached_programme())
        reopen_report(session, cohort.cohort_id, first.id, cohort.teacher_id)
        with pytest.raises(ReportError) as twice:
            reopen_report(session, cohort.cohort_id, first.id, cohort.teacher_id)
        assert twice.value.code == "not_reopenable"
        save_draft(session, cohort.cohort_id, amelie, "Deux", [])
        with pytest.raises(ReportError) as draft:
            reopen_report(session, cohort.cohort_id, first.id + 1, cohort.teacher_id)
        assert draft.value.code == "not_reopenable"
        with pytest.raises(ReportError) as elsewhere:
            reopen_report(session, cohort.cohort_id + 1000, first.id, cohort.teacher_id)
        assert elsewhere.value.code == "no_submission"
        session.close()
