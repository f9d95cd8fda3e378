"""Writing a course outline as an IMS Common Cartridge (1.1 for Moodle, or 1.3), reproducibly.

The archive is built in memory, checked with ``validate`` and only then handed back: an invalid
cartridge is never written.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

from lxml import etree
from lxml.builder import ElementMaker

from imscc_export import identifiers, versions
from imscc_export.outline import CourseOutline, Discussion, Entry, LtiLink, Page, Section
from imscc_export.validate import MANIFEST_NAME, validate_cartridge_bytes
from imscc_export.versions import CartridgeVersion

LANGUAGE = "fr"
VENDOR_CODE = "cimp"
VENDOR_NAME = "CIMP · Certificat inter-universités en management public"
CSMD_PROVIDER = "cimp"
_FILE_MODE = 0o644
_COMPRESSION = zipfile.ZIP_DEFLATED
_COMPRESS_LEVEL = 9


class CartridgeInvalid(Exception):
    """The cartridge that was built does not pass validation; nothing was written."""

    def __init__(self, problems) -> None:
        self.problems = list(problems)
        listing = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"the cartridge is invalid ({len(self.problems)} problems):\n{listing}")


_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def _serialize(root: etree._Element) -> bytes:
    return _XML_DECLARATION + etree.tostring(root, encoding="UTF-8", pretty_print=True)


def _resource_type(version: CartridgeVersion, entry: Entry) -> str:
    if isinstance(entry, Page):
        return version.resource_types[versions.WEBCONTENT]
    if isinstance(entry, LtiLink):
        return version.resource_types[versions.LTI_LINK]
    return version.resource_types[versions.DISCUSSION]


def _manifest_metadata(cp: ElementMaker, version: CartridgeVersion, outline: CourseOutline):
    lom = ElementMaker(namespace=version.lom_manifest_ns)
    return cp.metadata(
        cp.schema("IMS Common Cartridge"),
        cp.schemaversion(version.schema_version),
        lom.lom(
            lom.general(
                lom.title(lom.string(outline.title, language=LANGUAGE)),
                lom.language(LANGUAGE),
                lom.description(lom.string(outline.description, language=LANGUAGE)),
            )
        ),
    )


def _section_item(cp: ElementMaker, section: Section):
    children = [
        cp.item(
            cp.title(entry.title),
            identifier=identifiers.item_id(entry.key),
            identifierref=identifiers.resource_id(entry.key),
        )
        for entry in section.entries
    ]
    return cp.item(cp.title(section.title), *children, identifier=identifiers.item_id(section.key))


def _alignment_metadata(cp: ElementMaker, page: Page):
    csmd = ElementMaker(namespace=versions.CSMD_NS)
    guids = [csmd.labelledGUID(csmd.label(a.label), csmd.GUID(a.guid)) for a in page.alignments]
    return cp.metadata(
        csmd.curriculumStandardsMetadataSet(
            csmd.curriculumStandardsMetadata(csmd.setOfGUIDs(*guids), providerId=CSMD_PROVIDER),
            resourceLabel=page.title,
        )
    )


def _resource(cp: ElementMaker, version: CartridgeVersion, entry: Entry):
    children = []
    attributes = {
        "identifier": identifiers.resource_id(entry.key),
        "type": _resource_type(version, entry),
    }
    if isinstance(entry, Page):
        attributes["href"] = entry.path
        if entry.alignments and version.curriculum_metadata:
            children.append(_alignment_metadata(cp, entry))
    children.append(cp.file(href=entry.path))
    return cp.resource(*children, **attributes)


def manifest_xml(outline: CourseOutline, version: CartridgeVersion) -> bytes:
    """The ``imsmanifest.xml`` of ``outline``; the default namespace is declared first."""
    nsmap = {None: version.manifest_ns, "lomimscc": version.lom_manifest_ns}
    if version.curriculum_metadata:
        nsmap["csmd"] = versions.CSMD_NS
    cp = ElementMaker(namespace=version.manifest_ns, nsmap=nsmap)
    organization = cp.organization(
        cp.item(*(_section_item(cp, section) for section in outline.sections), identifier="I_ROOT"),
        identifier="O_CIMP",
        structure="rooted-hierarchy",
    )
    root = cp.manifest(
        _manifest_metadata(cp, version, outline),
        cp.organizations(organization),
        cp.resources(*(_resource(cp, version, entry) for entry in outline.entries())),
        identifier="M_CIMP",
    )
    return _serialize(root)


def lti_link_xml(link: LtiLink, version: CartridgeVersion) -> bytes:
    """The ``cartridge_basiclti_link`` file of an LTI link."""
    root_ns = version.resource_files[versions.LTI_LINK].root_namespace
    nsmap = {
        None: root_ns,
        "blti": versions.BLTI_NS,
        "lticm": versions.LTICM_NS,
        "lticp": versions.LTICP_NS,
    }
    cc = ElementMaker(namespace=root_ns, nsmap=nsmap)
    blti = ElementMaker(namespace=versions.BLTI_NS)
    lticp = ElementMaker(namespace=versions.LTICP_NS)
    # Moodle keeps launch_url only; other platforms prefer secure_launch_url: give both, except
    # for a local http tool, where a "secure" address would be a lie.
    urls = [blti.launch_url(link.url)]
    if link.url.startswith("https://"):
        urls.append(blti.secure_launch_url(link.url))
    root = cc.cartridge_basiclti_link(
        blti.title(link.title),
        blti.description(link.description),
        *urls,
        blti.vendor(lticp.code(VENDOR_CODE), lticp.name(VENDOR_NAME)),
    )
    return _serialize(root)


def discussion_xml(topic: Discussion, version: CartridgeVersion) -> bytes:
    """The ``topic`` file of a discussion."""
    dt = ElementMaker(
        namespace=version.resource_files[versions.DISCUSSION].root_namespace,
        nsmap={None: version.resource_files[versions.DISCUSSION].root_namespace},
    )
    root = dt.topic(dt.title(topic.title), dt.text(topic.text_html, texttype="text/html"))
    return _serialize(root)


def _entry_file(entry: Entry, version: CartridgeVersion) -> bytes:
    if isinstance(entry, Page):
        return entry.html.encode("utf-8")
    if isinstance(entry, LtiLink):
        return lti_link_xml(entry, version)
    return discussion_xml(entry, version)


def cartridge_members(outline: CourseOutline, version: CartridgeVersion) -> dict[str, bytes]:
    """Every file of the cartridge, by path inside the archive."""
    members = {MANIFEST_NAME: manifest_xml(outline, version)}
    for entry in outline.entries():
        members[entry.path] = _entry_file(entry, version)
    return members


def zip_members(members: Mapping[str, bytes]) -> bytes:
    """A reproducible zip: manifest first then sorted paths, fixed dates, modes and compression."""
    timestamp = identifiers.build_datetime().timetuple()[:6]
    ordered = sorted(members, key=lambda name: (name != MANIFEST_NAME, name))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=timestamp)
            info.compress_type = _COMPRESSION
            info.create_system = 3
            info.external_attr = (0o100000 | _FILE_MODE) << 16
            archive.writestr(info, members[name], compresslevel=_COMPRESS_LEVEL)
    return buffer.getvalue()


def build_cartridge(outline: CourseOutline, version: CartridgeVersion, schemas_dir: Path) -> bytes:
    """The validated cartridge archive of ``outline``; raises ``CartridgeInvalid`` otherwise."""
    data = zip_members(cartridge_members(outline, version))
    problems = validate_cartridge_bytes(data, schemas_dir)
    if problems:
        raise CartridgeInvalid(problems)
    return data
