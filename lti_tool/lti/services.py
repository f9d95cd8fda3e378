"""The few named functions the rest of the tool calls for LTI login and launch."""
from __future__ import annotations

import json
import logging
from typing import Any, Mapping

from flask import current_app, request
from pylti1p3.exception import OIDCException

from lti_tool.db import get_session
from lti_tool.lti.adapter import (LTI, LaunchRejected, ValidatedLaunch, make_services,
                                  new_message_launch, new_oidc_login)
from lti_tool.store import get_store
from programme.targets import parse_target_path

log = logging.getLogger("lti_tool.lti")

LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id",
                "client_id")
DEFAULT_TARGET = "portfolio"
DEEP_LINKING_TARGET = "deep-linking"


def tool_base_url() -> str:
    """The tool's public address: ``LTI_TOOL_BASE_URL``, else the request's own root."""
    return current_app.config.get("BASE_URL") or request.url_root.rstrip("/")


def redirect_uri() -> str:
    return tool_base_url() + "/lti/launch"


def _lifetime() -> int:
    return current_app.config["LAUNCH_SESSION_SECONDS"]


def log_refusal(step: str, rejected: LaunchRejected, extra: Mapping[str, Any] | None = None) -> None:
    """One structured log line per refusal, with a stable reason code and no token content."""
    record = {"event": f"lti.{step}.refused", "reason": rejected.reason,
              "detail": rejected.detail, "status": rejected.status}
    record.update(extra or {})
    log.warning(json.dumps(record, ensure_ascii=False))


def begin_login(params: Mapping[str, str]):
    """OIDC third-party initiated login: bind a state to this browser and go to the platform."""
    for required in ("iss", "login_hint"):
        if not params.get(required):
            raise LaunchRejected("login_params", f"the login request has no {required}")
    oidc = new_oidc_login(get_session(), get_store(), _lifetime())
    # Kept with the state so that a browser that refused the cookie can start again in a window.
    oidc.pass_params_to_launch({"login": {k: params[k] for k in LOGIN_PARAMS if params.get(k)}})
    try:
        return oidc.redirect(redirect_uri())
    except OIDCException as exc:
        raise LaunchRejected("registration", str(exc)) from exc


def validate_launch() -> ValidatedLaunch:
    """Validate the id_token posted to the redirection URI; raise ``LaunchRejected``."""
    if not request.form.get("id_token"):
        raise LaunchRejected("jwt_format", "no id_token was posted")
    launch = new_message_launch(get_session(), get_store(), _lifetime(),
                                current_app.config["LAUNCH_LEEWAY_SECONDS"])
    launch.validate()
    return launch.validated()


def login_params_for_state(state: str | None) -> dict[str, str] | None:
    """The login parameters kept with a state (to offer opening the tool in a new window)."""
    if not state:
        return None
    _request, _storage, session_service, _cookies = make_services(get_store(), _lifetime())
    params = session_service.get_state_params(state)
    return params.get("login") if isinstance(params, dict) else None


def resolve_target(claims: Mapping[str, Any], posted_path: str | None = None) -> str:
    """The part of the tool a launch opens: custom ``target``, else target_link_uri, else path."""
    if claims.get(LTI + "message_type") == "LtiDeepLinkingRequest":
        return DEEP_LINKING_TARGET
    custom = claims.get(LTI + "custom")
    candidates = []
    if isinstance(custom, dict) and isinstance(custom.get("target"), str):
        candidates.append("/lti/launch?target=" + custom["target"])
    candidates.append(claims.get(LTI + "target_link_uri"))
    if posted_path:
        candidates.append("/lti/launch/" + posted_path)
    for candidate in candidates:
        if isinstance(candidate, str):
            target = parse_target_path(candidate)
            if target is not None:
                return target.name
    return DEFAULT_TARGET
