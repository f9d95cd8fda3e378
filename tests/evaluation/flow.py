"""Driving the evaluation over real HTTP: a cohort of univ-a's course 12 and univ-b's course 7,
its four jurors (univ-a users 5 and 6, univ-b users 5 and 6, non-editing teachers) and the
participants of both universities, each launched from the platform as in Moodle."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape

import requests
from sqlalchemy import select

from lti_tool.accounts.models import User
from lti_tool.db import get_session
from tests.cohorts.pages import ToolPages, cohort_id_of, join_code_on, launched

TEACHER_A, PORTFOLIO_A, PORTFOLIO_B = "4", "101", "201"
# The assessment activities of the demo courses (univ-a 112..114, univ-b 212..214).
ACTIVITY = {
    ("univ-a", "collective-report"): "112", ("univ-a", "reflective-report"): "113",
    ("univ-a", "oral-exam"): "114",
    ("univ-b", "collective-report"): "212", ("univ-b", "reflective-report"): "213",
    ("univ-b", "oral-exam"): "214",
}
JURORS = (("univ-a", "5"), ("univ-a", "6"), ("univ-b", "5"), ("univ-b", "6"))
PARTICIPANTS = (("univ-a", "2"), ("univ-a", "3"), ("univ-b", "2"), ("univ-b", "3"))
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def user_id(app, site, sub: str) -> int:
    with app.app_context():
        return get_session().scalar(select(User.id).where(User.issuer == site.issuer,
                                                          User.sub == sub))


def csrf_of(page: requests.Response) -> str:
    match = CSRF_FIELD.search(page.text)
    assert match, page.text[:500]
    return unescape(match.group(1))


@dataclass
class Cohort:
    """A cohort with launched teacher, jurors and participants (pages and user ids)."""

    app: object
    tool_url: str
    driver: object
    sites: dict
    cohort_id: int
    teacher: ToolPages
    pages: dict = field(default_factory=dict)      # (site slug, sub) -> ToolPages
    ids: dict = field(default_factory=dict)        # (site slug, sub) -> user id

    def launch(self, who: tuple[str, str], activity: str) -> ToolPages:
        """A new launch of ``who`` from an activity of their course."""
        site = self.sites[who[0]]
        pages = launched(self.driver, self.tool_url, site, who[1], activity)
        self.pages[who] = pages
        self.ids[who] = user_id(self.app, site, who[1])
        return pages

    def teacher_post(self, path: str, data: dict) -> requests.Response:
        return self.teacher.post(path, data, csrf_from=f"/evaluation/cohort/{self.cohort_id}"
                                 "/groups")

    def form_jury(self, members: list[tuple[str, str]], chair: tuple[str, str],
                  name: str = "") -> requests.Response:
        return self.teacher_post(f"/evaluation/cohort/{self.cohort_id}/juries", {
            "member": [self.ids[m] for m in members], "chair": self.ids[chair], "name": name})

    def form_group(self, members: list[tuple[str, str]]) -> requests.Response:
        return self.teacher_post(f"/evaluation/cohort/{self.cohort_id}/groups",
                                 {"member": [self.ids[m] for m in members]})

    def assign(self, assessment_id: str, choices: dict[str, int]) -> requests.Response:
        data = {"candidate": list(choices)}
        data.update({f"jury-{key}": str(jury) for key, jury in choices.items()})
        return self.teacher_post(
            f"/evaluation/cohort/{self.cohort_id}/assessment/{assessment_id}", data)


def build_cohort(app, driver, tool_url, site_a, site_b) -> Cohort:
    """Create the cohort from univ-a, join univ-b to it, launch every juror and participant
    from the platform and appoint the four jurors."""
    teacher = launched(driver, tool_url, site_a, TEACHER_A, PORTFOLIO_A)
    created = teacher.post("/cohort/create", {"name": "2026-2027"})
    cohort_id = cohort_id_of(created)
    code = join_code_on(teacher.follow(created).text)
    teacher_b = launched(driver, tool_url, site_b, "5", PORTFOLIO_B)
    assert teacher_b.post("/cohort/join", {"code": code}).status_code == 303
    cohort = Cohort(app, tool_url, driver, {"univ-a": site_a, "univ-b": site_b}, cohort_id,
                    teacher)
    cohort.ids[("univ-a", TEACHER_A)] = user_id(app, site_a, TEACHER_A)
    for who in JURORS + PARTICIPANTS:
        cohort.launch(who, PORTFOLIO_A if who[0] == "univ-a" else PORTFOLIO_B)
    for who in JURORS:
        answer = teacher.post(f"/cohort/{cohort_id}/jurors",
                              {"user_id": cohort.ids[who], "action": "appoint"},
                              csrf_from=f"/cohort/{cohort_id}")
        assert answer.status_code == 303
    return cohort


def score_form(rubric, levels: dict[str, int], comments: dict[str, tuple[str, str]] | None = None,
               action: str = "save") -> dict[str, str]:
    """Form fields choosing level number ``levels[criterion]`` (0 = lowest) per criterion, with
    optional (comment, visibility) per criterion."""
    data = {"action": action}
    for criterion in rubric.criteria:
        if criterion.id in levels:
            data[f"points-{criterion.id}"] = str(criterion.levels[levels[criterion.id]].points)
        comment, visibility = (comments or {}).get(criterion.id, ("", "jury"))
        data[f"comment-{criterion.id}"] = comment
        data[f"visibility-{criterion.id}"] = visibility
    return data


def post_scores(pages: ToolPages, assignment_id: int, data: dict) -> requests.Response:
    """POST the scoring form; once submitted the page has no form any more, so the launch
    session's CSRF token is then read from the cohort page (jurors are teachers)."""
    page = pages.get(f"/evaluation/score/{assignment_id}")
    assert page.status_code == 200, page.text[:300]
    token = csrf_of(page) if CSRF_FIELD.search(page.text) else pages.csrf_token("/cohort/")
    return pages.post(f"/evaluation/score/{assignment_id}", data, csrf_token=token)


def post_on_deliberation(pages: ToolPages, assignment_id: int, step: str,
                         data: dict) -> requests.Response:
    page = pages.get(f"/evaluation/deliberation/{assignment_id}")
    assert page.status_code == 200, page.text[:300]
    token = csrf_of(page) if CSRF_FIELD.search(page.text) else pages.csrf_token("/cohort/")
    return pages.post(f"/evaluation/deliberation/{assignment_id}/{step}", data,
                      csrf_token=token)


def visible_text(html: str) -> str:
    """The page's text without tags, spaces collapsed (for reading numbers and sentences)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
