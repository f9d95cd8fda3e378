"""Registering platforms (LMS sites) with the tool, from the CLI or Dynamic Registration."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lti_tool.lti.models import Deployment, Platform


class RegistrationError(ValueError):
    """A registration that cannot be recorded; the message says why."""


@dataclass(frozen=True)
class MoodleEndpoints:
    issuer: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str


def moodle_endpoints(wwwroot: str) -> MoodleEndpoints:
    """Moodle's issuer is its wwwroot (no trailing slash); its three LTI endpoints hang off it."""
    root = wwwroot.rstrip("/")
    _check_url("--moodle", root)
    return MoodleEndpoints(
        issuer=root,
        auth_login_url=f"{root}/mod/lti/auth.php",
        auth_token_url=f"{root}/mod/lti/token.php",
        key_set_url=f"{root}/mod/lti/certs.php",
    )


def _check_url(label: str, url: str) -> None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RegistrationError(f"{label}: {url!r} is not an http(s) address")


def add_platform(
    session: Session,
    *,
    name: str,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    deployment_ids: Iterable[str],
) -> Platform:
    """Register a platform, or add deployment ids to an existing (issuer, client_id)."""
    issuer, client_id = issuer.strip(), client_id.strip()
    for label, url in (("issuer", issuer), ("auth login URL", auth_login_url),
                       ("auth token URL", auth_token_url), ("key set URL", key_set_url)):
        _check_url(label, url)
    if not client_id:
        raise RegistrationError("client id: must not be empty")
    deployment_ids = [d.strip() for d in deployment_ids if d and d.strip()]
    if not deployment_ids:
        raise RegistrationError("at least one deployment id is required")

    platform = find_platform(session, issuer, client_id)
    if platform is None:
        platform = Platform(
            name=name.strip() or issuer, issuer=issuer, client_id=client_id,
            auth_login_url=auth_login_url, auth_token_url=auth_token_url,
            key_set_url=key_set_url,
        )
        session.add(platform)
    else:
        platform.name = name.strip() or platform.name
        platform.auth_login_url, platform.auth_token_url = auth_login_url, auth_token_url
        platform.key_set_url = key_set_url
    known = set(platform.deployment_ids)
    for deployment_id in deployment_ids:
        if deployment_id not in known:
            platform.deployments.append(Deployment(deployment_id=deployment_id))
            known.add(deployment_id)
    session.commit()
    _registrations_changed()
    return platform


def find_platform(session: Session, issuer: str, client_id: str | None = None) -> Platform | None:
    """The registration of ``issuer`` for ``client_id``; without a client id, the only one."""
    query = select(Platform).options(selectinload(Platform.deployments)).where(
        Platform.issuer == issuer
    )
    if client_id:
        return session.scalar(query.where(Platform.client_id == client_id))
    platforms = session.scalars(query.limit(2)).all()
    return platforms[0] if len(platforms) == 1 else None


@dataclass(frozen=True)
class PlatformRecord:
    """A registration as launches need it, detached from any database session."""

    id: int
    name: str
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    deployment_ids: tuple[str, ...]


class _RegistrationCache:
    """Registrations per (issuer, client id) in this process: every login and launch reads them.
    Changes made in this process clear it; other processes see them within ``ttl`` seconds."""

    ttl = 30.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[tuple[str, str | None], tuple[float, PlatformRecord]] = {}

    def get(self, session: Session, issuer: str, client_id: str | None) -> PlatformRecord | None:
        key = (issuer, client_id or None)
        with self._lock:
            cached = self._records.get(key)
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        platform = find_platform(session, issuer, client_id)
        if platform is None:
            return None  # misses are not cached: a platform registered a moment later works
        record = PlatformRecord(platform.id, platform.name, platform.issuer, platform.client_id,
                                platform.auth_login_url, platform.auth_token_url,
                                platform.key_set_url, tuple(platform.deployment_ids))
        with self._lock:
            self._records[key] = (time.monotonic(), record)
        return record

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


registration_cache = _RegistrationCache()


def _registrations_changed() -> None:
    from lti_tool.security import platform_origins

    registration_cache.clear()
    platform_origins.clear()


def registered_platform(session: Session, issuer: str,
                        client_id: str | None = None) -> PlatformRecord | None:
    """The registration of ``issuer`` for ``client_id`` (cached; see ``_RegistrationCache``)."""
    return registration_cache.get(session, issuer, client_id)


def issuer_is_registered(session: Session, issuer: str) -> bool:
    return session.scalar(select(Platform.id).where(Platform.issuer == issuer).limit(1)) is not None


def list_platforms(session: Session) -> list[Platform]:
    return list(
        session.scalars(
            select(Platform).options(selectinload(Platform.deployments)).order_by(Platform.id)
        )
    )


def remove_platform(session: Session, issuer: str, client_id: str | None = None) -> Platform:
    issuer, client_id = issuer.strip(), (client_id or "").strip() or None
    platform = find_platform(session, issuer, client_id)
    if platform is None:
        raise RegistrationError(
            f"no registration for issuer {issuer!r}"
            + (f" and client id {client_id!r}" if client_id else " (or several: give --client-id)")
        )
    session.delete(platform)
    session.commit()
    _registrations_changed()
    return platform
