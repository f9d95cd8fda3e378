"""What a platform needs to know about the tool, and LTI Dynamic Registration with a platform.

Dynamic Registration follows IMS LTI Dynamic Registration 1.0 as Moodle (3.10+) implements it:
the platform opens the tool's registration URL with ``openid_configuration`` and
``registration_token``; the tool reads the platform's OpenID configuration, posts its client
metadata with the token as a bearer, and records the client id and deployment id it gets back.
"""
from __future__ import annotations

import ipaddress
import json
import logging
import socket
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlsplit

import requests
from sqlalchemy.orm import Session

from lti_tool.lti.models import Platform
from lti_tool.lti.platforms import RegistrationError, add_platform

log = logging.getLogger("lti_tool.registration")

CLIENT_NAME = "CIMP – portfolio et évaluation"
DESCRIPTION = ("Portfolio réflexif, intervision et évaluations du certificat interuniversitaire "
               "en management public (CIMP).")
DEEP_LINKING_LABEL = "CIMP – ajouter une activité"

AGS_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
AGS_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
AGS_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
AGS_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
NRPS_MEMBERSHIP_READONLY = (
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly")
TOOL_SCOPES = (AGS_LINEITEM, AGS_LINEITEM_READONLY, AGS_RESULT_READONLY, AGS_SCORE,
               NRPS_MEMBERSHIP_READONLY)
REQUESTED_CLAIMS = ("iss", "sub", "name", "given_name", "family_name", "email")

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"

# The platform's answers are small JSON documents: anything much larger is not one.
MAX_RESPONSE_BYTES = 1_000_000
# Enough of a refusal's body to show what the platform said, not a whole error page.
MAX_PLATFORM_MESSAGE = 500
DEFAULT_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class ToolConfiguration:
    """The tool's addresses as an LMS administrator enters them (all derived from the base URL)."""

    base_url: str

    @property
    def tool_url(self) -> str:
        """The common base of every link of the cartridge (Moodle binds links by prefix)."""
        return self.base_url + "/lti/launch"

    @property
    def keyset_url(self) -> str:
        return self.base_url + "/lti/jwks.json"

    @property
    def login_url(self) -> str:
        return self.base_url + "/lti/login"

    @property
    def redirect_uris(self) -> tuple[str, ...]:
        return (self.base_url + "/lti/launch",)

    @property
    def registration_url(self) -> str:
        return self.base_url + "/lti/register"

    @property
    def content_selection_url(self) -> str:
        return self.base_url + "/lti/launch"

    @property
    def domain(self) -> str:
        """Host (and port when not the default), as Moodle compares it with ``target_link_uri``."""
        return urlsplit(self.tool_url).netloc

    def as_dict(self) -> dict[str, Any]:
        """Every value of the manual configuration, for the JSON form of the configuration page."""
        return {
            "tool_name": CLIENT_NAME,
            "tool_url": self.tool_url,
            "lti_version": "LTI 1.3",
            "public_key_type": "Keyset URL",
            "public_keyset_url": self.keyset_url,
            "initiate_login_url": self.login_url,
            "redirection_uris": list(self.redirect_uris),
            "registration_url": self.registration_url,
            "supports_deep_linking": True,
            "content_selection_url": self.content_selection_url,
            "services": {
                "ims_lti_assignment_and_grade_services":
                    "Use this service for grade sync and column management",
                "ims_lti_names_and_role_provisioning":
                    "Use this service to retrieve members' information as per privacy settings",
            },
            "privacy": {"share_launcher_name": "Always", "share_launcher_email": "Always"},
            "scopes": list(TOOL_SCOPES),
            "platform_add_command": platform_add_command(),
        }


def platform_add_command(wwwroot: str = "WWWROOT", client_id: str = "ID",
                         deployment_id: str = "ID") -> str:
    """The command the tool's administrator runs once Moodle shows the client and deployment ids."""
    return (f"lti-tool platform add --moodle {wwwroot} --client-id {client_id} "
            f"--deployment-id {deployment_id}")


def client_metadata(tool: ToolConfiguration) -> dict[str, Any]:
    """The client metadata posted to the platform's registration endpoint."""
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool.login_url,
        "redirect_uris": list(tool.redirect_uris),
        "client_name": CLIENT_NAME,
        "jwks_uri": tool.keyset_url,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(TOOL_SCOPES),
        TOOL_CONFIGURATION: {
            "domain": tool.domain,
            "target_link_uri": tool.tool_url,
            "description": DESCRIPTION,
            "claims": list(REQUESTED_CLAIMS),
            "messages": [
                {"type": "LtiResourceLinkRequest", "target_link_uri": tool.tool_url},
                {"type": "LtiDeepLinkingRequest", "target_link_uri": tool.content_selection_url,
                 "label": DEEP_LINKING_LABEL},
            ],
        },
    }


