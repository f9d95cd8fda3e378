"""Fixtures: the real programme, the shared schemas and cartridges exported through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.imscc_export.cartridge_testing import (
    NS_11,
    NS_13,
    SCHEMAS_DIR,
    Cartridge,
    export_with_cli,
    read_members,
)
from programme import load_programme


@pytest.fixture(scope="session")
def programme():
    return load_programme()


@pytest.fixture(scope="session")
def schemas_dir() -> Path:
    assert SCHEMAS_DIR.is_dir(), f"the shared schemas are expected in {SCHEMAS_DIR}"
    return SCHEMAS_DIR


@pytest.fixture(scope="session")
def cartridge_11(tmp_path_factory, schemas_dir) -> Cartridge:
    path = export_with_cli(tmp_path_factory.mktemp("cc11") / "cimp.imscc", "1.1")
    return Cartridge(path, read_members(path), NS_11)


@pytest.fixture(scope="session")
def cartridge_13(tmp_path_factory, schemas_dir) -> Cartridge:
    path = export_with_cli(tmp_path_factory.mktemp("cc13") / "cimp.imscc", "1.3")
    return Cartridge(path, read_members(path), NS_13)


@pytest.fixture(params=["1.1", "1.3"])
def cartridge(request, cartridge_11, cartridge_13) -> Cartridge:
    return cartridge_11 if request.param == "1.1" else cartridge_13
