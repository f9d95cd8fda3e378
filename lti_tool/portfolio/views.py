"""The participant's portfolio pages: overview, pillars and outcomes, journals, entries with
autosave, evidence files and intervision. Views stay thin: the rules live in ``services``."""
from __future__ import annotations

import functools
from types import MappingProxyType, SimpleNamespace
from typing import Any, Mapping

from flask import (Blueprint, abort, current_app, flash, g, get_flashed_messages, jsonify,
                   redirect, render_template, request, send_file, url_for)
from flask_babel import format_datetime, get_locale, get_timezone
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from markupsafe import Markup
from wtforms import ValidationError
from wtforms.fields.choices import SelectChoice

from lti_tool import csrf
from lti_tool.accounts.roles import PARTICIPANT
from lti_tool.db import get_session
from lti_tool.i18n import gettext as _
from lti_tool.i18n import request_translations
from lti_tool.portfolio import rescue, services
from lti_tool.portfolio.chart import PillarBars, format_level, pillar_chart
from lti_tool.portfolio.forms import (CommentForm, DeleteForm, EntryForm, EvidenceForm,
                                      RatingForm, ShareForm, WithdrawForm, level_labels)
from lti_tool.portfolio.services import PortfolioError, Reader, StaleVersion
from lti_tool.sessions import TOKEN_FIELD, launch_required, launch_token, launch_url
from lti_tool.store import get_store
from lti_tool.targets.services import LaunchFacts, launch_facts
from programme import Programme, cached_programme
from programme.targets import launch_targets

bp = Blueprint("portfolio", __name__, url_prefix="/portfolio")


def error_message(error: PortfolioError) -> str:
    """The refusal in the writer's language."""
    facts = error.facts
    messages = {
        "unknown_outcome": _("This learning outcome does not exist."),
        "bad_level": _("Choose one of the four levels."),
        "justification_missing": _("Say briefly why you choose this level."),
        "justification_too_long": _("The justification is too long (2000 characters at most)."),
        "bad_kind": _("This kind of entry does not exist."),
        "bad_anchor": _("This entry cannot be attached there."),
        "title_missing": _("Give the entry a title."),
        "title_too_long": _("The title is too long (300 characters at most)."),
        "body_too_long": _("The text is too long."),
        "stale_version": _("This entry was saved elsewhere (another tab or device) since you "
                           "opened it. Your text is kept below: copy what you need, then reload "
                           "the page to see the saved version."),
        "too_large": _("The file is too large: %(size)s MiB at most.",
                       size=round(facts.get("max_bytes", 0) / 1024 / 1024, 1)),
        "empty_file": _("The file is empty."),
        "type_refused": _("This type of file is not accepted (%(type)s). Accepted: PDF, office "
                          "documents (Word, Excel, PowerPoint, OpenDocument) and PNG or JPEG "
                          "images.", type=facts.get("detected", "?")),
        "type_mismatch": _("The file's name does not match its content: its content is "
                           "%(type)s, so its name should end in .%(ext)s. The file was not kept.",
                           type=facts.get("detected", "?"), ext=facts.get("expected", "?")),
        "no_cohort": _("Sharing is possible once your teacher has joined the course to a "
                       "cohort."),
        "draft_not_shared": _("A draft cannot be shared: publish the entry first."),
        "no_recipient": _("Choose at least one person to share with."),
        "not_a_member": _("You can share only with members of your cohort."),
        "comment_too_long": _("The comment is too long."),
        "comment_empty": _("Write a comment first."),
        "bad_parent": _("This comment cannot be answered here."),
        "author_answers_only": _("As the author, you answer the comments of your colleagues."),
    }
    return messages.get(error.code, error.detail)


def _reader() -> Reader:
    session = get_session()
    return Reader(user_id=g.launch.user_id, role=g.launch.role,
                  cohort_id=services.cohort_course_of(session, g.launch.course_id),
                  course_id=g.launch.course_id)


