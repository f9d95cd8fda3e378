"""No secret reaches the logs: id_tokens, launch tokens, private keys, the secret key and the
platforms' access tokens stay out of every log line, as recorded and as the JSON formatter
writes it, for genuine and refused launches and for grade sync."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from lti_tool.lti.models import ToolKey
from lti_tool.observability import JsonFormatter
from tests.grades.grading import build_world, enqueue, sync
from tests.production.secrets import leaked_in, secret_fragments

LOGGERS_OF_THE_TEST_ITSELF = ("urllib3", "hypothesis")


@pytest.fixture
def issued(site_a, site_b, monkeypatch):
    """Every access token and client assertion the platforms see, as they are issued."""
    seen: list[str] = []
    for site in (site_a, site_b):
        original = site.issue_token

        def recording(form, _original=original):
            seen.append(form.get("client_assertion", ""))
            answer = _original(form)
            seen.append(answer.get("access_token", ""))
            return answer

        monkeypatch.setattr(site, "issue_token", recording)
    return seen


def log_texts(caplog) -> list[str]:
    """Each captured record of the tool's side, raw and as the JSON formatter writes it."""
    formatter = JsonFormatter()
    texts = []
    for record in caplog.records:
        if record.name.startswith(LOGGERS_OF_THE_TEST_ITSELF):
            continue
        texts.append(record.getMessage())
        texts.append(formatter.format(record))
    return texts


def test_no_secret_or_token_in_the_logs(app, driver, site_a, site_b, tool_server, issued,
                                        caplog):
    caplog.set_level(logging.DEBUG)
    secrets: list[str] = [app.secret_key]
    # Genuine launches, their pages, and a page with a forged or expired token.
    world = build_world(app, driver, site_a, site_b)
    secrets += world.tokens.values()
    for token in world.tokens.values():
        driver.http.get(tool_server.url + "/app/portfolio", params={"lt": token})
    driver.http.get(tool_server.url + "/app/portfolio", params={"lt": "x" + token})
    # Refused launches, each with its id_token.
    login = driver.start_login(site_a, "2", "101")
    action, fields = driver.platform_auth(login)
    secrets.append(fields["id_token"])
    assert driver.post_launch(fields, login.cookies, action).status == 200
    assert driver.post_launch(fields, login.cookies, action).status >= 400  # replayed
    for overrides in ({"version": "1.1"}, {"aud": "someone-else"}, {"exp": 1}):
        login = driver.start_login(site_a, "3", "101")
        claims = site_a.launch_claims("3", "101", nonce=login.nonce, **overrides)
        token = site_a.sign(claims)
        secrets.append(token)
        assert driver.post_launch({"id_token": token, "state": login.state},
                                  login.cookies).status >= 400
    # A grade sent to the platform: the tool asks it for an access token.
    enqueue(app, world.user("a", "2"), "collective-report", 15)
    assert sync(app).sent == 1
    assert issued, "the platform issued no access token"
    secrets += issued
    with app.app_context():
        secrets += [key.private_pem for key in
                    app.extensions["db_sessionmaker"]().scalars(select(ToolKey))]

    fragments = secret_fragments(secrets)
    texts = log_texts(caplog)
    assert any("lti.launch.refused" in text for text in texts)  # the logs were captured
    leaks = [(leak, text[:200]) for text in texts for leak in leaked_in(text, fragments)]
    assert not leaks, leaks
    assert "PRIVATE KEY" not in caplog.text
