"""Grade sync throughput: 1,000 queued grades sent to the two test platform sites over HTTP.

Each site answers every service request (token, line items, scores) after ``--latency`` seconds
(50 ms by default, a slow Moodle). Participants are known to the tool as a roster import makes
them known; the written reports' links were launched (their ``lineitem`` claim is known), the
oral exam's link came from the cartridge (the tool finds or creates its line item). Prints the
elapsed time, scores per second, access tokens requested and HTTP requests made.

    python bench/grades.py                          # 167 participants per site x 3 assessments
    python bench/grades.py --per-site 500 --threads 32 --latency 0.1
    LTI_TOOL_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/bench python bench/grades.py
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from lti_tool import create_app  # noqa: E402
from lti_tool.accounts.services import (upsert_course, upsert_membership,  # noqa: E402
                                        upsert_resource_link, upsert_user)
from lti_tool.cohorts.services import create_cohort, join_cohort  # noqa: E402
from lti_tool.demo.models import AGS_ENDPOINT_CLAIM, AGS_SCOPES, STUDENT, DemoUser  # noqa: E402
from lti_tool.demo.platform import demo_sites, serve_platform  # noqa: E402
from lti_tool.demo.server import serve_in_thread  # noqa: E402
from lti_tool.demo_setup import register_demo_sites  # noqa: E402
from lti_tool.grades.models import GradeOutbox  # noqa: E402
from lti_tool.grades.services import enqueue_grade  # noqa: E402
from lti_tool.grades.sync import SyncSettings, sync_pending_scores  # noqa: E402
from lti_tool.lti.models import Platform  # noqa: E402
from lti_tool.migrations import upgrade_database  # noqa: E402

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
ASSESSMENTS = ("collective-report", "reflective-report", "oral-exam")
# (site slug, course context id, first activity id of the course)
COURSES = (("univ-a", "12", 101), ("univ-b", "7", 201))
# Activity offsets of the assessments in a demo course (demo_data._activities).
LAUNCHED_ASSESSMENT_LINKS = {"collective-report": 11, "reflective-report": 12}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-site", type=int, default=167,
                        help="participants per site (each gets 3 grades; default 167: 1,002)")
    parser.add_argument("--latency", type=float, default=0.05,
                        help="seconds each platform service request takes (default 0.05)")
    parser.add_argument("--threads", type=int, default=16, help="sender threads (default 16)")
    return parser.parse_args()


def prepare(app, sites, per_site: int) -> int:
    """Courses, cohort, participants and their queued grades; returns the number of grades."""
    sessions = app.extensions["db_sessionmaker"]
    queued = 0
    with app.app_context(), sessions() as session:
        course_ids, teachers = [], []
        for slug, context_id, first_activity in COURSES:
            site = sites[slug]
            platform = session.scalar(select(Platform).where(Platform.issuer == site.issuer))
            claims = {AGS_ENDPOINT_CLAIM: {"scope": list(AGS_SCOPES),
                                           "lineitems": site.lineitems_url(context_id)}}
            course = upsert_course(session, platform.id, site.deployment_id,
                                   {"id": context_id, "title": f"CIMP {slug}"}, claims)
            teacher = upsert_user(session, platform.id, site.issuer, "teacher-" + slug, {})
            upsert_membership(session, teacher, course, "teacher", [INSTRUCTOR])
            for assessment, offset in LAUNCHED_ASSESSMENT_LINKS.items():
                link_id = str(first_activity + offset)
                item = next(i for i in site.gradebook().values()
                            if i["resource_link_id"] == link_id)
                link_claims = {LTI + "resource_link": {"id": link_id},
                               AGS_ENDPOINT_CLAIM: {**claims[AGS_ENDPOINT_CLAIM],
                                                    "lineitem": item["url"]}}
                upsert_resource_link(session, platform.id, site.deployment_id, course,
                                     link_claims, f"assessment/{assessment}")
            session.flush()
            course_ids.append(course.id)
            teachers.append(teacher.id)
            for n in range(per_site):
                sub = str(5000 + n)
                site.users[sub] = DemoUser(sub, "Participant", f"N{n}", f"p{n}@example.org")
                site.courses[context_id].members[sub] = STUDENT
                user = upsert_user(session, platform.id, site.issuer, sub,
                                   {"name": f"Participant {slug} {n}"})
                upsert_membership(session, user, course, "participant", [LEARNER],
                                  source="roster")
        session.commit()
        cohort = create_cohort(session, course_ids[0], teachers[0], "Bench cohort")
        join_cohort(session, course_ids[1], teachers[1], cohort.join_code)
        from lti_tool.accounts.models import Membership

        participants = session.scalars(select(Membership.user_id)
                                       .where(Membership.role == "participant")).all()
        for index, user_id in enumerate(participants):
            for assessment in ASSESSMENTS:
                enqueue_grade(session, user_id=user_id, assessment_id=assessment,
                              grade=Decimal(index % 41) / 2, comment="Bench",
                              published_by_id=None)
                queued += 1
        session.commit()
    return queued


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database_url = os.environ.get("LTI_TOOL_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
        upgrade_database(database_url)
        app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench",
                          "REDIS_URL": os.environ.get("LTI_TOOL_REDIS_URL"),
                          "GRADES_SYNC_IN_BACKGROUND": False})
        tool = serve_in_thread(app)
        app.config["BASE_URL"] = tool.url
        platform = serve_platform(demo_sites(tool.url, jwks_path="/lti/jwks.json",
                                             key_size=2048))
        try:
            sites = platform.sites
            register_demo_sites(app, sites.values())
            queued = prepare(app, sites, args.per_site)
            for site in sites.values():
                site.faults.latency = args.latency
            settings = SyncSettings(threads=args.threads, batch_size=250)
            started = time.perf_counter()
            with app.app_context():
                report = sync_pending_scores(app.extensions["db_sessionmaker"], "bench",
                                             settings=settings)
            elapsed = time.perf_counter() - started
            with app.app_context(), app.extensions["db_sessionmaker"]() as session:
                statuses = Counter(dict(session.execute(
                    select(GradeOutbox.status, func.count()).group_by(GradeOutbox.status))
                    .all()))
            stored = sum(len(item["scores"]) for site in sites.values()
                         for item in site.gradebook().values())
            tokens = {slug: site.tokens_issued for slug, site in sites.items()}
        finally:
            platform.stop()
            tool.stop()
            app.extensions["db_engine"].dispose()
    print(f"grades queued        {queued}")
    print(f"platform latency     {args.latency * 1000:.0f} ms per service request")
    print(f"sender threads       {args.threads}")
    print(f"elapsed              {elapsed:.2f} s")
    print(f"scores/s             {report.sent / elapsed:.0f}")
    print(f"statuses             {dict(statuses)}")
    print(f"scores in gradebooks {stored}")
    per_site = ", ".join(f"{slug}: {count}" for slug, count in tokens.items())
    print(f"tokens requested     {sum(tokens.values())} ({per_site})")
    print(f"requests made        {report.requests}")


if __name__ == "__main__":
    main()
