"""Several grade sync workers (one per instance, or a timer and a teacher's request at once) on
the shared database: each grade is sent exactly once."""
from __future__ import annotations

import dataclasses
import threading
from collections import Counter

import pytest

from lti_tool.grades.models import SENT
from tests.grades.grading import FAST, add_participants, all_rows, build_world, enqueue, sync


@pytest.fixture
def world(app, driver, site_a, site_b):
    return build_world(app, driver, site_a, site_b)


def test_two_workers_on_the_shared_database_never_send_a_score_twice(app, world, site_a,
                                                                     site_b):
    people = add_participants(app, site_a, "12", 30) + add_participants(app, site_b, "7", 30)
    for user_id in people:
        enqueue(app, user_id, "collective-report", 14)
    # Small batches: the workers keep claiming while the other one is sending.
    settings = dataclasses.replace(FAST, batch_size=7, threads=4)
    barrier = threading.Barrier(2)
    reports, errors = {}, []

    def worker(name: str) -> None:
        try:
            barrier.wait()
            reports[name] = sync(app, settings, worker_id=name)
        except Exception as exc:  # reported below with the worker's name
            errors.append(f"{name}: {exc!r}")

    threads = [threading.Thread(target=worker, args=(f"worker-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert sum(r.sent for r in reports.values()) == len(people)
    assert all(r.claimed > 0 for r in reports.values()), reports  # both took part
    for site in (site_a, site_b):
        accepted = Counter(p["user_id"] for p in site.score_posts if p["status"] == 200)
        assert accepted and max(accepted.values()) == 1, accepted
    assert sum(len([p for p in s.score_posts if p["status"] == 200])
               for s in (site_a, site_b)) == len(people)
    assert {row.status for row in all_rows(app)} == {SENT}
