"""The portfolio's pages after real launches: who may open and post what, uploads, autosave."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from itsdangerous import URLSafeTimedSerializer

from lti_tool.cohorts.services import create_cohort, join_cohort
from lti_tool.db import get_session
from lti_tool.store import get_store
from tests.lti.launching import LaunchDriver
from tests.portfolio.pages import Tab, entry_id_of, launched, tool_course_id, tool_user_id
from tests.portfolio.test_rules import PDF, png_bytes

ROUTES_GET = ["/portfolio/", "/portfolio/pillar-1", "/portfolio/outcome/P1.O1.A1",
              "/portfolio/seminar-1", "/portfolio/case-study", "/portfolio/entries",
              "/portfolio/entries/new", "/portfolio/shared"]


@pytest.fixture
def people(driver, tool_server, site_a, site_b, app):
    """Amélie and Bruno (univ-a), Nicolas (univ-b), in one cohort joining both courses."""
    tabs = {name: launched(driver, tool_server.url, site, sub)
            for name, site, sub in (("amelie", site_a, "2"), ("bruno", site_a, "3"),
                                    ("teacher", site_a, "4"))}
    # Nicolas launches from univ-b with his own HTTP session (another browser).
    tabs["nicolas"] = launched(LaunchDriver(tool_server.url), tool_server.url, site_b, "2", "201")
    with app.app_context():
        session = get_session()
        teacher_id = tool_user_id(app, site_a, "4")
        cohort = create_cohort(session, tool_course_id(app, site_a, "12"), teacher_id, "X")
        join_cohort(session, tool_course_id(app, site_b, "7"), teacher_id, cohort.join_code)
    tabs["ids"] = {"nicolas": tool_user_id(app, site_b, "2"),
                   "bruno": tool_user_id(app, site_a, "3")}
    return tabs


def write(tab: Tab, title="Ma réflexion", body="<p>Texte</p>", publish=True) -> int:
    data = {"title": title, "body": body, "publish" if publish else "save": "1"}
    response = tab.post("/portfolio/entries/new?kind=reflection&anchor=P1.O1", data)
    assert response.status_code == 303, response.text[:300]
    return entry_id_of(response)


def test_every_page_needs_a_launch(tool_server, driver):
    for path in ROUTES_GET + ["/portfolio/entries/1", "/portfolio/evidence/1"]:
        assert driver.http.get(tool_server.url + path).status_code == 401, path
    response = driver.http.post(tool_server.url + "/portfolio/entries/1/autosave",
                                json={"title": "t", "body": "b", "version": 1},
                                headers={"Accept": "application/json"})
    assert response.status_code == 401 and response.json()["code"] == 401


ROUTES_POST = ["/portfolio/outcome/P1.O1.A1", "/portfolio/entries/new",
               "/portfolio/entries/1/edit", "/portfolio/entries/1/evidence",
               "/portfolio/evidence/1/delete", "/portfolio/entries/1/share",
               "/portfolio/entries/1/withdraw", "/portfolio/entries/1/comments"]


def test_every_form_needs_a_launch(tool_server, driver):
    # Without a launch session there is no CSRF token either: refused before any view runs.
    for path in ROUTES_POST:
        answer = driver.http.post(tool_server.url + path, data={"csrf_token": "x"})
        assert answer.status_code in (400, 401), path


def test_a_guest_is_refused(driver, tool_server, site_a):
    result = driver.forged_launch(site_a, "2", "101", roles=[])
    guest = Tab(driver, tool_server.url, result.token)
    for path in ROUTES_GET:
        assert guest.get(path).status_code == 403, path
    for path in ROUTES_POST:
        assert guest.post(path, {"title": "x"}, csrf_token="none").status_code in (400, 403)
    assert guest.autosave(1, "t", "b", 1, "none").status_code == 403


def test_a_participant_launch_lands_on_the_portfolio_in_french(driver, tool_server, site_a):
    for activity, path in (("101", "/portfolio/"), ("104", "/portfolio/pillar-3"),
                           ("108", "/portfolio/seminar-1"), ("111", "/portfolio/case-study")):
        result = driver.launch(site_a, "2", activity)
        assert result.location.startswith(path + "?lt=")
        page = driver.http.get(tool_server.url + result.location)
        assert page.status_code == 200 and 'lang="fr"' in page.text
        # The target's own address, opened again with the same launch, leads to the same page.
        target = site_a.activities[activity].target.removeprefix("/lti/launch/")
        landing = driver.http.get(f"{tool_server.url}/app/{target}", allow_redirects=False,
                                  params={"lt": result.token})
        assert landing.status_code == 303 and landing.headers["Location"].startswith(path)
    overview = launched(driver, tool_server.url, site_a, "2").get("/portfolio/")
    assert "Mon auto-évaluation par pilier" in overview.text and "<svg" in overview.text
    assert "style=" not in overview.text and "<script>" not in overview.text


def test_pages_are_in_english_when_the_launch_asks_for_it(driver, tool_server, site_a):
    site_a.locale = "en"
    tab = launched(driver, tool_server.url, site_a, "2")
    pages = {path: tab.get(path).text for path in ROUTES_GET}
    assert "My self-assessment per pillar" in pages["/portfolio/"]
    assert "Rate this outcome" in pages["/portfolio/pillar-1"]
    assert "Save and publish" in pages["/portfolio/entries/new"]
    assert "Nothing is shared with you yet." in pages["/portfolio/shared"]
    for path, text in pages.items():
        assert 'lang="en"' in text and "Enregistrer" not in text, path


def test_rating_an_outcome_keeps_its_history(people):
    amelie = people["amelie"]
    for level, why in (("1", "Je débute"), ("3", "Je progresse")):
        response = amelie.post("/portfolio/outcome/P1.O1.A1",
                               {"level": level, "justification": why, "next": "history"})
        assert response.status_code == 303
    history = amelie.get("/portfolio/outcome/P1.O1.A1").text
    assert history.index("Je progresse") < history.index("Je débute")
    refused = amelie.post("/portfolio/outcome/P1.O1.A1", {"level": "3", "justification": ""})
    assert refused.status_code == 400 and "pourquoi vous choisissez" in refused.text
    assert amelie.get("/portfolio/outcome/NOPE").status_code == 404
    assert "Je progresse" not in people["bruno"].get("/portfolio/outcome/P1.O1.A1").text


def test_each_rating_form_shows_its_readers_level_language_and_token(people, driver,
                                                                      tool_server, site_a):
    # The forms' fixed parts are rendered once per language and level: what differs between
    # readers must still differ.
    amelie, bruno = people["amelie"], people["bruno"]
    assert amelie.post("/portfolio/outcome/P1.O1.A1",
                       {"level": "3", "justification": "Je progresse"}).status_code == 303
    checked = re.compile(r'id="level-P1\.O1\.A1-(\d)"[^>]*\bchecked\b')
    for _ in range(2):
        for tab, level in ((amelie, ["3"]), (bruno, [])):
            page = tab.get("/portfolio/pillar-1").text
            assert checked.findall(page) == level
            assert page.count(f'name="lt" value="{tab.token}"') == page.count('class="rating-form"')
            assert "Enregistrer mon évaluation" in page
    site_a.locale = "en"
    english = launched(driver, tool_server.url, site_a, "2").get("/portfolio/pillar-1").text
    assert "Record my rating" in english and "Enregistrer" not in english
    assert checked.findall(english) == ["3"]


def test_peers_and_teachers_see_exactly_what_the_rules_allow(people):
    amelie, bruno, nicolas, teacher = (people[n] for n in ("amelie", "bruno", "nicolas",
                                                            "teacher"))
    draft = write(amelie, "Brouillon secret", publish=False)
    entry = write(amelie, "Réflexion publiée")
    assert amelie.get(f"/portfolio/entries/{draft}").status_code == 200
    for tab in (bruno, nicolas):
        assert tab.get(f"/portfolio/entries/{entry}").status_code == 404
        assert tab.get(f"/portfolio/entries/{draft}").status_code == 404
        assert tab.get(f"/portfolio/entries/{entry}/edit").status_code == 404
    refused = amelie.post(f"/portfolio/entries/{draft}/share",
                          {"recipients": str(people["ids"]["nicolas"])})
    assert "Un brouillon ne peut pas être partagé" in amelie.follow(refused).text
    shared = amelie.post(f"/portfolio/entries/{entry}/share",
                         {"recipients": str(people["ids"]["nicolas"])})
    assert "Écrit partagé" in amelie.follow(shared).text
    assert "pas encore lu" in amelie.get(f"/portfolio/entries/{entry}").text
    assert "Réflexion publiée" in nicolas.get("/portfolio/shared").text
    assert "Réflexion publiée" not in bruno.get("/portfolio/shared").text
    assert nicolas.get(f"/portfolio/entries/{entry}").status_code == 200
    assert "lu le" in amelie.get(f"/portfolio/entries/{entry}").text
    # A peer cannot edit, share, upload to or autosave someone else's entry.
    assert nicolas.post(f"/portfolio/entries/{entry}/edit",
                        {"title": "x", "body": "y", "version": "2", "save": "1"}
                        ).status_code == 404
    assert nicolas.post(f"/portfolio/entries/{entry}/share",
                        {"recipients": str(people["ids"]["bruno"])}).status_code == 404
    assert nicolas.autosave(entry, "x", "y", 2).status_code == 404
    # Comments: the peer comments, the author answers.
    assert nicolas.post(f"/portfolio/entries/{entry}/comments",
                        {"body": "Très juste !"}).status_code == 303
    page = amelie.get(f"/portfolio/entries/{entry}").text
    assert "Très juste !" in page
    assert bruno.post(f"/portfolio/entries/{entry}/comments",
                      {"body": "intrus"}).status_code == 404
    # The teacher of the cohort reads the published entry, never the draft.
    assert teacher.get(f"/portfolio/entries/{entry}").status_code == 200
    assert teacher.get(f"/portfolio/entries/{draft}").status_code == 404
    assert "Très juste" not in teacher.get(f"/portfolio/entries/{entry}").text
    # Withdrawn: the peer no longer sees it.
    amelie.post(f"/portfolio/entries/{entry}/withdraw",
                {"recipient": str(people["ids"]["nicolas"])})
    assert nicolas.get(f"/portfolio/entries/{entry}").status_code == 404
    assert "Réflexion publiée" not in nicolas.get("/portfolio/shared").text


def test_hostile_html_never_reaches_a_page(people):
    amelie = people["amelie"]
    entry = write(amelie, "XSS", '<p onclick="alert(1)">a</p><script>alert(2)</script>'
                  '<a href="javascript:alert(3)">l</a><p style="color:red">s</p>')
    page = amelie.get(f"/portfolio/entries/{entry}").text
    assert "alert(" not in page and 'style="' not in page and "onclick" not in page


def test_uploads_check_the_content_the_size_and_the_reader(people, app):
    amelie, bruno = people["amelie"], people["bruno"]
    app.config["EVIDENCE_MAX_BYTES"] = 2048
    entry = write(amelie)
    lying = amelie.post(f"/portfolio/entries/{entry}/evidence",
                        files={"file": ("rapport.pdf", png_bytes(), "application/pdf")})
    page = amelie.follow(lying).text
    assert "ne correspond pas à son contenu" in page and ".png" in page
    big = amelie.post(f"/portfolio/entries/{entry}/evidence",
                      files={"file": ("gros.pdf", PDF + b"0" * 4096, "application/pdf")})
    assert "trop volumineux" in amelie.follow(big).text
    good = amelie.post(f"/portfolio/entries/{entry}/evidence",
                       files={"file": ("preuve.pdf", PDF, "application/pdf")})
    page = amelie.follow(good).text
    assert "preuve.pdf" in page
    evidence_id = int(page.split("/portfolio/evidence/")[1].split("?")[0])
    download = amelie.get(f"/portfolio/evidence/{evidence_id}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert bruno.get(f"/portfolio/evidence/{evidence_id}").status_code == 404
    assert bruno.post(f"/portfolio/evidence/{evidence_id}/delete").status_code == 404


def test_autosave_versions_conflicts_and_expired_sessions(people, app):
    amelie = people["amelie"]
    entry = write(amelie, publish=False)
    token = amelie.csrf_token()
    saved = amelie.autosave(entry, "Ma réflexion", "<p>Plus long</p>", 1, token)
    assert saved.status_code == 200 and saved.json()["version"] == 2
    stale = amelie.autosave(entry, "Ma réflexion", "<p>Autre onglet</p>", 1, token)
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert amelie.autosave(entry, "t", "b", 2, "forged").status_code == 400
    revisions = amelie.get(f"/portfolio/entries/{entry}/revisions").text
    assert "Version 2" in revisions and "enregistrement automatique" in revisions
    # The session ends (deleted from the store): 401, so that the page keeps the text.
    end_session(app, amelie)
    expired = amelie.autosave(entry, "Ma réflexion", "<p>Après</p>", 2, token)
    assert expired.status_code == 401 and expired.json()["session"] == "expired"


def end_session(app, tab: Tab) -> None:
    """Delete the tab's launch session from the shared store, as its expiry would."""
    with app.app_context():
        sid = URLSafeTimedSerializer(app.secret_key, salt="cimp-lti.launch-session").loads(
            tab.token)
        get_store().delete(f"session:{sid}")


