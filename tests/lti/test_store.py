"""The shared store behind launch state, nonces and launch sessions, on the database and on Redis.

Both backends must give the same answers: values round-trip as JSON, expire after their ttl,
``add`` writes a key only once and ``pop`` hands a value to exactly one caller even when two
threads race for it (nonce replay protection relies on that).
"""
from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from lti_tool.store import DatabaseStore, RedisStore, get_store

REDIS_URL = "redis://127.0.0.1:6379/0"
RACES = 15


def _redis_reachable() -> bool:
    try:
        return RedisStore(REDIS_URL).ping()
    except Exception:  # any connection problem means: no Redis here
        return False


@pytest.fixture(params=["database", "redis"])
def store(request, app):
    if request.param == "database":
        yield DatabaseStore(app.extensions["db_sessionmaker"])
        return
    if not _redis_reachable():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    # A prefix of its own: other test runs may share this Redis.
    redis_store = RedisStore(REDIS_URL, prefix=f"cimp-lti-test-{uuid.uuid4().hex}:")
    yield redis_store
    for key in redis_store._redis.scan_iter(redis_store._prefix + "*"):
        redis_store._redis.delete(key)


def race(times: int, call) -> list:
    """Run ``call`` in ``times`` threads released together; return their results."""
    barrier = threading.Barrier(times)

    def released():
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(lambda _: released(), range(times)))


def test_the_app_uses_the_database_store_without_redis_url(app):
    with app.app_context():
        assert isinstance(get_store(), DatabaseStore)


def test_the_app_uses_redis_when_configured(database_url, tmp_path):
    if not _redis_reachable():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    from lti_tool import create_app

    redis_app = create_app({"TESTING": True, "DATABASE_URL": database_url,
                            "SECRET_KEY": "x", "REDIS_URL": REDIS_URL,
                            "UPLOAD_DIR": str(tmp_path)})
    with redis_app.app_context():
        assert isinstance(get_store(), RedisStore)
    redis_app.extensions["db_engine"].dispose()


def test_set_then_get_round_trips_json_values(store):
    value = {"launch": {"user_id": 3, "roles": ["Learner"], "locale": "fr"}, "n": 1.5}
    store.set("session:abc", value, ttl=60)
    assert store.get("session:abc") == value


def test_get_of_a_missing_key_is_none(store):
    assert store.get("never-set") is None
    assert store.pop("never-set") is None


def test_set_replaces_the_value_and_its_expiry(store):
    store.set("k", "first", ttl=1)
    store.set("k", "second", ttl=60)
    time.sleep(1.3)
    assert store.get("k") == "second"


def test_values_expire_after_their_ttl(store):
    store.set("short", "v", ttl=1)
    store.set("long", "v", ttl=60)
    assert store.get("short") == "v"
    time.sleep(1.3)
    assert store.get("short") is None
    assert store.pop("short") is None
    assert store.get("long") == "v"


def test_add_writes_a_key_only_once(store):
    assert store.add("nonce-1", True, ttl=60) is True
    assert store.add("nonce-1", "other", ttl=60) is False
    assert store.get("nonce-1") is True


def test_add_succeeds_again_once_the_key_expired(store):
    assert store.add("nonce-2", "old", ttl=1) is True
    time.sleep(1.3)
    assert store.add("nonce-2", "new", ttl=60) is True
    assert store.get("nonce-2") == "new"


def test_pop_returns_the_value_once(store):
    store.set("state", {"login": {"iss": "x"}}, ttl=60)
    assert store.pop("state") == {"login": {"iss": "x"}}
    assert store.pop("state") is None
    assert store.get("state") is None


def test_delete_removes_a_key(store):
    store.set("gone", 1, ttl=60)
    store.delete("gone")
    store.delete("gone")  # deleting twice is harmless
    assert store.get("gone") is None


@pytest.mark.parametrize("attempt", range(RACES))
def test_two_threads_popping_the_same_key_one_wins(store, attempt):
    key = f"raced-pop-{attempt}"
    store.set(key, "nonce", ttl=60)
    results = race(2, lambda: store.pop(key))
    assert sorted(results, key=lambda r: r is None) == ["nonce", None]


@pytest.mark.parametrize("attempt", range(RACES))
def test_two_threads_adding_the_same_key_one_wins(store, attempt):
    key = f"raced-add-{attempt}"
    results = race(2, lambda: store.add(key, threading.get_ident(), ttl=60))
    assert sorted(results) == [False, True]


@pytest.mark.parametrize("attempt", range(RACES))
def test_concurrent_sets_of_one_new_key_all_succeed(store, attempt):
    key = f"raced-set-{attempt}"
    race(4, lambda: store.set(key, threading.get_ident(), ttl=60))
    assert isinstance(store.get(key), int)


def test_purge_removes_only_expired_database_entries(app):
    store = DatabaseStore(app.extensions["db_sessionmaker"])
    store.set("old", 1, ttl=1)
    store.set("fresh", 2, ttl=60)
    time.sleep(1.3)
    assert store.purge_expired() == 1
    assert store.get("fresh") == 2
