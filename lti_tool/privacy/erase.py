"""``lti-tool person erase``: remove or anonymise a person's data, keeping the certificate's record.

Kept, because the certificate's rules require them: published results and grade outbox rows
(published grades), the jury's record (assignments, group membership, juror scores and
submissions, agreed scores with their justifications, juries and juror appointments, the audit
log), submitted report versions whose reflective-report grade has been published (what the jury
graded). Memberships are kept, made inactive: they say which university and course a kept grade
belongs to. The user row stays (the kept rows point to it) but loses name, email and locale, and
its sub becomes ``erased:<random>``: a later launch with the original sub creates a fresh account.

Everything else is deleted in one transaction; evidence files are removed from disk only after
the commit. Comments the person wrote that others' replies hang on keep their place in the
thread with the body replaced by ``[supprimé]``.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from lti_tool.accounts.models import Membership, User
from lti_tool.cohorts.models import CohortJuror
from lti_tool.evaluation.models import (AgreedScore, EvaluationEvent, GroupMember, JuryMember,
                                        JurorScore, JurorSubmission, PublishedResult)
from lti_tool.grades.models import GradeOutbox
from lti_tool.portfolio.models import (Comment, Entry, EntryRevision, EntryShare, Evidence,
                                       OutcomeRating)
from lti_tool.portfolio.services import evidence_path
from lti_tool.privacy.records import ERASED_SUB_PREFIX
from lti_tool.reports.models import DRAFT, ReportSubmission
from lti_tool.reports.services import REPORT_ASSESSMENT_ID

REMOVED_COMMENT = "<p>[supprimé]</p>"

DELETED, ANONYMISED, KEPT = "deleted", "anonymised", "kept"

REASON_GRADES = "published grades are part of the certificate's record"
REASON_JURY = "the jury's record is kept as the certificate's rules require"


@dataclass(frozen=True)
class TableOutcome:
    """What erasure did to one table's rows about the person."""

    table: str
    action: str
    count: int
    reason: str = ""


@dataclass
class ErasureReport:
    outcomes: list[TableOutcome] = field(default_factory=list)
    removed_files: list[Path] = field(default_factory=list)

    def add(self, table: str, action: str, count: int, reason: str = "") -> None:
        self.outcomes.append(TableOutcome(table, action, count, reason))

    def lines(self) -> list[str]:
        """One line per table, for the command's summary."""
        return [f"{o.table:<30} {o.action:<10} {o.count:>5}" + (f"  ({o.reason})" if o.reason
                                                                 else "")
                for o in self.outcomes]


def _count(session: Session, statement) -> int:
    return session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def _needed_comments(session: Session, user_id: int) -> set[int]:
    """Comments by the person that someone else's reply hangs on (directly or further up)."""
    # Only the threads of entries the person commented on can depend on their comments.
    entries = select(Comment.entry_id).where(Comment.author_id == user_id)
    rows = session.execute(select(Comment.id, Comment.parent_id, Comment.author_id)
                           .where(Comment.entry_id.in_(entries))).all()
    parents = {row.id: row.parent_id for row in rows}
    authors = {row.id: row.author_id for row in rows}
    needed: set[int] = set()
    for comment_id, author_id in authors.items():
        if author_id == user_id:
            continue
        parent = parents.get(comment_id)
        while parent is not None:
            if authors[parent] == user_id:
                needed.add(parent)
            parent = parents.get(parent)
    return needed


def _erase_comments(session: Session, user_id: int, own_entries, report: ErasureReport) -> None:
    theirs = select(Comment.id).where(Comment.author_id == user_id,
                                      Comment.entry_id.not_in(own_entries))
    ids = set(session.scalars(theirs))
    needed = _needed_comments(session, user_id) & ids
    if needed:
        session.execute(update(Comment).where(Comment.id.in_(needed))
                        .values(body_html=REMOVED_COMMENT))
    removable = ids - needed
    if removable:
        session.execute(delete(Comment).where(Comment.id.in_(removable)))
    report.add("portfolio_comments", DELETED, len(removable))
    report.add("portfolio_comments", ANONYMISED, len(needed),
               "others' replies hang on them: body replaced by [supprimé]")