def test_a_form_save_over_a_newer_version_keeps_the_writers_text(people):
    amelie, bruno = people["amelie"], people["bruno"]
    entry = write(amelie, publish=False)
    assert amelie.autosave(entry, "Ma réflexion", "<p>Onglet 1</p>", 1).status_code == 200
    stale = amelie.post(f"/portfolio/entries/{entry}/edit",
                        {"title": "Ma réflexion", "body": "<p>Onglet 2, précieux</p>",
                         "version": "1", "save": "1"})
    assert stale.status_code == 409
    assert "Onglet 2, précieux" in stale.text and "enregistré ailleurs" in stale.text
    assert "Onglet 1" in amelie.get(f"/portfolio/entries/{entry}").text
    assert bruno.get(f"/portfolio/entries/{entry}/revisions").status_code == 404


def test_the_owner_removes_an_evidence_file(people, app):
    amelie = people["amelie"]
    entry = write(amelie)
    page = amelie.follow(amelie.post(f"/portfolio/entries/{entry}/evidence",
                                     files={"file": ("p.png", png_bytes(), "image/png")})).text
    evidence_id = int(page.split("/portfolio/evidence/")[1].split("?")[0])
    stored = list((Path(app.config["UPLOAD_DIR"])).rglob("*"))
    assert any(p.is_file() for p in stored)
    removed = amelie.post(f"/portfolio/evidence/{evidence_id}/delete")
    assert "Fichier retiré" in amelie.follow(removed).text
    assert amelie.get(f"/portfolio/evidence/{evidence_id}").status_code == 404
    assert not any(p.is_file() for p in Path(app.config["UPLOAD_DIR"]).rglob("*"))


