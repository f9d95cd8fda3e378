"""Small helpers that read typed values out of parsed YAML and collect every problem found.

Each reader returns ``None`` after recording a problem, so validation goes on and the teacher
gets the whole list of what to fix at once instead of one error per attempt.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ._yaml import YamlDocument, child_path
from .errors import Problem

SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
SLUG_HINT = "lowercase letters, digits and single hyphens, e.g. 'collective-report'"


def to_decimal(value: Any) -> Decimal | None:
    """The exact Decimal for an int, a float (0.1 stays 0.1), a Decimal or a numeric string.

    Returns None for anything else, booleans and non-finite numbers included.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


class Checker:
    """Collects problems for one document, each with its path and line."""

    def __init__(self, document: YamlDocument) -> None:
        self.document = document
        self.problems: list[Problem] = list(document.problems)

    def problem(self, path: str, message: str) -> None:
        self.problems.append(
            Problem(self.document.source, path, message, self.document.line_of(path))
        )

    def mapping(
        self, value: Any, path: str, what: str = "a mapping (key: value)"
    ) -> Mapping | None:
        if isinstance(value, Mapping):
            return value
        self.problem(path, f"must be {what}, got {describe(value)}")
        return None

    def unknown_keys(self, data: Mapping, path: str, allowed: Collection[str]) -> None:
        for key in data:
            if key not in allowed:
                expected = ", ".join(sorted(allowed))
                self.problem(child_path(path, key), f"unknown key (expected one of: {expected})")

    def text(self, data: Mapping, key: str, path: str, *, required: bool = True) -> str | None:
        where = child_path(path, key)
        if key not in data or data[key] is None:
            if required:
                self.problem(where, "missing (a non-empty text is required)")
            return None
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            self.problem(where, f"must be a non-empty text, got {describe(value)}")
            return None
        return value.strip()

    def slug(self, data: Mapping, key: str, path: str) -> str | None:
        value = self.text(data, key, path)
        if value is not None and not SLUG.match(value):
            self.problem(
                child_path(path, key), f"{value!r} is not a valid identifier ({SLUG_HINT})"
            )
            return None
        return value

    def number(
        self,
        data: Mapping,
        key: str,
        path: str,
        *,
        required: bool = True,
        default: Decimal | None = None,
        minimum: Decimal | None = None,
        positive: bool = False,
    ) -> Decimal | None:
        where = child_path(path, key)
        if key not in data or data[key] is None:
            if required:
                self.problem(where, "missing (a number is required)")
            return default
        number = to_decimal(data[key]) if not isinstance(data[key], str) else None
        if number is None:
            self.problem(where, f"must be a number, got {describe(data[key])}")
            return None
        if positive and number <= 0:
            self.problem(where, f"must be greater than 0, got {number}")
            return None
        if minimum is not None and number < minimum:
            self.problem(where, f"must be at least {minimum}, got {number}")
            return None
        return number

    def sequence(self, data: Mapping, key: str, path: str, *, min_items: int = 1) -> list | None:
        where = child_path(path, key)
        if key not in data or data[key] is None:
            self.problem(where, f"missing (a list of at least {min_items} item(s) is required)")
            return None
        value = data[key]
        if not isinstance(value, list):
            self.problem(where, f"must be a list, got {describe(value)}")
            return None
        if len(value) < min_items:
            self.problem(where, f"must have at least {min_items} item(s), has {len(value)}")
            return None
        return value


def describe(value: Any) -> str:
    """Short description of a YAML value for messages: ``'abc' (text)``, ``nothing``, ``a list``."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (yes/no)"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"{shown!r} (text)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return repr(value)