def _programme() -> Programme:
    return cached_programme()


def _target_title(name: str) -> str:
    """The title of a launch target (the programme's own wording), as the course link shows."""
    titles = {target.name: target.title for target in launch_targets(_programme())}
    return titles.get(name, name)


def _launch_facts() -> LaunchFacts:
    return launch_facts(get_session(), g.launch)


def _decimal_comma() -> bool:
    return str(get_locale()) != "en"


def _level_names() -> Mapping[int, str]:
    return _level_names_in(request_translations())


@functools.lru_cache(maxsize=8)
def _level_names_in(_translations: Any) -> Mapping[int, str]:
    # The same on every page of one language (the catalogue is the cache's key).
    return MappingProxyType({value: str(label) for value, label in level_labels()})


def _rating_form_texts() -> SimpleNamespace:
    """What the rating forms of a page share, made once per page (a pillar holds a dozen
    forms): their texts, their hidden fields, and their address for the model outcome ``0``.
    Attributes rather than keys: Jinja reads ``t.legend`` as an attribute first."""
    return SimpleNamespace(
        hidden=Markup('<input type="hidden" name="{}" value="{}">'
                      '<input type="hidden" name="csrf_token" value="{}">').format(
            TOKEN_FIELD, launch_token(), generate_csrf()),
        action=url_for("portfolio.rate", outcome_id="0"),
        **_rating_texts_in(request_translations()))


@functools.lru_cache(maxsize=8)
def _rating_texts_in(_translations: Any) -> dict[str, str]:
    # The same on every page of one language (the catalogue is the cache's key).
    return {
        "legend": _("My level for %(id)s", id="%(id)s"),
        "justification": _("Justification"),
        "help": _("A sentence or two: what you did or learned that shows this level."),
        "record": _("Record my rating"),
        "current": _("Current level:"),
        "not_rated": _("Not rated yet."),
        "change": _("Change my rating"),
        "rate": _("Rate this outcome"),
        "history": _("History of my ratings"),
    }


def _own_entry_or_404(entry_id: int):
    try:
        return services.own_entry(get_session(), entry_id, g.launch.user_id)
    except PortfolioError:
        abort(404)


def _readable_entry_or_404(entry_id: int, reader: Reader):
    try:
        return services.readable_entry(get_session(), entry_id, reader)
    except PortfolioError:
        abort(404)


DATE_FORMATS = {"en": "%Y-%m-%d %H:%M", "fr": "%d/%m/%Y %H:%M"}


@bp.app_template_filter("when")
def _when(value) -> str:
    # strftime, not Babel's formatter: lists of 200 entries show a date each.
    if not value:
        return ""
    pattern = DATE_FORMATS.get(str(get_locale()), DATE_FORMATS["fr"])
    return value.astimezone(get_timezone()).strftime(pattern)


@bp.app_template_filter("rich_text")
def _rich_text(html: str) -> Markup:
    # Stored HTML is sanitised on the way in; cleaning again on the way out costs little.
    return Markup(services.sanitize_html(html))


@bp.app_context_processor
def _portfolio_helpers():
    return {"portfolio_messages": get_flashed_messages}


# --------------------------------------------------------------------------------------------
# Overview, pillars, outcomes


@bp.get("/")
@launch_required(PARTICIPANT)
def overview():
    programme = _programme()
    data = services.portfolio_overview(get_session(), g.launch.user_id, programme)
    none_text = _("not rated")
    chart = pillar_chart(
        [PillarBars(f"P{p.pillar.number}", p.first_mean, p.current_mean) for p in data.pillars],
        title=_("Self-assessment per pillar: first rating and now"),
        description=_("Mean level (1 to 4) of the rated learning outcomes of each pillar, at "
                      "the first rating (hatched bars) and now (solid bars). The same figures "
                      "are in the table below."),
        first_label=_("First rating"), current_label=_("Now"), none_text=none_text,
        decimal_comma=_decimal_comma())
    return render_template("portfolio/overview.html", overview=data, chart=chart,
                           heading=_target_title("portfolio"), facts=_launch_facts(),
                           programme=programme, none_text=none_text,
                           level=lambda v: format_level(v, none_text, _decimal_comma()))


