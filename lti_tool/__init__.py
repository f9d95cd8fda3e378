"""cimp-lti: the LTI 1.3 tool of the inter-university certificate in public management."""
from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask
from flask.globals import _cv_request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

csrf = CSRFProtect()


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` limited to a 32-bit signed integer, the range of the tables' ids."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


class ToolFlask(Flask):
    """Flask, with two answers remembered rather than worked out on every request: the
    relative address of each link, and whether a hook or view needs wrapping to run."""

    built_urls_limit = 4096
    sync_callables_limit = 512

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._built_urls: dict[tuple, str] = {}
        self._sync_callables: dict[Any, Any] = {}

    def ensure_sync(self, func: Any) -> Any:
        """Flask's, remembered: Flask asks it of every hook and view on every request (a dozen
        inspections of the same functions per request), and the answer never changes."""
        try:
            return self._sync_callables[func]
        except KeyError:
            sync = super().ensure_sync(func)
            # Hooks and views are a fixed set; a function made per request is not kept.
            if len(self._sync_callables) < self.sync_callables_limit:
                self._sync_callables[func] = sync
            return sync
        except TypeError:  # a callable that cannot be a key
            return super().ensure_sync(func)

    def url_for(self, endpoint: str, *, _anchor: str | None = None, _method: str | None = None,
                _scheme: str | None = None, _external: bool | None = None,
                **values: Any) -> str:
        """Flask's, with each relative address built once per script root: a page builds
        dozens (each link carries the launch token, appended after), and werkzeug's builder
        costs far more than a lookup. Addresses with an anchor, a scheme, a method or a host,
        and those built outside a request, are built as Flask builds them."""
        request_context = _cv_request.get(None)
        if (request_context is None or _anchor is not None or _method is not None
                or _scheme is not None or _external or endpoint[:1] == "."):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method,
                                   _scheme=_scheme, _external=_external, **values)
        # Keys are unique, so sorting never compares two values.
        key = (endpoint, request_context.request.script_root, *sorted(values.items()))
        try:
            return self._built_urls[key]
        except KeyError:
            pass
        except TypeError:  # a value that cannot be a key (a list of values): built each time
            return super().url_for(endpoint, **values)
        url = super().url_for(endpoint, **values)
        if len(self._built_urls) >= self.built_urls_limit:
            self._built_urls.clear()
        self._built_urls[key] = url
        return url


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the tool's Flask application (settings from ``LTI_TOOL_*``, overridable in tests)."""
    app = ToolFlask(__name__, instance_path=os.environ.get("LTI_TOOL_INSTANCE_PATH") or None,
                instance_relative_config=True)
    from lti_tool.settings import load_settings
    from lti_tool.templating import ToolEnvironment

    app.jinja_environment = ToolEnvironment  # before anything creates app.jinja_env

    app.config.update(load_settings(app.instance_path))
    app.config.update(
        WTF_CSRF_TIME_LIMIT=None,  # the launch session's own expiry bounds the token
        MAX_CONTENT_LENGTH=25 * 1024 * 1024,
        SESSION_COOKIE_NAME="cimp-lti-unused",
    )
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count,
                                x_port=count, x_prefix=count)

    from lti_tool import db, errors, i18n, limits, observability, security, sessions, store

    db.init_app(app)
    store.init_app(app)
    sessions.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    observability.init_app(app)
    csrf.init_app(app)

    # Ids in URLs above the database's integer range answer 404, never an overflow error.
    app.url_map.converters["int"] = BoundedIntegerConverter

    from lti_tool.cohorts.views import bp as cohorts_bp
    from lti_tool.deep_linking.views import bp as deep_linking_bp
    from lti_tool.evaluation.views import bp as evaluation_bp, launch_bp as evaluation_launch_bp
    from lti_tool.grades.views import bp as grades_bp
    from lti_tool.lti.views import bp as lti_bp
    from lti_tool.portfolio.views import bp as portfolio_bp
    from lti_tool.progress.views import bp as progress_bp
    from lti_tool.registration.views import bp as registration_bp, home_bp
    from lti_tool.reports.views import bp as reports_bp
    from lti_tool.targets.views import bp as targets_bp

    # LTI messages are signed JWTs posted by the platform: CSRF tokens do not apply to them.
    csrf.exempt(lti_bp)
    app.register_blueprint(lti_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(evaluation_launch_bp)  # before targets: /app/assessment/<id>
    app.register_blueprint(targets_bp)
    app.register_blueprint(cohorts_bp)
    app.register_blueprint(deep_linking_bp)
    app.register_blueprint(evaluation_bp)
    app.register_blueprint(portfolio_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(grades_bp)
    limits.init_app(app)  # after the blueprints: limits are attached to their endpoints

    from lti_tool.cli import register_commands

    register_commands(app)
    return app
