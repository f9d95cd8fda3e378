"""Demo platform data: users, courses, activities and gradebook records of one Moodle-like site."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

LTI_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_ENDPOINT_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_SCOPES = (SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE)
ALL_SCOPES = AGS_SCOPES + (SCOPE_NRPS,)

ROLE_INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
ROLE_LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
ROLE_INSTITUTION_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
ROLE_SYSTEM_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"

# Moodle course roles. Everyone who may manage the activity launches as Instructor; in NRPS only
# those who may manage activities (editing teacher, manager) are Instructor, a non-editing teacher
# is a Learner there. Only students hold a gradebook role.
STUDENT = "student"
TEACHER = "teacher"
EDITING_TEACHER = "editingteacher"
MANAGER = "manager"
COURSE_ROLES = (STUDENT, TEACHER, EDITING_TEACHER, MANAGER)
LAUNCH_INSTRUCTOR_ROLES = frozenset({TEACHER, EDITING_TEACHER, MANAGER})
NRPS_INSTRUCTOR_ROLES = frozenset({EDITING_TEACHER, MANAGER})
GRADEBOOK_ROLES = frozenset({STUDENT})


@dataclass(frozen=True)
class DemoUser:
    """A platform account; `user_id` is unique on its site only (Moodle's user id)."""

    user_id: str
    given_name: str
    family_name: str
    email: str
    site_admin: bool = False
    username: str = ""
    description: str = ""

    @property
    def name(self) -> str:
        """Full name as Moodle sends it in `name`."""
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True)
class DemoCourse:
    """A course (LTI context); `members` maps user ids to a Moodle course role (COURSE_ROLES)."""

    context_id: str
    label: str
    title: str
    members: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoLineItem:
    """The grade item an activity is created with (a tool-configured or deep-linked link)."""

    label: str
    score_maximum: float = 20.0
    resource_id: str = ""
    tag: str = ""


@dataclass(frozen=True)
class DemoActivity:
    """An LTI link in a course.

    `target` is a path on the tool (`/lti/launch/portfolio/pillar-3`, joined to the site's
    `tool_base_url`) or a full URL (query string kept). `imported` marks a link that came from a
    cartridge: no grade item of its own. `nrps=None` follows Moodle: the roster claim appears once
    the course holds at least one activity bound to the tool itself (not imported); True/False
    force it.
    """

    activity_id: str
    course_id: str
    title: str
    target: str
    line_item: DemoLineItem | None = None
    imported: bool = False
    nrps: bool | None = None
    custom: Mapping[str, str] = field(default_factory=dict)
    text: str = ""


@dataclass
class ScoreRecord:
    """The grade stored for one user in one line item (after rescaling to the item's maximum)."""

    score_given: float | None
    score_maximum: float
    comment: str | None
    timestamp: str
    timestamp_seconds: int
    grading_progress: str
    activity_progress: str

    def as_dict(self) -> dict:
        return {
            "scoreGiven": self.score_given,
            "scoreMaximum": self.score_maximum,
            "comment": self.comment,
            "timestamp": self.timestamp,
            "gradingProgress": self.grading_progress,
            "activityProgress": self.activity_progress,
        }


@dataclass
class LineItem:
    """A gradebook column of a course (created by the platform, by deep linking or by the tool)."""

    lineitem_id: int
    course_id: str
    label: str
    score_maximum: float
    resource_link_id: str | None = None
    resource_id: str = ""
    tag: str = ""
    start_date_time: str | None = None
    end_date_time: str | None = None
    created_by_tool: bool = False
    scores: dict[str, ScoreRecord] = field(default_factory=dict)
