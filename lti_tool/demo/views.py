"""HTTP endpoints of the platform sites, mounted under `/<slug>/` (Moodle's rules: site.py)."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, g, render_template, request, url_for

from .faults import SERVICE_ENDPOINTS
from .models import (EDITING_TEACHER, MANAGER, SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY,
                     SCOPE_NRPS, SCOPE_RESULT_READONLY, SCOPE_SCORE)
from .ags import LINEITEM_MEDIA_TYPE
from .errors import PlatformError
from .site import NRPS_MEDIA_TYPE, PlatformSite

EXTENSION = "lti_demo_platform"
LINEITEM_CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
RESULT_CONTAINER_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"

site_bp = Blueprint("site", __name__, url_prefix="/<slug>")

# Flask endpoint -> the fault-injection name of that endpoint.
FAULT_NAMES = {
    "site.certs": "certs", "site.auth": "auth", "site.token": "token",
    "site.memberships": "memberships", "site.lineitems": "lineitems",
    "site.lineitem": "lineitem", "site.scores": "scores", "site.results": "results",
    "site.deep_link_return": "deeplink",
}


def sites() -> dict[str, PlatformSite]:
    """The sites hosted by the current app, by slug."""
    return current_app.extensions[EXTENSION]


def current_site() -> PlatformSite:
    return g.site


@site_bp.url_value_preprocessor
def load_site(endpoint: str | None, values: dict[str, Any] | None) -> None:
    slug = (values or {}).pop("slug", None)
    site = sites().get(slug)
    if site is None:
        abort(404)
    g.site = site


@site_bp.url_defaults
def add_slug(endpoint: str, values: dict[str, Any]) -> None:
    if "slug" not in values and "site" in g:
        values["slug"] = g.site.slug


@site_bp.before_request
def simulate_faults() -> Response | None:
    """Answer 503 for a site that is down, apply latency and any planned fault."""
    site = current_site()
    if site.down:
        return error_response(PlatformError(503, "unavailable", f"{site.name} is down"))
    name = FAULT_NAMES.get(request.endpoint or "")
    if name in SERVICE_ENDPOINTS and site.faults.latency:
        time.sleep(site.faults.latency)
    fault = site.faults.take(name) if name else None
    if fault is None:
        return None
    if fault.delay_seconds:
        time.sleep(fault.delay_seconds)
    if fault.status is None:
        return None
    if name == "scores":
        site.note_failed_score_post(request.view_args.get("course_id", ""),
                                    request.view_args.get("lineitem_id", 0), fault.status,
                                    "injected fault", request.get_data())
    body = fault.body or json.dumps({"error": "injected_fault", "status": fault.status})
    return Response(body, status=fault.status, mimetype="application/json")


@site_bp.errorhandler(PlatformError)
def platform_error(error: PlatformError) -> Response:
    return error_response(error)


def error_response(error: PlatformError, mimetype: str = "application/json") -> Response:
    body = json.dumps({"error": error.error, "error_description": error.description})
    return Response(body, status=error.status, mimetype=mimetype)


def json_response(data: Any, mimetype: str, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype=mimetype)


# ----- keys, authorization, token ------------------------------------------------------------

@site_bp.get("/certs")
def certs() -> Response:
    return json_response(current_site().jwks(), "application/json")


@site_bp.route("/auth", methods=["GET", "POST"])
def auth() -> Response | str:
    """auth.php: answer the OIDC authentication request with a form posting the id_token."""
    site = current_site()
    params = (request.form if request.method == "POST" else request.args).to_dict()
    try:
        action, fields = site.authorize(params)
    except PlatformError as error:
        fields = {"error": error.error, "error_description": error.description}
        if "state" in params:
            fields["state"] = params["state"]
        registered = params.get("redirect_uri") in site.redirect_uris
        html = render_template("demo/autopost.html", site=site, heading="Erreur LTI",
                               message=f"{error.error} : {error.description}",
                               action=params["redirect_uri"] if registered else None,
                               fields=fields)
        return Response(html, status=error.status, mimetype="text/html")
    return render_template("demo/autopost.html", site=site, heading="Connexion à l'outil",
                           message="", action=action, fields=fields)


@site_bp.post("/token")
def token() -> Response:
    """token.php answers JSON labelled text/html (PHP's default), errors included."""
    site = current_site()
    try:
        data = site.issue_token(request.form.to_dict())
    except PlatformError as error:
        return error_response(error, mimetype="text/html")
    return json_response(data, "text/html")


# ----- NRPS ----------------------------------------------------------------------------------

@site_bp.get("/services/<course_id>/memberships")
def memberships(course_id: str) -> Response:
    site = current_site()
    if NRPS_MEDIA_TYPE not in request.headers.get("Accept", ""):
        raise PlatformError(406, "not_acceptable", f"Accept must be {NRPS_MEDIA_TYPE}")
    site.check_bearer(request.headers.get("Authorization"), SCOPE_NRPS)
    offset = request.args.get("limitfrom", default=0, type=int)
    role = request.args.get("role")
    body, next_offset = site.memberships(course_id, offset=max(offset, 0), role=role)
    response = json_response(body, NRPS_MEDIA_TYPE)
    if next_offset is not None:
        query = {"limitfrom": next_offset, "limitnum": site.nrps_page_size}
        if role:
            query["role"] = role
        next_url = f"{site.memberships_url(course_id)}?{urlencode(query)}"
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


# ----- AGS -----------------------------------------------------------------------------------

def check_access(site: PlatformSite, *scopes: str) -> None:
    site.check_type_id(request.args.get("type_id"))
    site.check_bearer(request.headers.get("Authorization"), *scopes)


def json_body() -> Any:
    content_type = (request.content_type or "").split(";")[0].strip()
    if content_type not in (LINEITEM_MEDIA_TYPE, "application/json"):
        raise PlatformError(415, "unsupported_media_type",
                            f"Content-Type must be {LINEITEM_MEDIA_TYPE}")
    try:
        return json.loads(request.get_data())
    except ValueError as error:
        raise PlatformError(400, "invalid_request", "the body is not JSON") from error


@site_bp.route("/services/<course_id>/lineitems", methods=["GET", "POST"])
def lineitems(course_id: str) -> Response:
    site = current_site()
    if request.method == "POST":
        check_access(site, SCOPE_LINEITEM)
        created = site.create_lineitem(course_id, json_body())
        return json_response(created, LINEITEM_MEDIA_TYPE, status=201)
    check_access(site, SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY)
    items = site.list_lineitems(course_id, resource_link_id=request.args.get("resource_link_id"),
                                resource_id=request.args.get("resource_id"),
                                tag=request.args.get("tag"))
    return json_response(items, LINEITEM_CONTAINER_TYPE)


@site_bp.route("/services/<course_id>/lineitems/<int:lineitem_id>/lineitem",
               methods=["GET", "PUT", "DELETE", "POST"])
def lineitem(course_id: str, lineitem_id: int) -> Response:
    site = current_site()
    # `.../lineitem?type_id=1/scores` (scores appended after the query) fails here with 400.
    site.check_type_id(request.args.get("type_id"))
    if request.method == "POST":
        raise PlatformError(405, "method_not_allowed", "POST scores to .../lineitem/scores")
    if request.method == "GET":
        check_access(site, SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY)
        return json_response(site.get_lineitem(course_id, lineitem_id), LINEITEM_MEDIA_TYPE)
    check_access(site, SCOPE_LINEITEM)
    if request.method == "PUT":
        updated = site.update_lineitem(course_id, lineitem_id, json_body())
        return json_response(updated, LINEITEM_MEDIA_TYPE)
    site.delete_lineitem(course_id, lineitem_id)
    return Response(status=204)


@site_bp.post("/services/<course_id>/lineitems/<int:lineitem_id>/lineitem/scores")
def scores(course_id: str, lineitem_id: int) -> Response:
    site = current_site()
    site.post_score(course_id, lineitem_id, request.content_type, request.get_data(),
                    access_check=lambda: check_access(site, SCOPE_SCORE))
    return Response(b"", status=200)


@site_bp.get("/services/<course_id>/lineitems/<int:lineitem_id>/lineitem/results")
def results(course_id: str, lineitem_id: int) -> Response:
    site = current_site()
    check_access(site, SCOPE_RESULT_READONLY)
    data = site.results(course_id, lineitem_id, user_id=request.args.get("user_id"))
    return json_response(data, RESULT_CONTAINER_TYPE)


# ----- Deep Linking return and launch return -------------------------------------------------

@site_bp.post("/deeplink/return")
def deep_link_return() -> Response | str:
    site = current_site()
    try:
        record = site.receive_deep_linking_response(request.args.get("session"),
                                                    request.form.get("JWT"))
    except PlatformError as error:
        html = render_template("demo/message.html", site=site, heading="Contenu refusé",
                               message=error.description, course_id=None)
        return Response(html, status=error.status, mimetype="text/html")
    activities = [site.activities[aid] for aid in record["activities"]]
    return render_template("demo/deep_link_result.html", site=site, record=record,
                           activities=activities)


@site_bp.get("/launch/return")
def launch_return() -> str:
    site = current_site()
    message = request.args.get("lti_errormsg") or request.args.get("lti_msg") or "Retour au cours."
    return render_template("demo/message.html", site=site, heading="Retour de l'outil",
                           message=message, course_id=request.args.get("course"))


# ----- demo pages: course, login initiation, gradebook -----------------------------------------

@site_bp.get("/launch/initiate")
def initiate_login() -> str:
    """The page inside the course's iframe that auto-POSTs the login initiation to the tool."""
    site = current_site()
    user_id = request.args.get("user", "")
    if user_id not in site.users:
        abort(404)
    deep_linking = request.args.get("deep_linking") == "1"
    params = site.login_params(user_id, request.args.get("activity"), deep_linking=deep_linking,
                               course_id=request.args.get("course"))
    return render_template("demo/autopost.html", site=site, heading="Lancement de l'outil",
                           message="", action=site.tool_login_url, fields=params)


@site_bp.get("/course/<course_id>")
def course_page(course_id: str) -> str:
    """A Moodle-like course page; with `activity` (or `select=1`) it frames the tool."""
    site = current_site()
    course = site.courses.get(course_id)
    user = site.users.get(request.args.get("user", ""))
    if course is None or user is None:
        abort(404)
    activity = site.activities.get(request.args.get("activity", ""))
    frame_src = None
    if activity is not None:
        frame_src = url_for(".initiate_login", user=user.user_id, activity=activity.activity_id)
    elif request.args.get("select") == "1":
        frame_src = url_for(".initiate_login", user=user.user_id, course=course_id,
                            deep_linking="1")
    activities = [a for a in site.activities.values() if a.course_id == course_id]
    can_select = user.site_admin or course.members.get(user.user_id) in (EDITING_TEACHER, MANAGER)
    return render_template("demo/course.html", site=site, course=course, user=user,
                           activity=activity, activities=activities, frame_src=frame_src,
                           can_select=can_select)


@site_bp.get("/gradebook")
def gradebook() -> str:
    site = current_site()
    return render_template("demo/gradebook.html", site=site, gradebook=site.gradebook())
