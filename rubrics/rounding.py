"""Rounding of grades, written in definition files as ``half-up to 0.1``.

The grade is first computed exactly (rational arithmetic, no binary floating point) and rounded
once, so a grade that is exactly 12.45 becomes 12.5 with ``half-up to 0.1``, never 12.4 because
of a representation error such as 12.4499999.

Modes (grades are never negative, so "up" means "away from zero"):

- ``half-up``: to the nearest multiple of the step, exact halves go up (12.45 -> 12.5);
- ``half-even``: to the nearest multiple, exact halves go to the even multiple (12.45 -> 12.4,
  12.55 -> 12.6), as banks do;
- ``down``: to the multiple below (truncation: 12.49 -> 12.4);
- ``up``: to the multiple above (12.41 -> 12.5).

The step is any positive number: ``0.1`` (tenths), ``0.5`` (half points), ``1`` (whole points).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ._checks import to_decimal

ROUNDING_MODES = ("half-up", "half-even", "down", "up")
_PATTERN = re.compile(r"^\s*(?P<mode>[a-z-]+)\s+to\s+(?P<step>\S+)\s*$")
ROUNDING_HINT = "'<mode> to <step>', e.g. 'half-up to 0.1'; modes: " + ", ".join(ROUNDING_MODES)

_MODE_FR = {
    "half-up": "au plus proche, les cas à mi-chemin vers le haut",
    "half-even": "au plus proche, les cas à mi-chemin vers le multiple pair",
    "down": "vers le bas (troncature)",
    "up": "vers le haut",
}


@dataclass(frozen=True)
class Rounding:
    """A rounding rule: a mode among :data:`ROUNDING_MODES` and a positive step."""

    mode: str
    step: Decimal

    def __post_init__(self) -> None:
        if self.mode not in ROUNDING_MODES:
            raise ValueError(f"unknown rounding mode {self.mode!r} ({ROUNDING_HINT})")
        if self.step <= 0:
            raise ValueError(f"rounding step must be greater than 0, got {self.step}")

    @classmethod
    def parse(cls, text: str) -> Rounding:
        """Read ``'half-up to 0.1'``; raises ValueError with the expected form otherwise."""
        match = _PATTERN.match(text) if isinstance(text, str) else None
        step = to_decimal(match.group("step")) if match else None
        if match is None or step is None:
            raise ValueError(f"must be written {ROUNDING_HINT}, got {text!r}")
        return cls(match.group("mode"), step)

    def apply(self, value: Fraction | Decimal | int) -> Decimal:
        """Round the exact ``value`` to a multiple of the step, with the step's decimals."""
        multiples = Fraction(value) / Fraction(self.step)
        if self.mode == "down":
            count = math.floor(multiples)
        elif self.mode == "up":
            count = math.ceil(multiples)
        elif self.mode == "half-up":
            count = math.floor(multiples + Fraction(1, 2))
        else:
            count = round(multiples)  # Fraction.__round__ rounds exact halves to even
        return Decimal(count) * self.step

    def __str__(self) -> str:
        return f"{self.mode} to {self.step}"

    def describe_fr(self) -> str:
        """The rule in French, to follow « arrondie » :
        « à 0,1 près, au plus proche, les cas à mi-chemin vers le haut »."""
        step = str(self.step).replace(".", ",")
        return f"à {step} près, {_MODE_FR[self.mode]}"
