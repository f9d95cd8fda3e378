"""``lti-tool person erase``: personal data goes, the certificate's record stays."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from lti_tool.accounts.models import Membership, User
from lti_tool.evaluation.models import (AgreedScore, EvaluationEvent, GroupMember, JurorScore,
                                        PublishedResult)
from lti_tool.grades.models import GradeOutbox
from lti_tool.portfolio.models import (Comment, Entry, EntryRevision, EntryShare, Evidence,
                                       OutcomeRating)
from lti_tool.portfolio.services import evidence_path
from lti_tool.privacy.erase import REMOVED_COMMENT
from lti_tool.reports.models import ReportSubmission
from tests.privacy.world import ISSUER, build_world


def _erase(runner, sub: str, *extra: str, input: str | None = None):
    return runner.invoke(args=["person", "erase", "--issuer", ISSUER, "--sub", sub, *extra],
                         input=input)


def _count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _files(app, session, owner_id: int) -> list[Path]:
    return [evidence_path(app.config["UPLOAD_DIR"], key) for key in session.scalars(
        select(Evidence.storage_key).where(Evidence.owner_id == owner_id))]


def _snapshot_of(session, user_id: int) -> dict:
    """Everything about one person, to check it did not change."""
    return {
        "user": session.execute(select(User.name, User.email, User.sub)
                                .where(User.id == user_id)).one(),
        "ratings": _count(session, OutcomeRating, OutcomeRating.user_id == user_id),
        "entries": session.scalars(select(Entry.body_html).where(Entry.author_id == user_id)).all(),
        "revisions": _count(session, EntryRevision, EntryRevision.entry_id.in_(
            select(Entry.id).where(Entry.author_id == user_id))),
        "comments on own entries": session.scalars(
            select(Comment.body_html).join(Entry, Entry.id == Comment.entry_id)
            .where(Comment.author_id == user_id, Entry.author_id == user_id)
            .order_by(Comment.id)).all(),
        "reports": _count(session, ReportSubmission, ReportSubmission.user_id == user_id),
        "results": _count(session, PublishedResult, PublishedResult.user_id == user_id),
        "memberships": session.scalars(select(Membership.active)
                                       .where(Membership.user_id == user_id)).all(),
    }


def test_erase_removes_personal_data_and_keeps_grades_and_the_jury_record(app, runner):
    world = build_world(app)
    session = app.extensions["db_sessionmaker"]()
    alice_files = _files(app, session, world.alice)
    bruno_files = _files(app, session, world.bruno)
    bruno_before = _snapshot_of(session, world.bruno)
    kept_before = {model: _count(session, model) for model in
                   (PublishedResult, AgreedScore, JurorScore, EvaluationEvent, GradeOutbox,
                    GroupMember)}
    session.close()
    assert all(p.is_file() for p in alice_files + bruno_files)

    result = _erase(runner, "2", "--yes")

    assert result.exit_code == 0, result.output
    session = app.extensions["db_sessionmaker"]()
    alice = session.get(User, world.alice)
    assert (alice.name, alice.email, alice.given_name, alice.family_name) == (None,) * 4
    assert alice.sub.startswith("erased:")
    for model, column in ((OutcomeRating, OutcomeRating.user_id), (Entry, Entry.author_id),
                          (Evidence, Evidence.owner_id), (EntryShare, EntryShare.recipient_id)):
        assert _count(session, model, column == world.alice) == 0, model
    assert not any(p.exists() for p in alice_files)
    assert _count(session, EntryRevision) == 2  # Bruno's two revisions only
    # Alice's comment that Bruno answered keeps its place, blanked; her other comment is gone.
    assert session.get(Comment, world.alice_comment_with_reply).body_html == REMOVED_COMMENT
    assert session.get(Comment, world.alice_lone_comment) is None
    # Her graded submitted report stays (what the jury graded), her draft goes.
    assert session.scalars(select(ReportSubmission.status)
                           .where(ReportSubmission.user_id == world.alice)).all() == ["submitted"]
    assert {model: _count(session, model) for model in kept_before} == kept_before
    assert session.scalars(select(Membership.active)
                           .where(Membership.user_id == world.alice)).all() == [False]
    # Bruno is untouched, his file too; his comment on Alice's entry went with the entry.
    assert _count(session, Comment, Comment.entry_id == world.alice_entry) == 0
    assert _snapshot_of(session, world.bruno) == bruno_before
    assert all(p.is_file() for p in bruno_files)
    session.close()
    assert "portfolio_entries" in result.output and "deleted" in result.output
    assert "evaluation_published_results" in result.output and "certificate" in result.output
    assert "anonymised" in result.output


def test_a_submitted_report_without_a_published_grade_is_deleted(app, runner):
    world = build_world(app, alice_report_graded=False)

    result = _erase(runner, "2", "--yes")

    assert result.exit_code == 0, result.output
    session = app.extensions["db_sessionmaker"]()
    assert _count(session, ReportSubmission, ReportSubmission.user_id == world.alice) == 0
    assert _count(session, PublishedResult, PublishedResult.user_id == world.alice) == 1
    session.close()


def test_after_erasure_the_original_sub_is_unknown(app, runner, tmp_path):
    build_world(app)
    _erase(runner, "2", "--yes")

    again = _erase(runner, "2", "--yes")
    export = runner.invoke(args=["person", "export", "--issuer", ISSUER, "--sub", "2",
                                 "-o", str(tmp_path / "x.zip")])

    assert again.exit_code == 2 and export.exit_code == 2
    assert "no person" in again.output


def test_erase_asks_first_and_does_nothing_when_refused(app, runner):
    world = build_world(app)
    session = app.extensions["db_sessionmaker"]()
    before = _snapshot_of(session, world.alice)
    session.close()

    result = _erase(runner, "2", input="n\n")

    assert result.exit_code == 1
    assert "Erase Alice Martin" in result.output and "Nothing erased" in result.output
    session = app.extensions["db_sessionmaker"]()
    assert _snapshot_of(session, world.alice) == before
    session.close()


def test_erase_of_an_unknown_person_is_a_clean_error(app, runner):
    result = _erase(runner, "404", "--yes")

    assert result.exit_code == 2
    assert "Error: no person with issuer" in result.output
    assert "Traceback" not in result.output
