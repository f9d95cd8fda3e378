"""Fixtures for the rubric tests: the real programme when present, and rubric files in tmp_path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
PROGRAMME_FILE = REPOSITORY_ROOT / "config" / "programme.yaml"


def real_programme() -> Any | None:
    """The programme of config/programme.yaml when the programme package and file are there."""
    if not PROGRAMME_FILE.is_file():
        return None
    try:
        from programme import load_programme
    except ImportError:
        return None
    return load_programme(PROGRAMME_FILE)


@pytest.fixture(scope="session")
def programme() -> Any:
    found = real_programme()
    if found is None:
        pytest.skip("the programme package or config/programme.yaml is not available")
    return found


def four_levels(start: int = 0) -> list[dict[str, Any]]:
    titles = ["Insuffisant", "Partiel", "Satisfaisant", "Très bon"]
    return [
        {"points": start + index, "title": title, "descriptor": f"Niveau {title.lower()}."}
        for index, title in enumerate(titles)
    ]


VALID_RUBRIC: dict[str, Any] = {
    "id": "oral-exam",
    "title": "Épreuve orale",
    "grade_max": 20,
    "pass_mark": 10,
    "formula": "proportional",
    "rounding": "half-up to 0.1",
    "criteria": [
        {
            "id": "presentation",
            "title": "Présentation",
            "description": "Exposé clair.",
            "assesses": ["CASE"],
            "levels": four_levels(),
        },
        {
            "id": "maitrise",
            "title": "Maîtrise",
            "description": "Concepts des piliers.",
            "assesses": ["P1", "P2.O1", "P1.O3.A2"],
            "levels": four_levels(),
        },
    ],
}


@pytest.fixture
def rubric_data() -> dict[str, Any]:
    """A fresh copy of a valid rubric definition to break in a test."""
    return copy.deepcopy(VALID_RUBRIC)


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """Write data (or raw text) as ``tmp_path/<name>.yaml`` and return its path."""

    def write(data: Any, name: str = "oral-exam") -> Path:
        path = tmp_path / f"{name}.yaml"
        text = (
            data
            if isinstance(data, str)
            else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        )
        path.write_text(text, encoding="utf-8")
        return path

    return write
