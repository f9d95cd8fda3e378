"""The ``lti-tool`` command: run the tool, migrate, manage keys and platforms, start the demo."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from lti_tool.db import get_session


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


@click.group("db", help="Database schema.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Apply the migrations (creates the database on first run).")
@with_appcontext
def db_upgrade() -> None:
    from lti_tool.migrations import upgrade_database

    upgrade_database(current_app.config["DATABASE_URL"])
    click.echo("Database is up to date.")


@click.group("keys", help="The tool's RSA signing keys (public keyset at /lti/jwks.json).")
def keys_group() -> None:
    pass


@keys_group.command("list")
@with_appcontext
def keys_list() -> None:
    from lti_tool.lti import keys

    for key in keys.list_keys(get_session()):
        click.echo(f"{key.kid}  {key.status:<9}  created {key.created_at:%Y-%m-%d %H:%M}")


@keys_group.command("rotate", help="Make a new key active; the previous one stays published.")
@with_appcontext
def keys_rotate() -> None:
    from lti_tool.lti import keys

    key = keys.rotate_keys(get_session())
    click.echo(f"New active key {key.kid}. Retire the previous one with 'lti-tool keys retire' "
               "once platforms have refreshed their copy of the keyset.")


@keys_group.command("retire", help="Remove keys that are no longer active from the keyset.")
@with_appcontext
def keys_retire() -> None:
    from lti_tool.lti import keys

    retired = keys.retire_keys(get_session())
    click.echo("Retired: " + ", ".join(retired) if retired else "No published key to retire.")


@click.group("platform", help="Platforms (LMS sites) registered with the tool.")
def platform_group() -> None:
    pass


@platform_group.command("add")
@click.option("--name", default="", help="A name for people (e.g. the university).")
@click.option("--moodle", "moodle_root", help="A Moodle site's wwwroot: fills in its endpoints.")
@click.option("--issuer")
@click.option("--client-id", required=True)
@click.option("--auth-login-url")
@click.option("--auth-token-url")
@click.option("--key-set-url")
@click.option("--deployment-id", "deployment_ids", multiple=True, required=True)
@with_appcontext
def platform_add(name, moodle_root, issuer, client_id, auth_login_url, auth_token_url,
                 key_set_url, deployment_ids) -> None:
    """Register a platform, or add deployment ids to an existing registration."""
    from lti_tool.lti.platforms import RegistrationError, add_platform, moodle_endpoints

    try:
        if moodle_root:
            endpoints = moodle_endpoints(moodle_root)
            issuer = issuer or endpoints.issuer
            auth_login_url = auth_login_url or endpoints.auth_login_url
            auth_token_url = auth_token_url or endpoints.auth_token_url
            key_set_url = key_set_url or endpoints.key_set_url
        missing = [flag for flag, value in (("--issuer", issuer),
                                            ("--auth-login-url", auth_login_url),
                                            ("--auth-token-url", auth_token_url),
                                            ("--key-set-url", key_set_url)) if not value]
        if missing:
            _fail("missing " + ", ".join(missing) + " (or give --moodle WWWROOT)")
        platform = add_platform(get_session(), name=name, issuer=issuer, client_id=client_id,
                                auth_login_url=auth_login_url, auth_token_url=auth_token_url,
                                key_set_url=key_set_url, deployment_ids=deployment_ids)
    except RegistrationError as exc:
        _fail(str(exc))
    click.echo(f"Registered {platform.name}: issuer {platform.issuer}, client id "
               f"{platform.client_id}, deployments {', '.join(platform.deployment_ids)}")


@platform_group.command("list")
@with_appcontext
def platform_list() -> None:
    from lti_tool.lti.platforms import list_platforms

    platforms = list_platforms(get_session())
    if not platforms:
        click.echo("No platform registered.")
    for p in platforms:
        click.echo(f"{p.name}\n  issuer: {p.issuer}\n  client id: {p.client_id}\n"
                   f"  deployments: {', '.join(p.deployment_ids)}\n  login: {p.auth_login_url}\n"
                   f"  token: {p.auth_token_url}\n  keyset: {p.key_set_url}")


@platform_group.command("remove")
@click.option("--issuer", required=True)
@click.option("--client-id")
@with_appcontext
def platform_remove(issuer, client_id) -> None:
    from lti_tool.lti.platforms import RegistrationError, remove_platform

    try:
        platform = remove_platform(get_session(), issuer, client_id)
    except RegistrationError as exc:
        _fail(str(exc))
    click.echo(f"Removed {platform.name} ({platform.issuer}, client id {platform.client_id}).")


@click.command("demo", help="Start the tool with a built-in demo platform (two universities).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, help="The tool's port.")
@click.option("--platform-port", default=5001, show_default=True)
@with_appcontext
def demo(host: str, port: int, platform_port: int) -> None:
    from lti_tool.demo_setup import run_demo

    run_demo(current_app._get_current_object(), host, port, platform_port)


def register_commands(app: Flask) -> None:
    for command in (db_group, keys_group, platform_group, demo):
        app.cli.add_command(command)
    from lti_tool.grades.cli import grades_group

    app.cli.add_command(grades_group)
    from lti_tool.privacy.cli import person_group
    app.cli.add_command(person_group)
    from lti_tool.backup.cli import backup_command, restore_command
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def _create_app() -> Flask:
    from lti_tool import create_app

    return create_app()


def main() -> None:
    cli = FlaskGroup(create_app=_create_app, add_default_commands=True,
                     help="cimp-lti: the CIMP LTI 1.3 tool.")
    cli.main(prog_name="lti-tool")
