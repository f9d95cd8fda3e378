"""Krippendorff's alpha against published values; juror deviations; divergent criteria."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rubrics.agreement import divergent_criteria, juror_deviations, krippendorff_alpha

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers,
# 12 units, values 1-5, missing data. Published: nominal 0.743, ordinal 0.815, interval 0.849.
_ = None
OBSERVERS = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    "C": [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
}


def by_unit(observers: dict[str, list]) -> dict[int, dict[str, object]]:
    count = len(next(iter(observers.values())))
    return {
        unit: {name: values[unit] for name, values in observers.items()} for unit in range(count)
    }


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_published_example_with_four_observers_and_missing_values(level, published):
    assert round(krippendorff_alpha(by_unit(OBSERVERS), level), 3) == published


def test_published_binary_example():
    # Section A: two observers, ten units, binary values: alpha = 0.095.
    units = by_unit({"A": [0, 1, 0, 0, 0, 0, 0, 0, 1, 0], "B": [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]})
    assert round(krippendorff_alpha(units, "nominal"), 3) == 0.095


def test_published_nominal_example_with_letters():
    # Section B: two observers, twelve units, nominal categories a-e: alpha = 0.692.
    units = by_unit({"A": list("aabbdcccedda"), "B": list("babbbcccendd".replace("n", "d"))})
    assert round(krippendorff_alpha(units, "nominal"), 3) == 0.692


def test_ordinal_uses_ranks_and_interval_uses_distances():
    # Same ranks, different distances: ordinal alpha is unchanged, interval alpha changes.
    close = by_unit({"A": [1, 2, 3, 1], "B": [1, 2, 3, 2]})
    far = by_unit({"A": [1, 2, 30, 1], "B": [1, 2, 30, 2]})
    assert krippendorff_alpha(close, "ordinal") == pytest.approx(krippendorff_alpha(far, "ordinal"))
    assert krippendorff_alpha(far, "interval") > krippendorff_alpha(close, "interval")


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_perfect_agreement_is_one(level):
    units = by_unit({"A": [1, 2, 3, 4], "B": [1, 2, 3, 4], "C": [1, 2, 3, _]})
    assert krippendorff_alpha(units, level) == 1.0


def test_undefined_without_variation_or_without_pairs():
    assert krippendorff_alpha(by_unit({"A": [3, 3, 3], "B": [3, 3, 3]})) is None
    assert krippendorff_alpha(by_unit({"A": [1, _, 3], "B": [_, 2, _]})) is None
    assert krippendorff_alpha({}) is None


def test_decimal_and_nan_values_are_accepted():
    units = {
        1: {"A": Decimal("2.5"), "B": Decimal("2.5")},
        2: {"A": 1.0, "B": float("nan"), "C": 1},
        3: {"A": 4, "B": 4},
    }
    assert krippendorff_alpha(units, "interval") == 1.0


def test_bad_level_and_non_numbers_are_refused():
    with pytest.raises(ValueError, match="unknown level 'ratio'"):
        krippendorff_alpha({1: {"A": 1, "B": 2}}, "ratio")
    with pytest.raises(ValueError, match="cannot be used at the interval level"):
        krippendorff_alpha({1: {"A": "bon", "B": "mauvais"}}, "interval")


ratings = st.dictionaries(
    st.integers(0, 15),
    st.dictionaries(
        st.sampled_from("ABCD"), st.one_of(st.none(), st.integers(1, 5)), min_size=0, max_size=4
    ),
    max_size=15,
)


@settings(max_examples=150, deadline=None)
@given(ratings, st.sampled_from(["nominal", "ordinal", "interval"]))
def test_matches_the_krippendorff_package(units, level):
    krippendorff = pytest.importorskip("krippendorff")
    numpy = pytest.importorskip("numpy")
    ours = krippendorff_alpha(units, level)
    raters, unit_keys = "ABCD", sorted(units)
    data = numpy.array(
        [
            [units[u].get(r) if units[u].get(r) is not None else numpy.nan for u in unit_keys]
            for r in raters
        ],
        dtype=float,
    )
    if ours is None:
        return
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-9)


def test_juror_deviations_signed_and_absolute():
    agreed = {("alice", "presentation"): 3, ("alice", "posture"): 2, ("bob", "presentation"): 4}
    scores = [
        ("j1", "alice", "presentation", 4),  # +1
        ("j1", "alice", "posture", 1),  # -1
        ("j1", "bob", "presentation", 4),  #  0
        ("j2", "alice", "presentation", 1),  # -2
        ("j2", "bob", "presentation", 3),  # -1
        ("j2", "bob", "posture", 4),  # not agreed yet: left out
        ("j3", "carol", "presentation", 2),  # not agreed yet: left out
    ]
    deviations = juror_deviations(scores, agreed)
    assert set(deviations) == {"j1", "j2"}
    assert (
        deviations["j1"].mean_signed,
        deviations["j1"].mean_absolute,
        deviations["j1"].count,
    ) == (0.0, 2 / 3, 3)
    assert (
        deviations["j2"].mean_signed,
        deviations["j2"].mean_absolute,
        deviations["j2"].count,
    ) == (-1.5, 1.5, 2)


def test_divergent_criteria_above_the_threshold_in_order():
    scores = {
        "j1": {"presentation": 4, "defense": 2, "posture": 3, "maitrise": 1},
        "j2": {"presentation": 2, "defense": 2, "posture": 4},
        "j3": {"presentation": 3, "defense": 3, "posture": 2},
        "j4": {"defense": Decimal("4")},
    }
    assert divergent_criteria(scores, 1) == ["presentation", "defense", "posture"]
    assert divergent_criteria(scores, 2) == []
    assert divergent_criteria(scores, Decimal("1.5")) == ["presentation", "defense", "posture"]
    assert divergent_criteria({"j1": {"presentation": 1}}, 0) == []
