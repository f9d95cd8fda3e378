"""Hostile input to every public endpoint: malformed and forged id_tokens, random form posts to
every POST route (with and without a launch and a CSRF token) and random evidence uploads.

The answer is always clean (never a 5xx), and a refused request leaves every table as it was
(the launch-state store ``kv_entries`` aside). Each test tries a few dozen examples to keep the
suite fast; ``FUZZ_EXAMPLES=1000`` tries more.
"""
from __future__ import annotations

import base64
import io
import json
import os
import re
from html import unescape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from lti_tool.models import metadata
from tests.lti.launching import LaunchDriver
from tests.portfolio.pages import entry_id_of, launched

FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 25)), deadline=None, database=None, derandomize=False,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
# Launch state and sessions: a refused request may still consume or add store entries.
NOT_COUNTED = {"kv_entries"}
CLAIM_PREFIX = "https://purl.imsglobal.org/spec/lti/claim/"
# Claims without which (or with a wrong type in which) a launch must be refused.
REQUIRED_CLAIMS = ("iss", "aud", "sub", "exp", "iat", "nonce", CLAIM_PREFIX + "deployment_id",
                   CLAIM_PREFIX + "message_type", CLAIM_PREFIX + "version")
OPTIONAL_CLAIMS = ("name", "given_name", "family_name", "email", "locale",
                   CLAIM_PREFIX + "roles", CLAIM_PREFIX + "context",
                   CLAIM_PREFIX + "resource_link", CLAIM_PREFIX + "target_link_uri",
                   CLAIM_PREFIX + "custom", CLAIM_PREFIX + "launch_presentation",
                   CLAIM_PREFIX + "tool_platform",
                   "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint",
                   "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice")

hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20).map(lambda t: t + "\x00" + t),
    st.sampled_from(["\u202e\u0000", "é" * 1000, "A" * 5000, "'; DROP TABLE users; --",
                     "<script>alert(1)</script>", "../../etc/passwd", "%00", "\ud7ff\ufffe"]),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=2 ** 64),
                    st.floats(allow_nan=True), hostile_text)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(hostile_text, inner, max_size=4), max_leaves=8)


def of_another_type(original) -> st.SearchStrategy:
    """A value whose JSON type differs from the original claim's."""
    kinds = {str: st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                            st.lists(hostile_text, max_size=3),
                            st.dictionaries(hostile_text, scalars, max_size=3)),
             int: st.one_of(st.none(), hostile_text, st.lists(scalars, max_size=3),
                            st.dictionaries(hostile_text, scalars, max_size=3))}
    return kinds[type(original)]


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


jwt_shaped = st.builds(
    lambda header, payload, signature: ".".join((b64(header), b64(payload), b64(signature))),
    st.one_of(st.binary(max_size=60),
              st.builds(lambda h: json.dumps(h).encode(),
                        st.dictionaries(st.sampled_from(["alg", "kid", "typ", "jku", "x5u"]),
                                        json_values, max_size=4))),
    st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode())),
    st.binary(max_size=300))
garbage_tokens = st.one_of(hostile_text, jwt_shaped,
                           st.lists(st.text(max_size=30), max_size=6).map(".".join))


def row_counts(app) -> dict[str, int]:
    with app.extensions["db_engine"].connect() as connection:
        return {table.name: connection.execute(select(func.count()).select_from(table))
                .scalar_one() for table in metadata.sorted_tables
                if table.name not in NOT_COUNTED}


@pytest.fixture(autouse=True)
def tool_key(client):
    """The tool's first signing key is made on first use: make it before counting rows."""
    assert client.get("/lti/jwks.json").status_code == 200


def assert_clean(status: int, body: str) -> None:
    assert status < 500, body[:2000]
    assert "Traceback" not in body


# ----- id_tokens ----------------------------------------------------------------------------


@FUZZ
@given(token=garbage_tokens)
def test_garbage_id_tokens_are_refused_cleanly(app, driver, site_a, token):
    before = row_counts(app)
    login = driver.start_login(site_a, "2", "101")
    answer = driver.post_launch({"id_token": token, "state": login.state}, login.cookies)
    assert_clean(answer.status, answer.response.text)
    assert 400 <= answer.status < 500
    assert row_counts(app) == before


# Just below the 500 kB that Werkzeug parses from a form (a larger form is a known defect: the
# launch session reads the form before any error handler can answer 413).
HUGE = 350_000


