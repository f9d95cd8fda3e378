"""Launch sessions: what a page knows about its launch, found by a signed per-launch token.

Inside another site's iframe a browser may refuse the tool's cookies, so pages and forms carry
the token instead (query parameter or form field ``lt``, or header ``X-Launch-Token``). The token
names a server-side record in the shared store and expires with it; Flask's ``session`` is that
record, so Flask-WTF's CSRF protection works unchanged.
"""
from __future__ import annotations

import re
import secrets
from functools import lru_cache, wraps
from typing import Any, Callable

from flask import Flask, abort, current_app, g, request, session, url_for
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import CallbackDict
from werkzeug.exceptions import RequestEntityTooLarge

from lti_tool.accounts.roles import at_least
from lti_tool.accounts.services import LaunchContext
from lti_tool.store import get_store

TOKEN_FIELD = "lt"
TOKEN_HEADER = "X-Launch-Token"
_SALT = "cimp-lti.launch-session"
# What the serializer writes (URL-safe base64 and dots): links carry the token as it is.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_.-]{1,1024}")
# The header as the WSGI environ names it (reading request.headers raises for a missing one).
_TOKEN_ENVIRON_KEY = "HTTP_" + TOKEN_HEADER.upper().replace("-", "_")


class LaunchSession(CallbackDict, SessionMixin):
    def __init__(self, initial: dict | None = None, sid: str | None = None, token: str | None = None):
        def on_update(self_):
            self_.modified = True

        super().__init__(initial or {}, on_update)
        self.sid, self.token, self.modified = sid, token, False


def _serializer(app: Flask) -> URLSafeTimedSerializer:
    return _serializer_for_key(app.secret_key)


@lru_cache(maxsize=4)
def _serializer_for_key(secret_key: str | bytes) -> URLSafeTimedSerializer:
    # Made once per key: every page request reads its token with it.
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def _token_from_request() -> str | None:
    # (MultiDict.get raises and catches an exception for a missing key: ask first.)
    args = request.args
    token = request.environ.get(_TOKEN_ENVIRON_KEY) or (
        args[TOKEN_FIELD] if TOKEN_FIELD in args else None)
    if not token and request.mimetype in ("application/x-www-form-urlencoded",
                                          "multipart/form-data"):
        try:
            form = request.form
        except RequestEntityTooLarge:
            return None  # the view's own parsing answers 413
        token = form[TOKEN_FIELD] if TOKEN_FIELD in form else None

    return token or None


class LaunchSessionInterface(SessionInterface):
    """Sessions stored server-side and addressed by the launch token; never a cookie."""

    def open_session(self, app: Flask, request_) -> LaunchSession:
        token = _token_from_request()
        if token:
            if not _TOKEN_SHAPE.fullmatch(token):
                # base64 decoding skips foreign characters: a token is only ever its own alphabet.
                g.launch_token_problem = "invalid"
                return LaunchSession()
            try:
                sid = _serializer(app).loads(token, max_age=app.config["LAUNCH_SESSION_SECONDS"])
            except BadSignature:
                g.launch_token_problem = "invalid"
                return LaunchSession()
            data = get_store().get(f"session:{sid}")
            if data is not None:
                return LaunchSession(data, sid=sid, token=token)
            g.launch_token_problem = "expired"
        return LaunchSession()

    def save_session(self, app: Flask, session_: LaunchSession, response) -> None:
        if session_.sid and session_.modified:
            get_store().set(f"session:{session_.sid}", dict(session_),
                            app.config["LAUNCH_SESSION_SECONDS"])


def start_launch_session(context: LaunchContext) -> str:
    """Make this request's session a new launch session for a validated launch, store it and
    return its token. The launch's first page, rendered in the same request, already has it."""
    session.clear()  # a token posted along with the launch never carries over its session
    session.sid = secrets.token_urlsafe(24)
    session.token = _serializer(current_app).dumps(session.sid)
    # The session's CSRF secret is made now, with the session: Flask-WTF would otherwise add
    # it on the first page with a form, and the session would be written a second time.
    csrf_key = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.update({"launch": context.to_dict(), csrf_key: secrets.token_hex(20)})
    get_store().set(f"session:{session.sid}", dict(session),
                    current_app.config["LAUNCH_SESSION_SECONDS"])
    session.modified = False
    g.launch = context
    return session.token


def current_launch() -> LaunchContext | None:
    if "launch" in g:  # already read for this request (launch_required)
        return g.launch
    data = session.get("launch") if isinstance(session, LaunchSession) else None
    if not isinstance(data, dict):
        return None
    try:
        return LaunchContext.from_dict(data)
    except TypeError:
        # A session stored by an older version lacks a field: the user opens the activity again.
        return None


def launch_token() -> str | None:
    return getattr(session, "token", None)


def launch_url(endpoint: str, **values: Any) -> str:
    """``url_for`` that carries the launch token, for links inside the tool."""
    url = url_for(endpoint, **values)
    token = launch_token()
    if not token:
        return url
    # The token is URL-safe as it is (itsdangerous' URL-safe form): appended without encoding,
    # a page's dozens of links skip the query-string encoder. A fragment stays last.
    url, hash_mark, fragment = url.partition("#")
    return f"{url}{'&' if '?' in url else '?'}{TOKEN_FIELD}={token}{hash_mark}{fragment}"


def launch_required(minimum_role: str | None = None) -> Callable:
    """Refuse a request without a live launch (401) or below ``minimum_role`` (403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            launch = current_launch()
            if launch is None:
                abort(401)
            if minimum_role and not at_least(launch.role, minimum_role):
                abort(403)
            g.launch = launch
            return view(*args, **kwargs)

        return wrapper

    return decorator


def init_app(app: Flask) -> None:
    app.session_interface = LaunchSessionInterface()
    app.jinja_env.globals.update(launch_url=launch_url, launch_token=launch_token,
                                 current_launch=current_launch, TOKEN_FIELD=TOKEN_FIELD)
