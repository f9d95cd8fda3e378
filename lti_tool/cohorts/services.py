"""Cohort membership of courses."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.cohorts.models import Cohort, CohortCourse


def cohort_for_course(session: Session, course_id: int) -> Cohort | None:
    """The cohort a course is joined to, if any."""
    return session.scalar(
        select(Cohort).join(CohortCourse).where(CohortCourse.course_id == course_id)
    )
