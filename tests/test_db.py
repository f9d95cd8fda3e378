"""The database helpers: statements run on the driver write what the ORM would."""
from __future__ import annotations

import pytest
from sqlalchemy import insert

from lti_tool.accounts.models import Membership
from lti_tool.db import driver_statement


def test_a_driver_statement_must_name_every_column_with_a_python_default(app):
    dialect = app.extensions["db_engine"].dialect
    statement = insert(Membership.__table__)
    with pytest.raises(ValueError, match="lti_roles, source, active, updated_at"):
        driver_statement(statement, dialect, ("user_id", "course_id", "role"))
    complete = ("user_id", "course_id", "role", "lti_roles", "source", "active", "updated_at")
    assert driver_statement(statement, dialect, complete).sql.startswith("INSERT INTO memberships")
