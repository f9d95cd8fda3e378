"""The validator on broken cartridges: each defect is found, named and located."""

from __future__ import annotations

import dataclasses

import pytest
from lxml import etree

from tests.imscc_export.cartridge_testing import BLTI, NS_11, SCHEMAS_DIR, TOOL_URL, write_members
from imscc_export import CartridgeInvalid, export_cartridge
from imscc_export.cartridge import build_cartridge
from imscc_export.cli import main
from imscc_export.outline import LtiLink, Page, build_outline
from imscc_export.rubric_tables import rubric_table_html
from imscc_export.validate import unsafe_name_reason, validate_cartridge
from imscc_export.versions import CC_1_1

NS = {"cp": NS_11}
PAGE = "pages/pillar-1/objective-2.html"
LTI_FILE = "lti/portfolio-pillar-1.xml"


@pytest.fixture
def members(cartridge_11) -> dict[str, bytes]:
    return dict(cartridge_11.members)


def _edit_manifest(members: dict[str, bytes], edit) -> None:
    root = etree.fromstring(members["imsmanifest.xml"])
    edit(root)
    members["imsmanifest.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _edit_xml(members: dict[str, bytes], name: str, edit) -> None:
    root = etree.fromstring(members[name])
    edit(root)
    members[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _problems(tmp_path, members) -> list[str]:
    return [
        str(problem)
        for problem in validate_cartridge(write_members(tmp_path / "c.imscc", members), SCHEMAS_DIR)
    ]


def _having(problems: list[str], *fragments: str) -> list[str]:
    return [p for p in problems if all(fragment in p for fragment in fragments)]


def test_a_dangling_identifierref_is_reported_as_a_future_label(tmp_path, members):
    _edit_manifest(
        members,
        lambda root: root.find(".//cp:item[@identifier='I_P1_O2']", NS).set(
            "identifierref", "R_NOWHERE"
        ),
    )
    problems = _problems(tmp_path, members)
    assert _having(problems, "imsmanifest.xml:", "'R_NOWHERE' names no resource", "label")


def test_a_missing_file_is_reported(tmp_path, members):
    del members[PAGE]
    problems = _problems(tmp_path, members)
    assert _having(problems, f"href '{PAGE}' names no file")


def test_a_manifest_in_another_namespace_is_refused(tmp_path, members):
    members["imsmanifest.xml"] = members["imsmanifest.xml"].replace(
        b"imsccv1p1/imscp_v1p1", b"imsccv1p2/imscp_v1p1"
    )
    problems = _problems(tmp_path, members)
    assert _having(problems, "imsmanifest.xml", "is not a CC manifest")


def test_a_prefixed_namespace_moodle_would_not_detect_is_reported(tmp_path, members):
    root = etree.fromstring(members["imsmanifest.xml"])
    prefixed = etree.Element(
        f"{{{NS_11}}}manifest", nsmap={"cp": NS_11, "lomimscc": root.nsmap["lomimscc"]}
    )
    prefixed.attrib.update(root.attrib)
    prefixed.extend(list(root))
    members["imsmanifest.xml"] = etree.tostring(prefixed, xml_declaration=True, encoding="UTF-8")
    assert b'xmlns="' not in members["imsmanifest.xml"][:1024]
    problems = _problems(tmp_path, members)
    assert problems == _having(problems, "default namespace")
    assert len(problems) == 1


def test_a_namespace_declared_after_the_first_1024_bytes_is_reported(tmp_path, members):
    manifest = members["imsmanifest.xml"]
    declaration_end = manifest.index(b"?>") + 2
    padding = b"\n<!-- " + b"x" * 1100 + b" -->"
    members["imsmanifest.xml"] = manifest[:declaration_end] + padding + manifest[declaration_end:]
    assert _having(_problems(tmp_path, members), "not declared within the first 1024 bytes")


def test_an_lti_link_without_launch_url_is_reported(tmp_path, members):
    def drop_launch_url(root):
        root.remove(root.find(f"{{{BLTI}}}launch_url"))

    _edit_xml(members, LTI_FILE, drop_launch_url)
    assert _having(_problems(tmp_path, members), LTI_FILE, "R_P1_PORTFOLIO has no launch_url")


def test_an_lti_link_with_a_non_web_launch_url_is_reported(tmp_path, members):
    _edit_xml(
        members,
        LTI_FILE,
        lambda root: setattr(root.find(f"{{{BLTI}}}launch_url"), "text", "javascript:alert(1)"),
    )
    assert _having(_problems(tmp_path, members), LTI_FILE, "is not an http(s) address")


def test_an_lti_link_invalid_against_its_schema_is_reported(tmp_path, members):
    _edit_xml(members, LTI_FILE, lambda root: root.remove(root.find(f"{{{BLTI}}}vendor")))
    assert _having(_problems(tmp_path, members), LTI_FILE, "imslticc_v1p0p1.xsd")


def test_a_resource_file_with_the_wrong_root_element_is_reported(tmp_path, members):
    members[LTI_FILE] = members["discussions/intervision-pillar-1.xml"]
    assert _having(
        _problems(tmp_path, members), LTI_FILE, "root element is", "cartridge_basiclti_link"
    )


@pytest.mark.parametrize(
    "unsafe", ["../evil.html", "/etc/evil.html", "pages\\evil.html", "C:/evil.html"]
)
def test_an_unsafe_file_name_is_reported(tmp_path, members, unsafe):
    members[unsafe] = b"<!DOCTYPE html><html lang='fr'></html>"
    _edit_manifest(
        members,
        lambda root: root.find(".//cp:resource[@identifier='R_P1_O2']/cp:file", NS).set(
            "href", unsafe
        ),
    )
    problems = _problems(tmp_path, members)
    assert _having(problems, repr(unsafe), "unsafe file name")
    assert _having(problems, f"unsafe href {unsafe!r}")


def test_a_member_name_with_a_control_character_is_reported(tmp_path, members):
    # XML cannot even carry such a name: only the archive can.
    members["pages/ev\x01il.html"] = b"<!DOCTYPE html>"
    assert _having(_problems(tmp_path, members), "'pages/ev\\x01il.html'", "control character")


def test_duplicate_identifiers_are_reported(tmp_path, members):
    _edit_manifest(
        members,
        lambda root: root.find(".//cp:resource[@identifier='R_P1_O3']", NS).set(
            "identifier", "R_P1_O2"
        ),
    )
    problems = _problems(tmp_path, members)
    assert _having(problems, "identifier 'R_P1_O2' is used 2 times")


def test_an_item_without_resource_below_section_level_is_reported(tmp_path, members):
    _edit_manifest(
        members,
        lambda root: root.find(".//cp:item[@identifier='I_P1_O2']", NS).attrib.pop("identifierref"),
    )
    assert _having(_problems(tmp_path, members), "points to no resource", "label")


def test_a_resource_type_moodle_does_not_import_is_reported(tmp_path, members):
    _edit_manifest(
        members,
        lambda root: root.find(".//cp:resource[@identifier='R_P1_PORTFOLIO']", NS).set(
            "type", "imsbasiclti_xmlv1p3"
        ),
    )
    problems = _problems(tmp_path, members)
    assert _having(problems, "R_P1_PORTFOLIO", "is not a CC 1.1 type")
    assert _having(problems, "is not imported", "label")


def test_a_missing_manifest_is_reported(tmp_path, members):
    del members["imsmanifest.xml"]
    assert _problems(tmp_path, members) == ["imsmanifest.xml: missing at the root of the archive"]


def test_a_file_that_is_not_a_zip_is_reported(tmp_path):
    broken = tmp_path / "broken.imscc"
    broken.write_bytes(b"this is not a zip archive")
    problems = validate_cartridge(broken, SCHEMAS_DIR)
    assert len(problems) == 1 and "not a readable zip archive" in problems[0].message


def test_every_problem_is_listed_not_only_the_first(tmp_path, members):
    del members[PAGE]
    _edit_xml(members, LTI_FILE, lambda root: root.remove(root.find(f"{{{BLTI}}}launch_url")))
    _edit_manifest(
        members,
        lambda root: root.find(".//cp:resource[@identifier='R_P1_O3']", NS).set(
            "identifier", "R_P1_O2"
        ),
    )
    problems = _problems(tmp_path, members)
    assert _having(problems, "names no file")
    assert _having(problems, "has no launch_url")
    assert _having(problems, "is used 2 times")


def test_validate_command_exit_codes(tmp_path, capsys, cartridge_11, members):
    assert main(["validate", str(cartridge_11.path), "--schemas", str(SCHEMAS_DIR)]) == 0
    del members[PAGE]
    broken = write_members(tmp_path / "broken.imscc", members)
    capsys.readouterr()
    assert main(["validate", str(broken), "--schemas", str(SCHEMAS_DIR)]) == 1
    output = capsys.readouterr()
    assert PAGE in output.out and "problem" in output.err
    assert main(["validate", str(tmp_path / "absent.imscc"), "--schemas", str(SCHEMAS_DIR)]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert main(["validate"]) == 2


def test_safe_names_are_accepted():
    assert unsafe_name_reason("pages/pillar-1/objective-2.html") is None
    assert unsafe_name_reason("https://example.org/page.html") is not None
    assert unsafe_name_reason("pages/../../x.html") is not None


def _outline(programme):
    return build_outline(programme, TOOL_URL, rubric_table_html)


def _replace_first(outline, kind, **changes):
    sections = list(outline.sections)
    for index, section in enumerate(sections):
        for position, entry in enumerate(section.entries):
            if isinstance(entry, kind):
                entries = list(section.entries)
                entries[position] = dataclasses.replace(entry, **changes)
                sections[index] = dataclasses.replace(section, entries=tuple(entries))
                return dataclasses.replace(outline, sections=tuple(sections))
    raise AssertionError(f"no {kind.__name__} in the outline")


@pytest.mark.parametrize(
    ("kind", "changes", "expected"),
    [
        (LtiLink, {"url": "tool.example.org/lti/launch/portfolio"}, "is not an http(s) address"),
        (Page, {"path": "../outside.html"}, "unsafe file name"),
    ],
)
def test_an_invalid_cartridge_is_refused_before_anything_is_written(
    programme, kind, changes, expected
):
    outline = _replace_first(_outline(programme), kind, **changes)
    with pytest.raises(CartridgeInvalid) as refused:
        build_cartridge(outline, CC_1_1, SCHEMAS_DIR)
    assert any(expected in str(problem) for problem in refused.value.problems)
    assert expected in str(refused.value)


def test_the_library_call_returns_a_valid_archive(tmp_path, programme):
    data = export_cartridge("http://localhost:5000/", "1.3", programme, SCHEMAS_DIR)
    path = tmp_path / "c.imscc"
    path.write_bytes(data)
    assert validate_cartridge(path, SCHEMAS_DIR) == []
