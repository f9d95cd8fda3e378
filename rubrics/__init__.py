"""Rubrics of the CIMP assessments: definitions in YAML beside this code, validation and scoring.

Pure Python (no web framework, no database)::

    from rubrics import load_rubric, score_rubric
    rubric = load_rubric("collective-report")
    result = score_rubric(rubric, {"diagnostic": 2, ...})
    result.grade, result.passed, result.explanation

Inter-rater agreement is in :mod:`rubrics.agreement`, the certificate rules in
:mod:`rubrics.certificate`, table data for display in :mod:`rubrics.render`.
"""

from .errors import Problem, RubricError
from .loading import DEFINITIONS_DIRECTORY, load_rubric, load_rubrics, parse_rubric
from .model import FORMULAS, Criterion, Level, Rubric
from .rounding import Rounding
from .scoring import GradeResult, describe_formula, score_rubric

__all__ = [
    "DEFINITIONS_DIRECTORY",
    "FORMULAS",
    "Criterion",
    "GradeResult",
    "Level",
    "Problem",
    "Rounding",
    "Rubric",
    "RubricError",
    "describe_formula",
    "load_rubric",
    "load_rubrics",
    "parse_rubric",
    "score_rubric",
]
