"""Agreement between jurors: Krippendorff's alpha, each juror's deviation, divergent criteria.

The four members of the oral-exam jury (and the readers of the reports) score independently before
agreeing; these measures tell the jury where and by whom its scores differ, and how reliable the
scoring is as a whole.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from numbers import Real
from typing import Any

LEVELS_OF_MEASUREMENT = ("nominal", "ordinal", "interval")


def krippendorff_alpha(
    units: Mapping[Hashable, Mapping[Hashable, Any]], level: str = "interval"
) -> float | None:
    """Krippendorff's alpha for ``units`` mapping each unit to ``{rater: value}``.

    Follows Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011): values are paired
    within units through the coincidence matrix, alpha = 1 − D_o / D_e, with the difference
    function of the ``level`` of measurement ("nominal", "ordinal" or "interval"). Missing values
    (None or NaN, or a rater absent from a unit) are allowed; units with fewer than two values
    are left out, as the method requires. Returns None when alpha is undefined: fewer than two
    pairable values, or no variation at all (every value the same).
    """
    if level not in LEVELS_OF_MEASUREMENT:
        raise ValueError(
            f"unknown level {level!r} (expected one of: {', '.join(LEVELS_OF_MEASUREMENT)})"
        )
    pairable = [
        counts
        for counts in (_value_counts(ratings, level) for ratings in units.values())
        if counts.total() >= 2
    ]
    coincidences = _coincidences(pairable)
    value_totals: Counter = Counter()
    for (value, _), count in coincidences.items():
        value_totals[value] += count
    total = sum(value_totals.values())
    if total < 2:
        return None
    delta = _difference_function(level, value_totals)
    observed = sum(count * delta(c, k) for (c, k), count in coincidences.items())
    expected = sum(
        value_totals[c] * value_totals[k] * delta(c, k) for c in value_totals for k in value_totals
    ) / (total - 1)
    if expected == 0:
        return None
    return float(1 - observed / expected)


def _value_counts(ratings: Mapping[Hashable, Any], level: str) -> Counter:
    values = [value for value in ratings.values() if not _is_missing(value)]
    if level == "nominal":
        return Counter(values)
    for value in values:
        if not (_is_number(value) or (level == "ordinal" and isinstance(value, str))):
            raise ValueError(f"{value!r} cannot be used at the {level} level")
    return Counter(Fraction(value) for value in values) if level == "interval" else Counter(values)


def _is_number(value: Any) -> bool:
    return isinstance(value, Real | Decimal) and not isinstance(value, bool)


def _is_missing(value: Any) -> bool:
    return value is None or (
        isinstance(value, float | Decimal) and value != value
    )  # NaN differs from itself


def _coincidences(units: Iterable[Counter]) -> Counter:
    """o_ck = Σ over units of the number of c-k pairs of values of different raters / (m_u − 1)."""
    matrix: Counter = Counter()
    for counts in units:
        divisor = counts.total() - 1
        for c, count_c in counts.items():
            for k, count_k in counts.items():
                pairs = count_c * (count_k - 1) if c == k else count_c * count_k
                if pairs:
                    matrix[c, k] += Fraction(pairs, divisor)
    return matrix


def _difference_function(level: str, value_totals: Mapping[Any, Fraction]):
    """The squared difference δ²(c, k) of the level of measurement."""
    if level == "nominal":
        return lambda c, k: 0 if c == k else 1
    if level == "interval":
        return lambda c, k: (c - k) ** 2
    ordered = sorted(value_totals)
    rank = {value: index for index, value in enumerate(ordered)}
    cumulative = [Fraction(0)]
    for value in ordered:
        cumulative.append(cumulative[-1] + value_totals[value])

    def ordinal(c: Any, k: Any) -> Fraction:
        low, high = sorted((rank[c], rank[k]))
        between = cumulative[high + 1] - cumulative[low]
        return (between - (value_totals[c] + value_totals[k]) / 2) ** 2

    return ordinal


@dataclass(frozen=True)
class JurorDeviation:
    """How far a juror's scores lie from the agreed scores.

    ``mean_signed`` > 0: the juror scored higher (more lenient) on average; ``mean_absolute``: the
    average distance whatever its direction; ``count``: the scores compared.
    """

    mean_signed: float
    mean_absolute: float
    count: int


def juror_deviations(
    scores: Iterable[tuple[Hashable, Hashable, Hashable, Any]],
    agreed: Mapping[tuple[Hashable, Hashable], Any],
) -> dict[Hashable, JurorDeviation]:
    """Each juror's mean signed and mean absolute deviation from the agreed scores.

    ``scores`` are ``(juror, unit, criterion, value)``; ``agreed`` maps ``(unit, criterion)`` to the
    agreed value. Scores with no agreed value (not agreed yet) are not compared; jurors with no
    compared score are left out.
    """
    differences: dict[Hashable, list[Fraction]] = defaultdict(list)
    for juror, unit, criterion, value in scores:
        if (
            (unit, criterion) not in agreed
            or _is_missing(value)
            or _is_missing(agreed[unit, criterion])
        ):
            continue
        differences[juror].append(Fraction(value) - Fraction(agreed[unit, criterion]))
    return {
        juror: JurorDeviation(
            mean_signed=float(sum(values) / len(values)),
            mean_absolute=float(sum(abs(value) for value in values) / len(values)),
            count=len(values),
        )
        for juror, values in differences.items()
    }


def divergent_criteria(
    scores_by_juror: Mapping[Hashable, Mapping[Hashable, Any]], threshold: Any
) -> list[Hashable]:
    """Criteria whose highest and lowest scores among jurors differ by more than ``threshold``.

    ``scores_by_juror`` maps each juror to ``{criterion: points}``. Criteria are listed in the order
    in which they first appear; a criterion scored by a single juror never diverges.
    """
    values: dict[Hashable, list[Fraction]] = {}
    for juror_scores in scores_by_juror.values():
        for criterion, points in juror_scores.items():
            if not _is_missing(points):
                values.setdefault(criterion, []).append(Fraction(points))
    limit = Fraction(threshold)
    return [criterion for criterion, points in values.items() if max(points) - min(points) > limit]
