"""The participant's portfolio: outcome self-ratings, reflective entries with revisions, evidence
files, and intervision (sharing an entry with members of the cohort, comments and answers).

Pure functions taking a SQLAlchemy session (no Flask). Who may see what is decided here, by
:func:`can_read_entry` and the functions built on it:

- the author sees their whole portfolio, drafts included;
- a peer sees an entry only while it is shared with them (not withdrawn) and published;
- a teacher (teacher or admin role) reads the published entries of the members of the cohort of
  the course they launched from (of that course alone when it has no cohort), never drafts;
- nobody else sees anything.
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
import secrets
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Iterable

import magic
import nh3
from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from lti_tool.accounts.models import Membership, User
from lti_tool.accounts.roles import TEACHER, at_least
from lti_tool.cohorts.models import CohortCourse
from lti_tool.cohorts.services import cohort_members, is_cohort_member
from lti_tool.db import read_columns, utcnow
from lti_tool.portfolio.models import (ENTRY_KINDS, RATING_LEVELS, Comment, Entry, EntryRevision,
                                       EntryShare, Evidence, OutcomeRating)
from programme import Objective, Pillar, Programme

TITLE_MAX_LENGTH = 300
BODY_MAX_LENGTH = 200_000
JUSTIFICATION_MAX_LENGTH = 2000
COMMENT_MAX_LENGTH = 10_000
FILENAME_MAX_LENGTH = 255
DEFAULT_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

ALLOWED_TAGS = {"h2", "h3", "h4", "p", "ul", "ol", "li", "a", "strong", "em", "blockquote", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
BLOCK_TAG = re.compile(r"<\s*(p|h[2-4]|ul|ol|blockquote)\b", re.IGNORECASE)

# Detected type -> the file name extensions that may carry it.
EVIDENCE_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    "application/vnd.oasis.opendocument.presentation": ("odp",),
    "application/msword": ("doc",),
    "application/vnd.ms-excel": ("xls",),
    "application/vnd.ms-powerpoint": ("ppt",),
}


class PortfolioError(ValueError):
    """A portfolio operation refused; ``code`` names the reason for the page that shows it."""

    def __init__(self, code: str, detail: str, **facts):
        super().__init__(detail)
        self.code, self.detail, self.facts = code, detail, facts


class StaleVersion(PortfolioError):
    """The entry changed since the writer loaded it (another tab or device saved first)."""

    def __init__(self, current_version: int):
        super().__init__("stale_version", f"the entry is at version {current_version}",
                         current_version=current_version)
        self.current_version = current_version


@dataclass(frozen=True)
class Reader:
    """Who asks: the launch's user and role, and the cohort (or course) they launched from."""

    user_id: int
    role: str
    cohort_id: int | None = None
    course_id: int | None = None

    @property
    def is_teacher(self) -> bool:
        return at_least(self.role, TEACHER)


# ---------------------------------------------------------------------------------------------
# Rich text


def _only_link_addresses(element: str, attribute: str, value: str) -> str | None:
    # nh3 adds generic attributes (title, lang) to every tag: keep nothing but a link's address.
    if element == "a" and (attribute == "href" or (attribute == "rel" and value == LINK_REL)):
        return value
    return None


