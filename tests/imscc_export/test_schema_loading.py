"""Schemas are found, compiled once, never fetched from the network; no web framework is loaded."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.imscc_export.cartridge_testing import REPO_ROOT, SCHEMAS_DIR
from imscc_export.schemas import (
    SchemasNotFound,
    default_schemas_dir,
    load_schema,
    resolve_schemas_dir,
)

XS = 'xmlns:xs="http://www.w3.org/2001/XMLSchema"'


def _schema_importing(directory, location: str) -> str:
    (directory / "top.xsd").write_text(
        f'<xs:schema {XS} targetNamespace="urn:top">'
        f'<xs:import namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="{location}"/>'
        "</xs:schema>",
        encoding="utf-8",
    )
    return "top.xsd"


def test_a_remote_import_with_a_local_copy_is_served_locally(tmp_path):
    (tmp_path / "xml.xsd").write_bytes((SCHEMAS_DIR / "cc1p1" / "xml.xsd").read_bytes())
    name = _schema_importing(tmp_path, "http://www.w3.org/2001/xml.xsd")
    assert load_schema(tmp_path, name) is not None


def test_a_remote_import_without_local_copy_is_refused(tmp_path):
    name = _schema_importing(tmp_path, "http://schemas.example.invalid/absent.xsd")
    with pytest.raises(
        SchemasNotFound, match="refusing to fetch http://schemas.example.invalid/absent.xsd"
    ):
        load_schema(tmp_path, name)


def test_each_schema_is_compiled_once():
    directory = resolve_schemas_dir(SCHEMAS_DIR)
    assert load_schema(directory, "cc1p3/imslticc_v1p3.xsd") is load_schema(
        directory, "cc1p3/imslticc_v1p3.xsd"
    )


def test_a_missing_schema_is_named(tmp_path):
    with pytest.raises(SchemasNotFound, match="absent.xsd"):
        load_schema(tmp_path, "absent.xsd")


def test_the_default_directory_is_beside_the_repository_unless_the_environment_says(monkeypatch):
    monkeypatch.delenv("CIMP_CC_SCHEMAS", raising=False)
    assert default_schemas_dir() == REPO_ROOT.parent / "shared" / "schemas"
    monkeypatch.setenv("CIMP_CC_SCHEMAS", str(SCHEMAS_DIR))
    assert resolve_schemas_dir() == SCHEMAS_DIR.resolve()


def test_the_exporter_never_imports_the_web_application():
    code = (
        "import sys, imscc_export, imscc_export.cli; "
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('flask', 'lti_tool')]; "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
