"""Fixtures for the programme tests: the real programme, the official source text parsed
independently of the YAML, and a writer for small (possibly broken) programme files."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from programme import DEFAULT_PROGRAMME_PATH, Programme, load_programme

SOURCE_PATH = Path(__file__).parents[2].parent / "shared" / "programme" / "programme-source.txt"
BULLET = "•"


def normalise_spaces(text: str) -> str:
    """The YAML collapses the source's double spaces and line layout into single spaces."""
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class SourcePillar:
    number: int
    title: str
    objective_titles: list[str]
    outcomes: list[list[str]]  # outcomes[j] = texts of objective j, from "Acquis d'apprentissage"


@dataclass(frozen=True)
class SourceText:
    """The parts of programme-source.txt that the YAML transcribes."""

    raw: str
    flat: str  # whole text with spaces normalised, for "appears in the source" checks
    lines: list[str]
    pillars: list[SourcePillar]
    axis_descriptions: list[str]
    seminar_bullets: list[str]
    case_outcomes: list[str]

    def section(self, first: str, end: str) -> list[str]:
        """Non-empty stripped lines after the line starting with ``first``, up to ``end``."""
        start = next(i for i, line in enumerate(self.lines) if line.strip().startswith(first))
        stop = next(i for i, line in enumerate(self.lines)
                    if i > start and line.strip().startswith(end))
        return [line.strip() for line in self.lines[start + 1:stop] if line.strip()]


def _bullets(lines: list[str]) -> list[str]:
    return [normalise_spaces(line.lstrip(BULLET)) for line in lines if line.startswith(BULLET)]


def _parse_source(raw: str) -> SourceText:
    lines = raw.splitlines()
    text = SourceText(raw, normalise_spaces(raw), lines, [], [], [], [])
    programme_list = _split_by_pillar(text.section("I. Les 6 piliers", "II. Les 3 axes"))
    outcomes_part = _split_by_pillar(text.section("A l'issue de la formation", "Etude de cas"))
    for (number, title, list_lines), (_, _, outcome_lines) in zip(programme_list, outcomes_part):
        outcomes: list[list[str]] = []
        for line in outcome_lines:
            if line.startswith(BULLET):
                outcomes[-1].append(normalise_spaces(line.lstrip(BULLET)))
            else:
                outcomes.append([])
        text.pillars.append(SourcePillar(number, title, _bullets(list_lines), outcomes))
    text.axis_descriptions.extend(_bullets(text.section("II. Les 3 axes", "III.")))
    text.seminar_bullets.extend(_bullets(text.section("IV. Le leadership", "V. Le portfolio")))
    case_lines = [line.strip() for line in lines[lines.index("Etude de cas") + 1:] if line.strip()]
    text.case_outcomes.extend(_bullets(case_lines))
    return text


def _split_by_pillar(lines: list[str]) -> list[tuple[int, str, list[str]]]:
    pillars: list[tuple[int, str, list[str]]] = []
    for line in lines:
        heading = re.fullmatch(r"Pilier (\d+) - (.+)", line)
        if heading:
            pillars.append((int(heading[1]), normalise_spaces(heading[2]), []))
        elif pillars:
            pillars[-1][2].append(line)
    return pillars


