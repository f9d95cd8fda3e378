"""LTI endpoints: public keyset, OIDC login initiation and the redirection URI."""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import (Blueprint, Response, current_app, g, jsonify, redirect, render_template,
                   request)
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from lti_tool.accounts.services import record_launch
from lti_tool.db import get_session
from lti_tool.limits import count_refusal
from lti_tool.lti import keys
from lti_tool.lti.adapter import LaunchRejected
from lti_tool.observability import record_launch_outcome
from lti_tool.lti.services import (DEEP_LINKING_TARGET, begin_login, launch_recorded,
                                   log_refusal, resolve_target, validate_launch)
from lti_tool.sessions import TOKEN_FIELD, launch_url, start_launch_session
from lti_tool.targets.services import participant_page

bp = Blueprint("lti", __name__, url_prefix="/lti")
# Landing pages that lead on to another page, followed inside the launch request.
MAX_PAGE_HOPS = 3


@bp.get("/jwks.json")
def jwks():
    response = jsonify(keys.public_keyset(get_session()))
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    try:
        return begin_login(request.values.to_dict())
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
        return count_refusal() or render_refusal(rejected)
    record_launch_outcome("launch")
    target = resolve_target(validated.claims, posted_path)
    context = record_launch(get_session(), validated, target)
    launch_recorded.send(current_app._get_current_object(), context=context)
    start_launch_session(context)
    if target == DEEP_LINKING_TARGET:
        return answer_with_page("deep_linking.choose", {})
    # A participant goes straight to their own page; others to the target's landing page.
    page = participant_page(target, context.role)
    return answer_with_page(*(page or ("targets.show", {"target": target})))


@bp.get("/launch")
@bp.get("/launch/<path:posted_path>")
def launch_by_get(posted_path: str | None = None):
    """A launch address opened directly: explain that it is reached from the course."""
    return render_refusal(LaunchRejected(
        "not_a_launch", "this address is opened by the platform, from a course activity", 405))


def answer_with_page(endpoint: str, values: dict[str, Any]) -> Response:
    """Answer the launch with its first page, as if the browser had been sent to its address:
    a launch costs one request less. ``Content-Location`` names that address, and the page's
    script puts it in the address bar: reloading opens the page, not the launch again."""
    address = launch_url(endpoint, **values)
    response = None
    # A landing page may lead on (an assessment, to the juror's list): followed here too.
    for _hop in range(MAX_PAGE_HOPS):
        route = _route_of_page(address)
        if route is None:
            break  # the browser follows it
        request.url_rule, request.view_args = route
        g.page_address = address
        response = current_app.make_response(current_app.dispatch_request())
        if response.status_code == 200:
            response.headers["Content-Location"] = address
        if response.status_code not in (302, 303):
            return response
        address = response.headers["Location"]
    return redirect(address, 303) if response is None else response


def _route_of_page(address: str) -> tuple[Rule, dict[str, Any]] | None:
    """The rule and values that serve a GET of ``address``, when it is a page of the tool that
    needs nothing of its request but the launch token. Remembered per path: a launch asks for
    one of a few landing pages."""
    parts = urlsplit(address)
    if parts.scheme or parts.netloc or set(parse_qs(parts.query)) != {TOKEN_FIELD}:
        return None
    routes = current_app.extensions.setdefault("cimp_page_routes", {})
    key = (request.script_root, parts.path)
    if key not in routes:
        if len(routes) >= 1024:  # paths with ids in them: keep the memory bounded
            routes.clear()
        try:
            routes[key] = current_app.create_url_adapter(request).match(
                parts.path.removeprefix(request.script_root), "GET", return_rule=True)
        except HTTPException:
            routes[key] = None
    route = routes[key]
    return None if route is None else (route[0], dict(route[1]))


def render_refusal(rejected: LaunchRejected):
    return render_template("lti/refused.html", rejected=rejected), rejected.status
