"""``lti-tool person export``: everything about one person, as person.json and files/ in a zip."""
from __future__ import annotations

import json
import zipfile

from tests.privacy.world import ISSUER, PDF, build_world


def _export(runner, tmp_path, sub: str, name: str = "out.zip"):
    target = tmp_path / name
    result = runner.invoke(args=["person", "export", "--issuer", ISSUER, "--sub", sub,
                                 "-o", str(target)])
    return result, target


def _person(target) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        files = {n: archive.read(n) for n in names if n.startswith("files/")}
        return json.loads(archive.read("person.json")), files, names


def test_export_holds_every_area_of_the_person(app, runner, tmp_path):
    world = build_world(app)

    result, target = _export(runner, tmp_path, "2")

    assert result.exit_code == 0, result.output
    person, files, names = _person(target)
    assert person["user"]["name"] == "Alice Martin"
    assert person["user"]["email"] == "alice@example.org"
    assert person["user"]["created_at"] == "2026-03-02T09:00:00+00:00"
    assert [m["course"]["title"] for m in person["memberships"]] == ["CIMP 2026"]
    assert person["memberships"][0]["course"]["platform"]["name"] == "Université A"
    assert [r["level"] for r in person["outcome_ratings"]] == [2, 3]
    [entry] = person["entries"]
    assert entry["title"] == "Journal d'Alice"
    assert [r["version"] for r in entry["revisions"]] == [1, 2]
    assert [s["recipient"]["name"] for s in entry["shares"]] == ["Bruno Dubois"]
    assert [c["body_html"] for c in entry["comments"]] == ["<p>Bruno lit Alice</p>"]
    [evidence] = entry["evidence"]
    assert "storage_key" not in evidence and evidence["file_missing"] is False
    assert files == {evidence["file"]: PDF + b"preuve alice.pdf"}
    assert [s["entry_title"] for s in person["shared_with_them"]] == ["Journal de Bruno"]
    assert sorted(c["body_html"] for c in person["comments_on_others_entries"]) == [
        "<p>Alice encore</p>", "<p>Alice lit Bruno</p>"]
    assert sorted((r["version"], r["status"]) for r in person["reports"]) == [
        (1, "submitted"), (2, "draft")]
    evaluation = person["evaluation"]
    assert [g["name"] for g in evaluation["groups"]] == ["Groupe 1"]
    assert sorted(r["grade"] for r in evaluation["published_results"]) == ["14.50", "16.00"]
    assert {a["assessment_id"] for a in evaluation["assessed"]} == {"reflective-report",
                                                                     "oral-exam"}
    assert all(a["agreed_scores"][0]["justification"] == "Accord du jury"
               for a in evaluation["assessed"])
    assert evaluation["as_juror"]["scores_given"] == []
    assert sorted(g["grade"] for g in person["grade_outbox"]) == ["14.500", "16.000"]
    text = json.dumps(person)
    assert "Jeanne" not in json.dumps(evaluation["assessed"]) and "Bruno répond" not in text
    assert world.alice == person["user"]["id"]


def test_export_of_a_juror_holds_the_scores_and_comments_they_gave(app, runner, tmp_path):
    build_world(app)

    result, target = _export(runner, tmp_path, "5")

    assert result.exit_code == 0, result.output
    person, files, _ = _person(target)
    as_juror = person["evaluation"]["as_juror"]
    assert as_juror["juries"] == [{"jury_id": as_juror["juries"][0]["jury_id"],
                                   "name": "Jury A", "is_chair": True}]
    assert sorted(s["comment"] for s in as_juror["scores_given"]) == [
        "Bien, Alice Martin", "Bien, Alice Martin", "Bien, Bruno Dubois"]
    assert len(as_juror["submissions"]) == 3
    assert [a["cohort"] for a in person["juror_appointments"]] == ["CIMP 2026"]
    assert person["entries"] == [] and files == {}


def test_export_has_no_secrets_and_is_in_a_stable_order(app, runner, tmp_path):
    build_world(app)

    _export(runner, tmp_path, "2", "one.zip")
    _export(runner, tmp_path, "2", "two.zip")

    one, _, names = _person(tmp_path / "one.zip")
    two, _, _ = _person(tmp_path / "two.zip")
    one.pop("exported_at"), two.pop("exported_at")
    assert one == two
    assert names == ["person.json"] + sorted(n for n in names if n != "person.json")
    raw = (tmp_path / "one.zip").read_bytes()
    assert b"client_id" not in raw and b"private_pem" not in raw


def test_exporting_an_unknown_person_fails_cleanly_and_writes_nothing(app, runner, tmp_path):
    build_world(app)

    result, target = _export(runner, tmp_path, "999")

    assert result.exit_code == 2
    assert "no person with issuer" in result.output and "'999'" in result.output
    assert "Traceback" not in result.output
    assert not target.exists() and list(tmp_path.glob("*.part")) == []


def test_export_requires_issuer_and_sub(runner, tmp_path):
    result = runner.invoke(args=["person", "export", "--sub", "2", "-o", str(tmp_path / "x")])

    assert result.exit_code == 2 and "--issuer" in result.output


def test_export_to_an_unwritable_place_is_a_clean_error(app, runner, tmp_path):
    build_world(app)
    blocker = tmp_path / "a-file"
    blocker.write_text("")

    result, _ = _export(runner, tmp_path, "2", "a-file/out.zip")

    assert result.exit_code == 2
    assert "a-file/out.zip" in result.output and "Traceback" not in result.output
