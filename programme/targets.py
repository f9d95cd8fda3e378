"""The canonical LTI launch targets: the one place that knows their paths.

The LTI tool routes launches with :func:`parse_target_path` and the cartridge writes links with
:func:`launch_targets`, so both always agree. Paths are relative to the tool's base URL::

    /lti/launch/portfolio                      the reflective portfolio
    /lti/launch/portfolio/pillar-<n>           the portfolio page of pillar n
    /lti/launch/seminar-<n>                    change-leadership seminar n
    /lti/launch/case-study                     the case study
    /lti/launch/assessment/<assessment id>     collective-report, reflective-report, oral-exam

A launch may also name its target in the query string: ``/lti/launch?target=seminar-2``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from .loader import cached_programme
from .model import Programme, Seminar

TargetKind = Literal["portfolio", "pillar", "seminar", "case-study", "assessment"]
TARGET_KINDS: tuple[str, ...] = ("portfolio", "pillar", "seminar", "case-study", "assessment")
LAUNCH_PATH = "/lti/launch"
TARGET_QUERY_PARAMETER = "target"

_SLUG_PATTERNS = {
    "pillar": re.compile(r"pillar-[1-9][0-9]*"),
    "seminar": re.compile(r"seminar-[1-9][0-9]*"),
    "assessment": re.compile(r"[a-z][a-z0-9-]*"),
}
_SINGLE_TARGETS = {"portfolio": "portfolio", "case-study": "case-study"}
# Greedy prefix: the last "/lti/launch" wins, whatever base path comes before it.
_LAUNCH_PATH_PATTERN = re.compile(r"(?:.*/)?lti/launch(?:/(?P<rest>.*))?")


@dataclass(frozen=True, slots=True)
class LaunchTarget:
    """Something a course link can launch. ``path`` is relative to the tool's base URL; ``slug``
    and ``element_id`` are those of the programme element launched (``None`` for the portfolio
    as a whole, which is not one element)."""

    kind: TargetKind
    slug: str | None
    path: str
    element_id: str | None
    title: str

    @property
    def name(self) -> str:
        """The target as written after ``/lti/launch/`` (also accepted in ``?target=``)."""
        return self.path[len(LAUNCH_PATH) + 1:]

    def url(self, base_url: str) -> str:
        """Absolute launch URL under the tool's base URL (which may include a path)."""
        return base_url.rstrip("/") + self.path


def target_path(kind: str, slug: str | None = None) -> str:
    """Canonical path of a target, e.g. ``target_path("seminar", "seminar-2")`` gives
    ``/lti/launch/seminar-2``; ``ValueError`` for an unknown kind or a malformed slug."""
    if kind in _SINGLE_TARGETS:
        if slug not in (None, _SINGLE_TARGETS[kind]):
            raise ValueError(f"launch target {kind!r} takes no slug, got {slug!r}")
        return f"{LAUNCH_PATH}/{_SINGLE_TARGETS[kind]}"
    if kind not in _SLUG_PATTERNS:
        raise ValueError(f"unknown launch target kind {kind!r} "
                         f"(expected one of: {', '.join(TARGET_KINDS)})")
    if slug is None or not _SLUG_PATTERNS[kind].fullmatch(slug):
        raise ValueError(f"invalid slug {slug!r} for launch target kind {kind!r}")
    if kind == "pillar":
        return f"{LAUNCH_PATH}/portfolio/{slug}"
    if kind == "assessment":
        return f"{LAUNCH_PATH}/assessment/{slug}"
    return f"{LAUNCH_PATH}/{slug}"


def launch_targets(prog: Programme) -> tuple[LaunchTarget, ...]:
    """Every launch target of the programme in course order: the portfolio, then pillars and
    seminars as they are taught, then the case study and the assessments."""
    targets = [LaunchTarget("portfolio", None, target_path("portfolio"), None,
                            prog.portfolio.title)]
    for step in prog.course_order():
        if isinstance(step, Seminar):
            targets.append(LaunchTarget("seminar", step.slug, target_path("seminar", step.slug),
                                        step.id, step.title))
        else:
            targets.append(LaunchTarget("pillar", step.slug, target_path("pillar", step.slug),
                                        step.id, f"Pilier {step.number} – {step.title}"))
    targets.append(LaunchTarget("case-study", prog.case_study.slug, target_path("case-study"),
                                prog.case_study.id, prog.case_study.title))
    targets.extend(
        LaunchTarget("assessment", assessment.slug, target_path("assessment", assessment.slug),
                     assessment.id, assessment.title)
        for assessment in prog.assessments
    )
    return tuple(targets)


def parse_target_path(path_or_url: str, prog: Programme | None = None) -> LaunchTarget | None:
    """The launch target a URL or path points to, or ``None`` when it names no known target.

    Accepts a full URL on any host, a path with or without a base path before ``/lti/launch``,
    and the query form ``/lti/launch?target=seminar-2`` (the target may then also be given by its
    bare slug, e.g. ``pillar-3`` or ``oral-exam``). Other query parameters are ignored. Without
    ``prog`` the default programme file is used.
    """
    if not isinstance(path_or_url, str):
        return None
    named = _target_name(path_or_url)
    if named is None:
        return None
    name, query = named
    by_name = _targets_by_name(prog or cached_programme())
    if name:
        return by_name.get(name)
    return _target_from_query(query, by_name)


@functools.lru_cache(maxsize=512)
def _target_name(path_or_url: str) -> tuple[str, str] | None:
    """The target name a URL's path gives (empty when only its query can) and the query;
    ``None`` for a path elsewhere. Launches parse the same few addresses again and again."""
    if not path_or_url.strip():
        return None
    parts = urlsplit(path_or_url.strip())
    path = re.sub(r"/{2,}", "/", unquote(parts.path))
    match = _LAUNCH_PATH_PATTERN.fullmatch(path)
    if match is None and path:
        return None
    return ((match["rest"] or "").strip("/") if match else ""), parts.query


_BY_NAME_CACHE: dict[int, tuple[Programme, dict[str, LaunchTarget]]] = {}


def _targets_by_name(prog: Programme) -> dict[str, LaunchTarget]:
    """The targets of ``prog`` by name, computed once per programme object (launches parse
    several URLs each; the programme is immutable)."""
    cached = _BY_NAME_CACHE.get(id(prog))
    if cached is None or cached[0] is not prog:
        cached = (prog, {target.name: target for target in launch_targets(prog)})
        if len(_BY_NAME_CACHE) > 8:
            _BY_NAME_CACHE.clear()
        _BY_NAME_CACHE[id(prog)] = cached
    return cached[1]


def _target_from_query(query: str, by_name: dict[str, LaunchTarget]) -> LaunchTarget | None:
    values = parse_qs(query).get(TARGET_QUERY_PARAMETER)
    if not values:
        return None
    name = values[0].strip().strip("/")
    if name in by_name:
        return by_name[name]
    by_slug = {target.slug: target for target in by_name.values() if target.slug}
    return by_slug.get(name)
