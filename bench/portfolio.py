"""Time the teachers' progress matrix and the participant's portfolio overview on a cohort of
60 participants with a full year of data, and count their SQL queries.

    python bench/portfolio.py [--runs N] [--participants N]

Each participant has rated all 90 learning outcomes of the 22 objectives four times (a first
rating and three changes) and written 200 entries (150 published, 50 drafts). The database is a
temporary SQLite file, or the PostgreSQL database named by ``LTI_TOOL_TEST_DATABASE_URL`` (whose
tables are emptied first, as the test-suite does). Pages are rendered through the app's test
client with a genuine launch session. Goals: matrix under 300 ms with a bounded number of
queries, participant overview under 100 ms.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert, text  # noqa: E402

from lti_tool import create_app  # noqa: E402
from lti_tool.accounts.models import Course, Membership, User  # noqa: E402
from lti_tool.accounts.roles import PARTICIPANT, TEACHER  # noqa: E402
from lti_tool.accounts.services import LaunchContext  # noqa: E402
from lti_tool.cohorts.models import Cohort, CohortCourse  # noqa: E402
from lti_tool.db import new_session  # noqa: E402
from lti_tool.lti.models import Platform  # noqa: E402
from lti_tool.migrations import upgrade_database  # noqa: E402
from lti_tool.models import metadata  # noqa: E402
from lti_tool.portfolio.models import Entry, OutcomeRating  # noqa: E402
from lti_tool.sessions import start_launch_session  # noqa: E402
from programme import cached_programme  # noqa: E402

MATRIX_GOAL_MS = 300
OVERVIEW_GOAL_MS = 100
RATING_CHANGES = 3
ENTRIES_PER_PARTICIPANT = 200
PUBLISHED_SHARE = 0.75
YEAR_START = datetime(2026, 9, 15, 8, 0, tzinfo=timezone.utc)


def empty_tables(engine) -> None:
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                    + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f'DELETE FROM "{table}"'))


def build_cohort(app, participants: int, seed: int = 7) -> dict:
    """One platform, course and cohort; a teacher and ``participants`` with a year of data."""
    rng = random.Random(seed)
    outcome_ids = [o.id for o in cached_programme().outcomes()]
    anchors = [o.id for o in cached_programme().objectives()]
    with app.app_context():
        session = new_session()
        platform = Platform(name="Université A", issuer="https://moodle.univ-a.example",
                            client_id="bench", auth_login_url="https://a/auth",
                            auth_token_url="https://a/token", key_set_url="https://a/certs")
        session.add(platform)
        session.flush()
        course = Course(platform_id=platform.id, deployment_id="1", context_id="12",
                        title="CIMP")
        session.add(course)
        session.flush()
        cohort = Cohort(name="2026-2027", join_code="BENCH0001")
        session.add(cohort)
        session.flush()
        session.add(CohortCourse(cohort_id=cohort.id, course_id=course.id))
        people = [User(platform_id=platform.id, issuer=platform.issuer, sub=str(n),
                       given_name=f"Prénom{n:02d}", family_name=f"Nom{n:02d}")
                  for n in range(participants + 1)]
        session.add_all(people)
        session.flush()
        teacher, learners = people[0], people[1:]
        session.execute(insert(Membership), [
            {"user_id": u.id, "course_id": course.id,
             "role": TEACHER if u is teacher else PARTICIPANT, "lti_roles": "[]",
             "source": "launch", "active": True, "updated_at": YEAR_START} for u in people])
        ratings, entries = [], []
        for learner in learners:
            for outcome_id in outcome_ids:
                when = YEAR_START + timedelta(days=rng.randint(0, 60))
                for _change in range(RATING_CHANGES + 1):
                    ratings.append({"user_id": learner.id, "outcome_id": outcome_id,
                                    "level": rng.randint(1, 4), "justification": "…",
                                    "created_at": when})
                    when += timedelta(days=rng.randint(5, 90))
            for number in range(ENTRIES_PER_PARTICIPANT):
                when = YEAR_START + timedelta(hours=number * 40)
                published = rng.random() < PUBLISHED_SHARE
                entries.append({
                    "author_id": learner.id, "kind": "reflection",
                    "anchor_id": rng.choice(anchors), "title": f"Réflexion {number}",
                    "body_html": "<p>" + "Une réflexion sur la pratique. " * 40 + "</p>",
                    "status": "published" if published else "draft", "version": 1,
                    "created_at": when, "updated_at": when,
                    "published_at": when if published else None})
        session.execute(insert(OutcomeRating), ratings)
        session.execute(insert(Entry), entries)
        session.commit()
        facts = {"cohort_id": cohort.id, "course_id": course.id, "platform_id": platform.id,
                 "issuer": platform.issuer, "teacher_id": teacher.id,
                 "participant_id": learners[0].id, "ratings": len(ratings),
                 "entries": len(entries)}
        session.close()
    return facts


def launch_token(app, facts: dict, user_id: int, role: str) -> str:
    context = LaunchContext(user_id=user_id, role=role, platform_id=facts["platform_id"],
                            issuer=facts["issuer"], client_id="bench", deployment_id="1",
                            course_id=facts["course_id"], resource_link_id=None,
                            message_type="LtiResourceLinkRequest", target="portfolio",
                            locale="fr", pylti_launch_id="bench")
    with app.test_request_context("/"):
        return start_launch_session(context)


class QueryCounter:
    """Counts the statements sent to the database while it is switched on."""

    def __init__(self, engine):
        self.count, self.on = 0, False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args, **_kwargs):
        if self.on:
            self.count += 1


def measure(app, counter: QueryCounter, path: str, token: str,
            runs: int) -> tuple[float, float, int]:
    """Median wall and CPU times (ms) of ``runs`` renderings after a warm-up, and the queries
    of one. CPU time (this process, database work included for SQLite) is the steadier figure
    on a busy machine."""
    client = app.test_client()
    response = client.get(path, query_string={"lt": token})
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    counter.count, counter.on = 0, True
    client.get(path, query_string={"lt": token})
    counter.on = False
    queries = counter.count
    wall, cpu = [], []
    for _run in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(path, query_string={"lt": token})
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu), queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="timed runs per page (default 9)")
    parser.add_argument("--participants", type=int, default=60)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("LTI_TOOL_TEST_DATABASE_URL") or \
            f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        upgrade_database(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "REDIS_URL": None,
                          "UPLOAD_DIR": str(Path(folder) / "uploads")})
        engine = app.extensions["db_engine"]
        empty_tables(engine)
        start = time.perf_counter()
        facts = build_cohort(app, options.participants)
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:  # planner statistics, as autovacuum would keep
                connection.execute(text("ANALYZE"))
        print(f"database: {engine.dialect.name}; {options.participants} participants, "
              f"{facts['ratings']} ratings, {facts['entries']} entries "
              f"(built in {time.perf_counter() - start:.1f} s)")
        counter = QueryCounter(engine)
        pages = [
            ("teacher matrix", f"/progress/{facts['cohort_id']}",
             launch_token(app, facts, facts["teacher_id"], TEACHER), MATRIX_GOAL_MS),
            ("participant overview", "/portfolio/",
             launch_token(app, facts, facts["participant_id"], PARTICIPANT), OVERVIEW_GOAL_MS),
        ]
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"{'page':22} {'wall':>10} {'cpu':>10} {'queries':>8} {'goal':>8}   "
              f"medians of {options.runs} runs")
        for name, path, token, goal in pages:
            wall, cpu, queries = measure(app, counter, path, token, options.runs)
            verdict = "ok" if wall < goal else "SLOW"
            print(f"{name:22} {wall:8.1f}ms {cpu:8.1f}ms {queries:8d} {goal:6d}ms   {verdict}")
        if engine.dialect.name == "postgresql":
            empty_tables(engine)
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
