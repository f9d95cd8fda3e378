"""pylti1p3 wired to the tool: registrations from the database, state in the shared store,
and the checks pylti1p3 leaves to the tool (clock leeway, audience and azp, nonce replay,
key rotation, RS256 only, required claims).
"""
from __future__ import annotations

import base64
import functools
import math
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from flask import request as flask_request
from itsdangerous import BadSignature, TimestampSigner
from jwt.algorithms import RSAAlgorithm
from pylti1p3.contrib.flask import FlaskCookieService, FlaskMessageLaunch, FlaskOIDCLogin
from pylti1p3.contrib.flask import FlaskRequest
from pylti1p3.contrib.flask.session import FlaskSessionService
from pylti1p3.deployment import Deployment as PyltiDeployment
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy.orm import Session

from lti_tool.lti import keys
from lti_tool.lti.platforms import issuer_is_registered, registered_platform
from lti_tool.security import holds_null_character
from lti_tool.store import Store

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
KNOWN_MESSAGE_TYPES = (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST)
HTTP_TIMEOUT = 10
# The oldest id_token accepted, whatever its exp says (Moodle's tokens expire 60 s after iat).
MAX_ID_TOKEN_AGE_SECONDS = 600
# LTI 1.3 (OpenID Connect): sub is at most 255 ASCII characters; users.sub holds that much.
MAX_SUB_LENGTH = 255
# A JWS in compact form: three base64url parts (RFC 7515, section 7.1); an unsigned token
# (alg "none") has an empty third part, and is refused for its alg.
_JWS_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_RS256 = RSAAlgorithm(RSAAlgorithm.SHA256)


def _base64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class LaunchRejected(Exception):
    """A login or launch the tool refuses. ``reason`` is a stable code for logs and metrics."""

    def __init__(self, reason: str, detail: str, status: int = 400):
        super().__init__(detail)
        self.reason, self.detail, self.status = reason, detail, status


class ToolRegistration(Registration):
    """A registration whose kid is the tool's own key id (pylti1p3 would derive another)."""

    _kid: str | None = None

    def set_kid(self, kid: str) -> "ToolRegistration":
        self._kid = kid
        return self

    def get_kid(self) -> str | None:
        return self._kid


class DatabaseToolConf(ToolConfAbstract):
    """Registrations read from the tool's database; an issuer may have several client ids."""

    def __init__(self, session: Session):
        super().__init__()
        self.session = session

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args, **kwargs):
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(self, iss: str, client_id: str | None, *args, **kwargs):
        platform = registered_platform(self.session, iss, client_id)
        if platform is None:
            return None
        signing = keys.signing_key(self.session)
        registration = ToolRegistration()
        registration.set_issuer(platform.issuer).set_client_id(platform.client_id)
        registration.set_auth_login_url(platform.auth_login_url)
        registration.set_auth_token_url(platform.auth_token_url)
        registration.set_key_set_url(platform.key_set_url)
        registration.set_tool_private_key(signing.private_pem)
        registration.set_kid(signing.kid)
        registration.platform_id = platform.id  # type: ignore[attr-defined]
        registration.deployment_ids = tuple(platform.deployment_ids)  # type: ignore[attr-defined]
        return registration

    def find_deployment(self, iss: str, deployment_id: str):
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        platform = registered_platform(self.session, iss, client_id)
        if platform is None or deployment_id not in platform.deployment_ids:
            return None
        return PyltiDeployment().set_deployment_id(deployment_id)


class StoreLaunchDataStorage(LaunchDataStorage):
    """pylti1p3's state, nonce and launch data kept in the shared store, not in a cookie session."""

    def __init__(self, store: Store, lifetime: int):
        super().__init__()
        self._store = store
        self._lifetime = lifetime

    def get_session_cookie_name(self):
        # State is bound to the browser by pylti1p3's own state cookie; no extra session cookie.
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str):
        return self._store.get(self._prepare_key(key))

    def set_value(self, key: str, value, exp: int | None = None) -> None:
        self._store.set(self._prepare_key(key), value, exp or self._lifetime)

    def check_value(self, key: str) -> bool:
        return self._store.get(self._prepare_key(key)) is not None

    def consume(self, key: str) -> bool:
        return self._store.pop(self._prepare_key(key)) is not None