def _pillar_or_404(programme: Programme, number: int):
    for pillar in programme.pillars:
        if pillar.number == number:
            return pillar
    abort(404)


@bp.get("/pillar-<int:number>")
@launch_required(PARTICIPANT)
def pillar(number: int):
    programme = _programme()
    pillar_ = _pillar_or_404(programme, number)
    session = get_session()
    ratings = services.rating_summary(session, g.launch.user_id)
    entries = services.own_entries(session, g.launch.user_id, kind="reflection",
                                   anchor_prefix=pillar_.id + ".")
    return render_template("portfolio/pillar.html", pillar=pillar_, ratings=ratings,
                           entries=entries, levels=_level_names(), t=_rating_form_texts(),
                           seminars=programme.seminars_after(pillar_.id),
                           heading=_target_title(f"portfolio/{pillar_.slug}"),
                           facts=_launch_facts())


def _outcome_or_404(programme: Programme, outcome_id: str):
    try:
        return programme.outcome(outcome_id)
    except KeyError:
        abort(404)


def _outcome_back_url(outcome_id: str) -> str:
    programme = _programme()
    if outcome_id.startswith(programme.case_study.id + "."):
        return launch_url("portfolio.case_study") + f"#outcome-{outcome_id}"
    pillar_id = outcome_id.split(".", 1)[0]
    return launch_url("portfolio.pillar", number=programme.pillar(pillar_id).number) + \
        f"#outcome-{outcome_id}"


@bp.get("/outcome/<outcome_id>")
@launch_required(PARTICIPANT)
def outcome(outcome_id: str):
    outcome_ = _outcome_or_404(_programme(), outcome_id)
    history = services.rating_history(get_session(), g.launch.user_id, outcome_.id)
    form = RatingForm()
    if history:
        form.level.data = history[0].level
    return render_template("portfolio/outcome.html", outcome=outcome_, history=history,
                           form=form, levels=_level_names(),
                           back_url=_outcome_back_url(outcome_.id))


@bp.post("/outcome/<outcome_id>")
@launch_required(PARTICIPANT)
def rate(outcome_id: str):
    programme = _programme()
    outcome_ = _outcome_or_404(programme, outcome_id)
    form = RatingForm()
    session = get_session()
    if form.validate_on_submit():
        try:
            services.rate_outcome(session, g.launch.user_id, outcome_.id, form.level.data,
                                  form.justification.data, programme)
        except PortfolioError as error:
            form.justification.errors = [error_message(error)]
        else:
            flash(_("Your rating is recorded."), "success")
            if form.next.data == "history":
                return redirect(launch_url("portfolio.outcome", outcome_id=outcome_.id), 303)
            return redirect(_outcome_back_url(outcome_.id), 303)
    history = services.rating_history(session, g.launch.user_id, outcome_.id)
    return render_template("portfolio/outcome.html", outcome=outcome_, history=history,
                           form=form, levels=_level_names(),
                           back_url=_outcome_back_url(outcome_.id)), 400


# --------------------------------------------------------------------------------------------
# Journals


def _seminar_or_404(programme: Programme, number: int):
    for seminar_ in programme.seminars:
        if seminar_.number == number:
            return seminar_
    abort(404)


@bp.get("/seminar-<int:number>")
@launch_required(PARTICIPANT)
def seminar(number: int):
    seminar_ = _seminar_or_404(_programme(), number)
    entries = services.own_entries(get_session(), g.launch.user_id, kind="seminar",
                                   anchor_id=seminar_.id)
    return render_template("portfolio/seminar.html", seminar=seminar_, entries=entries,
                           heading=_target_title(seminar_.slug), facts=_launch_facts())


