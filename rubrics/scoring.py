"""From the levels chosen for each criterion to a grade, with the computation spelled out.

S is the sum of the points of the chosen levels, Smin and Smax the sums of every criterion's
lowest and highest level points, Gmax the rubric's ``grade_max`` (grades start at 0).

``proportional`` — Moodle's rubric with "zero points locked" (its default since Moodle 3.2):
    grade = max(0, S / Smax × Gmax)
``scaled`` — Moodle's rubric scaled between minimum and maximum (option unticked):
    grade = (S − Smin) / (Smax − Smin) × Gmax
``weighted`` — each criterion's score normalised between its lowest and highest level,
    (p − min) / (max − min), so the lowest level counts 0 and the highest 1, then
    grade = Σ weight × (p − min) / (max − min) / Σ weight × Gmax

The grade is computed exactly (rational numbers) and rounded once with the rubric's ``rounding``
rule (for example ``half-up to 0.1``: 12.45 gives 12.5); a grade at or above ``pass_mark``
passes. With lowest levels worth 0 points the three formulas without weights give the same grade.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ._checks import to_decimal
from ._format import exact_decimal, fr_decimal, fr_equals, fr_number
from .errors import Problem, RubricError
from .model import Criterion, Rubric

FORMULA_NAMES_FR = {
    "proportional": "proportionnelle (Moodle, « zéro point verrouillé »)",
    "scaled": "mise à l'échelle entre le minimum et le maximum (Moodle, ancienne méthode)",
    "weighted": "moyenne pondérée des critères",
}


@dataclass(frozen=True)
class GradeResult:
    """A grade and how it was obtained.

    ``grade`` is rounded by the rubric's rule, ``raw`` is the grade before rounding, ``points`` is
    S and ``max_points`` Smax; ``explanation`` states in French the formula with the numbers.
    """

    grade: Decimal
    raw: Decimal
    points: Decimal
    max_points: Decimal
    passed: bool
    formula: str
    explanation: str
    min_points: Decimal = Decimal(0)
    grade_max: Decimal = Decimal(20)
    pass_mark: Decimal = Decimal(10)


def score_rubric(rubric: Rubric, selections: Mapping[str, Any]) -> GradeResult:
    """Grade ``rubric`` given the points of the level chosen for every criterion.

    ``selections`` maps each criterion id to the points of its chosen level (int, Decimal,
    numeric string or float). Raises :class:`RubricError` listing unknown criteria, criteria
    without a level, and points that are not one of the criterion's levels.
    """
    chosen = _chosen_points(rubric, selections)
    points = sum(chosen.values(), Decimal(0))
    raw = _RAW_GRADE[rubric.formula](rubric, chosen)
    grade = rubric.rounding.apply(raw)
    passed = grade >= rubric.pass_mark
    return GradeResult(
        grade=grade,
        raw=exact_decimal(raw),
        points=points,
        max_points=rubric.max_points,
        passed=passed,
        formula=rubric.formula,
        explanation=_explain(rubric, chosen, raw, grade, passed),
        min_points=rubric.min_points,
        grade_max=rubric.grade_max,
        pass_mark=rubric.pass_mark,
    )


def describe_formula(rubric: Rubric) -> str:
    """The rubric's formula, rounding and pass mark in French, to show jurors and participants."""
    gmax = fr_number(rubric.grade_max)
    lines = [f"Formule : {FORMULA_NAMES_FR[rubric.formula]}, {_formula_fr(rubric.formula, gmax)}."]
    if rubric.formula == "weighted":
        lines.append(
            "Chaque critère compte pour (points − minimum) / (maximum − minimum) : "
            "0 au niveau le plus bas, 1 au plus haut."
        )
    lines.append(f"La note est calculée exactement puis arrondie {rubric.rounding.describe_fr()}.")
    lines.append(f"Seuil de réussite : {fr_number(rubric.pass_mark)}/{gmax}.")
    return "\n".join(lines)


def _formula_fr(formula: str, gmax: str) -> str:
    return {
        "proportional": f"note = max(0 ; S / Smax × {gmax})",
        "scaled": f"note = (S − Smin) / (Smax − Smin) × {gmax}",
        "weighted": f"note = Σ poids × (p − min) / (max − min) / Σ poids × {gmax}",
    }[formula]