class Nonces:
    """Nonces that carry their own proof of origin: random, dated and signed with the tool's
    secret key. A login stores nothing; a launch checks the signature and the age, then marks
    the nonce used in the shared store, atomically, so that a replay finds the mark."""

    def __init__(self, secret_key: str | bytes, store: Store, lifetime: int):
        self._signer = _nonce_signer(secret_key)
        self._store = store
        self._lifetime = lifetime

    def issue(self) -> str:
        return self._signer.sign(secrets.token_urlsafe(24)).decode()

    def consume(self, nonce: str) -> bool:
        """True for a nonce of this tool, younger than the lifetime and never used before."""
        try:
            self._signer.unsign(nonce, max_age=self._lifetime)
        except BadSignature:  # also SignatureExpired
            return False
        # Kept past the nonce's own lifetime: by then its signature is too old to pass.
        return self._store.add(f"lti1p3-nonce-used-{nonce}", True, self._lifetime + 60)


@functools.lru_cache(maxsize=4)
def _nonce_signer(secret_key: str | bytes) -> TimestampSigner:
    return TimestampSigner(secret_key, salt="cimp-lti.nonce")


class ToolSessionService(FlaskSessionService):
    def save_nonce(self, nonce: str) -> None:
        """Nothing to keep: the tool's nonces are signed (see ``Nonces``)."""


class PartitionedCookieService(FlaskCookieService):
    """Cookies usable inside another site's iframe: ``Secure; SameSite=None; Partitioned``.

    Browsers accept Secure cookies from http://localhost and 127.0.0.1 too, so this holds for
    local demos and tests; on plain http to another host the cookie would be dropped.
    """

    def update_response(self, response):
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(
                key, data["value"], max_age=data["exp"], path="/", httponly=True,
                secure=True, samesite="None", partitioned=True,
            )


def _jwk_with_kid(keyset: dict, kid: str) -> dict | None:
    for jwk in keyset["keys"]:
        if isinstance(jwk, dict) and jwk.get("kid") == kid:
            return jwk
    return None


class _KeysetCache:
    """Platform keysets per URL in this process, refetched when a launch names an unknown kid."""

    ttl = 3600.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keysets: dict[str, tuple[float, dict]] = {}
        # Keys ready for verification: parsing a JWK on every launch would cost more than the
        # signature check itself.
        self._keys: dict[tuple[str, str], RSAPublicKey] = {}

    def keyset(self, url: str, refresh: bool = False) -> dict:
        return self._load(url, refresh)[0]

    def _load(self, url: str, refresh: bool) -> tuple[dict, bool]:
        """The keyset of ``url`` and whether it was fetched just now."""
        with self._lock:
            cached = self._keysets.get(url)
        if cached and not refresh and time.monotonic() - cached[0] < self.ttl:
            return cached[1], False
        try:
            response = requests.get(url, timeout=HTTP_TIMEOUT)
            response.raise_for_status()
            keyset = response.json()
            if not isinstance(keyset, dict) or not isinstance(keyset.get("keys"), list):
                raise ValueError("not a {\"keys\": [...]} object")
        except (requests.RequestException, ValueError) as exc:
            raise LaunchRejected("keyset_unavailable",
                                 f"the platform's keyset {url} could not be read: {exc}", 502)
        with self._lock:
            self._keysets[url] = (time.monotonic(), keyset)
            self._keys = {k: v for k, v in self._keys.items() if k[0] != url}
        return keyset, True

    def public_key(self, url: str, kid: str) -> RSAPublicKey | None:
        """The platform's RSA key ``kid``, or ``None`` when its keyset has no such RSA key."""
        with self._lock:
            key = self._keys.get((url, kid))
        if key is not None:
            return key
        keyset, fetched = self._load(url, refresh=False)
        jwk = _jwk_with_kid(keyset, kid)
        if jwk is None and not fetched:
            # The platform may have rotated its key since the keyset was cached: fetch once.
            jwk = _jwk_with_kid(self._load(url, refresh=True)[0], kid)
        if jwk is None:
            return None
        try:
            key = RSAAlgorithm.from_jwk(jwk)
        except (jwt.InvalidKeyError, ValueError, TypeError, KeyError):
            return None
        if isinstance(key, RSAPrivateKey):  # published by mistake: its public half verifies
            key = key.public_key()
        with self._lock:
            self._keys[(url, kid)] = key
        return key

    def clear(self) -> None:
        with self._lock:
            self._keysets.clear()
            self._keys.clear()


