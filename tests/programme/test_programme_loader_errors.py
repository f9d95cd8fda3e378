"""Broken programme files are refused with messages naming the file, the place and the problem."""

from __future__ import annotations

import re

import pytest

from programme import DEFAULT_PROGRAMME_PATH, ProgrammeError, load_programme


def refusal(path) -> ProgrammeError:
    with pytest.raises(ProgrammeError) as caught:
        load_programme(path)
    error = caught.value
    assert str(path) in str(error), "the message must name the file"
    assert error.path == path
    return error


def test_minimal_programme_is_accepted(minimal_programme, write_programme):
    prog = load_programme(write_programme(minimal_programme))
    assert [step.id for step in prog.course_order()] == ["P1", "S1", "P2"]
    assert prog.get("P2.O1.A1").axes == ("ethics",)


def test_missing_title(minimal_programme, write_programme):
    del minimal_programme["title"]
    error = refusal(write_programme(minimal_programme))
    assert error.problems == ["title (line 1): missing 'title'"]


def test_empty_outcome_text_is_located(minimal_programme, write_programme):
    minimal_programme["pillars"][1]["objectives"][0]["outcomes"][0]["text"] = "  "
    error = refusal(write_programme(minimal_programme))
    [problem] = error.problems
    assert problem.startswith("pillars[1].objectives[0].outcomes[0].text (line ")
    assert problem.endswith("'text' is empty")
    assert problem in str(error)


def test_duplicate_identifier(minimal_programme, write_programme):
    assessments = minimal_programme["evaluation"]["assessments"]
    assessments[1]["id"] = "collective-report"
    error = refusal(write_programme(minimal_programme))
    assert any("evaluation.assessments[1].id" in p and "duplicate identifier 'collective-report'"
               in p and "evaluation.assessments[0].id" in p for p in error.problems), error.problems


def test_duplicate_outcome_reports_both_duplicate_and_position(minimal_programme, write_programme):
    outcomes = minimal_programme["pillars"][0]["objectives"][0]["outcomes"]
    outcomes[1]["id"] = "P1.O1.A1"
    error = refusal(write_programme(minimal_programme))
    where = "pillars[0].objectives[0].outcomes[1].id"
    assert any(p.startswith(where) and "duplicate identifier 'P1.O1.A1'" in p
               for p in error.problems)
    assert any(p.startswith(where) and "expected 'P1.O1.A2'" in p for p in error.problems)


def test_identifier_not_matching_its_position(minimal_programme, write_programme):
    minimal_programme["pillars"][1]["objectives"][0]["id"] = "P1.O1"
    minimal_programme["pillars"][1]["objectives"][0]["outcomes"][0]["id"] = "P2.O1.A2"
    error = refusal(write_programme(minimal_programme))
    messages = "\n".join(error.problems)
    assert "pillars[1].objectives[0].id" in messages
    assert "identifier 'P1.O1' does not match its position: expected 'P2.O1'" in messages
    assert "identifier 'P2.O1.A2' does not match its position: expected 'P2.O1.A1'" in messages


def test_number_not_matching_its_position(minimal_programme, write_programme):
    minimal_programme["pillars"][1]["number"] = 3
    error = refusal(write_programme(minimal_programme))
    assert any(p.startswith("pillars[1].number") and "expected 2" in p for p in error.problems)


def test_seminar_after_a_pillar_that_does_not_exist(minimal_programme, write_programme):
    minimal_programme["seminars"][0]["after_pillar"] = "P9"
    error = refusal(write_programme(minimal_programme))
    [problem] = error.problems
    assert problem.startswith("seminars[0].after_pillar (line ")
    assert "pillar 'P9' does not exist (pillars: P1, P2)" in problem


def test_seminars_out_of_course_order(minimal_programme, write_programme):
    later = dict(minimal_programme["seminars"][0], id="S2", number=2, after_pillar="P1")
    minimal_programme["seminars"][0]["after_pillar"] = "P2"
    minimal_programme["seminars"].append(later)
    error = refusal(write_programme(minimal_programme))
    assert any("course order" in p for p in error.problems)


def test_unknown_axis(minimal_programme, write_programme):
    minimal_programme["pillars"][0]["objectives"][0]["outcomes"][1]["axes"] = ["ethics", "digitale"]
    error = refusal(write_programme(minimal_programme))
    [problem] = error.problems
    assert problem.startswith("pillars[0].objectives[0].outcomes[1].axes[1]")
    assert "unknown axis 'digitale' (known axes: digital, ethics)" in problem


