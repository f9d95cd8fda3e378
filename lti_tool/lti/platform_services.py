"""The one place that calls platform services (NRPS now, AGS for the grade sync).

Built on pylti1p3's ``ServiceConnector``: access tokens are kept in the shared store (every worker
and host reuses them), keyed by issuer, client id and the sorted scopes of the call, and live
until shortly before the platform says they expire. Each call asks only for the scopes it needs,
every request has a timeout, and the token answer is read as JSON whatever its Content-Type
(Moodle's token.php labels it text/html).
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

import requests
from pylti1p3.exception import LtiServiceException
from pylti1p3.registration import Registration
from pylti1p3.service_connector import REQUESTS_USER_AGENT, ServiceConnector
from sqlalchemy.orm import Session

from lti_tool.accounts.roles import tool_role
from lti_tool.lti.adapter import DatabaseToolConf
from lti_tool.lti.models import Platform
from lti_tool.store import Store, get_store

log = logging.getLogger("lti_tool.platform_services")

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
NRPS_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
HTTP_TIMEOUT_SECONDS = 10
# A token is reused until this many seconds before the platform's expiry (clock drift, latency).
TOKEN_EXPIRY_MARGIN_SECONDS = 60
# A roster larger than this many pages is refused rather than followed forever.
MAX_PAGES = 500


class PlatformServiceError(Exception):
    """A platform service call that failed. ``status`` is the platform's HTTP status, if any."""

    def __init__(self, detail: str, status: int | None = None, url: str | None = None):
        super().__init__(detail)
        self.detail, self.status, self.url = detail, status, url


class NoRosterService(PlatformServiceError):
    """The course has no memberships URL: its launches never carried the NRPS claim."""


@dataclass(frozen=True)
class Member:
    """One person of a platform's course roster (NRPS), with the tool role of their LTI roles."""

    sub: str
    roles: tuple[str, ...]
    role: str
    active: bool
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None

    def identity_claims(self) -> dict[str, Any]:
        """Names and email shaped as launch claims (None where the platform withholds them)."""
        return {"name": self.name, "given_name": self.given_name,
                "family_name": self.family_name, "email": self.email}


class _TimeoutSession(requests.Session):
    """A requests session whose every request has a timeout (pylti1p3 sets none)."""

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout
        self.headers["User-Agent"] = REQUESTS_USER_AGENT

    def request(self, method, url, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, **kwargs)


def access_token_key(issuer: str, client_id: str, scopes: Iterable[str]) -> str:
    """The store key of the access token of one registration for one set of scopes."""
    material = "\n".join([issuer, client_id, *sorted(set(scopes))])
    return "lti-access-token:" + hashlib.sha256(material.encode("utf-8")).hexdigest()


class StoreServiceConnector(ServiceConnector):
    """pylti1p3's service connector with its access tokens in the shared store."""

    def __init__(self, registration: Registration, store: Store,
                 timeout: float = HTTP_TIMEOUT_SECONDS):
        super().__init__(registration, requests_session=_TimeoutSession(timeout))
        self._store = store

    def _scope_key(self, scopes: Iterable[str]) -> str:
        return access_token_key(self._registration.get_issuer() or "",
                                self._registration.get_client_id() or "", scopes)

    def _get_cached_access_token(self, scope_key: str) -> str | None:
        cached = self._store.get(scope_key)
        return cached if isinstance(cached, str) and cached else None

    def _cache_access_token(self, scope_key: str, access_token: str, expires_in: float) -> None:
        ttl = int(expires_in) - TOKEN_EXPIRY_MARGIN_SECONDS
        if ttl > 0:
            self._store.set(scope_key, access_token, ttl)

    def forget_access_token(self, scopes: Sequence[str]) -> None:
        self._store.delete(self._scope_key(scopes))

    def get_access_token(self, scopes: Sequence[str]) -> str:
        """A cached token for exactly these scopes, else a client-credentials grant."""
        scope_key = self._scope_key(scopes)
        cached = self._get_cached_access_token(scope_key)
        if cached:
            return cached
        token_url = self._registration.get_auth_token_url()
        response = self._post_token_request(token_url, sorted(set(scopes)))
        access_token, expires_in = _read_token_answer(response, token_url)
        self._cache_access_token(scope_key, access_token, expires_in)
        return access_token

    def _post_token_request(self, token_url: str, scopes: list[str]) -> requests.Response:
        client_id = self._registration.get_client_id()
        now = int(time.time())
        assertion = {
            "iss": client_id, "sub": client_id,
            "aud": self._registration.get_auth_audience() or token_url,
            "iat": now - 5, "exp": now + 60, "jti": "cimp-lti-" + uuid.uuid4().hex,
        }
        headers = {"kid": self._registration.get_kid()} if self._registration.get_kid() else {}
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": self.encode_jwt(assertion,
                                                self._registration.get_tool_private_key(),
                                                headers),
            "scope": " ".join(scopes),
        }
        try:
            response = self._requests_session.post(token_url, data=form)
        except requests.RequestException as exc:
            raise PlatformServiceError(f"the token endpoint could not be reached: {exc}",
                                       url=token_url) from exc
        if not response.ok:
            raise PlatformServiceError(
                f"the token endpoint answered {response.status_code}: {_excerpt(response)}",
                response.status_code, token_url)
        return response

    def make_service_request(self, scopes, url, **kwargs):  # type: ignore[override]
        """One service call; a token the platform no longer accepts (401) is renewed once."""
        try:
            return self._service_request_once(scopes, url, **kwargs)
        except PlatformServiceError as exc:
            if exc.status != 401 or exc.url != url:
                raise
        # The platform dropped the cached token before its announced expiry: ask for a new one.
        self.forget_access_token(scopes)
        return self._service_request_once(scopes, url, **kwargs)

    def _service_request_once(self, scopes, url, **kwargs):
        try:
            return super().make_service_request(scopes, url, **kwargs)
        except LtiServiceException as exc:
            status = exc.response.status_code
            raise PlatformServiceError(f"{url} answered {status}: {_excerpt(exc.response)}",
                                       status, url) from exc
        except requests.JSONDecodeError as exc:
            raise PlatformServiceError(f"{url} did not answer JSON", url=url) from exc
        except requests.RequestException as exc:
            raise PlatformServiceError(f"{url} could not be reached: {exc}", url=url) from exc

    def paginated(self, scopes: Sequence[str], url: str, **kwargs) -> Iterator[dict[str, Any]]:
        """Every page of a paginated service, following ``Link: <...>; rel="next"``."""
        seen: set[str] = set()
        next_url: str | None = url
        while next_url:
            if next_url in seen or len(seen) >= MAX_PAGES:
                raise PlatformServiceError(f"{url}: the pages never end (at {next_url})", url=url)
            seen.add(next_url)
            page = self.make_service_request(scopes, next_url, **kwargs)
            yield page
            next_url = page["next_page_url"]


