"""Rubrics as HTML tables for the assessment pages, generated from the rubrics' YAML definitions."""

from __future__ import annotations

from decimal import Decimal

from rubrics import load_rubric

from imscc_export import html


def _number(value: Decimal) -> str:
    """``2`` rather than ``2.0``, ``1,5`` with the French decimal comma."""
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return text.replace(".", ",")


def _points(value: Decimal) -> str:
    return f"{_number(value)} pt" if value <= 1 else f"{_number(value)} pts"


def _level_cell(level) -> str:
    return (
        f"<strong>{html.text(level.title)}</strong> ({html.text(_points(level.points))})"
        f"<br>{html.text(' '.join(level.descriptor.split()))}"
    )


def rubric_html(rubric) -> str:
    """The rubric as a table: one row per criterion (title, description, weight), one column per
    level (title, points, descriptor), and the grading rule under it."""
    level_count = max(len(criterion.levels) for criterion in rubric.criteria)
    header = ["Critère", "Poids"] + [f"Niveau {number}" for number in range(1, level_count + 1)]
    rows = []
    for criterion in rubric.criteria:
        title = (
            f"{html.text(criterion.title)}<br>"
            f"<small>{html.text(' '.join(criterion.description.split()))}</small>"
        )
        cells = [_level_cell(level) for level in criterion.levels]
        cells += [""] * (level_count - len(cells))
        rows.append([title, html.text(_number(criterion.weight))] + cells)
    rule = (
        f"Note sur {_number(rubric.grade_max)} ; réussite à partir de {_number(rubric.pass_mark)}."
    )
    return html.table(rubric.title, header, rows) + html.paragraphs(rule)


def rubric_table_html(assessment) -> str:
    """The HTML rubric table of a programme assessment (``RubricError`` if its rubric is invalid)."""
    return rubric_html(load_rubric(assessment.id))