def test_invalid_assessment_kind_and_group_sizes(minimal_programme, write_programme):
    assessments = minimal_programme["evaluation"]["assessments"]
    assessments[0]["group_size"] = {"min": 3, "max": 2}
    assessments[1]["kind"] = "solo"
    error = refusal(write_programme(minimal_programme))
    messages = "\n".join(error.problems)
    assert "evaluation.assessments[0].group_size" in messages
    assert "min (3) is larger than max (2)" in messages
    assert "evaluation.assessments[1].kind" in messages
    assert "invalid kind 'solo' (expected one of: collective, individual)" in messages


def test_collective_assessment_needs_a_group_size(minimal_programme, write_programme):
    del minimal_programme["evaluation"]["assessments"][0]["group_size"]
    minimal_programme["evaluation"]["assessments"][1]["group_size"] = {"min": 1, "max": 1}
    error = refusal(write_programme(minimal_programme))
    messages = "\n".join(error.problems)
    assert "evaluation.assessments[0].group_size" in messages and "missing 'group_size'" in messages
    assert "an individual assessment has no group_size" in messages


@pytest.mark.parametrize("key, value, expected", [
    ("hours", "cent", "hours (line 2): expected a whole number, found text ('cent')"),
    ("credits", True, "credits (line 3): expected a whole number, found true/false (True)"),
    ("title", 42, "title (line 1): expected text, found a number (42)"),
    ("pillars", "P1", "pillars (line 11): expected a list (lines starting with '- '), found text"),
])
def test_wrong_types(minimal_programme, write_programme, key, value, expected):
    minimal_programme[key] = value
    error = refusal(write_programme(minimal_programme))
    assert any(p.startswith(expected) for p in error.problems), error.problems


def test_all_problems_are_collected(minimal_programme, write_programme):
    del minimal_programme["title"]
    minimal_programme["seminars"][0]["after_pillar"] = "P9"
    minimal_programme["pillars"][0]["objectives"][0]["outcomes"][0]["axes"] = ["climate"]
    minimal_programme["pillars"][0]["titel"] = minimal_programme["pillars"][0].pop("title")
    minimal_programme["evaluation"]["assessments"][1]["kind"] = "pair"
    error = refusal(write_programme(minimal_programme))
    assert len(error.problems) == 6, error.problems  # the typo also leaves the title missing
    lines = [int(re.search(r"\(line (\d+)\)", p)[1]) for p in error.problems]
    assert lines == sorted(lines), "problems are listed in file order"
    for fragment in ("missing 'title'", "'P9' does not exist", "unknown axis 'climate'",
                     "unknown key 'titel'", "pillars[0].title", "invalid kind 'pair'"):
        assert fragment in str(error)


def test_yaml_syntax_error_gives_the_line(write_programme):
    path = write_programme("title: Certificat\nhours: 185\naxes: [digital\npillars:\n  - id: P1\n")
    error = refusal(path)
    [problem] = error.problems
    assert "YAML syntax error" in problem
    assert problem.startswith("line 4, column ")


def test_tab_indentation_is_a_syntax_error_with_its_line(write_programme):
    error = refusal(write_programme("title: Certificat\npillars:\n\t- id: P1\n"))
    assert error.problems[0].startswith("line 3, column 1: YAML syntax error")


def test_duplicate_key_is_not_silently_overwritten(minimal_programme, write_programme):
    text = write_programme(minimal_programme).read_text(encoding="utf-8")
    path = write_programme(text.replace("hours: 20\n", "hours: 20\nhours: 30\n"), "dup.yaml")
    error = refusal(path)
    assert error.problems == ["hours (line 3): duplicate key 'hours'"]


def test_document_that_is_not_a_mapping(write_programme):
    error = refusal(write_programme("- just\n- a list\n"))
    assert error.problems == ["(top level) (line 1): expected a mapping (key: value lines), "
                              "found a list"]


def test_empty_file(write_programme):
    error = refusal(write_programme(""))
    assert "expected a mapping" in error.problems[0]


def test_missing_file(tmp_path):
    error = refusal(tmp_path / "absent.yaml")
    assert error.problems == ["file not found"]


def test_problem_in_the_real_file_points_at_its_line(tmp_path):
    lines = DEFAULT_PROGRAMME_PATH.read_text(encoding="utf-8").splitlines(keepends=True)
    broken_line = next(i for i, line in enumerate(lines) if line.strip() == "axes: [ethics]")
    lines[broken_line] = lines[broken_line].replace("[ethics]", "[ethic]")
    path = tmp_path / "programme.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    error = refusal(path)
    [problem] = error.problems
    assert problem.startswith("pillars[0].objectives[0].outcomes[0].axes[0] "
                              f"(line {broken_line + 1}): unknown axis 'ethic'")
