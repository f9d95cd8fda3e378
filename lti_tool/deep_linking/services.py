"""Deep Linking: what a teacher can place in her course and the signed LtiDeepLinkingResponse.

The settings come from pylti1p3's saved launch data (restored with ``from_cache``); the response
is built with pylti1p3's ``DeepLink`` and ``DeepLinkResource`` on the registration of
``DatabaseToolConf`` (the tool's active key and kid), then auto-posted to the platform.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException
from pylti1p3.lineitem import LineItem
from pylti1p3.registration import Registration
from sqlalchemy.orm import Session

from lti_tool.i18n import gettext as _
from lti_tool.lti.adapter import DatabaseToolConf, ToolMessageLaunch, make_services
from lti_tool.store import Store
from programme.model import Programme
from programme.targets import LaunchTarget, launch_targets

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
SETTINGS_CLAIM = DL + "deep_linking_settings"
RESOURCE_LINK = "ltiResourceLink"
ASSESSMENT_SCORE_MAXIMUM = 20
ASSESSMENT_TAG = "assessment"
# Presentation targets the tool works in, by preference (an iframe keeps the course around it).
SUPPORTED_TARGETS = ("iframe", "window")


class DeepLinkingUnavailable(Exception):
    """The deep linking request cannot be answered: ``reason`` says why, for the page."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class DeepLinkingSettings:
    """The platform's ``deep_linking_settings`` claim, read once and checked."""

    return_url: str
    accept_types: tuple[str, ...]
    accept_presentation_document_targets: tuple[str, ...]
    accept_multiple: bool
    has_data: bool
    data: Any
    raw: dict[str, Any]

    @property
    def presentation(self) -> str | None:
        """``iframe`` when the platform accepts it, else ``window``, else None."""
        for target in SUPPORTED_TARGETS:
            if target in self.accept_presentation_document_targets:
                return target
        return None


@dataclass(frozen=True)
class PlaceableItem:
    """Something the teacher can place in her course: a launch target with its title."""

    target: LaunchTarget
    title: str
    text: str

    @property
    def name(self) -> str:
        return self.target.name

    @property
    def kind(self) -> str:
        return self.target.kind

    @property
    def graded(self) -> bool:
        return self.target.kind == "assessment"


