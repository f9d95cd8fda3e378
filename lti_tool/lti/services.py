"""The few named functions the rest of the tool calls for LTI login and launch."""
from __future__ import annotations

import json
import logging
from typing import Any, Mapping

from urllib.parse import urlencode

from flask import current_app, make_response, redirect, render_template, request, url_for
from flask.signals import Namespace
from pylti1p3.exception import OIDCException

from lti_tool.db import get_session
from lti_tool.observability import record_launch_outcome
from lti_tool.lti.adapter import (LTI, LaunchRejected, ValidatedLaunch, new_message_launch,
                                  new_oidc_login)
from lti_tool.store import get_store
from programme.targets import parse_target_path

log = logging.getLogger("lti_tool.lti")

LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id",
                "client_id")
DEFAULT_TARGET = "portfolio"
DEEP_LINKING_TARGET = "deep-linking"

# Sent once a launch is recorded, with its ``context`` (a LaunchContext): the areas that act on
# a launch (the roster import after a teacher's launch) subscribe without the protocol code
# knowing them.
launch_recorded = Namespace().signal("launch-recorded")


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
    record_launch_outcome(step, rejected.reason)


COOKIE_CHECK = "lti1p3-cookie-check"
NEW_WINDOW_PARAM = "lti1p3_new_window"


def begin_login(params: Mapping[str, str]):
    """OIDC third-party initiated login: bind a state to this browser and go to the platform.

    Inside a frame the browser may refuse the tool's cookies. The answer is then a small page
    whose script checks that a cookie set alongside the state came back before going on to the
    platform; if not, it offers to start the same login in a new window, where the cookie is
    first-party. The check must happen here: Moodle accepts its login hint only once.
    """
    for required in ("iss", "login_hint"):
        if not params.get(required):
            raise LaunchRejected("login_params", f"the login request has no {required}")
    oidc = new_oidc_login(get_session(), get_store(), _lifetime(), current_app.secret_key)
    login = {k: params[k] for k in LOGIN_PARAMS if params.get(k)}
    try:
        auth_url, add_state_cookie = oidc.auth_redirect(redirect_uri())
    except OIDCException as exc:
        raise LaunchRejected("registration", str(exc)) from exc
    if params.get(NEW_WINDOW_PARAM):
        response = redirect(auth_url)
    else:
        new_window_url = url_for("lti.login") + "?" + urlencode({**login, NEW_WINDOW_PARAM: "1"})
        response = make_response(render_template(
            "lti/login_check.html", auth_url=auth_url, new_window_url=new_window_url,
            cookie_name=COOKIE_CHECK))
        response.set_cookie(COOKIE_CHECK, "1", max_age=300, path="/", secure=True,
                            samesite="None", partitioned=True)
    add_state_cookie(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def validate_launch() -> ValidatedLaunch:
    """Validate the id_token posted to the redirection URI; raise ``LaunchRejected``."""
    if not request.form.get("id_token"):
        raise LaunchRejected("jwt_format", "no id_token was posted")
    launch = new_message_launch(get_session(), get_store(), _lifetime(),
                                current_app.config["LAUNCH_LEEWAY_SECONDS"],
                                current_app.secret_key)
    launch.validate()
    return launch.validated()


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
