"""Two instances of the tool (gunicorn, one worker each) on one database and one Redis, behind
nginx: any step of a launch, and any page after it, may be served by either instance."""
from __future__ import annotations

import json
import os
import re

import pytest
import redis

from lti_tool import create_app
from lti_tool.demo.platform import demo_sites, serve_platform
from lti_tool.demo_setup import register_demo_sites
from tests.conftest import empty_database
from tests.lti.launching import LaunchDriver
from tests.portfolio.pages import Tab, entry_id_of
from tests.production.cluster import REDIS_TEST_URL, Cluster, nginx_path
from tests.production.secrets import leaked_in, secret_fragments


def required(what: str, install: str) -> None:
    """Fail in CI, skip on a laptop, when a service or program the test needs is missing."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI ({install})")
    pytest.skip(f"{what} is not available ({install})")


@pytest.fixture(scope="module")
def redis_url():
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.RedisError:
        required("Redis at 127.0.0.1:6379", "apt-get install redis-server")
    client.flushdb()
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def cluster(database_url, _engine, redis_url, tmp_path_factory):
    """Started once for the module (the instances take seconds to start): the tests use
    people and entries of their own and never empty the database."""
    if nginx_path() is None:
        required("nginx", "apt-get install nginx")
    empty_database(_engine)
    running = Cluster(tmp_path_factory.mktemp("cluster"), database_url, redis_url)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def cluster_platform(database_url, cluster):
    """The test platform, registered with the tool at nginx's address, then the cluster."""
    platform = serve_platform(demo_sites(cluster.nginx_url, jwks_path="/lti/jwks.json",
                                         key_size=1024))
    admin = create_app({"TESTING": True, "DATABASE_URL": database_url, "REDIS_URL": None,
                        "SECRET_KEY": "registration-only"})
    register_demo_sites(admin, platform.sites.values())
    admin.extensions["db_engine"].dispose()
    cluster.start()
    yield platform
    platform.stop()


def test_a_login_on_one_instance_and_its_launch_on_the_other_succeed(cluster, cluster_platform):
    site = cluster_platform.site("univ-a")
    first, second = cluster.instance_urls
    for login_at, launch_at in ((first, second), (second, first)):
        driver = LaunchDriver(login_at)
        login = driver.start_login(site, "2", "101")
        action, fields = driver.platform_auth(login)
        assert action == cluster.nginx_url + "/lti/launch"
        result = driver.post_launch(fields, login.cookies, launch_at + "/lti/launch")
        assert result.status == 200, result.response.text[:500]
        # The launch session lives in Redis: both instances serve the launched pages.
        for url in (login_at, launch_at):
            page = driver.http.get(url + result.location)
            assert page.status_code == 200, page.text[:500]


def test_a_replayed_launch_is_refused_by_the_other_instance(cluster, cluster_platform):
    site = cluster_platform.site("univ-a")
    first, second = cluster.instance_urls
    driver = LaunchDriver(first)
    login = driver.start_login(site, "3", "101")
    _action, fields = driver.platform_auth(login)
    assert driver.post_launch(fields, login.cookies, first + "/lti/launch").status == 200
    replay = driver.post_launch(fields, login.cookies, second + "/lti/launch")
    assert replay.status in (400, 401, 403)


def test_launches_through_nginx_are_shared_by_both_instances(cluster, cluster_platform):
    driver = LaunchDriver(cluster.nginx_url)
    sites = [cluster_platform.site("univ-a"), cluster_platform.site("univ-b")]
    for n in range(12):
        site = sites[n % 2]
        result = driver.launch(site, "2" if n % 4 < 2 else "3", "101" if site is sites[0] else "201")
        assert result.status == 200, result.response.text[:500]
        assert driver.page(result).status_code == 200
    served = cluster.upstream_counts("/lti/")
    assert set(served) == {url.removeprefix("http://") for url in cluster.instance_urls}
    assert min(served.values()) >= 12  # round-robin: each instance took its share of the steps


def test_the_tool_sees_the_public_address_behind_nginx(cluster, cluster_platform):
    http = LaunchDriver(cluster.nginx_url).http
    health = http.get(cluster.nginx_url + "/health")
    assert health.json() == {"status": "ok", "database": "ok", "redis": "ok"}
    config = http.get(cluster.nginx_url + "/lti/config", headers={"Accept": "application/json"})
    assert config.status_code == 200
    assert cluster.nginx_url + "/lti/launch" in config.text
    assert "127.0.0.1:" + str(cluster.ports[0]) not in config.text


def test_two_autosaves_of_one_version_through_two_instances_conflict(cluster, cluster_platform):
    site = cluster_platform.site("univ-a")
    driver = LaunchDriver(cluster.nginx_url)
    result = driver.launch(site, "2", "101")
    assert result.status == 200
    first, second = (Tab(driver, url, result.token) for url in cluster.instance_urls)
    entry_id = entry_id_of(first.post("/portfolio/entries/new",
                                      {"title": "Journal", "body": "<p>start</p>",
                                       "save": "1"}))
    edit = second.get(f"/portfolio/entries/{entry_id}/edit").text
    version = int(re.search(r'name="version"[^>]*value="(\d+)"', edit).group(1))

    saved = first.autosave(entry_id, "Journal", "<p>written in the first tab</p>", version)
    assert saved.status_code == 200, saved.text
    stale = second.autosave(entry_id, "Journal", "<p>written in the second tab</p>", version)
    assert stale.status_code == 409
    assert stale.json()["current_version"] == saved.json()["version"]

    shown = Tab(driver, cluster.nginx_url, result.token).get(
        f"/portfolio/entries/{entry_id}/edit").text
    assert "written in the first tab" in shown and "written in the second tab" not in shown


def test_the_instances_write_json_logs_without_secrets(cluster, cluster_platform):
    site = cluster_platform.site("univ-b")
    driver = LaunchDriver(cluster.nginx_url)
    login = driver.start_login(site, "2", "201")
    action, fields = driver.platform_auth(login)
    genuine = driver.post_launch(fields, login.cookies, action)
    assert genuine.status == 200
    replayed = driver.post_launch(fields, login.cookies, action)
    assert replayed.status >= 400
    page = driver.page(genuine)
    assert page.status_code == 200

    lines = [line for path in sorted(cluster.folder.glob("instance-*/gunicorn.log"))
             for line in path.read_text().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    refusals = [r for r in records if r.get("event") == "lti.launch.refused"]
    assert refusals and all(r.get("request_id") and r.get("level") for r in refusals)
    fragments = secret_fragments([fields["id_token"], genuine.token,
                                  "shared-secret-of-the-cluster"])
    assert not [leak for line in lines for leak in leaked_in(line, fragments)]


def test_the_instances_count_rate_limits_together_in_redis(cluster, cluster_platform):
    """The default LTI limit (120 a minute per client address) is shared: requests spread over
    both instances reach it together. The address is one of the documentation range, given as
    nginx would (each instance trusts one proxy), so that the other tests keep their own."""
    http = LaunchDriver(cluster.nginx_url).http
    first, second = cluster.instance_urls
    headers = {"X-Forwarded-For": "198.51.100.23"}
    statuses = [http.post((first, second)[n % 2] + "/lti/login", headers=headers,
                          allow_redirects=False).status_code for n in range(121)]
    assert 429 not in statuses[:120]
    assert statuses[120] == 429
    refused = http.post(first + "/lti/login", headers=headers)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert http.post(second + "/lti/login", headers={"X-Forwarded-For": "198.51.100.24"}
                     ).status_code != 429
