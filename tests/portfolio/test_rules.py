"""Who may see and do what in the portfolio, and the rules of ratings, entries and evidence."""
from __future__ import annotations

import io
import zipfile
import zlib
import struct
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from lti_tool.portfolio import services
from lti_tool.db import utcnow
from lti_tool.portfolio.models import Entry, EntryRevision, Evidence, OutcomeRating
from lti_tool.portfolio.services import PortfolioError, Reader, StaleVersion
from programme import cached_programme

PROGRAMME = cached_programme()


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://'
                         'schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><document/>')
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def reader(world, name: str, role: str = "participant", cohort: str = "x") -> Reader:
    course = {"x": world.course_a, "y": world.course_c}[cohort]
    cohort_id = {"x": world.cohort_x, "y": world.cohort_y}[cohort]
    return Reader(getattr(world, name), role, cohort_id, course)


def published_entry(db, author_id: int, title: str = "Ma réflexion"):
    entry = services.create_entry(db, author_id, "reflection", "P1.O1", title, "<p>Texte</p>",
                                  PROGRAMME)
    return services.save_entry(db, entry, title, "<p>Texte</p>", entry.version, publish=True)


# ---- ratings ---------------------------------------------------------------------------------

def test_every_rating_is_kept_and_first_and_current_are_distinguished(db, world):
    for level, why in ((1, "débute"), (3, "progrès"), (2, "plus lucide")):
        services.rate_outcome(db, world.alice, "P1.O1.A1", level, why, PROGRAMME)
    summary = services.rating_summary(db, world.alice)
    assert summary.first["P1.O1.A1"].level == 1
    assert summary.current["P1.O1.A1"].level == 2
    assert summary.counts["P1.O1.A1"] == 3
    history = services.rating_history(db, world.alice, "P1.O1.A1")
    assert [r.justification for r in history] == ["plus lucide", "progrès", "débute"]
    assert services.rating_history(db, world.bruno, "P1.O1.A1") == []


@pytest.mark.parametrize("outcome, level, why, code", [
    ("P9.O9.A9", 2, "x", "unknown_outcome"), ("P1.O1", 2, "x", "unknown_outcome"),
    ("P1.O1.A1", 0, "x", "bad_level"), ("P1.O1.A1", 5, "x", "bad_level"),
    ("P1.O1.A1", 2, "   ", "justification_missing"),
    ("P1.O1.A1", 2, "x" * 2001, "justification_too_long"),
])
def test_bad_ratings_are_refused_and_nothing_is_written(db, world, outcome, level, why, code):
    with pytest.raises(PortfolioError) as refused:
        services.rate_outcome(db, world.alice, outcome, level, why, PROGRAMME)
    assert refused.value.code == code
    assert db.scalar(select(func.count()).select_from(OutcomeRating)) == 0


def test_overview_counts_and_means_in_a_bounded_number_of_queries(db, world, app):
    services.rate_outcome(db, world.alice, "P1.O1.A1", 1, "a", PROGRAMME)
    services.rate_outcome(db, world.alice, "P1.O1.A1", 3, "b", PROGRAMME)
    services.rate_outcome(db, world.alice, "P1.O1.A2", 4, "c", PROGRAMME)
    entry = published_entry(db, world.alice)
    services.store_evidence(db, entry, world.alice, "preuve.pdf", io.BytesIO(PDF),
                            app.config["UPLOAD_DIR"])
    services.create_entry(db, world.alice, "reflection", "P1.O1", "brouillon", "", PROGRAMME)
    statements = []
    engine = db.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        overview = services.portfolio_overview(db, world.alice, PROGRAMME)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) <= 3
    pillar_1 = overview.pillars[0]
    assert pillar_1.first_mean == 2.5 and pillar_1.current_mean == 3.5
    objective = pillar_1.objectives[0]
    assert (objective.rated, objective.entries, objective.published, objective.evidence) == \
        (2, 2, 1, 1)
    assert overview.pillars[1].current_mean is None
    assert overview.rated == 2 and overview.outcomes == len(PROGRAMME.outcomes())


