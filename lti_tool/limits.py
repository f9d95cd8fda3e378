"""Rate limits on the public LTI endpoints and on evidence uploads (the ``limits`` library).

The LTI endpoints (``/lti/login``, ``/lti/launch``, ``/lti/register``) are limited per client
address (behind a proxy, the address ``LTI_TOOL_PROXY_COUNT`` makes trustworthy); evidence
uploads per launched person. Counters live in Redis when ``LTI_TOOL_REDIS_URL`` is set, so that
every instance counts together, otherwise in the process's memory. A refused request gets a
clean 429 page with ``Retry-After``. Limits are off under ``TESTING`` unless a test turns them on
with ``RATELIMIT_ENABLED``.

One fixed-window counter per endpoint and key, checked before the view. ``/lti/launch`` counts
only the launches it refuses (``count_refusal``): an accepted launch needs a nonce that a login
of the tool issued and that is used once, so the login's limit already bounds accepted
launches, and they skip a round trip to the counters.
"""
from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import dataclass
from typing import Callable

from flask import Flask, current_app, render_template, request, session
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

log = logging.getLogger("lti_tool.limits")

LTI_ENDPOINTS = ("lti.login", "lti.launch", "registration.register")
UPLOAD_ENDPOINTS = ("portfolio.upload_evidence",)
DEFAULT_LTI_LIMIT = "120/minute"
DEFAULT_UPLOAD_LIMIT = "30/minute"


def client_address() -> str:
    """The client's address (``ProxyFix`` has already applied the trusted forwarded headers)."""
    return request.remote_addr or "unknown"


def launched_person() -> str:
    """The launched person's id for per-person limits; the client address without a launch."""
    launch = session.get("launch") if hasattr(session, "sid") else None
    if isinstance(launch, dict) and launch.get("user_id") is not None:
        return f"user:{launch['user_id']}"
    return f"address:{client_address()}"


@dataclass(frozen=True)
class Rule:
    item: RateLimitItem
    key: Callable[[], str]
    # Counted by the view when it refuses a request (count_refusal), not before it runs.
    refusals_only: bool = False


class RateLimits:
    """The rules by endpoint and the counters they share."""

    def __init__(self, storage_uri: str, prefix: str, rules: dict[str, Rule]):
        self._limiter = FixedWindowRateLimiter(storage_from_string(storage_uri,
                                                                   wrap_exceptions=True))
        self._prefix = prefix
        self.rules = rules

    def refusal_seconds(self, endpoint: str, refused: bool = False) -> int | None:
        """Count this request; ``None`` when it may go on, else the seconds until it may.
        ``refused``: the view refused it (for a rule that counts refusals only)."""
        rule = self.rules.get(endpoint)
        if rule is None or rule.refusals_only != refused:
            return None
        identifiers = (self._prefix, endpoint, rule.key())
        try:
            if self._limiter.hit(rule.item, *identifiers):
                return None
            reset_at = self._limiter.get_window_stats(rule.item, *identifiers).reset_time
        except StorageError as exc:
            # A counters store that is down must not take the tool down: the request goes on.
            log.warning("rate limit not applied, the counters store failed: %s", exc)
            return None
        # Never more than one window, never less than a second.
        return max(1, min(math.ceil(reset_at - time.time()), rule.item.get_expiry()))


def render_rate_limited(seconds: int):
    """The 429 answer: a page (or JSON when asked) in the user's language, with Retry-After."""
    if request.accept_mimetypes.best == "application/json":
        response = current_app.make_response(
            ({"error": "Too Many Requests", "code": 429, "retry_after": seconds}, 429))
    else:
        response = current_app.make_response(
            (render_template("production/rate_limited.html", seconds=seconds), 429))
    response.headers["Retry-After"] = str(seconds)
    return response


def _setting(app: Flask, name: str, default: str) -> str:
    return app.config.get(name) or os.environ.get(f"LTI_TOOL_{name}") or default


def _parse_limit(app: Flask, name: str, default: str) -> RateLimitItem:
    value = _setting(app, name, default)
    try:
        return parse(value)
    except ValueError:
        raise ValueError(f"LTI_TOOL_{name}={value!r} is not a rate limit such as "
                         f"'{default}' or '10/second'") from None


def count_refusal():
    """For an endpoint whose limit counts refused requests only: count this one. The 429
    answer when the client is past its limit, else ``None`` (the view answers its refusal)."""
    limits = current_app.extensions.get("cimp_rate_limits")
    seconds = limits.refusal_seconds(request.endpoint, refused=True) if limits else None
    return render_rate_limited(seconds) if seconds is not None else None


def _check_rate_limit():
    seconds = current_app.extensions["cimp_rate_limits"].refusal_seconds(request.endpoint)
    if seconds is not None:
        return render_rate_limited(seconds)
    return None


def init_app(app: Flask) -> None:
    """Attach the limits (after the blueprints: an area that is not installed has none)."""
    if not app.config.get("RATELIMIT_ENABLED", not app.testing):
        return
    lti = _parse_limit(app, "RATE_LIMIT_LTI", DEFAULT_LTI_LIMIT)
    uploads = _parse_limit(app, "RATE_LIMIT_UPLOADS", DEFAULT_UPLOAD_LIMIT)
    rules = {endpoint: Rule(lti, client_address, refusals_only=endpoint == "lti.launch")
             for endpoint in LTI_ENDPOINTS}
    rules.update({endpoint: Rule(uploads, launched_person) for endpoint in UPLOAD_ENDPOINTS})
    app.extensions["cimp_rate_limits"] = RateLimits(
        app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL") or "memory://",
        app.config.get("RATELIMIT_KEY_PREFIX", "cimp-lti-limits"),
        {endpoint: rule for endpoint, rule in rules.items() if endpoint in app.view_functions})
    app.before_request(_check_rate_limit)
