"""``lti-tool person export|erase``: a person's data on request (GDPR access and erasure)."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from lti_tool.db import new_session
from lti_tool.privacy.records import PersonNotFound, find_person


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


@click.group("person", help="A person's data: export it, or erase it.")
def person_group() -> None:
    pass


@person_group.command("export", help="Write everything the tool holds about a person to a zip.")
@click.option("--issuer", required=True, help="The person's platform (issuer).")
@click.option("--sub", required=True, help="The person's id on that platform.")
@click.option("-o", "--output", required=True, help="The zip file to write.")
@with_appcontext
def person_export(issuer: str, sub: str, output: str) -> None:
    from lti_tool.privacy.export import export_person

    with new_session() as session:
        try:
            user = find_person(session, issuer, sub)
            record = export_person(session, user, current_app.config["UPLOAD_DIR"], output)
        except PersonNotFound as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"{output}: {exc.strerror or exc}")
    files = sum(len(e["evidence"]) for e in record["entries"])
    click.echo(f"Wrote {output}: {len(record['entries'])} entr(y/ies), {files} file(s), "
               f"{len(record['evaluation']['published_results'])} published result(s).")


@person_group.command("erase", help="Remove or anonymise a person's data, keeping what the "
                                    "certificate's rules require.")
@click.option("--issuer", required=True, help="The person's platform (issuer).")
@click.option("--sub", required=True, help="The person's id on that platform.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def person_erase(issuer: str, sub: str, yes: bool) -> None:
    from lti_tool.privacy.erase import erase_person

    with new_session() as session:
        try:
            user = find_person(session, issuer, sub)
        except PersonNotFound as exc:
            _fail(str(exc))
        if not yes and not click.confirm(f"Erase {user.display_name} ({issuer}, {sub})? "
                                         "This cannot be undone"):
            click.echo("Nothing erased.")
            sys.exit(1)
        report = erase_person(session, user, current_app.config["UPLOAD_DIR"])
    click.echo(f"Erased ({issuer}, {sub}); a later launch creates a fresh account.")
    for line in report.lines():
        click.echo(line)
