"""The loaded programme as others use it: identifiers, lookups, course order, axes."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil

import pytest

from programme import (
    DEFAULT_PROGRAMME_PATH,
    PROGRAMME_PATH_ENV,
    Objective,
    Outcome,
    Pillar,
    Seminar,
    cached_programme,
    load_programme,
)

ID_PATTERNS = {
    Pillar: r"P[1-9]",
    Objective: r"P[1-9]\.O[1-9]",
    Outcome: r"(P[1-9]\.O[1-9]|CASE)\.A[1-9][0-9]?",
    Seminar: r"S[1-9]",
}


def test_default_path_is_the_repository_config_file():
    assert DEFAULT_PROGRAMME_PATH.parts[-2:] == ("config", "programme.yaml")
    assert (DEFAULT_PROGRAMME_PATH.parent.parent / "programme" / "__init__.py").is_file()


def test_counts(programme):
    assert len(programme.pillars) == 6
    assert len(programme.objectives()) == 22
    assert len(programme.outcomes()) == 90
    assert len(programme.all_outcomes()) == 92
    assert len(programme.seminars) == 3
    assert len(programme.case_study.outcomes) == 2
    assert [a.id for a in programme.assessments] == [
        "collective-report", "reflective-report", "oral-exam"]


def test_identifiers_are_unique_and_well_formed(programme):
    identifiers = programme.identifiers()
    assert len(identifiers) == len(set(identifiers))
    for element in [*programme.pillars, *programme.objectives(), *programme.all_outcomes(),
                    *programme.seminars]:
        assert re.fullmatch(ID_PATTERNS[type(element)], element.id), element.id


def test_identifiers_follow_positions_and_parents(programme):
    for pillar_number, pillar in enumerate(programme.pillars, start=1):
        assert (pillar.id, pillar.number, pillar.slug) == (
            f"P{pillar_number}", pillar_number, f"pillar-{pillar_number}")
        for objective_number, objective in enumerate(pillar.objectives, start=1):
            assert objective.id == f"{pillar.id}.O{objective_number}"
            assert objective.pillar_id == pillar.id
            for outcome_number, outcome in enumerate(objective.outcomes, start=1):
                assert (outcome.id, outcome.number, outcome.parent_id) == (
                    f"{objective.id}.A{outcome_number}", outcome_number, objective.id)
    assert [o.parent_id for o in programme.case_study.outcomes] == ["CASE", "CASE"]
    assert programme.case_study.slug == "case-study"
    assert [s.slug for s in programme.seminars] == ["seminar-1", "seminar-2", "seminar-3"]
    assert all(a.slug == a.id for a in programme.assessments)


def test_course_order_puts_each_seminar_after_its_pillar(programme):
    assert [step.id for step in programme.course_order()] == [
        "P1", "S1", "P2", "P3", "P4", "S2", "P5", "P6", "S3"]


def test_get_finds_every_kind_of_element(programme):
    assert programme.get("P4").title == "Un management humain et innovant"
    assert programme.get("P1.O3").title == "Planifier la stratégie et piloter la performance"
    assert programme.get("P1.O2.A3").text.endswith("intra et interservices.")
    assert programme.get("CASE.A1").parent_id == "CASE"
    assert programme.get("S2").after_pillar == "P4"
    assert programme.get("oral-exam").jury_size == 4
    assert programme.get("ethics").title == "Éthique"
    assert programme.get("CASE") is programme.case_study
    for identifier in programme.identifiers():
        assert programme.get(identifier).id == identifier


@pytest.mark.parametrize("identifier", ["P7", "P1.O5", "P1.O1.A3", "S4", "exam", "", "p1"])
def test_get_unknown_identifier_names_it(programme, identifier):
    with pytest.raises(KeyError, match=re.escape(repr(identifier))):
        programme.get(identifier)


def test_typed_lookups_refuse_the_wrong_kind(programme):
    assert programme.seminar("S1").competence.startswith("Susciter")
    with pytest.raises(KeyError, match="'P1' is not a seminar"):
        programme.seminar("P1")


def test_assessments_kinds_and_sizes(programme):
    collective = programme.assessment("collective-report")
    assert (collective.kind, collective.group_min, collective.group_max) == ("collective", 2, 3)
    assert collective.is_collective
    for identifier in ("reflective-report", "oral-exam"):
        individual = programme.assessment(identifier)
        assert (individual.kind, individual.group_min, individual.group_max) == ("individual", 1, 1)
    assert programme.assessment("oral-exam").jury_size == 4


def test_every_outcome_axis_is_a_declared_axis(programme):
    axis_ids = {axis.id for axis in programme.axes}
    for outcome in programme.all_outcomes():
        assert set(outcome.axes) <= axis_ids, outcome.id
    for axis in programme.axes:
        assert programme.outcomes_by_axis(axis.id), f"no outcome touches {axis.id}"


# Words whose presence in an outcome means it touches the axis (the file's header states the rule).
EVIDENT_WORDS = {
    "digital": ("numérique", "numérisation", "électronique", "informatique", "e-government"),
    "ethics": ("éthique", "diversité", "inclusi", "pour tous"),
    "sustainability": ("durable", "écologique"),
}
# Every tagged outcome must name the stake, unless its whole objective is about it.
STAKE_WORDS = {
    "digital": EVIDENT_WORDS["digital"] + ("relationship management", "nouvelles technologies"),
    "ethics": EVIDENT_WORDS["ethics"] + ("accessibilité", "caractère personnel", "citoyens"),
    "sustainability": EVIDENT_WORDS["sustainability"] + ("sustainable", "sociétale",
                                                         "écoresponsable"),
}
OBJECTIVES_ABOUT_AXIS = {
    "digital": {"P1.O4", "P4.O4", "P5.O2"},
    "ethics": {"P1.O1"},
    "sustainability": {"P5.O4"},
}


@pytest.mark.parametrize("axis_id", sorted(EVIDENT_WORDS))
def test_outcomes_naming_an_axis_stake_touch_that_axis(programme, axis_id):
    for outcome in programme.all_outcomes():
        if any(word in outcome.text.lower() for word in EVIDENT_WORDS[axis_id]):
            assert axis_id in outcome.axes, outcome.id


@pytest.mark.parametrize("axis_id", sorted(STAKE_WORDS))
def test_axis_tags_are_justified_by_wording_or_objective(programme, axis_id):
    for outcome in programme.outcomes_by_axis(axis_id):
        named = any(word in outcome.text.lower() for word in STAKE_WORDS[axis_id])
        assert named or outcome.parent_id in OBJECTIVES_ABOUT_AXIS[axis_id], outcome.id
    for objective_id in OBJECTIVES_ABOUT_AXIS[axis_id]:
        assert all(axis_id in o.axes for o in programme.objective(objective_id).outcomes)


def test_axis_titles_follow_the_outcome(programme):
    outcome = programme.outcome("P4.O4.A3")
    assert programme.axis_titles(outcome) == tuple(programme.axis(a).title for a in outcome.axes)
    assert programme.axis_titles(outcome) == ("Numérique", "Éthique")


def test_model_is_immutable(programme):
    with pytest.raises(dataclasses.FrozenInstanceError):
        programme.pillars[0].title = "Autre"  # type: ignore[misc]
    assert isinstance(programme.pillars, tuple)
    assert isinstance(programme.pillars[0].objectives[0].outcomes, tuple)


def test_environment_variable_overrides_the_default_file(tmp_path, monkeypatch):
    other = tmp_path / "programme.yaml"
    text = DEFAULT_PROGRAMME_PATH.read_text(encoding="utf-8")
    other.write_text(text.replace("\nhours: 185\n", "\nhours: 190\n"), encoding="utf-8")
    monkeypatch.setenv(PROGRAMME_PATH_ENV, str(other))
    assert load_programme().hours == 190
    assert load_programme(DEFAULT_PROGRAMME_PATH).hours == 185


def test_cached_programme_reloads_when_the_file_changes(tmp_path):
    path = tmp_path / "programme.yaml"
    shutil.copy(DEFAULT_PROGRAMME_PATH, path)
    first = cached_programme(path)
    assert cached_programme(path) is first
    text = path.read_text(encoding="utf-8").replace("\ncredits: 20\n", "\ncredits: 21\n")
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    # Make sure the modification time differs even on coarse-grained file systems.
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert cached_programme(path).credits == 21