def _excerpt(response: requests.Response, limit: int = 200) -> str:
    text = " ".join((response.text or "").split())
    return text[:limit] or response.reason or ""


def _read_token_answer(response: requests.Response, token_url: str) -> tuple[str, float]:
    # Moodle labels its JSON answer text/html: parse the body whatever the Content-Type says.
    try:
        answer = json.loads(response.content.decode(response.encoding or "utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise PlatformServiceError(f"the token endpoint did not answer JSON: {_excerpt(response)}",
                                   response.status_code, token_url) from exc
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token:
        raise PlatformServiceError("the token endpoint's answer has no access_token",
                                   response.status_code, token_url)
    try:
        expires_in = float(answer.get("expires_in") or 0)
    except (TypeError, ValueError):
        expires_in = 0.0
    return token, expires_in


def connector_for(session: Session, platform_id: int,
                  store: Store | None = None) -> StoreServiceConnector:
    """The service connector of a registered platform (its registration carries our key and kid)."""
    platform = session.get(Platform, platform_id)
    if platform is None:
        raise PlatformServiceError(f"no platform is registered with id {platform_id}")
    registration = DatabaseToolConf(session).find_registration_by_params(platform.issuer,
                                                                         platform.client_id)
    if registration is None:
        raise PlatformServiceError(f"the registration of {platform.issuer} could not be read")
    return StoreServiceConnector(registration, store or get_store())


def member_from_nrps(entry: Any) -> Member | None:
    """A roster entry as a ``Member``; None for an entry without a user id."""
    if not isinstance(entry, dict) or not entry.get("user_id"):
        return None
    roles = tuple(r for r in entry.get("roles") or () if isinstance(r, str))

    def text(field: str) -> str | None:
        value = entry.get(field)
        return value if isinstance(value, str) and value else None

    return Member(sub=str(entry["user_id"]), roles=roles, role=tool_role(roles),
                  active=entry.get("status", "Active") == "Active", name=text("name"),
                  given_name=text("given_name"), family_name=text("family_name"),
                  email=text("email"))


def fetch_memberships(session: Session, course: Any) -> list[Member]:
    """The whole roster of a course (every ``rel="next"`` page), read with NRPS.

    ``course`` is an ``accounts.models.Course``. Raises ``NoRosterService`` when the course has no
    memberships URL and ``PlatformServiceError`` when the platform fails; nothing is written.
    """
    if not course.memberships_url:
        raise NoRosterService("the course has no memberships URL (no roster service)")
    connector = connector_for(session, course.platform_id)
    members: dict[str, Member] = {}
    for page in connector.paginated([NRPS_SCOPE], course.memberships_url,
                                    accept=NRPS_MEDIA_TYPE):
        body = page["body"]
        entries = body.get("members") if isinstance(body, dict) else None
        if not isinstance(entries, list):
            raise PlatformServiceError("the roster page has no members list",
                                       url=course.memberships_url)
        for entry in entries:
            member = member_from_nrps(entry)
            if member is not None:
                members[member.sub] = member
    return list(members.values())