@pytest.fixture(scope="session")
def source() -> SourceText:
    if not SOURCE_PATH.is_file():
        pytest.skip(f"official programme text not found at {SOURCE_PATH}; "
                    "the transcription cannot be checked against it")
    return _parse_source(SOURCE_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def programme() -> Programme:
    return load_programme(DEFAULT_PROGRAMME_PATH)


@dataclass(frozen=True)
class Correction:
    wrong: str
    corrected: str


_CORRECTION = re.compile(r'"([^"]+)"\s*→\s*"([^"]+)"')


@pytest.fixture(scope="session")
def corrections() -> dict[str, list[Correction]]:
    """Spelling corrections listed in the YAML comments (``# source: "faute" → "correction"``),
    keyed by the corrected text value that sits on the same line."""
    raw = DEFAULT_PROGRAMME_PATH.read_text(encoding="utf-8")
    values_by_line = _scalar_values_by_line(raw)
    found: dict[str, list[Correction]] = {}
    for number, line in enumerate(raw.splitlines(), start=1):
        if "# source:" not in line or line.lstrip().startswith("#"):
            continue  # comment-only lines (the header's example) annotate no text
        comment = line.split("# source:", 1)[1]
        pairs = [Correction(wrong, right) for wrong, right in _CORRECTION.findall(comment)]
        if pairs:
            assert number in values_by_line, (
                f"correction comment on line {number} is not beside a text")
            found.setdefault(values_by_line[number], []).extend(pairs)
    return found


def _scalar_values_by_line(raw: str) -> dict[int, str]:
    """Line (1-based) where each text value starts -> its value; a folded ``>-`` text starts on
    its key's line, where the correction comment is written."""
    values: dict[int, str] = {}

    def walk(node: yaml.Node) -> None:
        if isinstance(node, yaml.ScalarNode):
            values[node.start_mark.line + 1] = node.value
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)
        elif isinstance(node, yaml.MappingNode):
            for _, value in node.value:
                walk(value)

    walk(yaml.compose(raw, Loader=yaml.SafeLoader))
    return values


@pytest.fixture(scope="session")
def as_corrected(corrections: dict[str, list[Correction]]) -> Callable[[str, str], str]:
    """``as_corrected(source_text, yaml_value)``: the source text with the corrections listed
    beside ``yaml_value`` applied (each misspelling must be present in the source text)."""

    def apply(source_text: str, yaml_value: str) -> str:
        text = normalise_spaces(source_text)
        for correction in corrections.get(yaml_value, []):
            assert correction.wrong in text, (
                f"listed correction {correction.wrong!r} is not in the source text {text!r}")
            text = text.replace(correction.wrong, correction.corrected)
        return text

    return apply


MINIMAL_PROGRAMME: dict[str, Any] = {
    "title": "Certificat de test",
    "hours": 20,
    "credits": 2,
    "axes": [
        {"id": "digital", "title": "Numérique", "description": "Les enjeux du numérique"},
        {"id": "ethics", "title": "Éthique", "description": "Les enjeux éthiques"},
    ],
    "pillars": [
        {"id": "P1", "number": 1, "title": "Premier pilier", "objectives": [
            {"id": "P1.O1", "number": 1, "title": "Objectif un", "outcomes": [
                {"id": "P1.O1.A1", "text": "Acquis un.", "axes": ["digital"]},
                {"id": "P1.O1.A2", "text": "Acquis deux.", "axes": []},
            ]},
        ]},
        {"id": "P2", "number": 2, "title": "Second pilier", "objectives": [
            {"id": "P2.O1", "number": 1, "title": "Objectif deux", "outcomes": [
                {"id": "P2.O1.A1", "text": "Acquis trois.", "axes": ["ethics"]},
            ]},
        ]},
    ],
    "case_study": {"id": "CASE", "title": "Le cas", "description": "Un cas réel.", "outcomes": [
        {"id": "CASE.A1", "text": "Agir."},
    ]},
    "seminars": [
        {"id": "S1", "number": 1, "title": "Séminaire 1", "after_pillar": "P1",
         "competence": "Conduire le changement", "description": "Au terme du premier pilier."},
    ],
    "portfolio": {"title": "Le portfolio", "description": "Réfléchir."},
    "evaluation": {"assessments": [
        {"id": "collective-report", "title": "Rapport collectif", "kind": "collective",
         "group_size": {"min": 2, "max": 3}, "description": "Un rapport de groupe."},
        {"id": "oral-exam", "title": "Épreuve orale", "kind": "individual", "jury_size": 4,
         "description": "Une épreuve orale."},
    ]},
}


@pytest.fixture
def minimal_programme() -> dict[str, Any]:
    """A small valid programme as data, to be broken by each test."""
    return copy.deepcopy(MINIMAL_PROGRAMME)


@pytest.fixture
def write_programme(tmp_path: Path) -> Callable[[Any], Path]:
    """Write data (dumped as YAML) or raw YAML text to a file and return its path."""

    def write(content: Any, name: str = "programme.yaml") -> Path:
        path = tmp_path / name
        text = content if isinstance(content, str) else yaml.safe_dump(
            content, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write
