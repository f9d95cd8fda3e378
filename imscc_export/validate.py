"""Checking a Common Cartridge the way Moodle's importer and the IMS schemas would, and more.

``validate_cartridge(path)`` lists every problem found (an empty list means valid):

- the archive opens and its members read back; member names are safe (relative, no ``..``, no
  backslash, no control character, no duplicate);
- ``imsmanifest.xml`` is at the root, parses, declares its CC namespace as the default namespace
  within the first 1024 bytes (how Moodle recognises a 1.1 cartridge), and is valid against Moodle's
  gate schema (1.1) and the IMS manifest schema;
- identifiers are unique; every ``identifierref`` names a resource; every ``href`` names a member;
- each resource file (discussion, web link, LTI link, QTI) is valid against its own schema, and LTI
  links carry a usable ``launch_url``;
- nothing would silently become a label in Moodle: an item whose resource is missing or of a type
  Moodle does not import, or an item below section level that points to no resource.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

from lxml import etree

from imscc_export import versions
from imscc_export.schemas import load_schema, resolve_schemas_dir, safe_xml_parser
from imscc_export.versions import CartridgeVersion

MANIFEST_NAME = "imsmanifest.xml"
NAMESPACE_WINDOW = 1024
# Second-level items become sections; deeper items become activities (or labels).
SECTION_LEVEL = 2
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_XML_KINDS = (
    versions.DISCUSSION,
    versions.WEBLINK,
    versions.LTI_LINK,
    versions.QTI_ASSESSMENT,
    versions.QTI_QUESTION_BANK,
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a cartridge: where it is and what is wrong."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


def validate_cartridge(
    path: str | os.PathLike[str], schemas_dir: str | os.PathLike[str] | None = None
) -> list[Problem]:
    """Every problem of the cartridge file at ``path`` (empty when it is valid).

    Raises ``OSError`` when the file cannot be read at all, and ``SchemasNotFound`` when the
    schemas are missing.
    """
    data = Path(path).read_bytes()
    return validate_cartridge_bytes(data, schemas_dir, archive_name=str(path))


def validate_cartridge_bytes(
    data: bytes,
    schemas_dir: str | os.PathLike[str] | None = None,
    archive_name: str = "cartridge",
) -> list[Problem]:
    """Every problem of a cartridge given as the bytes of its zip archive."""
    directory = resolve_schemas_dir(schemas_dir)
    members, problems = _read_archive(data, archive_name)
    if members is None:
        return problems
    return problems + _check_members(members, directory)


def _read_archive(data: bytes, archive_name: str) -> tuple[dict[str, bytes] | None, list[Problem]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as error:
        return None, [Problem(archive_name, f"not a readable zip archive ({error})")]
    problems: list[Problem] = []
    names = [info.filename for info in archive.infolist()]
    for name, count in sorted(Counter(names).items()):
        if count > 1:
            problems.append(Problem(name, f"appears {count} times in the archive"))
    members: dict[str, bytes] = {}
    with archive:
        for info in archive.infolist():
            unsafe = unsafe_name_reason(info.filename)
            if unsafe:
                problems.append(Problem(repr(info.filename), f"unsafe file name: {unsafe}"))
                continue
            if info.is_dir():
                continue
            try:
                members[info.filename] = archive.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as error:
                problems.append(
                    Problem(info.filename, f"cannot be read from the archive ({error})")
                )
    return members, problems


def unsafe_name_reason(name: str) -> str | None:
    """Why ``name`` is not a safe relative path inside a cartridge, or None when it is safe."""
    if not name:
        return "empty name"
    if _CONTROL_CHARS.search(name):
        return "contains a control character"
    if "\\" in name:
        return "contains a backslash"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "absolute path"
    if ".." in PurePosixPath(name).parts:
        return "contains '..'"
    if urlparse(name).scheme:
        return "is an address, not a file of the cartridge"
    return None


def _schema_problems(
    schema: etree.XMLSchema, tree, location: str, schema_name: str
) -> list[Problem]:
    if schema.validate(tree):
        return []
    return [
        Problem(f"{location}:{error.line}", f"not valid against {schema_name}: {error.message}")
        for error in schema.error_log
    ]


def _parse(data: bytes, location: str) -> tuple[etree._ElementTree | None, list[Problem]]:
    try:
        return etree.parse(io.BytesIO(data), safe_xml_parser()), []
    except etree.XMLSyntaxError as error:
        return None, [Problem(location, f"not well-formed XML ({error})")]


def _declares_default_namespace(head: bytes, namespace: str) -> bool:
    # Same normalisation as Moodle's detection: lower case, no blanks, no quotes.
    text = head.decode("utf-8", errors="replace").lower()
    text = re.sub(r"\s+", "", text).replace('"', "").replace("'", "")
    return f"xmlns={namespace.lower()}" in text


def _check_members(members: dict[str, bytes], schemas_dir: Path) -> list[Problem]:
    manifest_bytes = members.get(MANIFEST_NAME)
    if manifest_bytes is None:
        return [Problem(MANIFEST_NAME, "missing at the root of the archive")]
    tree, problems = _parse(manifest_bytes, MANIFEST_NAME)
    if tree is None:
        return problems
    root = tree.getroot()
    version = versions.version_for_namespace(etree.QName(root).namespace)
    if version is None or etree.QName(root).localname != "manifest":
        known = ", ".join(v.manifest_ns for v in versions.VERSIONS.values())
        return [
            Problem(
                MANIFEST_NAME, f"root element {root.tag} is not a CC manifest (namespaces: {known})"
            )
        ]
    if not _declares_default_namespace(manifest_bytes[:NAMESPACE_WINDOW], version.manifest_ns):
        problems.append(
            Problem(
                MANIFEST_NAME,
                f'the default namespace xmlns="{version.manifest_ns}" is not declared within the '
                f"first {NAMESPACE_WINDOW} bytes: Moodle would not recognise the cartridge",
            )
        )
    for schema_name in version.manifest_schemas:
        problems += _schema_problems(
            load_schema(schemas_dir, schema_name), tree, MANIFEST_NAME, schema_name
        )
    return problems + _ManifestChecker(root, version, members, schemas_dir).problems()


class _ManifestChecker:
    """Cross-reference checks of one parsed manifest against the archive members."""

    def __init__(
        self, root, version: CartridgeVersion, members: dict[str, bytes], schemas_dir: Path
    ) -> None:
        self.root = root
        self.version = version
        self.members = members
        self.schemas_dir = schemas_dir
        self.ns = {"cp": version.manifest_ns}
        self.found: list[Problem] = []

    def problems(self) -> list[Problem]:
        self._check_unique_identifiers()
        elements = self.root.findall("cp:resources/cp:resource", self.ns)
        resources = {resource.get("identifier"): resource for resource in reversed(elements)}
        # Every element is checked, duplicates included; look-ups find the first of a duplicate.
        for resource in elements:
            self._check_resource(resource, resources)
        self._check_organization(resources)
        return self.found

    def _add(self, element, message: str) -> None:
        self.found.append(Problem(f"{MANIFEST_NAME}:{element.sourceline}", message))

    def _check_unique_identifiers(self) -> None:
        counts = Counter(
            el.get("identifier") for el in self.root.iter() if el.get("identifier") is not None
        )
        for identifier, count in sorted(counts.items()):
            if count > 1:
                self.found.append(
                    Problem(MANIFEST_NAME, f"identifier {identifier!r} is used {count} times")
                )

    def _check_href(self, element, href: str | None) -> str | None:
        # Resolved from the archive root, as Moodle does (it ignores xml:base).
        if not href:
            self._add(element, "href is empty")
            return None
        unsafe = unsafe_name_reason(href)
        if unsafe:
            self._add(element, f"unsafe href {href!r}: {unsafe}")
            return None
        if href not in self.members:
            self._add(element, f"href {href!r} names no file of the archive")
            return None
        return href

    def _check_resource(self, resource, resources: dict) -> None:
        identifier = resource.get("identifier")
        kind = self.version.kind_of(resource.get("type", ""))
        if kind is None:
            self._add(
                resource,
                f"resource {identifier}: type {resource.get('type')!r} "
                f"is not a CC {self.version.label} type",
            )
        files = resource.findall("cp:file", self.ns)
        paths = [self._check_href(file, file.get("href")) for file in files]
        if resource.get("href") is not None:
            self._check_href(resource, resource.get("href"))
        for dependency in resource.iterfind("cp:dependency", self.ns):
            if dependency.get("identifierref") not in resources:
                self._add(
                    dependency,
                    f"resource {identifier}: dependency "
                    f"{dependency.get('identifierref')!r} names no resource",
                )
        if kind == versions.WEBCONTENT and not files and resource.get("href") is None:
            self._add(resource, f"resource {identifier}: web content without href nor file")
        if kind in _XML_KINDS:
            if not files:
                self._add(resource, f"resource {identifier}: no file holds its XML description")
            elif paths[0] is not None:
                self._check_resource_file(identifier, kind, paths[0])

    def _check_resource_file(self, identifier: str, kind: str, path: str) -> None:
        profile = self.version.resource_files[kind]
        tree, problems = _parse(self.members[path], path)
        self.found.extend(problems)
        if tree is None:
            return
        root = tree.getroot()
        expected = etree.QName(profile.root_namespace, profile.root_name)
        if etree.QName(root) != expected:
            self.found.append(
                Problem(
                    path, f"resource {identifier}: root element is {root.tag}, expected {expected}"
                )
            )
            return
        schema = load_schema(self.schemas_dir, profile.schema)
        self.found.extend(_schema_problems(schema, tree, path, profile.schema))
        if kind == versions.LTI_LINK:
            self._check_lti_urls(identifier, path, root)

    def _check_lti_urls(self, identifier: str, path: str, root) -> None:
        ns = {"blti": versions.BLTI_NS}
        launch = (root.findtext("blti:launch_url", namespaces=ns) or "").strip()
        if not launch:
            self.found.append(
                Problem(
                    path, f"LTI link {identifier} has no launch_url (Moodle keeps only launch_url)"
                )
            )
        elif not _is_web_address(launch):
            self.found.append(
                Problem(
                    path, f"LTI link {identifier}: launch_url {launch!r} is not an http(s) address"
                )
            )
        secure = root.findtext("blti:secure_launch_url", namespaces=ns)
        if secure is not None and urlparse(secure.strip()).scheme != "https":
            self.found.append(
                Problem(path, f"LTI link {identifier}: secure_launch_url {secure!r} is not https")
            )

    def _check_organization(self, resources: dict) -> None:
        organization = self.root.find("cp:organizations/cp:organization", self.ns)
        if organization is None:
            self.found.append(Problem(MANIFEST_NAME, "no organization: the course would be empty"))
            return
        for top in organization.iterfind("cp:item", self.ns):
            self._check_items(top, level=1, resources=resources)

    def _label_warning(self) -> str:
        # Only a 1.1 cartridge reaches Moodle's importer; for 1.3 the reference is simply broken.
        return (
            " (Moodle would silently turn it into a label)"
            if self.version.moodle_importable
            else ""
        )

    def _check_items(self, item, level: int, resources: dict) -> None:
        identifierref = item.get("identifierref")
        title = item.findtext("cp:title", namespaces=self.ns) or item.get("identifier")
        children = item.findall("cp:item", self.ns)
        if identifierref is not None:
            resource = resources.get(identifierref)
            if resource is None:
                self._add(
                    item,
                    f"item {title!r}: identifierref {identifierref!r} names no resource"
                    + self._label_warning(),
                )
            elif self.version.kind_of(resource.get("type", "")) is None:
                self._add(
                    item,
                    f"item {title!r}: resource type {resource.get('type')!r} is not imported"
                    + self._label_warning(),
                )
        elif level > SECTION_LEVEL:
            what = "folder" if children else "item"
            self._add(item, f"{what} {title!r} points to no resource" + self._label_warning())
        for child in children:
            self._check_items(child, level + 1, resources)


def _is_web_address(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)
