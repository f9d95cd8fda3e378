"""Which programme identifiers a rubric may name, with and without the real programme."""

from __future__ import annotations

import pytest

from rubrics import RubricError, parse_rubric, programme_ids
from rubrics.programme_ids import IdentifierCheck


@pytest.mark.parametrize(
    "identifier",
    ["P1", "P6", "P1.O2", "P4.O6", "P1.O2.A3", "P3.O1.A9", "S1", "S3", "CASE", "CASE.A2"],
)
def test_form_check_accepts_the_documented_forms(identifier):
    assert IdentifierCheck(None).problem_with(identifier) is None


@pytest.mark.parametrize(
    "identifier", ["p1", "P0", "P1.A2", "P1.O0", "P1.O2.A3.B4", "S", "CASE.O1", "Pilier 1", "", 7]
)
def test_form_check_refuses_other_forms(identifier):
    problem = IdentifierCheck(None).problem_with(identifier)
    assert problem is not None
    assert "expected forms: P1, P1.O2, P1.O2.A3, S1, CASE, CASE.A1" in problem or "got" in problem


def test_without_the_programme_file_identifiers_are_checked_by_form(
    monkeypatch, tmp_path, rubric_data
):
    monkeypatch.setattr(programme_ids, "PROGRAMME_FILE", tmp_path / "absent.yaml")
    rubric_data["criteria"][0]["assesses"] = ["P9.O9.A9", "P1.X"]
    with pytest.raises(RubricError) as caught:
        parse_rubric(rubric_data, "rubric.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "rubric.yaml: criteria[0].assesses[1]: 'P1.X' is not a programme identifier "
        "(expected forms: P1, P1.O2, P1.O2.A3, S1, CASE, CASE.A1)"
    ]


def test_an_invalid_programme_file_is_reported_not_ignored(monkeypatch, tmp_path, rubric_data):
    pytest.importorskip("programme")
    broken = tmp_path / "programme.yaml"
    broken.write_text("pillars: [\n", encoding="utf-8")
    monkeypatch.setattr(programme_ids, "PROGRAMME_FILE", broken)
    with pytest.raises(RubricError) as caught:
        parse_rubric(rubric_data, "rubric.yaml")
    (problem,) = caught.value.problems
    assert problem.source == str(broken)
    assert "cannot check programme identifiers, the programme is invalid" in problem.message


def test_the_real_programme_is_used_when_present(rubric_data, programme):
    rubric_data["criteria"][0]["assesses"] = ["P2.O4"]  # pillar 2 has 3 objectives
    with pytest.raises(RubricError, match=r"'P2.O4' is not in the programme"):
        parse_rubric(rubric_data, "rubric.yaml")
    rubric_data["criteria"][0]["assesses"] = ["P4.O6.A2", "CASE.A2", "S3"]
    assert parse_rubric(rubric_data, "rubric.yaml").criteria[0].assesses == (
        "P4.O6.A2",
        "CASE.A2",
        "S3",
    )
