"""``lti-tool person export|erase``: a person's data on request (GDPR access and erasure)."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from lti_tool.accounts.models import User
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


@person_group.command("purge-expired", help="Erase the participants whose personal data is kept "
                                            "longer than config/retention.yaml allows.")
@click.option("--dry-run", is_flag=True, help="Only list who would be erased.")
@click.option("--retention", "retention_file", help="Another retention file.")
@with_appcontext
def person_purge_expired(dry_run: bool, retention_file: str | None) -> None:
    from lti_tool.db import utcnow
    from lti_tool.privacy.erase import erase_person
    from lti_tool.privacy.retention import RetentionError, expired_people, load_retention

    try:
        retention = load_retention(retention_file)
    except RetentionError as exc:
        _fail(str(exc))
    with new_session() as session:
        people = expired_people(session, retention, utcnow())
        for person in people:
            ended = f"{person.edition_ended_at:%Y-%m-%d}"
            if dry_run:
                click.echo(f"would erase ({person.issuer}, {person.sub}): edition ended {ended}")
                continue
            erase_person(session, session.get(User, person.user_id),
                         current_app.config["UPLOAD_DIR"])
            click.echo(f"erased ({person.issuer}, {person.sub}): edition ended {ended}")
    verb = "would be erased" if dry_run else "erased"
    click.echo(f"{len(people)} person(s) {verb} (personal data kept "
               f"{retention.personal_data_months} months after their edition).")
