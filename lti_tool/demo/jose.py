"""Signing and verifying the JWTs a platform exchanges with a tool (RS256 with `kid`).

Signing is written by hand so that tests can forge anything: a header without `kid`, an unknown
`kid`, `alg` none or HS256, a signature from another key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jwt.algorithms import RSAAlgorithm


def b64url(data: bytes) -> str:
    """Base64url without padding, as JOSE wants it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def generate_rsa_key(key_size: int = 2048) -> rsa.RSAPrivateKey:
    """A fresh RSA private key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=key_size)


@dataclass(frozen=True)
class SigningKey:
    """A platform key pair with its key id."""

    kid: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls, key_size: int = 2048) -> "SigningKey":
        return cls(kid=secrets.token_urlsafe(12), private_key=generate_rsa_key(key_size))

    def public_jwk(self) -> dict[str, str]:
        """The public key as Moodle publishes it: kty, kid, alg, use, n, e."""
        jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {"kty": "RSA", "kid": self.kid, "alg": "RS256", "use": "sig",
                "n": jwk["n"], "e": jwk["e"]}

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def encode_jwt(claims: dict[str, Any], *, algorithm: str, headers: dict[str, Any],
               key: Any) -> str:
    """Encode `claims` with exactly the given header (no value is added or checked).

    RS256 signs with the RSA private key `key`; HS256 uses `key` (bytes) as the HMAC secret; `none`
    leaves the signature empty.
    """
    header_part = b64url(json.dumps(headers, separators=(",", ":")).encode())
    payload_part = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header_part}.{payload_part}".encode("ascii")
    if algorithm == "RS256":
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    elif algorithm == "HS256":
        signature = hmac.new(key, signing_input, hashlib.sha256).digest()
    elif algorithm == "none":
        signature = b""
    else:
        raise ValueError(f"cannot sign with algorithm {algorithm!r}")
    return f"{header_part}.{payload_part}.{b64url(signature)}"


class JwtRejected(Exception):
    """A JWT from the tool failed verification; the message says why."""


class ToolKeyset:
    """The tool's public keys, fetched over HTTP from its keyset URL and cached by kid.

    An unknown kid triggers one re-fetch (the tool may have rotated its key), as platforms do.
    """

    def __init__(self, url_getter, timeout: float = 5.0) -> None:
        self._url_getter = url_getter
        self._timeout = timeout
        self._keys: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.fetch_count = 0

    def key_for(self, kid: str) -> Any:
        """The public key for `kid`, re-fetching the keyset once when it is not known."""
        with self._lock:
            if kid not in self._keys:
                self._keys = self._fetch()
            if kid not in self._keys:
                raise JwtRejected(f"unknown kid {kid!r} in the tool keyset")
            return self._keys[kid]

    def forget(self) -> None:
        with self._lock:
            self._keys = {}

    def _fetch(self) -> dict[str, Any]:
        url = self._url_getter()
        if not url:
            raise JwtRejected("no tool keyset URL is registered")
        self.fetch_count += 1
        try:
            response = requests.get(url, timeout=self._timeout)
            response.raise_for_status()
            keyset = response.json()
        except (requests.RequestException, ValueError) as error:
            raise JwtRejected(f"cannot fetch the tool keyset {url}: {error}") from error
        if not isinstance(keyset, dict) or not isinstance(keyset.get("keys"), list):
            raise JwtRejected('the tool keyset is not a JSON object {"keys": [...]}')
        keys = {}
        for jwk in keyset["keys"]:
            if not isinstance(jwk, dict) or "kty" not in jwk:
                raise JwtRejected('JWK must contain a "kty" parameter')
            if jwk.get("kty") != "RSA" or "kid" not in jwk:
                continue
            keys[jwk["kid"]] = RSAAlgorithm.from_jwk(jwk)
        return keys


def verify_tool_jwt(token: str, keyset: ToolKeyset, *, audience: str, leeway: float,
                    required: tuple[str, ...] = ("exp", "iat")) -> dict[str, Any]:
    """Verify an RS256 JWT signed by the tool (kid required) and return its claims."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise JwtRejected(f"not a JWT: {error}") from error
    if header.get("alg") != "RS256":
        raise JwtRejected(f"alg must be RS256, got {header.get('alg')!r}")
    kid = header.get("kid")
    if not kid:
        raise JwtRejected("the JWT header has no kid")
    key = keyset.key_for(kid)
    try:
        return jwt.decode(token, key, algorithms=["RS256"], audience=audience, leeway=leeway,
                          options={"require": list(required)})
    except jwt.PyJWTError as error:
        raise JwtRejected(f"{type(error).__name__}: {error}") from error
