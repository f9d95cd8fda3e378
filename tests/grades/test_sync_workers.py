"""Several workers, and workers that stop or die: no score is sent twice, none is lost."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import replace

import pytest

from lti_tool.grades.models import PENDING, SENDING, SENT
from lti_tool.grades.sync import claim_due_rows
from tests.grades.grading import (FAST, add_participants, all_rows, build_world, enqueue,
                                  item_for, sync)

ASSESSMENTS = ("collective-report", "reflective-report")


@pytest.fixture
def world(app, driver, site_a, site_b):
    return build_world(app, driver, site_a, site_b)


def queue_many(app, site_a, site_b, per_site: int) -> dict[tuple[str, str, str], float]:
    """Grades for ``per_site`` extra participants of each site and two assessments; returns
    {(site slug, user sub, assessment): grade}."""
    expected = {}
    for site, context_id in ((site_a, "12"), (site_b, "7")):
        users = add_participants(app, site, context_id, per_site)
        for index, user_id in enumerate(users):
            for assessment in ASSESSMENTS:
                grade = (index % 40) / 2
                enqueue(app, user_id, assessment, grade)
                expected[(site.slug, str(1000 + index), assessment)] = grade
    return expected


def assert_each_score_once_in_its_gradebook(site_a, site_b, expected) -> None:
    for site in (site_a, site_b):
        accepted = Counter((p["lineitem_id"], p["user_id"]) for p in site.score_posts
                           if p["status"] == 200)
        assert accepted and max(accepted.values()) == 1, "a score was stored twice"
        for assessment in ASSESSMENTS:
            scores = item_for(site, assessment)["scores"]
            for (slug, sub, wanted_assessment), grade in expected.items():
                if slug == site.slug and wanted_assessment == assessment:
                    assert scores[sub]["scoreGiven"] == grade


def test_two_workers_in_parallel_never_send_the_same_score(app, world, site_a, site_b):
    expected = queue_many(app, site_a, site_b, per_site=15)
    for site in (site_a, site_b):
        site.faults.latency = 0.02
    settings = replace(FAST, batch_size=4, threads=4)
    reports = []

    def work(name: str) -> None:
        reports.append(sync(app, settings, worker_id=name))

    workers = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    assert all(report.claimed for report in reports), "both workers took part"
    assert sum(report.claimed for report in reports) == len(expected)
    assert {row.status for row in all_rows(app)} == {SENT}
    for site in (site_a, site_b):
        assert Counter(p["status"] for p in site.score_posts) == {200: len(expected) // 2}
    assert_each_score_once_in_its_gradebook(site_a, site_b, expected)


def test_rows_of_a_worker_that_died_are_taken_over_after_the_claim_timeout(
        app, world, site_a, site_b):
    expected = queue_many(app, site_a, site_b, per_site=3)
    dead = claim_due_rows(app.extensions["db_sessionmaker"], "dead-worker:1", limit=100)
    assert len(dead) == len(expected)

    # Within the claim timeout nobody touches them...
    assert sync(app).claimed == 0
    # ...after it, another worker sends them.
    report = sync(app, replace(FAST, claim_timeout_seconds=0))

    assert report.claimed == len(expected) and report.sent == len(expected)
    assert {row.status for row in all_rows(app)} == {SENT}
    assert_each_score_once_in_its_gradebook(site_a, site_b, expected)


def test_a_stop_request_gives_unsent_rows_back(app, world, site_a, site_b):
    expected = queue_many(app, site_a, site_b, per_site=3)
    stop = threading.Event()
    stop.set()
    report = sync(app, stop=stop)
    assert report.claimed == 0
    assert {row.status for row in all_rows(app)} == {PENDING}
    assert sync(app).sent == len(expected)


def _worker_environment(app, tmp_path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(LTI_TOOL_DATABASE_URL=app.config["DATABASE_URL"],
               LTI_TOOL_SECRET_KEY=app.config["SECRET_KEY"],
               LTI_TOOL_INSTANCE_PATH=str(tmp_path / "worker-instance"),
               LTI_TOOL_REDIS_URL="")
    return env


def _start_worker(app, tmp_path, *extra: str) -> subprocess.Popen:
    code = ("from lti_tool.cli import main; import sys; sys.argv = ['lti-tool'] + sys.argv[1:];"
            " main()")
    return subprocess.Popen([sys.executable, "-c", code, "grades", "sync", *extra],
                            env=_worker_environment(app, tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for_posts(sites, count: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while sum(len(s.score_posts) for s in sites) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the worker sent nothing"
        time.sleep(0.02)


def test_a_killed_worker_loses_no_score_and_its_successor_sends_none_twice(
        app, world, site_a, site_b, tmp_path):
    expected = queue_many(app, site_a, site_b, per_site=20)
    for site in (site_a, site_b):
        site.faults.latency = 0.05
    process = _start_worker(app, tmp_path, "--loop", "--poll-seconds", "0.2")
    try:
        _wait_for_posts((site_a, site_b), 5, process)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    posted_before = sum(len(s.score_posts) for s in (site_a, site_b))
    assert 0 < posted_before < len(expected), "killed mid-way"
    assert SENDING in {row.status for row in all_rows(app)}

    report = sync(app, replace(FAST, claim_timeout_seconds=0))

    assert report.claimed > 0
    assert {row.status for row in all_rows(app)} == {SENT}
    assert_each_score_once_in_its_gradebook(site_a, site_b, expected)


def test_sigterm_stops_the_loop_after_the_scores_in_flight(
        app, world, site_a, site_b, tmp_path):
    expected = queue_many(app, site_a, site_b, per_site=20)
    for site in (site_a, site_b):
        site.faults.latency = 0.05
    process = _start_worker(app, tmp_path, "--loop", "--poll-seconds", "0.2")
    _wait_for_posts((site_a, site_b), 5, process)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)

    assert process.returncode == 0, err
    assert "stopped" in out
    rows = all_rows(app)
    assert SENDING not in {row.status for row in rows}
    assert {row.status for row in rows} <= {SENT, PENDING}
    sync(app)
    assert {row.status for row in all_rows(app)} == {SENT}
    assert_each_score_once_in_its_gradebook(site_a, site_b, expected)
    for site in (site_a, site_b):
        assert Counter(p["status"] for p in site.score_posts) == {200: len(expected) // 2}
