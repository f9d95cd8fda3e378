"""One Moodle-like LTI 1.3 platform site: its keys, users, courses, activities, gradebook and the
protocol rules Moodle applies (`shared/reference/moodle-as-lti-platform.md`).

The HTTP layer lives in `views.py`; everything here is plain Python so tests can also forge
messages (`launch_claims`, `sign`, `login_params`) and inspect what the tool did (`gradebook()`,
`tokens_issued`, `score_posts`, `deep_link_results`).
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable
from urllib.parse import urlencode, urlsplit

from . import ags
from .deep_linking import (DEEP_LINKING_RESPONSE, LTI_VERSION, activity_from_content_item,
                           checked_content_items)
from .errors import PlatformError, invalid_request
from .faults import FaultInjector
from .jose import JwtRejected, SigningKey, ToolKeyset, encode_jwt, verify_tool_jwt
from .models import (
    AGS_ENDPOINT_CLAIM, AGS_SCOPES, ALL_SCOPES, DL_CLAIM, GRADEBOOK_ROLES,
    LAUNCH_INSTRUCTOR_ROLES, LTI_CLAIM, NRPS_CLAIM, NRPS_INSTRUCTOR_ROLES, ROLE_INSTITUTION_ADMIN,
    ROLE_INSTRUCTOR, ROLE_LEARNER, ROLE_SYSTEM_ADMIN, DemoActivity, DemoCourse, DemoLineItem,
    DemoUser, LineItem,
)

__all__ = ["PlatformSite", "PlatformError", "DEEP_LINKING_RESPONSE", "LTI_VERSION"]

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
NRPS_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

# Short claim names accepted by `launch_claims(**overrides)`, mapped to their full URIs.
SHORT_CLAIMS = {
    name: LTI_CLAIM + name
    for name in ("message_type", "version", "deployment_id", "target_link_uri", "resource_link",
                 "roles", "context", "launch_presentation", "tool_platform", "custom", "lis",
                 "ext", "role_scope_mentor")
} | {
    "deep_linking_settings": DL_CLAIM + "deep_linking_settings",
    "endpoint": AGS_ENDPOINT_CLAIM,
    "ags": AGS_ENDPOINT_CLAIM,
    "namesroleservice": NRPS_CLAIM,
    "nrps": NRPS_CLAIM,
}


@dataclass
class PendingLaunch:
    """What Moodle keeps in its session between the login initiation and auth.php (single use)."""

    launch_id: str
    user_id: str
    course_id: str
    activity_id: str | None
    message_type: str
    deep_linking_settings: dict[str, Any] | None = None


@dataclass
class DeepLinkSession:
    """A deep linking request the platform issued, awaited at its return URL."""

    session_id: str
    course_id: str
    user_id: str
    settings: dict[str, Any]


@dataclass
class IssuedToken:
    expires_at: float
    scopes: tuple[str, ...]


def moodle_custom_key(key: str) -> str:
    """Moodle lower-cases custom parameter names and turns non-alphanumerics into `_`."""
    return re.sub(r"[^a-z0-9]", "_", key.lower())


@dataclass(eq=False)
class PlatformSite:
    """One university's Moodle site as an LTI 1.3 platform.

    The issuer is `<server base URL>/<slug>`; the base URL is known once the server is bound and is
    read through `base_url_getter` (set by `create_platform_app`) or assigned to `base_url`.
    Tool URLs are plain attributes so they can be set once the tool's server is bound too.
    After construction `users`, `courses` and `activities` are dicts keyed by their ids.
    State changes go through one lock: the HTTP server serves requests on several threads.
    """

    slug: str
    name: str
    client_id: str
    deployment_id: str = "1"
    tool_login_url: str = ""
    tool_redirect_uri: str = ""
    tool_jwks_url: str = ""
    tool_base_url: str = ""
    tool_deep_linking_url: str = ""
    extra_redirect_uris: tuple[str, ...] = ()
    users: Iterable[DemoUser] = ()
    courses: Iterable[DemoCourse] = ()
    activities: Iterable[DemoActivity] = ()
    send_names: bool = True
    send_email: bool = True
    locale: str = "fr"
    nrps_page_size: int | None = None
    nrps_short_roles: bool = False
    token_lifetime: int = 3600
    allowed_scopes: tuple[str, ...] = ALL_SCOPES
    leeway_seconds: float = 10.0
    clock_skew_seconds: float = 0.0
    key_size: int = 2048
    signing_key: SigningKey | None = None
    base_url: str | None = None
    base_url_getter: Callable[[], str | None] | None = None

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self.users = {user.user_id: user for user in self.users}
        self.courses = {course.context_id: course for course in self.courses}
        self.activities = {activity.activity_id: activity for activity in self.activities}
        self.faults = FaultInjector()
        self.down = False
        self.tokens_issued = 0
        # A given key saves the RSA generation (tests build many sites).
        self._keys: list[SigningKey] = [self.signing_key or SigningKey.generate(self.key_size)]
        self._tool_keyset = ToolKeyset(lambda: self.tool_jwks_url)
        self._pending: dict[str, PendingLaunch] = {}
        self._deep_link_sessions: dict[str, DeepLinkSession] = {}
        self._tokens: dict[str, IssuedToken] = {}
        self._used_jtis: dict[str, float] = {}
        self._used_nonces: set[str] = set()
        self._lineitems: dict[int, LineItem] = {}
        self._next_lineitem_id = 1
        self._next_activity_number = 1000
        self._score_posts: list[dict[str, Any]] = []
        self._deep_link_results: list[dict[str, Any]] = []
        self._id_tokens: list[dict[str, Any]] = []
        for activity in self.activities.values():
            self._check_activity(activity)
            if activity.line_item is not None:
                self._add_lineitem(activity.course_id, activity.line_item, activity.activity_id,
                                   created_by_tool=False)

    # ----- identity, URLs and keys ---------------------------------------------------------

    @property
    def issuer(self) -> str:
        """`<server base URL>/<slug>`, without a trailing slash."""
        base = self.base_url or (self.base_url_getter() if self.base_url_getter else None)
        if not base:
            raise RuntimeError(f"the base URL of platform site {self.slug!r} is not known yet")
        return f"{base.rstrip('/')}/{self.slug}"

    @property
    def auth_url(self) -> str:
        return f"{self.issuer}/auth"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/token"

    @property
    def certs_url(self) -> str:
        return f"{self.issuer}/certs"

    @property
    def redirect_uris(self) -> tuple[str, ...]:
        """The registered redirection URIs (auth.php accepts these exactly, nothing else)."""
        return tuple(uri for uri in (self.tool_redirect_uri, *self.extra_redirect_uris) if uri)

    def registration(self) -> dict[str, Any]:
        """What Moodle shows the admin for the tool side of the registration (pylti1p3's names)."""
        return {"name": self.name, "issuer": self.issuer, "client_id": self.client_id,
                "deployment_ids": [self.deployment_id], "auth_login_url": self.auth_url,
                "auth_token_url": self.token_url, "key_set_url": self.certs_url}

    def set_tool_urls(self, base_url: str, login: str = "/lti/login", launch: str = "/lti/launch",
                      jwks: str = "/lti/jwks", deep_linking: str | None = None) -> None:
        """Register the tool: paths are joined to `base_url` (full URLs are kept as they are)."""
        def join(path: str) -> str:
            return path if "://" in path else base_url.rstrip("/") + path
        self.tool_base_url = base_url.rstrip("/")
        self.tool_login_url = join(login)
        self.tool_redirect_uri = join(launch)
        self.tool_jwks_url = join(jwks)
        self.tool_deep_linking_url = join(deep_linking) if deep_linking else ""
        self._tool_keyset.forget()

    def lineitems_url(self, course_id: str) -> str:
        return f"{self.issuer}/services/{course_id}/lineitems?type_id={self.deployment_id}"

    def lineitem_url(self, lineitem: LineItem | int) -> str:
        item = self._lineitems[lineitem] if isinstance(lineitem, int) else lineitem
        return (f"{self.issuer}/services/{item.course_id}/lineitems/{item.lineitem_id}/lineitem"
                f"?type_id={self.deployment_id}")

    def memberships_url(self, course_id: str) -> str:
        return f"{self.issuer}/services/{course_id}/memberships"

    def activity_url(self, activity: DemoActivity) -> str:
        """The link's exact address on the tool (its target_link_uri)."""
        if "://" in activity.target:
            return activity.target
        return self.tool_base_url.rstrip("/") + activity.target

    @property
    def current_key(self) -> SigningKey:
        with self._lock:
            return self._keys[-1]

    def rotate_key(self) -> SigningKey:
        """Make a new key the signing key; older keys stay published in the keyset."""
        key = SigningKey.generate(self.key_size)
        with self._lock:
            self._keys.append(key)
        return key

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The keyset served at `/certs`: `{"keys": [{kty, kid, alg, use, n, e}, ...]}`."""
        with self._lock:
            return {"keys": [key.public_jwk() for key in self._keys]}

    def now(self) -> float:
        """The platform clock (shifted by `clock_skew_seconds` to test a tool's leeway)."""
        return time.time() + self.clock_skew_seconds

    # ----- crafting messages ---------------------------------------------------------------

    def sign(self, claims: dict[str, Any], headers: dict[str, Any] | None = None, key: Any = None,
             algorithm: str = "RS256") -> str:
        """Sign `claims` as this platform would, or forge a bad message.

        `headers` override the default `{"alg", "typ", "kid"}` (a None value removes a header,
        e.g. `{"kid": None}`); `key` is another RSA private key (a bad signature) or, for HS256,
        the HMAC secret (default: this site's public key PEM, the classic key-confusion attack);
        `algorithm` may be "RS256", "HS256" or "none".
        """
        signing_key = self.current_key
        header = {"alg": algorithm, "typ": "JWT", "kid": signing_key.kid}
        for name, value in (headers or {}).items():
            if value is None:
                header.pop(name, None)
            else:
                header[name] = value
        if key is None:
            key = signing_key.public_pem() if algorithm == "HS256" else signing_key.private_key
        return encode_jwt(claims, algorithm=algorithm, headers=header, key=key)

    def login_params(self, user_id: str, activity_id: str | None = None,
                     deep_linking: bool = False, course_id: str | None = None,
                     deep_linking_settings: dict[str, Any] | None = None) -> dict[str, str]:
        """What Moodle POSTs to the tool's login URL to start a launch (recorded for auth.php)."""
        user = self._user(user_id)
        activity = None if deep_linking else self._activity(activity_id, user.user_id)
        course = course_id or (activity.course_id if activity else self._default_course(user_id))
        launch = PendingLaunch(
            launch_id=f"ltilaunch{secrets.randbelow(10**8)}_{secrets.randbelow(10**9)}",
            user_id=user.user_id, course_id=course,
            activity_id=activity.activity_id if activity else None,
            message_type=DEEP_LINKING_REQUEST if deep_linking else RESOURCE_LINK_REQUEST,
            deep_linking_settings=deep_linking_settings)
        with self._lock:
            self._pending[launch.launch_id] = launch
        hint: dict[str, Any] = {"launchid": launch.launch_id}
        if activity:
            hint = {"cmid": activity.activity_id, **hint}
        target = self._deep_linking_target() if deep_linking else self.activity_url(activity)
        return {
            "iss": self.issuer,
            "target_link_uri": target,
            "login_hint": user.user_id,
            "lti_message_hint": json.dumps(hint),
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }

    def launch_claims(self, user_id: str, activity_id: str | None = None,
                      message_type: str = RESOURCE_LINK_REQUEST, nonce: str | None = None,
                      target_link_uri: str | None = None, course_id: str | None = None,
                      deep_linking_settings: dict[str, Any] | None = None,
                      **overrides: Any) -> dict[str, Any]:
        """The id_token claims Moodle would send for this user and activity (or deep linking).

        `overrides` replace claims by name: standard names (`sub`, `aud`, `exp`, ...) or the short
        LTI names of SHORT_CLAIMS (`roles`, `context`, `deployment_id`, `version`, `endpoint`,
        `nrps`, ...) or full claim URIs passed as `**{"https://...": value}`; None removes a claim.
        A deep linking request registers its return session (its `data` is checked on return).
        """
        user = self._user(user_id)
        deep_linking = message_type == DEEP_LINKING_REQUEST
        activity = None if deep_linking else self._activity(activity_id, user.user_id)
        course = self._course(course_id or (activity.course_id if activity
                                            else self._default_course(user_id)))
        issued_at = int(self.now())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": user.user_id,
            "exp": issued_at + 60,
            "iat": issued_at,
            "nonce": nonce or secrets.token_urlsafe(16),
            "azp": self.client_id,
            LTI_CLAIM + "deployment_id": self.deployment_id,
            LTI_CLAIM + "message_type": message_type,
            LTI_CLAIM + "version": LTI_VERSION,
            LTI_CLAIM + "target_link_uri": target_link_uri or (
                self._deep_linking_target() if deep_linking else self.activity_url(activity)),
            # Forged roles may be given for a user who is not enrolled.
            LTI_CLAIM + "roles": (overrides["roles"] if "roles" in overrides
                                  else self.launch_roles(user.user_id, course.context_id)),
            LTI_CLAIM + "context": {
                "id": course.context_id, "label": course.label, "title": course.title,
                "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            },
            LTI_CLAIM + "launch_presentation": {
                "locale": self.locale, "document_target": "iframe",
                "return_url": self._return_url(course.context_id, activity),
            },
            LTI_CLAIM + "tool_platform": {
                "product_family_code": "moodle", "version": "2024100700",
                "guid": urlsplit(self.issuer).netloc, "name": self.name,
                "description": self.name,
            },
            LTI_CLAIM + "lis": {"person_sourcedid": "", "course_section_sourcedid": ""},
            LTI_CLAIM + "ext": {"user_username": user.username or f"user{user.user_id}",
                                "lms": "moodle-2"},
        }
        if self.send_names:
            claims.update(given_name=user.given_name, family_name=user.family_name,
                          name=user.name)
        if self.send_email:
            claims["email"] = user.email
        if activity:
            claims[LTI_CLAIM + "resource_link"] = {"id": activity.activity_id,
                                                   "title": activity.title}
            if activity.text:
                claims[LTI_CLAIM + "resource_link"]["description"] = activity.text
            claims[LTI_CLAIM + "custom"] = {moodle_custom_key(key): value
                                            for key, value in activity.custom.items()}
        claims[AGS_ENDPOINT_CLAIM] = self._ags_claim(course.context_id, activity)
        if self._roster_claim_included(course.context_id, activity):
            claims[NRPS_CLAIM] = {
                "context_memberships_url": self.memberships_url(course.context_id),
                "service_versions": ["2.0"]}
        if deep_linking:
            claims[DL_CLAIM + "deep_linking_settings"] = self._open_deep_link_session(
                course.context_id, user.user_id, deep_linking_settings or {})
        for name, value in overrides.items():
            full_name = SHORT_CLAIMS.get(name, name)
            if value is None:
                claims.pop(full_name, None)
            else:
                claims[full_name] = value
        return claims

    def launch_roles(self, user_id: str, course_id: str) -> list[str]:
        """Launch roles: Moodle's three admin roles for a site admin, else Instructor/Learner."""
        user = self._user(user_id)
        if user.site_admin:
            return [ROLE_INSTITUTION_ADMIN, ROLE_INSTRUCTOR, ROLE_SYSTEM_ADMIN]
        role = self._course(course_id).members.get(user_id)
        if role is None:
            raise ValueError(f"user {user_id!r} is not enrolled in course {course_id!r}")
        return [ROLE_INSTRUCTOR] if role in LAUNCH_INSTRUCTOR_ROLES else [ROLE_LEARNER]

    def _deep_linking_target(self) -> str:
        return self.tool_deep_linking_url or self.tool_redirect_uri

    def _return_url(self, course_id: str, activity: DemoActivity | None) -> str:
        query = {"course": course_id}
        if activity:
            query["activity"] = activity.activity_id
        return f"{self.issuer}/launch/return?{urlencode(query)}"

    def _ags_claim(self, course_id: str, activity: DemoActivity | None) -> dict[str, Any]:
        claim: dict[str, Any] = {"scope": list(AGS_SCOPES),
                                 "lineitems": self.lineitems_url(course_id)}
        if activity is None:
            return claim
        with self._lock:
            items = [item for item in self._lineitems.values()
                     if item.resource_link_id == activity.activity_id]
            if len(items) == 1:
                # Moodle sends "" for a cartridge link once the tool created its grade item.
                only = items[0]
                claim["lineitem"] = ("" if only.created_by_tool and activity.imported
                                     else self.lineitem_url(only))
        return claim

    def _roster_claim_included(self, course_id: str, activity: DemoActivity | None) -> bool:
        if activity is not None and activity.nrps is not None:
            return activity.nrps
        with self._lock:
            return any(a.course_id == course_id and not a.imported
                       for a in self.activities.values())

    def _open_deep_link_session(self, course_id: str, user_id: str,
                                settings: dict[str, Any]) -> dict[str, Any]:
        session_id = secrets.token_urlsafe(12)
        full = {
            "deep_link_return_url": f"{self.issuer}/deeplink/return?session={session_id}",
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": True,
            "auto_create": True,
            "title": "",
            "text": "",
            "data": secrets.token_urlsafe(18),
        }
        full.update(settings)
        with self._lock:
            self._deep_link_sessions[session_id] = DeepLinkSession(session_id, course_id, user_id,
                                                                   full)
        return full

    # ----- OIDC authorization (auth.php) -------------------------------------------------

    def authorize(self, params: dict[str, str]) -> tuple[str, dict[str, str]]:
        """Check an authentication request as auth.php does; return (redirect_uri, form fields).

        Raises PlatformError with an OpenID Connect error code and a reason.
        """
        required = ("scope", "response_type", "client_id", "redirect_uri", "login_hint", "nonce")
        missing = [name for name in required if not params.get(name)]
        if missing:
            raise invalid_request(f"required parameter missing: {', '.join(missing)}")
        if params["scope"] != "openid":
            raise PlatformError(400, "invalid_scope", "scope must be openid")
        if params["response_type"] != "id_token":
            raise PlatformError(400, "unsupported_response_type", "response_type must be id_token")
        if params["client_id"] != self.client_id:
            raise PlatformError(400, "unauthorized_client", "unknown client_id")
        if params["redirect_uri"] not in self.redirect_uris:
            raise invalid_request("unregistered redirect_uri")
        if params.get("response_mode") != "form_post":
            raise invalid_request("response_mode must be form_post")
        if params.get("prompt") != "none":
            raise invalid_request("prompt must be none")
        launch = self._take_pending_launch(params.get("lti_message_hint", ""))
        if params["login_hint"] != launch.user_id:
            raise PlatformError(400, "access_denied", "login_hint is not the user who launched")
        claims = self.launch_claims(
            launch.user_id, launch.activity_id, message_type=launch.message_type,
            nonce=params["nonce"], course_id=launch.course_id,
            deep_linking_settings=launch.deep_linking_settings)
        with self._lock:
            self._id_tokens.append(claims)
        fields = {"id_token": self.sign(claims)}
        if "state" in params:
            fields["state"] = params["state"]
        return params["redirect_uri"], fields

    def _take_pending_launch(self, message_hint: str) -> PendingLaunch:
        try:
            launch_id = json.loads(message_hint)["launchid"]
        except (ValueError, TypeError, KeyError) as error:
            raise invalid_request("lti_message_hint is not the one sent at login") from error
        with self._lock:
            launch = self._pending.pop(launch_id, None)
        if launch is None:
            raise invalid_request("unknown or already used launch (lti_message_hint)")
        return launch

    # ----- token endpoint (token.php) -----------------------------------------------------

    def issue_token(self, form: dict[str, str]) -> dict[str, Any]:
        """Grant an access token for a `private_key_jwt` client assertion (client credentials)."""
        if form.get("grant_type") != "client_credentials":
            raise PlatformError(400, "unsupported_grant_type",
                                "grant_type must be client_credentials")
        if form.get("client_assertion_type") != JWT_BEARER:
            raise invalid_request("client_assertion_type must be jwt-bearer")
        if not form.get("client_assertion"):
            raise invalid_request("client_assertion missing")
        try:
            claims = verify_tool_jwt(form["client_assertion"], self._tool_keyset,
                                     audience=self.token_url, leeway=self.leeway_seconds,
                                     required=("exp", "iat", "jti", "iss", "sub"))
        except JwtRejected as error:
            raise PlatformError(400, "invalid_client", str(error)) from error
        if claims["iss"] != self.client_id or claims["sub"] != self.client_id:
            raise PlatformError(400, "invalid_client", "iss and sub must be the client_id")
        requested = form.get("scope", "").split()
        granted = tuple(scope for scope in requested if scope in self.allowed_scopes)
        if not granted:
            raise PlatformError(400, "invalid_scope", "no permitted scope requested")
        now = time.time()
        with self._lock:
            self._used_jtis = {jti: exp for jti, exp in self._used_jtis.items() if exp > now}
            if claims["jti"] in self._used_jtis:
                raise PlatformError(400, "invalid_client", "jti already used")
            self._used_jtis[claims["jti"]] = float(claims["exp"]) + self.leeway_seconds
            token = secrets.token_hex(16)
            self._tokens[token] = IssuedToken(now + self.token_lifetime, granted)
            self.tokens_issued += 1
        return {"access_token": token, "token_type": "Bearer",
                "expires_in": self.token_lifetime, "scope": " ".join(granted)}

    def expire_tokens(self) -> None:
        """Make every issued access token invalid (as if an hour had passed)."""
        with self._lock:
            self._tokens.clear()

    def check_bearer(self, authorization: str | None, *accepted_scopes: str) -> None:
        """Refuse (401) a service call without a live token holding one of `accepted_scopes`."""
        if not authorization or not authorization.startswith("Bearer "):
            raise PlatformError(401, "unauthorized", "Bearer token missing")
        with self._lock:
            token = self._tokens.get(authorization[len("Bearer "):].strip())
        if token is None or token.expires_at < time.time():
            raise PlatformError(401, "unauthorized", "unknown or expired access token")
        if not set(accepted_scopes) & set(token.scopes):
            raise PlatformError(401, "unauthorized", "the token lacks the scope this call needs")

    # ----- Names and Role Provisioning Services -----------------------------------------------

    def memberships(self, course_id: str, offset: int = 0,
                    role: str | None = None) -> tuple[dict[str, Any], int | None]:
        """One page of the roster and the offset of the next page (None on the last one)."""
        course = self._course(course_id, status=404)
        members = []
        for user_id, course_role in course.members.items():
            roles = self._nrps_roles(course_role)
            if role and role.rsplit("#", 1)[-1] not in {r.rsplit("#", 1)[-1] for r in roles}:
                continue
            members.append(self._member(self._user(user_id), roles))
        size = self.nrps_page_size or max(len(members), 1)
        page = members[offset:offset + size]
        next_offset = offset + size if offset + size < len(members) else None
        body = {"id": self.memberships_url(course_id),
                "context": {"id": course.context_id, "label": course.label,
                            "title": course.title},
                "members": page}
        return body, next_offset

    def _nrps_roles(self, course_role: str) -> list[str]:
        long_form = ROLE_INSTRUCTOR if course_role in NRPS_INSTRUCTOR_ROLES else ROLE_LEARNER
        return [long_form.rsplit("#", 1)[-1]] if self.nrps_short_roles else [long_form]

    def _member(self, user: DemoUser, roles: list[str]) -> dict[str, Any]:
        member: dict[str, Any] = {"user_id": user.user_id, "roles": roles, "status": "Active"}
        if self.send_names:
            member.update(name=user.name, given_name=user.given_name,
                          family_name=user.family_name)
        if self.send_email:
            member["email"] = user.email
        return member

    # ----- Assignment and Grade Services ---------------------------------------------------

    def check_type_id(self, type_id: str | None) -> None:
        """Moodle identifies the tool by `type_id` in every AGS URL."""
        if type_id != self.deployment_id:
            raise invalid_request(f"invalid type_id {type_id!r}")

    def list_lineitems(self, course_id: str, resource_link_id: str | None = None,
                       resource_id: str | None = None, tag: str | None = None) -> list[dict]:
        """The course's line items, filtered as Moodle filters them."""
        self._course(course_id, status=404)
        with self._lock:
            items = [item for item in self._lineitems.values() if item.course_id == course_id
                     and (resource_link_id is None or item.resource_link_id == resource_link_id)
                     and (resource_id is None or item.resource_id == resource_id)
                     and (tag is None or item.tag == tag)]
            return [self._lineitem_json(item) for item in items]

    def create_lineitem(self, course_id: str, body: Any) -> dict[str, Any]:
        """Create a line item from the tool's JSON (label and numeric scoreMaximum required)."""
        self._course(course_id, status=404)
        label, maximum = ags.valid_lineitem_fields(body)
        link_id = body.get("resourceLinkId")
        if link_id is not None:
            activity = self.activities.get(str(link_id))
            if activity is None or activity.course_id != course_id:
                raise invalid_request(f"resourceLinkId {link_id!r} is not a link of this course")
        spec = DemoLineItem(label, maximum, str(body.get("resourceId", "") or ""),
                            str(body.get("tag", "") or ""))
        item = self._add_lineitem(course_id, spec, str(link_id) if link_id is not None else None,
                                  created_by_tool=True,
                                  start=body.get("startDateTime"), end=body.get("endDateTime"))
        return self._lineitem_json(item)

    def get_lineitem(self, course_id: str, lineitem_id: int) -> dict[str, Any]:
        return self._lineitem_json(self._lineitem(course_id, lineitem_id))

    def update_lineitem(self, course_id: str, lineitem_id: int, body: Any) -> dict[str, Any]:
        """PUT: replace label, scoreMaximum, resourceId, tag and dates."""
        item = self._lineitem(course_id, lineitem_id)
        label, maximum = ags.valid_lineitem_fields(body)
        with self._lock:
            item.label, item.score_maximum = label, maximum
            item.resource_id = str(body.get("resourceId", item.resource_id) or "")
            item.tag = str(body.get("tag", item.tag) or "")
            item.start_date_time = body.get("startDateTime", item.start_date_time)
            item.end_date_time = body.get("endDateTime", item.end_date_time)
        return self._lineitem_json(item)

    def delete_lineitem(self, course_id: str, lineitem_id: int) -> None:
        """DELETE: only items the tool created may go (an activity's own grade item stays)."""
        item = self._lineitem(course_id, lineitem_id)
        if not item.created_by_tool:
            raise PlatformError(403, "forbidden", "this grade item belongs to the activity")
        with self._lock:
            self._lineitems.pop(item.lineitem_id, None)

    def post_score(self, course_id: str, lineitem_id: int, content_type: str | None,
                   raw_body: bytes, access_check: Callable[[], None] | None = None) -> None:
        """Record a score as Moodle does; every attempt is kept in `score_posts` with its status.

        `access_check` (type_id and token checks of the HTTP layer) runs first, so refused
        attempts are recorded too.
        """
        record: dict[str, Any] = {"lineitem_id": lineitem_id, "course_id": course_id,
                                  "user_id": None, "status": 200, "reason": "",
                                  "body": raw_body.decode("utf-8", "replace"),
                                  "received_at": time.time()}
        try:
            if access_check is not None:
                access_check()
            self._apply_score(course_id, lineitem_id, content_type, raw_body, record)
        except PlatformError as error:
            record["status"], record["reason"] = error.status, error.description
            raise
        finally:
            with self._lock:
                self._score_posts.append(record)

    def note_failed_score_post(self, course_id: str, lineitem_id: int, status: int,
                               reason: str, raw_body: bytes) -> None:
        """Record a score POST answered by an injected fault."""
        try:
            user_id = str(json.loads(raw_body)["userId"])
        except (ValueError, TypeError, KeyError):
            user_id = None
        with self._lock:
            self._score_posts.append({
                "lineitem_id": lineitem_id, "course_id": course_id, "user_id": user_id,
                "status": status, "reason": reason, "body": raw_body.decode("utf-8", "replace"),
                "received_at": time.time()})

    def _apply_score(self, course_id: str, lineitem_id: int, content_type: str | None,
                     raw_body: bytes, record: dict[str, Any]) -> None:
        item = self._lineitem(course_id, lineitem_id)
        score = ags.parse_score(content_type, raw_body)
        user_id = record["user_id"] = str(score["userId"])
        incoming = ags.score_record(score, item)
        if self._course(course_id).members.get(user_id) not in GRADEBOOK_ROLES:
            raise invalid_request(f"user {user_id!r} has no gradebook role in this course")
        with self._lock:
            ags.check_newer(item.scores.get(user_id), incoming)
            item.scores[user_id] = incoming

    def results(self, course_id: str, lineitem_id: int, user_id: str | None = None) -> list[dict]:
        """Results of a line item (Moodle omits `resultScore` for a 0 grade)."""
        item = self._lineitem(course_id, lineitem_id)
        url = self.lineitem_url(item)
        with self._lock:
            return [ags.result_json(uid, stored, item, url) for uid, stored in item.scores.items()
                    if user_id is None or uid == user_id]

    def _add_lineitem(self, course_id: str, spec: DemoLineItem, resource_link_id: str | None,
                      created_by_tool: bool, start: str | None = None,
                      end: str | None = None) -> LineItem:
        with self._lock:
            item = LineItem(self._next_lineitem_id, course_id, spec.label,
                            float(spec.score_maximum), resource_link_id, spec.resource_id,
                            spec.tag, start, end, created_by_tool)
            self._lineitems[item.lineitem_id] = item
            self._next_lineitem_id += 1
        return item

    def _lineitem(self, course_id: str, lineitem_id: int) -> LineItem:
        with self._lock:
            item = self._lineitems.get(lineitem_id)
        if item is None or item.course_id != course_id:
            raise PlatformError(404, "not_found", f"no line item {lineitem_id} in this course")
        return item

    def _lineitem_json(self, item: LineItem) -> dict[str, Any]:
        return ags.lineitem_json(item, self.lineitem_url(item))

    # ----- Deep Linking return -------------------------------------------------------------

    def receive_deep_linking_response(self, session_id: str | None,
                                      token: str | None) -> dict[str, Any]:
        """Verify an LtiDeepLinkingResponse and create one activity per resource link item.

        Returns the record added to `deep_link_results`; raises PlatformError(400) with the reason
        (the refusal is recorded too).
        """
        record: dict[str, Any] = {"session": session_id, "status": 200, "reason": "",
                                  "activities": [], "content_items": []}
        try:
            self._apply_deep_linking_response(session_id, token, record)
        except PlatformError as error:
            record["status"], record["reason"] = error.status, error.description
            raise
        finally:
            with self._lock:
                self._deep_link_results.append(record)
        return record

    def _apply_deep_linking_response(self, session_id: str | None, token: str | None,
                                     record: dict[str, Any]) -> None:
        with self._lock:
            session = self._deep_link_sessions.get(session_id or "")
        if session is None:
            raise invalid_request("unknown deep linking session")
        if not token:
            raise invalid_request("form field JWT missing")
        try:
            claims = verify_tool_jwt(token, self._tool_keyset, audience=self.issuer,
                                     leeway=self.leeway_seconds, required=("exp", "iat", "iss"))
        except JwtRejected as error:
            raise invalid_request(str(error)) from error
        with self._lock:
            items = checked_content_items(claims, session.settings, client_id=self.client_id,
                                          deployment_id=self.deployment_id,
                                          used_nonces=self._used_nonces)
            self._used_nonces.add(claims["nonce"])
            self._deep_link_sessions.pop(session.session_id, None)
            record.update(course_id=session.course_id, user_id=session.user_id,
                          content_items=items, msg=claims.get(DL_CLAIM + "msg"),
                          log=claims.get(DL_CLAIM + "log"),
                          errormsg=claims.get(DL_CLAIM + "errormsg"),
                          errorlog=claims.get(DL_CLAIM + "errorlog"))
            for item in items:
                if item.get("type") == "ltiResourceLink":
                    self._next_activity_number += 1
                    activity = activity_from_content_item(
                        item, str(self._next_activity_number), session.course_id,
                        self._deep_linking_target())
                    self.add_activity(activity)
                    record["activities"].append(activity.activity_id)

    def add_activity(self, activity: DemoActivity) -> None:
        """Add a link to a course (with its grade item when it declares one)."""
        self._check_activity(activity)
        with self._lock:
            if activity.activity_id in self.activities:
                raise ValueError(f"site {self.slug!r} already has an activity "
                                 f"{activity.activity_id!r}")
            self.activities[activity.activity_id] = activity
            if activity.line_item is not None:
                self._add_lineitem(activity.course_id, activity.line_item, activity.activity_id,
                                   created_by_tool=False)

    # ----- inspectors for tests ------------------------------------------------------------

    def gradebook(self) -> dict[int, dict[str, Any]]:
        """Every line item with its stored grades (a copy)."""
        with self._lock:
            return {
                item.lineitem_id: {
                    "label": item.label, "url": self.lineitem_url(item),
                    "course_id": item.course_id, "resource_link_id": item.resource_link_id,
                    "resource_id": item.resource_id, "tag": item.tag,
                    "score_maximum": item.score_maximum, "created_by_tool": item.created_by_tool,
                    "scores": {uid: s.as_dict() for uid, s in item.scores.items()},
                }
                for item in self._lineitems.values()
            }

    @property
    def score_posts(self) -> list[dict[str, Any]]:
        """Every score POST received, in order, with the status it was answered."""
        with self._lock:
            return copy.deepcopy(self._score_posts)

    @property
    def deep_link_results(self) -> list[dict[str, Any]]:
        """Every deep linking response received (accepted or refused, with the reason)."""
        with self._lock:
            return copy.deepcopy(self._deep_link_results)

    @property
    def id_tokens_issued(self) -> list[dict[str, Any]]:
        """Claims of every id_token auth.php issued."""
        with self._lock:
            return copy.deepcopy(self._id_tokens)

    @property
    def tool_keyset_fetches(self) -> int:
        """How many times the tool's keyset was fetched."""
        return self._tool_keyset.fetch_count

    # ----- lookups -------------------------------------------------------------------------

    def _check_activity(self, activity: DemoActivity) -> None:
        if activity.course_id not in self.courses:
            raise ValueError(f"activity {activity.activity_id!r} of site {self.slug!r}: "
                             f"unknown course {activity.course_id!r}")

    def _user(self, user_id: str) -> DemoUser:
        user = self.users.get(str(user_id))
        if user is None:
            raise ValueError(f"site {self.slug!r} has no user {user_id!r}")
        return user

    def _course(self, course_id: str, status: int | None = None) -> DemoCourse:
        course = self.courses.get(str(course_id))
        if course is None:
            if status:
                raise PlatformError(status, "not_found", f"no course {course_id!r}")
            raise ValueError(f"site {self.slug!r} has no course {course_id!r}")
        return course

    def _activity(self, activity_id: str | None, user_id: str) -> DemoActivity:
        if activity_id is None:
            course_id = self._default_course(user_id)
            for activity in self.activities.values():
                if activity.course_id == course_id:
                    return activity
            raise ValueError(f"site {self.slug!r} has no activity in course {course_id!r}")
        activity = self.activities.get(str(activity_id))
        if activity is None:
            raise ValueError(f"site {self.slug!r} has no activity {activity_id!r}")
        return activity

    def _default_course(self, user_id: str) -> str:
        for course in self.courses.values():
            if user_id in course.members:
                return course.context_id
        if self.courses:
            return next(iter(self.courses))
        raise ValueError(f"site {self.slug!r} has no course")
