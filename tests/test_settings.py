"""Settings from LTI_TOOL_* variables: embedded defaults, and every form of SQLite address."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from lti_tool import create_app


def test_without_settings_the_database_is_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "SECRET_KEY", "REDIS_URL", "BASE_URL"):
        monkeypatch.delenv(f"LTI_TOOL_{name}", raising=False)
    monkeypatch.setenv("LTI_TOOL_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'cimp-lti.sqlite3'}"
    assert (tmp_path / "secret_key").read_text() == app.config["SECRET_KEY"]
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///{tmp}/new/folder/tool.sqlite3",
                                 "sqlite+pysqlite:///{tmp}/tool.sqlite3"])
def test_every_sqlite_address_opens(tmp_path, url):
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "UPLOAD_DIR": str(tmp_path),
                      "DATABASE_URL": url.format(tmp=tmp_path)})
    engine = app.extensions["db_engine"]
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
