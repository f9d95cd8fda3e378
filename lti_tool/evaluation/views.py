"""Evaluation pages: teachers organise (groups, juries, assignments) and follow (statistics,
audit log, final grades); jurors score blind, deliberate and, as chair, agree and publish;
participants read their published results. Every page needs a launch from a course of a cohort
and only ever shows that cohort's data."""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, g, get_flashed_messages, redirect,
                   render_template, request)
from flask_babel import format_datetime, format_decimal

from lti_tool.accounts.roles import GUEST, TEACHER, at_least
from lti_tool.cohorts.access import launch_cohort, requested_cohort
from lti_tool.cohorts.models import Cohort
from lti_tool.db import get_session
from lti_tool.evaluation import organisation, results, scoring
from lti_tool.evaluation.audit import cohort_events
from lti_tool.evaluation.errors import EvaluationError
from lti_tool.evaluation.models import VISIBILITY_JURY, Assignment
from lti_tool.grades.services import GradeError, request_sync
from lti_tool.i18n import gettext as _
from lti_tool.sessions import launch_required, launch_url
from lti_tool.targets.views import show as target_landing
from programme import cached_programme
from rubrics import load_rubric
from rubrics.render import rubric_table

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")


@bp.app_template_filter("evaluation_number")
def evaluation_number(value) -> str:
    """A number the way the page's language writes it (12,5 in French)."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0.##")


@bp.app_template_filter("evaluation_fixed")
def evaluation_fixed(value: float, digits: int = 2, signed: bool = False) -> str:
    """A measure with a fixed number of decimals (``+0,25`` with ``signed``)."""
    pattern = "0." + "0" * digits
    return format_decimal(value, format=f"+{pattern};-{pattern}" if signed else pattern)


@bp.app_template_filter("evaluation_when")
def evaluation_when(value) -> str:
    return format_datetime(value, "short") if value else ""


def error_message(error: EvaluationError) -> str:
    p = error.params
    messages = {
        "unknown_assessment": _("This assessment does not exist."),
        "group_size": _("A group has %(minimum)s to %(maximum)s people.",
                        minimum=p.get("minimum", 2), maximum=p.get("maximum", 3)),
        "not_a_participant": _("Choose participants of the cohort only."),
        "already_in_group": _("Already in a group: %(names)s. A person belongs to one group "
                              "at most.", names=p.get("names", "")),
        "no_group": _("This group does not exist."),
        "group_assigned": _("A jury is assigned to this group: it can no longer be dissolved."),
        "jury_size": _("A jury has %(size)s members: choose exactly %(size)s jurors.",
                       size=p.get("size", organisation.JURY_SIZE)),
        "not_a_juror": _("Choose jurors appointed in this cohort only."),
        "chair_missing": _("Choose the chair among the jury's members."),
        "name_too_long": _("The name is too long (200 characters at most)."),
        "unknown_candidate": _("This candidate is not part of the assessment."),
        "no_jury": _("This jury does not exist."),
        "juror_is_candidate": _("%(name)s sits on this jury: choose another jury.",
                                name=p.get("name", "")),
        "scoring_started": _("The jury of %(name)s has started scoring: it can no longer "
                             "change.", name=p.get("name", "")),
        "already_submitted": _("Your scores are already submitted and can no longer change."),
        "unknown_criterion": _("This criterion is not in the rubric."),
        "not_a_level": _("%(criterion)s: choose one of the levels.",
                         criterion=p.get("criterion", "")),
        "bad_visibility": _("Choose who may read the comment."),
        "comment_too_long": _("%(criterion)s: the comment is too long (%(maximum)s characters "
                              "at most).", criterion=p.get("criterion", ""),
                              maximum=p.get("maximum", "")),
        "incomplete": _("Choose a level for every criterion before submitting. Missing: "
                        "%(criteria)s.", criteria=p.get("criteria", "")),
        "blind_phase": _("Submit your own scores first: the other jurors' scores stay hidden "
                         "until then."),
        "not_the_chair": _("Only the chair of the jury records its decisions."),
        "jurors_pending": _("Every juror must submit their scores first."),
        "justification_missing": _("Give a justification.") if not p.get("criterion") else _(
            "%(criterion)s: give a justification.", criterion=p.get("criterion", "")),
        "justification_too_long": _("%(criterion)s: the justification is too long.",
                                    criterion=p.get("criterion", "")),
        "not_agreed": _("Agree on a level for every criterion before publishing."),
        "adjustment_for_stranger": _("Adjust only the grades of the group's members."),
        "adjustment_individual": _("Individual adjustments are for group members only."),
        "adjustment_too_large": _("An adjustment cannot exceed %(maximum)s points.",
                                  maximum=p.get("maximum", "")),
        "bad_number": _("Write the number with digits, for example 1 or -0.5."),
    }
    return messages.get(error.code, error.detail)


def _assessment_title(assessment_id: str) -> str:
    return organisation.assessment_or_error(assessment_id).title


def _is_teacher() -> bool:
    return at_least(g.launch.role, TEACHER)


def _teacher_cohort(cohort_id: int) -> Cohort:
    """The launch's cohort, provided it is the one asked for and the launch is a teacher's."""
    if not _is_teacher():
        abort(403)
    return requested_cohort(cohort_id)


def _assessment(assessment_id: str):
    try:
        return organisation.assessment_or_error(assessment_id)
    except EvaluationError:
        abort(404)


def _juror_assignment(assignment_id: int) -> Assignment:
    """An assignment of the launch's cohort on whose jury the launched user sits (else 403)."""
    cohort = launch_cohort()
    session = get_session()
    assignment = session.get(Assignment, assignment_id)
    if cohort is None or assignment is None or assignment.cohort_id != cohort.id:
        abort(404)
    if scoring.membership(session, assignment, g.launch.user_id) is None:
        abort(403)
    return assignment


