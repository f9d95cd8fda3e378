"""Production tests: several instances behind nginx, rate limits, hostile input, quiet logs."""
from __future__ import annotations

from tests.lti.conftest import *  # noqa: F401,F403
