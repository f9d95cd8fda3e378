"""A small LTI 1.3 platform that behaves like Moodle, for tests and for `lti-tool demo`.

One Flask app hosts several platform sites (one university's Moodle each) under `/<slug>/`; a
site's issuer is `<server base URL>/<slug>`. The base URL is known only once the server is bound, so
the app reads it from `app.config["PLATFORM_BASE_URL"]`: create the app, bind it (for example with
`serve_in_thread`), then call `set_platform_base_url(app, server.url)` — or use `serve_platform`,
which does all three. Until it is set, the first request's host URL is used.

    from lti_tool.demo.platform import PlatformSite, create_platform_app, serve_platform
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable, Iterable

from flask import Flask, Response, render_template, request

from .demo_data import demo_sites
from .models import DemoActivity, DemoCourse, DemoLineItem, DemoUser
from .server import RunningServer, serve_in_thread
from .errors import PlatformError
from .site import PlatformSite
from .views import EXTENSION, site_bp

__all__ = [
    "PlatformSite", "DemoUser", "DemoCourse", "DemoActivity", "DemoLineItem", "PlatformError",
    "create_platform_app", "set_platform_base_url", "serve_platform", "RunningPlatform",
    "demo_sites", "parse_autopost_form",
]

PACKAGE_DIR = Path(__file__).parent
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; frame-src *; form-action *; object-src 'none'; "
                           "base-uri 'none'")


def create_platform_app(sites: Iterable[PlatformSite],
                        base_url: str | Callable[[], str | None] | None = None) -> Flask:
    """A Flask app serving every site under `/<slug>/` and the demo home page at `/`.

    `base_url` is the server's URL (`http://127.0.0.1:8001`), a function returning it, or None to
    set it later with `set_platform_base_url` (or to take it from the first request).
    """
    app = Flask(__name__, template_folder=str(PACKAGE_DIR / "templates"),
                static_folder=str(PACKAGE_DIR / "static"), static_url_path="/static")
    hosted = {}
    for site in sites:
        if site.slug in hosted:
            raise ValueError(f"two platform sites use the slug {site.slug!r}")
        hosted[site.slug] = site
    app.extensions[EXTENSION] = hosted
    app.config["PLATFORM_BASE_URL"] = base_url if isinstance(base_url, str) else None

    def resolve_base_url() -> str | None:
        if callable(base_url):
            return base_url()
        return app.config.get("PLATFORM_BASE_URL")

    for site in hosted.values():
        if site.base_url is None and site.base_url_getter is None:
            site.base_url_getter = resolve_base_url

    @app.before_request
    def remember_base_url() -> None:
        if base_url is None and not app.config.get("PLATFORM_BASE_URL"):
            app.config["PLATFORM_BASE_URL"] = request.host_url.rstrip("/")

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    @app.get("/")
    def home() -> str:
        return render_template("demo/home.html", sites=list(hosted.values()))

    app.register_blueprint(site_bp)
    return app


def set_platform_base_url(app: Flask, base_url: str) -> None:
    """Tell the app (and so every site's issuer) the URL it is served at."""
    app.config["PLATFORM_BASE_URL"] = base_url.rstrip("/")


@dataclass
class RunningPlatform:
    """A platform app served on a background thread."""

    app: Flask
    server: RunningServer
    sites: dict[str, PlatformSite]

    @property
    def url(self) -> str:
        return self.server.url

    def site(self, slug: str) -> PlatformSite:
        return self.sites[slug]

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> "RunningPlatform":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def serve_platform(sites: Iterable[PlatformSite], host: str = "127.0.0.1",
                   port: int = 0) -> RunningPlatform:
    """Create the app, bind it on `host:port` (0: a free port) and set its base URL."""
    site_list = list(sites)
    app = create_platform_app(site_list)
    server = serve_in_thread(app, host=host, port=port)
    set_platform_base_url(app, server.url)
    return RunningPlatform(app, server, {site.slug: site for site in site_list})


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and self.action is None:
            self.action, self._in_form = values.get("action") or "", True
        elif tag == "input" and self._in_form and values.get("name"):
            self.fields[values["name"] or ""] = values.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def parse_autopost_form(html: str) -> tuple[str | None, dict[str, str]]:
    """The action and the named input values of the first form of a page (auto-posted forms)."""
    parser = _FormParser()
    parser.feed(html)
    return parser.action, parser.fields