def _threshold() -> int:
    return int(current_app.config.get("EVALUATION_DIVERGENCE_LEVELS",
                                      scoring.DEFAULT_DIVERGENCE_LEVELS))


def _messages():
    return get_flashed_messages(with_categories=True)


# ---- Teachers: organisation ---------------------------------------------------------------

@bp.get("/")
@launch_required()
def index():
    cohort = launch_cohort()
    if cohort is not None and _is_teacher():
        return redirect(launch_url("evaluation.overview", cohort_id=cohort.id), 303)
    return redirect(launch_url("evaluation.my_results"), 303)


@bp.get("/cohort/<int:cohort_id>")
@launch_required(TEACHER)
def overview(cohort_id: int):
    cohort = _teacher_cohort(cohort_id)
    return render_template("evaluation/overview.html", cohort=cohort,
                           assessments=cached_programme().assessments, messages=_messages())


@bp.get("/cohort/<int:cohort_id>/groups")
@launch_required(TEACHER)
def groups(cohort_id: int):
    cohort = _teacher_cohort(cohort_id)
    return _render_groups(cohort)


def _render_groups(cohort: Cohort, error: str | None = None, chosen: set[int] | None = None,
                   status: int = 200):
    session = get_session()
    grouped = {m.user_id for group in organisation.cohort_groups(session, cohort.id)
               for m in group.members}
    return render_template(
        "evaluation/groups.html", cohort=cohort,
        groups=organisation.cohort_groups(session, cohort.id),
        participants=organisation.cohort_participants(session, cohort.id), grouped=grouped,
        error=error, chosen=chosen or set(), messages=_messages()), status


@bp.post("/cohort/<int:cohort_id>/groups")
@launch_required(TEACHER)
def create_group(cohort_id: int):
    cohort = _teacher_cohort(cohort_id)
    member_ids = request.form.getlist("member", type=int)
    try:
        group = organisation.create_group(get_session(), cohort.id, member_ids,
                                          g.launch.user_id)
    except EvaluationError as error:
        return _render_groups(cohort, error_message(error), set(member_ids), 400)
    flash(_("Group formed: %(name)s.", name=group.name), "success")
    return redirect(launch_url("evaluation.groups", cohort_id=cohort.id), 303)