class RegistrationRefused(Exception):
    """A Dynamic Registration the tool gives up. ``reason`` is a stable code for logs and pages;
    ``platform_message`` is what the platform answered, when it refused."""

    def __init__(self, reason: str, detail: str, platform_message: str | None = None,
                 status: int = 400):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.platform_message = platform_message
        self.status = status


@dataclass(frozen=True)
class PlatformConfiguration:
    """The parts of a platform's OpenID configuration the tool relies on."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    product_family_code: str | None


@dataclass(frozen=True)
class RegisteredClient:
    client_id: str
    deployment_id: str


@dataclass(frozen=True)
class RegistrationResult:
    """A completed registration: where it was made and what the platform gave the tool."""

    platform: PlatformConfiguration
    client: RegisteredClient
    platform_id: int


def _origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, lower-cased host and effective port: what "the same host" means here."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port or default


def _same_host(url: str, other: str) -> bool:
    return _origin(url)[1:] == _origin(other)[1:]


def _check_http_url(url: str, what: str, reason: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RegistrationRefused(reason, f"{what} {url!r} is not an http(s) address")


def _check_public_address(url: str) -> None:
    """Refuse an address that resolves to a loopback, private or link-local network: the address
    comes from the browser, and the tool must not be made to call its own network."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError) as exc:
        raise RegistrationRefused("configuration_unreachable",
                                  f"{host!r} could not be resolved") from exc
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global:
            raise RegistrationRefused("configuration_address_not_public",
                                      f"{host!r} resolves to a non-public address ({ip})")


def _read_limited(response: requests.Response) -> bytes:
    body = bytearray()
    for chunk in response.iter_content(64 * 1024):
        body.extend(chunk)
        if len(body) > MAX_RESPONSE_BYTES:
            raise RegistrationRefused("response_too_large", f"{response.url} answered more "
                                      f"than {MAX_RESPONSE_BYTES} bytes")
    return bytes(body)


