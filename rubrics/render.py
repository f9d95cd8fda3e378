"""Plain data for showing a rubric as a table (criteria × levels), in the tool and in the cartridge.

Nothing here writes HTML: templates receive lists and dicts of strings (numbers already written
the French way) and lay them out as they need.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ._format import fr_number
from .model import Criterion, Rubric
from .scoring import describe_formula


def rubric_table_rows(rubric: Rubric) -> list[dict[str, Any]]:
    """One row per criterion, in the rubric's order.

    Each row: ``id``, ``title``, ``description``, ``weight`` (Decimal) and ``weight_label``,
    ``share`` (Fraction, the criterion's part of the grade range under the rubric's formula) and
    ``share_label`` (``'20 %'``), ``assesses`` (programme ids), ``min_points`` / ``max_points``
    with their labels, and ``levels``: a list, lowest first, of ``{"points", "points_label",
    "title", "descriptor"}``.
    """
    return [_row(rubric, criterion) for criterion in rubric.criteria]


def rubric_table(rubric: Rubric) -> dict[str, Any]:
    """The whole table: ``title``, ``description``, ``formula`` (French text to show the jury),
    ``level_count`` (columns needed for the longest criterion) and ``rows``
    (see :func:`rubric_table_rows`).
    """
    rows = rubric_table_rows(rubric)
    return {
        "id": rubric.id,
        "title": rubric.title,
        "description": rubric.description,
        "formula": describe_formula(rubric),
        "grade_max_label": fr_number(rubric.grade_max),
        "level_count": max(len(row["levels"]) for row in rows),
        "rows": rows,
    }


def _row(rubric: Rubric, criterion: Criterion) -> dict[str, Any]:
    share = _share(rubric, criterion)
    return {
        "id": criterion.id,
        "title": criterion.title,
        "description": criterion.description,
        "weight": criterion.weight,
        "weight_label": fr_number(criterion.weight),
        "share": share,
        "share_label": f"{fr_number(share * 100, decimals=1).removeprefix('≈ ')} %",
        "assesses": list(criterion.assesses),
        "min_points": criterion.min_points,
        "max_points": criterion.max_points,
        "min_points_label": fr_number(criterion.min_points),
        "max_points_label": fr_number(criterion.max_points),
        "levels": [
            {
                "points": level.points,
                "points_label": fr_number(level.points),
                "title": level.title,
                "descriptor": level.descriptor,
            }
            for level in criterion.levels
        ],
    }


def _share(rubric: Rubric, criterion: Criterion) -> Fraction:
    """How much of the grade range this criterion can move, under the rubric's formula."""
    if rubric.formula == "weighted":
        return Fraction(criterion.weight) / Fraction(rubric.total_weight)
    if rubric.formula == "scaled":
        span = Fraction(criterion.max_points - criterion.min_points)
        return span / Fraction(rubric.max_points - rubric.min_points)
    return Fraction(criterion.max_points) / Fraction(rubric.max_points)


__all__ = ["rubric_table", "rubric_table_rows"]
