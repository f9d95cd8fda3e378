"""``lti-tool person purge-expired``: config/retention.yaml applied to ended editions."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select, update

from lti_tool.accounts.models import User
from lti_tool.evaluation.models import PublishedResult
from lti_tool.portfolio.models import Entry
from lti_tool.privacy.retention import (RETENTION_FILE, RetentionError, load_retention,
                                        months_before)
from tests.privacy.world import build_world


def _publish_all_at(app, moment: datetime) -> None:
    with app.extensions["db_engine"].begin() as connection:
        connection.execute(update(PublishedResult).values(published_at=moment))


def _entries_of(app, user_id: int) -> int:
    session = app.extensions["db_sessionmaker"]()
    try:
        return len(session.scalars(select(Entry.id).where(Entry.author_id == user_id)).all())
    finally:
        session.close()


def test_the_shipped_retention_file_keeps_personal_data_twelve_months():
    assert load_retention(RETENTION_FILE).personal_data_months == 12


def test_participants_of_an_edition_ended_long_ago_are_erased(app, runner):
    world = build_world(app)
    _publish_all_at(app, datetime(2020, 6, 30, tzinfo=timezone.utc))

    dry = runner.invoke(args=["person", "purge-expired", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would erase" in dry.output and "2 person(s) would be erased" in dry.output
    assert _entries_of(app, world.alice) == 1

    result = runner.invoke(args=["person", "purge-expired"])

    assert result.exit_code == 0, result.output
    assert "2 person(s) erased" in result.output
    assert _entries_of(app, world.alice) == 0 and _entries_of(app, world.bruno) == 0
    session = app.extensions["db_sessionmaker"]()
    jeanne = session.get(User, world.jeanne)
    assert jeanne.name == "Jeanne Juré"  # jurors stay named in the jury's record
    assert len(session.scalars(select(PublishedResult.id)).all()) == 3
    session.close()
    again = runner.invoke(args=["person", "purge-expired"])
    assert "0 person(s) erased" in again.output


def test_a_recent_edition_is_kept(app, runner):
    world = build_world(app)
    _publish_all_at(app, datetime.now(timezone.utc))

    result = runner.invoke(args=["person", "purge-expired"])

    assert result.exit_code == 0 and "0 person(s) erased" in result.output
    assert _entries_of(app, world.alice) == 1


@pytest.mark.parametrize("text, message", [
    ("personal_data_months: 0\ncertificate_record: keep\n", "personal_data_months"),
    ("personal_data_months: 12\ncertificate_record: delete\n", "certificate_record: must be"),
    ("personal_data_months: 12\ncertificate_record: keep\nextra: 1\n", "unknown key(s) extra"),
    ("[1, 2", "not valid YAML"),
])
def test_a_wrong_retention_file_is_refused_with_its_name(runner, tmp_path, text, message):
    path = tmp_path / "retention.yaml"
    path.write_text(text)

    with pytest.raises(RetentionError, match="retention.yaml"):
        load_retention(path)
    result = runner.invoke(args=["person", "purge-expired", "--retention", str(path)])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_months_before_keeps_the_day_or_takes_the_month_end():
    assert months_before(datetime(2027, 3, 31, tzinfo=timezone.utc), 1) == datetime(
        2027, 2, 28, tzinfo=timezone.utc)
    assert months_before(datetime(2027, 1, 15, tzinfo=timezone.utc), 12) == datetime(
        2026, 1, 15, tzinfo=timezone.utc)
