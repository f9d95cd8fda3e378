"""Reading and posting the report pages with the Flask test client and a launch token."""
from __future__ import annotations

import re
from html import unescape

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def get(client, path: str, token: str | None, **params):
    if token:
        params["lt"] = token
    return client.get(path, query_string=params)


def csrf_of(client, token: str, page: str = "/report/") -> str:
    response = get(client, page, token)
    match = CSRF_FIELD.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {page}: {response.status_code}"
    return unescape(match.group(1))


def post(client, path: str, token: str | None, data: dict | list, csrf_from: str = "/report/",
         csrf_token: str | None = None):
    """POST a form as its page would, with the launch token and the session's CSRF token."""
    fields = list(data.items()) if isinstance(data, dict) else list(data)
    if token:
        fields += [("lt", token),
                   ("csrf_token", csrf_token or csrf_of(client, token, csrf_from))]
    return client.post(path, data=_multi(fields))


def _multi(fields):
    from werkzeug.datastructures import MultiDict

    return MultiDict(fields)


def text_of(response) -> str:
    """The page's text without tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", unescape(response.get_data(as_text=True))).split())
