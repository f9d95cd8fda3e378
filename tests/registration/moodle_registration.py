"""A Moodle-like platform side of LTI Dynamic Registration, served over HTTP in tests.

It behaves as Moodle's ``mod/lti/openid-configuration.php`` and ``openid-registration.php``:
the configuration names the site's wwwroot as issuer; the registration endpoint wants the
registration token (an RS256 JWT signed by the site, ``sub`` = the client id to issue, single use)
as a bearer, validates the tool's metadata as ``registration_helper::registration_to_config`` does
(answering 400 with a bare error code such as ``domain_targetlinkuri_mismatch``), creates a pending
tool type and answers ``config_to_registration``'s JSON with the type id as deployment id.
"""
from __future__ import annotations

import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from flask import Flask, Response, redirect, request

from lti_tool.demo.jose import SigningKey

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)

MANAGE_TOOLS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Manage tools</title></head>
<body>
<h1>Manage tools</h1>
<ul id="messages"></ul>
<iframe class="registration-frame" title="Tool registration" src="START_URL"></iframe>
<script>
window.addEventListener("message", function (event) {
  var item = document.createElement("li");
  item.textContent = JSON.stringify(event.data);
  document.getElementById("messages").appendChild(item);
  if (event.data && event.data.subject === "org.imsglobal.lti.close") {
    document.querySelector("iframe.registration-frame").remove();
  }
});
</script>
</body></html>
"""


class RegistrationError(Exception):
    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class ReceivedRegistration:
    authorization: str | None
    content_type: str | None
    payload: Any


@dataclass
class PendingToolType:
    type_id: int
    client_id: str
    payload: dict[str, Any]
    state: str = "pending"


@dataclass
class MoodleRegistrationSite:
    """One site. Tests change the public attributes to make it misbehave."""

    key: SigningKey = field(default_factory=lambda: SigningKey.generate(1024))
    wwwroot: str = ""
    # Serve another issuer than the wwwroot (a configuration that names someone else).
    issuer: str | None = None
    # Replace the configuration document entirely (bytes are served as they are).
    configuration_override: Any = None
    # Answer every registration with this (status, body) instead of registering.
    answer_with: tuple[int, str] | None = None
    received: list[ReceivedRegistration] = field(default_factory=list)
    tool_types: list[PendingToolType] = field(default_factory=list)
    configuration_requests: int = 0
    _next_type_id: int = 41
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- what the administrator's browser is given -------------------------------------------
    def configuration_url(self) -> str:
        return f"{self.wwwroot}/mod/lti/openid-configuration.php"

    def registration_token(self, *, expires_in: int = 3600) -> str:
        """A registration token as Moodle's startltiadvregistration.php issues it."""
        now = int(time.time())
        claims = {"sub": secrets.token_urlsafe(10), "scope": "reg", "iat": now,
                  "exp": now + expires_in}
        return jwt.encode(claims, self.key.private_key, algorithm="RS256",
                          headers={"kid": self.key.kid})

    def registration_start_query(self, token: str | None = None) -> dict[str, str]:
        """The query string Moodle adds to the tool's registration URL."""
        return {"openid_configuration": self.configuration_url(),
                "registration_token": token or self.registration_token()}

    def registration_start_url(self, tool_registration_url: str, token: str | None = None) -> str:
        return tool_registration_url + "?" + urlencode(self.registration_start_query(token))

    # -- the web application ----------------------------------------------------------------
    def configuration(self) -> dict[str, Any]:
        root = self.wwwroot
        return {
            "issuer": self.issuer or root,
            "token_endpoint": f"{root}/mod/lti/token.php",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "jwks_uri": f"{root}/mod/lti/certs.php",
            "authorization_endpoint": f"{root}/mod/lti/auth.php",
            "registration_endpoint": f"{root}/mod/lti/openid-registration.php",
            "scopes_supported": [*SCOPES, "openid"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
            PLATFORM_CONFIGURATION: {
                "product_family_code": "moodle",
                "version": "4.5.1 (Build: 20241111)",
                "messages_supported": ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"],
                "placements": ["AddContentMenu"],
                "variables": ["basic-lti-launch-request", "Context.id", "User.id"],
            },
        }

    def wsgi_app(self) -> Flask:
        app = Flask("moodle_registration")

        @app.get("/mod/lti/startltiadvregistration.php")
        def start_registration():
            """Moodle's start page: a fresh token, then the tool's registration URL."""
            return redirect(self.registration_start_url(request.args["url"]), 302)

        @app.get("/admin/manage-tools.php")
        def manage_tools():
            """The administrator's page: the registration in a frame, and Moodle's listener that
            closes the frame when the tool posts ``org.imsglobal.lti.close``."""
            start = "/mod/lti/startltiadvregistration.php?" + urlencode(
                {"url": request.args["url"]})
            return Response(MANAGE_TOOLS_PAGE.replace("START_URL", html.escape(start)),
                            content_type="text/html; charset=utf-8")

        @app.get("/mod/lti/openid-configuration.php")
        def openid_configuration():
            self.configuration_requests += 1
            document = self.configuration_override
            if document is None:
                document = self.configuration()
            body = document if isinstance(document, bytes) else json.dumps(document).encode()
            return Response(body, content_type="application/json; charset=utf-8")

        @app.post("/mod/lti/openid-registration.php")
        def openid_registration():
            authorization = request.headers.get("Authorization")
            payload = request.get_json(silent=True)
            self.received.append(ReceivedRegistration(authorization, request.content_type,
                                                      payload))
            if not (authorization and authorization.startswith("Bearer ")):
                return Response("missing_registration_token", 401)
            if self.answer_with is not None:
                status, message = self.answer_with
                return Response(message, status)
            try:
                with self._lock:
                    client_id = self._validate_registration_token(authorization[7:].strip())
                    answer = self._register(payload, client_id)
            except RegistrationError as error:
                return Response(error.message, error.code)
            return Response(json.dumps(answer), content_type="application/json; charset=utf-8")

        return app

    # -- Moodle's registration_helper ---------------------------------------------------------
    def _validate_registration_token(self, token: str) -> str:
        try:
            claims = jwt.decode(token, self.key.private_key.public_key(), algorithms=["RS256"])
        except jwt.PyJWTError as error:
            # Moodle lets the JWT library's exception through: a generic error answer.
            raise RegistrationError(f"invalid registration token: {error}", 400) from error
        client_id = claims["sub"]
        if any(t.client_id == client_id for t in self.tool_types):
            raise RegistrationError("token_already_used", 401)
        return client_id

    @staticmethod
    def _parameter(payload: dict[str, Any], key: str, required: bool) -> Any:
        if not payload.get(key):
            if required:
                raise RegistrationError(f"missing required attribute {key}", 400)
            return None
        return payload[key]

    def _register(self, payload: Any, client_id: str) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise RegistrationError("missing required attribute response_types", 400)
        get = self._parameter
        response_types = get(payload, "response_types", True)
        initiate_login_uri = get(payload, "initiate_login_uri", True)
        redirect_uris = get(payload, "redirect_uris", True)
        client_name = get(payload, "client_name", True)
        jwks_uri = get(payload, "jwks_uri", True)
        auth_method = get(payload, "token_endpoint_auth_method", True)
        application_type = get(payload, "application_type", False)
        tool_configuration = get(payload, TOOL_CONFIGURATION, True)
        domain = get(tool_configuration, "domain", True)
        target_link_uri = get(tool_configuration, "target_link_uri", True)
        if _moodle_domain(domain) != _moodle_domain(target_link_uri):
            raise RegistrationError("domain_targetlinkuri_mismatch", 400)
        if "id_token" not in response_types:
            raise RegistrationError("invalid_response_types", 400)
        if not isinstance(redirect_uris, list):
            raise RegistrationError("invalid_redirect_uris", 400)
        if auth_method != "private_key_jwt":
            raise RegistrationError("invalid_token_endpoint_auth_method", 400)
        if application_type and application_type != "web":
            raise RegistrationError("invalid_application_type", 400)

        type_id = self._next_type_id
        self._next_type_id += 1
        self.tool_types.append(PendingToolType(type_id, client_id, payload))
        messages = [m for m in tool_configuration.get("messages", [])
                    if m.get("type") == "LtiDeepLinkingRequest"]
        return {
            "client_id": client_id,
            "response_types": ["id_token"],
            "jwks_uri": jwks_uri,
            "initiate_login_uri": initiate_login_uri,
            "grant_types": ["client_credentials", "implicit"],
            "redirect_uris": redirect_uris,
            "application_type": ["web"],
            "token_endpoint_auth_method": "private_key_jwt",
            "client_name": client_name,
            "logo_uri": "",
            "scope": payload.get("scope", ""),
            TOOL_CONFIGURATION: {
                "deployment_id": str(type_id),
                "target_link_uri": target_link_uri,
                "domain": domain,
                "description": tool_configuration.get("description", ""),
                "messages": [{"type": "LtiDeepLinkingRequest",
                              "target_link_uri": m.get("target_link_uri", "")}
                             for m in messages],
                "claims": ["sub", "iss", "name", "family_name", "middle_name", "email"],
            },
        }


def _moodle_domain(url: str) -> str:
    """``lti_get_domain_from_url``: the host with its port, without a leading ``www.``."""
    netloc = urlsplit(url if "//" in url else "//" + url).netloc.lower()
    return netloc.removeprefix("www.")