@bp.get("/case-study")
@launch_required(PARTICIPANT)
def case_study():
    programme = _programme()
    session = get_session()
    entries = services.own_entries(session, g.launch.user_id, kind="case-study")
    ratings = services.rating_summary(session, g.launch.user_id)
    return render_template("portfolio/case_study.html", case=programme.case_study,
                           entries=entries, ratings=ratings, levels=_level_names(),
                           t=_rating_form_texts(), heading=_target_title("case-study"),
                           facts=_launch_facts())


@bp.get("/entries")
@launch_required(PARTICIPANT)
def entries():
    own = services.own_entries(get_session(), g.launch.user_id)
    return render_template("portfolio/entries.html", entries=own, programme=_programme())


# --------------------------------------------------------------------------------------------
# Writing


def _anchor_title(programme: Programme, kind: str, anchor_id: str | None) -> str | None:
    if anchor_id is None:
        return None
    element = programme.get(anchor_id)
    return getattr(element, "title", anchor_id)


def _new_entry_context(programme: Programme):
    kind = request.values.get("kind", "reflection")
    anchor = request.values.get("anchor") or None
    try:
        anchor = services.checked_anchor(programme, kind, anchor)
    except PortfolioError:
        abort(404)
    return kind, anchor


@bp.route("/entries/new", methods=["GET", "POST"])
@launch_required(PARTICIPANT)
def new_entry():
    programme = _programme()
    kind, anchor = _new_entry_context(programme)
    form = EntryForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                entry = services.create_entry(get_session(), g.launch.user_id, kind, anchor,
                                              form.title.data, form.body.data or "", programme)
            except PortfolioError as error:
                form.title.errors = [error_message(error)]
            else:
                if form.publish.data:
                    services.save_entry(get_session(), entry, entry.title, entry.body_html,
                                        entry.version, publish=True)
                    flash(_("Entry published."), "success")
                    return redirect(launch_url("portfolio.entry", entry_id=entry.id), 303)
                flash(_("Draft saved."), "success")
                return redirect(launch_url("portfolio.edit_entry", entry_id=entry.id), 303)
        status = 400
    return render_template("portfolio/edit.html", form=form, entry=None, kind=kind,
                           anchor=anchor, anchor_title=_anchor_title(programme, kind, anchor),
                           conflict=False), status


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@launch_required(PARTICIPANT)
def edit_entry(entry_id: int):
    programme = _programme()
    entry = _own_entry_or_404(entry_id)
    form = EntryForm(obj=None)
    status, conflict = 200, False
    if request.method == "GET":
        form.title.data, form.body.data, form.version.data = \
            entry.title, entry.body_html, entry.version
    elif form.validate_on_submit():
        publish = bool(form.publish.data)
        try:
            services.save_entry(get_session(), entry, form.title.data, form.body.data or "",
                                form.version.data or 0, publish=publish)
        except StaleVersion as error:
            form.title.errors = [error_message(error)]
            status, conflict = 409, True
        except PortfolioError as error:
            form.title.errors = [error_message(error)]
            status = 400
        else:
            rescue.forget_rescued(get_store(), g.launch.user_id, entry.id)
            flash(_("Entry published.") if publish else _("Draft saved."), "success")
            target = "portfolio.entry" if publish else "portfolio.edit_entry"
            return redirect(launch_url(target, entry_id=entry.id), 303)
    else:
        status = 400
    store = get_store()
    rescued = rescue.rescued_text(store, g.launch.user_id, entry.id)
    if rescued and rescued["title"] == entry.title and \
            services.sanitize_html(rescued["body"]) == entry.body_html:
        rescue.forget_rescued(store, g.launch.user_id, entry.id)
        rescued = None
    return render_template("portfolio/edit.html", form=form, entry=entry, kind=entry.kind,
                           anchor=entry.anchor_id,
                           anchor_title=_anchor_title(programme, entry.kind, entry.anchor_id),
                           conflict=conflict, rescued=rescued,
                           rescue_key=rescue.new_rescue_key(store, g.launch.user_id, entry.id)
                           ), status


