"""``lti-tool grades sync``: one pass from the command line."""
from __future__ import annotations

import pytest

from tests.grades.grading import build_world, enqueue, item_for


@pytest.fixture
def world(app, driver, site_a, site_b):
    return build_world(app, driver, site_a, site_b)


def test_grades_sync_sends_what_is_due_and_says_what_it_did(app, runner, world, site_a):
    enqueue(app, world.user("a", "2"), "collective-report", 15)
    enqueue(app, world.user("a", "4"), "collective-report", 20)

    result = runner.invoke(args=["grades", "sync"])

    assert result.exit_code == 0, result.output
    assert "2 grade(s) handled: 1 sent" in result.output
    assert "1 not gradable" in result.output
    assert item_for(site_a, "collective-report")["scores"]["2"]["scoreGiven"] == 15
    again = runner.invoke(args=["grades", "sync"])
    assert "0 grade(s) handled" in again.output


def test_grades_sync_refuses_a_bad_limit(runner):
    result = runner.invoke(args=["grades", "sync", "--limit", "0"])
    assert result.exit_code == 2
    assert "--limit" in result.output