keyset_cache = _KeysetCache()


@dataclass(frozen=True)
class ValidatedLaunch:
    claims: dict[str, Any]
    platform_id: int
    issuer: str
    client_id: str
    deployment_id: str
    pylti_launch_id: str

    @property
    def message_type(self) -> str:
        return self.claims[LTI + "message_type"]


class ToolMessageLaunch(FlaskMessageLaunch):
    """pylti1p3's launch with every check of the conformance list, each with a reason code."""

    leeway = 45
    storage: StoreLaunchDataStorage
    nonces: Nonces
    _body_may_hold_nul = True

    def validate(self):
        steps = (
            ("state", self.validate_state),
            ("jwt_format", self.validate_jwt_format),
            ("registration", self.validate_registration),
            ("signature", self.validate_jwt_signature),
            ("nonce", self.validate_nonce),
            ("deployment", self.validate_deployment),
            ("claims", self.validate_claims),
            ("message", self.validate_message),
        )
        self._validated = True
        for reason, step in steps:
            try:
                step()
            except LaunchRejected:
                self._validated = False
                raise
            except (LtiException, OIDCException, KeyError, TypeError, ValueError) as exc:
                self._validated = False
                raise LaunchRejected(reason, str(exc) or exc.__class__.__name__) from exc
        # pylti1p3's copy of the launch is needed only to answer a deep linking request later.
        if self._jwt["body"].get(LTI + "message_type") == DEEP_LINKING_REQUEST:
            self.save_launch_data()
        return self

    def validate_jwt_format(self):
        # base64 decoding skips characters outside its alphabet: refuse them first.
        if not _JWS_COMPACT.fullmatch(self._get_id_token() or ""):
            raise LaunchRejected("jwt_format", "the id_token is not a compact JWS")
        super().validate_jwt_format()
        # Three base64 parts may decode to JSON that is not an object: no claim can be read.
        if not isinstance(self._jwt.get("header"), dict) or not isinstance(
                self._jwt.get("body"), dict):
            raise LaunchRejected("jwt_format", "the JWT header or body is not a JSON object")
        # JSON can hold a NUL only as the escape \u0000 (a raw one fails to decode): a body
        # without that text needs no walk through its claims (validate_claims).
        self._body_may_hold_nul = b"\\u0000" in _base64url_decode(
            self._get_id_token().split(".")[1])
        return self

    def _audience_client_id(self) -> str | None:
        body = self._jwt.get("body", {})
        aud = body.get("aud")
        if isinstance(aud, str):
            audiences = [aud]
        elif isinstance(aud, list) and aud and all(isinstance(a, str) for a in aud):
            audiences = aud
        else:
            raise LaunchRejected("audience", "the aud claim is missing or malformed")
        azp = body.get("azp")
        if len(audiences) == 1:
            client_id = audiences[0]
        elif azp in audiences:
            # Several audiences: the authorised party names which one is us.
            client_id = azp
        else:
            raise LaunchRejected("audience", "several audiences and no matching azp claim")
        if azp is not None and azp != client_id:
            raise LaunchRejected("audience", "the azp claim names another client than aud")
        return client_id

    def validate_state(self):
        state = self._get_request_param("state")
        if not state:
            raise LaunchRejected("state", "the state parameter is missing")
        if self._cookie_service.get_cookie(state) != state:
            raise LaunchRejected("state_not_bound",
                                 "the state does not match the one bound to this browser")
        return self

    def validate_registration(self):
        body = self._jwt.get("body", {})
        iss = body.get("iss")
        if not iss or not isinstance(iss, str):
            raise LaunchRejected("issuer", "the iss claim is missing")
        client_id = self._audience_client_id()
        registration = self._tool_config.find_registration_by_params(iss, client_id)
        if registration is None:
            if not issuer_is_registered(self._tool_config.session, iss):
                raise LaunchRejected("issuer", f"unknown issuer {iss!r}")
            raise LaunchRejected("audience", f"aud does not name a client id registered for {iss!r}")
        self._registration = registration
        return self

    def get_public_key(self):
        header = self._jwt.get("header", {})
        alg, kid = header.get("alg"), header.get("kid")
        if alg != "RS256":
            raise LaunchRejected("algorithm", f"alg {alg!r} is not accepted (RS256 only)")
        if not kid:
            raise LaunchRejected("kid", "the JWT header has no kid")
        key = keyset_cache.public_key(self._registration.get_key_set_url(), kid)
        if key is None:
            raise LaunchRejected("kid", f"no RSA key {kid!r} in the platform's keyset")
        return key, "RS256"

    def validate_jwt_signature(self):
        # The header and body are already decoded (validate_jwt_format): only the signature is
        # left to check, with PyJWT's RS256, and the validity times to read. PyJWT's own
        # decode() would take the whole token apart a second time.
        key, _alg = self.get_public_key()
        signing_input, _, signature = self._get_id_token().rpartition(".")
        if not _RS256.verify(signing_input.encode(), key, _base64url_decode(signature)):
            raise LaunchRejected("signature", "the signature does not verify")
        self._validate_times(self._jwt["body"], time.time())
        return self

    def _validate_times(self, body: dict[str, Any], now: float) -> None:
        """exp and iat are required, nbf is honoured; each is allowed ``leeway`` seconds of
        clock difference. A token valid for hours would widen the replay window: one issued
        more than MAX_ID_TOKEN_AGE_SECONDS ago is refused whatever its exp says."""
        for claim in ("exp", "iat", "nbf"):
            value = body.get(claim)
            if value is None and claim != "nbf":
                raise LaunchRejected("expired", f"the {claim} claim is missing")
            if value is not None and (isinstance(value, bool)
                                      or not isinstance(value, (int, float))
                                      or not math.isfinite(value)):  # JSON's NaN, Infinity
                raise LaunchRejected("expired", f"the {claim} claim is not a number")
        if body["exp"] <= now - self.leeway:
            raise LaunchRejected("expired", "the token has expired")
        if body["iat"] > now + self.leeway or body.get("nbf", now) > now + self.leeway:
            raise LaunchRejected("expired", "the token is not valid yet")
        if now - body["iat"] > MAX_ID_TOKEN_AGE_SECONDS + self.leeway:
            raise LaunchRejected("expired", f"the token was issued {int(now - body['iat'])} s ago")

    def validate_nonce(self):
        nonce = self._jwt.get("body", {}).get("nonce")
        if not nonce or not isinstance(nonce, str):
            raise LaunchRejected("nonce", "the nonce claim is missing")
        # Marked used on first use: a replayed id_token finds the mark.
        if not self.nonces.consume(nonce):
            raise LaunchRejected("nonce", "the nonce was already used, is too old or was never "
                                          "issued by the tool")
        return self

    def validate_deployment(self):
        deployment_id = self._jwt.get("body", {}).get(LTI + "deployment_id")
        if not deployment_id:
            raise LaunchRejected("deployment", "the deployment_id claim is missing")
        if deployment_id not in self._registration.deployment_ids:
            raise LaunchRejected("deployment", f"deployment {deployment_id!r} is not registered")
        return self

    def validate_claims(self):
        body = self._jwt.get("body", {})
        if body.get(LTI + "version") != "1.3.0":
            raise LaunchRejected("version", "the LTI version claim is missing or not 1.3.0")
        message_type = body.get(LTI + "message_type")
        if not message_type:
            raise LaunchRejected("message_type", "the message_type claim is missing")
        if message_type not in KNOWN_MESSAGE_TYPES:
            raise LaunchRejected("message_type", f"message type {message_type!r} is not supported")
        if not isinstance(body.get(LTI + "roles"), list):
            raise LaunchRejected("roles", "the roles claim is missing")
        if self._body_may_hold_nul and holds_null_character(body):
            # No platform sends one, and PostgreSQL cannot store it in a text column.
            raise LaunchRejected("claim_encoding", "a claim holds a NUL character")
        if not body.get("sub") or not isinstance(body.get("sub"), str):
            raise LaunchRejected("sub", "the sub claim is missing")
        if len(body["sub"]) > MAX_SUB_LENGTH:
            raise LaunchRejected("sub", f"the sub claim is longer than {MAX_SUB_LENGTH} characters")
        if message_type == RESOURCE_LINK_REQUEST:
            link = body.get(LTI + "resource_link")
            if not isinstance(link, dict) or not link.get("id"):
                raise LaunchRejected("resource_link", "resource_link.id is missing")
        if message_type == DEEP_LINKING_REQUEST:
            settings = body.get("https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings")
            if not isinstance(settings, dict) or not settings.get("deep_link_return_url"):
                raise LaunchRejected("deep_linking_settings",
                                     "deep_linking_settings.deep_link_return_url is missing")
            accepted = settings.get("accept_types")
            if not isinstance(accepted, list) or "ltiResourceLink" not in accepted:
                raise LaunchRejected("deep_linking_types",
                                     f"the platform accepts no LTI resource link ({accepted!r})")
        return self

    def validated(self) -> ValidatedLaunch:
        body = self._jwt["body"]
        return ValidatedLaunch(
            claims=body,
            platform_id=self._registration.platform_id,
            issuer=self._registration.get_issuer(),
            client_id=self._registration.get_client_id(),
            deployment_id=body[LTI + "deployment_id"],
            pylti_launch_id=self.get_launch_id(),
        )


