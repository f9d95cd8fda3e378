"""A reference LTI 1.3 tool for ``bench/launch.py``: pylti1p3's Flask adapter used the way the
library's documentation and its example tool use it, and nothing else.

Per request it reads its JSON tool configuration (``ToolConfJsonFile``), keeps launch state in
a cache shared by the workers (here Redis, through pylti1p3's cache storage) and answers the
launch with a small page naming the user. It has no database, no roles, no launch token, no
rate limit, no log line: the figure it gives, measured beside the tool's at the same moment,
shows what the protocol alone costs on this machine.

``PYLTI1P3_REFERENCE_CONFIG`` names the configuration file, ``PYLTI1P3_REFERENCE_REDIS`` the
cache. ``launch.py`` writes both.
"""
from __future__ import annotations

import json
import os

import redis
from flask import Flask, jsonify, render_template_string, request
from pylti1p3.contrib.flask import (FlaskCacheDataStorage, FlaskMessageLaunch, FlaskOIDCLogin,
                                    FlaskRequest)
from pylti1p3.tool_config import ToolConfJsonFile

app = Flask(__name__)
app.config["SECRET_KEY"] = "pylti1p3-reference"

PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{{ title }}</title>
</head><body><main><h1>{{ title }}</h1><p>{{ name }}</p><p>{{ roles | join(", ") }}</p>
</main></body></html>"""


class RedisCache:
    """The two calls pylti1p3's cache storage makes, on Redis (JSON values), so that a login
    answered by one worker and its launch answered by the other share their state."""

    def __init__(self, url: str):
        self._redis = redis.Redis.from_url(url)

    def get(self, key: str):
        raw = self._redis.get(key)
        return None if raw is None else json.loads(raw)

    def set(self, key: str, value, exp: int | None = None) -> None:
        self._redis.set(key, json.dumps(value), ex=exp)


cache = RedisCache(os.environ.get("PYLTI1P3_REFERENCE_REDIS", "redis://127.0.0.1:6379/15"))


def tool_conf() -> ToolConfJsonFile:
    return ToolConfJsonFile(os.environ["PYLTI1P3_REFERENCE_CONFIG"])


@app.route("/lti/login", methods=["GET", "POST"])
def login():
    oidc = FlaskOIDCLogin(FlaskRequest(), tool_conf(),
                          launch_data_storage=FlaskCacheDataStorage(cache))
    # The platform knows one redirection URI, as for the tool.
    return oidc.redirect(request.url_root + "lti/launch")


@app.post("/lti/launch")
@app.post("/lti/launch/<path:_target>")
def launch(_target: str | None = None):
    message_launch = FlaskMessageLaunch(FlaskRequest(), tool_conf(),
                                        launch_data_storage=FlaskCacheDataStorage(cache))
    claims = message_launch.get_launch_data()
    page = render_template_string(
        PAGE, title="Lancement", name=claims.get("name", ""),
        roles=claims.get("https://purl.imsglobal.org/spec/lti/claim/roles", []))
    # The benchmark's browser reads the page's address, as it does from the tool.
    return page, 200, {"Content-Location": request.path}


@app.get("/lti/jwks.json")
def jwks():
    return jsonify(tool_conf().get_jwks())