def sanitize_html(text: str) -> str:
    """The entry's HTML reduced to the allowed tags; links keep only http(s)/mailto addresses and
    get ``rel="noopener noreferrer nofollow"``. Text without any block tag is taken as plain
    paragraphs separated by blank lines."""
    text = (text or "").replace("\r\n", "\n").strip()
    if text and not BLOCK_TAG.search(text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        text = "".join("<p>" + p.replace("\n", "<br>") + "</p>" for p in paragraphs)
    return nh3.clean(text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=ALLOWED_URL_SCHEMES, link_rel=LINK_REL,
                     attribute_filter=_only_link_addresses, strip_comments=True).strip()


def html_to_text(html: str) -> str:
    """The words of sanitised HTML, for counts and excerpts."""
    return " ".join(nh3.clean(html or "", tags=set()).split())


# ---------------------------------------------------------------------------------------------
# Outcome self-ratings


def _checked_outcome(programme: Programme, outcome_id: str) -> str:
    try:
        return programme.outcome(outcome_id).id
    except KeyError:
        raise PortfolioError("unknown_outcome", f"no learning outcome {outcome_id!r}") from None


def rate_outcome(session: Session, user_id: int, outcome_id: str, level: int,
                 justification: str, programme: Programme) -> OutcomeRating:
    """Record a new self-rating (the older ones are kept: the history shows every change)."""
    outcome_id = _checked_outcome(programme, outcome_id)
    if level not in RATING_LEVELS:
        raise PortfolioError("bad_level", f"level {level!r} is not one of 1, 2, 3, 4")
    justification = (justification or "").strip()
    if not justification:
        raise PortfolioError("justification_missing", "a short justification is required")
    if len(justification) > JUSTIFICATION_MAX_LENGTH:
        raise PortfolioError("justification_too_long",
                             f"the justification is longer than {JUSTIFICATION_MAX_LENGTH}")
    rating = OutcomeRating(user_id=user_id, outcome_id=outcome_id, level=level,
                           justification=justification, created_at=utcnow())
    session.add(rating)
    session.commit()
    return rating


@dataclass(frozen=True)
class RatingSummary:
    """A participant's first and current rating of every outcome they rated (rows with id,
    outcome_id, level, justification, created_at), and the counts of ratings per outcome."""

    first: dict[str, Row]
    current: dict[str, Row]
    counts: dict[str, int]


# Plain rows, not ORM objects: a participant may hold hundreds of ratings. Built once: the
# portfolio's pages ask it on every visit.
_RATINGS_OF_USER = (
    select(OutcomeRating.id, OutcomeRating.outcome_id, OutcomeRating.level,
           OutcomeRating.justification, OutcomeRating.created_at)
    .where(OutcomeRating.user_id == bindparam("user_id"))
    .order_by(OutcomeRating.created_at, OutcomeRating.id))


def rating_summary(session: Session, user_id: int) -> RatingSummary:
    """First and current ratings of every outcome, in one query."""
    ratings = read_columns(session, _RATINGS_OF_USER, {"user_id": user_id}).all()
    first: dict[str, Row] = {}
    current: dict[str, Row] = {}
    for rating in ratings:
        first.setdefault(rating.outcome_id, rating)
        current[rating.outcome_id] = rating
    return RatingSummary(first, current, dict(Counter(r.outcome_id for r in ratings)))


def rating_history(session: Session, user_id: int, outcome_id: str) -> list[OutcomeRating]:
    """Every rating of one outcome, newest first."""
    return list(session.scalars(
        select(OutcomeRating)
        .where(OutcomeRating.user_id == user_id, OutcomeRating.outcome_id == outcome_id)
        .order_by(OutcomeRating.created_at.desc(), OutcomeRating.id.desc())))


# ---------------------------------------------------------------------------------------------
# Overview


@dataclass(frozen=True)
class ObjectiveProgress:
    objective: Objective
    outcomes: int
    rated: int
    entries: int
    published: int
    evidence: int


@dataclass(frozen=True)
class PillarProgress:
    pillar: Pillar
    objectives: tuple[ObjectiveProgress, ...]
    first_mean: float | None
    current_mean: float | None

    @property
    def outcomes(self) -> int:
        return sum(o.outcomes for o in self.objectives)

    @property
    def rated(self) -> int:
        return sum(o.rated for o in self.objectives)

    @property
    def entries(self) -> int:
        return sum(o.entries for o in self.objectives)

    @property
    def evidence(self) -> int:
        return sum(o.evidence for o in self.objectives)


@dataclass(frozen=True)
class Overview:
    pillars: tuple[PillarProgress, ...]
    ratings: RatingSummary
    entries_by_anchor: dict[str | None, int] = field(default_factory=dict)

    @property
    def rated(self) -> int:
        return sum(p.rated for p in self.pillars)

    @property
    def outcomes(self) -> int:
        return sum(p.outcomes for p in self.pillars)


def _mean(levels: list[int]) -> float | None:
    return round(sum(levels) / len(levels), 2) if levels else None


# Built once, as the ratings' query is: the overview asks them on every visit.
_ENTRY_COUNTS_OF_USER = (
    select(Entry.anchor_id, Entry.status, func.count(Entry.id))
    .where(Entry.author_id == bindparam("user_id")).group_by(Entry.anchor_id, Entry.status))
_EVIDENCE_COUNTS_OF_USER = (
    select(Entry.anchor_id, func.count(Evidence.id))
    .join(Evidence, Evidence.entry_id == Entry.id)
    .where(Entry.author_id == bindparam("user_id")).group_by(Entry.anchor_id))


def portfolio_overview(session: Session, user_id: int, programme: Programme) -> Overview:
    """How far the participant is, objective by objective, with the mean self-rating of each
    pillar first and now (over the outcomes rated). Three queries whatever the portfolio's size."""
    ratings = rating_summary(session, user_id)
    entry_rows = read_columns(session, _ENTRY_COUNTS_OF_USER, {"user_id": user_id}).all()
    evidence_rows = read_columns(session, _EVIDENCE_COUNTS_OF_USER, {"user_id": user_id}).all()
    entries: dict[str | None, int] = defaultdict(int)
    published: dict[str | None, int] = defaultdict(int)
    for anchor, status, count in entry_rows:
        entries[anchor] += count
        if status == "published":
            published[anchor] += count
    evidence = dict(evidence_rows)
    pillars = []
    for pillar in programme.pillars:
        objectives = tuple(
            ObjectiveProgress(objective=objective, outcomes=len(objective.outcomes),
                              rated=sum(1 for o in objective.outcomes if o.id in ratings.current),
                              entries=entries.get(objective.id, 0),
                              published=published.get(objective.id, 0),
                              evidence=evidence.get(objective.id, 0))
            for objective in pillar.objectives)
        outcome_ids = [o.id for o in pillar.outcomes()]
        pillars.append(PillarProgress(
            pillar=pillar, objectives=objectives,
            first_mean=_mean([ratings.first[i].level for i in outcome_ids if i in ratings.first]),
            current_mean=_mean([ratings.current[i].level for i in outcome_ids
                                if i in ratings.current])))
    return Overview(tuple(pillars), ratings, dict(entries))


# ---------------------------------------------------------------------------------------------
# Entries


def checked_anchor(programme: Programme, kind: str, anchor_id: str | None) -> str | None:
    """The programme id an entry of that kind is attached to: an objective (or none) for a
    reflection, a seminar for a seminar journal entry, the case study for its journal."""
    if kind not in ENTRY_KINDS:
        raise PortfolioError("bad_kind", f"unknown entry kind {kind!r}")
    anchor_id = anchor_id or None
    expected = {"seminar": "seminar", "case-study": "case study"}.get(kind)
    try:
        if kind == "seminar":
            return programme.seminar(anchor_id or "").id
        if kind == "case-study":
            if anchor_id not in (None, programme.case_study.id):
                raise KeyError(anchor_id)
            return programme.case_study.id
        return programme.objective(anchor_id).id if anchor_id else None
    except KeyError:
        raise PortfolioError("bad_anchor", f"{anchor_id!r} is not a "
                             f"{expected or 'development objective'}") from None


def _checked_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise PortfolioError("title_missing", "the entry needs a title")
    if len(title) > TITLE_MAX_LENGTH:
        raise PortfolioError("title_too_long", f"the title is longer than {TITLE_MAX_LENGTH}")
    return title


def _checked_body(body: str) -> str:
    if len(body or "") > BODY_MAX_LENGTH:
        raise PortfolioError("body_too_long", f"the text is longer than {BODY_MAX_LENGTH}")
    return sanitize_html(body)


def create_entry(session: Session, author_id: int, kind: str, anchor_id: str | None,
                 title: str, body: str, programme: Programme) -> Entry:
    """A new draft entry (version 1), its first revision recorded."""
    anchor_id = checked_anchor(programme, kind, anchor_id)
    title, body_html = _checked_title(title), _checked_body(body)
    now = utcnow()
    entry = Entry(author_id=author_id, kind=kind, anchor_id=anchor_id, title=title,
                  body_html=body_html, status="draft", version=1, created_at=now, updated_at=now)
    entry.revisions.append(EntryRevision(version=1, title=title, body_html=body_html,
                                         saved_at=now, reason="save"))
    session.add(entry)
    session.commit()
    return entry


def save_entry(session: Session, entry: Entry, title: str, body: str, expected_version: int,
               reason: str = "save", publish: bool = False) -> Entry:
    """Save a new state of the entry if nobody saved since ``expected_version`` (else
    :class:`StaleVersion`, nothing written). ``publish`` also publishes it."""
    title, body_html = _checked_title(title), _checked_body(body)
    new_version = expected_version + 1
    now = utcnow()
    values = {"title": title, "body_html": body_html, "version": new_version, "updated_at": now}
    if publish and entry.status != "published":
        values.update(status="published", published_at=now)
    # One conditional UPDATE: two tabs saving at once cannot both win.
    updated = session.execute(
        Entry.__table__.update()
        .where(Entry.id == entry.id, Entry.version == expected_version).values(**values)
    ).rowcount
    if updated != 1:
        session.rollback()
        session.refresh(entry)
        raise StaleVersion(entry.version)
    session.add(EntryRevision(entry_id=entry.id, version=new_version, title=title,
                              body_html=body_html, saved_at=now,
                              reason="publish" if publish else reason))
    session.commit()
    session.refresh(entry)
    return entry


def unchanged(entry: Entry, title: str, body: str) -> bool:
    """Whether saving this text would change nothing (autosave skips it)."""
    return entry.title == " ".join((title or "").split()) and \
        entry.body_html == sanitize_html(body)


def own_entries(session: Session, author_id: int, kind: str | None = None,
                anchor_id: str | None = None, anchor_prefix: str | None = None) -> list[Row]:
    """The author's entries (drafts included), newest first, optionally of one kind, one anchor
    or the anchors starting with a prefix (``"P1."``: the objectives of pillar 1). Each row has
    what a list of entries shows: ``id``, ``kind``, ``anchor_id``, ``title``, ``status`` and
    ``updated_at``; the pages that list entries load no mapped objects."""
    query = _own_entries_query(kind is not None, anchor_id is not None, anchor_prefix is not None)
    pattern = None if anchor_prefix is None else _like_escaped(anchor_prefix) + "%"
    session.flush()  # entries added in this session are listed too
    return read_columns(session, query, {"author_id": author_id, "kind": kind,
                                         "anchor_id": anchor_id, "pattern": pattern}).all()


@functools.lru_cache(maxsize=8)
def _own_entries_query(by_kind: bool, by_anchor: bool, by_prefix: bool):
    # Built once per shape: the portfolio's pages ask for entries on every visit.
    query = select(Entry.id, Entry.kind, Entry.anchor_id, Entry.title, Entry.status,
                   Entry.updated_at).where(Entry.author_id == bindparam("author_id"))
    if by_kind:
        query = query.where(Entry.kind == bindparam("kind"))
    if by_anchor:
        query = query.where(Entry.anchor_id == bindparam("anchor_id"))
    if by_prefix:
        query = query.where(Entry.anchor_id.like(bindparam("pattern"), escape="/"))
    return query.order_by(Entry.updated_at.desc(), Entry.id.desc())


def _like_escaped(text: str) -> str:
    """``text`` matched literally by LIKE ... ESCAPE '/'."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def entry_revisions(session: Session, entry: Entry) -> list[EntryRevision]:
    """The saved states of an entry, newest first."""
    return list(session.scalars(select(EntryRevision).where(EntryRevision.entry_id == entry.id)
                                .order_by(EntryRevision.version.desc())))


def _active_share(session: Session, entry_id: int, user_id: int) -> EntryShare | None:
    return session.scalar(select(EntryShare).where(
        EntryShare.entry_id == entry_id, EntryShare.recipient_id == user_id,
        EntryShare.withdrawn_at.is_(None)))


def is_recipient(session: Session, entry_id: int, user_id: int) -> bool:
    """Whether the entry is shared with the user now (not withdrawn)."""
    return _active_share(session, entry_id, user_id) is not None


def _teacher_may_read(session: Session, reader: Reader, author_id: int) -> bool:
    if reader.cohort_id is not None:
        return is_cohort_member(session, reader.cohort_id, author_id)
    if reader.course_id is None:
        return False
    return session.scalar(select(Membership.id).where(
        Membership.course_id == reader.course_id, Membership.user_id == author_id)) is not None


def can_read_entry(session: Session, entry: Entry, reader: Reader) -> bool:
    """The access rule of the portfolio (see the module's docstring)."""
    if entry.author_id == reader.user_id:
        return True
    if entry.status != "published":
        return False
    if _active_share(session, entry.id, reader.user_id) is not None:
        return True
    return reader.is_teacher and _teacher_may_read(session, reader, entry.author_id)


def readable_entry(session: Session, entry_id: int, reader: Reader) -> Entry:
    """The entry if the reader may read it; ``not_found`` otherwise (as if it did not exist)."""
    entry = session.get(Entry, entry_id)
    if entry is None or not can_read_entry(session, entry, reader):
        raise PortfolioError("not_found", f"no entry {entry_id}")
    return entry


def own_entry(session: Session, entry_id: int, author_id: int) -> Entry:
    """The author's own entry, for editing; ``not_found`` for anybody else's."""
    entry = session.get(Entry, entry_id)
    if entry is None or entry.author_id != author_id:
        raise PortfolioError("not_found", f"no entry {entry_id}")
    return entry


def mark_read(session: Session, entry: Entry, reader: Reader) -> None:
    """Record when a recipient first opens an entry shared with them."""
    share = _active_share(session, entry.id, reader.user_id)
    if share is not None and share.read_at is None:
        share.read_at = utcnow()
        session.commit()


# ---------------------------------------------------------------------------------------------
# Evidence files


def safe_filename(name: str) -> str:
    """A display name: the last path component, without control characters, at most 255."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > FILENAME_MAX_LENGTH:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:FILENAME_MAX_LENGTH - len(ext) - 1] + dot + ext) if dot and len(ext) < 10 \
            else name[:FILENAME_MAX_LENGTH]
    return name or "file"


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def detect_evidence_type(data: bytes, filename: str) -> str:
    """The content's type, read from the bytes; refused when it is not an accepted type or when
    the file name's extension says something else."""
    detected = magic.from_buffer(data, mime=True)
    extensions = EVIDENCE_TYPES.get(detected)
    if extensions is None:
        raise PortfolioError("type_refused", f"files of type {detected} are not accepted",
                             detected=detected)
    if _extension(filename) not in extensions:
        raise PortfolioError("type_mismatch",
                             f"the name {filename!r} does not match its content ({detected})",
                             detected=detected, expected=extensions[0])
    return detected


def _read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PortfolioError("too_large", f"the file is larger than {max_bytes} bytes",
                             max_bytes=max_bytes)
    if not data:
        raise PortfolioError("empty_file", "the file is empty")
    return data


def evidence_path(upload_dir: str | os.PathLike, storage_key: str) -> Path:
    """Where a stored file lives: a random name, never anything the user chose."""
    if not re.fullmatch(r"[0-9a-f]{32}", storage_key):
        raise PortfolioError("bad_key", "malformed storage key")
    return Path(upload_dir) / storage_key[:2] / storage_key


def store_evidence(session: Session, entry: Entry, owner_id: int, filename: str,
                   stream: BinaryIO, upload_dir: str | os.PathLike,
                   max_bytes: int = DEFAULT_EVIDENCE_MAX_BYTES) -> Evidence:
    """Check and keep a file attached to the owner's entry; nothing is kept when refused."""
    if entry.author_id != owner_id:
        raise PortfolioError("not_found", f"no entry {entry.id}")
    display_name = safe_filename(filename)
    data = _read_limited(stream, max_bytes)
    content_type = detect_evidence_type(data, display_name)
    key = secrets.token_hex(16)
    path = evidence_path(upload_dir, key)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_suffix(".part")
    with open(partial, "xb") as handle:
        handle.write(data)
    partial.replace(path)
    evidence = Evidence(entry_id=entry.id, owner_id=owner_id, filename=display_name,
                        content_type=content_type, size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(), storage_key=key,
                        uploaded_at=utcnow())
    session.add(evidence)
    try:
        session.commit()
    except Exception:
        session.rollback()
        path.unlink(missing_ok=True)
        raise
    return evidence


def readable_evidence(session: Session, evidence_id: int, reader: Reader) -> Evidence:
    """The evidence file if the reader may read its entry; ``not_found`` otherwise."""
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or not can_read_entry(session, evidence.entry, reader):
        raise PortfolioError("not_found", f"no evidence {evidence_id}")
    return evidence


def delete_evidence(session: Session, evidence_id: int, owner_id: int,
                    upload_dir: str | os.PathLike) -> int:
    """Remove one of the owner's files (row and stored bytes); return its entry's id."""
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.owner_id != owner_id:
        raise PortfolioError("not_found", f"no evidence {evidence_id}")
    path, entry_id = evidence_path(upload_dir, evidence.storage_key), evidence.entry_id
    session.delete(evidence)
    session.commit()
    path.unlink(missing_ok=True)
    return entry_id


# ---------------------------------------------------------------------------------------------
# Intervision


@dataclass(frozen=True)
class Colleague:
    """A member of the cohort an entry may be shared with."""

    user_id: int
    name: str
    university: str


def share_candidates(session: Session, cohort_id: int | None, author_id: int) -> list[Colleague]:
    """The other members of the cohort (any university), each once, by university then name."""
    if cohort_id is None:
        return []
    seen: dict[int, Colleague] = {}
    for member in cohort_members(session, cohort_id):
        if member.user_id != author_id and member.user_id not in seen:
            seen[member.user_id] = Colleague(member.user_id, member.name, member.university)
    return list(seen.values())


def share_entry(session: Session, entry: Entry, author_id: int, recipient_ids: Iterable[int],
                cohort_id: int | None) -> list[EntryShare]:
    """Share a published entry with members of the author's cohort (again, after a withdrawal).
    Everything is checked before anything is written."""
    if entry.author_id != author_id:
        raise PortfolioError("not_found", f"no entry {entry.id}")
    if cohort_id is None:
        raise PortfolioError("no_cohort", "the course is not joined to a cohort")
    if entry.status != "published":
        raise PortfolioError("draft_not_shared", "a draft cannot be shared; publish it first")
    recipients = sorted(set(recipient_ids))
    if not recipients:
        raise PortfolioError("no_recipient", "choose at least one person")
    for user_id in recipients:
        if user_id == author_id or not is_cohort_member(session, cohort_id, user_id):
            raise PortfolioError("not_a_member", f"user {user_id} is not in the cohort")
    existing = {s.recipient_id: s for s in session.scalars(
        select(EntryShare).where(EntryShare.entry_id == entry.id,
                                 EntryShare.recipient_id.in_(recipients)))}
    now = utcnow()
    shares = []
    for user_id in recipients:
        share = existing.get(user_id)
        if share is None:
            share = EntryShare(entry_id=entry.id, recipient_id=user_id, shared_at=now)
            session.add(share)
        elif share.withdrawn_at is not None:
            share.withdrawn_at, share.read_at, share.shared_at = None, None, now
        shares.append(share)
    try:
        session.commit()
    except IntegrityError:
        # The same person added from two tabs at once: the other request already shared it.
        session.rollback()
    return shares


def withdraw_share(session: Session, entry: Entry, author_id: int, recipient_id: int) -> bool:
    """Stop sharing an entry with one person; False when it was not shared with them."""
    if entry.author_id != author_id:
        raise PortfolioError("not_found", f"no entry {entry.id}")
    share = _active_share(session, entry.id, recipient_id)
    if share is None:
        return False
    share.withdrawn_at = utcnow()
    session.commit()
    return True


@dataclass(frozen=True)
class ShareStatus:
    user_id: int
    name: str
    shared_at: datetime
    read_at: datetime | None


def entry_share_status(session: Session, entry: Entry) -> list[ShareStatus]:
    """Who the entry is shared with now, and whether (when) they read it."""
    rows = session.execute(
        select(EntryShare, User).join(User, User.id == EntryShare.recipient_id)
        .where(EntryShare.entry_id == entry.id, EntryShare.withdrawn_at.is_(None))
        .order_by(EntryShare.shared_at)).all()
    return [ShareStatus(user.id, user.display_name, share.shared_at, share.read_at)
            for share, user in rows]


@dataclass(frozen=True)
class SharedEntry:
    entry: Entry
    author_name: str
    shared_at: datetime
    read_at: datetime | None


def shared_with_me(session: Session, user_id: int) -> list[SharedEntry]:
    """Published entries shared with the user and not withdrawn, newest share first."""
    rows = session.execute(
        select(EntryShare, Entry, User)
        .join(Entry, Entry.id == EntryShare.entry_id)
        .join(User, User.id == Entry.author_id)
        .where(EntryShare.recipient_id == user_id, EntryShare.withdrawn_at.is_(None),
               Entry.status == "published")
        .order_by(EntryShare.shared_at.desc())).all()
    return [SharedEntry(entry, author.display_name, share.shared_at, share.read_at)
            for share, entry, author in rows]


@dataclass(frozen=True)
class Thread:
    """A comment and the answers to it, oldest first."""

    comment: Comment
    answers: tuple[Comment, ...]


def visible_threads(session: Session, entry: Entry, reader: Reader) -> list[Thread]:
    """The comment threads the reader may see: the author sees all of them; a recipient only
    those they started (with their answers); nobody else any."""
    comments = session.scalars(
        select(Comment).options(selectinload(Comment.author))
        .where(Comment.entry_id == entry.id).order_by(Comment.created_at, Comment.id)).all()
    roots = [c for c in comments if c.parent_id is None]
    if entry.author_id != reader.user_id:
        if _active_share(session, entry.id, reader.user_id) is None:
            return []
        roots = [c for c in roots if c.author_id == reader.user_id]
    answers: dict[int, list[Comment]] = defaultdict(list)
    for comment in comments:
        if comment.parent_id is not None:
            answers[comment.parent_id].append(comment)
    return [Thread(root, tuple(answers[root.id])) for root in roots]


def add_comment(session: Session, entry: Entry, reader: Reader, body: str,
                parent_id: int | None = None) -> Comment:
    """A recipient comments (or answers in their own thread); the author answers a comment."""
    is_author = entry.author_id == reader.user_id
    if not is_author and (entry.status != "published"
                          or _active_share(session, entry.id, reader.user_id) is None):
        raise PortfolioError("not_found", f"no entry {entry.id}")
    if len(body or "") > COMMENT_MAX_LENGTH:
        raise PortfolioError("comment_too_long", f"longer than {COMMENT_MAX_LENGTH}")
    body_html = sanitize_html(body)
    if not html_to_text(body_html):
        raise PortfolioError("comment_empty", "the comment is empty")
    if parent_id is not None:
        parent = session.get(Comment, parent_id)
        if parent is None or parent.entry_id != entry.id or parent.parent_id is not None \
                or not (is_author or parent.author_id == reader.user_id):
            raise PortfolioError("bad_parent", f"no comment {parent_id} to answer here")
    elif is_author:
        raise PortfolioError("author_answers_only", "the author answers the comments")
    comment = Comment(entry_id=entry.id, author_id=reader.user_id, body_html=body_html,
                      created_at=utcnow(), parent_id=parent_id)
    session.add(comment)
    session.commit()
    return comment


def comment_counts(session: Session, entry_ids: list[int]) -> dict[int, int]:
    """How many comments each entry has (one query)."""
    if not entry_ids:
        return {}
    return dict(session.execute(select(Comment.entry_id, func.count(Comment.id))
                                .where(Comment.entry_id.in_(entry_ids))
                                .group_by(Comment.entry_id)).all())


def cohort_course_of(session: Session, course_id: int | None) -> int | None:
    """The cohort id of a course, if it is joined to one."""
    if course_id is None:
        return None
    return session.scalar(select(CohortCourse.cohort_id).where(CohortCourse.course_id == course_id))
