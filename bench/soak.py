"""A bounded mixed load against two instances of the tool behind nginx.

Simulated users (threads) launch activities, autosave portfolio entries, save jury scores, and
publish grades that a grade worker sends to the test platform, for a fixed time. Each user
pauses between two actions as a person does (``--think``: 1 s on average, drawn between half
and one and a half times that; a person writing autosaves every few seconds, so this is several
times a real class's pace). ``--think 0`` fires requests back to back: a saturation test whose
latencies are the queue's length, not the tool's speed. Prints throughput, latency percentiles
per kind of request, errors, and the instances' memory (RSS) at start and end. Goals: zero
errors, p95 under 200 ms, memory growth under 10 %.

    python bench/soak.py                       # 50 users, 300 s, SQLite + Redis db 12
    python bench/soak.py --users 20 --seconds 60
    python bench/soak.py --think 0             # saturation
    LTI_TOOL_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/soak python bench/soak.py
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from sqlalchemy import select  # noqa: E402

from lti_tool import create_app  # noqa: E402
from lti_tool.db import get_session  # noqa: E402
from lti_tool.demo.platform import demo_sites, serve_platform  # noqa: E402
from lti_tool.demo_setup import register_demo_sites  # noqa: E402
from lti_tool.evaluation.models import Assignment, Jury  # noqa: E402
from lti_tool.grades.services import enqueue_grade  # noqa: E402
from lti_tool.grades.sync import sync_pending_scores  # noqa: E402
from lti_tool.migrations import upgrade_database  # noqa: E402
from rubrics import load_rubric  # noqa: E402
from tests.evaluation.flow import JURORS, PARTICIPANTS, build_cohort, score_form  # noqa: E402
from tests.lti.launching import LaunchDriver  # noqa: E402
from tests.portfolio.pages import entry_id_of  # noqa: E402
from tests.portfolio.pages import launched as portfolio_tab  # noqa: E402
from tests.production.cluster import Cluster  # noqa: E402

LAUNCHES = [("univ-a", u, a) for u in ("2", "3", "4") for a in ("101", "103", "108", "111")] + \
           [("univ-b", u, a) for u in ("2", "3", "5") for a in ("201", "204", "209")]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def instances_rss(cluster: Cluster) -> int:
    """Resident memory of the gunicorn instances (masters and workers), in KiB."""
    total = 0
    pids = {p.pid for p in cluster.processes[:-1]}  # the last process is nginx
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if ppid in pids:
                pids.add(int(entry.name))
    for pid in pids:
        try:
            total += rss_kib(pid)
        except OSError:
            pass
    return total


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)

    def timed(self, kind: str, call, ok=lambda r: r.status_code < 400):
        started = time.perf_counter()
        try:
            response = call()
            good = ok(response)
        except Exception:  # a failed request is an error of the run, counted, not raised
            response, good = None, False
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[kind].append(elapsed)
            if not good:
                self.errors[kind] += 1
        return response


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean pause of a user between two actions, in seconds")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="cimp-soak-"))
    database_url = os.environ.get("LTI_TOOL_DATABASE_URL") or f"sqlite:///{folder}/soak.sqlite3"
    redis.Redis.from_url(args.redis).flushdb()
    os.environ.update({
        "LTI_TOOL_RATE_LIMIT_LTI": "1000000/minute", "LTI_TOOL_RATE_LIMIT_UPLOADS": "1000000/minute",
        "LTI_TOOL_DATABASE_URL": database_url, "LTI_TOOL_REDIS_URL": args.redis,
        "LTI_TOOL_SECRET_KEY": "shared-secret-of-the-cluster",
        "LTI_TOOL_INSTANCE_PATH": str(folder / "bench-instance"), "LTI_TOOL_LOG_FORMAT": "plain",
    })
    upgrade_database(database_url)
    cluster = Cluster(folder, database_url, args.redis)
    os.environ["LTI_TOOL_BASE_URL"] = cluster.nginx_url
    cluster.start()
    platform = serve_platform(demo_sites(cluster.nginx_url, jwks_path="/lti/jwks.json"))
    app = create_app({"GRADES_SYNC_IN_BACKGROUND": False})
    register_demo_sites(app, platform.sites.values())
    sites = platform.sites
    try:
        print(f"setting up: cohort of two universities, a jury of four, entries "
              f"({'PostgreSQL' if 'postgresql' in database_url else 'SQLite'} + Redis, "
              f"2 instances behind nginx)")
        driver = LaunchDriver(cluster.nginx_url)
        cohort = build_cohort(app, driver, cluster.nginx_url, sites["univ-a"], sites["univ-b"])
        cohort.form_jury(list(JURORS), JURORS[0], name="Jury")
        with app.app_context():
            jury_id = get_session().scalar(select(Jury.id))
        cohort.assign("oral-exam", {f"user-{cohort.ids[p]}": jury_id for p in PARTICIPANTS})
        with app.app_context():
            assignment_ids = list(get_session().scalars(select(Assignment.id)))
        rubric = load_rubric("oral-exam")
        juror_tabs = [cohort.pages[who] for who in JURORS]
        juror_csrf = [tab.csrf_token("/cohort/") for tab in juror_tabs]
        participant_ids = [cohort.ids[p] for p in PARTICIPANTS]

        recorder = Recorder()
        stop = threading.Event()

        def simulated_user(number: int) -> None:
            rng = random.Random(number)
            own = LaunchDriver(cluster.nginx_url)
            site_slug = "univ-a" if number % 2 else "univ-b"
            tab = portfolio_tab(own, cluster.nginx_url, sites[site_slug], "2",
                                "101" if site_slug == "univ-a" else "201")
            csrf = tab.csrf_token()
            created = tab.post("/portfolio/entries/new", {"title": f"Journal {number}",
                                                         "body": "<p>Début</p>", "save": "1"},
                               csrf_token=csrf)
            entry_id, version = entry_id_of(created), 1
            while not stop.wait(args.think * rng.uniform(0.5, 1.5)):
                action = rng.random()
                if action < 0.35:
                    slug, user, activity = rng.choice(LAUNCHES)
                    result = recorder.timed("launch (3 requests)", lambda: own.launch(
                        sites[slug], user, activity).response, lambda r: r.status_code == 303)
                    if result is not None and result.status_code == 303:
                        location = result.headers["Location"]
                        recorder.timed("first page", lambda: own.http.get(
                            cluster.nginx_url + location, allow_redirects=False),
                            lambda r: r.status_code in (200, 303))
                elif action < 0.75:
                    body = f"<p>Texte {rng.random()} " + "réflexion " * rng.randint(20, 200)
                    answer = recorder.timed("autosave", lambda: tab.autosave(
                        entry_id, f"Journal {number}", body, version, csrf_token=csrf))
                    if answer is not None and answer.status_code == 200:
                        version = answer.json()["version"]
                elif action < 0.95:
                    juror = rng.randrange(4)
                    levels = {c.id: rng.randrange(len(c.levels)) for c in rubric.criteria}
                    recorder.timed("jury score", lambda: juror_tabs[juror].post(
                        f"/evaluation/score/{rng.choice(assignment_ids)}",
                        score_form(rubric, levels), csrf_token=juror_csrf[juror]),
                        lambda r: r.status_code == 303)
                else:
                    recorder.timed("portfolio page", lambda: tab.get("/portfolio/"))

        def grade_publisher_and_worker() -> None:
            while not stop.is_set():
                with app.app_context():
                    session = get_session()
                    for user_id in participant_ids:
                        enqueue_grade(session, user_id=user_id, assessment_id="oral-exam",
                                      grade=Decimal(random.randint(0, 200)) / 10,
                                      comment="Épreuve orale", published_by_id=None)
                    session.commit()
                    started = time.perf_counter()
                    report = sync_pending_scores(app.extensions["db_sessionmaker"], "soak")
                    with recorder.lock:
                        recorder.latencies["grade sync pass"].append(time.perf_counter() - started)
                        recorder.errors["grade sync pass"] += report.failed
                stop.wait(1.1)  # Moodle's one-second timestamps: one new grade per second

        memory_start = instances_rss(cluster)
        threads = [threading.Thread(target=simulated_user, args=(n,)) for n in range(args.users)]
        threads.append(threading.Thread(target=grade_publisher_and_worker))
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        memory_end = instances_rss(cluster)

        total = sum(len(v) for k, v in recorder.latencies.items() if k != "grade sync pass")
        errors = sum(recorder.errors.values())
        print(f"{args.users} users, {args.think:g} s between actions, for {wall:.0f} s: "
              f"{total} requests, {total / wall:.1f}/s, {errors} errors")
        print(f"{'kind':<22} {'count':>7} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for kind, values in sorted(recorder.latencies.items()):
            print(f"{kind:<22} {len(values):>7} {recorder.errors[kind]:>7} "
                  f"{statistics.median(values) * 1000:>8.1f} {percentile(values, .95) * 1000:>8.1f}"
                  f" {max(values) * 1000:>8.1f}")
        growth = (memory_end - memory_start) / memory_start * 100 if memory_start else 0
        print(f"instances' memory: {memory_start / 1024:.1f} MiB at start, "
              f"{memory_end / 1024:.1f} MiB at end ({growth:+.1f} %)")
        sent = sum(len(item["scores"]) for site in sites.values()
                   for item in site.gradebook().values())
        print(f"grades in the platforms' gradebooks: {sent} (participants x line items)")
    finally:
        platform.stop()
        cluster.stop()


if __name__ == "__main__":
    main()
