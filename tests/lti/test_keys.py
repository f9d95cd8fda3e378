"""The tool's signing keys: the public keyset platforms fetch, rotation and retirement from the
``lti-tool keys`` command."""
from __future__ import annotations

import time

import jwt
import pytest
from jwt.algorithms import RSAAlgorithm

from lti_tool.db import get_session
from lti_tool.demo.jose import ToolKeyset
from lti_tool.lti import keys

JWK_FIELDS = {"kty", "kid", "alg", "use", "n", "e"}


def keyset(client) -> dict:
    response = client.get("/lti/jwks.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def published_kids(client) -> list[str]:
    return [key["kid"] for key in keyset(client)["keys"]]


def signing_kid(app) -> str:
    with app.app_context():
        return keys.signing_key(get_session()).kid


def invoke(runner, *args: str):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result


def test_the_keyset_is_a_keys_object_with_exactly_the_fields_moodle_reads(client):
    document = keyset(client)
    assert list(document) == ["keys"]
    [key] = document["keys"]
    assert set(key) == JWK_FIELDS
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert key["e"] == "AQAB"
    # A 2048-bit modulus, base64url without padding.
    assert len(key["n"]) >= 342 and "=" not in key["n"]


def test_the_keyset_may_be_cached_by_platforms_for_a_few_minutes(client):
    response = client.get("/lti/jwks.json")
    assert response.cache_control.public
    assert 0 < response.cache_control.max_age <= 3600


def test_the_first_key_is_made_once_and_kept(app, client):
    first = published_kids(client)
    assert published_kids(client) == first
    keys._cache.clear()
    assert published_kids(client) == first
    assert signing_kid(app) == first[0]


def test_what_the_tool_signs_verifies_with_its_published_key(app, client):
    with app.app_context():
        signing = keys.signing_key(get_session())
    token = jwt.encode({"iss": "cimp-univ-a", "exp": int(time.time()) + 60},
                       signing.private_pem, algorithm="RS256", headers={"kid": signing.kid})
    kid = jwt.get_unverified_header(token)["kid"]
    [jwk] = [k for k in keyset(client)["keys"] if k["kid"] == kid]
    public_key = RSAAlgorithm.from_jwk(jwk)
    assert jwt.decode(token, public_key, algorithms=["RS256"])["iss"] == "cimp-univ-a"


def test_rotate_makes_a_new_key_active_and_keeps_the_old_one_published(app, client, runner):
    [old] = published_kids(client)
    result = invoke(runner, "keys", "rotate")
    new = signing_kid(app)
    assert new != old
    assert new in result.output
    assert published_kids(client) == [old, new]
    listing = invoke(runner, "keys", "list").output
    assert f"{old}  published" in listing
    assert f"{new}  active" in listing


def test_retire_removes_the_old_keys_from_the_keyset(app, client, runner):
    [old] = published_kids(client)
    invoke(runner, "keys", "rotate")
    new = signing_kid(app)
    result = invoke(runner, "keys", "retire")
    assert old in result.output
    assert published_kids(client) == [new]
    assert signing_kid(app) == new
    listing = invoke(runner, "keys", "list").output
    assert f"{old}  retired" in listing


def test_retire_without_a_previous_key_changes_nothing(client, runner):
    before = published_kids(client)
    result = invoke(runner, "keys", "retire")
    assert "No published key to retire." in result.output
    assert published_kids(client) == before


@pytest.mark.parametrize("rotations", [2, 3])
def test_several_rotations_publish_every_key_not_yet_retired(app, client, runner, rotations):
    published_kids(client)
    for _ in range(rotations):
        invoke(runner, "keys", "rotate")
    kids = published_kids(client)
    assert len(kids) == rotations + 1 == len(set(kids))
    assert kids[-1] == signing_kid(app)
    invoke(runner, "keys", "retire")
    assert published_kids(client) == [kids[-1]]


def test_the_platform_verifies_the_tool_after_a_rotation(app, client, runner, site_a):
    """The platform reads the rotated keyset over HTTP: both keys are there until retirement."""
    old = published_kids(client)[0]
    invoke(runner, "keys", "rotate")
    new = signing_kid(app)
    platform_view = ToolKeyset(lambda: site_a.tool_jwks_url)
    assert platform_view.key_for(old) is not None
    assert platform_view.key_for(new) is not None
