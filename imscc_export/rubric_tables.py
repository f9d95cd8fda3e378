"""Rubrics as HTML tables for the assessment pages, from the rubrics' YAML definitions.

The figures and their French wording come from :func:`rubrics.render.rubric_table`, the same data
the tool shows the jury; this module only lays them out as HTML.
"""

from __future__ import annotations

from rubrics import load_rubric
from rubrics.render import rubric_table

from imscc_export import html


def _points(label: str) -> str:
    return f"{label} pt" if label in ("0", "1") else f"{label} pts"


def _level_cell(level: dict) -> str:
    points = html.text(_points(level["points_label"]))
    return (
        f"<strong>{html.text(level['title'])}</strong> ({points})"
        f"<br>{html.text(' '.join(level['descriptor'].split()))}"
    )


def _criterion_cell(row: dict) -> str:
    description = html.text(" ".join(row["description"].split()))
    cell = f"{html.text(row['title'])}<br><small>{description}</small>"
    if row["assesses"]:
        cell += f"<br><small>Évalue : {html.text(', '.join(row['assesses']))}</small>"
    return cell


def rubric_html(rubric) -> str:
    """The rubric as a table (one row per criterion with its weight and share of the grade, one
    column per level with its title, points and descriptor), followed by the grading rule."""
    table = rubric_table(rubric)
    level_count = table["level_count"]
    header = ["Critère", "Poids"] + [f"Niveau {number}" for number in range(1, level_count + 1)]
    rows = []
    for row in table["rows"]:
        cells = [_level_cell(level) for level in row["levels"]]
        cells += [""] * (level_count - len(cells))
        weight = html.text(f"{row['weight_label']} ({row['share_label']} de la note)")
        rows.append([_criterion_cell(row), weight] + cells)
    return html.table(table["title"], header, rows) + "".join(
        html.paragraphs(line) for line in table["formula"].splitlines()
    )


def rubric_table_html(assessment, programme=None) -> str:
    """The HTML rubric table of a programme assessment, its assessed ids checked against
    ``programme`` (``RubricError`` if the rubric is missing or invalid)."""
    return rubric_html(load_rubric(assessment.id, programme=programme))
