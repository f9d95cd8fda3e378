"""Cohort pages for teachers: create or join a cohort, see its courses and members, import
rosters and appoint jurors. A teacher only ever reaches the cohort of the course she launched
from; any other cohort id answers 404, as if it did not exist."""
from __future__ import annotations

from flask import (Blueprint, abort, flash, g, get_flashed_messages, redirect, render_template,
                   request)

from lti_tool.accounts.models import Course
from lti_tool.accounts.roles import TEACHER, at_least
from lti_tool.accounts.services import LaunchContext
from lti_tool.cohorts.access import requested_cohort
from lti_tool.cohorts.rosters import (RosterImport, import_cohort_rosters, roster_sync_due_now,
                                      sync_roster_if_due)
from lti_tool.cohorts.services import (CohortError, appoint_juror, cohort_courses,
                                       cohort_for_course, cohort_jurors, cohort_members,
                                       create_cohort, format_join_code, join_cohort,
                                       remove_juror)
from lti_tool.db import get_session
from lti_tool.i18n import gettext as _
from lti_tool.lti.services import launch_recorded
from lti_tool.sessions import launch_required, launch_url

bp = Blueprint("cohorts", __name__, url_prefix="/cohort")


def error_message(error: CohortError) -> str:
    messages = {
        "name_missing": _("Give the cohort a name, for example 2026-2027."),
        "name_too_long": _("The name is too long (200 characters at most)."),
        "unknown_code": _("No cohort has this join code. Check the code and try again."),
        "already_joined": _("Your course is already part of this cohort."),
        "course_in_cohort": _("Your course is already part of a cohort."),
        "not_a_member": _("This person is not a member of the cohort."),
        "no_course": _("Open the tool from a course to manage its cohort."),
    }
    return messages.get(error.code, error.detail)


def roster_message(outcome: RosterImport) -> tuple[str, str]:
    """The (category, message) telling a teacher what a roster import did, in her language."""
    course = f"{outcome.course_title} ({outcome.university})"
    if outcome.no_roster_service:
        return "warning", _(
            "%(course)s: the platform gives no participant list (roster service) for this "
            "course yet. In Moodle it appears once the course holds an activity of this tool "
            "added from the activity chooser or with \"Select content\" (Deep Linking); links "
            "imported from the course cartridge do not provide it. Until then, participants "
            "appear here when they open the tool.", course=course)
    if outcome.error is not None:
        if outcome.error_status:
            return "error", _(
                "%(course)s: the platform refused to give the participant list (HTTP "
                "%(status)s). Try again later; if it persists, ask the platform's administrator.",
                course=course, status=outcome.error_status)
        return "error", _("%(course)s: the platform could not be reached. Try again later.",
                          course=course)
    return "success", _("%(course)s: %(count)s people on the roster, %(new)s of them new.",
                        course=course, count=outcome.members,
                        new=outcome.new_people)


@launch_recorded.connect
def sync_roster_after_teacher_launch(_app, context: LaunchContext) -> None:
    """A teacher's launch imports the course roster when it is due."""
    if context.course_id and at_least(context.role, TEACHER):
        sync_roster_if_due(context.course_id)


def _launch_course() -> Course | None:
    return get_session().get(Course, g.launch.course_id) if g.launch.course_id else None


def _render_index(course: Course | None, errors: dict[str, str] | None = None,
                  values: dict[str, str] | None = None, status: int = 200):
    return render_template("cohorts/index.html", course=course, errors=errors or {},
                           values=values or {}), status


@bp.get("/")
@launch_required(TEACHER)
def index():
    course = _launch_course()
    if course is not None:
        cohort = cohort_for_course(get_session(), course.id)
        if cohort is not None:
            return redirect(launch_url("cohorts.show", cohort_id=cohort.id), 303)
    return _render_index(course)


@bp.post("/create")
@launch_required(TEACHER)
def create():
    course = _launch_course()
    if course is None:
        return _render_index(None, status=400)
    name = request.form.get("name", "")
    try:
        cohort = create_cohort(get_session(), course.id, g.launch.user_id, name)
    except CohortError as error:
        status = 409 if error.code == "course_in_cohort" else 400
        return _render_index(course, {"name": error_message(error)}, {"name": name}, status)
    roster_sync_due_now(course.id)
    flash(_("Cohort created. Give its join code to the teachers of the other universities."),
          "success")
    return redirect(launch_url("cohorts.show", cohort_id=cohort.id), 303)


@bp.post("/join")
@launch_required(TEACHER)
def join():
    course = _launch_course()
    if course is None:
        return _render_index(None, status=400)
    code = request.form.get("code", "")
    try:
        cohort = join_cohort(get_session(), course.id, g.launch.user_id, code)
    except CohortError as error:
        status = 409 if error.code in ("course_in_cohort", "already_joined") else 400
        return _render_index(course, {"code": error_message(error)}, {"code": code}, status)
    roster_sync_due_now(course.id)
    flash(_("Your course has joined the cohort %(name)s.", name=cohort.name), "success")
    return redirect(launch_url("cohorts.show", cohort_id=cohort.id), 303)


@bp.get("/<int:cohort_id>")
@launch_required(TEACHER)
def show(cohort_id: int):
    cohort = requested_cohort(cohort_id)
    session = get_session()
    return render_template("cohorts/show.html", cohort=cohort,
                           join_code=format_join_code(cohort.join_code),
                           courses=cohort_courses(session, cohort.id),
                           jurors=cohort_jurors(session, cohort.id),
                           messages=get_flashed_messages(with_categories=True))


@bp.get("/<int:cohort_id>/members")
@launch_required(TEACHER)
def members(cohort_id: int):
    cohort = requested_cohort(cohort_id)
    return render_template("cohorts/members.html", cohort=cohort,
                           members=cohort_members(get_session(), cohort.id),
                           messages=get_flashed_messages(with_categories=True))


@bp.post("/<int:cohort_id>/rosters")
@launch_required(TEACHER)
def import_rosters(cohort_id: int):
    cohort = requested_cohort(cohort_id)
    for outcome in import_cohort_rosters(get_session(), cohort.id):
        category, message = roster_message(outcome)
        flash(message, category)
    return redirect(launch_url("cohorts.show", cohort_id=cohort.id), 303)


@bp.post("/<int:cohort_id>/jurors")
@launch_required(TEACHER)
def jurors(cohort_id: int):
    cohort = requested_cohort(cohort_id)
    session = get_session()
    user_id = request.form.get("user_id", type=int)
    action = request.form.get("action")
    if user_id is None or action not in ("appoint", "remove"):
        abort(400)
    if action == "appoint":
        try:
            appoint_juror(session, cohort.id, user_id, g.launch.user_id)
        except CohortError as error:
            flash(error_message(error), "error")
        else:
            flash(_("Added to the jury."), "success")
    elif remove_juror(session, cohort.id, user_id):
        flash(_("Removed from the jury."), "success")
    return redirect(launch_url("cohorts.members", cohort_id=cohort.id), 303)
