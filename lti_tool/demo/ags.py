"""Moodle's Assignment and Grade Services rules, as pure functions over line items and scores."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from .errors import PlatformError, invalid_request, is_number
from .models import LineItem, ScoreRecord

SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
GRADING_PROGRESS = ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady")
ACTIVITY_PROGRESS = ("Initialized", "Started", "InProgress", "Submitted", "Completed")
REQUIRED_SCORE_FIELDS = ("userId", "timestamp", "gradingProgress", "activityProgress")


def parse_timestamp(value: Any) -> datetime:
    """An ISO 8601 timestamp (a missing offset is read as UTC)."""
    if not isinstance(value, str):
        raise ValueError("timestamp must be an ISO 8601 string")
    parsed = datetime.fromisoformat(value.strip())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def valid_lineitem_fields(body: Any) -> tuple[str, float]:
    """Label and scoreMaximum of a line item POST/PUT: both required, the maximum numeric."""
    if not isinstance(body, dict):
        raise invalid_request("the line item must be a JSON object")
    label, maximum = body.get("label"), body.get("scoreMaximum")
    if not isinstance(label, str) or not label.strip():
        raise invalid_request("label is required")
    if not is_number(maximum):
        raise invalid_request("scoreMaximum must be a number")
    return label, float(maximum)


def lineitem_json(item: LineItem, url: str) -> dict[str, Any]:
    """A line item as the service shows it."""
    data: dict[str, Any] = {"id": url, "label": item.label, "scoreMaximum": item.score_maximum,
                            "resourceId": item.resource_id, "tag": item.tag}
    if item.resource_link_id is not None:
        data["resourceLinkId"] = item.resource_link_id
    if item.start_date_time:
        data["startDateTime"] = item.start_date_time
    if item.end_date_time:
        data["endDateTime"] = item.end_date_time
    return data


def parse_score(content_type: str | None, raw_body: bytes) -> dict[str, Any]:
    """The score JSON of a POST, with its media type and required fields checked."""
    if (content_type or "").split(";")[0].strip() != SCORE_MEDIA_TYPE:
        raise PlatformError(415, "unsupported_media_type",
                            f"Content-Type must be {SCORE_MEDIA_TYPE}")
    try:
        score = json.loads(raw_body)
    except ValueError as error:
        raise invalid_request("the body is not JSON") from error
    if not isinstance(score, dict):
        raise invalid_request("the score must be a JSON object")
    missing = [name for name in REQUIRED_SCORE_FIELDS if name not in score]
    if missing:
        raise invalid_request(f"missing {', '.join(missing)}")
    if score["gradingProgress"] not in GRADING_PROGRESS:
        raise invalid_request("invalid gradingProgress")
    if score["activityProgress"] not in ACTIVITY_PROGRESS:
        raise invalid_request("invalid activityProgress")
    return score


def score_record(score: dict[str, Any], item: LineItem) -> ScoreRecord:
    """The grade Moodle stores: rescaled to the item's maximum, cleared unless FullyGraded."""
    try:
        stamp = parse_timestamp(score["timestamp"])
    except ValueError as error:
        raise invalid_request(f"invalid timestamp: {error}") from error
    given = rescaled_score(score, item.score_maximum)
    comment = score.get("comment")
    return ScoreRecord(
        score_given=given if score["gradingProgress"] == "FullyGraded" else None,
        score_maximum=item.score_maximum, comment=comment if isinstance(comment, str) else None,
        timestamp=score["timestamp"], timestamp_seconds=int(stamp.timestamp()),
        grading_progress=score["gradingProgress"], activity_progress=score["activityProgress"])


def rescaled_score(score: dict[str, Any], item_maximum: float) -> float | None:
    """scoreGiven/scoreMaximum expressed on the item's maximum (None without scoreGiven)."""
    if score.get("scoreGiven") is None:
        return None
    given, maximum = score.get("scoreGiven"), score.get("scoreMaximum")
    if not is_number(given) or given < 0:
        raise invalid_request("scoreGiven must be a number >= 0")
    if not is_number(maximum) or maximum <= 0:
        raise invalid_request("scoreMaximum must be a positive number when scoreGiven is set")
    return round(given * item_maximum / maximum, 5)


def check_newer(stored: ScoreRecord | None, incoming: ScoreRecord) -> None:
    """409 when the stored grade is as new as or newer than the score (one-second precision)."""
    if stored is not None and stored.timestamp_seconds >= incoming.timestamp_seconds:
        raise PlatformError(409, "conflict",
                            "the stored grade is as new as or newer than this score")


def result_json(user_id: str, stored: ScoreRecord, item: LineItem, url: str) -> dict[str, Any]:
    """One result; `resultScore` is omitted for a 0 (or cleared) grade, like Moodle."""
    base, _, query = url.partition("?")
    result: dict[str, Any] = {"id": f"{base}/results?{query}&user_id={user_id}", "scoreOf": url,
                              "userId": user_id, "resultMaximum": item.score_maximum,
                              "timestamp": stored.timestamp}
    if stored.score_given:
        result["resultScore"] = stored.score_given
    if stored.comment:
        result["comment"] = stored.comment
    return result
