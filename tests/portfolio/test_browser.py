"""The portfolio in headless Chromium, inside the course page's iframe of the test platform."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool.accounts.models import Course, User
from lti_tool.cohorts.services import create_cohort, join_cohort
from lti_tool.db import get_session
from lti_tool.store import get_store
from tests.browser.conftest import framing_platform, page, tool_frame  # noqa: F401
from tests.browser.conftest import tool_frame_object, tool_page_address
from tests.conftest import serious_accessibility_violations
from tests.lti.conftest import tool_server  # noqa: F401

pytestmark = pytest.mark.browser


def open_activity(page, platform, site_slug: str, course_id: str, user_id: str, activity: str):
    site = platform.site(site_slug)
    page.goto(f"{site.issuer}/course/{course_id}?user={user_id}&activity={activity}")
    return tool_frame(page)


def join_both_courses(app, platform) -> None:
    with app.app_context():
        session = get_session()
        courses = {}
        for slug, context in (("univ-a", "12"), ("univ-b", "7")):
            issuer = platform.site(slug).issuer
            courses[slug] = session.scalar(select(Course.id).join(Course.platform).where(
                Course.context_id == context, Course.platform.has(issuer=issuer)))
        owner = session.scalar(select(User.id).limit(1))
        cohort = create_cohort(session, courses["univ-a"], owner, "Cohorte X")
        join_cohort(session, courses["univ-b"], owner, cohort.join_code)


def no_serious_violations(page, axe_source, tool_url):
    assert serious_accessibility_violations(
        page, axe_source, frame=tool_frame_object(page, tool_url)) == []


def test_rate_write_share_and_a_peer_of_the_other_university_comments(
        browser, page, framing_platform, tool_server, app, axe_source):
    peer_context = browser.new_context(locale="fr-BE")
    peer = peer_context.new_page()
    peer.set_default_timeout(15000)
    try:
        peer_frame = open_activity(peer, framing_platform, "univ-b", "7", "2", "201")
        peer_frame.locator("h1", has_text="Le portfolio réflexif").wait_for()
        frame = open_activity(page, framing_platform, "univ-a", "12", "2", "102")
        frame.locator("h1", has_text="Pilier 1").wait_for()
        join_both_courses(app, framing_platform)
        no_serious_violations(page, axe_source, tool_server.url)

        # Rate the first outcome of the pillar with a justification.
        first = frame.locator("li.outcome").first
        first.locator("summary").click()
        first.get_by_label("3 · Acquis").check()
        first.get_by_label("Justification").fill("J'ai mené deux projets de pilotage.")
        first.get_by_role("button", name="Enregistrer mon évaluation").click()
        frame.get_by_text("Votre évaluation est enregistrée.").wait_for()
        assert "3 · Acquis" in frame.locator("li.outcome").first.inner_text()

        # Write an entry on the first objective and publish it.
        frame.get_by_role("link", name="Écrire sur P1.O1").click()
        frame.get_by_label("Titre", exact=True).fill("Piloter avec sens")
        frame.get_by_label("Texte", exact=True).fill("Ce que j'ai appris.\n\nEt la suite.")
        frame.get_by_role("button", name="Enregistrer et publier").click()
        frame.get_by_text("Écrit publié.").wait_for()
        no_serious_violations(page, axe_source, tool_server.url)

        # Share it with Nicolas (univ-b).
        frame.get_by_label("Nicolas Dupont").check()
        frame.get_by_role("button", name="Partager", exact=True).click()
        frame.get_by_text("Écrit partagé.").wait_for()
        assert "pas encore lu" in frame.locator("table.shares").inner_text()

        # Nicolas finds it, reads it and comments.
        peer_frame.get_by_role("link", name="Partagés avec moi").click()
        peer_frame.get_by_role("link", name="Piloter avec sens").click()
        peer_frame.get_by_label("Mon commentaire").fill("Belle démarche, et les usagers ?")
        peer_frame.get_by_role("button", name="Envoyer le commentaire").click()
        peer_frame.get_by_text("Commentaire ajouté.").wait_for()
        no_serious_violations(peer, axe_source, tool_server.url)

        # Amélie sees that he read it, and answers.
        frame.get_by_role("link", name="Mes écrits").click()
        frame.get_by_role("link", name="Piloter avec sens").first.click()
        assert "lu le" in frame.locator("table.shares").inner_text()
        frame.get_by_label("Répondre à Nicolas Dupont").fill("Bonne question : en P2.")
        frame.get_by_role("button", name="Envoyer la réponse").click()
        frame.get_by_text("Commentaire ajouté.").wait_for()
        peer_frame.get_by_role("link", name="Partagés avec moi").click()
        peer_frame.get_by_role("link", name="Piloter avec sens").click()
        assert "en P2" in peer_frame.locator("section", has_text="Commentaires").inner_text()
    finally:
        peer_context.close()


def test_autosave_keeps_the_text_across_an_expired_session(page, framing_platform, tool_server,
                                                           app, axe_source):
    """The tool opened in its own window (as the login offers when a browser refuses storage to
    frames): the text written after the session ended is restored after a new launch."""
    frame = open_activity(page, framing_platform, "univ-a", "12", "2", "101")
    frame.locator("h1", has_text="Le portfolio réflexif").wait_for()
    page.goto(tool_page_address(page, tool_server.url))
    page.get_by_role("link", name="Écrire un écrit libre").first.click()
    page.get_by_label("Titre", exact=True).fill("Journal de bord")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_text("Brouillon enregistré.").wait_for()
    page.locator(".toolbar").wait_for()  # shown by the editor's script once it runs
    body = page.get_by_label("Texte", exact=True)
    body.fill("Premier jet.")
    page.locator("#autosave-status", has_text="Enregistré").wait_for()
    assert serious_accessibility_violations(page, axe_source) == []

    with app.app_context():
        store = get_store()
        for key in list(_session_keys(app)):
            store.delete(key)
    body.fill("Premier jet. Et une idée précieuse écrite après la fin de la session.")
    page.locator("#autosave-status", has_text="mis de côté sur le serveur").wait_for()

    # Relaunch from the course, come back to the entry: the page offers the kept text.
    frame = open_activity(page, framing_platform, "univ-a", "12", "2", "101")
    frame.locator("h1", has_text="Le portfolio réflexif").wait_for()
    page.goto(tool_page_address(page, tool_server.url))
    page.get_by_role("link", name="Mes écrits").click()
    page.get_by_role("link", name="Modifier").first.click()
    page.get_by_role("button", name="Rétablir le texte conservé").click()
    assert "idée précieuse" in page.get_by_label("Texte", exact=True).input_value()
    page.locator("#autosave-status", has_text="Enregistré").wait_for(timeout=20000)
    with app.app_context():
        from lti_tool.portfolio.models import Entry
        assert "idée précieuse" in get_session().scalar(select(Entry.body_html))


def _session_keys(app):
    """Every launch session in the shared store (the database store in the tests)."""
    from lti_tool.store import KeyValueEntry
    return get_session().scalars(select(KeyValueEntry.key).where(
        KeyValueEntry.key.like("session:%"))).all()


PAGES = ["/portfolio/", "/portfolio/pillar-2", "/portfolio/outcome/P2.O1.A1",
         "/portfolio/seminar-1", "/portfolio/case-study", "/portfolio/entries",
         "/portfolio/entries/new", "/portfolio/shared"]


@pytest.mark.parametrize("width", [1280, 360])
def test_the_main_pages_are_accessible_and_fit_a_phone(page, framing_platform, tool_server,
                                                       app, axe_source, width):
    page.set_viewport_size({"width": width, "height": 800})
    frame = open_activity(page, framing_platform, "univ-a", "12", "2", "101")
    frame.locator("h1", has_text="Le portfolio réflexif").wait_for()
    token = tool_page_address(page, tool_server.url).split("lt=")[1].split("&")[0]
    page.goto(f"{tool_server.url}/portfolio/outcome/P2.O1.A1?lt={token}")
    page.get_by_label("2 · En développement").check()
    page.get_by_label("Justification").fill("Premiers pas.")
    page.get_by_role("button", name="Enregistrer mon évaluation").click()
    page.get_by_text("Votre évaluation est enregistrée.").wait_for()
    for path in PAGES:
        page.goto(f"{tool_server.url}{path}?lt={token}")
        page.locator("h1").wait_for()
        assert serious_accessibility_violations(page, axe_source) == [], path
        overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, (path, overflow)


def test_autosave_refused_as_stale_tells_the_writer_and_keeps_the_text(page, framing_platform,
                                                                      tool_server, app):
    frame = open_activity(page, framing_platform, "univ-a", "12", "2", "101")
    frame.locator("h1", has_text="Le portfolio réflexif").wait_for()
    frame.get_by_role("link", name="Écrire un écrit libre").first.click()
    frame.get_by_label("Titre", exact=True).fill("Deux onglets")
    frame.get_by_role("button", name="Enregistrer le brouillon").click()
    # The editing page of the saved entry says so (the new-entry page has a toolbar too).
    frame.get_by_text("Brouillon enregistré").wait_for()
    frame.locator(".toolbar").wait_for()
    # Another tab saves first.
    with app.app_context():
        from lti_tool.portfolio import services
        from lti_tool.portfolio.models import Entry
        session = get_session()
        entry = session.scalar(select(Entry))
        services.save_entry(session, entry, entry.title, "<p>Depuis l'autre onglet</p>",
                            entry.version)
    body = frame.get_by_label("Texte", exact=True)
    body.fill("Mon texte à ne pas perdre.")
    frame.locator("#autosave-status", has_text="enregistré ailleurs").wait_for()
    assert body.input_value() == "Mon texte à ne pas perdre."


def test_inside_the_course_frame_the_text_is_put_aside_when_the_session_ends(
        page, framing_platform, tool_server, app, axe_source):
    """The browser refuses storage to the framed tool: the page puts the text aside on the
    server with its rescue key, and the next editing page of the entry offers it back."""
    frame = open_activity(page, framing_platform, "univ-a", "12", "2", "101")
    frame.locator("h1", has_text="Le portfolio réflexif").wait_for()
    frame.get_by_role("link", name="Écrire un écrit libre").first.click()
    frame.get_by_label("Titre", exact=True).fill("Dans le cadre")
    frame.get_by_role("button", name="Enregistrer le brouillon").click()
    # The editing page of the saved entry says so (the new-entry page has a toolbar too): the
    # session ends only once that page is there.
    frame.get_by_text("Brouillon enregistré").wait_for()
    frame.locator(".toolbar").wait_for()
    with app.app_context():
        store = get_store()
        for key in list(_session_keys(app)):
            store.delete(key)
    body = frame.get_by_label("Texte", exact=True)
    body.fill("Une réflexion écrite pendant que la session se terminait.")
    frame.locator("#autosave-status", has_text="mis de côté sur le serveur").wait_for()

    frame = open_activity(page, framing_platform, "univ-a", "12", "2", "101")
    frame.locator("h1", has_text="Le portfolio réflexif").wait_for()
    frame.get_by_role("link", name="Mes écrits").click()
    frame.get_by_role("link", name="Modifier").first.click()
    frame.get_by_role("button", name="Rétablir le texte conservé").wait_for()
    no_serious_violations(page, axe_source, tool_server.url)
    frame.get_by_role("button", name="Rétablir le texte conservé").click()
    frame.locator("#autosave-status", has_text="Enregistré").wait_for(timeout=20000)
    with app.app_context():
        from lti_tool.portfolio.models import Entry
        from lti_tool.portfolio.rescue import rescued_text
        entry = get_session().scalar(select(Entry))
        assert "pendant que la session" in entry.body_html
        assert rescued_text(get_store(), entry.author_id, entry.id) is None
