"""The refusal every platform endpoint raises."""

from __future__ import annotations


class PlatformError(Exception):
    """A request the platform refuses: HTTP `status`, an OAuth-style `error` code and a reason."""

    def __init__(self, status: int, error: str, description: str = "") -> None:
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.description = description


def invalid_request(reason: str) -> PlatformError:
    """A 400 `invalid_request` with its reason."""
    return PlatformError(400, "invalid_request", reason)


def is_number(value: object) -> bool:
    """True for an int or a float (JSON numbers), not for a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)
