"""Moodle's checks of a Deep Linking response and the activities its content items become."""

from __future__ import annotations

from typing import Any

from .errors import invalid_request, is_number
from .models import DL_CLAIM, LTI_CLAIM, DemoActivity, DemoLineItem

LTI_VERSION = "1.3.0"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"


def checked_content_items(claims: dict[str, Any], settings: dict[str, Any], *, client_id: str,
                          deployment_id: str, used_nonces: set[str]) -> list[dict[str, Any]]:
    """The content items of a verified response JWT, once its claims match the request."""
    if claims.get("iss") != client_id:
        raise invalid_request("iss must be the client_id")
    if not claims.get("nonce"):
        raise invalid_request("nonce missing")
    if claims["nonce"] in used_nonces:
        raise invalid_request("nonce already used")
    if claims.get(LTI_CLAIM + "deployment_id") != deployment_id:
        raise invalid_request("wrong or missing deployment_id")
    if claims.get(LTI_CLAIM + "message_type") != DEEP_LINKING_RESPONSE:
        raise invalid_request("message_type must be LtiDeepLinkingResponse")
    if claims.get(LTI_CLAIM + "version") != LTI_VERSION:
        raise invalid_request("version must be 1.3.0")
    expected_data = settings.get("data")
    if expected_data is not None and claims.get(DL_CLAIM + "data") != expected_data:
        raise invalid_request("data is not echoed verbatim")
    items = claims.get(DL_CLAIM + "content_items", [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise invalid_request("content_items must be a list of objects")
    if len(items) > 1 and not settings.get("accept_multiple", True):
        raise invalid_request("several content items while accept_multiple is false")
    for item in items:
        if item.get("type") not in settings.get("accept_types", []):
            raise invalid_request(f"content item type {item.get('type')!r} not accepted")
        line_item = item.get("lineItem")
        if line_item is not None and (not isinstance(line_item, dict)
                                      or not is_number(line_item.get("scoreMaximum"))):
            raise invalid_request("lineItem needs a numeric scoreMaximum")
    return items


def activity_from_content_item(item: dict[str, Any], activity_id: str, course_id: str,
                               default_target: str) -> DemoActivity:
    """The activity an `ltiResourceLink` item becomes: title, text, url, custom, lineItem."""
    line_item = item.get("lineItem")
    spec = None
    if line_item:
        spec = DemoLineItem(str(line_item.get("label") or item.get("title") or "Note"),
                            float(line_item["scoreMaximum"]),
                            str(line_item.get("resourceId", "") or ""),
                            str(line_item.get("tag", "") or ""))
    custom = item.get("custom") if isinstance(item.get("custom"), dict) else {}
    return DemoActivity(
        activity_id=activity_id, course_id=course_id,
        title=str(item.get("title") or "Activité LTI"),
        target=str(item.get("url") or default_target), line_item=spec,
        custom={str(key): str(value) for key, value in custom.items()},
        text=str(item.get("text") or ""))
