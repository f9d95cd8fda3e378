"""The standard demo: two universities' Moodle sites with the CIMP course and its activities."""

from __future__ import annotations

from typing import Sequence

from .jose import SigningKey
from .models import (EDITING_TEACHER, STUDENT, TEACHER, DemoActivity, DemoCourse, DemoLineItem,
                     DemoUser)
from .site import PlatformSite

PILLAR_COUNT = 6
SEMINAR_COUNT = 3
# (path below the launch URL, title, imported from the cartridge: then no grade item of its own)
ASSESSMENTS = (
    ("assessment/collective-report", "Évaluation : rapport collectif (étude de cas)", False),
    ("assessment/reflective-report", "Évaluation : rapport réflexif individuel", False),
    ("assessment/oral-exam", "Évaluation : épreuve orale devant le jury", True),
)


def _activities(first_id: int, course_id: str, launch_path: str) -> list[DemoActivity]:
    """The CIMP course's links: the whole portfolio and the assessments are bound to the tool
    (tool-configured, with a grade item for the written reports); pillar portfolios, seminars, the
    case study and the oral exam came from the cartridge (no grade item of their own)."""
    entries: list[tuple[str, str, DemoLineItem | None, bool]] = [
        ("portfolio", "Portfolio réflexif (vue d'ensemble)", None, False)]
    entries += [(f"portfolio/pillar-{n}", f"Portfolio : pilier {n}", None, True)
                for n in range(1, PILLAR_COUNT + 1)]
    # Seminar 2 names its target in the query string, a link shape cartridges also use.
    entries += [(f"seminar-{n}" if n != 2 else f"?target=seminar-{n}",
                 f"Séminaire de leadership de changement {n}", None, True)
                for n in range(1, SEMINAR_COUNT + 1)]
    entries.append(("case-study", "Étude de cas", None, True))
    for path, title, imported in ASSESSMENTS:
        slug = path.rsplit("/", 1)[-1]
        line_item = None if imported else DemoLineItem(title, 20.0, slug, "assessment")
        entries.append((path, title, line_item, imported))
    return [
        DemoActivity(activity_id=str(first_id + index), course_id=course_id, title=title,
                     target=launch_path.rstrip("/") + ("" if path.startswith("?") else "/") + path,
                     line_item=line_item,
                     imported=imported)
        for index, (path, title, line_item, imported) in enumerate(entries)
    ]


def demo_sites(tool_base_url: str, *, login_path: str = "/lti/login",
               launch_path: str = "/lti/launch", jwks_path: str = "/lti/jwks",
               key_size: int = 2048,
               signing_keys: Sequence[SigningKey] | None = None) -> list[PlatformSite]:
    """Two Moodle sites, "Université A" (`univ-a`) and "Université B" (`univ-b`).

    User "2" exists on both as two different participants. Université A has a teacher (editing
    teacher, may use "Select content"), two jurors (non-editing teachers) and an administrator;
    Université B has two participants, two jurors and an administrator. Deployment id "1" on both.
    `signing_keys` (one per site) replace the generated keys.
    """
    keys = list(signing_keys) if signing_keys else [None, None]
    site_a_users = [
        DemoUser("2", "Amélie", "Dubois", "amelie.dubois@univ-a.example", username="adubois"),
        DemoUser("3", "Bruno", "Lambert", "bruno.lambert@univ-a.example", username="blambert"),
        DemoUser("4", "Claire", "Martin", "claire.martin@univ-a.example", username="cmartin",
                 description="enseignante, coordinatrice du certificat"),
        DemoUser("5", "Didier", "Peeters", "didier.peeters@univ-a.example", username="dpeeters",
                 description="juré"),
        DemoUser("6", "Élise", "Janssens", "elise.janssens@univ-a.example", username="ejanssens",
                 description="jurée"),
        DemoUser("9", "Admin", "Université A", "admin@univ-a.example", site_admin=True,
                 username="admin", description="administrateur du site"),
    ]
    site_b_users = [
        DemoUser("2", "Nicolas", "Dupont", "nicolas.dupont@univ-b.example", username="ndupont"),
        DemoUser("3", "Sophie", "Lemaire", "sophie.lemaire@univ-b.example", username="slemaire"),
        DemoUser("5", "Marc", "Vandenberghe", "marc.vandenberghe@univ-b.example",
                 username="mvandenberghe", description="juré"),
        DemoUser("6", "Julie", "Renard", "julie.renard@univ-b.example", username="jrenard",
                 description="jurée"),
        DemoUser("9", "Admin", "Université B", "admin@univ-b.example", site_admin=True,
                 username="admin", description="administrateur du site"),
    ]
    course_a = DemoCourse("12", "CIMP-A", "Certificat inter-universités en management public",
                          {"2": STUDENT, "3": STUDENT, "4": EDITING_TEACHER, "5": TEACHER,
                           "6": TEACHER})
    course_b = DemoCourse("7", "CIMP-B", "Certificat inter-universités en management public",
                          {"2": STUDENT, "3": STUDENT, "5": TEACHER, "6": TEACHER})
    sites = [
        PlatformSite(slug="univ-a", name="Université A", client_id="cimp-univ-a",
                     users=site_a_users, courses=[course_a],
                     activities=_activities(101, course_a.context_id, launch_path),
                     key_size=key_size, signing_key=keys[0]),
        PlatformSite(slug="univ-b", name="Université B", client_id="cimp-univ-b",
                     users=site_b_users, courses=[course_b],
                     activities=_activities(201, course_b.context_id, launch_path),
                     key_size=key_size, signing_key=keys[1]),
    ]
    for site in sites:
        site.set_tool_urls(tool_base_url, login=login_path, launch=launch_path, jwks=jwks_path)
    return sites
