"""Broken rubric files are refused with every problem named by file, line, path and reason."""

from __future__ import annotations

import pytest
import yaml

from rubrics import RubricError, load_rubric, load_rubrics, parse_rubric


def problems_of(call) -> list[str]:
    with pytest.raises(RubricError) as caught:
        call()
    return [str(problem) for problem in caught.value.problems]


def only_problem(call) -> str:
    problems = problems_of(call)
    assert len(problems) == 1, problems
    return problems[0]


def test_valid_file_loads(write_yaml, rubric_data):
    path = write_yaml(rubric_data)
    rubric = load_rubric("oral-exam", path.parent)
    assert rubric.criterion_ids == ("presentation", "maitrise")
    assert rubric.max_points == 6


def test_points_that_are_not_a_number(write_yaml, rubric_data):
    rubric_data["criteria"][1]["levels"][1]["points"] = "deux"
    path = write_yaml(rubric_data)
    message = only_problem(lambda: load_rubric("oral-exam", path.parent))
    assert message.startswith(str(path))
    assert "criteria[1].levels[1].points: must be a number, got 'deux' (text)" in message


def test_message_gives_the_line_of_the_value(write_yaml):
    text = (
        "id: oral-exam\n"
        "title: Oral\n"
        "grade_max: 20\n"
        "pass_mark: 10\n"
        "formula: proportional\n"
        "rounding: half-up to 0.1\n"
        "criteria:\n"
        "  - id: a\n"
        "    title: A\n"
        "    description: D\n"
        "    assesses: [CASE]\n"
        "    levels:\n"
        "      - {points: 0, title: t, descriptor: d}\n"
        "      - {points: oops, title: t, descriptor: d}\n"
    )
    path = write_yaml(text)
    message = only_problem(lambda: load_rubric("oral-exam", path.parent))
    assert message.startswith(f"{path}:14: criteria[0].levels[1].points: must be a number")


def test_all_problems_are_collected_at_once(write_yaml, rubric_data):
    del rubric_data["title"]
    rubric_data["formula"] = "moodle"
    rubric_data["criteria"][0]["weight"] = -1
    rubric_data["criteria"][1]["id"] = "presentation"
    rubric_data["criteria"][1]["levels"][2]["points"] = 1
    rubric_data["criteria"][1]["levels"][3]["points"] = 0.5
    rubric_data["criteria"][0]["levels"][3]["title"] = ""
    path = write_yaml(rubric_data)
    problems = problems_of(lambda: load_rubric("oral-exam", path.parent))
    text = "\n".join(problems)
    assert all(problem.startswith(str(path)) for problem in problems)
    assert ": title: missing (a non-empty text is required)" in text
    assert (
        "formula: unknown formula 'moodle' (expected one of: proportional, scaled, weighted)"
        in text
    )
    assert "criteria[0].weight: must be greater than 0, got -1" in text
    assert "criteria[1].id: duplicate criterion id 'presentation' (also criteria[0])" in text
    assert "criteria[1].levels[2].points: duplicate level points 1" in text
    assert (
        "criteria[1].levels[3].points: "
        "levels must go from lowest to highest points: 0.5 comes after 1" in text
    )
    assert "criteria[0].levels[3].title: must be a non-empty text" in text
    assert len(problems) == 7


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(grade_max=0), "grade_max: must be greater than 0, got 0"),
        (lambda d: d.update(pass_mark=21), "pass_mark: must not exceed grade_max (20), got 21"),
        (lambda d: d.update(rounding="nearest"), "rounding: must be written '<mode> to <step>'"),
        (
            lambda d: d.update(rounding="sideways to 0.1"),
            "rounding: unknown rounding mode 'sideways'",
        ),
        (
            lambda d: d.update(grade_max=17.5, rounding="half-up to 1"),
            "rounding: the step 1 does not divide grade_max 17.5",
        ),
        (lambda d: d.update(criteria=[]), "criteria: must have at least 1 item(s), has 0"),
        (lambda d: d.update(colour="blue"), "colour: unknown key"),
        (lambda d: d.update(id="Oral Exam"), "id: 'Oral Exam' is not a valid identifier"),
        (lambda d: d["criteria"][0].update(wieght=2), "criteria[0].wieght: unknown key"),
        (
            lambda d: d["criteria"][0].update(levels=d["criteria"][0]["levels"][:1]),
            "criteria[0].levels: must have at least 2 item(s), has 1",
        ),
        (
            lambda d: d["criteria"][0].update(assesses=[]),
            "criteria[0].assesses: must have at least 1 item(s)",
        ),
        (
            lambda d: d["criteria"][0].update(assesses=["CASE", "CASE"]),
            "criteria[0].assesses[1]: 'CASE' is listed twice",
        ),
        (
            lambda d: d["criteria"][0].update(assesses=["Pilier 1"]),
            "criteria[0].assesses[0]: 'Pilier 1' is not",
        ),
        (
            lambda d: d["criteria"][0]["levels"][0].update(points=-1),
            "criteria[0].levels[0].points: must be at least 0, got -1",
        ),
        (
            lambda d: d["criteria"][0]["levels"][0].update(points=True),
            "criteria[0].levels[0].points: must be a number, got true",
        ),
        (
            lambda d: d["criteria"][0]["levels"][1].pop("descriptor"),
            "criteria[0].levels[1].descriptor: missing",
        ),
        (lambda d: d["criteria"].append("oops"), "criteria[2]: must be a mapping"),
        (
            lambda d: d["criteria"][1].update(weight=2),
            "criteria[1].weight: weight 2 has no effect with formula 'proportional'",
        ),
    ],
)
def test_each_problem_is_named(write_yaml, rubric_data, change, expected):
    change(rubric_data)
    path = write_yaml(rubric_data)
    message = only_problem(lambda: load_rubric("oral-exam", path.parent))
    assert message.startswith(str(path))
    assert expected in message


