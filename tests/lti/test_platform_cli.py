"""``lti-tool platform add|list|remove``: registering Moodle sites with the tool, and refusing
bad input with exit code 2, a clear message and nothing written."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool.db import new_session
from lti_tool.lti.models import Deployment, Platform

FULL = ["platform", "add", "--name", "Université A", "--issuer", "https://moodle.univ-a.example",
        "--client-id", "cimp-univ-a",
        "--auth-login-url", "https://moodle.univ-a.example/mod/lti/auth.php",
        "--auth-token-url", "https://moodle.univ-a.example/mod/lti/token.php",
        "--key-set-url", "https://moodle.univ-a.example/mod/lti/certs.php",
        "--deployment-id", "3"]


def platforms(app) -> list[Platform]:
    with app.app_context():
        with new_session() as session:
            found = list(session.scalars(select(Platform).order_by(Platform.id)))
            for platform in found:
                platform.deployment_ids  # loaded while the session is open
            return found


def deployment_rows(app) -> int:
    with app.app_context():
        with new_session() as session:
            return len(session.scalars(select(Deployment)).all())


def invoke(runner, args: list[str]):
    return runner.invoke(args=args)


def assert_usage_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    for fragment in fragments:
        assert fragment in result.output


def test_add_with_every_flag(app, runner):
    result = invoke(runner, FULL)
    assert result.exit_code == 0, result.output
    assert "Registered Université A" in result.output
    [platform] = platforms(app)
    assert (platform.name, platform.issuer, platform.client_id) == (
        "Université A", "https://moodle.univ-a.example", "cimp-univ-a")
    assert platform.auth_login_url == "https://moodle.univ-a.example/mod/lti/auth.php"
    assert platform.auth_token_url == "https://moodle.univ-a.example/mod/lti/token.php"
    assert platform.key_set_url == "https://moodle.univ-a.example/mod/lti/certs.php"
    assert platform.deployment_ids == ["3"]


@pytest.mark.parametrize("wwwroot", ["https://moodle.univ-b.example",
                                     "https://moodle.univ-b.example/"])
def test_add_with_moodle_fills_in_its_endpoints(app, runner, wwwroot):
    result = invoke(runner, ["platform", "add", "--moodle", wwwroot, "--client-id", "abc123",
                             "--deployment-id", "7"])
    assert result.exit_code == 0, result.output
    [platform] = platforms(app)
    root = "https://moodle.univ-b.example"
    assert platform.issuer == root
    assert platform.auth_login_url == f"{root}/mod/lti/auth.php"
    assert platform.auth_token_url == f"{root}/mod/lti/token.php"
    assert platform.key_set_url == f"{root}/mod/lti/certs.php"
    # Without --name the issuer names it.
    assert platform.name == root


def test_add_with_moodle_under_a_path(app, runner):
    result = invoke(runner, ["platform", "add", "--moodle", "https://uni.example/moodle/",
                             "--client-id", "c", "--deployment-id", "1"])
    assert result.exit_code == 0, result.output
    [platform] = platforms(app)
    assert platform.issuer == "https://uni.example/moodle"
    assert platform.key_set_url == "https://uni.example/moodle/mod/lti/certs.php"


def test_add_with_several_deployment_ids(app, runner):
    result = invoke(runner, FULL + ["--deployment-id", "4", "--deployment-id", "5"])
    assert result.exit_code == 0, result.output
    assert "deployments 3, 4, 5" in result.output
    assert platforms(app)[0].deployment_ids == ["3", "4", "5"]


def test_adding_again_adds_new_deployments_without_duplicates(app, runner):
    assert invoke(runner, FULL).exit_code == 0
    again = FULL[:-2] + ["--deployment-id", "3", "--deployment-id", "8"]
    assert invoke(runner, again).exit_code == 0
    [platform] = platforms(app)
    assert platform.deployment_ids == ["3", "8"]
    assert deployment_rows(app) == 2


def test_one_issuer_may_register_several_client_ids(app, runner):
    assert invoke(runner, FULL).exit_code == 0
    second = list(FULL)
    second[second.index("cimp-univ-a")] = "cimp-univ-a-2"
    assert invoke(runner, second).exit_code == 0
    assert [p.client_id for p in platforms(app)] == ["cimp-univ-a", "cimp-univ-a-2"]


def test_list_shows_every_registration(app, runner):
    assert "No platform registered." in invoke(runner, ["platform", "list"]).output
    invoke(runner, FULL + ["--deployment-id", "4"])
    invoke(runner, ["platform", "add", "--moodle", "https://moodle.univ-b.example",
                    "--client-id", "b", "--deployment-id", "1", "--name", "Université B"])
    result = invoke(runner, ["platform", "list"])
    assert result.exit_code == 0
    output = result.output
    assert "Université A" in output and "Université B" in output
    assert "issuer: https://moodle.univ-a.example" in output
    assert "client id: cimp-univ-a" in output
    assert "deployments: 3, 4" in output
    assert "keyset: https://moodle.univ-b.example/mod/lti/certs.php" in output


def test_remove_a_registration(app, runner):
    invoke(runner, FULL)
    result = invoke(runner, ["platform", "remove", "--issuer", "https://moodle.univ-a.example"])
    assert result.exit_code == 0, result.output
    assert "Removed Université A" in result.output
    assert platforms(app) == []
    assert deployment_rows(app) == 0


def test_remove_needs_the_client_id_when_an_issuer_has_several(app, runner):
    invoke(runner, FULL)
    second = list(FULL)
    second[second.index("cimp-univ-a")] = "other"
    invoke(runner, second)
    result = invoke(runner, ["platform", "remove", "--issuer", "https://moodle.univ-a.example"])
    assert_usage_error(result, "--client-id")
    assert len(platforms(app)) == 2
    result = invoke(runner, ["platform", "remove", "--issuer", "https://moodle.univ-a.example",
                             "--client-id", "other"])
    assert result.exit_code == 0, result.output
    assert [p.client_id for p in platforms(app)] == ["cimp-univ-a"]


def test_removing_an_unknown_platform_is_a_usage_error(app, runner):
    invoke(runner, FULL)
    result = invoke(runner, ["platform", "remove", "--issuer", "https://nowhere.example"])
    assert_usage_error(result, "no registration for issuer 'https://nowhere.example'")
    assert len(platforms(app)) == 1


def replaced(flag: str, value: str) -> list[str]:
    args = list(FULL)
    args[args.index(flag) + 1] = value
    return args


def without(flag: str) -> list[str]:
    args = list(FULL)
    index = args.index(flag)
    return args[:index] + args[index + 2:]


@pytest.mark.parametrize("args, message", [
    (replaced("--issuer", "moodle.univ-a.example"), "issuer: 'moodle.univ-a.example' is not"),
    (replaced("--issuer", "ftp://moodle.univ-a.example"), "issuer"),
    (replaced("--auth-login-url", "/mod/lti/auth.php"), "auth login URL"),
    (replaced("--auth-token-url", "token.php"), "auth token URL"),
    (replaced("--key-set-url", "https://"), "key set URL"),
    (replaced("--client-id", "   "), "client id: must not be empty"),
    (replaced("--deployment-id", " "), "at least one deployment id is required"),
    (without("--issuer"), "missing --issuer"),
    (without("--key-set-url"), "missing --key-set-url"),
    (without("--client-id"), "--client-id"),
    (without("--deployment-id"), "--deployment-id"),
    (["platform", "add", "--moodle", "not a url", "--client-id", "c", "--deployment-id", "1"],
     "--moodle: 'not a url' is not an http(s) address"),
], ids=["issuer-no-scheme", "issuer-ftp", "login-relative", "token-relative", "keyset-no-host",
        "blank-client-id", "blank-deployment", "no-issuer", "no-keyset", "no-client-id",
        "no-deployment", "moodle-not-url"])
def test_bad_input_is_a_usage_error_and_writes_nothing(app, runner, args, message):
    result = invoke(runner, args)
    assert_usage_error(result, message)
    assert platforms(app) == []
    assert deployment_rows(app) == 0


def test_a_bad_second_registration_leaves_the_first_untouched(app, runner):
    invoke(runner, FULL)
    result = invoke(runner, replaced("--key-set-url", "nope") + ["--deployment-id", "9"])
    assert_usage_error(result, "key set URL")
    [platform] = platforms(app)
    assert platform.key_set_url == "https://moodle.univ-a.example/mod/lti/certs.php"
    assert platform.deployment_ids == ["3"]


def test_spaces_around_a_client_id_name_the_same_registration(app, runner):
    invoke(runner, FULL)
    result = invoke(runner, replaced("--client-id", " cimp-univ-a ") + ["--deployment-id", "4"])
    assert result.exit_code == 0, result.output
    [platform] = platforms(app)
    assert platform.deployment_ids == ["3", "4"]
