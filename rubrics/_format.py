"""Numbers written the French way for explanations shown to jurors and participants."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction


def fr_number(value: Decimal | Fraction | int, decimals: int = 4) -> str:
    """``12.5`` -> ``'12,5'``, ``10`` -> ``'10'``, ``1/3`` -> ``'≈ 0,3333'`` (approximation)."""
    if isinstance(value, Fraction):
        shown = Decimal(value.numerator) / Decimal(value.denominator)
        rounded = shown.quantize(Decimal(1).scaleb(-decimals))
        exact = Fraction(rounded) == value
    else:
        shown = Decimal(value)
        rounded = shown.quantize(Decimal(1).scaleb(-decimals))
        exact = rounded == shown
    text = format(rounded.normalize(), "f") if rounded != 0 else "0"
    return ("" if exact else "≈ ") + text.replace(".", ",")


def fr_decimal(value: Decimal) -> str:
    """A rounded Decimal with its decimals kept: ``Decimal('14.0')`` -> ``'14,0'``."""
    return format(value, "f").replace(".", ",")


def fr_equals(value: Decimal | Fraction | int) -> str:
    """``'= 12,5'`` for an exact value, ``'≈ 13,3333'`` for an approximation."""
    text = fr_number(value)
    return text if text.startswith("≈") else f"= {text}"


def exact_decimal(value: Fraction) -> Decimal:
    """The Decimal equal to ``value`` when it has a finite expansion, else 28 significant digits."""
    return Decimal(value.numerator) / Decimal(value.denominator)
