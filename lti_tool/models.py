"""Every table of the tool, so that Alembic sees the whole schema."""
from lti_tool.db import Base
from lti_tool.store import KeyValueEntry  # noqa: F401
from lti_tool.lti.models import Deployment, Platform, ToolKey  # noqa: F401
from lti_tool.accounts.models import Course, Membership, ResourceLink, User  # noqa: F401
from lti_tool.cohorts.models import Cohort, CohortCourse, CohortJuror  # noqa: F401
from lti_tool.portfolio.models import (  # noqa: F401
    Comment, Entry, EntryRevision, EntryShare, Evidence, OutcomeRating)
from lti_tool.grades.models import GradeOutbox  # noqa: F401
from lti_tool.reports.models import ReportDeadline, ReportSubmission  # noqa: F401
from lti_tool.evaluation.models import (  # noqa: F401
    AgreedScore, Assignment, EvaluationEvent, Group, GroupMember, Jury, JuryMember, JurorScore,
    JurorSubmission, PublishedResult)

metadata = Base.metadata