def _flag(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return default


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def read_settings(claims: dict[str, Any]) -> DeepLinkingSettings:
    """The deep linking settings of a launch; ``DeepLinkingUnavailable`` when the tool cannot
    answer them (no return URL, no resource links accepted, no iframe or window)."""
    raw = claims.get(SETTINGS_CLAIM)
    if not isinstance(raw, dict) or not isinstance(raw.get("deep_link_return_url"), str):
        raise DeepLinkingUnavailable("no_settings", "deep_linking_settings is missing")
    settings = DeepLinkingSettings(
        return_url=raw["deep_link_return_url"],
        accept_types=_strings(raw.get("accept_types")),
        accept_presentation_document_targets=_strings(
            raw.get("accept_presentation_document_targets")),
        accept_multiple=_flag(raw.get("accept_multiple"), True),
        has_data="data" in raw,
        data=raw.get("data"),
        raw=raw,
    )
    if RESOURCE_LINK not in settings.accept_types:
        raise DeepLinkingUnavailable("no_resource_link",
                                     "accept_types: " + ", ".join(settings.accept_types))
    if settings.presentation is None:
        raise DeepLinkingUnavailable(
            "no_presentation",
            "accept_presentation_document_targets: "
            + ", ".join(settings.accept_presentation_document_targets))
    return settings


def saved_launch_claims(session: Session, store: Store, lifetime: int,
                        pylti_launch_id: str) -> dict[str, Any]:
    """The claims of the launch pylti1p3 saved in the shared store (restored with
    ``from_cache``); ``DeepLinkingUnavailable`` once they expired."""
    request, storage, session_service, cookies = make_services(store, lifetime)
    try:
        launch = ToolMessageLaunch.from_cache(
            pylti_launch_id, request, DatabaseToolConf(session), session_service=session_service,
            cookie_service=cookies, launch_data_storage=storage)
    except LtiException as exc:
        raise DeepLinkingUnavailable("launch_expired", str(exc)) from exc
    return dict(launch.get_launch_data())


def registration_for(session: Session, issuer: str, client_id: str) -> Registration:
    """The tool's registration with a platform: its private key and kid sign the response."""
    registration = DatabaseToolConf(session).find_registration_by_params(issuer, client_id)
    if registration is None:
        raise DeepLinkingUnavailable("no_registration", f"{issuer} / {client_id}")
    return registration


def _item_title(target: LaunchTarget) -> str:
    if target.kind == "pillar":
        return _("Portfolio: %(title)s", title=target.title)
    if target.kind in ("seminar", "case-study"):
        return _("Journal: %(title)s", title=target.title)
    if target.kind == "assessment":
        return _("Assessment: %(title)s", title=target.title)
    return target.title


def _item_text(target: LaunchTarget) -> str:
    texts = {
        "portfolio": _("The reflective portfolio of the certificate: every pillar, seminar and "
                       "the case study."),
        "pillar": _("The portfolio page of this pillar."),
        "seminar": _("The reflective journal of this change-leadership seminar."),
        "case-study": _("The journal of the case study."),
        "assessment": _("Assessment marked out of 20; the grade goes to the course gradebook."),
    }
    return texts[target.kind]


def placeable_items(programme: Programme) -> list[PlaceableItem]:
    """Everything a teacher can place, in course order (from the programme's launch targets)."""
    return [PlaceableItem(target, _item_title(target), _item_text(target))
            for target in launch_targets(programme)]


def choose_items(items: Sequence[PlaceableItem], names: Sequence[str],
                 settings: DeepLinkingSettings) -> list[PlaceableItem]:
    """The items the teacher ticked, checked against what the platform accepts."""
    by_name = {item.name: item for item in items}
    chosen = []
    for name in names:
        if name not in by_name:
            raise DeepLinkingUnavailable("unknown_item", f"unknown item {name!r}")
        if by_name[name] not in chosen:
            chosen.append(by_name[name])
    if not chosen:
        raise DeepLinkingUnavailable("nothing_chosen")
    if len(chosen) > 1 and not settings.accept_multiple:
        raise DeepLinkingUnavailable("one_only")
    return chosen


class ToolDeepLinkResource(DeepLinkResource):
    """pylti1p3's resource link with a description and its presentation (iframe or window)."""

    def __init__(self, text: str | None = None, presentation: str = "iframe"):
        self._text = text
        self._presentation = presentation

    def to_dict(self) -> dict[str, object]:
        item = super().to_dict()
        if self._text:
            item["text"] = self._text
        if self._presentation == "window":
            item["window"] = {"targetName": "_blank"}
        else:
            item["iframe"] = {}
        return item


class ToolDeepLink(DeepLink):
    """pylti1p3's response with ``aud`` the platform's issuer and ``data`` echoed only when the
    request carried it (verbatim, whatever its type)."""

    def __init__(self, registration, deployment_id: str, settings: DeepLinkingSettings):
        super().__init__(registration, deployment_id, settings.raw)  # type: ignore[arg-type]
        self._settings = settings

    def get_message_jwt(self, resources):
        message = super().get_message_jwt(resources)
        message["aud"] = self._registration.get_issuer()
        if not self._settings.has_data:
            message.pop(DL + "data", None)
        return message


def content_item(item: PlaceableItem, base_url: str, presentation: str) -> ToolDeepLinkResource:
    """The ``ltiResourceLink`` of an item; assessments carry the line item Moodle turns into a
    gradebook column."""
    resource = ToolDeepLinkResource(text=item.text, presentation=presentation)
    resource.set_title(item.title).set_url(item.target.url(base_url))
    if item.graded:
        line_item = LineItem()
        line_item.set_label(item.title).set_score_maximum(ASSESSMENT_SCORE_MAXIMUM)
        line_item.set_resource_id(item.target.element_id or item.name).set_tag(ASSESSMENT_TAG)
        resource.set_lineitem(line_item)
    return resource


def deep_linking_response(registration: Registration, claims: dict[str, Any],
                          settings: DeepLinkingSettings, items: Sequence[PlaceableItem],
                          base_url: str) -> str:
    """The signed ``LtiDeepLinkingResponse`` JWT placing ``items``."""
    deployment_id = claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"]
    deep_link = ToolDeepLink(registration, deployment_id, settings)
    presentation = settings.presentation or "iframe"
    return deep_link.get_response_jwt([content_item(item, base_url, presentation)
                                       for item in items])
