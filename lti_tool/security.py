"""Security headers on every response of the tool.

The Content-Security-Policy allows no inline script or style; only the registered platforms may
frame the tool (``frame-ancestors``) or receive its forms (deep linking answers are posted back to
the platform).
"""
from __future__ import annotations

import functools
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.exceptions import BadRequest

from lti_tool.db import new_session
from lti_tool.lti.models import Platform


class _PlatformOrigins:
    """The origins of the registered platforms, re-read at most every ``ttl`` seconds."""

    ttl = 30.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded_at = -1e9
        self._origins: tuple[str, ...] = ()

    def get(self) -> tuple[str, ...]:
        with self._lock:
            if time.monotonic() - self._loaded_at < self.ttl:
                return self._origins
        with new_session() as session:
            issuers = session.scalars(select(Platform.issuer).distinct()).all()
        origins = tuple(sorted({origin_of(url) for url in issuers if origin_of(url)}))
        with self._lock:
            self._origins, self._loaded_at = origins, time.monotonic()
        return origins

    def clear(self) -> None:
        with self._lock:
            self._loaded_at = -1e9


platform_origins = _PlatformOrigins()


def origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


@functools.lru_cache(maxsize=16)
def content_security_policy(origins: tuple[str, ...]) -> str:
    allowed = " ".join(("'self'",) + origins)
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            f"form-action {allowed}; frame-ancestors {allowed}")


def add_security_headers(response: Response) -> Response:
    """The headers below, unless the view set its own. (Werkzeug's ``setdefault`` raises and
    catches an exception for each header missing: one pass over the names instead.)"""
    present = {name.lower() for name, _value in response.headers.items()}
    added = [("Content-Security-Policy", None), ("X-Content-Type-Options", "nosniff"),
             # Launch tokens travel in URLs: never send them to another site.
             ("Referrer-Policy", "same-origin")]
    if response.mimetype == "text/html":
        added.append(("Cache-Control", "private, no-store"))
    for name, value in added:
        if name.lower() not in present:
            response.headers[name] = value or content_security_policy(platform_origins.get())
    return response


class NullCharacterRefused(BadRequest):
    user_message = _l("The form holds a character that is not allowed (NUL). Remove it and "
                      "send the form again.")


def holds_null_character(value: Any) -> bool:
    """Whether a string, or any key or string inside a JSON-like value, holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_null_character(k) or holds_null_character(v) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_null_character(item) for item in value)
    return False


def refuse_null_characters() -> None:
    """No browser sends a NUL character in a form, and PostgreSQL cannot store one in a text
    column: refuse it up front, as Django's forms do, rather than fail halfway through."""
    sent = [dict(request.args.lists())]
    if request.method == "POST":
        if request.is_json:
            sent.append(request.get_json(silent=True))
        elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            sent.append(dict(request.form.lists()))
    if holds_null_character(sent):
        raise NullCharacterRefused()


def init_app(app: Flask) -> None:
    app.before_request(refuse_null_characters)
    app.after_request(add_security_headers)