@bp.post("/cohort/<int:cohort_id>/groups/<int:group_id>/delete")
@launch_required(TEACHER)
def delete_group(cohort_id: int, group_id: int):
    cohort = _teacher_cohort(cohort_id)
    try:
        organisation.delete_group(get_session(), cohort.id, group_id)
    except EvaluationError as error:
        flash(error_message(error), "error")
    else:
        flash(_("Group dissolved."), "success")
    return redirect(launch_url("evaluation.groups", cohort_id=cohort.id), 303)


def _render_juries(cohort: Cohort, error: str | None = None, chosen: set[int] | None = None,
                   chair: int | None = None, name: str = "", status: int = 200):
    session = get_session()
    return render_template(
        "evaluation/juries.html", cohort=cohort,
        juries=organisation.cohort_juries(session, cohort.id),
        jurors=organisation.cohort_juror_people(session, cohort.id),
        jury_size=organisation.JURY_SIZE, error=error, chosen=chosen or set(), chair=chair,
        name=name, messages=_messages()), status


@bp.get("/cohort/<int:cohort_id>/juries")
@launch_required(TEACHER)
def juries(cohort_id: int):
    return _render_juries(_teacher_cohort(cohort_id))


@bp.post("/cohort/<int:cohort_id>/juries")
@launch_required(TEACHER)
def create_jury(cohort_id: int):
    cohort = _teacher_cohort(cohort_id)
    member_ids = request.form.getlist("member", type=int)
    chair_id = request.form.get("chair", type=int)
    name = request.form.get("name", "")
    try:
        jury = organisation.create_jury(get_session(), cohort.id, member_ids, chair_id,
                                        g.launch.user_id, name)
    except EvaluationError as error:
        return _render_juries(cohort, error_message(error), set(member_ids), chair_id, name, 400)
    flash(_("Jury formed: %(name)s.", name=jury.name), "success")
    return redirect(launch_url("evaluation.juries", cohort_id=cohort.id), 303)


def _render_assessment(cohort: Cohort, assessment, error: str | None = None, status: int = 200):
    session = get_session()
    return render_template(
        "evaluation/assessment.html", cohort=cohort, assessment=assessment,
        rows=organisation.candidate_assignments(session, cohort.id, assessment),
        juries=organisation.cohort_juries(session, cohort.id), error=error,
        jury_size=organisation.JURY_SIZE, messages=_messages()), status


@bp.get("/cohort/<int:cohort_id>/assessment/<assessment_id>")
@launch_required(TEACHER)
def assessment(cohort_id: int, assessment_id: str):
    cohort = _teacher_cohort(cohort_id)
    return _render_assessment(cohort, _assessment(assessment_id))


@bp.post("/cohort/<int:cohort_id>/assessment/<assessment_id>")
@launch_required(TEACHER)
def assign(cohort_id: int, assessment_id: str):
    cohort = _teacher_cohort(cohort_id)
    chosen_assessment = _assessment(assessment_id)
    choices: dict[str, int | None] = {}
    for key in request.form.getlist("candidate"):
        value = request.form.get(f"jury-{key}", "")
        choices[key] = int(value) if value.isdigit() else None
    try:
        changed = organisation.assign_juries(get_session(), cohort.id, chosen_assessment,
                                             choices, g.launch.user_id)
    except EvaluationError as error:
        return _render_assessment(cohort, chosen_assessment, error_message(error), 400)
    flash(_("Juries saved (%(count)s change(s)).", count=changed), "success")
    return redirect(launch_url("evaluation.assessment", cohort_id=cohort.id,
                               assessment_id=assessment_id), 303)


@bp.get("/cohort/<int:cohort_id>/statistics")
@launch_required(TEACHER)
def statistics(cohort_id: int):
    cohort = _teacher_cohort(cohort_id)
    return render_template("evaluation/statistics.html", cohort=cohort,
                           statistics=results.agreement_statistics(get_session(), cohort.id))


@bp.get("/cohort/<int:cohort_id>/audit")
@launch_required(TEACHER)
def audit(cohort_id: int):
    cohort = _teacher_cohort(cohort_id)
    return render_template("evaluation/audit.html", cohort=cohort,
                           events=cohort_events(get_session(), cohort.id))


