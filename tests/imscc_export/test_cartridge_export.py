"""Exporting the cartridge through the command line: schema validity, reproducibility, errors."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest
from lxml import etree

from tests.imscc_export.cartridge_testing import REPO_ROOT, SCHEMAS_DIR, TOOL_URL, export_with_cli
from imscc_export.cli import main
from imscc_export.identifiers import build_datetime
from imscc_export.validate import validate_cartridge

# (manifest schemas, {resource type: schema of its file}) per version, straight from the shared set.
SCHEMA_SETS = {
    "1.1": (
        ["cc1p1/cc11libxml2validator.xsd", "cc1p1/ccv1p1_imscp_v1p2_v1p0.xsd"],
        {
            "imsbasiclti_xmlv1p0": "cc1p1/imslticc_v1p0p1.xsd",
            "imsdt_xmlv1p1": "cc1p1/ccv1p1_imsdt_v1p1.xsd",
        },
    ),
    "1.3": (
        ["cc1p3/ccv1p3_imscp_v1p2_v1p0.xsd"],
        {
            "imsbasiclti_xmlv1p3": "cc1p3/imslticc_v1p3.xsd",
            "imsdt_xmlv1p3": "cc1p3/ccv1p3_imsdt_v1p3.xsd",
        },
    ),
}


def _xsd(relative: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMAS_DIR / relative), parser))


def _assert_valid(schema: etree.XMLSchema, document: bytes, what: str) -> None:
    tree = etree.fromstring(document, etree.XMLParser(no_network=True)).getroottree()
    assert schema.validate(tree), f"{what}: {schema.error_log}"


@pytest.mark.parametrize("version", ["1.1", "1.3"])
def test_every_xml_file_is_valid_against_the_ims_schemas(version, cartridge_11, cartridge_13):
    cartridge = cartridge_11 if version == "1.1" else cartridge_13
    manifest_schemas, file_schemas = SCHEMA_SETS[version]
    for relative in manifest_schemas:
        _assert_valid(_xsd(relative), cartridge.members["imsmanifest.xml"], relative)
    checked = set()
    for resource in cartridge.resources().values():
        schema = file_schemas.get(resource.get("type"))
        if schema:
            _assert_valid(
                _xsd(schema), cartridge.resource_file(resource), resource.get("identifier")
            )
            checked.add(resource.get("type"))
    assert checked == set(file_schemas)


def test_the_11_manifest_is_recognised_the_way_moodle_does(cartridge_11):
    head = cartridge_11.members["imsmanifest.xml"][:1024].decode()
    assert 'xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"' in head


def test_the_validator_finds_no_problem_in_either_export(cartridge):
    assert validate_cartridge(cartridge.path, SCHEMAS_DIR) == []


@pytest.mark.parametrize("version", ["1.1", "1.3"])
def test_two_exports_are_byte_identical(tmp_path, version):
    first = export_with_cli(tmp_path / "first.imscc", version).read_bytes()
    second = export_with_cli(tmp_path / "second.imscc", version).read_bytes()
    assert first == second


def test_the_archive_has_fixed_dates_and_the_manifest_first(cartridge):
    with zipfile.ZipFile(cartridge.path) as archive:
        infos = archive.infolist()
    assert infos[0].filename == "imsmanifest.xml"
    assert [info.filename for info in infos[1:]] == sorted(info.filename for info in infos[1:])
    assert {info.date_time for info in infos} == {build_datetime().timetuple()[:6]}
    assert {info.compress_type for info in infos} == {zipfile.ZIP_DEFLATED}


def test_the_console_entry_runs_as_a_module(tmp_path):
    output = tmp_path / "cimp.imscc"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "imscc_export",
            "--tool-url",
            "http://127.0.0.1:8000",
            "-o",
            str(output),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "CIMP_CC_SCHEMAS": str(SCHEMAS_DIR)},
    )
    assert result.returncode == 0, result.stderr
    assert validate_cartridge(output, SCHEMAS_DIR) == []
    validated = subprocess.run(
        [sys.executable, "-m", "imscc_export", "validate", str(output)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "CIMP_CC_SCHEMAS": str(SCHEMAS_DIR)},
    )
    assert validated.returncode == 0
    assert "valid" in validated.stdout


@pytest.mark.parametrize(
    "tool_url",
    [
        "tool.example.org",  # no scheme
        "http://tool.example.org",  # plain http on a public host
        "ftp://tool.example.org",
        "https://",
        "https://tool.example.org/?target=x",
        "https://user:secret@tool.example.org",
        "https://tool example.org",
        "https://tool.example.org:99999",
    ],
)
def test_a_bad_tool_url_is_refused_without_traceback_or_output(tmp_path, capsys, tool_url):
    output = tmp_path / "cimp.imscc"
    code = main(["--tool-url", tool_url, "-o", str(output), "--schemas", str(SCHEMAS_DIR)])
    err = capsys.readouterr().err
    assert code == 2
    assert "tool URL" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_version_is_a_usage_error(tmp_path, capsys):
    code = main(["--tool-url", TOOL_URL, "-o", str(tmp_path / "x.imscc"), "--cc-version", "1.2"])
    assert code == 2
    assert "1.2" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_output_leaves_nothing_behind(tmp_path, capsys):
    missing_dir = tmp_path / "missing" / "cimp.imscc"
    assert (
        main(["--tool-url", TOOL_URL, "-o", str(missing_dir), "--schemas", str(SCHEMAS_DIR)]) == 2
    )
    err = capsys.readouterr().err
    assert "cannot write" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_an_output_that_is_a_directory_is_refused_and_kept(tmp_path, capsys):
    target = tmp_path / "out.imscc"
    target.mkdir()
    assert main(["--tool-url", TOOL_URL, "-o", str(target), "--schemas", str(SCHEMAS_DIR)]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["out.imscc"]
    assert target.is_dir()


def test_an_existing_output_is_replaced_whole(tmp_path):
    target = tmp_path / "cimp.imscc"
    target.write_bytes(b"old")
    export_with_cli(target, "1.1")
    assert validate_cartridge(target, SCHEMAS_DIR) == []
    assert [p.name for p in tmp_path.iterdir()] == ["cimp.imscc"]


def test_a_bad_programme_file_is_reported_with_its_name(tmp_path, capsys):
    broken = tmp_path / "programme.yaml"
    broken.write_text("title: [unclosed\n", encoding="utf-8")
    output = tmp_path / "cimp.imscc"
    code = main(
        [
            "--tool-url",
            TOOL_URL,
            "-o",
            str(output),
            "--programme",
            str(broken),
            "--schemas",
            str(SCHEMAS_DIR),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "programme.yaml" in err and "Traceback" not in err
    assert not output.exists()


def test_missing_schemas_are_a_usage_error(tmp_path, capsys):
    output = tmp_path / "cimp.imscc"
    code = main(["--tool-url", TOOL_URL, "-o", str(output), "--schemas", str(tmp_path / "nowhere")])
    assert code == 2
    assert "schema directory not found" in capsys.readouterr().err
    assert not output.exists()


def test_the_schemas_directory_can_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CIMP_CC_SCHEMAS", str(tmp_path / "nowhere"))
    assert main(["validate", str(tmp_path / "x.imscc")]) == 2
    monkeypatch.setenv("CIMP_CC_SCHEMAS", str(SCHEMAS_DIR))
    output = tmp_path / "cimp.imscc"
    assert main(["--tool-url", TOOL_URL, "-o", str(output)]) == 0
    assert main(["validate", str(output)]) == 0


def test_an_assessment_without_rubric_is_a_usage_error(tmp_path, capsys):
    source = (REPO_ROOT / "config" / "programme.yaml").read_text(encoding="utf-8")
    assert "- id: oral-exam" in source
    programme_file = tmp_path / "programme.yaml"
    programme_file.write_text(
        source.replace("- id: oral-exam", "- id: final-exam"), encoding="utf-8"
    )
    output = tmp_path / "cimp.imscc"
    code = main(
        [
            "--tool-url",
            TOOL_URL,
            "-o",
            str(output),
            "--programme",
            str(programme_file),
            "--schemas",
            str(SCHEMAS_DIR),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "no rubric for assessment 'final-exam'" in err and "Traceback" not in err
    assert not output.exists()
