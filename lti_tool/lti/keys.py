"""The tool's RSA signing keys: generated on first use, rotated and retired from the CLI."""
from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.db import utcnow
from lti_tool.lti.models import ToolKey

ACTIVE, PUBLISHED, RETIRED = "active", "published", "retired"
# What Moodle expects of each key of the keyset; PyJWT adds "key_ops", which RFC 7517 says not
# to combine with "use".
JWK_FIELDS = ("kty", "kid", "alg", "use", "n", "e")


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: str


def _new_key(status: str) -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = uuid.uuid4().hex
    jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    jwk = _published_jwk(jwk)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return ToolKey(kid=kid, private_pem=pem, public_jwk=json.dumps(jwk), status=status)


def _published_jwk(jwk: dict) -> dict:
    return {field: jwk[field] for field in JWK_FIELDS}


def ensure_active_key(session: Session) -> ToolKey:
    """Return the active key, generating the first one when the database has none."""
    key = session.scalar(select(ToolKey).where(ToolKey.status == ACTIVE).order_by(ToolKey.id))
    if key is not None:
        return key
    key = _new_key(ACTIVE)
    session.add(key)
    session.commit()
    # Several workers may start at once and each create a first key: the oldest one wins and
    # the others withdraw their own, so exactly one key is active.
    first = session.scalar(select(ToolKey).where(ToolKey.status == ACTIVE).order_by(ToolKey.id))
    if first is not None and first.id != key.id:
        session.delete(key)
        session.commit()
        key = first
    _cache.clear()
    return key


def rotate_keys(session: Session) -> ToolKey:
    """Make a new key active; the previous one stays published until it is retired."""
    for old in session.scalars(select(ToolKey).where(ToolKey.status == ACTIVE)):
        old.status = PUBLISHED
    key = _new_key(ACTIVE)
    session.add(key)
    session.commit()
    _cache.clear()
    return key


def retire_keys(session: Session) -> list[str]:
    """Remove every published (no longer active) key from the keyset; return their kids."""
    retired = []
    for old in session.scalars(select(ToolKey).where(ToolKey.status == PUBLISHED)):
        old.status, old.retired_at = RETIRED, utcnow()
        retired.append(old.kid)
    session.commit()
    _cache.clear()
    return retired


def list_keys(session: Session) -> list[ToolKey]:
    return list(session.scalars(select(ToolKey).order_by(ToolKey.id)))


class _KeyCache:
    """Keys change only through this module, but other processes may rotate: re-read every minute."""

    ttl = 60.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded_at = 0.0
        self._jwks: dict | None = None
        self._signing: SigningKey | None = None

    def clear(self) -> None:
        with self._lock:
            self._loaded_at = 0.0

    def get(self, session: Session) -> tuple[dict, SigningKey]:
        with self._lock:
            if time.monotonic() - self._loaded_at < self.ttl and self._jwks is not None:
                return self._jwks, self._signing  # type: ignore[return-value]
        active = ensure_active_key(session)
        published = session.scalars(
            select(ToolKey).where(ToolKey.status.in_((ACTIVE, PUBLISHED))).order_by(ToolKey.id)
        )
        jwks = {"keys": [_published_jwk(json.loads(k.public_jwk)) for k in published]}
        signing = SigningKey(kid=active.kid, private_pem=active.private_pem)
        with self._lock:
            self._jwks, self._signing, self._loaded_at = jwks, signing, time.monotonic()
        return jwks, signing


_cache = _KeyCache()


def public_keyset(session: Session) -> dict:
    """The tool's public keyset: ``{"keys": [...]}`` with the active and published keys."""
    return _cache.get(session)[0]


def signing_key(session: Session) -> SigningKey:
    return _cache.get(session)[1]
