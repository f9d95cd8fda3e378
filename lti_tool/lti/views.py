"""LTI endpoints: public keyset, OIDC login initiation and the redirection URI."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from lti_tool.accounts.services import record_launch
from lti_tool.db import get_session
from lti_tool.lti import keys
from lti_tool.lti.adapter import LaunchRejected
from lti_tool.observability import record_launch_outcome
from lti_tool.lti.services import (DEEP_LINKING_TARGET, begin_login, launch_recorded,
                                   log_refusal, resolve_target, validate_launch)
from lti_tool.sessions import TOKEN_FIELD, start_launch_session
from lti_tool.targets.services import participant_page

bp = Blueprint("lti", __name__, url_prefix="/lti")


@bp.get("/jwks.json")
def jwks():
    response = jsonify(keys.public_keyset(get_session()))
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    try:
        return begin_login(request.values)
    except LaunchRejected as rejected:
        log_refusal("login", rejected, {"iss": request.values.get("iss")})
        return render_refusal(rejected)


@bp.post("/launch")
@bp.post("/launch/<path:posted_path>")
def launch(posted_path: str | None = None):
    try:
        validated = validate_launch()
    except LaunchRejected as rejected:
        log_refusal("launch", rejected)
        return render_refusal(rejected)
    record_launch_outcome("launch")
    target = resolve_target(validated.claims, posted_path)
    context = record_launch(get_session(), validated, target)
    launch_recorded.send(current_app._get_current_object(), context=context)
    token = start_launch_session(context)
    if target == DEEP_LINKING_TARGET:
        return redirect(url_for("deep_linking.choose", **{TOKEN_FIELD: token}), 303)
    # A participant goes straight to their page (one request less for every launch).
    page = participant_page(target, context.role)
    if page is not None:
        endpoint, values = page
        return redirect(url_for(endpoint, **values, **{TOKEN_FIELD: token}), 303)
    return redirect(url_for("targets.show", target=target, **{TOKEN_FIELD: token}), 303)


@bp.get("/launch")
@bp.get("/launch/<path:posted_path>")
def launch_by_get(posted_path: str | None = None):
    """A launch address opened directly: explain that it is reached from the course."""
    return render_refusal(LaunchRejected(
        "not_a_launch", "this address is opened by the platform, from a course activity", 405))


def render_refusal(rejected: LaunchRejected):
    return render_template("lti/refused.html", rejected=rejected), rejected.status
