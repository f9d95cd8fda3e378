"""Driving the portfolio's pages after a real launch, as a browser would: GET with the launch
token, POST forms with the launch token and the CSRF token read from a page."""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

import requests
from sqlalchemy import select

from lti_tool.accounts.models import Course, User
from lti_tool.db import get_session

from lti_tool.demo.site import PlatformSite
from tests.lti.launching import LaunchDriver

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
# A page of the portfolio that always holds a form (and so the CSRF token).
FORM_PAGE = "/portfolio/entries/new"


@dataclass
class Tab:
    """One launched browser tab of the tool."""

    driver: LaunchDriver
    tool_url: str
    token: str

    def get(self, path: str, **params) -> requests.Response:
        return self.driver.http.get(self.tool_url + path, params={"lt": self.token, **params},
                                    allow_redirects=False)

    def csrf_token(self) -> str:
        match = CSRF_FIELD.search(self.get(FORM_PAGE).text)
        assert match, "no CSRF token"
        return unescape(match.group(1))

    def post(self, path: str, data: dict | None = None, files=None,
             csrf_token: str | None = None) -> requests.Response:
        token = csrf_token if csrf_token is not None else self.csrf_token()
        fields = {"lt": self.token, "csrf_token": token, **(data or {})}
        return self.driver.http.post(self.tool_url + path, data=fields, files=files,
                                     allow_redirects=False)

    def autosave(self, entry_id: int, title: str, body: str, version: int,
                 csrf_token: str | None = None) -> requests.Response:
        return self.driver.http.post(
            f"{self.tool_url}/portfolio/entries/{entry_id}/autosave",
            json={"title": title, "body": body, "version": version},
            headers={"X-Launch-Token": self.token, "Accept": "application/json",
                     "X-CSRFToken": csrf_token if csrf_token is not None else self.csrf_token()})

    def follow(self, response: requests.Response) -> requests.Response:
        assert response.status_code == 303, response.text[:500]
        location = response.headers["Location"]
        return self.driver.http.get(location if "://" in location else self.tool_url + location,
                                    allow_redirects=False)


def launched(driver: LaunchDriver, tool_url: str, site: PlatformSite, user_id: str,
             activity_id: str = "101") -> Tab:
    """A genuine launch of ``user_id`` (a user id of the platform site) from an activity."""
    result = driver.launch(site, user_id, activity_id)
    assert result.status == 200, result.response.text[:500]
    return Tab(driver, tool_url, result.token)


def tool_user_id(app, site: PlatformSite, sub: str) -> int:
    """The tool's id of a platform user who has launched."""
    with app.app_context():
        return get_session().scalar(select(User.id).where(User.issuer == site.issuer,
                                                          User.sub == sub))


def tool_course_id(app, site: PlatformSite, context_id: str) -> int:
    with app.app_context():
        return get_session().scalar(select(Course.id).where(
            Course.context_id == context_id, Course.platform.has(issuer=site.issuer)))


def entry_id_of(response: requests.Response) -> int:
    match = re.search(r"/portfolio/entries/(\d+)", response.headers.get("Location", ""))
    assert match, response.headers.get("Location")
    return int(match.group(1))
