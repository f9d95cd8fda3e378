"""A small shared key-value store with expiry, for launch state, nonces and launch sessions.

Redis when ``LTI_TOOL_REDIS_URL`` is set (several workers or hosts share it), otherwise a table of
the database. Values are JSON. Both backends make ``add`` and ``pop`` atomic, which is what nonce
replay protection relies on.
"""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Protocol

from flask import Flask, current_app
from sqlalchemy import String, Text, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from lti_tool.db import Base, UTCDateTime, utcnow


class KeyValueEntry(Base):
    __tablename__ = "kv_entries"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[Any] = mapped_column(UTCDateTime(), index=True)


class Store(Protocol):
    def get(self, key: str) -> Any | None: ...
    def set(self, key: str, value: Any, ttl: int) -> None: ...
    def add(self, key: str, value: Any, ttl: int) -> bool: ...
    def pop(self, key: str) -> Any | None: ...
    def delete(self, key: str) -> None: ...


class RedisStore:
    def __init__(self, url: str, prefix: str = "cimp-lti:"):
        import redis

        self._redis = redis.Redis.from_url(url)
        self._prefix = prefix

    def get(self, key: str) -> Any | None:
        raw = self._redis.get(self._prefix + key)
        return None if raw is None else json.loads(raw)

    def set(self, key: str, value: Any, ttl: int) -> None:
        self._redis.set(self._prefix + key, json.dumps(value), ex=ttl)

    def add(self, key: str, value: Any, ttl: int) -> bool:
        return bool(self._redis.set(self._prefix + key, json.dumps(value), ex=ttl, nx=True))

    def pop(self, key: str) -> Any | None:
        raw = self._redis.getdel(self._prefix + key)
        return None if raw is None else json.loads(raw)

    def delete(self, key: str) -> None:
        self._redis.delete(self._prefix + key)

    def ping(self) -> bool:
        return bool(self._redis.ping())


class DatabaseStore:
    """The store on the tool's own database; each call is its own short transaction."""

    def __init__(self, sessions: sessionmaker):
        self._sessions = sessions

    def get(self, key: str) -> Any | None:
        with self._sessions() as session:
            entry = session.get(KeyValueEntry, key)
            if entry is None or entry.expires_at <= utcnow():
                return None
            return json.loads(entry.value)

    def set(self, key: str, value: Any, ttl: int) -> None:
        fields = {"value": json.dumps(value), "expires_at": utcnow() + timedelta(seconds=ttl)}
        # Update, else insert; when another writer inserted the key in between, the insert
        # fails and the next attempt updates the row it wrote.
        for attempt in range(3):
            try:
                with self._sessions.begin() as session:
                    updated = session.execute(
                        update(KeyValueEntry).where(KeyValueEntry.key == key).values(**fields)
                    ).rowcount
                    if not updated:
                        session.execute(insert(KeyValueEntry).values(key=key, **fields))
                return
            except IntegrityError:
                if attempt == 2:
                    raise

    def add(self, key: str, value: Any, ttl: int) -> bool:
        now = utcnow()
        try:
            with self._sessions.begin() as session:
                session.execute(
                    delete(KeyValueEntry).where(
                        KeyValueEntry.key == key, KeyValueEntry.expires_at <= now
                    )
                )
                session.execute(
                    insert(KeyValueEntry).values(
                        key=key, value=json.dumps(value), expires_at=now + timedelta(seconds=ttl)
                    )
                )
            return True
        except IntegrityError:
            return False

    def pop(self, key: str) -> Any | None:
        with self._sessions.begin() as session:
            # DELETE ... RETURNING is atomic: two concurrent pops cannot both get the value.
            row = session.execute(
                delete(KeyValueEntry)
                .where(KeyValueEntry.key == key)
                .returning(KeyValueEntry.value, KeyValueEntry.expires_at)
            ).first()
        if row is None or row.expires_at.replace(tzinfo=utcnow().tzinfo) <= utcnow():
            return None
        return json.loads(row.value)

    def delete(self, key: str) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(KeyValueEntry).where(KeyValueEntry.key == key))

    def purge_expired(self) -> int:
        with self._sessions.begin() as session:
            result = session.execute(
                delete(KeyValueEntry).where(KeyValueEntry.expires_at <= utcnow())
            )
        return result.rowcount or 0

    def ping(self) -> bool:
        with self._sessions() as session:
            session.execute(select(1))
        return True


def init_app(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        app.extensions["store"] = RedisStore(app.config["REDIS_URL"])
    else:
        app.extensions["store"] = DatabaseStore(app.extensions["db_sessionmaker"])


def get_store() -> Store:
    return current_app.extensions["store"]
