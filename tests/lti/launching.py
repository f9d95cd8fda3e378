"""Drives launches as a browser would, over real HTTP: platform login POST -> tool login ->
platform auth -> auto-posted id_token -> tool launch. Cookies are handled explicitly because
``requests`` never returns a ``Secure`` cookie over http, while browsers do on 127.0.0.1.
"""
from __future__ import annotations

import json
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import text

from lti_tool.demo.platform import PlatformSite, parse_autopost_form


@dataclass
class LoginStart:
    state: str
    nonce: str
    cookies: dict[str, str]
    auth_url: str


@dataclass
class LaunchResult:
    response: requests.Response

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def location(self) -> str:
        """The address of the page a launch answered with (``Content-Location``), or sent the
        browser to (``Location``: a landing page that leads on)."""
        headers = self.response.headers
        return headers.get("Content-Location") or headers.get("Location", "")

    @property
    def token(self) -> str | None:
        values = parse_qs(urlsplit(self.location).query).get("lt")
        return values[0] if values else None


def auth_url_of_login_answer(response: requests.Response) -> str:
    """Where the tool's login answer sends the browser: a redirect in a top-level window, or,
    inside a frame, the cookie-check page whose script goes on to ``data-auth-url``."""
    if response.status_code == 302:
        return response.headers["Location"]
    assert response.status_code == 200, response.text
    match = re.search(r'data-auth-url="([^"]+)"', response.text)
    assert match, response.text
    return html.unescape(match.group(1))


class LaunchDriver:
    def __init__(self, tool_url: str):
        self.tool_url = tool_url
        self.http = requests.Session()

    def start_login(self, site: PlatformSite, user_id: str, activity_id: str | None = None,
                    method: str = "POST", **login_overrides) -> LoginStart:
        params = {**site.login_params(user_id, activity_id,
                                      deep_linking=login_overrides.pop("deep_linking", False)),
                  **login_overrides}
        url = self.tool_url + "/lti/login"
        response = (self.http.post(url, data=params, allow_redirects=False) if method == "POST"
                    else self.http.get(url, params=params, allow_redirects=False))
        auth_url = auth_url_of_login_answer(response)
        query = parse_qs(urlsplit(auth_url).query)
        cookies = {c.name: c.value for c in response.cookies}
        return LoginStart(state=query["state"][0], nonce=query["nonce"][0], cookies=cookies,
                          auth_url=auth_url)

    def platform_auth(self, login: LoginStart) -> tuple[str, dict[str, str]]:
        """Let the platform answer the auth request: the auto-post form's action and fields."""
        response = self.http.get(login.auth_url)
        assert response.status_code == 200, response.text
        action, fields = parse_autopost_form(response.text)
        assert action, response.text
        return action, fields

    def post_launch(self, fields: dict[str, str], cookies: dict[str, str] | None,
                    action: str | None = None) -> LaunchResult:
        response = self.http.post(action or self.tool_url + "/lti/launch", data=fields,
                                  cookies=cookies or {}, allow_redirects=False)
        return LaunchResult(response)

    def launch(self, site: PlatformSite, user_id: str, activity_id: str | None = None,
               **login_overrides) -> LaunchResult:
        """A complete, genuine launch."""
        login = self.start_login(site, user_id, activity_id, **login_overrides)
        action, fields = self.platform_auth(login)
        return self.post_launch(fields, login.cookies, action)

    def forged_launch(self, site: PlatformSite, user_id: str, activity_id: str | None = None,
                      headers=None, key=None, algorithm="RS256", state=None, cookies=None,
                      token: str | None = None, **claim_overrides) -> LaunchResult:
        """A launch whose id_token the test shapes (claims, header, key), after a real login."""
        login = self.start_login(site, user_id, activity_id)
        if token is None:
            claims = site.launch_claims(user_id, activity_id, nonce=login.nonce,
                                        **claim_overrides)
            token = site.sign(claims, headers=headers, key=key, algorithm=algorithm)
        fields = {"id_token": token, "state": state or login.state}
        return self.post_launch(fields, login.cookies if cookies is None else cookies)

    def page(self, result: LaunchResult) -> requests.Response:
        """The first page: an accepted launch answers with it, or with the way to it."""
        assert result.status in (200, 303) and result.location, result.response.text
        return result.response if result.status == 200 else self.reopen(result)

    def reopen(self, result: LaunchResult) -> requests.Response:
        """The first page opened again at its own address, as a reload does."""
        assert result.location, result.response.text
        return self.http.get(self.tool_url + result.location if result.location.startswith("/")
                             else result.location)


# Tables a launch writes to: a refused launch must leave all of them untouched.
LAUNCH_TABLES = ("users", "courses", "memberships", "resource_links")


def launch_rows(app) -> dict[str, int]:
    """How many rows each table a launch writes to holds."""
    with app.extensions["db_engine"].connect() as connection:
        return {table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
                for table in LAUNCH_TABLES}


def logged_refusals(caplog, step: str = "launch") -> list[dict]:
    """The structured log lines of refused logins or launches (``step``), oldest first."""
    refusals = []
    for record in caplog.records:
        if record.name != "lti_tool.lti":
            continue
        try:
            data = json.loads(record.getMessage())
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("event") == f"lti.{step}.refused":
            refusals.append(data)
    return refusals


class _FactsParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.facts: dict[str, str] = {}
        self._term: str | None = None
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("dt", "dd"):
            self._open, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag != self._open:
            return
        text = " ".join("".join(self._text).split())
        if tag == "dt":
            self._term = text
        elif self._term is not None:
            self.facts[self._term] = text
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)


def page_facts(html: str) -> dict[str, str]:
    """The ``<dt>term</dt><dd>value</dd>`` pairs of a page, e.g. {"Rôle": "Participant"}."""
    parser = _FactsParser()
    parser.feed(html)
    return parser.facts
