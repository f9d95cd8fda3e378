"""Pieces of secrets to look for in logs: a log line that holds any of them leaks the secret."""
from __future__ import annotations

from typing import Iterable


def secret_fragments(secrets: Iterable[str], shortest: int = 16) -> set[str]:
    """The secrets themselves and their distinctive parts: the payload and signature of a JWT or
    of a signed launch token, each line of a PEM key's body."""
    fragments: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        fragments.add(secret)
        if "-----BEGIN" in secret:
            fragments.update(line for line in secret.splitlines()
                             if line and not line.startswith("-----"))
            continue
        # JWT header segments are shared by many tokens; the other parts are unique.
        fragments.update(part for part in secret.split(".")[1:] if len(part) >= shortest)
    return {f for f in fragments if len(f) >= min(shortest, len(f)) and len(f) >= 8}


def leaked_in(text: str, fragments: set[str]) -> list[str]:
    """The fragments found in ``text`` (shortened, so that a report does not repeat them)."""
    return [fragment[:12] + "..." for fragment in fragments if fragment in text]
