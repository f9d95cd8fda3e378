"""Progress tests: in-process launches (``cohort_data``) and, for full paths, the live platform."""
from tests.lti.conftest import *  # noqa: F401,F403
