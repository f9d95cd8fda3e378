"""The programme of the certificate as immutable values.

Everything here is built by :func:`programme.loader.load_programme` from ``config/programme.yaml``;
the classes only hold data and answer questions about it (no I/O).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeVar, Union

AssessmentKind = Literal["collective", "individual"]
ASSESSMENT_KINDS: tuple[str, ...] = ("collective", "individual")


@dataclass(frozen=True, slots=True)
class Axis:
    """A transversal axis (digital, ethics, sustainability) that outcomes may touch."""

    id: str
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """A learning outcome ("acquis d'apprentissage") of an objective or of the case study."""

    id: str
    number: int
    text: str
    axes: tuple[str, ...]
    parent_id: str


@dataclass(frozen=True, slots=True)
class Objective:
    """A development objective of a pillar, with its learning outcomes."""

    id: str
    number: int
    title: str
    pillar_id: str
    outcomes: tuple[Outcome, ...]


@dataclass(frozen=True, slots=True)
class Pillar:
    """One of the six teaching pillars."""

    id: str
    number: int
    title: str
    description: str
    objectives: tuple[Objective, ...]

    @property
    def slug(self) -> str:
        """URL-friendly name, ``pillar-<number>``."""
        return f"pillar-{self.number}"

    def outcomes(self) -> list[Outcome]:
        """All learning outcomes of the pillar, objective by objective."""
        return [outcome for objective in self.objectives for outcome in objective.outcomes]


@dataclass(frozen=True, slots=True)
class Seminar:
    """A change-leadership seminar, held after one pillar."""

    id: str
    number: int
    title: str
    after_pillar: str
    competence: str
    description: str
    hours: int | None = None

    @property
    def slug(self) -> str:
        """URL-friendly name, ``seminar-<number>``."""
        return f"seminar-{self.number}"


@dataclass(frozen=True, slots=True)
class CaseStudy:
    """The real public organisation studied throughout the programme."""

    id: str
    title: str
    description: str
    outcomes: tuple[Outcome, ...]
    subtitle: str = ""

    @property
    def slug(self) -> str:
        """URL-friendly name, always ``case-study``."""
        return "case-study"


@dataclass(frozen=True, slots=True)
class Portfolio:
    """The reflective portfolio and its peer intervision."""

    title: str
    description: str
    intervision: str = ""
    subtitle: str = ""


@dataclass(frozen=True, slots=True)
class Leadership:
    """The change-leadership track that the seminars form."""

    title: str
    description: str
    subtitle: str = ""


@dataclass(frozen=True, slots=True)
class Assessment:
    """One of the certificate's assessments.

    ``group_min``/``group_max`` are 1 for an individual assessment; ``jury_size`` is ``None``
    when no jury is involved.
    """

    id: str
    title: str
    description: str
    kind: AssessmentKind
    group_min: int = 1
    group_max: int = 1
    jury_size: int | None = None

    @property
    def slug(self) -> str:
        """URL-friendly name: the identifier itself."""
        return self.id

    @property
    def is_collective(self) -> bool:
        """True for an assessment produced by a group of participants."""
        return self.kind == "collective"


_Kind = TypeVar("_Kind")
Element = Union[Axis, Pillar, Objective, Outcome, Seminar, CaseStudy, Assessment]
CourseStep = Union[Pillar, Seminar]


@dataclass(frozen=True, slots=True)
class Programme:
    """The whole certificate: pillars, axes, seminars, case study, portfolio and evaluation."""

    title: str
    hours: int
    credits: int
    description: str
    axes: tuple[Axis, ...]
    pillars: tuple[Pillar, ...]
    seminars: tuple[Seminar, ...]
    case_study: CaseStudy
    portfolio: Portfolio
    assessments: tuple[Assessment, ...]
    leadership: Leadership | None = None
    evaluation_description: str = ""
    source_file: str = ""
    _index: dict[str, Element] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Frozen dataclass: the lookup table is computed once and attached with object.__setattr__.
        object.__setattr__(self, "_index", _index_elements(self))

    def objectives(self) -> list[Objective]:
        """All 22 development objectives, pillar by pillar."""
        return [objective for pillar in self.pillars for objective in pillar.objectives]

    def outcomes(self) -> list[Outcome]:
        """The learning outcomes of the objectives (not those of the case study), in order."""
        return [outcome for objective in self.objectives() for outcome in objective.outcomes]

    def all_outcomes(self) -> list[Outcome]:
        """The objectives' learning outcomes followed by the case study's."""
        return self.outcomes() + list(self.case_study.outcomes)

    def identifiers(self) -> list[str]:
        """Every identifier that :meth:`get` accepts, in file order."""
        return list(self._index)

    def get(self, identifier: str) -> Element:
        """The element (axis, pillar, objective, outcome, seminar, case study, assessment) with
        that identifier; ``KeyError`` naming the identifier otherwise."""
        try:
            return self._index[identifier]
        except (KeyError, TypeError):
            raise KeyError(
                f"no programme element with identifier {identifier!r} "
                "(expected e.g. 'P1', 'P1.O2', 'P1.O2.A3', 'S1', 'CASE', 'CASE.A1', 'digital', "
                "'oral-exam')"
            ) from None

    def pillar(self, identifier: str) -> Pillar:
        """The pillar with that identifier (``KeyError`` if it is not a pillar)."""
        return self._typed(identifier, Pillar, "pillar")

    def objective(self, identifier: str) -> Objective:
        """The objective with that identifier (``KeyError`` if it is not an objective)."""
        return self._typed(identifier, Objective, "objective")

    def outcome(self, identifier: str) -> Outcome:
        """The learning outcome with that identifier, case study included."""
        return self._typed(identifier, Outcome, "learning outcome")

    def seminar(self, identifier: str) -> Seminar:
        """The seminar with that identifier (``KeyError`` if it is not a seminar)."""
        return self._typed(identifier, Seminar, "seminar")

    def assessment(self, identifier: str) -> Assessment:
        """The assessment with that identifier (``KeyError`` if it is not an assessment)."""
        return self._typed(identifier, Assessment, "assessment")

    def axis(self, identifier: str) -> Axis:
        """The transversal axis with that identifier (``KeyError`` if it is not an axis)."""
        return self._typed(identifier, Axis, "axis")

    def axis_titles(self, outcome: Outcome) -> tuple[str, ...]:
        """Titles of the axes an outcome touches, in the outcome's order."""
        return tuple(self.axis(axis_id).title for axis_id in outcome.axes)

    def outcomes_by_axis(self, axis_id: str) -> list[Outcome]:
        """All learning outcomes (case study included) that touch the given axis."""
        self.axis(axis_id)
        return [outcome for outcome in self.all_outcomes() if axis_id in outcome.axes]

    def seminars_after(self, pillar_id: str) -> tuple[Seminar, ...]:
        """The seminars held right after the given pillar."""
        return tuple(seminar for seminar in self.seminars if seminar.after_pillar == pillar_id)

    def course_order(self) -> tuple[CourseStep, ...]:
        """Pillars and seminars in the order they are taught (each seminar after its pillar)."""
        steps: list[CourseStep] = []
        for pillar in self.pillars:
            steps.append(pillar)
            steps.extend(self.seminars_after(pillar.id))
        return tuple(steps)

    def _typed(self, identifier: str, kind: type[_Kind], label: str) -> _Kind:
        element = self.get(identifier)
        if not isinstance(element, kind):
            raise KeyError(f"programme element {identifier!r} is not a {label}")
        return element


def _index_elements(programme: Programme) -> dict[str, Element]:
    """Map every identifier to its element; the loader has already refused duplicates."""
    elements: list[Element] = [*programme.axes]
    for pillar in programme.pillars:
        elements.append(pillar)
        for objective in pillar.objectives:
            elements.append(objective)
            elements.extend(objective.outcomes)
    elements.extend(programme.seminars)
    elements.append(programme.case_study)
    elements.extend(programme.case_study.outcomes)
    elements.extend(programme.assessments)
    return {element.id: element for element in elements}