def test_without_a_cohort_the_portfolio_works_and_sharing_says_why_not(driver, tool_server,
                                                                       site_a):
    amelie = launched(driver, tool_server.url, site_a, "2")
    entry = write(amelie)
    page = amelie.get(f"/portfolio/entries/{entry}").text
    assert "quand votre enseignant·e aura rattaché le cours à une cohorte" in page
    refused = amelie.post(f"/portfolio/entries/{entry}/share", {"recipients": "1"})
    assert "rattaché le cours à une cohorte" in amelie.follow(refused).text


def test_text_put_aside_with_the_page_key_is_offered_back_to_its_writer_only(people):
    amelie, bruno = people["amelie"], people["bruno"]
    http = amelie.driver.http
    assert http.post(f"{amelie.tool_url}/portfolio/rescue/not-a-key",
                     json={"title": "t", "body": "b"}).status_code == 404
    entry = write(amelie, publish=False)
    edit_page = amelie.get(f"/portfolio/entries/{entry}/edit").text
    rescue_url = amelie.tool_url + edit_page.split('data-rescue-url="')[1].split('"')[0]
    assert http.post(rescue_url, json={"title": "t", "body": "x" * 300_000}).status_code == 404
    assert http.post(rescue_url, json={"title": "Ma réflexion",
                                       "body": "Mis de côté <b>ici</b>"}).status_code == 204
    offered = amelie.get(f"/portfolio/entries/{entry}/edit").text
    assert "Texte mis de côté" in offered and "Mis de côté &lt;b&gt;ici&lt;/b&gt;" in offered
    assert "Mis de côté" not in bruno.get(f"/portfolio/entries/{entry}/edit").text
    assert http.post(rescue_url, json={"discard": True}).status_code == 204
    assert "Texte mis de côté" not in amelie.get(f"/portfolio/entries/{entry}/edit").text
