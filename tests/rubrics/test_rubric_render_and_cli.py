"""Table data for display, and the `python -m rubrics check` command."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

from rubrics import load_rubric, parse_rubric
from rubrics.render import rubric_table, rubric_table_rows

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


def test_rows_follow_criteria_and_levels_of_the_rubric():
    rubric = load_rubric("reflective-report")
    rows = rubric_table_rows(rubric)
    assert [row["id"] for row in rows] == list(rubric.criterion_ids)
    first = rows[0]
    assert [level["points_label"] for level in first["levels"]] == ["0", "2", "4", "6"]
    assert [level["title"] for level in first["levels"]] == [
        level.title for level in rubric.criteria[0].levels
    ]
    assert first["assesses"] == list(rubric.criteria[0].assesses)
    assert (first["min_points_label"], first["max_points_label"]) == ("0", "6")


def test_share_of_each_criterion_under_each_formula():
    weighted = rubric_table_rows(load_rubric("collective-report"))
    assert [row["share_label"] for row in weighted] == [
        "20 %",
        "20 %",
        "20 %",
        "15 %",
        "15 %",
        "10 %",
    ]
    proportional = rubric_table_rows(load_rubric("reflective-report"))
    assert [row["share"] for row in proportional] == [
        Fraction(1, 4),
        Fraction(1, 4),
        Fraction(1, 8),
        Fraction(1, 8),
        Fraction(1, 4),
    ]
    assert proportional[2]["share_label"] == "12,5 %"
    scaled = rubric_table_rows(load_rubric("oral-exam"))
    assert {row["share_label"] for row in scaled} == {"20 %"}
    assert sum(row["share"] for row in weighted + proportional + scaled) == 3


def test_table_has_formula_text_and_enough_level_columns():
    rubric = parse_rubric(
        {
            "id": "oral-exam",
            "title": "T",
            "grade_max": 20,
            "pass_mark": 10,
            "formula": "weighted",
            "rounding": "half-up to 0.1",
            "criteria": [
                {
                    "id": "a",
                    "title": "A",
                    "description": "D",
                    "weight": 1,
                    "assesses": ["CASE"],
                    "levels": [{"points": p, "title": "t", "descriptor": "d"} for p in (0, 1)],
                },
                {
                    "id": "b",
                    "title": "B",
                    "description": "D",
                    "weight": 2,
                    "assesses": ["CASE"],
                    "levels": [{"points": p, "title": "t", "descriptor": "d"} for p in (0, 0.5, 1)],
                },
            ],
        }
    )
    table = rubric_table(rubric)
    assert table["level_count"] == 3
    assert table["rows"][1]["levels"][1]["points_label"] == "0,5"
    assert table["rows"][0]["share_label"] == "33,3 %"
    assert "Σ poids" in table["formula"]


def run_check(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rubrics", "check", *arguments],
        capture_output=True,
        text=True,
        cwd=REPOSITORY_ROOT,
        timeout=60,
    )


def test_check_command_accepts_the_shipped_files():
    completed = run_check()
    assert completed.returncode == 0, completed.stderr
    assert "collective-report" in completed.stdout and "oral-exam" in completed.stdout
    assert "note = (S − Smin) / (Smax − Smin) × 20" in completed.stdout


def test_check_command_reports_problems_without_a_traceback(tmp_path):
    (tmp_path / "oral-exam.yaml").write_text("id: oral-exam\ntitle: Oral\n", encoding="utf-8")
    completed = run_check("--rubrics", str(tmp_path))
    assert completed.returncode == 2
    assert f"{tmp_path / 'oral-exam.yaml'}:1: formula: missing" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert completed.stdout == ""


def test_check_command_reports_an_assessment_without_rubric(tmp_path):
    rules = tmp_path / "certificate.yaml"
    rules.write_text(
        "weights: {collective-report: 1, reflective-report: 1, oral-exam: 1, thesis: 1}\n"
        "grade_max: 20\npass_mark: 10\nrounding: half-up to 0.1\n",
        encoding="utf-8",
    )
    completed = run_check("--certificate", str(rules))
    assert completed.returncode == 2
    assert "weights: no rubric for assessment 'thesis'" in completed.stderr
