"""Deep Linking pages: the teacher chooses what to place, the tool posts the signed response."""
from __future__ import annotations

from flask import Blueprint, current_app, g, render_template, request

from lti_tool.accounts.roles import TEACHER
from lti_tool.db import get_session
from lti_tool.deep_linking.services import (DeepLinkingSettings, DeepLinkingUnavailable,
                                            PlaceableItem, choose_items, deep_linking_response,
                                            placeable_items, read_settings, registration_for,
                                            saved_launch_claims)
from lti_tool.i18n import gettext as _
from lti_tool.lti.adapter import DEEP_LINKING_REQUEST
from lti_tool.lti.services import tool_base_url
from lti_tool.sessions import launch_required
from lti_tool.store import get_store
from programme.loader import cached_programme

bp = Blueprint("deep_linking", __name__, url_prefix="/deep-linking")

KIND_ORDER = ("portfolio", "pillar", "seminar", "case-study", "assessment")


def unavailable_message(reason: str) -> str:
    messages = {
        "not_deep_linking": _("This page answers a \"Select content\" request of the platform. "
                              "Open it from the activity settings in your course."),
        "launch_expired": _("This content selection has expired. Close this window and click "
                            "\"Select content\" again in the activity settings."),
        "no_settings": _("The platform's request has no deep linking settings."),
        "no_registration": _("The platform is no longer registered with the tool."),
        "no_resource_link": _("The platform does not accept tool links (LTI resource links) "
                              "here, so the tool has nothing it can place. Add the activity "
                              "from the activity chooser instead."),
        "no_presentation": _("The platform accepts neither an embedded frame nor a new window "
                             "for this content, the only ways the tool can open."),
    }
    return messages.get(reason, _("The content selection cannot be completed."))


def _kind_label(kind: str) -> str:
    return {
        "portfolio": _("The whole portfolio"),
        "pillar": _("The portfolio of one pillar"),
        "seminar": _("Seminar journals"),
        "case-study": _("Case study journal"),
        "assessment": _("Assessments (with a gradebook column out of 20)"),
    }[kind]


def _groups(items: list[PlaceableItem]) -> list[tuple[str, str, list[PlaceableItem]]]:
    return [(kind, _kind_label(kind), [item for item in items if item.kind == kind])
            for kind in KIND_ORDER if any(item.kind == kind for item in items)]


def _refusal(reason: str, detail: str = "", status: int = 200):
    current_app.logger.info("deep linking unavailable: %s %s", reason, detail)
    return render_template("deep_linking/unavailable.html", message=unavailable_message(reason),
                           reason=reason), status


def _request_settings() -> tuple[dict, DeepLinkingSettings]:
    if g.launch.message_type != DEEP_LINKING_REQUEST:
        raise DeepLinkingUnavailable("not_deep_linking")
    claims = saved_launch_claims(get_session(), get_store(),
                                 current_app.config["LAUNCH_SESSION_SECONDS"],
                                 g.launch.pylti_launch_id)
    return claims, read_settings(claims)


_REFUSAL_STATUS = {"not_deep_linking": 400, "launch_expired": 401, "no_settings": 400,
                   "no_registration": 400}


def _render_choice(settings: DeepLinkingSettings, items: list[PlaceableItem],
                   error: str | None = None, chosen: tuple[str, ...] = (), status: int = 200):
    return render_template("deep_linking/choose.html", groups=_groups(items),
                           multiple=settings.accept_multiple, error=error, chosen=chosen,
                           presentation=settings.presentation), status


@bp.get("/")
@launch_required(TEACHER)
def choose():
    try:
        _claims, settings = _request_settings()
    except DeepLinkingUnavailable as exc:
        return _refusal(exc.reason, exc.detail, _REFUSAL_STATUS.get(exc.reason, 200))
    return _render_choice(settings, placeable_items(cached_programme()))


@bp.post("/")
@launch_required(TEACHER)
def respond():
    try:
        claims, settings = _request_settings()
    except DeepLinkingUnavailable as exc:
        return _refusal(exc.reason, exc.detail, _REFUSAL_STATUS.get(exc.reason, 200))
    items = placeable_items(cached_programme())
    names = tuple(request.form.getlist("item"))
    try:
        chosen = choose_items(items, names, settings)
        registration = registration_for(get_session(), g.launch.issuer, g.launch.client_id)
    except DeepLinkingUnavailable as exc:
        if exc.reason in ("nothing_chosen", "one_only", "unknown_item"):
            message = (_("Choose one item only: the platform accepts a single one here.")
                       if exc.reason == "one_only" else _("Choose what to place in the course."))
            return _render_choice(settings, items, message, names, 400)
        return _refusal(exc.reason, exc.detail, _REFUSAL_STATUS.get(exc.reason, 200))
    token = deep_linking_response(registration, claims, settings, chosen, tool_base_url())
    return render_template("deep_linking/response.html", return_url=settings.return_url,
                           jwt=token, items=chosen)
