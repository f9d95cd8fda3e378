"""What the exported course holds: sections in course order, pages, tool links and forums."""

from __future__ import annotations

import re
from decimal import Decimal

from lxml import etree, html

from tests.imscc_export.cartridge_testing import (
    BLTI,
    REPO_ROOT,
    SCHEMAS_DIR,
    TOOL_URL,
    Cartridge,
    read_members,
)
from imscc_export.cli import main
from imscc_export.framework import case_package
from rubrics import load_rubric

SECTION_TITLES = [
    "Présentation",
    "Pilier 1",
    "Séminaire 1",
    "Pilier 2",
    "Pilier 3",
    "Pilier 4",
    "Séminaire 2",
    "Pilier 5",
    "Pilier 6",
    "Séminaire 3",
    "Étude de cas",
    "Portfolio réflexif",
    "Évaluation",
]
CSMD = "http://www.imsglobal.org/xsd/imsccv1p3/imscsmd_v1p0"


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _entries(cartridge: Cartridge, section) -> list[tuple[etree._Element, etree._Element]]:
    """(item, resource) pairs of a section, in order."""
    resources = cartridge.resources()
    return [
        (item, resources[item.get("identifierref")])
        for item in section.findall("cp:item", cartridge.ns)
    ]


def _of_type(pairs, type_prefix: str):
    return [
        (item, resource) for item, resource in pairs if resource.get("type").startswith(type_prefix)
    ]


def _title(cartridge: Cartridge, element) -> str:
    return element.findtext("cp:title", namespaces=cartridge.ns)


def _lti(cartridge: Cartridge, resource) -> dict[str, str]:
    root = etree.fromstring(cartridge.resource_file(resource))
    return {
        field: root.findtext(f"{{{BLTI}}}{field}")
        for field in ("title", "description", "launch_url", "secure_launch_url")
    }


def _page(cartridge: Cartridge, resource) -> html.HtmlElement:
    return html.document_fromstring(cartridge.members[resource.get("href")])


def _section(cartridge: Cartridge, title_prefix: str):
    return next(s for s in cartridge.sections() if _title(cartridge, s).startswith(title_prefix))


def test_thirteen_sections_in_course_order(cartridge):
    titles = [_title(cartridge, section) for section in cartridge.sections()]
    assert len(titles) == 13
    for title, expected in zip(titles, SECTION_TITLES):
        assert title == expected or title.startswith(expected + " ")
    # A section item pointing to a resource would lose its title as section summary in Moodle.
    assert all(section.get("identifierref") is None for section in cartridge.sections())


def test_each_pillar_has_its_objective_pages_portfolio_link_and_intervision(cartridge, programme):
    objective_pages = 0
    for pillar in programme.pillars:
        pairs = _entries(cartridge, _section(cartridge, f"Pilier {pillar.number}"))
        pages = _of_type(pairs, "webcontent")
        assert [item.get("identifier") for item, _ in pages] == [
            "I_" + objective.id.replace(".", "_") for objective in pillar.objectives
        ]
        assert [res.get("identifier") for _, res in pages] == [
            "R_" + objective.id.replace(".", "_") for objective in pillar.objectives
        ]
        for (_, resource), objective in zip(pages, pillar.objectives):
            text = _normalised(_page(cartridge, resource).text_content())
            assert objective.title in text
            for outcome in objective.outcomes:
                assert outcome.id in text and _normalised(outcome.text) in text
                for axis_title in programme.axis_titles(outcome):
                    assert axis_title in text
        objective_pages += len(pages)

        links = _of_type(pairs, "imsbasiclti")
        assert len(links) == 1
        link = _lti(cartridge, links[0][1])
        expected_url = f"{TOOL_URL}/lti/launch/portfolio/pillar-{pillar.number}"
        assert link["launch_url"] == expected_url
        assert link["secure_launch_url"] == expected_url
        assert link["title"] and link["description"]

        forums = _of_type(pairs, "imsdt")
        assert len(forums) == 1
        topic = etree.fromstring(cartridge.resource_file(forums[0][1]))
        assert f"Pilier {pillar.number}" in topic.findtext("{*}title")
        assert pillar.title in topic.findtext("{*}text")
    assert objective_pages == 22


def test_seminars_case_study_and_portfolio_have_a_page_and_a_journal_link(cartridge):
    expected = {
        "Séminaire 1": "/lti/launch/seminar-1",
        "Séminaire 2": "/lti/launch/seminar-2",
        "Séminaire 3": "/lti/launch/seminar-3",
        "Étude de cas": "/lti/launch/case-study",
        "Portfolio réflexif": "/lti/launch/portfolio",
    }
    for title, path in expected.items():
        pairs = _entries(cartridge, _section(cartridge, title))
        assert [res.get("type").split("_")[0] for _, res in pairs] == ["webcontent", "imsbasiclti"]
        link = _lti(cartridge, pairs[1][1])
        assert link["launch_url"] == link["secure_launch_url"] == TOOL_URL + path


def test_every_launch_url_is_under_the_tool_url_and_unique(cartridge):
    urls = [
        _lti(cartridge, resource)["launch_url"]
        for resource in cartridge.resources().values()
        if resource.get("type").startswith("imsbasiclti")
    ]
    assert len(urls) == 6 + 3 + 1 + 1 + 3
    assert len(set(urls)) == len(urls)
    assert all(url.startswith(TOOL_URL + "/lti/launch/") for url in urls)


