"""The shipped rubrics load, match the programme and compute the examples of their comments."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from rubrics import DEFINITIONS_DIRECTORY, load_rubric, load_rubrics, score_rubric

ASSESSMENTS = ("collective-report", "reflective-report", "oral-exam")


@pytest.fixture(scope="module")
def rubrics():
    return load_rubrics()


def test_one_rubric_per_assessment_keyed_by_its_id(rubrics):
    assert sorted(rubrics) == sorted(ASSESSMENTS)
    for assessment_id, rubric in rubrics.items():
        assert rubric.id == assessment_id
        assert rubric.grade_max == 20 and rubric.pass_mark == 10
        assert rubric.formula in ("proportional", "scaled", "weighted")


def test_load_rubric_gives_the_same_rubric_as_load_rubrics(rubrics):
    for assessment_id in ASSESSMENTS:
        assert load_rubric(assessment_id) == rubrics[assessment_id]


@pytest.mark.parametrize(
    ("assessment_id", "expected_criteria"),
    [
        (
            "collective-report",
            [
                "diagnostic",
                "piliers",
                "pratiques-postures",
                "principes",
                "enseignements",
                "redaction",
            ],
        ),
        (
            "reflective-report",
            [
                "reflexivite",
                "auto-evaluation",
                "identite-professionnelle",
                "intervision",
                "leadership-changement",
            ],
        ),
        (
            "oral-exam",
            [
                "presentation",
                "defense-rapport-collectif",
                "defense-rapport-reflexif",
                "maitrise-programme",
                "posture-reflexive",
            ],
        ),
    ],
)
def test_criteria_follow_the_evaluation_of_the_programme(rubrics, assessment_id, expected_criteria):
    rubric = rubrics[assessment_id]
    assert list(rubric.criterion_ids) == expected_criteria
    for criterion in rubric.criteria:
        assert len(criterion.levels) == 4
        assert criterion.title and criterion.description and criterion.assesses
        assert all(level.title and level.descriptor for level in criterion.levels)


def test_every_identifier_assessed_exists_in_the_real_programme(rubrics, programme):
    for rubric in rubrics.values():
        for identifier in rubric.assesses:
            assert programme.get(identifier) is not None, (rubric.id, identifier)


def test_rubric_ids_are_the_programme_assessments(rubrics, programme):
    assert sorted(rubrics) == sorted(assessment.id for assessment in programme.assessments)


def test_the_rubrics_together_cover_all_pillars_seminars_and_the_case_study(rubrics):
    assessed = {identifier for rubric in rubrics.values() for identifier in rubric.assesses}
    assert {"P1", "P2", "P3", "P4", "P5", "P6", "S1", "S2", "S3", "CASE"} <= assessed


def test_weighted_collective_report_weights_are_percentages(rubrics):
    rubric = rubrics["collective-report"]
    assert rubric.formula == "weighted"
    assert rubric.total_weight == 100


def _examples_in_header(assessment_id: str) -> list[str]:
    text = (DEFINITIONS_DIRECTORY / f"{assessment_id}.yaml").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.startswith("#")]


def _selection_at_level(rubric, index: int) -> dict[str, Decimal]:
    return {criterion.id: criterion.levels[index].points for criterion in rubric.criteria}


@pytest.mark.parametrize("assessment_id", ASSESSMENTS)
def test_satisfaisant_everywhere_gives_the_grade_stated_in_the_header(rubrics, assessment_id):
    header = "\n".join(_examples_in_header(assessment_id))
    stated = re.search(r"Satisfaisant.*?→ (\d+),(\d)/20", header, re.DOTALL)
    assert stated, "the header comment states an example grade"
    rubric = rubrics[assessment_id]
    assert all(criterion.levels[2].title == "Satisfaisant" for criterion in rubric.criteria)
    result = score_rubric(rubric, _selection_at_level(rubric, 2))
    assert result.grade == Decimal(f"{stated.group(1)}.{stated.group(2)}")


def test_second_example_of_the_collective_report_header(rubrics):
    rubric = rubrics["collective-report"]
    selection = _selection_at_level(rubric, 2) | {"diagnostic": 3, "redaction": 1}
    assert "= 14/20" in "\n".join(_examples_in_header("collective-report"))
    assert score_rubric(rubric, selection).grade == Decimal("14.0")


@pytest.mark.parametrize("assessment_id", ASSESSMENTS)
def test_lowest_levels_give_zero_and_highest_give_twenty(rubrics, assessment_id):
    rubric = rubrics[assessment_id]
    lowest = score_rubric(rubric, _selection_at_level(rubric, 0))
    highest = score_rubric(rubric, _selection_at_level(rubric, -1))
    assert (lowest.grade, lowest.passed) == (Decimal("0.0"), False)
    assert (highest.grade, highest.passed) == (Decimal("20.0"), True)