@bp.post("/entries/<int:entry_id>/autosave")
@csrf.exempt
@launch_required(PARTICIPANT)
def autosave(entry_id: int):
    """JSON autosave: the launch is checked before the CSRF token, so that an expired session
    answers 401 (the page then keeps the text in the browser) rather than a CSRF error."""
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except (ValidationError, CSRFError):
        return jsonify(error="csrf", message=_("Reload the page to continue.")), 400
    entry = _own_entry_or_404(entry_id)
    data = request.get_json(silent=True) or {}
    title, body, version = data.get("title"), data.get("body"), data.get("version")
    if not isinstance(title, str) or not isinstance(body, str) or not isinstance(version, int):
        return jsonify(error="bad_request", message=_("The request could not be understood. "
                                                      "Reload the page and try again.")), 400
    if version == entry.version and services.unchanged(entry, title, body):
        return jsonify(version=entry.version, saved_at=entry.updated_at.isoformat(),
                       unchanged=True)
    try:
        entry = services.save_entry(get_session(), entry, title, body, version,
                                    reason="autosave")
    except StaleVersion as error:
        return jsonify(error="stale_version", current_version=error.current_version,
                       message=error_message(error)), 409
    except PortfolioError as error:
        return jsonify(error=error.code, message=error_message(error)), 400
    if data.get("restored"):
        rescue.forget_rescued(get_store(), g.launch.user_id, entry.id)
    return jsonify(version=entry.version, saved_at=entry.updated_at.isoformat(),
                   saved_at_text=_("Saved at %(time)s.",
                                   time=format_datetime(entry.updated_at, "HH:mm:ss")))


@bp.post("/rescue/<key>")
@csrf.exempt
def rescue_text(key: str):
    """Put aside the text of an editing page whose session ended (see ``rescue``): no launch
    is needed, the page's own random key stands for the writer and the entry."""
    data = request.get_json(silent=True) or {}
    if data.get("discard") is True:
        return ("", 204) if rescue.discard(get_store(), key) else (jsonify(error="unknown_key"),
                                                                    404)
    if not rescue.put_aside(get_store(), key, data.get("title"), data.get("body"),
                            data.get("at")):
        return jsonify(error="unknown_key"), 404
    return "", 204


@bp.get("/entries/<int:entry_id>/revisions")
@launch_required(PARTICIPANT)
def revisions(entry_id: int):
    entry = _own_entry_or_404(entry_id)
    return render_template("portfolio/revisions.html", entry=entry,
                           revisions=services.entry_revisions(get_session(), entry))


# --------------------------------------------------------------------------------------------
# Reading, evidence, intervision


@bp.get("/entries/<int:entry_id>")
@launch_required(PARTICIPANT)
def entry(entry_id: int):
    reader = _reader()
    session = get_session()
    entry_ = _readable_entry_or_404(entry_id, reader)
    is_author = entry_.author_id == reader.user_id
    if not is_author:
        services.mark_read(session, entry_, reader)
    share_form = ShareForm()
    candidates = services.share_candidates(session, reader.cohort_id, reader.user_id) \
        if is_author else []
    share_form.recipients.choices = [SelectChoice(c.user_id, c.name) for c in candidates]
    return render_template(
        "portfolio/entry.html", entry=entry_, is_author=is_author,
        anchor_title=_anchor_title(_programme(), entry_.kind, entry_.anchor_id),
        threads=services.visible_threads(session, entry_, reader),
        shares=services.entry_share_status(session, entry_) if is_author else [],
        candidates=candidates, has_cohort=reader.cohort_id is not None,
        share_form=share_form, comment_form=CommentForm(), evidence_form=EvidenceForm(),
        withdraw_form=WithdrawForm(), delete_form=DeleteForm(),
        max_mib=round(_evidence_max_bytes() / 1024 / 1024, 1),
        can_comment=not is_author and services.is_recipient(session, entry_.id, reader.user_id))


