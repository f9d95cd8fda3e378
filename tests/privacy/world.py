"""A cohort with data in every area for two participants (Alice, Bruno) and a juror (Jeanne),
built through the models and the portfolio's file service."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from lti_tool.accounts.models import Course, Membership, User
from lti_tool.cohorts.models import Cohort, CohortCourse, CohortJuror
from lti_tool.evaluation.models import (AgreedScore, Assignment, EvaluationEvent, Group,
                                        GroupMember, Jury, JuryMember, JurorScore,
                                        JurorSubmission, PublishedResult)
from lti_tool.grades.models import GradeOutbox
from lti_tool.lti.models import Platform
from lti_tool.portfolio.models import (Comment, Entry, EntryRevision, EntryShare,
                                       OutcomeRating)
from lti_tool.portfolio.services import store_evidence
from lti_tool.reports.models import ReportSubmission

ISSUER = "https://moodle.univ-a.example"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass(frozen=True)
class World:
    cohort_id: int
    alice: int
    bruno: int
    jeanne: int
    alice_entry: int
    bruno_entry: int
    alice_comment_with_reply: int
    alice_lone_comment: int


def _user(session, platform, sub, name, email) -> User:
    user = User(platform_id=platform.id, issuer=ISSUER, sub=sub, name=name, email=email,
                locale="fr", created_at=T0)
    session.add(user)
    session.flush()
    return user


def _entry(session, author: User, title: str, day: int) -> Entry:
    at = T0 + timedelta(days=day)
    entry = Entry(author_id=author.id, kind="reflection", anchor_id="P1", title=title,
                  body_html=f"<p>{title} v2</p>", status="published", version=2, created_at=at,
                  updated_at=at, published_at=at)
    session.add(entry)
    session.flush()
    for version in (1, 2):
        session.add(EntryRevision(entry_id=entry.id, version=version, title=title,
                                  body_html=f"<p>{title} v{version}</p>", saved_at=at,
                                  reason="save" if version == 1 else "publish"))
    return entry


def _assessment(session, cohort, jury, candidate: User, jeanne: User, assessment_id: str,
                grade: str, publish: bool) -> Assignment:
    assignment = Assignment(cohort_id=cohort.id, assessment_id=assessment_id, jury_id=jury.id,
                            candidate_user_id=candidate.id, assigned_at=T0)
    session.add(assignment)
    session.flush()
    session.add(JurorScore(assignment_id=assignment.id, juror_id=jeanne.id, criterion_id="c1",
                           points=Decimal("3.50"), comment=f"Bien, {candidate.name}",
                           updated_at=T0))
    session.add(JurorSubmission(assignment_id=assignment.id, juror_id=jeanne.id,
                                submitted_at=T0))
    session.add(AgreedScore(assignment_id=assignment.id, criterion_id="c1",
                            points=Decimal("3.50"), justification="Accord du jury",
                            agreed_by_id=jeanne.id, agreed_at=T0))
    session.add(EvaluationEvent(cohort_id=cohort.id, actor_id=jeanne.id, action="agreed",
                                assessment_id=assessment_id, assignment_id=assignment.id,
                                candidate_user_id=candidate.id, criterion_id="c1",
                                new_value="3.50", created_at=T0))
    if publish:
        session.add(PublishedResult(assignment_id=assignment.id, cohort_id=cohort.id,
                                    assessment_id=assessment_id, user_id=candidate.id,
                                    rubric_grade=Decimal(grade), grade=Decimal(grade),
                                    explanation="Moyenne des critères", published_by_id=jeanne.id,
                                    published_at=T0))
        session.add(GradeOutbox(user_id=candidate.id, assessment_id=assessment_id,
                                grade=Decimal(grade), grade_max=Decimal(20), created_at=T0,
                                next_attempt_at=T0, status="sent", sent_at=T0))
    return assignment


def build_world(app, alice_report_graded: bool = True) -> World:
    """Alice and Bruno in one cohort of univ-a; Jeanne is their juror. Alice's reflective-report
    grade is published when ``alice_report_graded``; Bruno's always is."""
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        platform = Platform(name="Université A", issuer=ISSUER, client_id="tool-a",
                            auth_login_url=ISSUER + "/auth", auth_token_url=ISSUER + "/token",
                            key_set_url=ISSUER + "/certs")
        session.add(platform)
        session.flush()
        course = Course(platform_id=platform.id, deployment_id="1", context_id="12",
                        title="CIMP 2026")
        session.add(course)
        session.flush()
        alice = _user(session, platform, "2", "Alice Martin", "alice@example.org")
        bruno = _user(session, platform, "3", "Bruno Dubois", "bruno@example.org")
        jeanne = _user(session, platform, "5", "Jeanne Juré", "jeanne@example.org")
        for user, role in ((alice, "participant"), (bruno, "participant"),
                           (jeanne, "teacher")):
            session.add(Membership(user_id=user.id, course_id=course.id, role=role,
                                   updated_at=T0))
        cohort = Cohort(name="CIMP 2026", join_code="JOIN2026", created_at=T0)
        session.add(cohort)
        session.flush()
        session.add(CohortCourse(cohort_id=cohort.id, course_id=course.id, joined_at=T0))
        session.add(CohortJuror(cohort_id=cohort.id, user_id=jeanne.id, appointed_at=T0))
        for user in (alice, bruno):
            for level, day in ((2, 0), (3, 5)):
                session.add(OutcomeRating(user_id=user.id, outcome_id="AA1.1", level=level,
                                          justification=f"{user.name} niveau {level}",
                                          created_at=T0 + timedelta(days=day)))
        alice_entry = _entry(session, alice, "Journal d'Alice", 1)
        bruno_entry = _entry(session, bruno, "Journal de Bruno", 2)
        session.add(EntryShare(entry_id=alice_entry.id, recipient_id=bruno.id, shared_at=T0))
        session.add(EntryShare(entry_id=bruno_entry.id, recipient_id=alice.id, shared_at=T0))
        bruno_on_alice = Comment(entry_id=alice_entry.id, author_id=bruno.id,
                                 body_html="<p>Bruno lit Alice</p>", created_at=T0)
        alice_on_bruno = Comment(entry_id=bruno_entry.id, author_id=alice.id,
                                 body_html="<p>Alice lit Bruno</p>", created_at=T0)
        alice_lone = Comment(entry_id=bruno_entry.id, author_id=alice.id,
                             body_html="<p>Alice encore</p>", created_at=T0)
        session.add_all([bruno_on_alice, alice_on_bruno, alice_lone])
        session.flush()
        session.add(Comment(entry_id=bruno_entry.id, author_id=bruno.id, parent_id=alice_on_bruno.id,
                            body_html="<p>Bruno répond</p>", created_at=T0))
        for user in (alice, bruno):
            session.add(ReportSubmission(user_id=user.id, cohort_id=cohort.id, version=1,
                                         status="submitted", submitted_at=T0,
                                         synthesis_html=f"<p>Synthèse {user.name}</p>",
                                         snapshot_json=json.dumps({"author": user.name})))
            session.add(ReportSubmission(user_id=user.id, cohort_id=cohort.id, version=2,
                                         status="draft", synthesis_html="<p>Brouillon</p>"))
        group = Group(cohort_id=cohort.id, name="Groupe 1", created_at=T0)
        session.add(group)
        session.flush()
        for user in (alice, bruno):
            session.add(GroupMember(group_id=group.id, cohort_id=cohort.id, user_id=user.id))
        jury = Jury(cohort_id=cohort.id, name="Jury A", created_at=T0)
        session.add(jury)
        session.flush()
        session.add(JuryMember(jury_id=jury.id, user_id=jeanne.id, is_chair=True))
        _assessment(session, cohort, jury, alice, jeanne, "reflective-report", "14.50",
                    alice_report_graded)
        _assessment(session, cohort, jury, bruno, jeanne, "reflective-report", "12.00", True)
        _assessment(session, cohort, jury, alice, jeanne, "oral-exam", "16.00", True)
        session.commit()
        upload_dir = app.config["UPLOAD_DIR"]
        for entry, owner, name in ((alice_entry, alice, "preuve alice.pdf"),
                                   (bruno_entry, bruno, "preuve bruno.pdf")):
            store_evidence(session, entry, owner.id, name, io.BytesIO(PDF + name.encode()),
                           upload_dir)
        world = World(cohort.id, alice.id, bruno.id, jeanne.id, alice_entry.id, bruno_entry.id,
                      alice_on_bruno.id, alice_lone.id)
        session.close()
    return world
