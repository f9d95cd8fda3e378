"""Checking that the programme identifiers named by a rubric exist.

When the ``programme`` package is importable and ``config/programme.yaml`` exists, the real
programme decides (``programme.get(identifier)``). Otherwise identifiers are checked by their
form only: ``P1`` (pillar), ``P1.O2`` (objective), ``P1.O2.A3`` (learning outcome), ``S1``
(seminar), ``CASE`` and ``CASE.A1`` (case study and its outcomes).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from .errors import Problem, RubricError

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
PROGRAMME_FILE = REPOSITORY_ROOT / "config" / "programme.yaml"

IDENTIFIER_FORM = re.compile(
    r"^(?:P[1-9][0-9]*(?:\.O[1-9][0-9]*(?:\.A[1-9][0-9]*)?)?|S[1-9][0-9]*|CASE(?:\.A[1-9][0-9]*)?)$"
)
FORM_HINT = "expected forms: P1, P1.O2, P1.O2.A3, S1, CASE, CASE.A1"


class ProgrammeLookup(Protocol):
    """What is needed of a programme: ``get(identifier)``, None or KeyError when absent."""

    def get(self, identifier: str) -> Any: ...


class IdentifierCheck:
    """Tells why a programme identifier is refused, or None when it is accepted."""

    def __init__(self, programme: ProgrammeLookup | None, programme_name: str = "") -> None:
        self.programme = programme
        self.programme_name = programme_name or "programme"
        assessments = getattr(programme, "assessments", None)
        # The programme also indexes its assessments: what a rubric grades, not what it assesses.
        self.assessment_ids: frozenset[str] | None = (
            frozenset(assessment.id for assessment in assessments)
            if assessments is not None
            else None
        )

    def assessment_problem(self, rubric_id: str) -> str | None:
        """Why ``rubric_id`` is not an assessment of the programme, or None (also when unknown)."""
        if self.assessment_ids is None or rubric_id in self.assessment_ids:
            return None
        known = ", ".join(sorted(self.assessment_ids))
        return (
            f"{rubric_id!r} is not an assessment of the {self.programme_name} "
            f"(assessments: {known})"
        )

    @property
    def uses_programme(self) -> bool:
        return self.programme is not None

    def problem_with(self, identifier: object) -> str | None:
        if not isinstance(identifier, str) or not identifier.strip():
            return f"must be a programme identifier, got {identifier!r}"
        if self.programme is None:
            if IDENTIFIER_FORM.match(identifier):
                return None
            return f"{identifier!r} is not a programme identifier ({FORM_HINT})"
        try:
            found = self.programme.get(identifier)
        except (KeyError, LookupError, ValueError):
            found = None
        if found is None:
            return f"{identifier!r} is not in the {self.programme_name}"
        if self.assessment_ids is not None and identifier in self.assessment_ids:
            return f"{identifier!r} is an assessment, not something a criterion assesses"
        return None


def default_identifier_check() -> IdentifierCheck:
    """The real programme when it is available, otherwise the check by form."""
    if not PROGRAMME_FILE.is_file():
        return IdentifierCheck(None)
    try:
        from programme import load_programme
    except ImportError:
        return IdentifierCheck(None)
    stat = PROGRAMME_FILE.stat()
    try:
        programme = _load_programme_cached(
            load_programme, str(PROGRAMME_FILE), stat.st_mtime_ns, stat.st_size
        )
    except (ValueError, OSError) as exc:
        raise RubricError(
            [
                Problem(
                    str(PROGRAMME_FILE),
                    "",
                    f"cannot check programme identifiers, the programme is invalid: {exc}",
                )
            ]
        ) from None
    return IdentifierCheck(programme, "programme (config/programme.yaml)")


@lru_cache(maxsize=4)
def _load_programme_cached(load_programme: Any, path: str, mtime_ns: int, size: int) -> Any:
    # The modification time and size are part of the cache key so an edited programme is reread.
    return load_programme(path)