# ---- entries ---------------------------------------------------------------------------------

def test_saving_a_stale_version_is_refused_and_keeps_the_newer_text(db, world):
    entry = services.create_entry(db, world.alice, "reflection", None, "T", "un", PROGRAMME)
    services.save_entry(db, entry, "T", "deux", 1, reason="autosave")
    with pytest.raises(StaleVersion) as stale:
        services.save_entry(db, entry, "T", "trois", 1)
    assert stale.value.current_version == 2
    assert entry.body_html == "<p>deux</p>"
    revisions = services.entry_revisions(db, entry)
    assert [(r.version, r.reason) for r in revisions] == [(2, "autosave"), (1, "save")]


def test_entries_are_stored_sanitised_and_anchored_to_the_programme(db, world):
    entry = services.create_entry(db, world.alice, "seminar", "S2", "Journal",
                                  '<p onclick="x()">a<script>b()</script></p>', PROGRAMME)
    assert entry.body_html == "<p>a</p>" and entry.status == "draft"
    assert db.scalar(select(EntryRevision.body_html)) == "<p>a</p>"
    for kind, anchor in (("seminar", "S9"), ("seminar", None), ("reflection", "P1.O1.A1"),
                         ("case-study", "P1.O1"), ("nonsense", None)):
        with pytest.raises(PortfolioError):
            services.create_entry(db, world.alice, kind, anchor, "T", "", PROGRAMME)


def test_own_entries_filter_by_kind_anchor_and_literal_anchor_prefix(db, world):
    first = services.create_entry(db, world.alice, "reflection", "P1.O1", "Un", "", PROGRAMME)
    second = services.create_entry(db, world.alice, "reflection", "P2.O1", "Deux", "", PROGRAMME)
    journal = services.create_entry(db, world.alice, "seminar", "S1", "Trois", "", PROGRAMME)
    services.create_entry(db, world.bruno, "reflection", "P1.O1", "Autre", "", PROGRAMME)

    def ids(**filters) -> set[int]:
        return {e.id for e in services.own_entries(db, world.alice, **filters)}

    assert ids() == {first.id, second.id, journal.id}
    assert ids(kind="reflection") == {first.id, second.id}
    assert ids(kind="seminar", anchor_id="S1") == {journal.id}
    assert ids(kind="reflection", anchor_prefix="P1.") == {first.id}
    # LIKE's wildcards in a prefix are matched as themselves.
    assert ids(anchor_prefix="P_.") == set() and ids(anchor_prefix="%") == set()



def test_own_entries_rows_give_what_a_list_shows_including_entries_not_yet_committed(db, world):
    kept = services.create_entry(db, world.alice, "seminar", "S1", "Journal", "", PROGRAMME)
    pending = Entry(author_id=world.alice, kind="seminar", anchor_id="S1", title="En cours",
                    body_html="", status="draft", version=1, created_at=utcnow(),
                    updated_at=kept.updated_at + timedelta(minutes=1))
    db.add(pending)  # added in this session, not flushed yet

    rows = services.own_entries(db, world.alice, kind="seminar", anchor_id="S1")

    assert [(r.title, r.status, r.kind, r.anchor_id) for r in rows] == [
        ("En cours", "draft", "seminar", "S1"), ("Journal", "draft", "seminar", "S1")]
    assert rows[1].id == kept.id and rows[1].updated_at == kept.updated_at
    assert rows[1].updated_at.utcoffset() == timedelta(0)  # an aware UTC time on every database

# ---- access ----------------------------------------------------------------------------------

def test_the_author_sees_drafts_and_nobody_else_does(db, world):
    draft = services.create_entry(db, world.alice, "reflection", None, "D", "x", PROGRAMME)
    assert services.can_read_entry(db, draft, reader(world, "alice"))
    for who, role in (("bruno", "participant"), ("teacher_x", "teacher")):
        assert not services.can_read_entry(db, draft, reader(world, who, role))
    with pytest.raises(PortfolioError) as refused:
        services.share_entry(db, draft, world.alice, [world.bruno], world.cohort_x)
    assert refused.value.code == "draft_not_shared"


