"""Teachers' pages of a cohort: the progress matrix, a participant's published portfolio, the
report deadline, and the submitted reports (read, download, reopen).

A teacher reaches only the cohort of the course she launched from (any other cohort id answers
404, as if it did not exist), and only participants of that cohort; drafts are never shown.
"""
from __future__ import annotations

from datetime import datetime

from flask import (Blueprint, abort, flash, g, get_flashed_messages, redirect, render_template,
                   request)
from babel.numbers import get_decimal_symbol
from flask_babel import get_locale

from lti_tool.accounts.models import User
from lti_tool.accounts.roles import TEACHER
from lti_tool.cohorts.models import Cohort
from lti_tool.cohorts.access import requested_cohort
from lti_tool.cohorts.services import cohort_for_course
from lti_tool.db import get_session
from lti_tool.i18n import gettext as _
from lti_tool.progress.services import (is_cohort_participant, progress_matrix, published_entry,
                                        published_entries_of)
from lti_tool.reports.export import DISPLAY_TIMEZONE, export_response, local_datetime
from lti_tool.reports.services import (ReportError, rating_pairs, reopen_report,
                                       report_deadline, report_versions, set_report_deadline,
                                       snapshot_of, submitted_version, submitted_versions)
from lti_tool.sessions import launch_required, launch_url
from programme import cached_programme

bp = Blueprint("progress", __name__, url_prefix="/progress")

DEADLINE_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


def _cohort_participant(cohort: Cohort, user_id: int) -> User:
    """A participant of the teacher's cohort (404 for anyone else)."""
    session = get_session()
    if not is_cohort_participant(session, cohort.id, user_id):
        abort(404)
    return session.get(User, user_id)


@bp.get("/")
@launch_required(TEACHER)
def index():
    course_id = g.launch.course_id
    cohort = cohort_for_course(get_session(), course_id) if course_id else None
    if cohort is None:
        return render_template("progress/no_cohort.html"), 409
    return redirect(launch_url("progress.matrix", cohort_id=cohort.id), 303)


@bp.get("/<int:cohort_id>")
@launch_required(TEACHER)
def matrix(cohort_id: int):
    cohort = requested_cohort(cohort_id)
    # One look-up of the decimal sign rather than a full number formatting per cell.
    return render_template("progress/matrix.html", cohort=cohort,
                           matrix=progress_matrix(get_session(), cohort.id, cached_programme()),
                           decimal_symbol=get_decimal_symbol(str(get_locale())),
                           messages=get_flashed_messages(with_categories=True))


@bp.get("/<int:cohort_id>/participants/<int:user_id>")
@launch_required(TEACHER)
def participant(cohort_id: int, user_id: int):
    cohort = requested_cohort(cohort_id)
    person = _cohort_participant(cohort, user_id)
    session = get_session()
    programme = cached_programme()
    pairs = rating_pairs(session, user_id)
    versions = [v for v in report_versions(session, cohort.id, user_id) if not v.is_draft]
    return render_template("progress/participant.html", cohort=cohort, person=person,
                           programme=programme, pairs=pairs,
                           entries=published_entries_of(session, user_id), versions=versions)


@bp.get("/<int:cohort_id>/participants/<int:user_id>/entries/<int:entry_id>")
@launch_required(TEACHER)
def entry(cohort_id: int, user_id: int, entry_id: int):
    cohort = requested_cohort(cohort_id)
    person = _cohort_participant(cohort, user_id)
    found = published_entry(get_session(), user_id, entry_id)
    if found is None:
        abort(404)
    return render_template("progress/entry.html", cohort=cohort, person=person, entry=found,
                           programme=cached_programme())


def _parse_deadline(text: str) -> datetime | None:
    """``2027-06-15T23:59`` (a datetime-local field) in Brussels time, as an aware datetime."""
    try:
        naive = datetime.strptime((text or "").strip()[:16], DEADLINE_INPUT_FORMAT)
    except ValueError:
        return None
    return naive.replace(tzinfo=DISPLAY_TIMEZONE)


def _deadline_page(cohort: Cohort, error: str | None = None, value: str | None = None,
                   status: int = 200):
    deadline = report_deadline(get_session(), cohort.id)
    if value is None and deadline is not None:
        value = deadline.due_at.astimezone(DISPLAY_TIMEZONE).strftime(DEADLINE_INPUT_FORMAT)
    return render_template("progress/deadline.html", cohort=cohort, deadline=deadline,
                           error=error, value=value or "",
                           messages=get_flashed_messages(with_categories=True)), status


@bp.get("/<int:cohort_id>/deadline")
@launch_required(TEACHER)
def deadline(cohort_id: int):
    return _deadline_page(requested_cohort(cohort_id))


@bp.post("/<int:cohort_id>/deadline")
@launch_required(TEACHER)
def set_deadline(cohort_id: int):
    cohort = requested_cohort(cohort_id)
    text = request.form.get("due_at", "")
    due_at = _parse_deadline(text)
    if due_at is None:
        return _deadline_page(cohort, _("Give the date and time of the deadline, for example "
                                        "2027-06-15 23:59."), text, 400)
    set_report_deadline(get_session(), cohort.id, due_at, g.launch.user_id)
    flash(_("Deadline set to %(date)s.", date=local_datetime(due_at)), "success")
    return redirect(launch_url("progress.deadline", cohort_id=cohort.id), 303)


@bp.get("/<int:cohort_id>/reports")
@launch_required(TEACHER)
def reports(cohort_id: int):
    cohort = requested_cohort(cohort_id)
    session = get_session()
    return render_template("progress/reports.html", cohort=cohort,
                           submissions=submitted_versions(session, cohort.id),
                           deadline=report_deadline(session, cohort.id),
                           messages=get_flashed_messages(with_categories=True))


def _submission(cohort: Cohort, submission_id: int):
    submission = submitted_version(get_session(), cohort.id, submission_id)
    if submission is None:
        abort(404)
    return submission


@bp.get("/<int:cohort_id>/reports/<int:submission_id>")
@launch_required(TEACHER)
def report(cohort_id: int, submission_id: int):
    cohort = requested_cohort(cohort_id)
    submission = _submission(cohort, submission_id)
    return render_template("progress/report.html", cohort=cohort, submission=submission,
                           report=snapshot_of(submission))


@bp.get("/<int:cohort_id>/reports/<int:submission_id>/report.<any(pdf, html):file_format>")
@launch_required(TEACHER)
def export_report(cohort_id: int, submission_id: int, file_format: str):
    cohort = requested_cohort(cohort_id)
    return export_response(snapshot_of(_submission(cohort, submission_id)), file_format)


@bp.post("/<int:cohort_id>/reports/<int:submission_id>/reopen")
@launch_required(TEACHER)
def reopen(cohort_id: int, submission_id: int):
    cohort = requested_cohort(cohort_id)
    try:
        submission = reopen_report(get_session(), cohort.id, submission_id, g.launch.user_id)
    except ReportError as error:
        if error.code == "no_submission":
            abort(404)
        flash(_("Only the newest submitted version of a report can be reopened."), "error")
    else:
        person = get_session().get(User, submission.user_id)
        flash(_("The report of %(name)s is reopened: they may submit it again.",
                name=person.display_name), "success")
    return redirect(launch_url("progress.reports", cohort_id=cohort.id), 303)
