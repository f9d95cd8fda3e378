"""Fixtures shared by the tool's tests: ``app``, ``client``, ``runner`` (as in Flask's tutorial),
a live tool server, and the test platform (two Moodle-like sites) reached over real HTTP.

The database is SQLite in a temporary folder, or the server named by
``LTI_TOOL_TEST_DATABASE_URL`` (CI runs the suite on PostgreSQL this way). The schema is built
once by the Alembic migrations and emptied between tests.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from lti_tool import create_app
from lti_tool.db import make_engine
from lti_tool.lti import keys
from lti_tool.lti.adapter import keyset_cache
from lti_tool.lti.platforms import registration_cache
from lti_tool.security import platform_origins
from lti_tool.migrations import upgrade_database
from lti_tool.models import metadata


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("LTI_TOOL_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    upgrade_database(url)
    return url


@pytest.fixture(scope="session")
def _engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def empty_database(engine) -> None:
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                    + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture
def app(database_url, _engine, tmp_path: Path):
    empty_database(_engine)
    keys._cache.clear()
    keyset_cache.clear()
    registration_cache.clear()
    platform_origins.clear()
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "REDIS_URL": None,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        # The test platforms live on 127.0.0.1.
        "REGISTRATION_ALLOW_PRIVATE_ADDRESSES": True,
    })
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# Headless Chromium (Debian's package), one per test session, shared by every page test.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (Debian package 'chromium')")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


AXE_SCRIPT = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script (npm package, installed by ``make test``), to inject into pages."""
    if not AXE_SCRIPT.exists():
        if os.environ.get("CI"):
            pytest.fail("axe-core is required in CI (npm install axe-core@4)")
        pytest.skip("axe-core is not installed (npm install axe-core@4)")
    return AXE_SCRIPT.read_text()


def serious_accessibility_violations(page, axe_source: str, frame=None) -> list[str]:
    """Run axe-core (WCAG 2.1 A/AA rules) in ``page`` or one of its frames; return the serious
    and critical violations as readable lines."""
    target = frame or page
    target.evaluate(axe_source)
    result = target.evaluate("""async () => await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})""")
    return [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(
                n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                for n in v["nodes"][:5])
            for v in result["violations"] if v.get("impact") in ("serious", "critical")]
