"""The participant's reflective report: choose entries, write the synthesis, submit before
the deadline, read and download the submitted versions."""
from __future__ import annotations

from flask import (Blueprint, abort, flash, g, get_flashed_messages, redirect, render_template,
                   request)

from lti_tool.accounts.roles import PARTICIPANT, TEACHER, at_least
from lti_tool.cohorts.access import launch_cohort
from lti_tool.cohorts.models import Cohort
from lti_tool.db import get_session
from lti_tool.i18n import gettext as _
from lti_tool.reports.export import export_response, local_datetime
from lti_tool.reports.models import DRAFT, SUBMITTED, ReportSubmission
from lti_tool.reports.services import (ReportError, build_snapshot, latest_version,
                                       published_entries, rating_pairs, report_deadline,
                                       report_versions, save_draft, selected_entry_ids,
                                       snapshot_of, submission_open, submit_report)
from lti_tool.sessions import launch_required, launch_url
from programme import cached_programme

bp = Blueprint("reports", __name__, url_prefix="/report")


@bp.app_template_filter("local_datetime")
def _local_datetime_filter(value, with_time: bool = True) -> str:
    return local_datetime(value, with_time)


def error_message(error: ReportError) -> str:
    """What a refused report operation tells the participant, in their language."""
    if error.code == "deadline_passed":
        deadline = report_deadline(get_session(), g.cohort.id)
        return _("The deadline (%(date)s) has passed: the report can no longer be submitted. "
                 "If you need to submit it, ask your teacher to reopen it or to move the "
                 "deadline.", date=local_datetime(deadline.due_at) if deadline else "")
    messages = {
        "already_submitted": _("Your report is submitted and awaits the jury. To change it, "
                               "ask your teacher to reopen it."),
        "nothing_to_submit": _("Write your synthesis and save it before submitting."),
        "synthesis_missing": _("Write the synthesis of your report before submitting it."),
        "synthesis_too_long": _("The synthesis is too long."),
        "entry_not_available": _("One of the chosen entries is no longer published. Check "
                                 "your choice and try again."),
    }
    return messages.get(error.code, error.detail)


def _teachers_go_to_progress():
    """Teachers have no report of their own: the submissions list is on the progress pages."""
    if at_least(g.launch.role, TEACHER):
        return redirect(launch_url("progress.index"), 303)
    return None


def _chosen_entry_ids() -> list[int]:
    """The ticked entries in the order of their position fields (ties keep the page order)."""
    ticked = []
    for index, value in enumerate(request.form.getlist("include")):
        try:
            entry_id = int(value)
        except ValueError:
            abort(400)
        position = request.form.get(f"position-{entry_id}", type=int)
        ticked.append((position if position is not None else 10_000, index, entry_id))
    return [entry_id for _position, _index, entry_id in sorted(ticked)]


def _editor_page(cohort: Cohort, errors: dict[str, str] | None = None,
                 synthesis: str | None = None, chosen: list[int] | None = None,
                 status: int = 200):
    session = get_session()
    user_id = g.launch.user_id
    versions = report_versions(session, cohort.id, user_id)
    latest = versions[-1] if versions else None
    entries = published_entries(session, user_id)
    chosen = chosen if chosen is not None else selected_entry_ids(latest)
    order = {entry_id: position for position, entry_id in enumerate(chosen, start=1)}
    # Chosen entries first, in the chosen order; then the others, newest first (stable sort).
    entries.sort(key=lambda e: order.get(e.id, len(order) + 1))
    deadline = report_deadline(session, cohort.id)
    return render_template(
        "reports/edit.html", cohort=cohort, versions=versions, latest=latest,
        entries=entries, order=order, deadline=deadline,
        may_edit=latest is None or latest.status != SUBMITTED,
        may_submit=submission_open(session, cohort.id, user_id),
        synthesis=synthesis if synthesis is not None else (latest.synthesis_html if latest else ""),
        rated_count=len(rating_pairs(session, user_id)), errors=errors or {},
        messages=get_flashed_messages(with_categories=True)), status


def _no_cohort_page():
    return render_template("reports/no_cohort.html"), 409


@bp.get("/")
@launch_required(PARTICIPANT)
def edit():
    redirect_teacher = _teachers_go_to_progress()
    if redirect_teacher:
        return redirect_teacher
    cohort = launch_cohort()
    if cohort is None:
        return _no_cohort_page()
    g.cohort = cohort
    return _editor_page(cohort)


@bp.post("/")
@launch_required(PARTICIPANT)
def save():
    redirect_teacher = _teachers_go_to_progress()
    if redirect_teacher:
        return redirect_teacher
    cohort = launch_cohort()
    if cohort is None:
        return _no_cohort_page()
    g.cohort = cohort
    session = get_session()
    synthesis = request.form.get("synthesis", "")
    chosen = _chosen_entry_ids()
    action = request.form.get("action", "save")
    try:
        save_draft(session, cohort.id, g.launch.user_id, synthesis, chosen)
        if action == "submit":
            submission = submit_report(session, cohort.id, g.launch.user_id, cached_programme())
    except ReportError as error:
        session.rollback()
        field = "synthesis" if error.code.startswith("synthesis") else (
            "entries" if error.code == "entry_not_available" else "form")
        status = 409 if error.code in ("deadline_passed", "already_submitted") else 400
        return _editor_page(cohort, {field: error_message(error)}, synthesis, chosen, status)
    if action == "submit":
        flash(_("Your report is submitted (version %(version)s). The jury will read it as it "
                "is now.", version=submission.version), "success")
    else:
        flash(_("Draft saved."), "success")
    return redirect(launch_url("reports.edit"), 303)


@bp.get("/preview")
@launch_required(PARTICIPANT)
def preview():
    """What the draft would look like once submitted (built now, frozen only on submission)."""
    cohort = launch_cohort()
    if cohort is None:
        return _no_cohort_page()
    session = get_session()
    latest = latest_version(session, cohort.id, g.launch.user_id)
    snapshot = build_snapshot(session, cohort.id, g.launch.user_id,
                              latest.synthesis_html if latest else "",
                              selected_entry_ids(latest), cached_programme())
    snapshot["version"] = latest.version if latest else 1
    return render_template("reports/show.html", report=snapshot, submission=None,
                           cohort=cohort, is_preview=True)


def _own_submitted_version(version: int) -> tuple[Cohort, ReportSubmission]:
    cohort = launch_cohort()
    if cohort is None:
        abort(404)
    submission = next((candidate for candidate in
                       report_versions(get_session(), cohort.id, g.launch.user_id)
                       if candidate.version == version and candidate.status != DRAFT), None)
    if submission is None:
        abort(404)
    return cohort, submission


@bp.get("/versions/<int:version>")
@launch_required(PARTICIPANT)
def show_version(version: int):
    cohort, submission = _own_submitted_version(version)
    return render_template("reports/show.html", report=snapshot_of(submission),
                           submission=submission, cohort=cohort, is_preview=False)


@bp.get("/versions/<int:version>/report.<any(pdf, html):file_format>")
@launch_required(PARTICIPANT)
def export_version(version: int, file_format: str):
    _cohort, submission = _own_submitted_version(version)
    return export_response(snapshot_of(submission), file_format)