def test_a_peer_reads_only_while_shared_and_a_teacher_only_in_the_cohort(db, world):
    entry = published_entry(db, world.alice)
    assert not services.can_read_entry(db, entry, reader(world, "bruno"))
    assert not services.can_read_entry(db, entry, reader(world, "nicolas"))
    services.share_entry(db, entry, world.alice, [world.nicolas], world.cohort_x)
    assert services.can_read_entry(db, entry, reader(world, "nicolas"))
    assert not services.can_read_entry(db, entry, reader(world, "bruno"))
    assert [s.entry.id for s in services.shared_with_me(db, world.nicolas)] == [entry.id]
    assert services.shared_with_me(db, world.bruno) == []
    # Teachers of the cohort read published entries; a teacher of another cohort never does.
    assert services.can_read_entry(db, entry, reader(world, "teacher_x", "teacher"))
    assert not services.can_read_entry(db, entry, reader(world, "teacher_y", "teacher", "y"))
    assert not services.can_read_entry(db, entry, reader(world, "outsider", "participant", "y"))
    services.withdraw_share(db, entry, world.alice, world.nicolas)
    assert not services.can_read_entry(db, entry, reader(world, "nicolas"))
    assert services.shared_with_me(db, world.nicolas) == []


def test_sharing_is_only_with_members_of_the_cohort_and_only_by_the_author(db, world):
    entry = published_entry(db, world.alice)
    for recipients in ([world.outsider], [world.nicolas, world.teacher_y], [world.alice]):
        with pytest.raises(PortfolioError) as refused:
            services.share_entry(db, entry, world.alice, recipients, world.cohort_x)
        assert refused.value.code == "not_a_member"
    assert services.entry_share_status(db, entry) == []  # nothing half-written
    with pytest.raises(PortfolioError) as refused:
        services.share_entry(db, entry, world.alice, [world.bruno], None)
    assert refused.value.code == "no_cohort"
    with pytest.raises(PortfolioError):
        services.share_entry(db, entry, world.bruno, [world.nicolas], world.cohort_x)
    with pytest.raises(PortfolioError):
        services.withdraw_share(db, entry, world.bruno, world.nicolas)


def test_read_receipts_and_sharing_again_after_a_withdrawal(db, world):
    entry = published_entry(db, world.alice)
    services.share_entry(db, entry, world.alice, [world.bruno, world.nicolas], world.cohort_x)
    services.mark_read(db, entry, reader(world, "nicolas"))
    services.mark_read(db, entry, reader(world, "teacher_x", "teacher"))
    status = {s.user_id: s.read_at for s in services.entry_share_status(db, entry)}
    assert status[world.nicolas] is not None and status[world.bruno] is None
    assert world.teacher_x not in status
    services.withdraw_share(db, entry, world.alice, world.nicolas)
    services.share_entry(db, entry, world.alice, [world.nicolas], world.cohort_x)
    status = {s.user_id: s.read_at for s in services.entry_share_status(db, entry)}
    assert status[world.nicolas] is None


