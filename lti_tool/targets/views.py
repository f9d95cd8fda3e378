"""Landing pages of the launch targets: who is here, in which course and cohort, for what."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template

from lti_tool.accounts.models import Course, User
from lti_tool.cohorts.services import cohort_for_course
from lti_tool.db import get_session
from lti_tool.sessions import launch_required, launch_url
from lti_tool.targets.services import participant_page
from programme.targets import parse_target_path

bp = Blueprint("targets", __name__, url_prefix="/app")


@bp.get("/<path:target>")
@launch_required()
def show(target: str):
    launch_target = parse_target_path("/lti/launch/" + target)
    if launch_target is None:
        abort(404)
    page = participant_page(target, g.launch.role)
    if page is not None:
        endpoint, values = page
        return redirect(launch_url(endpoint, **values), 303)
    session = get_session()
    user = session.get(User, g.launch.user_id)
    course = session.get(Course, g.launch.course_id) if g.launch.course_id else None
    cohort = cohort_for_course(session, course.id) if course else None
    return render_template("targets/show.html", target=launch_target, user=user,
                           course=course, cohort=cohort, launch=g.launch)