def _evidence_max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_BYTES",
                                      services.DEFAULT_EVIDENCE_MAX_BYTES))


def _back_to_entry(entry_id: int, message: str, category: str):
    flash(message, category)
    return redirect(launch_url("portfolio.entry", entry_id=entry_id), 303)


@bp.post("/entries/<int:entry_id>/evidence")
@launch_required(PARTICIPANT)
def upload_evidence(entry_id: int):
    entry_ = _own_entry_or_404(entry_id)
    form = EvidenceForm()
    if not form.validate_on_submit():
        return _back_to_entry(entry_.id, _("Choose a file."), "error")
    upload = form.file.data
    try:
        services.store_evidence(get_session(), entry_, g.launch.user_id, upload.filename or "",
                                upload.stream, current_app.config["UPLOAD_DIR"],
                                _evidence_max_bytes())
    except PortfolioError as error:
        flash(error_message(error), "error")
        return redirect(launch_url("portfolio.entry", entry_id=entry_.id), 303)
    return _back_to_entry(entry_.id, _("File attached."), "success")


@bp.get("/evidence/<int:evidence_id>")
@launch_required(PARTICIPANT)
def download_evidence(evidence_id: int):
    try:
        evidence = services.readable_evidence(get_session(), evidence_id, _reader())
    except PortfolioError:
        abort(404)
    path = services.evidence_path(current_app.config["UPLOAD_DIR"], evidence.storage_key)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=evidence.content_type, as_attachment=True,
                         download_name=evidence.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/evidence/<int:evidence_id>/delete")
@launch_required(PARTICIPANT)
def delete_evidence(evidence_id: int):
    if not DeleteForm().validate_on_submit():
        abort(400)
    try:
        entry_id = services.delete_evidence(get_session(), evidence_id, g.launch.user_id,
                                            current_app.config["UPLOAD_DIR"])
    except PortfolioError:
        abort(404)
    return _back_to_entry(entry_id, _("File removed."), "success")


@bp.post("/entries/<int:entry_id>/share")
@launch_required(PARTICIPANT)
def share(entry_id: int):
    entry_ = _own_entry_or_404(entry_id)
    form = ShareForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.share_entry(get_session(), entry_, g.launch.user_id, form.recipients.data or [],
                             _reader().cohort_id)
    except PortfolioError as error:
        return _back_to_entry(entry_.id, error_message(error), "error")
    return _back_to_entry(entry_.id, _("Entry shared."), "success")


@bp.post("/entries/<int:entry_id>/withdraw")
@launch_required(PARTICIPANT)
def withdraw(entry_id: int):
    entry_ = _own_entry_or_404(entry_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    services.withdraw_share(get_session(), entry_, g.launch.user_id, form.recipient.data)
    return _back_to_entry(entry_.id, _("Sharing withdrawn."), "success")


@bp.post("/entries/<int:entry_id>/comments")
@launch_required(PARTICIPANT)
def comment(entry_id: int):
    reader = _reader()
    entry_ = _readable_entry_or_404(entry_id, reader)
    form = CommentForm()
    if not form.validate_on_submit():
        return _back_to_entry(entry_.id, _("Write a comment first."), "error")
    try:
        services.add_comment(get_session(), entry_, reader, form.body.data, form.parent.data)
    except PortfolioError as error:
        if error.code == "not_found":
            abort(404)
        return _back_to_entry(entry_.id, error_message(error), "error")
    return _back_to_entry(entry_.id, _("Comment added."), "success")


@bp.get("/shared")
@launch_required(PARTICIPANT)
def shared():
    return render_template("portfolio/shared.html",
                           shared=services.shared_with_me(get_session(), g.launch.user_id))
