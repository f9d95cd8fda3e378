"""Where a launch target leads each role."""
from __future__ import annotations

from typing import Any

from lti_tool.accounts.roles import PARTICIPANT, TEACHER, at_least
from programme.targets import parse_target_path


def participant_page(target: str, role: str) -> tuple[str, dict[str, Any]] | None:
    """The endpoint (and its values) of a participant's own portfolio page for a portfolio,
    pillar, seminar or case-study target. Teachers, guests and the assessment targets have a
    landing page of their own: None."""
    launch_target = parse_target_path("/lti/launch/" + target)
    if launch_target is None or launch_target.kind == "assessment":
        return None
    if not at_least(role, PARTICIPANT) or at_least(role, TEACHER):
        return None
    if launch_target.kind == "portfolio":
        return "portfolio.overview", {}
    if launch_target.kind == "case-study":
        return "portfolio.case_study", {}
    number = int(launch_target.slug.rsplit("-", 1)[1])
    endpoint = "portfolio.pillar" if launch_target.kind == "pillar" else "portfolio.seminar"
    return endpoint, {"number": number}
