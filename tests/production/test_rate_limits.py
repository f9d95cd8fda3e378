"""Rate limits on the public LTI endpoints (per client address) and on evidence uploads (per
launched person): a clean 429 page in the user's language with Retry-After."""
from __future__ import annotations

import pytest

from lti_tool import create_app
from tests.portfolio.pages import entry_id_of, launched


@pytest.fixture
def app(app):
    """The test app again, with rate limits on and small enough to reach in a test."""
    limited = create_app({
        "TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"],
        "SECRET_KEY": app.config["SECRET_KEY"], "REDIS_URL": None,
        "UPLOAD_DIR": app.config["UPLOAD_DIR"], "RATELIMIT_ENABLED": True,
        "RATE_LIMIT_LTI": "3/minute", "RATE_LIMIT_UPLOADS": "2/minute",
    })
    yield limited
    limited.extensions["db_engine"].dispose()


def test_limits_are_off_in_tests_unless_asked(database_url, tmp_path):
    plain = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k",
                        "UPLOAD_DIR": str(tmp_path)})
    client = plain.test_client()
    statuses = {client.post("/lti/login", data={"iss": "x"}).status_code for _ in range(200)}
    assert 429 not in statuses
    plain.extensions["db_engine"].dispose()


@pytest.mark.parametrize("method, path", [("POST", "/lti/login"), ("GET", "/lti/login"),
                                          ("POST", "/lti/launch"), ("GET", "/lti/register")])
def test_each_lti_endpoint_is_limited_per_client_address(client, method, path):
    answers = [client.open(path, method=method, data={"iss": "https://nowhere.example"})
               for _ in range(4)]
    assert [a.status_code == 429 for a in answers] == [False, False, False, True]
    refused = answers[-1]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert 'lang="fr"' in refused.text and "Trop de demandes" in refused.text
    assert "Traceback" not in refused.text
    # Another address has its own count.
    other = client.open(path, method=method, data={"iss": "https://nowhere.example"},
                        environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code != 429


def test_accepted_launches_are_bounded_by_the_logins_and_refused_ones_are_counted(
        driver, tool_server, site_a, client):
    # Three logins, each with its launch: the login limit is reached, every launch passes.
    for _ in range(3):
        assert driver.launch(site_a, "2", "101").status == 200
    assert driver.http.post(tool_server.url + "/lti/login").status_code == 429
    # Launches the tool refuses are counted, from the same address: past the limit, 429.
    statuses = [client.post("/lti/launch", data={"id_token": "x"}).status_code for _ in range(4)]
    assert all(400 <= status < 429 for status in statuses[:3]) and statuses[3] == 429


def test_the_refusal_speaks_english_or_json_when_asked(client):
    for _ in range(3):
        client.post("/lti/login")
    english = client.post("/lti/login", headers={"Accept-Language": "en"})
    assert english.status_code == 429 and "Too many requests" in english.text
    assert 'lang="en"' in english.text
    as_json = client.post("/lti/login", headers={"Accept": "application/json"})
    assert as_json.status_code == 429
    assert as_json.json["code"] == 429 and as_json.json["retry_after"] >= 1


def test_behind_a_proxy_the_forwarded_client_is_counted(database_url, tmp_path):
    proxied = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k",
                          "UPLOAD_DIR": str(tmp_path), "RATELIMIT_ENABLED": True,
                          "RATE_LIMIT_LTI": "2/minute", "PROXY_COUNT": 1})
    client = proxied.test_client()

    def login(address: str) -> int:
        return client.post("/lti/login", headers={"X-Forwarded-For": address}).status_code

    assert [login("203.0.113.1") for _ in range(3)][-1] == 429
    assert login("203.0.113.2") != 429  # same proxy address, another browser behind it
    proxied.extensions["db_engine"].dispose()


def test_evidence_uploads_are_limited_per_person(driver, tool_server, site_a):
    tab = launched(driver, tool_server.url, site_a, "2")
    entry_id = entry_id_of(tab.post("/portfolio/entries/new",
                                    {"title": "Notes", "body": "<p>text</p>", "save": "1"}))
    csrf = tab.csrf_token()

    def upload(tab_, n: int) -> int:
        files = {"file": (f"note{n}.txt", b"plain text evidence\n", "text/plain")}
        return tab_.post(f"/portfolio/entries/{entry_id}/evidence", files=files,
                         csrf_token=csrf if tab_ is tab else None).status_code

    statuses = [upload(tab, n) for n in range(3)]
    assert statuses[:2] == [303, 303] and statuses[2] == 429
    # A second launch of the same person shares the count; another participant does not.
    again = launched(driver, tool_server.url, site_a, "2")
    assert upload(again, 9) == 429
    other = launched(driver, tool_server.url, site_a, "3")
    other_entry = entry_id_of(other.post("/portfolio/entries/new",
                                         {"title": "Mine", "body": "<p>x</p>", "save": "1"}))
    files = {"file": ("a.txt", b"evidence\n", "text/plain")}
    assert other.post(f"/portfolio/entries/{other_entry}/evidence",
                      files=files).status_code == 303


def test_an_unreachable_limits_store_lets_requests_through(database_url, tmp_path):
    """Redis down must not take the LTI endpoints down with it: the limit is not applied."""
    cut_off = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k",
                          "UPLOAD_DIR": str(tmp_path), "RATELIMIT_ENABLED": True,
                          "RATE_LIMIT_LTI": "1/minute",
                          "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})
    client = cut_off.test_client()
    statuses = [client.post("/lti/login", data={"iss": "x"}).status_code for _ in range(3)]
    assert statuses == [400, 400, 400]  # refused as a login, never 429 nor 500
    cut_off.extensions["db_engine"].dispose()


def test_a_malformed_limit_is_refused_at_start_naming_its_variable(database_url, tmp_path):
    with pytest.raises(ValueError, match="LTI_TOOL_RATE_LIMIT_LTI='lots'.*120/minute"):
        create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k",
                    "UPLOAD_DIR": str(tmp_path), "RATELIMIT_ENABLED": True,
                    "RATE_LIMIT_LTI": "lots"})
