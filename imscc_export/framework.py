"""The programme's competency framework for other systems: Moodle's CSV import and IMS CASE 1.0.

Both exports hold the same tree, pillar -> objective -> learning outcome, identified by the
programme ids (``P1``, ``P1.O2``, ``P1.O2.A3``). The CASE GUIDs are the ones the CC 1.3 cartridge
uses to align its objective pages, so a platform can connect the two.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from programme import Programme

from imscc_export import html, identifiers

FRAMEWORK_ID = "CIMP"
FRAMEWORK_CREATOR = "CIMP"
LANGUAGE = "fr"

MOODLE_CSV_HEADER = (
    "Parent ID number",
    "ID number",
    "Short name",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross-referenced competency ID numbers",
    "Exported ID (optional)",
    "Is framework",
    "Taxonomy",
)
# Moodle's FORMAT_HTML.
_HTML_FORMAT = "1"
# Moodle truncates short names beyond 100 characters; we shorten them ourselves, on a word boundary.
_SHORT_NAME_MAX = 100
SCALE_VALUES = ("Non acquis", "En cours d'acquisition", "Acquis", "Maîtrisé")
_PROFICIENT_FROM = 3
TAXONOMY = ("domain", "competency", "outcome")

CASE_ITEM_TYPES = ("Pilier", "Objectif", "Acquis")


def scale_configuration() -> str:
    """Moodle's scale configuration: "Non acquis" by default, "Acquis" and above proficient."""
    entries: list[dict[str, object]] = [{"scaleid": "0"}]
    for number, _ in enumerate(SCALE_VALUES, start=1):
        entries.append(
            {
                "id": number,
                "scaledefault": int(number == 1),
                "proficient": int(number >= _PROFICIENT_FROM),
            }
        )
    return json.dumps(entries, separators=(",", ":"))


