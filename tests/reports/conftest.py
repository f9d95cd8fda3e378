"""Report tests: in-process launches (``cohort_data``) and, for full paths, the live platform
and the browser framing the tool."""
from tests.browser.conftest import framing_platform, page  # noqa: F401
from tests.lti.conftest import *  # noqa: F401,F403
