"""The configuration page for LMS administrators and the Dynamic Registration endpoint."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from lti_tool.db import get_session
from lti_tool.i18n import gettext as _
from lti_tool.lti.services import tool_base_url
from lti_tool.security import content_security_policy, origin_of, platform_origins
from lti_tool.registration.services import (CLIENT_NAME, DEFAULT_TIMEOUT_SECONDS,
                                            RegistrationRefused, ToolConfiguration, log_refusal,
                                            platform_add_command, register_with_platform)

bp = Blueprint("registration", __name__, url_prefix="/lti")
# The tool's own address, opened in a browser: the page that says how to add the tool.
home_bp = Blueprint("home", __name__)


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == \
        "application/json"


@bp.get("/config")
def configuration():
    """What a Moodle administrator enters to add the tool, by hand or by Dynamic Registration."""
    tool = ToolConfiguration(tool_base_url())
    if _wants_json():
        return jsonify(tool.as_dict())
    return render_template("registration/config.html", tool=tool, tool_name=CLIENT_NAME,
                           command=platform_add_command())


@home_bp.get("/")
def home():
    return redirect(url_for("registration.configuration"))


@bp.get("/register")
def register():
    """LTI Dynamic Registration, opened by the platform with ``openid_configuration`` and
    ``registration_token``: registers the tool and tells the platform's page it is done."""
    configuration_url = request.args.get("openid_configuration")
    try:
        result = register_with_platform(
            get_session(),
            configuration_url=configuration_url,
            registration_token=request.args.get("registration_token"),
            tool=ToolConfiguration(tool_base_url()),
            timeout=current_app.config.get("REGISTRATION_TIMEOUT_SECONDS",
                                           DEFAULT_TIMEOUT_SECONDS),
            allow_private_addresses=current_app.config["REGISTRATION_ALLOW_PRIVATE_ADDRESSES"],
        )
    except RegistrationRefused as refused:
        log_refusal(refused, configuration_url)
        page = render_template("registration/refused.html", refused=refused,
                               explanation=refusal_explanation(refused.reason))
        return page, refused.status, _framable_by(configuration_url)
    return render_template("registration/done.html", result=result), _framable_by(configuration_url)


def _framable_by(configuration_url: str | None) -> dict[str, str]:
    """Moodle shows the registration page in a frame while the platform is not registered yet:
    the platform named by the configuration address may frame it (these pages act on nothing)."""
    origin = origin_of(configuration_url or "")
    origins = platform_origins.get()
    if origin and origin not in origins:
        origins = origins + (origin,)
    return {"Content-Security-Policy": content_security_policy(origins)}


def refusal_explanation(reason: str) -> str:
    """A sentence for the administrator, in their language, for each refusal reason."""
    explanations = {
        "missing_parameters": _(
            "This address is opened by the platform during a Dynamic Registration: it needs the "
            "openid_configuration and registration_token parameters. Start the registration again "
            "from the platform."),
        "bad_configuration_url": _(
            "The platform's configuration address is not a web address."),
        "configuration_address_not_public": _(
            "The platform's configuration address is on a private or local network. The tool "
            "registers only platforms on public addresses."),
        "configuration_unreachable": _(
            "The tool could not read the platform's configuration. Check that the platform is "
            "reachable from the tool's server, then start again."),
        "configuration_not_json": _(
            "The platform's configuration address did not answer with a configuration."),
        "response_too_large": _(
            "The platform answered with far more data than a configuration holds."),
        "configuration_incomplete": _(
            "The platform's configuration lacks an address the tool needs."),
        "issuer_host_mismatch": _(
            "The platform's configuration names an issuer on another host than the configuration "
            "address. For safety the tool does not register with it."),
        "registration_endpoint_host_mismatch": _(
            "The platform's configuration sends the registration to another host than the "
            "configuration address. For safety the tool does not register with it."),
        "platform_unsupported": _(
            "The platform does not support what the tool needs (LTI 1.3 launches with RS256-signed "
            "id_tokens)."),
        "registration_unreachable": _(
            "The tool could not reach the platform's registration address."),
        "registration_refused": _(
            "The platform refused the registration. A registration token can be used only once "
            "and for one hour: start again from the platform."),
        "registration_response_invalid": _(
            "The platform's answer to the registration lacks the client id or the deployment id."),
        "not_stored": _(
            "The registration returned by the platform could not be recorded."),
    }
    return explanations.get(reason, _("The registration could not be completed."))