def test_evaluation_has_a_page_with_the_rubric_and_a_link_per_assessment(cartridge, programme):
    pairs = _entries(cartridge, _section(cartridge, "Évaluation"))
    pages, links = _of_type(pairs, "webcontent"), _of_type(pairs, "imsbasiclti")
    assert len(pages) == len(links) == 3
    assert [_lti(cartridge, res)["launch_url"] for _, res in links] == [
        f"{TOOL_URL}/lti/launch/assessment/{name}"
        for name in ("collective-report", "reflective-report", "oral-exam")
    ]
    for (_, resource), assessment in zip(pages, programme.assessments):
        page = _page(cartridge, resource)
        assert assessment.title in page.findtext(".//h1")
        rubric = load_rubric(assessment.id)
        assert page.findtext(".//table/caption") == rubric.title
        assert f"réussite : {rubric.pass_mark}/{rubric.grade_max}" in _normalised(
            page.text_content()
        )
        rows = page.findall(".//table/tbody/tr")
        assert len(rows) == len(rubric.criteria)
        header = [_normalised(cell.text_content()) for cell in page.findall(".//table/thead/tr/th")]
        assert header[:2] == ["Critère", "Poids"]
        for row, criterion in zip(rows, rubric.criteria):
            cells = [_normalised(cell.text_content()) for cell in row]
            assert criterion.title in cells[0]
            assert all(code in cells[0] for code in criterion.assesses)
            weight = re.match(r"([\d,]+) \(([\d,]+) %", cells[1])
            assert Decimal(weight.group(1).replace(",", ".")) == criterion.weight
            if rubric.formula == "weighted":
                share = 100 * criterion.weight / rubric.total_weight
                assert Decimal(weight.group(2).replace(",", ".")) == share
            for cell, level in zip(cells[2:], criterion.levels):
                assert level.title in cell
                points = re.search(r"\(([\d,]+) pts?\)", cell).group(1)
                assert Decimal(points.replace(",", ".")) == level.points
                assert _normalised(level.descriptor) in cell


def test_presentation_describes_the_programme_and_the_three_axes(cartridge, programme):
    pairs = _entries(cartridge, cartridge.sections()[0])
    assert len(pairs) == 1
    text = _normalised(_page(cartridge, pairs[0][1]).text_content())
    assert programme.title in text
    assert f"{programme.hours} heures" in text and f"{programme.credits} crédits" in text
    for axis in programme.axes:
        assert axis.title in text and _normalised(axis.description) in text
    for pillar in programme.pillars:
        assert pillar.title in text


def _web_pages(cartridge):
    return [res for res in cartridge.resources().values() if res.get("type") == "webcontent"]


def test_pages_are_self_contained_french_html5(cartridge):
    pages = _web_pages(cartridge)
    assert len(pages) == 1 + 22 + 3 + 1 + 1 + 3
    for resource in pages:
        raw = cartridge.members[resource.get("href")].decode("utf-8")
        assert raw.startswith("<!DOCTYPE html>")
        page = html.document_fromstring(raw)
        assert page.get("lang") == "fr"
        assert page.find("head/meta[@charset]").get("charset").lower() == "utf-8"
        assert page.findtext("head/title").strip()
        assert not page.xpath("//script | //link | //style | //iframe | //img | //object | //embed")
        assert not page.xpath("//@src")
        assert not [
            href for href in page.xpath("//@href") if "://" in href or href.startswith("//")
        ]


def test_page_headings_start_at_h1_in_the_body_and_never_skip_a_level(cartridge):
    for resource in _web_pages(cartridge):
        body = _page(cartridge, resource).find("body")
        levels = [int(el.tag[1]) for el in body.iter("h1", "h2", "h3", "h4", "h5", "h6")]
        assert levels[0] == 1 and levels.count(1) == 1, resource.get("href")
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), resource.get("href")


def test_the_13_cartridge_aligns_each_objective_page_with_its_case_identifiers(
    cartridge_13, programme
):
    guid_of = {
        item["humanCodingScheme"]: item["identifier"] for item in case_package(programme)["CFItems"]
    }
    resources = cartridge_13.resources()
    for objective in programme.objectives():
        resource = resources["R_" + objective.id.replace(".", "_")]
        labelled = resource.findall(
            f"cp:metadata/{{{CSMD}}}curriculumStandardsMetadataSet//{{{CSMD}}}labelledGUID",
            cartridge_13.ns,
        )
        pairs = [
            (el.findtext(f"{{{CSMD}}}label"), el.findtext(f"{{{CSMD}}}GUID")) for el in labelled
        ]
        expected_ids = [objective.id] + [outcome.id for outcome in objective.outcomes]
        assert pairs == [(code, guid_of[code]) for code in expected_ids]


def test_the_11_cartridge_carries_no_13_metadata(cartridge_11):
    assert CSMD.encode() not in cartridge_11.members["imsmanifest.xml"]


def test_programme_text_is_escaped_in_pages_and_links(tmp_path, programme):
    source = REPO_ROOT / "config" / "programme.yaml"
    tricky = "Gouvernance <script>alert(1)</script> & « co »"
    first_title = programme.pillars[0].objectives[0].title
    yaml_text = source.read_text(encoding="utf-8").replace(
        f"title: {first_title}", f"title: '{tricky}'", 1
    )
    assert tricky in yaml_text
    programme_file = tmp_path / "programme.yaml"
    programme_file.write_text(yaml_text, encoding="utf-8")
    output = tmp_path / "tricky.imscc"
    assert (
        main(
            [
                "--tool-url",
                TOOL_URL,
                "-o",
                str(output),
                "--programme",
                str(programme_file),
                "--schemas",
                str(SCHEMAS_DIR),
            ]
        )
        == 0
    )
    members = read_members(output)
    page = html.document_fromstring(members["pages/pillar-1/objective-1.html"])
    assert not page.xpath("//script")
    assert tricky in page.findtext(".//h1")
    manifest = etree.fromstring(members["imsmanifest.xml"])
    assert any(tricky in (title.text or "") for title in manifest.iter("{*}title"))
