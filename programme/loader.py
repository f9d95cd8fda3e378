"""Load and validate ``config/programme.yaml``.

The loader reads the whole file, collects every problem it finds (not just the first) and either
returns a :class:`~programme.model.Programme` or raises :class:`ProgrammeError` whose message names
the file, the place inside it (``pillars[2].objectives[1].outcomes[0].text (line 140)``) and what
is wrong, so that whoever edits the programme can fix it without reading Python.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import yaml

from .model import (
    ASSESSMENT_KINDS,
    Assessment,
    AssessmentKind,
    Axis,
    CaseStudy,
    Leadership,
    Objective,
    Outcome,
    Pillar,
    Portfolio,
    Programme,
    Seminar,
)

DEFAULT_PROGRAMME_PATH = Path(__file__).resolve().parent.parent / "config" / "programme.yaml"
PROGRAMME_PATH_ENV = "CIMP_PROGRAMME"

CASE_STUDY_ID = "CASE"
# libyaml's loader is several times faster and reports the same positions.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SLUG_ID = re.compile(r"[a-z][a-z0-9-]*")

_TOP_REQUIRED = ("title", "hours", "credits", "axes", "pillars", "case_study", "seminars",
                 "portfolio", "evaluation")
_TOP_OPTIONAL = ("description", "leadership")


class ProgrammeError(ValueError):
    """The programme file cannot be used; ``problems`` lists every problem found."""

    def __init__(self, path: Path | str, problems: Iterable[str]) -> None:
        self.path = Path(path)
        self.problems: list[str] = list(problems)
        count = len(self.problems)
        heading = f"{self.path}: invalid programme file ({count} problem{'s' if count > 1 else ''})"
        super().__init__("\n  - ".join([heading + ":", *self.problems]))


def resolve_programme_path(path: Path | str | None = None) -> Path:
    """The file to load: ``path`` if given, else ``$CIMP_PROGRAMME``, else the repository's
    ``config/programme.yaml``."""
    if path is not None:
        return Path(path)
    return Path(os.environ.get(PROGRAMME_PATH_ENV) or DEFAULT_PROGRAMME_PATH)


def load_programme(path: Path | str | None = None) -> Programme:
    """Read, validate and return the programme; raise :class:`ProgrammeError` listing all
    problems when the file is missing, is not valid YAML or does not describe a programme."""
    file = resolve_programme_path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProgrammeError(file, ["file not found"]) from None
    except UnicodeDecodeError as exc:
        raise ProgrammeError(file, [f"not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None
    except OSError as exc:
        raise ProgrammeError(file, [f"cannot be read: {exc.strerror or exc}"]) from None
    data, lines, duplicate_keys = _parse_yaml(text, file)
    reader = _ProgrammeReader(lines, duplicate_keys)
    programme = reader.read(data, source_file=str(file))
    if reader.problems or programme is None:
        raise ProgrammeError(file, reader.problems)
    return programme


_cache: dict[str, tuple[int, Programme]] = {}
_DEFAULT_PROGRAMME_FILE = os.fspath(DEFAULT_PROGRAMME_PATH)


def cached_programme(path: Path | str | None = None) -> Programme:
    """Like :func:`load_programme`, but reuse the last result while the file is unchanged
    (for code that needs the programme on every request)."""
    # One stat per call and no Path built: pages ask for the programme many times.
    file = os.fspath(path) if path is not None else (
        os.environ.get(PROGRAMME_PATH_ENV) or _DEFAULT_PROGRAMME_FILE)
    try:
        modified = os.stat(file).st_mtime_ns
    except OSError:
        return load_programme(file)
    cached = _cache.get(file)
    if cached is not None and cached[0] == modified:
        return cached[1]
    programme = load_programme(file)
    _cache[file] = (modified, programme)
    return programme


# --- YAML with positions -------------------------------------------------------------------------

def _parse_yaml(text: str, file: Path) -> tuple[Any, dict[str, int], list[tuple[str, int]]]:
    """Parse YAML, keeping the line of every value (by path) and noting duplicate keys, which
    PyYAML would otherwise silently overwrite."""
    loader = _YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise ProgrammeError(file, [f"{where}YAML syntax error: {problem}"]) from None
    except yaml.YAMLError as exc:
        raise ProgrammeError(file, [f"YAML syntax error: {exc}"]) from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    duplicates: list[tuple[str, int]] = []
    if node is not None:
        _record_positions(node, "", lines, duplicates)
    return data, lines, duplicates


def _record_positions(node: yaml.Node, where: str, lines: dict[str, int],
                      duplicates: list[tuple[str, int]]) -> None:
    lines.setdefault(where, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{where}.{key}" if where else key
            if key in seen:
                duplicates.append((child, key_node.start_mark.line + 1))
            seen.add(key)
            _record_positions(value_node, child, lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_positions(item, f"{where}[{index}]", lines, duplicates)


# --- validation -----------------------------------------------------------------------------------

def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"true/false ({value})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({value[:40]!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _ordinal(number: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(number, f"{number}th")


class _ProgrammeReader:
    """Turns the parsed YAML into model objects, collecting problems along the way."""

    def __init__(self, lines: dict[str, int], duplicate_keys: list[tuple[str, int]]) -> None:
        self.lines = lines
        self._found: list[tuple[int, str]] = []
        self.axis_ids: set[str] = set()
        self.first_use: dict[str, str] = {}
        for where, line in duplicate_keys:
            self.report(where, f"duplicate key {where.rsplit('.', 1)[-1]!r}", line)

    # reporting

    @property
    def problems(self) -> list[str]:
        """Problems in the order of the file, so that they can be fixed from top to bottom."""
        return [message for _, message in sorted(self._found, key=lambda found: found[0])]

    def report(self, where: str, message: str, line: int | None = None) -> None:
        line = line or self._line_of(where)
        location = where or "(top level)"
        self._found.append((line or 0, f"{location}{f' (line {line})' if line else ''}: {message}"))

    def _line_of(self, where: str) -> int | None:
        # A missing value has no line: use the closest enclosing value that has one.
        while True:
            if where in self.lines:
                return self.lines[where]
            if not where:
                return None
            parent = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", where)
            where = "" if parent == where else parent

    # basic values

    def mapping(self, value: Any, where: str, required: Iterable[str],
                optional: Iterable[str] = ()) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.report(where, f"expected a mapping (key: value lines), found {_describe(value)}")
            return None
        allowed = [*required, *optional]
        for key in value:
            if key not in allowed:
                self.report(_join(where, str(key)),
                            f"unknown key {key!r} (allowed here: {', '.join(allowed)})")
        return value

    def text(self, mapping: dict[str, Any], key: str, where: str, required: bool = True) -> str:
        here = _join(where, key)
        if key not in mapping:
            if required:
                self.report(here, f"missing {key!r}")
            return ""
        value = mapping[key]
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.report(here, f"{key!r} is empty")
            return ""
        if not isinstance(value, str):
            self.report(here, f"expected text, found {_describe(value)}")
            return ""
        return value.strip()

    def integer(self, mapping: dict[str, Any], key: str, where: str, required: bool = True,
                minimum: int | None = None) -> int | None:
        here = _join(where, key)
        if key not in mapping or mapping[key] is None:
            if required:
                self.report(here, f"missing {key!r}")
            return None
        value = mapping[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.report(here, f"expected a whole number, found {_describe(value)}")
            return None
        if minimum is not None and value < minimum:
            self.report(here, f"{key!r} must be at least {minimum}, found {value}")
            return None
        return value

    def items(self, mapping: dict[str, Any], key: str, where: str,
              allow_empty: bool = False) -> list[Any]:
        here = _join(where, key)
        if key not in mapping:
            self.report(here, f"missing {key!r}")
            return []
        value = mapping[key]
        if value is None:
            value = []
        if not isinstance(value, list):
            self.report(here, "expected a list (lines starting with '- '), "
                              f"found {_describe(value)}")
            return []
        if not value and not allow_empty:
            self.report(here, f"{key!r} is empty: at least one entry is needed")
        return value

    def identifier(self, mapping: dict[str, Any], where: str, expected: str | None,
                   what: str) -> str:
        """Read ``id``; when ``expected`` is given the identifier must equal it (ids follow
        positions); record it to detect duplicates."""
        here = _join(where, "id")
        if "id" not in mapping or mapping["id"] is None or mapping["id"] == "":
            self.report(here, "missing 'id'")
            return expected or ""
        value = mapping["id"]
        if not isinstance(value, str):
            self.report(here, f"expected an identifier, found {_describe(value)}")
            return expected or ""
        if value in self.first_use:
            self.report(here, f"duplicate identifier {value!r} "
                              f"(already used at {self.first_use[value]})")
        else:
            self.first_use[value] = here
        if expected is not None and value != expected:
            self.report(here, f"identifier {value!r} does not match its position: "
                              f"expected {expected!r} ({what})")
        return value

    def number(self, mapping: dict[str, Any], where: str, expected: int) -> int:
        value = self.integer(mapping, "number", where)
        if value is not None and value != expected:
            self.report(_join(where, "number"),
                        f"number {value} does not match its position: expected {expected}")
        return expected

    # programme parts

    def read(self, data: Any, source_file: str) -> Programme | None:
        doc = self.mapping(data, "", _TOP_REQUIRED, _TOP_OPTIONAL)
        if doc is None:
            return None
        title = self.text(doc, "title", "")
        hours = self.integer(doc, "hours", "", minimum=1)
        credits = self.integer(doc, "credits", "", minimum=1)
        description = self.text(doc, "description", "", required=False)
        axes = self.read_axes(doc)
        pillars = self.read_pillars(doc)
        case_study = self.read_case_study(doc)
        leadership = self.read_leadership(doc)
        seminars = self.read_seminars(doc, [pillar.id for pillar in pillars])
        portfolio = self.read_portfolio(doc)
        evaluation_description, assessments = self.read_evaluation(doc)
        if self.problems:
            return None
        return Programme(
            title=title, hours=cast(int, hours), credits=cast(int, credits),
            description=description, axes=axes, pillars=pillars, seminars=seminars,
            case_study=case_study, portfolio=portfolio, assessments=assessments,
            leadership=leadership, evaluation_description=evaluation_description,
            source_file=source_file,
        )

    def read_axes(self, doc: dict[str, Any]) -> tuple[Axis, ...]:
        axes = []
        for index, item in enumerate(self.items(doc, "axes", "")):
            where = f"axes[{index}]"
            entry = self.mapping(item, where, ("id", "title"), ("description",))
            if entry is None:
                continue
            axis_id = self.identifier(entry, where, None, "axis")
            if axis_id and not _SLUG_ID.fullmatch(axis_id):
                self.report(_join(where, "id"), f"axis identifier {axis_id!r} must be lower-case "
                                                "letters, digits and hyphens")
            self.axis_ids.add(axis_id)
            axes.append(Axis(id=axis_id, title=self.text(entry, "title", where),
                             description=self.text(entry, "description", where, required=False)))
        return tuple(axes)

    def read_pillars(self, doc: dict[str, Any]) -> tuple[Pillar, ...]:
        pillars = []
        for index, item in enumerate(self.items(doc, "pillars", "")):
            where = f"pillars[{index}]"
            entry = self.mapping(item, where, ("id", "number", "title", "objectives"),
                                 ("description",))
            if entry is None:
                continue
            number = index + 1
            pillar_id = f"P{number}"
            self.identifier(entry, where, pillar_id, f"the {_ordinal(number)} pillar")
            self.number(entry, where, number)
            objectives = tuple(
                self.read_objective(objective, f"{where}.objectives[{position}]", pillar_id,
                                    position + 1)
                for position, objective in enumerate(self.items(entry, "objectives", where))
            )
            pillars.append(Pillar(
                id=pillar_id, number=number, title=self.text(entry, "title", where),
                description=self.text(entry, "description", where, required=False),
                objectives=tuple(objective for objective in objectives if objective is not None),
            ))
        return tuple(pillars)

    def read_objective(self, item: Any, where: str, pillar_id: str,
                       number: int) -> Objective | None:
        entry = self.mapping(item, where, ("id", "number", "title", "outcomes"))
        if entry is None:
            return None
        objective_id = f"{pillar_id}.O{number}"
        self.identifier(entry, where, objective_id,
                        f"the {_ordinal(number)} objective of pillar {pillar_id}")
        self.number(entry, where, number)
        return Objective(
            id=objective_id, number=number, title=self.text(entry, "title", where),
            pillar_id=pillar_id,
            outcomes=self.read_outcomes(entry, where, objective_id),
        )

    def read_outcomes(self, entry: dict[str, Any], where: str,
                      parent_id: str) -> tuple[Outcome, ...]:
        outcomes = []
        for index, item in enumerate(self.items(entry, "outcomes", where)):
            here = f"{where}.outcomes[{index}]"
            outcome = self.mapping(item, here, ("id", "text"), ("axes",))
            if outcome is None:
                continue
            number = index + 1
            outcome_id = f"{parent_id}.A{number}"
            self.identifier(outcome, here, outcome_id,
                            f"the {_ordinal(number)} learning outcome of {parent_id}")
            outcomes.append(Outcome(
                id=outcome_id, number=number, text=self.text(outcome, "text", here),
                axes=self.read_outcome_axes(outcome, here), parent_id=parent_id,
            ))
        return tuple(outcomes)

    def read_outcome_axes(self, outcome: dict[str, Any], where: str) -> tuple[str, ...]:
        here = _join(where, "axes")
        value = outcome.get("axes")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.report(here, f"expected a list of axes such as [digital, ethics], "
                              f"found {_describe(value)}")
            return ()
        axes: list[str] = []
        for index, axis_id in enumerate(value):
            if not isinstance(axis_id, str):
                self.report(f"{here}[{index}]", f"expected an axis identifier, "
                                                f"found {_describe(axis_id)}")
            elif axis_id not in self.axis_ids:
                known = ", ".join(sorted(self.axis_ids)) or "none defined"
                self.report(f"{here}[{index}]", f"unknown axis {axis_id!r} (known axes: {known})")
            elif axis_id in axes:
                self.report(f"{here}[{index}]", f"axis {axis_id!r} listed twice")
            else:
                axes.append(axis_id)
        return tuple(axes)

    def read_case_study(self, doc: dict[str, Any]) -> CaseStudy:
        where = "case_study"
        placeholder = CaseStudy(id=CASE_STUDY_ID, title="", description="", outcomes=())
        if where not in doc:
            self.report(where, "missing 'case_study'")
            return placeholder
        entry = self.mapping(doc[where], where, ("id", "title", "description", "outcomes"),
                             ("subtitle",))
        if entry is None:
            return placeholder
        self.identifier(entry, where, CASE_STUDY_ID, "the case study")
        return CaseStudy(
            id=CASE_STUDY_ID, title=self.text(entry, "title", where),
            description=self.text(entry, "description", where),
            outcomes=self.read_outcomes(entry, where, CASE_STUDY_ID),
            subtitle=self.text(entry, "subtitle", where, required=False),
        )

    def read_leadership(self, doc: dict[str, Any]) -> Leadership | None:
        if "leadership" not in doc:
            return None
        entry = self.mapping(doc["leadership"], "leadership", ("title", "description"),
                             ("subtitle",))
        if entry is None:
            return None
        return Leadership(title=self.text(entry, "title", "leadership"),
                          description=self.text(entry, "description", "leadership"),
                          subtitle=self.text(entry, "subtitle", "leadership", required=False))

    def read_seminars(self, doc: dict[str, Any], pillar_ids: list[str]) -> tuple[Seminar, ...]:
        seminars = []
        for index, item in enumerate(self.items(doc, "seminars", "", allow_empty=True)):
            where = f"seminars[{index}]"
            entry = self.mapping(item, where, ("id", "number", "title", "after_pillar",
                                               "competence", "description"), ("hours",))
            if entry is None:
                continue
            number = index + 1
            seminar_id = f"S{number}"
            self.identifier(entry, where, seminar_id, f"the {_ordinal(number)} seminar")
            self.number(entry, where, number)
            after_pillar = self.text(entry, "after_pillar", where)
            # Without readable pillars the pillars problem is already reported; do not cascade.
            if after_pillar and pillar_ids and after_pillar not in pillar_ids:
                self.report(_join(where, "after_pillar"),
                            f"pillar {after_pillar!r} does not exist "
                            f"(pillars: {', '.join(pillar_ids) or 'none'})")
            seminars.append(Seminar(
                id=seminar_id, number=number, title=self.text(entry, "title", where),
                after_pillar=after_pillar, competence=self.text(entry, "competence", where),
                description=self.text(entry, "description", where),
                hours=self.integer(entry, "hours", where, required=False, minimum=1),
            ))
        self.check_seminar_order(seminars, pillar_ids)
        return tuple(seminars)

    def check_seminar_order(self, seminars: list[Seminar], pillar_ids: list[str]) -> None:
        """Seminar numbers follow the course: a later seminar never sits before an earlier one."""
        positions = [pillar_ids.index(seminar.after_pillar) for seminar in seminars
                     if seminar.after_pillar in pillar_ids]
        if len(positions) == len(seminars) and positions != sorted(positions):
            self.report("seminars", "seminars must be listed in course order "
                                    "(their after_pillar values must not go backwards)")

    def read_portfolio(self, doc: dict[str, Any]) -> Portfolio:
        where = "portfolio"
        if where not in doc:
            self.report(where, "missing 'portfolio'")
            return Portfolio(title="", description="")
        entry = self.mapping(doc[where], where, ("title", "description"),
                             ("subtitle", "intervision"))
        if entry is None:
            return Portfolio(title="", description="")
        return Portfolio(
            title=self.text(entry, "title", where),
            description=self.text(entry, "description", where),
            intervision=self.text(entry, "intervision", where, required=False),
            subtitle=self.text(entry, "subtitle", where, required=False),
        )

    def read_evaluation(self, doc: dict[str, Any]) -> tuple[str, tuple[Assessment, ...]]:
        where = "evaluation"
        if where not in doc:
            self.report(where, "missing 'evaluation'")
            return "", ()
        entry = self.mapping(doc[where], where, ("assessments",), ("description",))
        if entry is None:
            return "", ()
        assessments = []
        for index, item in enumerate(self.items(entry, "assessments", where)):
            assessment = self.read_assessment(item, f"{where}.assessments[{index}]")
            if assessment is not None:
                assessments.append(assessment)
        return self.text(entry, "description", where, required=False), tuple(assessments)

    def read_assessment(self, item: Any, where: str) -> Assessment | None:
        entry = self.mapping(item, where, ("id", "title", "description", "kind"),
                             ("group_size", "jury_size"))
        if entry is None:
            return None
        assessment_id = self.identifier(entry, where, None, "assessment")
        if assessment_id and not _SLUG_ID.fullmatch(assessment_id):
            self.report(_join(where, "id"), f"assessment identifier {assessment_id!r} must be "
                                            "lower-case letters, digits and hyphens")
        kind = self.text(entry, "kind", where)
        if kind and kind not in ASSESSMENT_KINDS:
            self.report(_join(where, "kind"), f"invalid kind {kind!r} "
                                              f"(expected one of: {', '.join(ASSESSMENT_KINDS)})")
        group_min, group_max = self.read_group_size(entry, where, kind)
        return Assessment(
            id=assessment_id, title=self.text(entry, "title", where),
            description=self.text(entry, "description", where), kind=cast(AssessmentKind, kind),
            group_min=group_min, group_max=group_max,
            jury_size=self.integer(entry, "jury_size", where, required=False, minimum=1),
        )

    def read_group_size(self, entry: dict[str, Any], where: str, kind: str) -> tuple[int, int]:
        """A collective assessment needs ``group_size: {min, max}`` with 2 <= min <= max; an
        individual one has none (its group is one participant)."""
        here = _join(where, "group_size")
        if kind != "collective":
            if "group_size" in entry and kind == "individual":
                self.report(here, "an individual assessment has no group_size")
            return 1, 1
        if "group_size" not in entry:
            self.report(here, "missing 'group_size' "
                              "(a collective assessment needs {min: .., max: ..})")
            return 2, 2
        sizes = self.mapping(entry["group_size"], here, ("min", "max"))
        if sizes is None:
            return 2, 2
        smallest = self.integer(sizes, "min", here, minimum=2)
        largest = self.integer(sizes, "max", here, minimum=2)
        if smallest is not None and largest is not None and smallest > largest:
            self.report(here, f"min ({smallest}) is larger than max ({largest})")
        return smallest or 2, largest or 2