def pylti_request() -> FlaskRequest:
    # An empty dict stands for the session: pylti1p3 keeps nothing in Flask's cookie session here.
    # The request's parameters as a plain dict: werkzeug's MultiDict.get raises and catches an
    # exception for each parameter that is absent, and pylti1p3 asks for several.
    return FlaskRequest(session={}, request_data=flask_request.values.to_dict())


def make_services(store: Store, lifetime: int):
    request = pylti_request()
    storage = StoreLaunchDataStorage(store, lifetime)
    storage.set_request(request)
    session_service = ToolSessionService(request)
    session_service.set_data_storage(storage)
    # pylti1p3 would keep state, nonces and launch data for a day whatever the storage says.
    session_service.set_launch_data_lifetime(lifetime)
    return request, storage, session_service, PartitionedCookieService(request)


class ToolOIDCLogin(FlaskOIDCLogin):
    # pylti1p3 builds the nonce from uuid1, which carries the host's clock and MAC address and
    # costs a system call: a random token says nothing about the tool and is as unguessable.
    def _get_uuid(self) -> str:
        return secrets.token_urlsafe(24)

    nonces: Nonces

    def _generate_nonce(self) -> str:
        return self.nonces.issue()

    def auth_redirect(self, launch_url: str):
        """The platform's auth URL for this login, and the function that puts the state cookie
        on whichever response the tool sends (a redirect, or the cookie-check page)."""
        redirect = self.get_redirect_object(launch_url)
        return redirect.get_redirect_url(), self._cookie_service.update_response


def new_oidc_login(session: Session, store: Store, lifetime: int, secret_key: str | bytes
                   ) -> ToolOIDCLogin:
    request, storage, session_service, cookies = make_services(store, lifetime)
    login = ToolOIDCLogin(request, DatabaseToolConf(session), session_service=session_service,
                          cookie_service=cookies, launch_data_storage=storage)
    login.nonces = Nonces(secret_key, store, lifetime)
    return login


# pylti1p3 opens a requests session for every launch object unless given one. A launch makes no
# request through it (platform keys come from the keyset cache): the launches share this one.
_LAUNCH_HTTP = requests.Session()


def new_message_launch(session: Session, store: Store, lifetime: int, leeway: int,
                       secret_key: str | bytes) -> ToolMessageLaunch:
    request, storage, session_service, cookies = make_services(store, lifetime)
    launch = ToolMessageLaunch(request, DatabaseToolConf(session), session_service=session_service,
                               cookie_service=cookies, launch_data_storage=storage,
                               requests_session=_LAUNCH_HTTP)
    launch.storage = storage
    launch.nonces = Nonces(secret_key, store, lifetime)
    launch.leeway = leeway
    return launch