def _erase_portfolio(session: Session, user_id: int, upload_dir, report: ErasureReport) -> None:
    own_entries = select(Entry.id).where(Entry.author_id == user_id)
    _erase_comments(session, user_id, own_entries, report)
    evidence = list(session.scalars(select(Evidence).where(
        or_(Evidence.owner_id == user_id, Evidence.entry_id.in_(own_entries)))))
    report.removed_files.extend(evidence_path(upload_dir, e.storage_key) for e in evidence)
    counts = {
        "portfolio_entry_revisions": _count(session, select(EntryRevision.id).where(
            EntryRevision.entry_id.in_(own_entries))),
        "portfolio_evidence": len(evidence),
        "portfolio_entry_shares": _count(session, select(EntryShare.id).where(or_(
            EntryShare.entry_id.in_(own_entries), EntryShare.recipient_id == user_id))),
        "portfolio_comments (on their entries)": _count(session, select(Comment.id).where(
            Comment.entry_id.in_(own_entries))),
        "portfolio_entries": _count(session, own_entries),
        "outcome_ratings": _count(session, select(OutcomeRating.id).where(
            OutcomeRating.user_id == user_id)),
    }
    session.execute(delete(Evidence).where(Evidence.id.in_([e.id for e in evidence])))
    session.execute(delete(EntryShare).where(EntryShare.recipient_id == user_id))
    for model in (Comment, EntryShare, EntryRevision):
        session.execute(delete(model).where(model.entry_id.in_(own_entries)))
    session.execute(delete(Entry).where(Entry.author_id == user_id))
    session.execute(delete(OutcomeRating).where(OutcomeRating.user_id == user_id))
    for table, count in counts.items():
        report.add(table, DELETED, count)


def _erase_reports(session: Session, user_id: int, report: ErasureReport) -> None:
    graded_cohorts = set(session.scalars(select(PublishedResult.cohort_id).where(
        PublishedResult.user_id == user_id,
        PublishedResult.assessment_id == REPORT_ASSESSMENT_ID)))
    versions = list(session.scalars(select(ReportSubmission).where(
        ReportSubmission.user_id == user_id)))
    kept = [v for v in versions if v.status != DRAFT and v.cohort_id in graded_cohorts]
    removed = [v.id for v in versions if v not in kept]
    if removed:
        session.execute(delete(ReportSubmission).where(ReportSubmission.id.in_(removed)))
    report.add("report_submissions", DELETED, len(removed),
               "drafts, and submitted versions whose grade is not published")
    report.add("report_submissions", KEPT, len(kept),
               "submitted versions of a published reflective-report grade: what the jury graded")


def _kept_rows(session: Session, user_id: int, report: ErasureReport) -> None:
    kept = (
        ("evaluation_published_results", PublishedResult.user_id, REASON_GRADES),
        ("grade_outbox", GradeOutbox.user_id, REASON_GRADES),
        ("evaluation_group_members", GroupMember.user_id, REASON_JURY),
        ("evaluation_jury_members", JuryMember.user_id, REASON_JURY),
        ("cohort_jurors", CohortJuror.user_id, REASON_JURY),
        ("evaluation_juror_scores", JurorScore.juror_id, REASON_JURY),
        ("evaluation_juror_submissions", JurorSubmission.juror_id, REASON_JURY),
        ("evaluation_agreed_scores", AgreedScore.agreed_by_id, REASON_JURY),
        ("evaluation_events", EvaluationEvent.candidate_user_id,
         "the audit log is append-only and part of the jury's record"),
    )
    for table, column, reason in kept:
        report.add(table, KEPT, _count(session, select(column).where(column == user_id)),
                   reason)


def _anonymise_user(session: Session, user: User, report: ErasureReport) -> None:
    memberships = session.execute(update(Membership).where(Membership.user_id == user.id)
                                  .values(active=False)).rowcount
    report.add("memberships", KEPT, memberships or 0,
               "made inactive: the university and course of kept grades")
    user.name = user.given_name = user.family_name = user.email = user.locale = None
    user.sub = ERASED_SUB_PREFIX + secrets.token_hex(16)
    report.add("users", ANONYMISED, 1,
               "name and email blanked, sub replaced: kept rows point to it")


def erase_person(session: Session, user: User, upload_dir: str | os.PathLike) -> ErasureReport:
    """Erase ``user`` in one transaction, then remove their files; say what was done."""
    report = ErasureReport()
    try:
        _erase_portfolio(session, user.id, upload_dir, report)
        _erase_reports(session, user.id, report)
        _kept_rows(session, user.id, report)
        _anonymise_user(session, user, report)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    for path in report.removed_files:
        path.unlink(missing_ok=True)
    return report