def short_name(code: str, statement: str) -> str:
    """``code statement`` within Moodle's 100 characters, cut on a word boundary with "…"."""
    name = " ".join(f"{code} {statement}".split())
    if len(name) <= _SHORT_NAME_MAX:
        return name
    cut = name[: _SHORT_NAME_MAX - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def _description(content: str) -> str:
    return html.paragraphs(content)


def _competency_row(parent: str, code: str, statement: str, description: str) -> list[str]:
    return [
        parent,
        code,
        short_name(code, statement),
        _description(description),
        _HTML_FORMAT,
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ]


def moodle_csv_rows(programme: Programme) -> Iterator[list[str]]:
    """The framework row, then every pillar, objective and outcome linked by parent ID number."""
    yield [
        "",
        FRAMEWORK_ID,
        short_name(FRAMEWORK_ID, programme.title),
        _description(programme.description),
        _HTML_FORMAT,
        ",".join(SCALE_VALUES),
        scale_configuration(),
        "",
        "",
        "",
        "",
        "",
        "1",
        ",".join(TAXONOMY),
    ]
    for pillar in programme.pillars:
        # An empty parent places the pillar right under the framework.
        yield _competency_row("", pillar.id, pillar.title, pillar.description or pillar.title)
        for objective in pillar.objectives:
            yield _competency_row(pillar.id, objective.id, objective.title, objective.title)
            for outcome in objective.outcomes:
                yield _competency_row(objective.id, outcome.id, outcome.text, outcome.text)


def moodle_csv(programme: Programme) -> bytes:
    """The competency framework as Moodle's ``tool_lpimportcsv`` reads it (UTF-8, 14 columns)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(MOODLE_CSV_HEADER)
    writer.writerows(moodle_csv_rows(programme))
    return buffer.getvalue().encode("utf-8")


def _urn(guid: str) -> str:
    return f"urn:uuid:{guid}"


def _link(title: str, guid: str) -> dict[str, str]:
    return {"title": title, "identifier": guid, "uri": _urn(guid)}


class _CaseBuilder:
    """Collects the CASE items and associations of one programme."""

    def __init__(self, programme: Programme) -> None:
        self.changed = identifiers.build_datetime().strftime("%Y-%m-%dT%H:%M:%SZ")
        self.document_guid = identifiers.curriculum_guid(FRAMEWORK_ID)
        self.document_link = _link(programme.title, self.document_guid)
        self.type_guids = {
            name: identifiers.curriculum_guid(f"CFItemType:{name}") for name in CASE_ITEM_TYPES
        }
        self.items: list[dict[str, object]] = []
        self.associations: list[dict[str, object]] = []
        self.axis_titles = {axis.id: axis.title for axis in programme.axes}

    def add(
        self,
        code: str,
        number: int,
        statement: str,
        item_type: str,
        parent: dict[str, str],
        sequence: int,
        axes: tuple[str, ...] = (),
    ) -> dict[str, str]:
        guid = identifiers.curriculum_guid(code)
        item: dict[str, object] = {
            "identifier": guid,
            "uri": _urn(guid),
            "CFDocumentURI": self.document_link,
            "fullStatement": statement,
            "humanCodingScheme": code,
            "listEnumeration": str(number),
            "CFItemType": item_type,
            "CFItemTypeURI": _link(item_type, self.type_guids[item_type]),
            "language": LANGUAGE,
            "lastChangeDateTime": self.changed,
        }
        if axes:
            item["conceptKeywords"] = [self.axis_titles.get(axis, axis) for axis in axes]
        self.items.append(item)
        link = _link(code, guid)
        association_guid = identifiers.curriculum_guid(f"isChildOf:{code}")
        self.associations.append(
            {
                "identifier": association_guid,
                "uri": _urn(association_guid),
                "CFDocumentURI": self.document_link,
                "associationType": "isChildOf",
                "sequenceNumber": sequence,
                "originNodeURI": link,
                "destinationNodeURI": parent,
                "lastChangeDateTime": self.changed,
            }
        )
        return link

    def item_types(self) -> list[dict[str, object]]:
        return [
            {
                "identifier": guid,
                "uri": _urn(guid),
                "title": name,
                "description": name,
                "hierarchyCode": str(level),
                "lastChangeDateTime": self.changed,
            }
            for level, (name, guid) in enumerate(self.type_guids.items(), start=1)
        ]


def case_package(programme: Programme) -> dict[str, object]:
    """The framework as an IMS CASE 1.0 package: CFDocument, CFItems, CFAssociations, CFDefinitions.

    Identifiers are UUID 5 of the programme ids, and URIs their ``urn:uuid:`` form, so the
    package is the same at every export.
    """
    builder = _CaseBuilder(programme)
    for pillar in programme.pillars:
        pillar_link = builder.add(
            pillar.id, pillar.number, pillar.title, "Pilier", builder.document_link, pillar.number
        )
        for objective in pillar.objectives:
            objective_link = builder.add(
                objective.id,
                objective.number,
                objective.title,
                "Objectif",
                pillar_link,
                objective.number,
            )
            for outcome in objective.outcomes:
                builder.add(
                    outcome.id,
                    outcome.number,
                    outcome.text,
                    "Acquis",
                    objective_link,
                    outcome.number,
                    outcome.axes,
                )
    document = {
        "identifier": builder.document_guid,
        "uri": _urn(builder.document_guid),
        "CFPackageURI": builder.document_link,
        "creator": FRAMEWORK_CREATOR,
        "title": programme.title,
        "description": " ".join(programme.description.split()),
        "language": LANGUAGE,
        "lastChangeDateTime": builder.changed,
    }
    return {
        "CFDocument": document,
        "CFItems": builder.items,
        "CFAssociations": builder.associations,
        "CFDefinitions": {"CFItemTypes": builder.item_types()},
    }


def case_json(programme: Programme) -> bytes:
    """The CASE package as UTF-8 JSON, keys in a fixed order, ending with a newline."""
    return (json.dumps(case_package(programme), ensure_ascii=False, indent=2) + "\n").encode(
        "utf-8"
    )
