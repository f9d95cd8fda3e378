"""One tar.gz holding a database snapshot, the uploaded files copied after it, and a manifest.

SQLite is copied with the online backup API; PostgreSQL with ``pg_dump --format=custom`` and put
back with ``pg_restore --clean --if-exists --no-owner --single-transaction``, the connection
parameters taken from the SQLAlchemy URL. ``manifest.json`` names the tool's version, the database
kind, the Alembic revisions of the schema and the SHA-256 of every file of the archive.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from lti_tool.db import utcnow
from lti_tool.migrations import alembic_config

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_FILE = "database.sqlite3"
PG_DUMP_FILE = "database.pgdump"
UPLOADS = "uploads"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True)
class RestoreSummary:
    database: str
    files: int
    revisions: tuple[str, ...]


def code_revisions() -> tuple[str, ...]:
    """The Alembic heads of this version of the code."""
    return tuple(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


def database_revisions(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        return tuple(sorted(rows))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"{url}: an in-memory SQLite database cannot be backed up")
    return Path(database)


def _pg_environment(url: str) -> dict[str, str]:
    """libpq's environment variables for the SQLAlchemy URL (the password never on argv)."""
    parsed = make_url(url)
    env = dict(os.environ)
    for name, value in (("PGHOST", parsed.host), ("PGPORT", parsed.port),
                        ("PGUSER", parsed.username), ("PGPASSWORD", parsed.password),
                        ("PGDATABASE", parsed.database),
                        ("PGSSLMODE", parsed.query.get("sslmode"))):
        if value is not None:
            env[name] = str(value)
    return env


def _run(command: list[str], url: str) -> None:
    try:
        result = subprocess.run(command, env=_pg_environment(url), capture_output=True,
                                text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (Debian package postgresql-client)")
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _snapshot_database(engine: Engine, url: str, folder: Path) -> str:
    dialect = engine.dialect.name
    if dialect == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(folder / SQLITE_FILE)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        return SQLITE_FILE
    if dialect == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(folder / PG_DUMP_FILE)],
             url)
        return PG_DUMP_FILE
    raise BackupError(f"{dialect}: only SQLite and PostgreSQL databases can be backed up")


def _copy_uploads(upload_dir: Path, folder: Path) -> None:
    target = folder / UPLOADS
    target.mkdir()
    if not upload_dir.is_dir():
        return
    for path in sorted(upload_dir.rglob("*")):
        # Half-written uploads (".part") are not files of the tool yet.
        if path.is_file() and path.suffix != ".part":
            destination = target / path.relative_to(upload_dir)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


def _tool_version() -> str:
    try:
        return metadata.version("cimp-lti")
    except metadata.PackageNotFoundError:
        return "unknown"


def _archive_path(output: Path) -> Path:
    if output.is_dir() or str(output).endswith(os.sep):
        return output / f"cimp-lti-backup-{utcnow():%Y%m%dT%H%M%SZ}.tar.gz"
    return output