def _decode_json_object(body: bytes, what: str, reason: str) -> dict[str, Any]:
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise RegistrationRefused(reason, f"{what} is not JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise RegistrationRefused(reason, f"{what} is not a JSON object")
    return document


def _platform_message(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace").strip()
    return text[:MAX_PLATFORM_MESSAGE] + ("…" if len(text) > MAX_PLATFORM_MESSAGE else "")


def fetch_platform_configuration(configuration_url: str,
                                 timeout: float = DEFAULT_TIMEOUT_SECONDS) -> PlatformConfiguration:
    """GET the platform's OpenID configuration and check it is one the tool can register with."""
    _check_http_url(configuration_url, "the configuration address", "bad_configuration_url")
    try:
        # No redirects: the issuer is checked against the address the platform gave, not another.
        with requests.get(configuration_url, headers={"Accept": "application/json"},
                          timeout=timeout, allow_redirects=False, stream=True) as response:
            body = _read_limited(response)
    except requests.RequestException as exc:
        raise RegistrationRefused("configuration_unreachable",
                                  f"{configuration_url} could not be reached ({type(exc).__name__})"
                                  ) from exc
    if response.status_code != 200:
        # The body is not shown: the address comes from the browser and may be any server's.
        raise RegistrationRefused("configuration_unreachable",
                                  f"{configuration_url} answered HTTP {response.status_code}")
    document = _decode_json_object(body, "the platform configuration", "configuration_not_json")
    return check_platform_configuration(document, configuration_url)


def _required_url(document: Mapping[str, Any], key: str) -> str:
    value = document.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RegistrationRefused("configuration_incomplete",
                                  f"the platform configuration has no {key}")
    _check_http_url(value, key, "configuration_incomplete")
    return value.strip()


def _names(values: Any) -> set[str]:
    """Accept both a list of strings (Moodle's ``messages_supported``) and a list of objects."""
    if not isinstance(values, list):
        return set()
    names = set()
    for value in values:
        if isinstance(value, str):
            names.add(value)
        elif isinstance(value, dict) and isinstance(value.get("type"), str):
            names.add(value["type"])
    return names


def check_platform_configuration(document: Mapping[str, Any],
                                 configuration_url: str) -> PlatformConfiguration:
    """Validate an OpenID configuration fetched from ``configuration_url``.

    The issuer must be on the configuration URL's host (the spec's defence against a page that
    would register the tool with someone else's issuer), and so must the registration endpoint,
    since the registration token is sent there.
    """
    issuer = _required_url(document, "issuer")
    if not _same_host(issuer, configuration_url):
        raise RegistrationRefused(
            "issuer_host_mismatch",
            f"the issuer {issuer!r} is not on the host of the configuration address "
            f"{configuration_url!r}")
    registration_endpoint = _required_url(document, "registration_endpoint")
    if not _same_host(registration_endpoint, configuration_url):
        raise RegistrationRefused(
            "registration_endpoint_host_mismatch",
            f"the registration endpoint {registration_endpoint!r} is not on the host of the "
            f"configuration address {configuration_url!r}")
    endpoints = {key: _required_url(document, key)
                 for key in ("authorization_endpoint", "token_endpoint", "jwks_uri")}

    missing = []
    if "id_token" not in (document.get("response_types_supported") or []):
        missing.append("response type id_token")
    if "RS256" not in (document.get("id_token_signing_alg_values_supported") or []):
        missing.append("id_token signing algorithm RS256")
    lti_configuration = document.get(PLATFORM_CONFIGURATION)
    if not isinstance(lti_configuration, dict):
        missing.append(f"the {PLATFORM_CONFIGURATION} object")
        lti_configuration = {}
    elif "messages_supported" in lti_configuration and "LtiResourceLinkRequest" not in _names(
            lti_configuration["messages_supported"]):
        missing.append("LtiResourceLinkRequest messages")
    if missing:
        raise RegistrationRefused("platform_unsupported",
                                  "the platform does not announce " + ", ".join(missing))
    family = lti_configuration.get("product_family_code")
    return PlatformConfiguration(
        issuer=issuer,
        authorization_endpoint=endpoints["authorization_endpoint"],
        token_endpoint=endpoints["token_endpoint"],
        jwks_uri=endpoints["jwks_uri"],
        registration_endpoint=registration_endpoint,
        product_family_code=family if isinstance(family, str) else None,
    )


def post_registration(platform: PlatformConfiguration, registration_token: str,
                      metadata: Mapping[str, Any],
                      timeout: float = DEFAULT_TIMEOUT_SECONDS) -> RegisteredClient:
    """POST the client metadata with the registration token; return what the platform assigned."""
    try:
        with requests.post(platform.registration_endpoint, json=dict(metadata),
                           headers={"Accept": "application/json",
                                    "Authorization": f"Bearer {registration_token}"},
                           timeout=timeout, allow_redirects=False, stream=True) as response:
            body = _read_limited(response)
    except requests.RequestException as exc:
        raise RegistrationRefused(
            "registration_unreachable",
            f"{platform.registration_endpoint} could not be reached ({type(exc).__name__})"
        ) from exc
    if not 200 <= response.status_code < 300:
        raise RegistrationRefused(
            "registration_refused",
            f"the platform refused the registration with HTTP {response.status_code}",
            _platform_message(body))
    document = _decode_json_object(body, "the registration response",
                                   "registration_response_invalid")
    return registered_client(document)


def _identifier(value: Any) -> str | None:
    # Moodle sends the deployment id as a string; a number is accepted as the same id.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def registered_client(document: Mapping[str, Any]) -> RegisteredClient:
    """The ``client_id`` and the tool configuration's ``deployment_id`` of a registration answer."""
    client_id = _identifier(document.get("client_id"))
    tool_configuration = document.get(TOOL_CONFIGURATION)
    deployment_id = (_identifier(tool_configuration.get("deployment_id"))
                     if isinstance(tool_configuration, dict) else None)
    missing = [name for name, value in (("client_id", client_id),
                                        (f"{TOOL_CONFIGURATION} deployment_id", deployment_id))
               if value is None]
    if missing:
        raise RegistrationRefused("registration_response_invalid",
                                  "the registration response has no " + " and no ".join(missing))
    return RegisteredClient(client_id=client_id, deployment_id=deployment_id)


def platform_name(platform: PlatformConfiguration) -> str:
    host = urlsplit(platform.issuer).netloc
    family = platform.product_family_code
    return f"{family.capitalize()} {host}" if family else host


def register_with_platform(session: Session, *, configuration_url: str | None,
                           registration_token: str | None, tool: ToolConfiguration,
                           timeout: float = DEFAULT_TIMEOUT_SECONDS,
                           allow_private_addresses: bool = False) -> RegistrationResult:
    """Run a Dynamic Registration from the platform's two query parameters to the stored platform.

    Raises ``RegistrationRefused`` before anything is written when any step fails. Platforms on
    loopback or private addresses are refused unless ``allow_private_addresses`` (tests, demos).
    """
    missing = [name for name, value in (("openid_configuration", configuration_url),
                                        ("registration_token", registration_token))
               if not (value and value.strip())]
    if missing:
        raise RegistrationRefused("missing_parameters",
                                  "the registration request has no " + " and no ".join(missing))
    _check_http_url(configuration_url.strip(), "the configuration address", "bad_configuration_url")
    if not allow_private_addresses:
        _check_public_address(configuration_url.strip())
    platform = fetch_platform_configuration(configuration_url.strip(), timeout)
    client = post_registration(platform, registration_token.strip(), client_metadata(tool),
                               timeout)
    stored = _store(session, platform, client)
    log.info(json.dumps({"event": "lti.registration.completed", "issuer": platform.issuer,
                         "client_id": client.client_id, "deployment_id": client.deployment_id},
                        ensure_ascii=False))
    return RegistrationResult(platform=platform, client=client, platform_id=stored.id)


def _store(session: Session, platform: PlatformConfiguration, client: RegisteredClient) -> Platform:
    try:
        return add_platform(session, name=platform_name(platform), issuer=platform.issuer,
                            client_id=client.client_id,
                            auth_login_url=platform.authorization_endpoint,
                            auth_token_url=platform.token_endpoint,
                            key_set_url=platform.jwks_uri,
                            deployment_ids=[client.deployment_id])
    except RegistrationError as exc:
        session.rollback()
        raise RegistrationRefused("not_stored", str(exc)) from exc


def log_refusal(refused: RegistrationRefused, configuration_url: str | None) -> None:
    """One structured log line per refused registration (never the registration token)."""
    record = {"event": "lti.registration.refused", "reason": refused.reason,
              "detail": refused.detail, "status": refused.status,
              "configuration_host": urlsplit(configuration_url or "").netloc or None}
    if refused.platform_message:
        record["platform_message"] = refused.platform_message
    log.warning(json.dumps(record, ensure_ascii=False))
