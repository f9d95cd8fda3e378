"""The certificate's programme: pillars, objectives, learning outcomes, axes, seminars, case study,
portfolio and evaluation, loaded from ``config/programme.yaml``.

Pure Python (no web framework): ``prog = load_programme()`` and use the frozen dataclasses.
"""

from .loader import (
    DEFAULT_PROGRAMME_PATH,
    PROGRAMME_PATH_ENV,
    ProgrammeError,
    cached_programme,
    load_programme,
    resolve_programme_path,
)
from .model import (
    Assessment,
    Axis,
    CaseStudy,
    Leadership,
    Objective,
    Outcome,
    Pillar,
    Portfolio,
    Programme,
    Seminar,
)

__all__ = [
    "DEFAULT_PROGRAMME_PATH",
    "PROGRAMME_PATH_ENV",
    "Assessment",
    "Axis",
    "CaseStudy",
    "Leadership",
    "Objective",
    "Outcome",
    "Pillar",
    "Portfolio",
    "Programme",
    "ProgrammeError",
    "Seminar",
    "cached_programme",
    "load_programme",
    "resolve_programme_path",
]
