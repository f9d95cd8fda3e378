"""Stable identifiers derived from programme ids, so that two exports of the same programme match.

Manifest identifiers are XML IDs (NCNames): ``P1.O2`` becomes ``I_P1_O2`` for the organization item
and ``R_P1_O2`` for the resource. Curriculum GUIDs (CASE export, CC 1.3 alignment metadata) are
UUID version 5 of the programme id in one fixed namespace, identical in both exports.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import datetime, timezone

# Fixed namespace of the CIMP curriculum identifiers: never change it, or every GUID changes.
CIMP_NAMESPACE = uuid.uuid5(
    uuid.NAMESPACE_URL, "urn:cimp:certificat-inter-universites-management-public"
)

# Fixed date written into archives and documents unless SOURCE_DATE_EPOCH says otherwise
# (the reproducible-builds convention): the start of the 2024-2025 edition.
_DEFAULT_BUILD_DATE = datetime(2024, 9, 1, tzinfo=timezone.utc)
# Zip timestamps cannot predate 1980.
_ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=timezone.utc)


def key_for(programme_id: str) -> str:
    """``P1.O2`` -> ``P1_O2``; ``collective-report`` -> ``COLLECTIVE_REPORT``."""
    return re.sub(r"[^A-Za-z0-9]+", "_", programme_id).strip("_").upper()


def item_id(key: str) -> str:
    """Identifier of an organization item."""
    return f"I_{key}"


def resource_id(key: str) -> str:
    """Identifier of a resource."""
    return f"R_{key}"


def curriculum_guid(programme_id: str) -> str:
    """Deterministic UUID of a programme element (framework, pillar, objective or outcome)."""
    return str(uuid.uuid5(CIMP_NAMESPACE, programme_id))


def build_datetime() -> datetime:
    """The fixed date of every export (``SOURCE_DATE_EPOCH`` when set, else 2024-09-01 UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return max(datetime.fromtimestamp(int(epoch), tz=timezone.utc), _ZIP_EPOCH)
    return _DEFAULT_BUILD_DATE
