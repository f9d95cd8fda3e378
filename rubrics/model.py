"""The rubric model: a rubric has criteria, a criterion has levels, a level has points.

Objects are immutable; they are built by :func:`rubrics.load_rubric` (or
:func:`rubrics.parse_rubric`), which validates the definition first, so code that receives a
:class:`Rubric` can trust it: every criterion has at least two levels with strictly increasing,
non-negative points, a positive weight and the programme identifiers it assesses.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .rounding import Rounding

FORMULAS = ("proportional", "scaled", "weighted")


@dataclass(frozen=True)
class Level:
    """One performance level of a criterion: its points, a short title and what it looks like."""

    points: Decimal
    title: str
    descriptor: str


@dataclass(frozen=True)
class Criterion:
    """What is assessed, its levels (lowest first), its weight and the programme ids it assesses."""

    id: str
    title: str
    description: str
    levels: tuple[Level, ...]
    weight: Decimal = Decimal(1)
    assesses: tuple[str, ...] = ()

    @property
    def min_points(self) -> Decimal:
        return self.levels[0].points

    @property
    def max_points(self) -> Decimal:
        return self.levels[-1].points

    def level_for(self, points: Decimal) -> Level | None:
        """The level worth exactly ``points``, or None."""
        for level in self.levels:
            if level.points == points:
                return level
        return None


@dataclass(frozen=True)
class Rubric:
    """The rubric of one assessment; ``id`` is the assessment id (``collective-report`` ...).

    ``formula`` is one of :data:`FORMULAS` (see :mod:`rubrics.scoring`); grades go from 0 to
    ``grade_max``; a grade at or above ``pass_mark`` passes.
    """

    id: str
    title: str
    grade_max: Decimal
    pass_mark: Decimal
    formula: str
    rounding: Rounding
    criteria: tuple[Criterion, ...]
    description: str = ""
    source: str = ""

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id; KeyError if there is none."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    @property
    def criterion_ids(self) -> tuple[str, ...]:
        return tuple(criterion.id for criterion in self.criteria)

    @property
    def min_points(self) -> Decimal:
        """Smin: the sum of every criterion's lowest level."""
        return sum((criterion.min_points for criterion in self.criteria), Decimal(0))

    @property
    def max_points(self) -> Decimal:
        """Smax: the sum of every criterion's highest level."""
        return sum((criterion.max_points for criterion in self.criteria), Decimal(0))

    @property
    def total_weight(self) -> Decimal:
        return sum((criterion.weight for criterion in self.criteria), Decimal(0))

    @property
    def assesses(self) -> tuple[str, ...]:
        """Every programme id assessed by some criterion, in order of first appearance."""
        seen: dict[str, None] = {}
        for criterion in self.criteria:
            seen.update(dict.fromkeys(criterion.assesses))
        return tuple(seen)