def test_huge_id_tokens_and_claims_are_refused_cleanly(app, driver, site_a):
    login = driver.start_login(site_a, "2", "101")
    before = row_counts(app)
    claims = site_a.launch_claims("2", "101", nonce=login.nonce)
    claims["nonce"] = "n" * HUGE
    for token in ("A" * HUGE, "e30." + "A" * HUGE + ".sig", site_a.sign(claims)):
        answer = driver.post_launch({"id_token": token, "state": login.state}, login.cookies)
        assert_clean(answer.status, answer.response.text)
        assert 400 <= answer.status < 500
    assert row_counts(app) == before


@FUZZ
@given(data=st.data(), claim=st.sampled_from(REQUIRED_CLAIMS))
def test_signed_tokens_with_a_wrong_type_in_a_required_claim_are_refused(app, driver, site_a,
                                                                         data, claim):
    before = row_counts(app)
    login = driver.start_login(site_a, "2", "101")
    claims = site_a.launch_claims("2", "101", nonce=login.nonce)
    claims[claim] = data.draw(of_another_type(claims[claim]), label=claim)
    answer = driver.post_launch({"id_token": site_a.sign(claims), "state": login.state},
                                login.cookies)
    assert_clean(answer.status, answer.response.text)
    assert 400 <= answer.status < 500, f"{claim}={claims[claim]!r} was accepted"
    assert row_counts(app) == before


@FUZZ
@given(data=st.data(), claim=st.sampled_from(OPTIONAL_CLAIMS + REQUIRED_CLAIMS))
def test_signed_tokens_with_hostile_claim_values_never_break_the_tool(app, driver, site_a,
                                                                      data, claim):
    before = row_counts(app)
    login = driver.start_login(site_a, "3", "101")
    claims = site_a.launch_claims("3", "101", nonce=login.nonce)
    claims[claim] = data.draw(json_values, label=claim)
    answer = driver.post_launch({"id_token": site_a.sign(claims), "state": login.state},
                                login.cookies)
    assert_clean(answer.status, answer.response.text)
    if answer.status == 200:  # a tolerated value: the launch answered with its page
        page = driver.page(answer)
        assert_clean(page.status_code, page.text)
    else:
        assert 400 <= answer.status < 500
        assert row_counts(app) == before


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(["iss", "login_hint", "target_link_uri",
                                               "lti_message_hint", "client_id",
                                               "lti_deployment_id", "id_token", "state",
                                               "openid_configuration", "registration_token"])
                              | hostile_text, hostile_text, max_size=6),
       path=st.sampled_from(["/lti/login", "/lti/launch", "/lti/launch/portfolio",
                             "/lti/register"]),
       method=st.sampled_from(["GET", "POST"]))
def test_random_parameters_to_the_lti_endpoints_are_refused_cleanly(app, client, fields, path,
                                                                    method):
    before = row_counts(app)
    fields = {k.replace("\x00", ""): v for k, v in fields.items()}
    answer = (client.post(path, data=fields) if method == "POST"
              else client.get(path, query_string=fields))
    assert_clean(answer.status_code, answer.text)
    assert 400 <= answer.status_code < 500 or path == "/lti/register"
    assert row_counts(app) == before


# ----- form posts to every POST route ------------------------------------------------------

CSRF_FIELD = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def post_routes(app) -> list[tuple[str, tuple[str, ...], dict]]:
    """Every POST route of the tool but the LTI endpoints (fuzzed above) and the demo."""
    routes = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint.startswith(("lti.", "static")):
            continue
        converters = {name: type(conv).__name__ for name, conv in rule._converters.items()}
        routes.append((rule.endpoint, tuple(sorted(rule.arguments)), converters))
    return sorted(routes)


@pytest.fixture
def launched_people(app, driver, tool_server, site_a):
    """A teacher's and a participant's launch, their CSRF tokens, and an entry of the
    participant's (so that entry ids in the routes sometimes exist)."""
    teacher = launched(driver, tool_server.url, site_a, "4")
    participant = launched(driver, tool_server.url, site_a, "2")
    entry = entry_id_of(participant.post("/portfolio/entries/new",
                                         {"title": "Mine", "body": "<p>x</p>", "save": "1"}))
    return {"teacher": teacher, "participant": participant, "entry": entry}


def csrf_of(client, token: str) -> str:
    page = client.get("/portfolio/entries/new", headers={"X-Launch-Token": token})
    match = CSRF_FIELD.search(page.text) or re.search(r'csrf_token[^>]*value="([^"]+)"',
                                                      page.text)
    assert match, page.text[:500]
    return unescape(match.group(1))


# Ids beyond the tables' integer range are answered 404 by the URL converter itself.
url_value = st.one_of(st.integers(min_value=0, max_value=2 ** 70), st.just(1),
                      st.text(alphabet="abcdefghijklmnopqrstuvwxyz-0123456789", min_size=1,
                              max_size=20))
