"""Database access: SQLAlchemy 2.0 engine and one session per request."""
from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from flask import Flask, current_app, g
from sqlalchemy import DateTime, MetaData, create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def make_engine(url: str) -> Engine:
    """Create the engine; SQLite gets WAL and foreign keys, as a server database would enforce."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    return current_app.extensions["db_engine"]


def new_session() -> Session:
    """A session outside the request cycle (CLI, workers); the caller closes it."""
    return current_app.extensions["db_sessionmaker"]()


def get_session() -> Session:
    """The session of the current request or app context, created on first use."""
    if "db_session" not in g:
        g.db_session = new_session()
    return g.db_session


def read_columns(session: Session, statement: Any, params: Mapping[str, Any]) -> Any:
    """Run a prebuilt query of columns (no mapped objects) on the session's connection: it
    needs none of the ORM's execution steps, which cost as much again as the query. Pending
    changes of the session are not flushed first: for reads of what is already stored."""
    return session.connection().execute(statement, params)


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        # Anything not committed explicitly is rolled back: no half-written rows.
        session.rollback()
        session.close()


@dataclass(frozen=True)
class DriverStatement:
    """A Core statement compiled once for a dialect and run on a DBAPI cursor.

    For the few statements every launch runs: SQLAlchemy's execution steps (parameters, result,
    session transaction, connection release) cost several times what the database does for
    a one-row upsert. The SQL is SQLAlchemy's, and each value goes through its column type's
    own bind processor, so what is stored is what an ORM write would store. Only the columns
    named are written: each column with a Python-side default must be among them."""

    sql: str
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    positional: bool

    def run(self, cursor: Any, values: Mapping[str, Any]) -> tuple | None:
        """Execute with ``values`` (one per name) and return the first row, if any."""
        processed = [value if process is None else process(value)
                     for value, process in zip((values[name] for name in self.names),
                                               self.processors)]
        cursor.execute(self.sql, processed if self.positional
                       else dict(zip(self.names, processed)))
        return cursor.fetchone()


@functools.lru_cache(maxsize=64)
def driver_statement(statement: Any, dialect: Any, names: tuple[str, ...]) -> DriverStatement:
    """``statement`` (an INSERT of ``names``, cached by the caller) compiled for ``dialect``."""
    table = statement.table
    missing = [column.name for column in table.columns
               if column.default is not None and column.name not in names]
    if missing:
        raise ValueError(f"{table.name}: give a value for {', '.join(missing)} "
                         "(a Python-side default is applied by SQLAlchemy's execution only)")
    compiled = statement.compile(dialect=dialect, column_keys=list(names))
    order = tuple(compiled.positiontup) if dialect.positional else tuple(names)
    return DriverStatement(
        sql=compiled.string, names=order,
        processors=tuple(table.c[name].type.bind_processor(dialect) for name in order),
        positional=dialect.positional)


@contextmanager
def driver_transaction(engine: Engine) -> Iterator[Any]:
    """A DBAPI cursor on a pooled connection, in a transaction of its own: committed when the
    block ends, rolled back if it raises. Nothing of it is left half-written."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            yield cursor
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            cursor.close()
    finally:
        connection.close()  # back to the pool
