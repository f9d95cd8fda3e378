"""Properties of every formula on generated rubrics: grade within 0..grade_max, monotone."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from rubrics import FORMULAS, parse_rubric, score_rubric

points_values = st.decimals(
    min_value=0, max_value=50, places=2, allow_nan=False, allow_infinity=False
)


@st.composite
def rubric_and_selection(draw):
    """A generated rubric, a level index chosen per criterion, and one criterion to raise."""
    formula = draw(st.sampled_from(FORMULAS))
    mode = draw(st.sampled_from(["half-up", "half-even", "down", "up"]))
    step = draw(st.sampled_from([Decimal("0.01"), Decimal("0.1"), Decimal("0.5"), Decimal(1)]))
    rounding = f"{mode} to {step}"
    # grade_max is a multiple of the step, as validation requires: 20, 10, 17.5, 100 ...
    grade_max = step * draw(st.integers(min_value=1, max_value=100)) * (1 if step >= 1 else 20)
    count = draw(st.integers(min_value=1, max_value=6))
    criteria = []
    for index in range(count):
        points = sorted(draw(st.sets(points_values, min_size=2, max_size=5)))
        weight = (
            draw(st.decimals(min_value=Decimal("0.1"), max_value=10, places=1))
            if formula == "weighted"
            else 1
        )
        criteria.append(
            {
                "id": f"c{index}",
                "title": f"Critère {index}",
                "description": "Généré.",
                "weight": weight,
                "assesses": ["CASE"],
                "levels": [
                    {"points": p, "title": f"N{p}", "descriptor": "Généré."} for p in points
                ],
            }
        )
    rubric = parse_rubric(
        {
            "id": "oral-exam",
            "title": "Générée",
            "grade_max": grade_max,
            "pass_mark": grade_max / 2,
            "formula": formula,
            "rounding": rounding,
            "criteria": criteria,
        },
        programme=AnyProgramme(),
    )
    chosen = [draw(st.integers(min_value=0, max_value=len(c.levels) - 1)) for c in rubric.criteria]
    raised = draw(st.integers(min_value=0, max_value=count - 1))
    return rubric, chosen, raised


class AnyProgramme:
    """Accepts every identifier, so generated rubrics do not depend on the real programme."""

    def get(self, identifier):
        return identifier


def selection(rubric, chosen):
    return {c.id: c.levels[i].points for c, i in zip(rubric.criteria, chosen, strict=True)}


@settings(max_examples=200, deadline=None)
@given(rubric_and_selection())
def test_grade_stays_between_zero_and_grade_max(case):
    rubric, chosen, _ = case
    result = score_rubric(rubric, selection(rubric, chosen))
    assert 0 <= result.raw <= rubric.grade_max
    assert 0 <= result.grade <= rubric.grade_max
    assert result.passed == (result.grade >= rubric.pass_mark)


@settings(max_examples=200, deadline=None)
@given(rubric_and_selection())
def test_raising_one_criterion_never_lowers_the_grade(case):
    rubric, chosen, raised = case
    criterion = rubric.criteria[raised]
    before = score_rubric(rubric, selection(rubric, chosen))
    for higher in range(chosen[raised] + 1, len(criterion.levels)):
        after = score_rubric(
            rubric, selection(rubric, chosen[:raised] + [higher] + chosen[raised + 1 :])
        )
        assert after.raw > before.raw
        assert after.grade >= before.grade
        before = after


@settings(max_examples=200, deadline=None)
@given(rubric_and_selection())
def test_lowest_and_highest_levels_give_the_ends_of_the_scale(case):
    rubric, _, _ = case
    highest = score_rubric(rubric, {c.id: c.max_points for c in rubric.criteria})
    lowest = score_rubric(rubric, {c.id: c.min_points for c in rubric.criteria})
    assert highest.raw == rubric.grade_max
    if rubric.formula != "proportional" or rubric.min_points == 0:
        assert lowest.raw == 0
    else:
        exact = (
            Fraction(rubric.min_points) / Fraction(rubric.max_points) * Fraction(rubric.grade_max)
        )
        assert abs(Fraction(lowest.raw) - exact) < Fraction(1, 10**20)
