"""Submitted reports as files: a PDF holding the participant's text, a self-contained HTML file."""
from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from lti_tool.accounts.roles import PARTICIPANT, TEACHER
from lti_tool.db import new_session
from lti_tool.reports.services import save_draft, submit_report
from programme import cached_programme
from tests.reports.cohort_data import add_entry, launch_token, make_cohort, rate
from tests.reports.pages import get

SYNTHESIS = ("<p>Ma posture réflexive a changé : j’écoute davantage les usagers.</p>"
             "<ul><li>Gouvernance publique</li></ul>")


@pytest.fixture
def submitted(app):
    people = make_cohort(app, "Gembloux", participants=1)
    [user_id] = people.participant_ids
    entry = add_entry(app, user_id, "Séminaire de leadership", "<p>Une intervision marquante</p>")
    rate(app, user_id, "P2.O1.A3", 2, 3)
    with app.app_context():
        session = new_session()
        save_draft(session, people.cohort_id, user_id, SYNTHESIS, [entry])
        submission = submit_report(session, people.cohort_id, user_id, cached_programme())
        submission_id = submission.id
        session.close()
    return people, user_id, submission_id


def pdf_text(data: bytes, tmp_path) -> str | None:
    """The PDF's text with poppler's pdftotext, when installed."""
    if shutil.which("pdftotext") is None:
        return None
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_the_pdf_holds_the_participants_text(app, client, submitted, tmp_path):
    people, user_id, _submission_id = submitted
    token = launch_token(app, people, user_id, PARTICIPANT)
    response = get(client, "/report/versions/1/report.pdf", token)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "rapport-reflexif-participant-gembloux-1-v1.pdf" in response.headers[
        "Content-Disposition"]
    data = response.data
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(data) > 5000
    text = pdf_text(data, tmp_path)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: text not checked")
    words = " ".join(text.split())
    assert "j’écoute davantage les usagers" in words
    assert "Une intervision marquante" in words
    assert "Rapport réflexif individuel" in words and "Participant Gembloux 1" in words


class _Resources(HTMLParser):
    """Every tag of an HTML file that would fetch or run something."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.lang: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag in ("script", "link", "img", "iframe", "object", "embed", "video", "audio"):
            self.found.append(tag)
        if "style" in attrs or any(name.startswith("on") for name in attrs):
            self.found.append(f"{tag}[inline attribute]")


def test_the_html_file_is_self_contained_and_french(app, client, submitted):
    people, user_id, submission_id = submitted
    token = launch_token(app, people, people.teacher_id, TEACHER)
    response = get(client, f"/progress/{people.cohort_id}/reports/{submission_id}/report.html",
                   token)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    parser = _Resources()
    parser.feed(html)
    assert parser.lang == "fr"
    assert parser.found == []
    assert "<style>" in html
    assert not re.search(r"url\(|@import|https?://", html.split("</style>")[0])
    assert "j’écoute davantage les usagers" in html and "Une intervision marquante" in html
    assert "Première évaluation" in html and "2 · En développement" in html


def test_exports_show_the_frozen_snapshot(app, client, submitted):
    from tests.reports.cohort_data import update_entry
    from lti_tool.portfolio.models import Entry
    from sqlalchemy import select

    people, user_id, _submission_id = submitted
    with app.app_context():
        session = new_session()
        entry_id = session.scalar(select(Entry.id).where(Entry.author_id == user_id))
        session.close()
    update_entry(app, entry_id, body_html="<p>Texte réécrit plus tard</p>")
    token = launch_token(app, people, user_id, PARTICIPANT)
    html = get(client, "/report/versions/1/report.html", token).get_data(as_text=True)
    assert "Une intervision marquante" in html and "réécrit" not in html
