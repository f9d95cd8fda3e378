"""``lti-tool backup`` and ``lti-tool restore``: database and files back exactly as they were,
on SQLite and on PostgreSQL (whichever the suite runs on)."""
from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import select

from lti_tool.backup.archive import code_revisions
from lti_tool.models import metadata
from tests.conftest import empty_database
from tests.privacy.world import build_world

# Rows compared after a restore: every table except short-lived launch state.
COMPARED = [t for t in metadata.sorted_tables if t.name != "kv_entries"]


def _rows(app) -> dict[str, list]:
    with app.extensions["db_engine"].connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in COMPARED}


def _files(app) -> dict[str, bytes]:
    root = Path(app.config["UPLOAD_DIR"])
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _wipe(app) -> None:
    empty_database(app.extensions["db_engine"])
    shutil.rmtree(app.config["UPLOAD_DIR"])


def _backup(runner, target) -> Path:
    result = runner.invoke(args=["backup", "-o", str(target)])
    assert result.exit_code == 0, result.output
    return Path(result.output.split("Wrote ", 1)[1].strip())


def test_backup_then_restore_brings_back_every_row_and_file(app, runner, tmp_path):
    build_world(app)
    rows, files = _rows(app), _files(app)
    assert rows["portfolio_entries"] and rows["evaluation_juror_scores"] and rows["grade_outbox"]
    assert len(files) == 2

    archive = _backup(runner, tmp_path / "backups")
    _wipe(app)
    assert _rows(app)["portfolio_entries"] == [] and not Path(app.config["UPLOAD_DIR"]).exists()
    result = runner.invoke(args=["restore", str(archive), "--yes"])

    assert result.exit_code == 0, result.output
    assert "2 uploaded file(s)" in result.output
    assert _rows(app) == rows
    assert _files(app) == files


def test_the_archive_holds_a_manifest_with_revisions_and_checksums(app, runner, tmp_path):
    build_world(app)

    archive = _backup(runner, tmp_path / "site.tar.gz")

    assert archive == tmp_path / "site.tar.gz"
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["alembic_revisions"] == list(code_revisions())
    assert manifest["database"] == app.extensions["db_engine"].dialect.name
    assert set(manifest["checksums"]) == set(names) - {"manifest.json"}
    assert sum(n.startswith("uploads/") for n in names) == 2
    assert manifest["database_file"] in names


def test_restore_asks_first_and_changes_nothing_when_refused(app, runner, tmp_path):
    build_world(app)
    archive = _backup(runner, tmp_path / "b.tar.gz")
    _wipe(app)

    result = runner.invoke(args=["restore", str(archive)], input="n\n")

    assert result.exit_code == 2 and "nothing restored" in result.output
    assert _rows(app)["portfolio_entries"] == []


def _rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of ``archive`` with ``change(folder)`` applied to its unpacked contents."""
    folder = target.with_suffix(".d")
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    change(folder)
    with tarfile.open(target, "w:gz") as tar:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=path.relative_to(folder).as_posix())
    return target


def _other_revision(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["alembic_revisions"] = ["0000_older"]
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _damaged_file(folder: Path) -> None:
    upload = next(p for p in (folder / "uploads").rglob("*") if p.is_file())
    upload.write_bytes(upload.read_bytes() + b"tampered")


@pytest.mark.parametrize("change, message", [
    (_other_revision, "revision(s) 0000_older, this code expects"),
    (_damaged_file, "checksum of uploads/"),
])
def test_restore_refuses_another_schema_or_a_damaged_archive(app, runner, tmp_path, change,
                                                             message):
    build_world(app)
    archive = _backup(runner, tmp_path / "b.tar.gz")
    bad = _rewrite(archive, tmp_path / "bad.tar.gz", change)
    rows, files = _rows(app), _files(app)

    result = runner.invoke(args=["restore", str(bad), "--yes"])

    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert _rows(app) == rows and _files(app) == files


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    (b"not a tar archive", "not a readable backup archive"),
])
def test_restore_of_a_missing_or_unreadable_file_is_a_clean_error(app, runner, tmp_path,
                                                                  content, message):
    path = tmp_path / "x.tar.gz"
    if content is not None:
        path.write_bytes(content)

    result = runner.invoke(args=["restore", str(path), "--yes"])

    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_backup_requires_an_output(runner):
    result = runner.invoke(args=["backup"])

    assert result.exit_code == 2 and "--output" in result.output