def test_weights_are_accepted_with_the_weighted_formula(write_yaml, rubric_data):
    rubric_data["formula"] = "weighted"
    rubric_data["criteria"][1]["weight"] = 2.5
    rubric = load_rubric("oral-exam", write_yaml(rubric_data).parent)
    assert [str(criterion.weight) for criterion in rubric.criteria] == ["1", "2.5"]


def test_identifier_unknown_to_the_programme(write_yaml, rubric_data, programme):
    rubric_data["criteria"][0]["assesses"] = ["P1.O9", "P3.O1.A99", "P2.O1"]
    problems = problems_of(lambda: load_rubric("oral-exam", write_yaml(rubric_data).parent))
    assert [p.split(": ", 1)[1] for p in problems] == [
        "criteria[0].assesses[0]: 'P1.O9' is not in the programme (config/programme.yaml)",
        "criteria[0].assesses[1]: 'P3.O1.A99' is not in the programme (config/programme.yaml)",
    ]


def test_rubric_id_must_be_an_assessment_of_the_programme(write_yaml, rubric_data, programme):
    rubric_data["id"] = "written-exam"
    path = write_yaml(rubric_data, name="written-exam")
    message = only_problem(lambda: load_rubric("written-exam", path.parent))
    assert "id: 'written-exam' is not an assessment of the programme" in message


def test_an_assessment_is_not_something_a_criterion_assesses(write_yaml, rubric_data, programme):
    rubric_data["criteria"][0]["assesses"] = ["oral-exam"]
    message = only_problem(lambda: load_rubric("oral-exam", write_yaml(rubric_data).parent))
    assert "criteria[0].assesses[0]: 'oral-exam' is an assessment" in message


class FormOnlyProgramme:
    """A programme that knows only P1 and CASE, to check the lookup is what decides."""

    def get(self, identifier):
        if identifier in ("P1", "CASE"):
            return object()
        raise KeyError(identifier)


def test_a_given_programme_decides_which_identifiers_exist(rubric_data):
    problems = problems_of(
        lambda: parse_rubric(rubric_data, "rubric.yaml", programme=FormOnlyProgramme())
    )
    assert problems == [
        "rubric.yaml: criteria[1].assesses[1]: 'P2.O1' is not in the programme",
        "rubric.yaml: criteria[1].assesses[2]: 'P1.O3.A2' is not in the programme",
    ]


def test_file_name_must_be_the_rubric_id(write_yaml, rubric_data):
    path = write_yaml(rubric_data, name="oral")
    message = only_problem(lambda: load_rubrics(path.parent))
    assert (
        message
        == f"{path}:1: id: 'oral-exam' differs from the file name 'oral': name the file <id>.yaml"
    )


def test_invalid_yaml_is_reported_with_its_line(write_yaml):
    path = write_yaml("id: oral-exam\ntitle: [unclosed\n")
    message = only_problem(lambda: load_rubric("oral-exam", path.parent))
    assert message.startswith(f"{path}:3: invalid YAML:")


def test_repeated_key_is_refused(write_yaml, rubric_data):
    text = yaml.safe_dump(rubric_data, allow_unicode=True, sort_keys=False) + "formula: scaled\n"
    path = write_yaml(text)
    lines = len(text.splitlines())
    message = only_problem(lambda: load_rubric("oral-exam", path.parent))
    assert message == f"{path}:{lines}: formula: key appears twice"


def test_top_level_must_be_a_mapping(write_yaml):
    path = write_yaml("- just\n- a list\n")
    message = only_problem(lambda: load_rubric("oral-exam", path.parent))
    assert "must be a mapping with id, title, formula, criteria" in message


def test_empty_file_is_refused(write_yaml):
    path = write_yaml("")
    assert "got nothing" in only_problem(lambda: load_rubric("oral-exam", path.parent))


def test_missing_rubric_names_the_available_ones(write_yaml, rubric_data):
    path = write_yaml(rubric_data)
    message = only_problem(lambda: load_rubric("collective-report", path.parent))
    assert "no rubric for assessment 'collective-report' (available: oral-exam)" in message


def test_load_rubrics_collects_the_problems_of_every_file(write_yaml, rubric_data):
    broken = dict(rubric_data, id="collective-report", title=None)
    write_yaml(broken, name="collective-report")
    write_yaml("id: [", name="reflective-report")
    path = write_yaml(rubric_data)
    problems = problems_of(lambda: load_rubrics(path.parent))
    assert len(problems) == 2
    assert "collective-report.yaml:" in problems[0] and "title: missing" in problems[0]
    assert "reflective-report.yaml:" in problems[1] and "invalid YAML" in problems[1]


def test_assessment_id_that_is_not_an_id_is_refused(write_yaml, rubric_data):
    path = write_yaml(rubric_data)
    message = only_problem(lambda: load_rubric("../oral-exam", path.parent))
    assert message.startswith("'../oral-exam' is not an assessment id")


def test_empty_directory_is_refused(tmp_path):
    message = only_problem(lambda: load_rubrics(tmp_path))
    assert message == f"{tmp_path}: contains no rubric definition (*.yaml)"
