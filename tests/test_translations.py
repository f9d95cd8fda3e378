"""Every string of the interface has a French translation (French is the default language)."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import render_template
from jinja2 import ChoiceLoader, DictLoader

import lti_tool

PACKAGE = Path(lti_tool.__file__).parent
METHOD_MAP = [("demo/**", "ignore"), ("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def interface_strings() -> dict[str, str]:
    strings = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            PACKAGE, METHOD_MAP, OPTIONS):
        msgid = message[0] if isinstance(message, tuple) else message
        strings.setdefault(msgid, f"{filename}:{lineno}")
    return strings


def french_catalog() -> dict[str, str]:
    translations = {}
    for po_path in sorted((PACKAGE / "translations" / "fr").glob("*.po")):
        with po_path.open("rb") as handle:
            for message in read_po(handle, locale="fr"):
                if message.id and message.string:
                    key = message.id[0] if isinstance(message.id, tuple) else message.id
                    translations[key] = message.string
    return translations


def test_the_interface_has_strings_to_translate():
    assert "Skip to content" in interface_strings()


def test_every_interface_string_has_a_french_translation():
    french = french_catalog()
    missing = {msgid: where for msgid, where in interface_strings().items() if msgid not in french}
    assert not missing, "untranslated strings:\n" + "\n".join(
        f"  {where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda i: i[1]))


def test_pages_are_french_by_default_and_english_on_request(client):
    french = client.get("/app/portfolio")
    assert 'lang="fr"' in french.text and "Votre session a pris fin" in french.text
    english = client.get("/app/portfolio", headers={"Accept-Language": "en"})
    assert 'lang="en"' in english.text and "Your session has ended" in english.text


def test_template_strings_are_translated_with_their_variables_escaped(app):
    """``_()`` in a template: the translation is markup, a variable is escaped into it, and
    ``%%`` is a percent sign, in French and in English."""
    template = app.jinja_env.from_string(
        '{{ _("Wait %(seconds)s seconds, then try again.", seconds=who) }}|{{ _("Skip to content") }}'
        '|{{ _("100%% of %(n)s", n=3) }}')
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        french = template.render(who="<b>5</b>")
    assert "&lt;b&gt;5&lt;/b&gt;" in french and "<b>" not in french
    assert french.split("|")[1] == "Aller au contenu"
    assert french.split("|")[2] == "100% of 3"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        english = template.render(who=5)
    assert english.split("|")[:2] == ["Wait 5 seconds, then try again.", "Skip to content"]


def test_named_templates_are_compiled_once_per_language_with_their_strings_translated(app):
    """A template loaded by name holds its translated strings in its compiled code, one
    compiled template per language: French, English and French again in one application."""
    source = ('{{ _("Too many requests arrived in a short time. Wait %(seconds)s seconds, then '
              'try again.", seconds=who) }}|{{ _("Skip to content") }}|{{ _("100%% of %(n)s", '
              'n=3) }}|{{ _("50%%") }}|{% set label = _("Skip to content") %}{{ label }}')
    app.jinja_env.loader = ChoiceLoader([DictLoader({"strings.html": source}),
                                         app.jinja_env.loader])
    french = ("Trop de demandes sont arrivées en peu de temps. Attendez &lt;b&gt;5&lt;/b&gt; "
              "secondes, puis réessayez.|Aller au contenu|100% of 3|50%|Aller au contenu")
    english = ("Too many requests arrived in a short time. Wait &lt;b&gt;5&lt;/b&gt; seconds, "
               "then try again.|Skip to content|100% of 3|50%|Skip to content")
    for language, expected in (("fr", french), ("en", english), ("fr", french)):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            assert render_template("strings.html", who="<b>5</b>") == expected
