"""Loading and validating rubric definitions (``rubrics/definitions/<assessment-id>.yaml``).

Every problem of every file is collected before anything is refused, and each one names the file,
the line, the path inside the file (``criteria[2].levels[1].points``, indexes from 0) and what is
wrong, so a teacher who edits a rubric sees at once all that needs fixing.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from ._checks import SLUG, SLUG_HINT, Checker
from ._yaml import YamlDocument, child_path, display_path, read_yaml_file
from .errors import Problem, RubricError
from .model import FORMULAS, Criterion, Level, Rubric
from .programme_ids import IdentifierCheck, ProgrammeLookup, default_identifier_check
from .rounding import Rounding

DEFINITIONS_DIRECTORY = Path(__file__).resolve().parent / "definitions"

RUBRIC_KEYS = (
    "id",
    "title",
    "description",
    "grade_max",
    "pass_mark",
    "formula",
    "rounding",
    "criteria",
)
CRITERION_KEYS = ("id", "title", "description", "weight", "assesses", "levels")
LEVEL_KEYS = ("points", "title", "descriptor")


def load_rubrics(
    directory: str | Path | None = None, *, programme: ProgrammeLookup | None = None
) -> dict[str, Rubric]:
    """Load every ``*.yaml`` rubric of ``directory`` (default: the definitions beside this code).

    Returns the rubrics keyed by assessment id. Raises :class:`RubricError` listing the problems
    of all files at once. ``programme`` checks the identifiers in ``assesses``; by default the
    real programme is used when available (see :mod:`rubrics.programme_ids`).
    """
    folder = Path(directory) if directory is not None else DEFINITIONS_DIRECTORY
    if not folder.is_dir():
        raise RubricError(
            [Problem(display_path(folder), "", "is not a directory of rubric definitions")]
        )
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise RubricError(
            [Problem(display_path(folder), "", "contains no rubric definition (*.yaml)")]
        )
    check = _identifier_check(programme)
    rubrics: dict[str, Rubric] = {}
    problems: list[Problem] = []
    for file in files:
        try:
            rubric = _load_file(file, check)
        except RubricError as error:
            problems.extend(error.problems)
            continue
        if rubric.id in rubrics:
            other = rubrics[rubric.id].source
            problems.append(
                Problem(display_path(file), "id", f"{rubric.id!r} is already defined in {other}")
            )
            continue
        rubrics[rubric.id] = rubric
    if problems:
        raise RubricError(problems)
    return rubrics


def load_rubric(
    assessment_id: str,
    directory: str | Path | None = None,
    *,
    programme: ProgrammeLookup | None = None,
) -> Rubric:
    """Load the rubric of one assessment from ``<directory>/<assessment_id>.yaml``.

    Raises :class:`RubricError` when the file is missing (naming the rubrics that exist) or invalid.
    """
    folder = Path(directory) if directory is not None else DEFINITIONS_DIRECTORY
    if not isinstance(assessment_id, str) or not SLUG.match(assessment_id):
        # Also keeps a request from naming a file outside the definitions folder.
        raise RubricError(f"{assessment_id!r} is not an assessment id ({SLUG_HINT})")
    file = folder / f"{assessment_id}.yaml"
    if not file.is_file():
        available = ", ".join(sorted(path.stem for path in folder.glob("*.yaml"))) or "none"
        raise RubricError(
            [
                Problem(
                    display_path(file),
                    "",
                    f"no rubric for assessment {assessment_id!r} (available: {available})",
                )
            ]
        )
    return _load_file(file, _identifier_check(programme))


def parse_rubric(
    data: Any, source: str = "<rubric>", *, programme: ProgrammeLookup | None = None
) -> Rubric:
    """Validate parsed rubric ``data`` (a mapping as in the YAML files) and build the rubric.

    ``source`` names the data in error messages. Raises :class:`RubricError` with every problem.
    """
    document = YamlDocument(source=source, data=data)
    return _build_rubric(document, _identifier_check(programme), expected_id=None)


def _identifier_check(programme: ProgrammeLookup | None) -> IdentifierCheck:
    if programme is not None:
        source = getattr(programme, "source", "")
        return IdentifierCheck(programme, f"programme ({source})" if source else "programme")
    return default_identifier_check()


def _load_file(file: Path, check: IdentifierCheck) -> Rubric:
    document = read_yaml_file(file)
    if document.problems and document.data is None:
        raise RubricError(document.problems)
    return _build_rubric(document, check, expected_id=file.stem)


def _build_rubric(
    document: YamlDocument, check: IdentifierCheck, expected_id: str | None
) -> Rubric:
    checker = Checker(document)
    data = checker.mapping(document.data, "", "a mapping with id, title, formula, criteria ...")
    if data is None:
        raise RubricError(checker.problems)
    checker.unknown_keys(data, "", RUBRIC_KEYS)

    rubric_id = checker.slug(data, "id", "")
    if rubric_id is not None and expected_id is not None and rubric_id != expected_id:
        checker.problem(
            "id",
            f"{rubric_id!r} differs from the file name {expected_id!r}: name the file <id>.yaml",
        )
    if rubric_id is not None and check.assessment_problem(rubric_id) is not None:
        checker.problem("id", check.assessment_problem(rubric_id))
    title = checker.text(data, "title", "")
    description = checker.text(data, "description", "", required=False) or ""
    grade_max = checker.number(data, "grade_max", "", positive=True)
    pass_mark = checker.number(data, "pass_mark", "", minimum=Decimal(0))
    if grade_max is not None and pass_mark is not None and pass_mark > grade_max:
        checker.problem("pass_mark", f"must not exceed grade_max ({grade_max}), got {pass_mark}")
    formula = _read_formula(checker, data)
    rounding = _read_rounding(checker, data, "")
    check_rounding_reaches(checker, rounding, grade_max)
    criteria = _read_criteria(checker, data, formula, check)

    if checker.problems:
        raise RubricError(checker.problems)
    return Rubric(
        id=rubric_id,
        title=title,
        description=description,
        grade_max=grade_max,
        pass_mark=pass_mark,
        formula=formula,
        rounding=rounding,
        criteria=tuple(criteria),
        source=document.source,
    )


def _read_formula(checker: Checker, data: Mapping) -> str | None:
    formula = checker.text(data, "formula", "")
    if formula is not None and formula not in FORMULAS:
        checker.problem(
            "formula", f"unknown formula {formula!r} (expected one of: {', '.join(FORMULAS)})"
        )
        return None
    return formula


def _read_rounding(checker: Checker, data: Mapping, path: str) -> Rounding | None:
    text = checker.text(data, "rounding", path)
    if text is None:
        return None
    try:
        return Rounding.parse(text)
    except ValueError as exc:
        checker.problem(child_path(path, "rounding"), str(exc))
        return None


def check_rounding_reaches(
    checker: Checker, rounding: Rounding | None, grade_max: Decimal | None
) -> None:
    """grade_max must be a multiple of the rounding step, or full marks would round past it."""
    if rounding is not None and grade_max is not None and grade_max % rounding.step != 0:
        checker.problem(
            "rounding",
            f"the step {rounding.step} does not divide grade_max {grade_max}: "
            "full marks would be rounded to another grade",
        )


def _read_criteria(
    checker: Checker, data: Mapping, formula: str | None, check: IdentifierCheck
) -> list[Criterion]:
    items = checker.sequence(data, "criteria", "")
    if items is None:
        return []
    criteria: list[Criterion] = []
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        path = child_path("criteria", index)
        raw_id = item.get("id") if isinstance(item, Mapping) else None
        if isinstance(raw_id, str) and raw_id in first_index:
            checker.problem(
                child_path(path, "id"),
                f"duplicate criterion id {raw_id!r} (also criteria[{first_index[raw_id]}])",
            )
        elif isinstance(raw_id, str):
            first_index[raw_id] = index
        criterion = _read_criterion(checker, item, path, formula, check)
        if criterion is not None:
            criteria.append(criterion)
    return criteria


def _read_criterion(
    checker: Checker, item: Any, path: str, formula: str | None, check: IdentifierCheck
) -> Criterion | None:
    data = checker.mapping(item, path)
    if data is None:
        return None
    checker.unknown_keys(data, path, CRITERION_KEYS)
    criterion_id = checker.slug(data, "id", path)
    title = checker.text(data, "title", path)
    description = checker.text(data, "description", path)
    weight = checker.number(data, "weight", path, required=False, default=Decimal(1), positive=True)
    if weight is not None and weight != 1 and formula in ("proportional", "scaled"):
        checker.problem(
            child_path(path, "weight"),
            f"weight {weight} has no effect with formula {formula!r} "
            "(Moodle rubrics have no weights): "
            "give this criterion larger level points, or use formula 'weighted'",
        )
    assesses = _read_assesses(checker, data, path, check)
    levels = _read_levels(checker, data, path)
    if None in (criterion_id, title, description, weight, assesses, levels):
        return None
    return Criterion(
        id=criterion_id,
        title=title,
        description=description,
        levels=levels,
        weight=weight,
        assesses=assesses,
    )


def _read_assesses(
    checker: Checker, data: Mapping, path: str, check: IdentifierCheck
) -> tuple[str, ...] | None:
    items = checker.sequence(data, "assesses", path)
    if items is None:
        return None
    identifiers: list[str] = []
    valid = True
    for index, identifier in enumerate(items):
        where = child_path(child_path(path, "assesses"), index)
        problem = check.problem_with(identifier)
        if problem is not None:
            checker.problem(where, problem)
            valid = False
        elif identifier in identifiers:
            checker.problem(where, f"{identifier!r} is listed twice")
            valid = False
        else:
            identifiers.append(identifier)
    return tuple(identifiers) if valid else None


def _read_levels(checker: Checker, data: Mapping, path: str) -> tuple[Level, ...] | None:
    items = checker.sequence(data, "levels", path, min_items=2)
    if items is None:
        return None
    levels: list[Level] = []
    valid = True
    for index, item in enumerate(items):
        level = _read_level(checker, item, child_path(child_path(path, "levels"), index))
        if level is None:
            valid = False
            continue
        levels.append(level)
    if not valid:
        return None
    return tuple(levels) if _levels_increase(checker, levels, child_path(path, "levels")) else None


def _read_level(checker: Checker, item: Any, path: str) -> Level | None:
    data = checker.mapping(item, path)
    if data is None:
        return None
    checker.unknown_keys(data, path, LEVEL_KEYS)
    points = checker.number(data, "points", path, minimum=Decimal(0))
    title = checker.text(data, "title", path)
    descriptor = checker.text(data, "descriptor", path)
    if None in (points, title, descriptor):
        return None
    return Level(points=points, title=title, descriptor=descriptor)


def _levels_increase(checker: Checker, levels: list[Level], path: str) -> bool:
    """Levels are listed lowest first, each worth strictly more points than the one before."""
    valid = True
    for index in range(1, len(levels)):
        before, level = levels[index - 1].points, levels[index].points
        where = child_path(child_path(path, index), "points")
        if any(other.points == level for other in levels[:index]):
            checker.problem(
                where, f"duplicate level points {level} (each level needs its own points)"
            )
            valid = False
        elif level < before:
            checker.problem(
                where, f"levels must go from lowest to highest points: {level} comes after {before}"
            )
            valid = False
    return valid