def _chosen_points(rubric: Rubric, selections: Mapping[str, Any]) -> dict[str, Decimal]:
    source = f"score of {rubric.id}"
    problems: list[Problem] = []
    known = set(rubric.criterion_ids)
    for criterion_id in selections:
        if criterion_id not in known:
            problems.append(
                Problem(
                    source,
                    str(criterion_id),
                    f"unknown criterion (known: {', '.join(rubric.criterion_ids)})",
                )
            )
    chosen: dict[str, Decimal] = {}
    for criterion in rubric.criteria:
        if criterion.id not in selections or selections[criterion.id] is None:
            problems.append(Problem(source, criterion.id, "no level chosen"))
            continue
        value = selections[criterion.id]
        points = to_decimal(value)
        if points is None or criterion.level_for(points) is None:
            allowed = ", ".join(str(level.points) for level in criterion.levels)
            problems.append(
                Problem(
                    source,
                    criterion.id,
                    f"{value!r} is not the points of a level (levels: {allowed})",
                )
            )
            continue
        chosen[criterion.id] = criterion.level_for(points).points
    if problems:
        raise RubricError(problems)
    return chosen


def _proportional(rubric: Rubric, chosen: Mapping[str, Decimal]) -> Fraction:
    total = Fraction(sum(chosen.values(), Decimal(0)))
    return max(Fraction(0), total * Fraction(rubric.grade_max) / Fraction(rubric.max_points))


def _scaled(rubric: Rubric, chosen: Mapping[str, Decimal]) -> Fraction:
    total = Fraction(sum(chosen.values(), Decimal(0)))
    low, high = Fraction(rubric.min_points), Fraction(rubric.max_points)
    return (total - low) * Fraction(rubric.grade_max) / (high - low)


def _weighted(rubric: Rubric, chosen: Mapping[str, Decimal]) -> Fraction:
    weighted_sum = sum(
        (
            Fraction(criterion.weight) * _normalised(criterion, chosen[criterion.id])
            for criterion in rubric.criteria
        ),
        Fraction(0),
    )
    return weighted_sum / Fraction(rubric.total_weight) * Fraction(rubric.grade_max)


def _normalised(criterion: Criterion, points: Decimal) -> Fraction:
    return Fraction(points - criterion.min_points) / Fraction(
        criterion.max_points - criterion.min_points
    )


_RAW_GRADE = {"proportional": _proportional, "scaled": _scaled, "weighted": _weighted}


def _explain(
    rubric: Rubric, chosen: Mapping[str, Decimal], raw: Fraction, grade: Decimal, passed: bool
) -> str:
    gmax = fr_number(rubric.grade_max)
    lines = ["Niveaux retenus :"]
    for criterion in rubric.criteria:
        level = criterion.level_for(chosen[criterion.id])
        weight = f", poids {fr_number(criterion.weight)}" if rubric.formula == "weighted" else ""
        lines.append(
            f"- {criterion.title} : {level.title}, {fr_number(level.points)} point(s) "
            f"sur {fr_number(criterion.min_points)} à {fr_number(criterion.max_points)}{weight}"
        )
    lines.append(
        f"Formule : {FORMULA_NAMES_FR[rubric.formula]}, {_formula_fr(rubric.formula, gmax)}"
    )
    lines.extend(_computation_lines(rubric, chosen, raw, gmax))
    lines.append(f"Note : {fr_decimal(grade)}/{gmax} (arrondie {rubric.rounding.describe_fr()}).")
    verdict = "réussi" if passed else "non réussi"
    lines.append(f"Seuil de réussite {fr_number(rubric.pass_mark)}/{gmax} : {verdict}.")
    return "\n".join(lines)


def _computation_lines(
    rubric: Rubric, chosen: Mapping[str, Decimal], raw: Fraction, gmax: str
) -> list[str]:
    total = sum(chosen.values(), Decimal(0))
    terms = " + ".join(fr_number(chosen[criterion.id]) for criterion in rubric.criteria)
    s, smin, smax = fr_number(total), fr_number(rubric.min_points), fr_number(rubric.max_points)
    if rubric.formula == "proportional":
        return [
            f"S = {terms} = {s} ; Smax = {smax}",
            f"note = {s} / {smax} × {gmax} {fr_equals(raw)}",
        ]
    if rubric.formula == "scaled":
        return [
            f"S = {terms} = {s} ; Smin = {smin} ; Smax = {smax}",
            f"note = ({s} − {smin}) / ({smax} − {smin}) × {gmax} {fr_equals(raw)}",
        ]
    parts = " + ".join(
        f"{fr_number(criterion.weight)} × {_normalised_fr(criterion, chosen[criterion.id])}"
        for criterion in rubric.criteria
    )
    return [f"note = ({parts}) / {fr_number(rubric.total_weight)} × {gmax} {fr_equals(raw)}"]


def _normalised_fr(criterion: Criterion, points: Decimal) -> str:
    """``2/3`` when the lowest level is 0, ``(3 − 1)/(4 − 1)`` otherwise."""
    p, low, high = (
        fr_number(points),
        fr_number(criterion.min_points),
        fr_number(criterion.max_points),
    )
    return f"{p}/{high}" if criterion.min_points == 0 else f"({p} − {low})/({high} − {low})"