@bp.get("/cohort/<int:cohort_id>/grades")
@launch_required(TEACHER)
def grades(cohort_id: int):
    cohort = _teacher_cohort(cohort_id)
    return render_template("evaluation/grades.html", cohort=cohort,
                           assessments=cached_programme().assessments,
                           rows=results.certificate_overview(get_session(), cohort.id))


# ---- Jurors: scoring, deliberation, agreement, publication --------------------------------

@bp.get("/jury/<assessment_id>")
@launch_required()
def juror_list(assessment_id: str):
    chosen = _assessment(assessment_id)
    cohort = launch_cohort()
    if cohort is None:
        abort(404)
    tasks = scoring.juror_tasks(get_session(), cohort.id, g.launch.user_id, chosen.id)
    return render_template("evaluation/juror_list.html", cohort=cohort, assessment=chosen,
                           tasks=tasks, is_teacher=_is_teacher(), messages=_messages())


def _form_entries(rubric) -> dict[str, scoring.ScoreEntry]:
    entries = {}
    for criterion in rubric.criteria:
        entries[criterion.id] = scoring.ScoreEntry(
            points=scoring.parse_points(request.form.get(f"points-{criterion.id}")),
            comment=request.form.get(f"comment-{criterion.id}", ""),
            visibility=request.form.get(f"visibility-{criterion.id}", VISIBILITY_JURY))
    return entries


def _render_score(assignment: Assignment, entries=None, error: str | None = None,
                  status: int = 200):
    session = get_session()
    rubric = load_rubric(assignment.assessment_id)
    if entries is None:
        entries = {cid: scoring.ScoreEntry(s.points, s.comment, s.visibility)
                   for cid, s in scoring.own_scores(session, assignment.id,
                                                    g.launch.user_id).items()}
    submitted = g.launch.user_id in scoring.submitted_juror_ids(session, assignment.id)
    return render_template(
        "evaluation/score.html", assignment=assignment, rubric=rubric,
        table=rubric_table(rubric), entries=entries, submitted=submitted,
        candidate=organisation.candidate_name(session, assignment),
        assessment_title=_assessment_title(assignment.assessment_id), error=error,
        messages=_messages()), status


@bp.get("/score/<int:assignment_id>")
@launch_required()
def score(assignment_id: int):
    return _render_score(_juror_assignment(assignment_id))


@bp.post("/score/<int:assignment_id>")
@launch_required()
def save_score(assignment_id: int):
    assignment = _juror_assignment(assignment_id)
    rubric = load_rubric(assignment.assessment_id)
    submit = request.form.get("action") == "submit"
    try:
        entries = _form_entries(rubric)
    except EvaluationError as error:
        return _render_score(assignment, None, error_message(error), 400)
    try:
        scoring.save_scores(get_session(), assignment, g.launch.user_id, entries, submit)
    except EvaluationError as error:
        get_session().rollback()
        return _render_score(assignment, entries, error_message(error), 400)
    if submit:
        flash(_("Scores submitted. You can now see the other jurors' scores."), "success")
        return redirect(launch_url("evaluation.deliberation", assignment_id=assignment.id), 303)
    flash(_("Scores saved. You can change them until you submit."), "success")
    return redirect(launch_url("evaluation.score", assignment_id=assignment.id), 303)


def _render_deliberation(assignment: Assignment, error: str | None = None, status: int = 200):
    session = get_session()
    try:
        view = scoring.deliberation(session, assignment, g.launch.user_id, _threshold())
    except EvaluationError as refusal:
        flash(error_message(refusal), "error")
        return redirect(launch_url("evaluation.score", assignment_id=assignment.id), 303)
    return render_template(
        "evaluation/deliberation.html", view=view,
        assessment_title=_assessment_title(assignment.assessment_id), error=error,
        form=request.form if request.method == "POST" else None,
        messages=_messages()), status


@bp.get("/deliberation/<int:assignment_id>")
@launch_required()
def deliberation(assignment_id: int):
    return _render_deliberation(_juror_assignment(assignment_id))


