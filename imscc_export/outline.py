"""The course as the cartridge presents it: sections in course order and the entries of each.

This module decides *what* goes into the course (pure data, no XML); ``cartridge`` decides how it
is written. Launch addresses come from ``programme.targets`` so that the tool and the cartridge
always agree on them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from programme import Assessment, Objective, Pillar, Programme, Seminar
from programme.targets import LaunchTarget, launch_targets

from imscc_export import identifiers, pages


@dataclass(frozen=True)
class Alignment:
    """A curriculum element a page covers: its programme id and its GUID."""

    label: str
    guid: str


@dataclass(frozen=True)
class Page:
    """An HTML page (a Moodle "Page")."""

    key: str
    title: str
    path: str
    html: str
    alignments: tuple[Alignment, ...] = ()


@dataclass(frozen=True)
class LtiLink:
    """A link to the CIMP tool (a Moodle "External tool")."""

    key: str
    title: str
    description: str
    url: str
    path: str


@dataclass(frozen=True)
class Discussion:
    """A discussion topic (a Moodle "Forum")."""

    key: str
    title: str
    text_html: str
    path: str


Entry = Page | LtiLink | Discussion


@dataclass(frozen=True)
class Section:
    """A second-level organization item: one Moodle course section."""

    key: str
    title: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class CourseOutline:
    """Everything the cartridge holds, in order."""

    title: str
    description: str
    sections: tuple[Section, ...]

    def entries(self) -> list[Entry]:
        """All entries, section by section."""
        return [entry for section in self.sections for entry in section.entries]


RubricRenderer = Callable[[Assessment], str]


class _Targets:
    """The programme's launch targets, found by element id (``"portfolio"`` for the portfolio)."""

    def __init__(self, programme: Programme, tool_url: str) -> None:
        self._tool_url = tool_url
        self._by_key: dict[str, LaunchTarget] = {
            target.element_id or target.kind: target for target in launch_targets(programme)
        }

    def url(self, key: str) -> str:
        return self._by_key[key].url(self._tool_url)


def build_outline(
    programme: Programme, tool_url: str, rubric_html: RubricRenderer
) -> CourseOutline:
    """Lay the programme out as course sections.

    ``tool_url`` is the tool's base address (already checked); every LTI link launches
    ``tool_url`` followed by the canonical path of its target (``programme.targets``), because
    Moodle keeps no custom parameter of an imported link. ``rubric_html(assessment)`` returns the
    HTML table of an assessment's rubric.
    """
    targets = _Targets(programme, tool_url)
    sections = [_presentation_section(programme)]
    for step in programme.course_order():
        if isinstance(step, Pillar):
            sections.append(_pillar_section(programme, step, targets))
        elif isinstance(step, Seminar):
            sections.append(_seminar_section(programme, step, targets))
    sections.append(_case_study_section(programme, targets))
    sections.append(_portfolio_section(programme, targets))
    sections.append(_evaluation_section(programme, targets, rubric_html))
    return CourseOutline(programme.title, programme.description, tuple(sections))


def _presentation_section(programme: Programme) -> Section:
    page = Page(
        key="PRESENTATION_PAGE",
        title="Présentation du certificat",
        path="pages/presentation.html",
        html=pages.presentation_page(programme),
    )
    return Section("PRESENTATION", "Présentation", (page,))


def _pillar_section(programme: Programme, pillar: Pillar, targets: _Targets) -> Section:
    pillar_key = identifiers.key_for(pillar.id)
    objective_pages = tuple(
        Page(
            key=identifiers.key_for(objective.id),
            title=f"{objective.id} · {objective.title}",
            path=f"pages/{pillar.slug}/objective-{objective.number}.html",
            html=pages.objective_page(programme, pillar, objective),
            alignments=_objective_alignments(objective),
        )
        for objective in pillar.objectives
    )
    portfolio_link = LtiLink(
        key=f"{pillar_key}_PORTFOLIO",
        title=f"Portfolio · Pilier {pillar.number}",
        description=(
            f"Portfolio réflexif du pilier {pillar.number} ({pillar.title}) : "
            "traces d'apprentissage et auto-évaluation des acquis."
        ),
        url=targets.url(pillar.id),
        path=f"lti/portfolio-{pillar.slug}.xml",
    )
    intervision = Discussion(
        key=f"{pillar_key}_INTERVISION",
        title=f"Intervision · Pilier {pillar.number}",
        text_html=pages.intervision_topic(pillar),
        path=f"discussions/intervision-{pillar.slug}.xml",
    )
    title = f"Pilier {pillar.number} · {pillar.title}"
    return Section(pillar_key, title, objective_pages + (portfolio_link, intervision))


def _objective_alignments(objective: Objective) -> tuple[Alignment, ...]:
    ids = [objective.id] + [outcome.id for outcome in objective.outcomes]
    return tuple(Alignment(label, identifiers.curriculum_guid(label)) for label in ids)


def _seminar_section(programme: Programme, seminar: Seminar, targets: _Targets) -> Section:
    key = identifiers.key_for(seminar.id)
    page = Page(
        key=f"{key}_PAGE",
        title=seminar.title,
        path=f"pages/{seminar.slug}.html",
        html=pages.seminar_page(programme, seminar),
    )
    journal = LtiLink(
        key=f"{key}_JOURNAL",
        title=f"Journal · Séminaire {seminar.number}",
        description=f"Journal du séminaire {seminar.number} : {seminar.competence}.",
        url=targets.url(seminar.id),
        path=f"lti/journal-{seminar.slug}.xml",
    )
    return Section(key, f"Séminaire {seminar.number} · {seminar.competence}", (page, journal))


def _case_study_section(programme: Programme, targets: _Targets) -> Section:
    case = programme.case_study
    page = Page(
        key="CASE_PAGE",
        title=case.title,
        path=f"pages/{case.slug}.html",
        html=pages.case_study_page(programme),
    )
    journal = LtiLink(
        key="CASE_JOURNAL",
        title="Journal · Étude de cas",
        description=f"Journal de l'étude de cas : {case.title}.",
        url=targets.url(case.id),
        path="lti/journal-case-study.xml",
    )
    return Section("CASE", "Étude de cas", (page, journal))


def _portfolio_section(programme: Programme, targets: _Targets) -> Section:
    portfolio = programme.portfolio
    page = Page(
        key="PORTFOLIO_PAGE",
        title=portfolio.title,
        path="pages/portfolio.html",
        html=pages.portfolio_page(programme),
    )
    link = LtiLink(
        key="PORTFOLIO_TOOL",
        title="Portfolio réflexif",
        description="Le portfolio réflexif : vue d'ensemble des six piliers et auto-évaluation.",
        url=targets.url("portfolio"),
        path="lti/portfolio.xml",
    )
    return Section("PORTFOLIO", "Portfolio réflexif", (page, link))


def _evaluation_section(
    programme: Programme, targets: _Targets, rubric_html: RubricRenderer
) -> Section:
    entries: list[Entry] = []
    for assessment in programme.assessments:
        key = "EVAL_" + identifiers.key_for(assessment.id)
        entries.append(
            Page(
                key=key,
                title=f"Évaluation · {assessment.title}",
                path=f"pages/evaluation-{assessment.id}.html",
                html=pages.assessment_page(assessment, rubric_html(assessment)),
            )
        )
        entries.append(
            LtiLink(
                key=f"{key}_TOOL",
                title=assessment.title,
                description=f"Dépôt et évaluation : {assessment.title}.",
                url=targets.url(assessment.id),
                path=f"lti/evaluation-{assessment.id}.xml",
            )
        )
    return Section("EVALUATION", "Évaluation", tuple(entries))
