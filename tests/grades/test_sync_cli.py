"""``lti-tool grades sync``: one pass from the command line; ``request_sync`` in the background."""
from __future__ import annotations

import time

import pytest

from lti_tool.grades.models import PENDING, SENT
from lti_tool.grades.services import request_sync
from tests.grades.grading import all_rows, build_world, enqueue, item_for


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


def wait_until(condition, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_request_sync_sends_in_the_background_including_grades_queued_meanwhile(
        app, world, site_a, site_b):
    enqueue(app, world.user("a", "2"), "collective-report", 15)
    request_sync(app)
    enqueue(app, world.user("b", "3"), "collective-report", 9)
    request_sync(app)

    assert wait_until(lambda: {r.status for r in all_rows(app)} == {SENT})
    assert item_for(site_a, "collective-report")["scores"]["2"]["scoreGiven"] == 15
    assert item_for(site_b, "collective-report")["scores"]["3"]["scoreGiven"] == 9


def test_request_sync_can_be_switched_off(app, world):
    app.config["GRADES_SYNC_IN_BACKGROUND"] = False
    enqueue(app, world.user("a", "2"), "collective-report", 15)
    request_sync(app)
    time.sleep(0.5)
    assert {r.status for r in all_rows(app)} == {PENDING}