form_fields = st.dictionaries(hostile_text.filter(lambda k: k not in ("lt", "csrf_token")),
                              hostile_text | st.integers().map(str), max_size=6)


def route_url(app, endpoint: str, arguments, converters, values, entry_id: int) -> str:
    built = {}
    for name in arguments:
        value = values.draw(url_value, label=name)
        if converters.get(name) in ("IntegerConverter", "BoundedIntegerConverter"):
            value = value if isinstance(value, int) else entry_id
        built[name] = value
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **built)


@FUZZ
@given(data=st.data(), fields=form_fields,
       who=st.sampled_from(["nobody", "teacher", "participant"]),
       csrf=st.sampled_from(["none", "garbage", "valid"]))
def test_random_form_posts_to_every_post_route_are_answered_cleanly(
        app, client, launched_people, data, fields, who, csrf):
    endpoint, arguments, converters = data.draw(st.sampled_from(post_routes(app)),
                                                label="route")
    url = route_url(app, endpoint, arguments, converters, data, launched_people["entry"])
    form = {key.replace("\x00", ""): value for key, value in fields.items()}
    headers = {}
    if who != "nobody":
        token = launched_people[who].token
        form["lt"] = token
        headers["X-Launch-Token"] = token
        if csrf == "valid":
            form["csrf_token"] = headers["X-CSRFToken"] = csrf_of(client, token)
    if csrf == "garbage":
        form["csrf_token"] = data.draw(hostile_text, label="csrf")
        headers["X-CSRFToken"] = "".join(c for c in form["csrf_token"] if " " <= c <= "~")
    before = row_counts(app)
    answer = client.post(url, data=form, headers=headers)
    assert_clean(answer.status_code, answer.text)
    if who == "nobody" or csrf != "valid":
        assert 400 <= answer.status_code < 500, (endpoint, answer.status_code)
    if answer.status_code >= 400:
        assert row_counts(app) == before, endpoint


NUL_REFUSED_FR = "Le formulaire contient un caractère qui n'est pas autorisé (NUL)."


def test_a_nul_character_in_a_form_a_json_body_or_a_query_is_refused_before_any_write(
        app, launched_people):
    # PostgreSQL cannot store a NUL in a text column: refused up front, with a clear message.
    participant = launched_people["participant"]
    entry = launched_people["entry"]
    before = row_counts(app)
    form = participant.post("/portfolio/entries/new",
                            {"title": "Bilan\x00", "body": "<p>x</p>", "save": "1"})
    assert form.status_code == 400
    assert NUL_REFUSED_FR in unescape(form.text)
    saved = participant.autosave(entry, "Titre", "<p>texte\x00</p>", 1)
    assert saved.status_code == 400
    assert saved.json()["message"].startswith(NUL_REFUSED_FR)
    query = participant.get("/portfolio/", q="\x00")
    assert query.status_code == 400
    assert row_counts(app) == before
    # The same writes without the NUL go through.
    assert participant.post("/portfolio/entries/new", {"title": "Bilan", "body": "<p>x</p>",
                                                       "save": "1"}).status_code == 303


# ----- evidence uploads --------------------------------------------------------------------


def stored_files(app) -> set[Path]:
    folder = Path(app.config["UPLOAD_DIR"])
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


@FUZZ
@given(content=st.one_of(st.binary(max_size=4096),
                         st.sampled_from([b"%PDF-1.4\n%\xe2\xe3\n", b"\x89PNG\r\n\x1a\n",
                                          b"PK\x03\x04", b"\x00" * 2048])),
       name=hostile_text | st.sampled_from(["a.pdf", "../../x.pdf", "x.png\x00.exe", "",
                                            ".htaccess", "C:\\boot.ini", "é" * 300 + ".txt"]))
def test_random_uploads_are_stored_whole_or_not_at_all(app, client, launched_people, content,
                                                       name):
    token = launched_people["participant"].token
    entry = launched_people["entry"]
    before = row_counts(app)
    files_before = stored_files(app)
    answer = client.post(f"/portfolio/entries/{entry}/evidence",
                         data={"lt": token, "csrf_token": csrf_of(client, token),
                               "file": (io.BytesIO(content), name)},
                         content_type="multipart/form-data")
    assert_clean(answer.status_code, answer.text)
    after = row_counts(app)
    added_rows = after["portfolio_evidence"] - before["portfolio_evidence"]
    added_files = stored_files(app) - files_before
    assert added_rows in (0, 1) and len(added_files) == added_rows
    assert {k: v for k, v in after.items() if k != "portfolio_evidence"} == \
        {k: v for k, v in before.items() if k != "portfolio_evidence"}
