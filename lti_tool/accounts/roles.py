"""LTI role URIs to the tool's roles, in long and short forms (NRPS may send short ones)."""
from __future__ import annotations

from typing import Iterable

ADMIN, TEACHER, PARTICIPANT, GUEST = "admin", "teacher", "participant", "guest"
# Higher index, more privilege; an unknown or empty role set gets the least privileged view.
PRIVILEGE_ORDER = (GUEST, PARTICIPANT, TEACHER, ADMIN)

_ROLE_BY_NAME = {
    "Administrator": ADMIN,
    "Instructor": TEACHER,
    "Learner": PARTICIPANT,
}


def _role_name(uri: str) -> str:
    """``http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor`` -> ``Instructor``."""
    name = uri.rsplit("#", 1)[-1] if "#" in uri else uri.rsplit("/", 1)[-1]
    return name.strip()


def tool_role(lti_roles: Iterable[str] | None) -> str:
    """The most privileged tool role among the LTI roles; ``guest`` when none is known."""
    best = GUEST
    for uri in lti_roles or ():
        if not isinstance(uri, str):
            continue
        role = _ROLE_BY_NAME.get(_role_name(uri))
        # Sub-roles such as membership/Instructor#TeachingAssistant name their parent before '#'.
        if role is None and "#" in uri:
            role = _ROLE_BY_NAME.get(uri.rsplit("#", 1)[0].rsplit("/", 1)[-1])
        if role and PRIVILEGE_ORDER.index(role) > PRIVILEGE_ORDER.index(best):
            best = role
    return best


def at_least(role: str, minimum: str) -> bool:
    return PRIVILEGE_ORDER.index(role) >= PRIVILEGE_ORDER.index(minimum)
