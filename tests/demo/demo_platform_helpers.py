"""Helpers of the demo platform tests: a stand-in tool that signs with its own keys and serves
only its keyset, and small request helpers."""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify
from jwt.algorithms import RSAAlgorithm

from lti_tool.demo.models import ALL_SCOPES
from lti_tool.demo.platform import PlatformSite
from lti_tool.demo.server import RunningServer, serve_in_thread


@dataclass
class StandInTool:
    """The tool side of the tests: RSA keys published at `jwks_url`, nothing else."""

    server: RunningServer
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    current_kid: str = ""

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def jwks_url(self) -> str:
        return self.server.url + "/lti/jwks"

    def add_key(self) -> str:
        kid = secrets.token_hex(6)
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.current_kid = kid
        return kid

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, key in self.keys.items():
            jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
            keys.append({"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
                         "n": jwk["n"], "e": jwk["e"]})
        return {"keys": keys}

    def sign(self, claims: dict[str, Any], kid: str | None = None,
             key: rsa.RSAPrivateKey | None = None, headers: dict | None = None) -> str:
        kid = kid or self.current_kid
        header = {"kid": kid} if headers is None else headers
        return jwt.encode(claims, key or self.keys[self.current_kid], algorithm="RS256",
                          headers=header)

    def client_assertion(self, site: PlatformSite, **overrides: Any) -> str:
        now = int(time.time())
        claims = {"iss": site.client_id, "sub": site.client_id, "aud": site.token_url,
                  "iat": now, "exp": now + 60, "jti": str(uuid.uuid4())}
        claims.update(overrides)
        return self.sign({k: v for k, v in claims.items() if v is not None})

    def token_request(self, site: PlatformSite, scopes=ALL_SCOPES,
                      **form: str) -> requests.Response:
        data = {"grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": self.client_assertion(site), "scope": " ".join(scopes)}
        data.update(form)
        return requests.post(site.token_url, data=data, timeout=5)

    def access_token(self, site: PlatformSite, scopes=ALL_SCOPES) -> str:
        response = self.token_request(site, scopes)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]


def bearer(token: str, accept: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if accept:
        headers["Accept"] = accept
    return headers


def start_stand_in_tool() -> StandInTool:
    """A stand-in tool with one key, serving `/lti/jwks` on 127.0.0.1 (stop its `server`)."""
    app = Flask("stand_in_tool")
    stand_in = StandInTool(server=None)  # type: ignore[arg-type]
    app.add_url_rule("/lti/jwks", "jwks", lambda: jsonify(stand_in.jwks()))
    stand_in.add_key()
    stand_in.server = serve_in_thread(app)
    return stand_in
