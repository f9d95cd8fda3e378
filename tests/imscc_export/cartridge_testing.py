"""Helpers of the cartridge tests: where the schemas are, exporting through the CLI, zip members."""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from imscc_export.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
# The shared schemas sit beside the repository; CIMP_CC_SCHEMAS points elsewhere (another checkout).
SCHEMAS_DIR = Path(os.environ.get("CIMP_CC_SCHEMAS") or REPO_ROOT.parent / "shared" / "schemas")
TOOL_URL = "https://cimp.example.org/outil"

NS_11 = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
NS_13 = "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
BLTI = "http://www.imsglobal.org/xsd/imsbasiclti_v1p0"


@dataclass
class Cartridge:
    """An exported cartridge opened for inspection."""

    path: Path
    members: dict[str, bytes]
    namespace: str

    @property
    def manifest(self) -> etree._Element:
        return etree.fromstring(self.members["imsmanifest.xml"])

    @property
    def ns(self) -> dict[str, str]:
        return {"cp": self.namespace}

    def resources(self) -> dict[str, etree._Element]:
        return {
            r.get("identifier"): r
            for r in self.manifest.iterfind("cp:resources/cp:resource", self.ns)
        }

    def sections(self) -> list[etree._Element]:
        return self.manifest.findall("cp:organizations/cp:organization/cp:item/cp:item", self.ns)

    def resource_file(self, resource: etree._Element) -> bytes:
        return self.members[resource.find("cp:file", self.ns).get("href")]


def read_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_members(path: Path, members: dict[str, bytes]) -> Path:
    """A plain zip of ``members`` (tests build broken cartridges with it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def export_with_cli(path: Path, version: str, tool_url: str = TOOL_URL) -> Path:
    code = main(
        [
            "--tool-url",
            tool_url,
            "-o",
            str(path),
            "--cc-version",
            version,
            "--schemas",
            str(SCHEMAS_DIR),
        ]
    )
    assert code == 0
    return path
