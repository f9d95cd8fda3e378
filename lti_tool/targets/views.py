"""Landing pages of the launch targets: who is here, in which course and cohort, for what."""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, g, redirect, render_template

from lti_tool.db import get_session
from lti_tool.sessions import launch_required, launch_url
from lti_tool.targets.services import launch_facts, participant_page
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
    # The page names the target it shows (a launch token may open another target's address).
    facts = replace(launch_facts(get_session(), g.launch), target_path=launch_target.path)
    return render_template("targets/show.html", target=launch_target, facts=facts)
