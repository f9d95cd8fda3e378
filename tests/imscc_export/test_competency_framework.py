"""The competency framework exports: Moodle's CSV import format and IMS CASE 1.0 JSON."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest

from imscc_export.cli import main

HEADER = [
    "Parent ID number",
    "ID number",
    "Short name",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross-referenced competency ID numbers",
    "Exported ID (optional)",
    "Is framework",
    "Taxonomy",
]


@pytest.fixture(scope="module")
def csv_rows(tmp_path_factory) -> list[list[str]]:
    output = tmp_path_factory.mktemp("csv") / "cimp.csv"
    assert main(["framework", "--format", "moodle-csv", "-o", str(output)]) == 0
    return list(csv.reader(io.StringIO(output.read_text(encoding="utf-8"), newline="")))


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> dict:
    output = tmp_path_factory.mktemp("case") / "cimp.json"
    assert main(["framework", "--format", "case-json", "-o", str(output)]) == 0
    return json.loads(output.read_text(encoding="utf-8"))


def test_csv_has_moodle_header_and_14_columns_everywhere(csv_rows):
    assert csv_rows[0] == HEADER
    assert {len(row) for row in csv_rows} == {14}


def test_csv_has_the_framework_row_then_pillars_objectives_outcomes(csv_rows, programme):
    rows = csv_rows[1:]
    assert len(rows) == 1 + 6 + 22 + 90
    framework = rows[0]
    assert framework[12] == "1" and framework[0] == ""
    assert framework[5] == "Non acquis,En cours d'acquisition,Acquis,Maîtrisé"
    assert framework[13] == "domain,competency,outcome"
    scale = json.loads(framework[6])
    assert scale[0] == {"scaleid": "0"}
    assert [entry["id"] for entry in scale[1:]] == [1, 2, 3, 4]
    assert sum(entry["scaledefault"] for entry in scale[1:]) == 1
    assert any(entry["proficient"] for entry in scale[1:])
    competencies = rows[1:]
    assert all(row[12] == "" for row in competencies)
    expected_ids = []
    for pillar in programme.pillars:
        expected_ids.append(pillar.id)
        for objective in pillar.objectives:
            expected_ids.append(objective.id)
            expected_ids += [outcome.id for outcome in objective.outcomes]
    assert [row[1] for row in competencies] == expected_ids


def test_csv_parent_links_follow_the_programme_tree(csv_rows, programme):
    parent_of = {row[1]: row[0] for row in csv_rows[2:]}
    for pillar in programme.pillars:
        assert parent_of[pillar.id] == ""
        for objective in pillar.objectives:
            assert parent_of[objective.id] == pillar.id
            for outcome in objective.outcomes:
                assert parent_of[outcome.id] == objective.id
    assert set(parent_of.values()) <= set(parent_of) | {""}


def test_csv_short_names_fit_moodle_and_descriptions_keep_the_full_text(csv_rows, programme):
    by_id = {row[1]: row for row in csv_rows[1:]}
    assert all(len(row[2]) <= 100 for row in by_id.values())
    for outcome in programme.outcomes():
        row = by_id[outcome.id]
        assert row[2].startswith(outcome.id)
        assert " ".join(outcome.text.split()) in row[3]
        assert row[4] == "1"


def test_case_package_structure(case, programme):
    assert set(case) == {"CFDocument", "CFItems", "CFAssociations", "CFDefinitions"}
    document = case["CFDocument"]
    assert document["title"] == programme.title
    for key in ("identifier", "uri", "creator", "lastChangeDateTime", "CFPackageURI"):
        assert document[key]
    items = case["CFItems"]
    assert len(items) == 6 + 22 + 90
    types = {item["humanCodingScheme"]: item["CFItemType"] for item in items}
    assert [code for code, kind in types.items() if kind == "Pilier"] == [
        p.id for p in programme.pillars
    ]
    assert [code for code, kind in types.items() if kind == "Objectif"] == [
        o.id for o in programme.objectives()
    ]
    assert [code for code, kind in types.items() if kind == "Acquis"] == [
        o.id for o in programme.outcomes()
    ]
    statements = {item["humanCodingScheme"]: item["fullStatement"] for item in items}
    assert statements["P1"] == programme.pillars[0].title
    first_outcome = programme.outcomes()[0]
    assert statements[first_outcome.id] == first_outcome.text
    for item in items:
        assert uuid.UUID(item["identifier"]).version == 5
        assert item["uri"].endswith(item["identifier"])
        assert item["CFDocumentURI"]["identifier"] == document["identifier"]
    type_ids = {t["identifier"] for t in case["CFDefinitions"]["CFItemTypes"]}
    assert {item["CFItemTypeURI"]["identifier"] for item in items} == type_ids


def test_case_associations_make_the_tree(case, programme):
    associations = case["CFAssociations"]
    assert len(associations) == 6 + 22 + 90
    assert {a["associationType"] for a in associations} == {"isChildOf"}
    code_of = {item["identifier"]: item["humanCodingScheme"] for item in case["CFItems"]}
    code_of[case["CFDocument"]["identifier"]] = "DOCUMENT"
    parent = {
        code_of[a["originNodeURI"]["identifier"]]: code_of[a["destinationNodeURI"]["identifier"]]
        for a in associations
    }
    for pillar in programme.pillars:
        assert parent[pillar.id] == "DOCUMENT"
        for objective in pillar.objectives:
            assert parent[objective.id] == pillar.id
            for outcome in objective.outcomes:
                assert parent[outcome.id] == objective.id
    assert len({a["identifier"] for a in associations}) == len(associations)


def test_exports_are_identical_from_run_to_run(tmp_path):
    for fmt in ("moodle-csv", "case-json"):
        first, second = tmp_path / f"1.{fmt}", tmp_path / f"2.{fmt}"
        assert main(["framework", "--format", fmt, "-o", str(first)]) == 0
        assert main(["framework", "--format", fmt, "-o", str(second)]) == 0
        assert first.read_bytes() == second.read_bytes()


def test_framework_errors_leave_no_file(tmp_path, capsys):
    assert main(["framework", "--format", "xml", "-o", str(tmp_path / "x")]) == 2
    assert main(["framework", "--format", "case-json", "-o", str(tmp_path / "no" / "x.json")]) == 2
    missing = tmp_path / "absent.yaml"
    assert (
        main(
            [
                "framework",
                "--format",
                "moodle-csv",
                "-o",
                str(tmp_path / "x.csv"),
                "--programme",
                str(missing),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "absent.yaml" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