@bp.post("/deliberation/<int:assignment_id>/agree")
@launch_required()
def agree(assignment_id: int):
    assignment = _juror_assignment(assignment_id)
    rubric = load_rubric(assignment.assessment_id)
    try:
        entries = {c.id: (scoring.parse_points(request.form.get(f"agreed-{c.id}")),
                          request.form.get(f"justification-{c.id}", ""))
                   for c in rubric.criteria}
        scoring.record_agreement(get_session(), assignment, g.launch.user_id, entries)
    except EvaluationError as error:
        get_session().rollback()
        if error.code in ("not_the_chair",):
            abort(403)
        return _render_deliberation(assignment, error_message(error), 400)
    flash(_("Agreed levels recorded."), "success")
    return redirect(launch_url("evaluation.deliberation", assignment_id=assignment.id), 303)


@bp.post("/deliberation/<int:assignment_id>/publish")
@launch_required()
def publish(assignment_id: int):
    assignment = _juror_assignment(assignment_id)
    session = get_session()
    try:
        adjustments = {}
        for user_id in organisation.persons_concerned(session, assignment):
            points = scoring.parse_points(request.form.get(f"adjust-{user_id}"))
            if points:
                adjustments[user_id] = scoring.Adjustment(
                    points, request.form.get(f"adjust-why-{user_id}", ""))
        scoring.publish_result(session, assignment, g.launch.user_id, adjustments)
    except EvaluationError as error:
        session.rollback()
        if error.code in ("not_the_chair",):
            abort(403)
        return _render_deliberation(assignment, error_message(error), 400)
    except GradeError as error:
        # The gradebook queue refused a grade: nothing was published (one transaction).
        current_app.logger.warning("grade not queued for assignment %s: %s", assignment.id,
                                   error)
        return _render_deliberation(assignment, _(
            "The grade could not be queued for the gradebook, so nothing was published. "
            "Try again; if it persists, tell the platform's administrator."), 409)
    _request_grade_sync()
    flash(_("Result published. The grade is on its way to each participant's gradebook."),
          "success")
    return redirect(launch_url("evaluation.deliberation", assignment_id=assignment.id), 303)


def _request_grade_sync() -> None:
    """Wake the grade sync after the commit (best effort: the outbox guarantees delivery)."""
    request_sync(current_app._get_current_object())


# ---- Participants: results and certificate -------------------------------------------------

@bp.get("/result/<assessment_id>")
@launch_required()
def result(assessment_id: str):
    chosen = _assessment(assessment_id)
    cohort = launch_cohort()
    outcome = (results.participant_result(get_session(), cohort.id, g.launch.user_id, chosen.id)
               if cohort else None)
    return render_template("evaluation/result.html", assessment=chosen, result=outcome,
                           rating_max=results.RATING_MAX)


@bp.get("/results")
@launch_required()
def my_results():
    cohort = launch_cohort()
    grades_by_assessment, certificate = ({}, None)
    if cohort is not None:
        grades_by_assessment, certificate = results.certificate_for(get_session(), cohort.id,
                                                                    g.launch.user_id)
    return render_template("evaluation/my_results.html", cohort=cohort,
                           assessments=cached_programme().assessments,
                           grades=grades_by_assessment, certificate=certificate)


# ---- The assessment launch targets ----------------------------------------------------------

launch_bp = Blueprint("evaluation_launch", __name__, url_prefix="/app")


@launch_bp.get("/assessment/<assessment_id>")
@launch_required()
def assessment_target(assessment_id: str):
    """A juror goes to their scoring list, a teacher to the assessment's organisation page, a
    participant to their published result (or "not yet published")."""
    chosen = _assessment(assessment_id)
    cohort = launch_cohort()
    if cohort is None or g.launch.role == GUEST:
        # Outside a cohort, or for a guest, the target's own landing page says where they are.
        return target_landing(f"assessment/{chosen.id}")
    session = get_session()
    if scoring.juror_tasks(session, cohort.id, g.launch.user_id, chosen.id):
        return redirect(launch_url("evaluation.juror_list", assessment_id=chosen.id), 303)
    if _is_teacher():
        return redirect(launch_url("evaluation.assessment", cohort_id=cohort.id,
                                   assessment_id=chosen.id), 303)
    return redirect(launch_url("evaluation.result", assessment_id=chosen.id), 303)

