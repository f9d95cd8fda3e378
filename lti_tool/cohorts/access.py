"""The cohort a page may show: the one of the launch's course, and no other."""
from __future__ import annotations

from flask import abort, g

from lti_tool.cohorts.models import Cohort
from lti_tool.cohorts.services import cohort_for_course
from lti_tool.db import get_session


def launch_cohort() -> Cohort | None:
    """The cohort of the current launch's course (None outside a course or a cohort)."""
    course_id = g.launch.course_id
    return cohort_for_course(get_session(), course_id) if course_id else None


def requested_cohort(cohort_id: int) -> Cohort:
    """The launch's cohort, provided it is the one a URL asks for: any other id is answered 404,
    so guessing ids reveals nothing about other cohorts."""
    cohort = launch_cohort()
    if cohort is None or cohort.id != cohort_id:
        abort(404)
    return cohort
