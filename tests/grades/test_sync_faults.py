"""Platform faults: every score reaches the gradebook exactly once, or is reported."""
from __future__ import annotations

import time
from dataclasses import replace

import pytest

from lti_tool.db import utcnow
from lti_tool.grades.models import PENDING, SENT, SUPERSEDED
from lti_tool.grades.sync import SyncSettings, retry_delay
from tests.grades.grading import (FAST, build_world, enqueue, item_for, outbox,
                                  post_newer_grade_on_platform, posts_for, sync)


@pytest.fixture
def world(app, driver, site_a, site_b):
    return build_world(app, driver, site_a, site_b)


def test_a_platform_that_is_down_gets_the_grade_once_it_is_back(app, world, site_a, site_b):
    row_a = enqueue(app, world.user("a", "2"), "collective-report", 15)
    row_b = enqueue(app, world.user("b", "2"), "collective-report", 11)
    site_a.down = True

    report = sync(app)

    # The other university is not held back by the one that is down.
    assert outbox(app, row_b).status == SENT
    waiting = outbox(app, row_a)
    assert (waiting.status, waiting.attempts) == (PENDING, 1)
    assert "503" in waiting.last_error
    assert report.retrying == 1
    assert "2" not in item_for(site_a, "collective-report")["scores"]

    site_a.down = False
    sync(app)

    assert outbox(app, row_a).status == SENT
    assert item_for(site_a, "collective-report")["scores"]["2"]["scoreGiven"] == 15
    assert [p["status"] for p in posts_for(site_a, "2")] == [200]


def test_a_server_error_is_retried_and_the_score_lands_once(app, world, site_a):
    row_id = enqueue(app, world.user("a", "3"), "collective-report", 9.5)
    site_a.faults.add("scores", 500, times=1)

    sync(app)
    assert outbox(app, row_id).status == PENDING
    assert "500" in outbox(app, row_id).last_error
    sync(app)

    assert outbox(app, row_id).status == SENT
    assert [p["status"] for p in posts_for(site_a, "3")] == [500, 200]
    assert item_for(site_a, "collective-report")["scores"]["3"]["scoreGiven"] == 9.5


def test_a_timeout_after_the_platform_stored_the_score_is_settled_as_sent(app, world, site_a):
    # The platform answers after 1.5 s, the tool waits 0.5 s: the score is stored anyway.
    row_id = enqueue(app, world.user("a", "2"), "collective-report", 13)
    site_a.faults.add("scores", status=None, times=1, delay_seconds=1.5)

    sync(app, replace(FAST, http_timeout_seconds=0.5))
    row = outbox(app, row_id)
    assert row.status == PENDING and "timed out" in row.last_error.lower()
    deadline = time.monotonic() + 5
    while not posts_for(site_a, "2") and time.monotonic() < deadline:
        time.sleep(0.05)

    sync(app)

    # The retry repeats the timestamp: the platform answers 409, the result read back is this
    # very score, so the row is sent and the gradebook holds the grade once.
    assert outbox(app, row_id).status == SENT
    assert [p["status"] for p in posts_for(site_a, "2")] == [200, 409]
    assert item_for(site_a, "collective-report")["scores"]["2"]["scoreGiven"] == 13


def test_an_expired_token_is_renewed_once(app, world, site_a):
    enqueue(app, world.user("a", "2"), "collective-report", 12)
    sync(app)
    assert site_a.tokens_issued == 1
    site_a.expire_tokens()
    row_id = enqueue(app, world.user("a", "3"), "collective-report", 18)
    posts_before = len(site_a.score_posts)

    sync(app)

    assert outbox(app, row_id).status == SENT
    assert site_a.tokens_issued == 2
    # The refused post is recorded without its user (the token is checked first).
    assert [p["status"] for p in site_a.score_posts[posts_before:]] == [401, 200]
    assert item_for(site_a, "collective-report")["scores"]["3"]["scoreGiven"] == 18


def test_a_newer_grade_already_in_the_gradebook_is_kept_and_the_stale_one_never_resent(
        app, world, site_a):
    item = item_for(site_a, "collective-report")
    post_newer_grade_on_platform(site_a, "12", item["id"], "3", 19)
    row_id = enqueue(app, world.user("a", "3"), "collective-report", 7)

    sync(app)
    sync(app)

    row = outbox(app, row_id)
    assert row.status == SUPERSEDED
    assert "newer grade" in row.last_error
    assert item_for(site_a, "collective-report")["scores"]["3"]["scoreGiven"] == 19
    assert [p["status"] for p in posts_for(site_a, "3")] == [200, 409]


def test_a_platform_that_keeps_failing_is_reported_after_the_last_attempt(app, world, site_a):
    row_id = enqueue(app, world.user("a", "2"), "collective-report", 10)
    site_a.faults.add("scores", 503, times=None)
    settings = replace(FAST, max_attempts=3)

    for _ in range(3):
        sync(app, settings)

    row = outbox(app, row_id)
    assert row.status == "failed" and row.attempts == 3
    assert "gave up after 3 attempts" in row.last_error and "503" in row.last_error
    sync(app, settings)
    assert len(posts_for(site_a, "2")) == 3


def test_a_retry_waits_for_its_backoff(app, world, site_a):
    row_id = enqueue(app, world.user("a", "2"), "collective-report", 10)
    site_a.faults.add("scores", 500, times=1)
    slow = replace(FAST, retry_base_seconds=60, retry_max_seconds=600)

    sync(app, slow)
    report = sync(app, slow)

    assert report.claimed == 0
    row = outbox(app, row_id)
    assert row.status == PENDING and len(posts_for(site_a, "2")) == 1
    assert row.claimed_by is None
    delay = (row.next_attempt_at - utcnow()).total_seconds()
    assert 25 < delay <= 60


def test_backoff_grows_exponentially_with_jitter_and_is_capped():
    settings = SyncSettings(retry_base_seconds=10, retry_max_seconds=300)
    assert retry_delay(1, settings, rand=lambda: 0.0) == 5
    assert retry_delay(1, settings, rand=lambda: 1.0) == 10
    assert retry_delay(3, settings, rand=lambda: 1.0) == 40
    assert retry_delay(20, settings, rand=lambda: 1.0) == 300
    assert retry_delay(20, settings, rand=lambda: 0.0) == 150
