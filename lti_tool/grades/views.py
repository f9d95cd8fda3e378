"""The teacher's grade sync page: where each participant's grades stand on their own platform,
and a button to send the latest published grade again. A teacher only ever sees the cohort of
the course she launched from."""
from __future__ import annotations

from flask import (Blueprint, abort, flash, g, get_flashed_messages, redirect, render_template,
                   request)

from lti_tool import csrf
from lti_tool.accounts.models import Course
from lti_tool.accounts.roles import TEACHER
from lti_tool.cohorts.access import launch_cohort
from lti_tool.cohorts.services import cohort_courses, is_cohort_member
from lti_tool.db import get_session
from lti_tool.grades.services import (GradeError, assessment_ids, request_sync, resend_grade,
                                      sync_statuses)
from lti_tool.i18n import gettext as _
from lti_tool.sessions import launch_required, launch_url

bp = Blueprint("grades", __name__, url_prefix="/grades")


def _assessment_titles() -> dict[str, str]:
    from programme.loader import cached_programme

    return {a.id: a.title for a in cached_programme().assessments}


@bp.get("/")
@launch_required(TEACHER)
def index():
    """Every participant of the cohort, one row per assessment, with the sync status."""
    cohort = launch_cohort()
    messages = get_flashed_messages(with_categories=True)
    if cohort is None:
        return render_template("grades/index.html", cohort=None, messages=messages)
    session = get_session()
    assessment = request.args.get("assessment") or None
    if assessment not in (None, *assessment_ids()):
        assessment = None
    statuses = sync_statuses(session, cohort.id, assessment)
    courses = cohort_courses(session, cohort.id)
    without_ags = [c for c in courses
                   if not (session.get(Course, c.course_id).lineitems_url or "")]
    return render_template("grades/index.html", cohort=cohort, statuses=statuses,
                           messages=messages, titles=_assessment_titles(),
                           assessment=assessment, without_ags=without_ags)


@bp.post("/resend")
@csrf.exempt  # checked below, once the launch and role are: refusals come in that order
@launch_required(TEACHER)
def resend():
    """Queue the latest published grade of one person and assessment again (new timestamp)."""
    csrf.protect()
    cohort = launch_cohort()
    session = get_session()
    try:
        user_id = int(request.form.get("user_id", ""))
    except ValueError:
        abort(400)
    assessment_id = request.form.get("assessment_id", "")
    if cohort is None or not is_cohort_member(session, cohort.id, user_id):
        # Someone of another cohort, or no cohort: as if they did not exist.
        abort(404)
    if assessment_id not in assessment_ids():
        abort(400)
    try:
        resend_grade(session, user_id, assessment_id, requested_by_id=g.launch.user_id)
    except GradeError:
        session.rollback()
        flash(_("There is no published grade to send again for this person and assessment, "
                "or it is being sent right now."), "error")
    else:
        session.commit()
        request_sync()
        flash(_("The grade will be sent again in a moment."), "success")
    return redirect(launch_url("grades.index"), code=303)
