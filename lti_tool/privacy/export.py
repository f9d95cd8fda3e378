"""``lti-tool person export``: everything the tool holds about one person, as a zip file.

The zip holds ``person.json`` and the person's evidence files under ``files/``. Its content is
deterministic for the same data: keys sorted, rows ordered by id, fixed timestamps in the zip.
Secrets (platform keys, launch state) are never part of it.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lti_tool.accounts.models import Course, Membership, User
from lti_tool.cohorts.models import Cohort, CohortJuror
from lti_tool.db import utcnow
from lti_tool.evaluation.models import (AgreedScore, Assignment, Group, GroupMember, Jury,
                                        JuryMember, JurorScore, JurorSubmission,
                                        PublishedResult)
from lti_tool.grades.models import GradeOutbox
from lti_tool.lti.models import Platform
from lti_tool.portfolio.models import (Comment, Entry, EntryRevision, EntryShare, Evidence,
                                       OutcomeRating)
from lti_tool.portfolio.services import evidence_path, safe_filename
from lti_tool.privacy.records import plain, row_dict
from lti_tool.reports.models import ReportSubmission

EXPORT_FORMAT = 1
# Zip entries get this fixed time so that two exports of the same data are identical.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _rows(session: Session, statement) -> list:
    return list(session.scalars(statement))


def _user_summary(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.id, "name": user.display_name}


def _platform(session: Session, platform_id: int) -> dict[str, Any]:
    platform = session.get(Platform, platform_id)
    return {"id": platform.id, "name": platform.name, "issuer": platform.issuer}


def _memberships(session: Session, user_id: int) -> list[dict[str, Any]]:
    found = []
    for membership in _rows(session, select(Membership).where(Membership.user_id == user_id)
                            .order_by(Membership.id)):
        course: Course = membership.course
        found.append(row_dict(membership) | {
            "course": row_dict(course) | {"platform": _platform(session, course.platform_id)}})
    return found


def _juror_appointments(session: Session, user_id: int) -> list[dict[str, Any]]:
    return [row_dict(appointment) | {"cohort": session.get(Cohort, appointment.cohort_id).name}
            for appointment in _rows(session, select(CohortJuror)
                                     .where(CohortJuror.user_id == user_id)
                                     .order_by(CohortJuror.id))]


def _comment(session: Session, comment: Comment) -> dict[str, Any]:
    return row_dict(comment) | {"author": _user_summary(session.get(User, comment.author_id))}


def _entries(session: Session, user_id: int) -> tuple[list[dict[str, Any]], list[Evidence]]:
    entries, files = [], []
    for entry in _rows(session, select(Entry).where(Entry.author_id == user_id)
                       .order_by(Entry.id)):
        evidence = sorted(entry.evidence, key=lambda e: e.id)
        files.extend(evidence)
        entries.append(row_dict(entry) | {
            "revisions": [row_dict(r) for r in sorted(entry.revisions, key=lambda r: r.id)],
            "evidence": [row_dict(e, exclude=("storage_key",)) | {"file": _zip_name(e)}
                         for e in evidence],
            "shares": [row_dict(s) | {"recipient": _user_summary(session.get(User,
                                                                              s.recipient_id))}
                       for s in sorted(entry.shares, key=lambda s: s.id)],
            "comments": [_comment(session, c) for c in sorted(entry.comments,
                                                               key=lambda c: c.id)],
        })
    return entries, files


def _zip_name(evidence: Evidence) -> str:
    return f"files/{evidence.id}-{safe_filename(evidence.filename)}"


def _shared_with_them(session: Session, user_id: int) -> list[dict[str, Any]]:
    shares = _rows(session, select(EntryShare).where(EntryShare.recipient_id == user_id)
                   .order_by(EntryShare.id))
    return [row_dict(s) | {"entry_title": s.entry.title,
                           "entry_author": _user_summary(session.get(User, s.entry.author_id))}
            for s in shares]


def _comments_on_others(session: Session, user_id: int) -> list[dict[str, Any]]:
    comments = _rows(session, select(Comment).join(Entry, Entry.id == Comment.entry_id)
                     .where(Comment.author_id == user_id, Entry.author_id != user_id)
                     .order_by(Comment.id))
    return [row_dict(c) | {"entry_title": c.entry.title} for c in comments]


def _candidate_assignments(session: Session, user_id: int) -> list[Assignment]:
    group_ids = select(GroupMember.group_id).where(GroupMember.user_id == user_id)
    return _rows(session, select(Assignment).where(or_(
        Assignment.candidate_user_id == user_id, Assignment.candidate_group_id.in_(group_ids)))
        .order_by(Assignment.id))


def _evaluation(session: Session, user_id: int) -> dict[str, Any]:
    groups = []
    for member in _rows(session, select(GroupMember).where(GroupMember.user_id == user_id)
                        .order_by(GroupMember.id)):
        group: Group = member.group
        groups.append({"group_id": group.id, "name": group.name, "cohort_id": group.cohort_id,
                       "members": [_user_summary(m.user) for m in group.members]})
    assessments = []
    for assignment in _candidate_assignments(session, user_id):
        agreed = _rows(session, select(AgreedScore).where(
            AgreedScore.assignment_id == assignment.id).order_by(AgreedScore.id))
        assessments.append({"assignment_id": assignment.id,
                            "assessment_id": assignment.assessment_id,
                            "cohort_id": assignment.cohort_id,
                            "jury": assignment.jury.name,
                            "agreed_scores": [row_dict(a) for a in agreed]})
    results = _rows(session, select(PublishedResult).where(PublishedResult.user_id == user_id)
                    .order_by(PublishedResult.id))
    juries = _rows(session, select(JuryMember).where(JuryMember.user_id == user_id)
                   .order_by(JuryMember.id))
    given = _rows(session, select(JurorScore).where(JurorScore.juror_id == user_id)
                  .order_by(JurorScore.id))
    submitted = _rows(session, select(JurorSubmission).where(JurorSubmission.juror_id == user_id)
                      .order_by(JurorSubmission.id))
    return {
        "groups": groups,
        "assessed": assessments,
        "published_results": [row_dict(r) for r in results],
        "as_juror": {
            "juries": [{"jury_id": m.jury_id, "name": session.get(Jury, m.jury_id).name,
                        "is_chair": m.is_chair} for m in juries],
            "scores_given": [row_dict(s) for s in given],
            "submissions": [row_dict(s) for s in submitted],
        },
    }


def person_record(session: Session, user: User) -> tuple[dict[str, Any], list[Evidence]]:
    """Everything about ``user`` as a JSON-ready dictionary, and the evidence files to join."""
    entries, files = _entries(session, user.id)
    record = {
        "format": EXPORT_FORMAT,
        "user": row_dict(user) | {"platform": _platform(session, user.platform_id)},
        "memberships": _memberships(session, user.id),
        "juror_appointments": _juror_appointments(session, user.id),
        "outcome_ratings": [row_dict(r) for r in _rows(
            session, select(OutcomeRating).where(OutcomeRating.user_id == user.id)
            .order_by(OutcomeRating.outcome_id, OutcomeRating.created_at, OutcomeRating.id))],
        "entries": entries,
        "shared_with_them": _shared_with_them(session, user.id),
        "comments_on_others_entries": _comments_on_others(session, user.id),
        "reports": [row_dict(r) for r in _rows(
            session, select(ReportSubmission).where(ReportSubmission.user_id == user.id)
            .order_by(ReportSubmission.id))],
        "evaluation": _evaluation(session, user.id),
        "grade_outbox": [row_dict(g, exclude=("claimed_by", "claimed_at")) for g in _rows(
            session, select(GradeOutbox).where(GradeOutbox.user_id == user.id)
            .order_by(GradeOutbox.id))],
    }
    return record, files


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    archive.writestr(info, data)


def export_person(session: Session, user: User, upload_dir: str | os.PathLike,
                  destination: str | os.PathLike) -> dict[str, Any]:
    """Write the zip of ``user`` to ``destination`` (whole or not at all); return the record.

    An evidence file missing from the upload folder is listed with ``"file_missing": true``.
    """
    record, files = person_record(session, user)
    record["exported_at"] = plain(utcnow())
    missing = set()
    contents: dict[str, bytes] = {}
    for evidence in files:
        path = evidence_path(upload_dir, evidence.storage_key)
        if path.is_file():
            contents[_zip_name(evidence)] = path.read_bytes()
        else:
            missing.add(_zip_name(evidence))
    for entry in record["entries"]:
        for item in entry["evidence"]:
            item["file_missing"] = item["file"] in missing
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=destination.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
            _add(archive, "person.json", json.dumps(record, indent=2, sort_keys=True,
                                                    ensure_ascii=False).encode())
            for name in sorted(contents):
                _add(archive, name, contents[name])
        os.chmod(partial, 0o600)
        os.replace(partial, destination)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return record
