"""French by default, English when the launch or the browser asks for it (Flask-Babel)."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, g, request
from flask_babel import Babel, get_locale, get_translations
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

TRANSLATIONS_SOURCE = Path(__file__).parent / "translations"


def compile_translations(target: Path) -> Path:
    """Merge each language's catalogs (one ``.po`` file per area of the tool, under
    ``translations/<lang>/``) into ``target/<lang>/LC_MESSAGES/messages.mo`` when they changed."""
    for language_dir in sorted(p for p in TRANSLATIONS_SOURCE.iterdir() if p.is_dir()):
        sources = sorted(language_dir.glob("*.po"))
        if not sources:
            continue
        mo_path = target / language_dir.name / "LC_MESSAGES" / "messages.mo"
        newest = max(p.stat().st_mtime for p in sources)
        if mo_path.exists() and mo_path.stat().st_mtime >= newest:
            continue
        merged = Catalog(locale=language_dir.name)
        for po_path in sources:
            with po_path.open("rb") as handle:
                for message in read_po(handle, locale=language_dir.name):
                    if message.id and message.string:
                        merged[message.id] = message
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = mo_path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            write_mo(handle, merged)
        tmp.replace(mo_path)
    return target


def select_locale() -> Locale:
    from lti_tool.sessions import current_launch

    languages = tuple(current_app.config["LANGUAGES"])
    # (MultiDict.get raises and catches an exception for a missing key: ask first.)
    asked = request.args["lang"] if "lang" in request.args else None
    if asked in languages:
        return _locale(asked)
    launch = current_launch()
    if launch is not None:
        return _locale(launch.locale)
    header = request.environ.get("HTTP_ACCEPT_LANGUAGE", "")
    return _locale(_best_language(header, languages)
                   or current_app.config["BABEL_DEFAULT_LOCALE"])


@lru_cache(maxsize=16)
def _locale(code: str) -> Locale:
    # Flask-Babel takes a Locale as it is; from a string it parses one on every request.
    return Locale.parse(code)


@lru_cache(maxsize=256)
def _best_language(accept_language: str, languages: tuple[str, ...]) -> str | None:
    # Browsers send the same few headers: each is parsed once, as werkzeug parses it.
    return parse_accept_header(accept_language, LanguageAccept).best_match(languages)


def request_translations():
    """The catalogue of the request's language, looked up once per request: flask_babel walks
    the application and request contexts for every string, and a page holds dozens. (The tool
    never switches language inside a request, so nothing needs ``force_locale`` here.)"""
    try:
        return g.cimp_translations
    except AttributeError:
        g.cimp_translations = translations = get_translations()
        return translations
    except RuntimeError:  # outside any application context: no catalogue
        return get_translations()


def gettext(message: str, **variables) -> str:
    """Flask-Babel's ``gettext`` for the tool's Python code, from the catalogue looked up once
    per request."""
    translated = request_translations().ugettext(message)
    return translated % variables if variables else translated


def template_gettext(message: str, **variables) -> Markup:
    """``_()`` and ``gettext()`` in templates, as Jinja's newstyle gettext does it for autoescaped
    templates (the translation is markup, the variables are escaped into it, ``%%`` is a percent
    sign), without the two extra calls through the template context Jinja adds to each string."""
    translated = Markup(request_translations().ugettext(message))
    return translated % variables if variables or "%" in translated else translated


def init_app(app: Flask) -> None:
    compiled = compile_translations(Path(app.instance_path) / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    Babel(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True)
    # Every template is autoescaped HTML: the strings of a page (dozens each) take the short way.
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
    app.jinja_env.globals["get_locale"] = get_locale
