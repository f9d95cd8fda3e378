"""Text put aside when a writer's session ends during autosave.

A browser may refuse storage to the tool inside the course page's frame, so the editor cannot
count on keeping the text itself. Each editing page therefore carries a random rescue key, bound
in the shared store to the writer and the entry: after the session ended, the page may still
send its text there once, and the next editing page of that entry offers to restore it. The key
is unguessable and only ever puts text aside for the writer's own eyes; nothing is applied to the
entry without the writer's action.
"""
from __future__ import annotations

import secrets
from typing import Any

from lti_tool.portfolio.services import BODY_MAX_LENGTH, TITLE_MAX_LENGTH

RESCUE_SECONDS = 14 * 24 * 3600


def _key_name(key: str) -> str:
    return f"portfolio:rescue-key:{key}"


def _text_name(user_id: int, entry_id: int) -> str:
    return f"portfolio:rescued:{user_id}:{entry_id}"


def new_rescue_key(store: Any, user_id: int, entry_id: int) -> str:
    """A fresh key with which an editing page may put its text aside."""
    key = secrets.token_urlsafe(24)
    store.set(_key_name(key), {"user_id": user_id, "entry_id": entry_id}, RESCUE_SECONDS)
    return key


def put_aside(store: Any, key: str, title: Any, body: Any, at: Any = None) -> bool:
    """Keep the text sent with a valid key; False for an unknown key or malformed text."""
    owner = store.get(_key_name(key)) if isinstance(key, str) and len(key) < 100 else None
    if owner is None or not isinstance(title, str) or not isinstance(body, str):
        return False
    if len(title) > TITLE_MAX_LENGTH or len(body) > BODY_MAX_LENGTH:
        return False
    store.set(_text_name(owner["user_id"], owner["entry_id"]),
              {"title": title, "body": body, "at": at if isinstance(at, (int, float)) else None},
              RESCUE_SECONDS)
    return True


def rescued_text(store: Any, user_id: int, entry_id: int) -> dict | None:
    """The text put aside for this writer and entry, if any."""
    return store.get(_text_name(user_id, entry_id))


def forget_rescued(store: Any, user_id: int, entry_id: int) -> None:
    """Drop the text put aside (the writer saved or discarded it)."""
    store.delete(_text_name(user_id, entry_id))


def discard(store: Any, key: str) -> bool:
    """The writer chose not to restore the text put aside for the page's entry."""
    owner = store.get(_key_name(key)) if isinstance(key, str) and len(key) < 100 else None
    if owner is None:
        return False
    forget_rescued(store, owner["user_id"], owner["entry_id"])
    return True
