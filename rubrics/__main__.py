"""Check the rubric definitions and the certificate rules after editing them.

    python -m rubrics check [--rubrics DIRECTORY] [--certificate FILE]

Prints a summary of each rubric (formula, points, criteria) and exits 0, or lists every problem
on standard error and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import describe_formula, load_rubrics
from ._format import fr_number
from .certificate import load_certificate_rules
from .errors import RubricError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rubrics", description="Check rubric definitions."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate the rubrics and the certificate rules")
    check.add_argument(
        "--rubrics", help="directory of rubric definitions (default: the shipped ones)"
    )
    check.add_argument(
        "--certificate", help="certificate rules file (default: config/certificate.yaml)"
    )
    arguments = parser.parse_args(argv)
    try:
        rubrics = load_rubrics(arguments.rubrics)
        rules = load_certificate_rules(arguments.certificate)
    except RubricError as error:
        print(error, file=sys.stderr)
        return 2
    problems = [
        f"{rules.source}: weights: no rubric for assessment {assessment!r}"
        for assessment in rules.assessments
        if assessment not in rubrics
    ]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    for rubric in rubrics.values():
        print(f"{rubric.id} — {rubric.title} ({rubric.source})")
        print(
            f"  {len(rubric.criteria)} critères, points {fr_number(rubric.min_points)} "
            f"à {fr_number(rubric.max_points)}"
        )
        for line in describe_formula(rubric).splitlines():
            print(f"  {line}")
    weights = ", ".join(f"{a} {fr_number(w)}" for a, w in rules.weights.items())
    print(
        f"certificat ({rules.source}) : poids {weights} ; "
        f"seuil {fr_number(rules.pass_mark)}/{fr_number(rules.grade_max)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
