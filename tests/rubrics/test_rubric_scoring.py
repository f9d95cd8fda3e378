"""Grades computed by the three formulas, rounding, pass mark and refused selections."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rubrics import RubricError, describe_formula, parse_rubric, score_rubric


def make_rubric(
    formula: str,
    criteria_levels: list[list[float]],
    *,
    weights=None,
    rounding="half-up to 0.1",
    grade_max=20,
    pass_mark=10,
):
    """A rubric with one criterion c1, c2 ... per list of level points."""
    criteria = []
    for index, points in enumerate(criteria_levels, start=1):
        criterion = {
            "id": f"c{index}",
            "title": f"Critère {index}",
            "description": "Description.",
            "assesses": ["CASE"],
            "levels": [
                {"points": p, "title": f"N{p}", "descriptor": "Descripteur."} for p in points
            ],
        }
        if weights is not None:
            criterion["weight"] = weights[index - 1]
        criteria.append(criterion)
    return parse_rubric(
        {
            "id": "oral-exam",
            "title": "Test",
            "grade_max": grade_max,
            "pass_mark": pass_mark,
            "formula": formula,
            "rounding": rounding,
            "criteria": criteria,
        }
    )


def choose(*points) -> dict[str, object]:
    return {f"c{index}": value for index, value in enumerate(points, start=1)}


# The worked example of reference/rubric-grade-formulas.md: 4 criteria with levels 1-4, S = 10.
MOODLE_EXAMPLE = [[1, 2, 3, 4]] * 4


def test_moodle_zero_points_locked_worked_example():
    result = score_rubric(make_rubric("proportional", MOODLE_EXAMPLE), choose(1, 2, 3, 4))
    assert (result.points, result.max_points, result.raw, result.grade) == (
        10,
        16,
        Decimal("12.5"),
        Decimal("12.5"),
    )
    assert result.formula == "proportional"


def test_moodle_scaled_worked_example():
    result = score_rubric(make_rubric("scaled", MOODLE_EXAMPLE), choose(2, 3, 2, 3))
    assert (result.points, result.min_points, result.raw, result.grade) == (
        10,
        4,
        Decimal(10),
        Decimal("10.0"),
    )


def test_proportional_by_hand():
    # Levels 0-1-2-3, 0-2-4 and 1-2-3-5: Smax = 12; S = 2 + 4 + 1 = 7; 7 / 12 × 20 = 11.666… -> 11.7
    rubric = make_rubric("proportional", [[0, 1, 2, 3], [0, 2, 4], [1, 2, 3, 5]])
    result = score_rubric(rubric, choose(2, 4, 1))
    assert result.grade == Decimal("11.7")
    assert result.raw.quantize(Decimal("0.0001")) == Decimal("11.6667")


def test_scaled_by_hand():
    # Same rubric: Smin = 1, Smax = 12; (7 − 1) / (12 − 1) × 20 = 120 / 11 = 10.909… -> 10.9
    rubric = make_rubric("scaled", [[0, 1, 2, 3], [0, 2, 4], [1, 2, 3, 5]])
    result = score_rubric(rubric, choose(2, 4, 1))
    assert result.grade == Decimal("10.9")
    assert result.passed is True


def test_scaled_gives_zero_at_the_lowest_levels_where_proportional_does_not():
    lowest = choose(1, 1, 1, 1)
    assert score_rubric(make_rubric("scaled", MOODLE_EXAMPLE), lowest).grade == 0
    assert score_rubric(make_rubric("proportional", MOODLE_EXAMPLE), lowest).grade == Decimal("5.0")


def test_weighted_by_hand():
    # Weights 1, 3; levels 1-4 (normalised (p − 1) / 3) and 0-2 (p / 2):
    # (1 × (3 − 1)/3 + 3 × 1/2) / 4 × 20 = (2/3 + 3/2) / 4 × 20 = 10.833… -> 10.8
    rubric = make_rubric("weighted", [[1, 2, 3, 4], [0, 1, 2]], weights=[1, 3])
    result = score_rubric(rubric, choose(3, 1))
    assert result.grade == Decimal("10.8")
    assert "1 × (3 − 1)/(4 − 1) + 3 × 1/2" in result.explanation


def test_weighted_with_equal_weights_and_zero_lowest_levels_equals_proportional():
    levels = [[0, 1, 2, 3]] * 3
    selection = choose(3, 1, 2)
    weighted = score_rubric(make_rubric("weighted", levels, weights=[2, 2, 2]), selection)
    proportional = score_rubric(make_rubric("proportional", levels), selection)
    assert weighted.raw == proportional.raw == Decimal("40") / 3


def test_weight_moves_the_grade_toward_the_heavy_criterion():
    levels = [[0, 1, 2, 3], [0, 1, 2, 3]]
    light = score_rubric(make_rubric("weighted", levels, weights=[1, 1]), choose(3, 0))
    heavy = score_rubric(make_rubric("weighted", levels, weights=[3, 1]), choose(3, 0))
    assert (light.grade, heavy.grade) == (Decimal("10.0"), Decimal("15.0"))


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [
        ("half-up to 0.1", "12.3"),
        ("half-even to 0.1", "12.2"),
        ("down to 0.1", "12.2"),
        ("up to 0.1", "12.3"),
        ("half-up to 0.5", "12.5"),
        ("half-up to 1", "12"),
        ("half-up to 0.01", "12.25"),
    ],
)
def test_rounding_of_an_exact_half(rounding, expected):
    # 49 / 80 × 20 = 12.25 exactly
    rubric = make_rubric("proportional", [[0, 40], [0, 9, 40]], rounding=rounding)
    result = score_rubric(rubric, choose(40, 9))
    assert result.raw == Decimal("12.25")
    assert str(result.grade) == expected


def test_half_up_is_exact_where_binary_floating_point_is_not():
    # 0.7 / 1.6 × 20 = 8.75 exactly, but in floating point it is 8.749999999999998 (-> 8.7).
    assert 0.7 / 1.6 * 20 < 8.75
    rubric = make_rubric("proportional", [[0, 0.7, 1.6]], rounding="half-up to 0.1")
    result = score_rubric(rubric, choose(0.7))
    assert result.raw == Decimal("8.75")
    assert result.grade == Decimal("8.8")


def test_grade_half_even_goes_to_the_even_tenth():
    # 12.35 -> 12.4 with half-even (4 is even); 12.25 -> 12.2
    rubric = make_rubric("proportional", [[0, 40], [0, 9.4, 40]], rounding="half-even to 0.1")
    assert score_rubric(rubric, choose(40, 9.4)).grade == Decimal("12.4")


@pytest.mark.parametrize(("points", "passed"), [(5, True), (4, False)])
def test_pass_mark_is_reached_at_or_above(points, passed):
    # Levels 0..10 by 1, out of 20: 5 points -> 10.0 (passes), 4 points -> 8.0
    rubric = make_rubric("proportional", [list(range(11))])
    result = score_rubric(rubric, choose(points))
    assert result.passed is passed
    assert ("réussi" if passed else "non réussi") in result.explanation.splitlines()[-1]


def test_pass_mark_compares_the_rounded_grade():
    # 9.95 rounds half-up to 10.0, which passes
    rubric = make_rubric("proportional", [[0, 199, 400]], rounding="half-up to 0.1")
    result = score_rubric(rubric, choose(199))
    assert (result.raw, result.grade, result.passed) == (Decimal("9.95"), Decimal("10.0"), True)


def test_selection_points_may_be_given_as_decimal_string_or_float():
    rubric = make_rubric("proportional", [[0, 0.5, 1]])
    grades = {score_rubric(rubric, choose(value)).grade for value in (Decimal("0.5"), "0.5", 0.5)}
    assert grades == {Decimal("10.0")}


def test_unknown_missing_and_impossible_selections_are_all_refused():
    rubric = make_rubric("proportional", [[0, 1, 2], [0, 1, 2], [0, 1, 2]])
    with pytest.raises(RubricError) as caught:
        score_rubric(rubric, {"c1": 3, "c3": "beaucoup", "c9": 1})
    messages = [str(problem) for problem in caught.value.problems]
    assert messages == [
        "score of oral-exam: c9: unknown criterion (known: c1, c2, c3)",
        "score of oral-exam: c1: 3 is not the points of a level (levels: 0, 1, 2)",
        "score of oral-exam: c2: no level chosen",
        "score of oral-exam: c3: 'beaucoup' is not the points of a level (levels: 0, 1, 2)",
    ]


def test_explanation_shows_the_formula_with_the_numbers():
    result = score_rubric(make_rubric("proportional", MOODLE_EXAMPLE), choose(1, 2, 3, 4))
    assert "S = 1 + 2 + 3 + 4 = 10 ; Smax = 16" in result.explanation
    assert "note = 10 / 16 × 20 = 12,5" in result.explanation
    assert "Note : 12,5/20" in result.explanation
    scaled = score_rubric(make_rubric("scaled", MOODLE_EXAMPLE), choose(2, 3, 2, 3))
    assert "note = (10 − 4) / (16 − 4) × 20 = 10" in scaled.explanation


def test_explanation_marks_an_approximate_value():
    result = score_rubric(make_rubric("proportional", [[0, 1, 2, 3]]), choose(1))
    assert "note = 1 / 3 × 20 ≈ 6,6667" in result.explanation
    assert "Note : 6,7/20" in result.explanation


def test_describe_formula_states_formula_rounding_and_pass_mark():
    text = describe_formula(
        make_rubric("scaled", MOODLE_EXAMPLE, rounding="half-even to 0.5", pass_mark=12)
    )
    assert "(S − Smin) / (Smax − Smin) × 20" in text
    assert "arrondie à 0,5 près, au plus proche, les cas à mi-chemin vers le multiple pair" in text
    assert "Seuil de réussite : 12/20" in text