def test_comments_threads_are_private_to_their_writer_and_the_author(db, world):
    entry = published_entry(db, world.alice)
    services.share_entry(db, entry, world.alice, [world.bruno, world.nicolas], world.cohort_x)
    bruno_says = services.add_comment(db, entry, reader(world, "bruno"), "<p>Bravo</p>")
    services.add_comment(db, entry, reader(world, "nicolas"), "Une question ?")
    services.add_comment(db, entry, reader(world, "alice"), "Merci", parent_id=bruno_says.id)
    assert len(services.visible_threads(db, entry, reader(world, "alice"))) == 2
    bruno_view = services.visible_threads(db, entry, reader(world, "bruno"))
    assert [t.comment.body_html for t in bruno_view] == ["<p>Bravo</p>"]
    assert [a.body_html for a in bruno_view[0].answers] == ["<p>Merci</p>"]
    assert services.visible_threads(db, entry, reader(world, "teacher_x", "teacher")) == []
    refusals = [
        (reader(world, "outsider", "participant", "y"), "x", None),   # not shared with
        (reader(world, "alice"), "x", None),                          # author answers only
        (reader(world, "nicolas"), "x", bruno_says.id),               # someone else's thread
        (reader(world, "bruno"), "<script>x</script>", None),         # empty once cleaned
    ]
    for who, body, parent in refusals:
        with pytest.raises(PortfolioError):
            services.add_comment(db, entry, who, body, parent_id=parent)


# ---- evidence --------------------------------------------------------------------------------

@pytest.mark.parametrize("name, data, content_type", [
    ("rapport.pdf", PDF, "application/pdf"),
    ("photo.png", png_bytes(), "image/png"),
    ("note.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument."
                                "wordprocessingml.document"),
])
def test_accepted_files_are_stored_under_a_random_name(db, world, app, name, data,
                                                       content_type):
    entry = published_entry(db, world.alice)
    evidence = services.store_evidence(db, entry, world.alice, f"../../{name}",
                                       io.BytesIO(data), app.config["UPLOAD_DIR"])
    assert evidence.content_type == content_type and evidence.filename == name
    path = services.evidence_path(app.config["UPLOAD_DIR"], evidence.storage_key)
    assert path.read_bytes() == data and name not in str(path)
    assert path.resolve().is_relative_to(app.config["UPLOAD_DIR"])


@pytest.mark.parametrize("name, data, code", [
    ("rapport.pdf", png_bytes(), "type_mismatch"),        # a PNG calling itself a PDF
    ("photo.png", b"<html><script>x</script></html>", "type_refused"),
    ("outil.pdf", b"MZ\x90\x00" + b"\x00" * 200, "type_refused"),
    ("note.docx", PDF, "type_mismatch"),
    ("vide.pdf", b"", "empty_file"),
])
def test_files_whose_name_lies_or_whose_type_is_refused_are_not_kept(db, world, app, name,
                                                                      data, code):
    entry = published_entry(db, world.alice)
    with pytest.raises(PortfolioError) as refused:
        services.store_evidence(db, entry, world.alice, name, io.BytesIO(data),
                                app.config["UPLOAD_DIR"])
    assert refused.value.code == code
    assert db.scalar(select(func.count()).select_from(Evidence)) == 0


def test_an_oversize_file_is_refused(db, world, app):
    entry = published_entry(db, world.alice)
    with pytest.raises(PortfolioError) as refused:
        services.store_evidence(db, entry, world.alice, "gros.pdf",
                                io.BytesIO(PDF + b"\x00" * 2000), app.config["UPLOAD_DIR"],
                                max_bytes=1000)
    assert refused.value.code == "too_large"


def test_evidence_is_readable_exactly_by_the_entry_readers(db, world, app):
    entry = published_entry(db, world.alice)
    evidence = services.store_evidence(db, entry, world.alice, "a.pdf", io.BytesIO(PDF),
                                       app.config["UPLOAD_DIR"])
    services.share_entry(db, entry, world.alice, [world.nicolas], world.cohort_x)
    for who, role, cohort in (("alice", "participant", "x"), ("nicolas", "participant", "x"),
                              ("teacher_x", "teacher", "x")):
        assert services.readable_evidence(db, evidence.id, reader(world, who, role, cohort))
    for who, role, cohort in (("bruno", "participant", "x"), ("teacher_y", "teacher", "y")):
        with pytest.raises(PortfolioError):
            services.readable_evidence(db, evidence.id, reader(world, who, role, cohort))
    with pytest.raises(PortfolioError):
        services.store_evidence(db, entry, world.bruno, "b.pdf", io.BytesIO(PDF),
                                app.config["UPLOAD_DIR"])
