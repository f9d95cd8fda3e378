"""config/programme.yaml against the official programme text (programme-source.txt).

The source is parsed here independently of the YAML; texts must match word for word, except for
the spelling corrections listed in the YAML comments and for collapsed double spaces.
"""

from __future__ import annotations

import re

from programme import DEFAULT_PROGRAMME_PATH

ORDINALS = {"premier": 1, "deuxième": 2, "troisième": 3, "quatrième": 4, "cinquième": 5,
            "sixième": 6}
NUMBER_WORDS = {"deux": 2, "trois": 3, "quatre": 4}


def test_source_has_the_documented_shape(source):
    # Guards the parser below: if the source layout changed, the other tests would mislead.
    assert [len(pillar.objective_titles) for pillar in source.pillars] == [4, 3, 2, 6, 4, 3]
    assert [len(pillar.outcomes) for pillar in source.pillars] == [4, 3, 2, 6, 4, 3]
    assert sum(len(texts) for pillar in source.pillars for texts in pillar.outcomes) == 90


def test_title_hours_and_credits_come_from_the_source(programme, source, as_corrected):
    source_title = re.search(r"^(Certificat inter.*?management public)", source.raw, re.M)[1]
    assert programme.title == as_corrected(source_title, programme.title)
    assert programme.credits == int(re.search(r"(\d+) crédits", source.raw)[1]) == 20
    assert programme.hours == int(re.search(r"volume de (\d+) heures", source.raw)[1]) == 185
    assert programme.description in source.flat


def test_pillars_follow_the_programme_list(programme, source):
    assert [(p.number, p.title) for p in programme.pillars] == [
        (p.number, p.title) for p in source.pillars]


def test_objective_titles_use_the_programme_list_wording(programme, source):
    for pillar, source_pillar in zip(programme.pillars, source.pillars, strict=True):
        assert [o.title for o in pillar.objectives] == source_pillar.objective_titles, pillar.id


def test_objective_counts(programme):
    assert [len(pillar.objectives) for pillar in programme.pillars] == [4, 3, 2, 6, 4, 3]
    assert len(programme.objectives()) == 22


def test_every_outcome_is_the_source_text_in_order(programme, source, as_corrected):
    for pillar, source_pillar in zip(programme.pillars, source.pillars, strict=True):
        for objective, source_texts in zip(pillar.objectives, source_pillar.outcomes, strict=True):
            assert len(objective.outcomes) == len(source_texts), objective.id
            for outcome, source_text in zip(objective.outcomes, source_texts):
                assert outcome.text == as_corrected(source_text, outcome.text), outcome.id
    assert len(programme.outcomes()) == 90


def test_case_study_outcomes_and_description_come_from_the_source(programme, source, as_corrected):
    case = programme.case_study
    assert [o.text for o in case.outcomes] == [as_corrected(t, t) for t in source.case_outcomes]
    assert len(case.outcomes) == 2
    section = " ".join(source.section("III. Le cas", "IV. Le leadership"))
    assert case.description == as_corrected(section, case.description)
    assert f"{case.title} - {case.subtitle}" in source.flat


def test_axes_descriptions_come_from_section_two(programme, source):
    assert [axis.id for axis in programme.axes] == ["digital", "ethics", "sustainability"]
    assert [axis.description for axis in programme.axes] == source.axis_descriptions


def test_seminars_sit_where_the_source_places_them(programme, source, as_corrected):
    assert len(programme.seminars) == len(source.seminar_bullets) == 3
    for seminar, bullet in zip(programme.seminars, source.seminar_bullets):
        assert seminar.description == as_corrected(bullet, seminar.description)
        place, competence = seminar.description.split(" : ", 1)
        assert seminar.competence == competence
        ordinal = re.fullmatch(r"Au terme du (\w+) pilier", place)[1]
        assert seminar.after_pillar == f"P{ORDINALS[ordinal]}"
    assert [s.after_pillar for s in programme.seminars] == ["P1", "P4", "P6"]
    hours = int(re.search(r"(\d+) séminaires de (\d+) heures", source.raw)[2])
    assert {s.hours for s in programme.seminars} == {hours}


def test_leadership_and_portfolio_texts_come_from_the_source(programme, source, as_corrected):
    leadership = programme.leadership
    section = " ".join(source.section("IV. Le leadership", "V. Le portfolio"))
    assert leadership.description in as_corrected(section, leadership.description)
    portfolio = programme.portfolio
    for paragraph in [*portfolio.description.split("\n"), portfolio.intervision]:
        assert paragraph in source.flat
    assert f"{portfolio.title} - {portfolio.subtitle}" in source.flat


def test_assessments_match_the_evaluation_section(programme, source):
    evaluation = " ".join(source.section("EVALUATION", "Atouts du programme"))
    by_id = {a.id: a for a in programme.assessments}
    assert list(by_id) == ["collective-report", "reflective-report", "oral-exam"]
    for assessment in programme.assessments:
        sentence = assessment.description[0].lower() + assessment.description[1:].rstrip(".")
        assert sentence in evaluation, assessment.id
    group = re.search(r"rapport collectif \((\w+) ou (\w+) participant", evaluation)
    smallest, largest = group.groups()
    collective = by_id["collective-report"]
    assert (collective.kind, collective.group_min, collective.group_max) == (
        "collective", NUMBER_WORDS[smallest], NUMBER_WORDS[largest])
    assert by_id["reflective-report"].kind == "individual"
    oral = by_id["oral-exam"]
    assert oral.kind == "individual"
    assert oral.jury_size == int(re.search(r"jury académique de (\d+) membres", evaluation)[1]) == 4


def test_listed_corrections_fix_real_misspellings(corrections, source):
    listed = [c for pairs in corrections.values() for c in pairs]
    # The misspellings the programme README names that occur in transcribed texts.
    named = {"interservises", "indicteurs", "dilemnes", "Contruire", "propositon", "permier",
             "problématques"}
    assert named <= {c.wrong for c in listed}
    for correction in listed:
        assert correction.wrong in source.flat
        # A spelling fix changes a letter or two, never the wording.
        assert 0 < edit_distance(correction.wrong, correction.corrected) <= 2, correction


def edit_distance(first: str, second: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(second) + 1))
    for i, left in enumerate(first, start=1):
        current = [i]
        for j, right in enumerate(second, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (left != right)))
        previous = current
    return previous[-1]


def test_no_misspelling_of_the_source_survives(programme, corrections):
    texts = [programme.title, programme.case_study.description, programme.leadership.description,
             *(o.text for o in programme.all_outcomes()),
             *(s.description for s in programme.seminars)]
    for correction in (c for pairs in corrections.values() for c in pairs):
        assert not any(correction.wrong in text for text in texts), correction.wrong


def test_objective_titles_avoid_the_outcome_section_wording(programme, source):
    # The "Acquis d'apprentissage" headings differ from the list ("statégie", "RW et FWB").
    titles = [o.title for o in programme.objectives()]
    assert "Planifier la stratégie et piloter la performance" in titles
    assert not any("statégie" in title or " RW " in title for title in titles)


def test_file_explains_itself_to_a_teacher():
    header = DEFAULT_PROGRAMME_PATH.read_text(encoding="utf-8").split("\ntitle:", 1)[0]
    for word in ("P1.O2.A3", "axes", "after_pillar", "# source:"):
        assert word in header
