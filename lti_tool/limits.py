"""Rate limits (Flask-Limiter) on the public LTI endpoints and on evidence uploads.

The LTI endpoints (``/lti/login``, ``/lti/launch``, ``/lti/register``) are limited per client
address (behind a proxy, the address ``LTI_TOOL_PROXY_COUNT`` makes trustworthy); evidence
uploads per launched person. Counters live in Redis when ``LTI_TOOL_REDIS_URL`` is set, so that
every instance counts together, otherwise in the process's memory. A refused request gets a
clean 429 page with ``Retry-After``. Limits are off under ``TESTING`` unless a test turns them on
with ``RATELIMIT_ENABLED``.
"""
from __future__ import annotations

import math
import os
import time

from flask import Flask, current_app, render_template, request, session
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

LTI_ENDPOINTS = ("lti.login", "lti.launch", "registration.register")
UPLOAD_ENDPOINTS = ("portfolio.upload_evidence",)
DEFAULT_LTI_LIMIT = "120/minute"
DEFAULT_UPLOAD_LIMIT = "30/minute"


def client_address() -> str:
    """The client's address (``ProxyFix`` has already applied the trusted forwarded headers)."""
    return get_remote_address() or "unknown"


def launched_person() -> str:
    """The launched person's id for per-person limits; the client address without a launch."""
    launch = session.get("launch") if hasattr(session, "sid") else None
    if isinstance(launch, dict) and launch.get("user_id") is not None:
        return f"user:{launch['user_id']}"
    return f"address:{client_address()}"


def _setting(app: Flask, name: str, default: str) -> str:
    return app.config.get(name) or os.environ.get(f"LTI_TOOL_{name}") or default


def retry_after_seconds(limiter: Limiter) -> int:
    """Whole seconds until the breached window resets (at least 1)."""
    current = limiter.current_limit
    if current is None:
        return 60
    # Stores round the window's end up to a whole second: never say more than one window.
    return max(1, min(math.ceil(current.reset_at - time.time()), current.limit.get_expiry()))


def render_rate_limited(error: RateLimitExceeded):
    """The 429 answer: a page (or JSON when asked) in the user's language, with Retry-After."""
    seconds = retry_after_seconds(current_app.extensions["cimp_limiter"])
    if request.accept_mimetypes.best == "application/json":
        response = current_app.make_response(
            ({"error": "Too Many Requests", "code": 429, "retry_after": seconds}, 429))
    else:
        response = current_app.make_response(
            (render_template("production/rate_limited.html", seconds=seconds), 429))
    response.headers["Retry-After"] = str(seconds)
    return response


def _limit_endpoints(app: Flask, limiter: Limiter, endpoints: tuple[str, ...], value: str,
                     key_func) -> None:
    for endpoint in endpoints:
        view = app.view_functions.get(endpoint)
        if view is not None:  # an area that is not installed has nothing to limit
            app.view_functions[endpoint] = limiter.limit(value, key_func=key_func)(view)


def init_app(app: Flask) -> None:
    """Attach the limiter; call after every blueprint is registered (limits go by endpoint)."""
    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "cimp-lti-limits")
    # A limits store that is down must not take the tool down: the request goes through.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter = Limiter(client_address)
    limiter.init_app(app)
    app.extensions["cimp_limiter"] = limiter
    if not limiter.enabled:
        return
    limited = frozenset(LTI_ENDPOINTS + UPLOAD_ENDPOINTS)

    @limiter.request_filter
    def _not_limited() -> bool:
        # Every other page skips Flask-Limiter's per-request evaluation.
        return request.endpoint not in limited

    _limit_endpoints(app, limiter, LTI_ENDPOINTS,
                     _setting(app, "RATE_LIMIT_LTI", DEFAULT_LTI_LIMIT), client_address)
    _limit_endpoints(app, limiter, UPLOAD_ENDPOINTS,
                     _setting(app, "RATE_LIMIT_UPLOADS", DEFAULT_UPLOAD_LIMIT), launched_person)
    app.register_error_handler(RateLimitExceeded, render_rate_limited)
