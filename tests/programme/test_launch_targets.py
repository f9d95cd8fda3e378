"""The canonical LTI launch targets: listing, formatting and parsing paths and URLs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from programme import load_programme
from programme.targets import (
    TARGET_KINDS,
    LaunchTarget,
    launch_targets,
    parse_target_path,
    target_path,
)

# The contract shared with the LTI tool and the cartridge (see programme/targets.py).
CANONICAL_PATHS = [
    "/lti/launch/portfolio",
    "/lti/launch/portfolio/pillar-1",
    "/lti/launch/seminar-1",
    "/lti/launch/portfolio/pillar-2",
    "/lti/launch/portfolio/pillar-3",
    "/lti/launch/portfolio/pillar-4",
    "/lti/launch/seminar-2",
    "/lti/launch/portfolio/pillar-5",
    "/lti/launch/portfolio/pillar-6",
    "/lti/launch/seminar-3",
    "/lti/launch/case-study",
    "/lti/launch/assessment/collective-report",
    "/lti/launch/assessment/reflective-report",
    "/lti/launch/assessment/oral-exam",
]


@pytest.fixture(scope="module")
def targets(programme) -> tuple[LaunchTarget, ...]:
    return launch_targets(programme)


def test_all_targets_in_course_order(targets, programme):
    assert [t.path for t in targets] == CANONICAL_PATHS
    steps = [step.id for step in programme.course_order()]
    assessments = [a.id for a in programme.assessments]
    assert [t.element_id for t in targets] == [None, *steps, "CASE", *assessments]


def test_targets_carry_the_programme_elements(targets, programme):
    for target in targets:
        assert target.kind in TARGET_KINDS
        assert target.title
        if target.element_id is None:
            assert (target.kind, target.slug) == ("portfolio", None)
            assert target.title == programme.portfolio.title
        else:
            element = programme.get(target.element_id)
            assert target.slug == element.slug
            assert element.title in target.title


def test_pillar_titles_say_which_pillar(targets):
    pillar_titles = [t.title for t in targets if t.kind == "pillar"]
    assert pillar_titles[0] == "Pilier 1 – La gouvernance publique et le pilotage"


def test_format_and_parse_round_trip(targets, programme):
    for target in targets:
        assert target_path(target.kind, target.slug) == target.path
        assert parse_target_path(target.path, programme) == target


@pytest.mark.parametrize("url, expected", [
    ("https://cimp.example.be/lti/launch/seminar-2", "/lti/launch/seminar-2"),
    ("https://tools.uclouvain.example/cimp/lti/launch/portfolio/pillar-3?lti_message_hint=x",
     "/lti/launch/portfolio/pillar-3"),
    ("http://127.0.0.1:5000/a/b/lti/launch/assessment/oral-exam/#top",
     "/lti/launch/assessment/oral-exam"),
    ("/cimp/lti/launch/case-study?id=1&target=seminar-1", "/lti/launch/case-study"),
    ("lti/launch/portfolio", "/lti/launch/portfolio"),
    ("https://h.example/lti//launch/portfolio", "/lti/launch/portfolio"),
    ("/lti/launch/assessment/collective%2Dreport", "/lti/launch/assessment/collective-report"),
])
def test_parse_urls_with_host_base_path_and_query(programme, url, expected):
    target = parse_target_path(url, programme)
    assert target is not None and target.path == expected


@pytest.mark.parametrize("url, expected", [
    ("https://cimp.example.be/lti/launch?target=seminar-2", "/lti/launch/seminar-2"),
    ("/base/lti/launch/?foo=1&target=portfolio/pillar-4", "/lti/launch/portfolio/pillar-4"),
    ("/lti/launch?target=pillar-4", "/lti/launch/portfolio/pillar-4"),
    ("/lti/launch?target=oral-exam", "/lti/launch/assessment/oral-exam"),
    ("/lti/launch?target=assessment/reflective-report", "/lti/launch/assessment/reflective-report"),
    ("/lti/launch?target=case-study", "/lti/launch/case-study"),
    ("?target=portfolio", "/lti/launch/portfolio"),
])
def test_parse_query_form(programme, url, expected):
    target = parse_target_path(url, programme)
    assert target is not None and target.path == expected


@pytest.mark.parametrize("url", [
    "",
    "   ",
    "/lti/launch",
    "/lti/launch/",
    "/lti/launch/seminar-4",
    "/lti/launch/seminar-0",
    "/lti/launch/portfolio/pillar-7",
    "/lti/launch/pillar-1",
    "/lti/launch/portfolio/pillar-1/extra",
    "/lti/launch/assessment/final-exam",
    "/lti/launch/assessment",
    "/lti/launch/Seminar-1",
    "/lti/launches/seminar-1",
    "/other/seminar-1",
    "https://cimp.example.be/",
    "/lti/launch?target=nothing",
    "/lti/launch?target=",
    "/elsewhere?target=seminar-1",
])
def test_unknown_targets_give_none(programme, url):
    assert parse_target_path(url, programme) is None


def test_parse_checks_the_given_programme(programme, minimal_programme, write_programme):
    small = load_programme(write_programme(minimal_programme))
    second = parse_target_path("/lti/launch/portfolio/pillar-2", small)
    assert second.title.endswith("Second pilier")
    assert parse_target_path("/lti/launch/portfolio/pillar-5", small) is None
    assert parse_target_path("/lti/launch/portfolio/pillar-5", programme) is not None


def test_parse_without_programme_uses_the_default_file(programme):
    assert parse_target_path("/lti/launch/seminar-3") == parse_target_path(
        "/lti/launch/seminar-3", programme)


@pytest.mark.parametrize("kind, slug, expected", [
    ("portfolio", None, "/lti/launch/portfolio"),
    ("pillar", "pillar-12", "/lti/launch/portfolio/pillar-12"),
    ("seminar", "seminar-3", "/lti/launch/seminar-3"),
    ("case-study", None, "/lti/launch/case-study"),
    ("case-study", "case-study", "/lti/launch/case-study"),
    ("assessment", "oral-exam", "/lti/launch/assessment/oral-exam"),
])
def test_target_path(kind, slug, expected):
    assert target_path(kind, slug) == expected


@pytest.mark.parametrize("kind, slug, message", [
    ("course", None, "unknown launch target kind 'course'"),
    ("pillar", None, "invalid slug None for launch target kind 'pillar'"),
    ("pillar", "seminar-1", "invalid slug 'seminar-1'"),
    ("seminar", "seminar-x", "invalid slug 'seminar-x'"),
    ("assessment", "Oral Exam", "invalid slug 'Oral Exam'"),
    ("portfolio", "pillar-1", "launch target 'portfolio' takes no slug"),
])
def test_target_path_refuses_bad_input(kind, slug, message):
    with pytest.raises(ValueError, match=message):
        target_path(kind, slug)


def test_url_under_a_base_url(targets):
    seminar = next(t for t in targets if t.slug == "seminar-1")
    assert seminar.url("https://cimp.example.be/tool/") == (
        "https://cimp.example.be/tool/lti/launch/seminar-1")
    assert seminar.name == "seminar-1"


_SEGMENT = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=12)


@given(
    index=st.integers(min_value=0, max_value=len(CANONICAL_PATHS) - 1),
    host=st.sampled_from(["", "https://moodle.example.be", "http://127.0.0.1:8000"]),
    base=st.lists(_SEGMENT.filter(lambda s: s not in {".", ".."}), max_size=3),
    query=st.dictionaries(_SEGMENT, _SEGMENT, max_size=3),
)
def test_any_base_and_query_parse_to_the_same_target(index, host, base, query):
    # Hypothesis calls this many times: use the programme cached by the package.
    path = CANONICAL_PATHS[index]
    prefix = "".join(f"/{segment}" for segment in base)
    query_string = "&".join(f"{k}={v}" for k, v in query.items() if k != "target")
    url = f"{host}{prefix}{path}" + (f"?{query_string}" if query_string else "")
    target = parse_target_path(url)
    assert target is not None and target.path == path
