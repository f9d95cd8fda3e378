"""Shared helpers: find a person, and turn rows into JSON-ready dictionaries."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from lti_tool.accounts.models import User

# The sub of an erased person starts with this: a later launch with the original sub finds no
# account and creates a fresh one.
ERASED_SUB_PREFIX = "erased:"


class PersonNotFound(LookupError):
    """No user with this (issuer, sub)."""


def find_person(session: Session, issuer: str, sub: str) -> User:
    """The user known by this (issuer, sub), or ``PersonNotFound``."""
    user = session.scalars(select(User).where(User.issuer == issuer, User.sub == sub)).first()
    if user is None:
        raise PersonNotFound(f"no person with issuer {issuer!r} and sub {sub!r}")
    return user


def plain(value: Any) -> Any:
    """A JSON-ready value: ISO dates, decimals as strings (no rounding)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def row_dict(row: Any, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every column of a mapped row, except ``exclude``."""
    return {column.key: plain(getattr(row, column.key))
            for column in inspect(row).mapper.column_attrs if column.key not in exclude}
