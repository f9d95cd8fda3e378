"""Errors raised for bad rubric definitions, bad certificate rules and bad scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a definition file or in a request.

    ``source`` names the file (or what stands for it), ``path`` the place inside it in the
    notation ``criteria[2].levels[1].points`` (indexes start at 0), ``line`` the 1-based line
    in the file when known.
    """

    source: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return ": ".join(part for part in (where, self.path, self.message) if part)


class RubricError(ValueError):
    """A rubric, its scoring or the certificate rules were refused; every problem is listed."""

    def __init__(self, problems: Sequence[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(source="", path="", message=problems)]
        # Grouped by file, then in the order of the lines, as a teacher reads the file.
        self.problems: tuple[Problem, ...] = tuple(
            sorted(problems, key=lambda problem: (problem.source, problem.line or 0))
        )
        super().__init__(self._summary())

    def _summary(self) -> str:
        lines = [str(problem) for problem in self.problems]
        if len(lines) == 1:
            return lines[0]
        return f"{len(lines)} problems:\n" + "\n".join(f"  {line}" for line in lines)
