"""The cartridge export in one call: programme + tool address -> validated cartridge bytes."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

from programme import Programme, load_programme

from imscc_export import versions
from imscc_export.cartridge import build_cartridge
from imscc_export.outline import build_outline
from imscc_export.rubric_tables import rubric_table_html
from imscc_export.schemas import resolve_schemas_dir

DEFAULT_VERSION = versions.CC_1_1.label
# Plain http is accepted only for a tool on this machine (tests, local trials).
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})


class ToolUrlError(ValueError):
    """The tool address given for the launch links is not usable."""


def normalise_tool_url(url: str) -> str:
    """Check the tool's base address and return it without trailing slash.

    It must be an absolute https address (``https://HOST[:PORT][/PATH]``), without query, fragment
    or credentials; ``http`` is allowed for localhost and 127.0.0.1 only.
    """
    raw = (url or "").strip()
    if not raw or any(ch.isspace() or ord(ch) < 32 for ch in raw):
        raise ToolUrlError(f"tool URL {url!r} is empty or contains blanks")
    parts = urlsplit(raw)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ToolUrlError(
            f"tool URL {url!r} must be an absolute address such as https://tool.example.org"
        )
    try:
        parts.port
    except ValueError as error:
        raise ToolUrlError(f"tool URL {url!r} has an invalid port ({error})") from None
    host = (parts.hostname or "").lower()
    if not host:
        raise ToolUrlError(f"tool URL {url!r} has no host name")
    if parts.scheme == "http" and host not in _LOCAL_HOSTS:
        raise ToolUrlError(
            f"tool URL {url!r} must use https (http only for localhost or 127.0.0.1)"
        )
    if parts.username is not None or parts.password is not None:
        raise ToolUrlError(f"tool URL {url!r} must not contain credentials")
    if parts.query or parts.fragment or raw.endswith(("?", "#")):
        raise ToolUrlError(f"tool URL {url!r} must not have a query string or fragment")
    if _is_unspecified_address(host):
        raise ToolUrlError(f"tool URL {url!r} does not name a reachable host")
    return raw.rstrip("/")


def _is_unspecified_address(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def export_cartridge(
    tool_url: str,
    version: str = DEFAULT_VERSION,
    programme: Programme | None = None,
    schemas_dir: str | Path | None = None,
) -> bytes:
    """Build the course cartridge and return the bytes of its zip archive.

    ``version`` is ``"1.1"`` (Moodle) or ``"1.3"``; ``programme`` defaults to
    ``config/programme.yaml``. The archive is validated first: ``CartridgeInvalid`` lists the
    problems otherwise. Bad input raises ``ToolUrlError``, ``ProgrammeError``, ``RubricError`` or
    ``SchemasNotFound``.
    """
    if version not in versions.VERSIONS:
        raise ValueError(f"unknown Common Cartridge version {version!r} (expected 1.1 or 1.3)")
    base_url = normalise_tool_url(tool_url)
    directory = resolve_schemas_dir(schemas_dir)
    prog = programme if programme is not None else load_programme()
    outline = build_outline(prog, base_url, lambda assessment: rubric_table_html(assessment, prog))
    return build_cartridge(outline, versions.VERSIONS[version], directory)
