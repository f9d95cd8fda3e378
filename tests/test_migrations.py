"""The Alembic migrations build exactly the schema the models describe, in one line of history."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from lti_tool.migrations import alembic_config
from lti_tool.models import metadata


def test_migrations_match_the_models(_engine):
    with _engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == [], "run: alembic revision --autogenerate (differences: %r)" % (
        differences,)


def test_one_line_of_migrations(database_url):
    script = ScriptDirectory.from_config(alembic_config(database_url))
    assert len(script.get_heads()) == 1, script.get_heads()


def test_the_schema_can_be_removed_and_built_again(tmp_path):
    from alembic import command

    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    config = alembic_config(url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")
