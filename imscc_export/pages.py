"""Contents of the cartridge's HTML pages, in French, from the programme model."""

from __future__ import annotations

from collections.abc import Iterable

from programme import Assessment, Objective, Outcome, Pillar, Programme, Seminar

from imscc_export import html


def _outcome_item(programme: Programme, outcome: Outcome) -> str:
    item = f"<strong>{html.text(outcome.id)}</strong> {html.text(outcome.text)}"
    if outcome.axes:
        item += "<br>Axes : " + html.text(", ".join(programme.axis_titles(outcome)))
    return item


def _outcome_list(programme: Programme, outcomes: Iterable[Outcome]) -> str:
    return html.item_list((_outcome_item(programme, outcome) for outcome in outcomes), ordered=True)


def _structure_line(element: Pillar | Seminar) -> str:
    if isinstance(element, Pillar):
        count = len(element.objectives)
        return html.text(f"Pilier {element.number} · {element.title} ({count} objectifs)")
    return html.text(f"Séminaire {element.number} · {element.competence}")


def presentation_page(programme: Programme) -> str:
    """The programme, its structure and the three transversal axes."""
    body = [
        html.heading(1, programme.title),
        html.paragraphs(programme.description),
        html.paragraph_html(html.text(f"{programme.credits} crédits · {programme.hours} heures")),
        html.heading(2, "Structure du programme"),
        html.item_list(
            [_structure_line(element) for element in programme.course_order()]
            + [
                html.text(f"Étude de cas · {programme.case_study.title}"),
                html.text(programme.portfolio.title),
                html.text("Évaluation · " + ", ".join(a.title for a in programme.assessments)),
            ],
            ordered=True,
        ),
        html.heading(2, "Les piliers et leurs objectifs de développement"),
    ]
    for pillar in programme.pillars:
        body.append(html.heading(3, f"Pilier {pillar.number} · {pillar.title}"))
        body.append(
            html.item_list(
                html.text(f"{objective.id} · {objective.title}") for objective in pillar.objectives
            )
        )
    body.append(html.heading(2, "Les trois axes transversaux"))
    for axis in programme.axes:
        touched = programme.outcomes_by_axis(axis.id)
        body.append(html.heading(3, axis.title))
        body.append(html.paragraphs(axis.description))
        body.append(
            html.paragraph_html(html.text(f"Acquis d'apprentissage concernés : {len(touched)}"))
        )
    return html.document(f"Présentation · {programme.title}", "\n".join(body))


def objective_page(programme: Programme, pillar: Pillar, objective: Objective) -> str:
    """One development objective: its learning outcomes and the axes each touches."""
    body = [
        html.heading(1, f"{objective.id} · {objective.title}"),
        html.paragraph_html(html.text(f"Pilier {pillar.number} · {pillar.title}")),
        html.heading(2, "Acquis d'apprentissage"),
        _outcome_list(programme, objective.outcomes),
        html.heading(2, "Axes transversaux"),
    ]
    axis_lines = []
    for axis in programme.axes:
        outcome_ids = [outcome.id for outcome in objective.outcomes if axis.id in outcome.axes]
        if outcome_ids:
            axis_lines.append(html.text(f"{axis.title} : {', '.join(outcome_ids)}"))
    if axis_lines:
        body.append(html.item_list(axis_lines))
    else:
        body.append(html.paragraphs("Aucun axe transversal n'est visé par cet objectif."))
    return html.document(f"{objective.id} · {objective.title}", "\n".join(body))


def intervision_topic(pillar: Pillar) -> str:
    """Opening message of a pillar's intervision forum (an HTML fragment)."""
    objectives = html.item_list(
        html.text(f"{objective.id} · {objective.title}") for objective in pillar.objectives
    )
    return (
        html.paragraphs(
            f"Intervision du pilier {pillar.number} · {pillar.title}. "
            "Partagez ici une situation vécue en lien avec les objectifs du pilier et "
            "offrez à vos pair·e·s un regard critique et bienveillant."
        )
        + objectives
    )


def seminar_page(programme: Programme, seminar: Seminar) -> str:
    """A change-leadership seminar: where it sits, the competence it works on."""
    after = programme.get(seminar.after_pillar)
    body = [
        html.heading(1, seminar.title),
        html.paragraph_html(html.text(f"Au terme du pilier {after.number} · {after.title}")),
        html.heading(2, "Compétence travaillée"),
        html.paragraphs(seminar.competence),
        html.heading(2, "Description"),
        html.paragraphs(seminar.description),
        html.heading(2, "Journal de séminaire"),
        html.paragraphs(
            "Le journal de séminaire se tient dans l'outil CIMP, par le lien qui suit cette page."
        ),
    ]
    return html.document(seminar.title, "\n".join(body))


def case_study_page(programme: Programme) -> str:
    """The public-organisation case study and its learning outcomes."""
    case = programme.case_study
    body = [
        html.heading(1, case.title),
        html.paragraphs(case.description),
        html.heading(2, "Acquis d'apprentissage"),
        _outcome_list(programme, case.outcomes),
    ]
    return html.document(case.title, "\n".join(body))


def portfolio_page(programme: Programme) -> str:
    """The reflective portfolio and its peer intervisions."""
    portfolio = programme.portfolio
    body = [
        html.heading(1, portfolio.title),
        html.paragraphs(portfolio.description),
        html.heading(2, "Un portfolio par pilier"),
        html.item_list(
            html.text(f"Pilier {pillar.number} · {pillar.title}") for pillar in programme.pillars
        ),
        html.heading(2, "Intervisions"),
        html.paragraphs(portfolio.intervision),
        html.paragraphs("Chaque pilier a son forum d'intervision, dans la section du pilier."),
    ]
    return html.document(portfolio.title, "\n".join(body))


def _assessment_modalities(assessment: Assessment) -> str:
    if assessment.group_max and assessment.group_max > 1:
        line = (
            f"Travail de groupe de {assessment.group_min} à {assessment.group_max} participant·e·s."
        )
    else:
        line = "Épreuve individuelle."
    if assessment.jury_size:
        line += f" Jury de {assessment.jury_size} membres."
    return html.paragraphs(line)


def assessment_page(assessment: Assessment, rubric_table_html: str) -> str:
    """An assessment: what it is, how it is organised, and its rubric."""
    body = [
        html.heading(1, assessment.title),
        html.paragraphs(assessment.description),
        _assessment_modalities(assessment),
        html.heading(2, "Grille d'évaluation"),
        rubric_table_html,
    ]
    return html.document(f"Évaluation · {assessment.title}", "\n".join(body))