def create_backup(engine: Engine, url: str, upload_dir: str | os.PathLike,
                  output: str | os.PathLike) -> Path:
    """Write the archive (to ``output``, or a dated name inside it if it is a folder)."""
    destination = _archive_path(Path(output))
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        revisions = database_revisions(engine)
        database_file = _snapshot_database(engine, url, folder)
        # Files after the database: every file a row of the snapshot names is already there.
        _copy_uploads(Path(upload_dir), folder)
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(),
            "tool_version": _tool_version(),
            "python": sys.version.split()[0],
            "database": engine.dialect.name,
            "database_file": database_file,
            "alembic_revisions": list(revisions),
            "checksums": {p.relative_to(folder).as_posix(): _sha256(p) for p in files},
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        fd, partial = tempfile.mkstemp(dir=destination.parent, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w:gz") as tar:
                tar.add(folder / MANIFEST, arcname=MANIFEST)
                for path in files:
                    tar.add(path, arcname=path.relative_to(folder).as_posix())
            os.chmod(partial, 0o600)
            os.replace(partial, destination)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return destination


def _unpack(archive: Path, folder: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(folder, filter="data")
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{archive}: no {MANIFEST} in the archive")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive}: not a readable backup archive ({exc})")
    except ValueError as exc:
        raise BackupError(f"{archive}: {MANIFEST} is not valid JSON ({exc})")
    if not isinstance(manifest, dict):
        raise BackupError(f"{archive}: {MANIFEST}: not a JSON object")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: {MANIFEST}: unknown format {manifest.get('format')!r}")
    return manifest


def _check(archive: Path, folder: Path, manifest: dict[str, Any], engine: Engine) -> None:
    checksums = manifest.get("checksums") or {}
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    present.discard(MANIFEST)
    for name in sorted(present | set(checksums)):
        if name not in checksums:
            raise BackupError(f"{archive}: {name} is not listed in {MANIFEST}")
        if name not in present:
            raise BackupError(f"{archive}: {name} is listed in {MANIFEST} but missing")
        if _sha256(folder / name) != checksums[name]:
            raise BackupError(f"{archive}: checksum of {name} does not match {MANIFEST}")
    expected = code_revisions()
    found = tuple(sorted(manifest.get("alembic_revisions") or ()))
    if found != expected:
        raise BackupError(f"{archive}: database schema at revision(s) {', '.join(found)}, this "
                          f"code expects {', '.join(expected)}; restore with the matching "
                          "version of the tool")
    if manifest.get("database") != engine.dialect.name:
        raise BackupError(f"{archive}: a {manifest.get('database')} backup cannot be restored "
                          f"into a {engine.dialect.name} database")


def verify_backup(archive: str | os.PathLike, engine: Engine, folder: Path) -> dict[str, Any]:
    """Unpack ``archive`` into ``folder`` and check it; return its manifest."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    manifest = _unpack(archive, folder)
    _check(archive, folder, manifest, engine)
    return manifest


def _restore_database(engine: Engine, url: str, folder: Path, manifest: dict[str, Any]) -> None:
    engine.dispose()
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(folder / SQLITE_FILE)
        target = sqlite3.connect(_sqlite_path(url), timeout=30)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--exit-on-error", "--dbname", _pg_environment(url).get("PGDATABASE", ""),
              str(folder / PG_DUMP_FILE)], url)


def _restore_uploads(folder: Path, upload_dir: Path) -> int:
    """Swap the upload folder for the archive's (the old one is removed once swapped)."""
    source = folder / UPLOADS
    upload_dir.parent.mkdir(parents=True, exist_ok=True)
    incoming = Path(tempfile.mkdtemp(dir=upload_dir.parent, prefix=".restoring-"))
    shutil.copytree(source, incoming, dirs_exist_ok=True)
    previous = upload_dir.with_name(upload_dir.name + ".previous")
    shutil.rmtree(previous, ignore_errors=True)
    if upload_dir.exists():
        upload_dir.rename(previous)
    incoming.rename(upload_dir)
    shutil.rmtree(previous, ignore_errors=True)
    return sum(1 for p in upload_dir.rglob("*") if p.is_file())


def restore_backup(archive: str | os.PathLike, engine: Engine, url: str,
                   upload_dir: str | os.PathLike,
                   confirm: Callable[[dict[str, Any]], bool] = lambda manifest: True
                   ) -> RestoreSummary:
    """Check ``archive``, ask ``confirm(manifest)``, then put back the database and the files.

    Raises ``BackupError`` before changing anything when the archive is damaged, from another
    schema or another kind of database, or when ``confirm`` refuses.
    """
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        manifest = verify_backup(archive, engine, folder)
        if not confirm(manifest):
            raise BackupError("cancelled: nothing restored")
        _restore_database(engine, url, folder, manifest)
        files = _restore_uploads(folder, Path(upload_dir))
    return RestoreSummary(manifest["database"], files, tuple(manifest["alembic_revisions"]))
