"""Evaluation tests run against the live tool and the two-site test platform."""
from tests.lti.conftest import *  # noqa: F401,F403
