"""Grade sync tests run against the live tool and the two-site test platform over real HTTP."""
from tests.lti.conftest import *  # noqa: F401,F403
