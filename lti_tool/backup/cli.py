"""``lti-tool backup`` and ``lti-tool restore``: the database and the uploaded files together."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from lti_tool.backup.archive import BackupError, create_backup, restore_backup
from lti_tool.db import get_engine


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


@click.command("backup", help="Write the database and the uploaded files to one tar.gz archive.")
@click.option("-o", "--output", required=True,
              help="The archive to write, or a folder to write a dated archive into.")
@with_appcontext
def backup_command(output: str) -> None:
    config = current_app.config
    try:
        path = create_backup(get_engine(), config["DATABASE_URL"], config["UPLOAD_DIR"], output)
    except BackupError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{output}: {exc.strerror or exc}")
    click.echo(f"Wrote {path}")


@click.command("restore", help="Put back the database and the uploaded files from a backup "
                               "(replaces what is there now).")
@click.argument("archive")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(archive: str, yes: bool) -> None:
    config = current_app.config

    def confirm(manifest) -> bool:
        return yes or click.confirm(
            f"Replace the database and the uploaded files with the backup of "
            f"{manifest.get('created_at')}?")

    try:
        summary = restore_backup(archive, get_engine(), config["DATABASE_URL"],
                                 config["UPLOAD_DIR"], confirm)
    except BackupError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{archive}: {exc.strerror or exc}")
    click.echo(f"Restored the {summary.database} database (revision(s) "
               f"{', '.join(summary.revisions)}) and {summary.files} uploaded file(s).")
