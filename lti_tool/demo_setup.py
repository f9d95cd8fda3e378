"""``lti-tool demo``: the tool on its embedded defaults next to a built-in platform of two sites."""
from __future__ import annotations

import click
from flask import Flask
from werkzeug.serving import run_simple

from lti_tool.db import get_session
from lti_tool.lti.platforms import add_platform
from lti_tool.migrations import upgrade_database


def register_demo_sites(app: Flask, sites) -> None:
    """Register every demo site with the tool, as an administrator would with the CLI."""
    with app.app_context():
        for site in sites:
            add_platform(get_session(), name=site.name, issuer=site.issuer,
                         client_id=site.client_id, auth_login_url=site.auth_url,
                         auth_token_url=site.token_url, key_set_url=site.certs_url,
                         deployment_ids=[site.deployment_id])


def run_demo(app: Flask, host: str, port: int, platform_port: int) -> None:
    from lti_tool.demo.platform import demo_sites, serve_platform

    tool_url = app.config.get("BASE_URL") or f"http://{host}:{port}"
    upgrade_database(app.config["DATABASE_URL"])
    platform = serve_platform(demo_sites(tool_url, jwks_path="/lti/jwks.json"), host=host,
                              port=platform_port)
    register_demo_sites(app, platform.sites.values())
    click.echo(f"Demo platform: {platform.url}/  (open this, pick a user, launch an activity)")
    click.echo(f"Tool: {tool_url}/lti/config")
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        platform.stop()
