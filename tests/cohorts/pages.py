"""Driving the tool's pages after a real launch: GET with the launch token, POST forms with the
launch token and the CSRF token read from the page, as a browser would."""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

import requests

from lti_tool.demo.site import PlatformSite
from tests.lti.launching import LaunchDriver

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class ToolPages:
    """One launched browser tab of the tool: its launch token and the tool's address."""

    driver: LaunchDriver
    tool_url: str
    token: str
    landing_path: str = ""

    def get(self, path: str, **params) -> requests.Response:
        return self.driver.http.get(self.tool_url + path, params={"lt": self.token, **params},
                                    allow_redirects=False)

    def csrf_token(self, page_path: str = "/cohort/") -> str:
        """The CSRF token of this launch session, read from a page holding a form."""
        page = self.get(page_path)
        if page.status_code == 303:
            page = self.follow(page)
        match = CSRF_FIELD.search(page.text)
        assert match, f"no CSRF token on {page_path}: {page.status_code}"
        return unescape(match.group(1))

    def post(self, path: str, data: dict | None = None, csrf_token: str | None = None,
             csrf_from: str = "/cohort/") -> requests.Response:
        """POST a form of the tool as the page would (launch token and CSRF token included)."""
        token = csrf_token if csrf_token is not None else self.csrf_token(csrf_from)
        fields = {"lt": self.token, "csrf_token": token, **(data or {})}
        return self.driver.http.post(self.tool_url + path, data=fields, allow_redirects=False)

    def landing(self) -> requests.Response:
        """The page the launch opened (following the tool's own redirects)."""
        return self.driver.http.get(self.tool_url + self.landing_path)

    def follow(self, response: requests.Response) -> requests.Response:
        assert response.status_code == 303, response.text[:500]
        location = response.headers["Location"]
        url = location if "://" in location else self.tool_url + location
        return self.driver.http.get(url, allow_redirects=False)


def launched(driver: LaunchDriver, tool_url: str, site: PlatformSite, user_id: str,
             activity_id: str) -> ToolPages:
    """A genuine launch of ``user_id`` from an activity of ``site``."""
    result = driver.launch(site, user_id, activity_id)
    assert result.status == 200, result.response.text[:500]
    assert result.token
    return ToolPages(driver, tool_url, result.token, result.location)


def join_code_on(page_html: str) -> str:
    match = re.search(r'id="join-code-value" type="text" readonly value="([A-Z0-9-]+)"', page_html)
    assert match, "no join code on the page"
    return match.group(1)


def cohort_id_of(response: requests.Response) -> int:
    """The cohort id in the address a cohort form redirected to."""
    match = re.search(r"/cohort/(\d+)", response.headers.get("Location", ""))
    assert match, response.headers.get("Location")
    return int(match.group(1))
