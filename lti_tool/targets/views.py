"""Landing pages of the launch targets: who is here, in which course and cohort, for what."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template

from lti_tool.accounts.models import Course, User
from lti_tool.accounts.roles import PARTICIPANT, TEACHER, at_least
from lti_tool.cohorts.services import cohort_for_course
from lti_tool.db import get_session
from lti_tool.sessions import launch_required, launch_url
from programme.targets import LaunchTarget, parse_target_path

bp = Blueprint("targets", __name__, url_prefix="/app")


@bp.get("/<path:target>")
@launch_required()
def show(target: str):
    launch_target = parse_target_path("/lti/launch/" + target)
    if launch_target is None:
        abort(404)
    page = _portfolio_page(launch_target)
    if page is not None:
        return redirect(page, 303)
    session = get_session()
    user = session.get(User, g.launch.user_id)
    course = session.get(Course, g.launch.course_id) if g.launch.course_id else None
    cohort = cohort_for_course(session, course.id) if course else None
    return render_template("targets/show.html", target=launch_target, user=user,
                           course=course, cohort=cohort, launch=g.launch)


def _portfolio_page(target: LaunchTarget) -> str | None:
    """Where a participant's portfolio target leads (the launch token kept): their own portfolio
    pages. Teachers, guests and the assessment targets stay on this page."""
    if target.kind == "assessment" or not at_least(g.launch.role, PARTICIPANT):
        return None
    if at_least(g.launch.role, TEACHER):
        return None
    if target.kind == "portfolio":
        return launch_url("portfolio.overview")
    if target.kind == "case-study":
        return launch_url("portfolio.case_study")
    number = int(target.slug.rsplit("-", 1)[1])
    endpoint = "portfolio.pillar" if target.kind == "pillar" else "portfolio.seminar"
    return launch_url(endpoint, number=number)
