"""Complete LTI launches against the tool served by gunicorn (2 workers).

Each launch is what a browser does after a click on a course activity: it opens the platform's
login-initiation page, POSTs the login to the tool, follows the tool's answer to the platform's
auth step (which signs the id_token) and POSTs the id_token to the tool, which answers with the
first page (or, were a landing page to send the browser on, the browser follows).
The demo platform runs in a process of its own and each simulated user in another, as browsers
and Moodle would: the load generator never shares an interpreter lock with itself.

Prints launches/s, p50/p95/p99 latency of a launch (from the login POST to the first page), the
tool's CPU time per launch (user + system time of gunicorn's processes, from /proc) and, apart,
the CPU the platform and the simulated browsers used on the same machine. Last, the same gunicorn
serves a hello-world Flask app the same two requests: the part of a launch's CPU that is the
server's and the machine's, whatever the tool does (this machine's speed varies between runs);
and the same launches, at 5 users, go to ``pylti1p3_app.py``: pylti1p3's Flask adapter alone.

    python bench/launch.py                    # SQLite, 300 launches at 1, 5 and 20 users
    python bench/launch.py -n 500 -c 5 -c 20 --redis redis://127.0.0.1:6379/15
    LTI_TOOL_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/bench python bench/launch.py
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lti_tool import create_app  # noqa: E402
from lti_tool.demo.platform import (create_platform_app, demo_sites,  # noqa: E402
                                    parse_autopost_form, set_platform_base_url)
from lti_tool.demo.server import serve_in_thread  # noqa: E402
from lti_tool.demo_setup import register_demo_sites  # noqa: E402
from lti_tool.migrations import upgrade_database  # noqa: E402
from tests.lti.launching import LaunchDriver, LaunchResult, LoginStart  # noqa: E402
from tests.lti.launching import auth_url_of_login_answer  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
LAUNCHES = [("univ-a", user, activity) for user in ("2", "3", "4") for activity in
            ("101", "102", "105", "108", "111", "112")] + \
           [("univ-b", user, activity) for user in ("2", "3", "5") for activity in
            ("201", "203", "209", "214")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_tree_cpu_seconds(root_pid: int) -> float:
    """User + system CPU of a process and its children, read from /proc."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        stats[pid] = fields
        children.setdefault(int(fields[1]), []).append(pid)
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += int(stats[pid][11]) + int(stats[pid][12])  # utime, stime
        todo.extend(children.get(pid, []))
    return total / CLOCK_TICKS


def start_gunicorn(workers: int, port: int, app: str, cwd: Path,
                   env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", app], env=env, cwd=cwd)


def wait_until_answering(*urls: str) -> None:
    for url in urls:
        for _ in range(100):
            try:
                requests.get(url, timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)


def serve_forever(app, port: int) -> None:
    serve_in_thread(app, port=port)
    while True:
        time.sleep(3600)


def one_launch(tool_url: str, platform_url: str, spec: tuple[str, str, str]) -> float:
    """One browser's launch; the latency counts from the login POST to the first page."""
    site_slug, user, activity = spec
    driver = LaunchDriver(tool_url)
    initiate = driver.http.get(f"{platform_url}/{site_slug}/launch/initiate",
                               params={"user": user, "activity": activity})
    action, params = parse_autopost_form(initiate.text)
    started = time.perf_counter()
    answer = driver.http.post(action, data=params, allow_redirects=False)
    auth_url = auth_url_of_login_answer(answer)
    cookies = {c.name: c.value for c in answer.cookies}
    action, fields = driver.platform_auth(LoginStart("", "", cookies, auth_url))
    result: LaunchResult = driver.post_launch(fields, cookies, action)
    page = driver.page(result)
    elapsed = time.perf_counter() - started
    if page.status_code != 200:
        raise RuntimeError(f"launch failed: {page.status_code}")
    return elapsed


def floor_launch(url: str) -> float:
    """Two bare requests shaped like a launch's (login form, id_token form)."""
    http = requests.Session()
    started = time.perf_counter()
    http.post(url, data={"iss": "https://moodle.example", "login_hint": "2" * 8,
                         "lti_message_hint": "h" * 80, "target_link_uri": url})
    http.post(url, data={"id_token": "t" * 3600, "state": "s" * 40})
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--launches", type=int, default=300)
    parser.add_argument("-c", "--concurrency", type=int, action="append")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", help="LTI_TOOL_REDIS_URL for the tool (default: database store)")
    parser.add_argument("--no-floor", dest="floor", action="store_false",
                        help="skip the references measured after the levels (floor, pylti1p3)")
    args = parser.parse_args()
    levels = args.concurrency or [1, 5, 20]

    instance = Path(tempfile.mkdtemp(prefix="cimp-bench-"))
    database_url = os.environ.get("LTI_TOOL_DATABASE_URL") or f"sqlite:///{instance}/bench.sqlite3"
    port = free_port()
    tool_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "LTI_TOOL_DATABASE_URL": database_url, "LTI_TOOL_BASE_URL": tool_url,
           "LTI_TOOL_SECRET_KEY": "bench-secret", "LTI_TOOL_INSTANCE_PATH": str(instance),
           # Every simulated browser comes from 127.0.0.1: lift the per-address launch limit.
           "LTI_TOOL_RATE_LIMIT_LTI": "1000000/minute"}
    if args.redis:
        env["LTI_TOOL_REDIS_URL"] = args.redis
    os.environ.update({k: v for k, v in env.items() if k.startswith("LTI_TOOL_")})

    upgrade_database(database_url)
    platform_port = free_port()
    platform_url = f"http://127.0.0.1:{platform_port}"
    sites = demo_sites(tool_url, jwks_path="/lti/jwks.json")
    platform_app = create_platform_app(sites)
    set_platform_base_url(platform_app, platform_url)
    register_demo_sites(create_app(), sites)

    fork = multiprocessing.get_context("fork")
    platform = fork.Process(target=serve_forever, args=(platform_app, platform_port),
                            daemon=True)
    platform.start()
    server = start_gunicorn(args.workers, port, "lti_tool:create_app()", ROOT, env)
    try:
        wait_until_answering(tool_url + "/lti/jwks.json", platform_url + "/")
        # Warm-up: each worker loads its keys, the programme and the platform keysets, and
        # compiles the templates of every first page, once; a worker's first visit of a page
        # costs tens of milliseconds and would be counted in the first level otherwise.
        for spec in LAUNCHES * 3:
            one_launch(tool_url, platform_url, spec)

        print(f"tool: gunicorn, {args.workers} workers, database {database_url.split(':')[0]}, "
              f"store {'redis' if args.redis else 'database'}; {args.launches} launches per level;"
              f" {os.cpu_count()} cores shared with the platform and the browsers")
        print(f"{'users':>5} {'launches/s':>11} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
              f"{'tool CPU ms/launch':>19} {'platform+browsers CPU ms':>25}")
        for users in levels:
            specs = [random.choice(LAUNCHES) for _ in range(args.launches)]
            with fork.Pool(users) as browsers:
                browsers.map(time.sleep, [0.01] * users)  # every browser process is up
                cpu_before = process_tree_cpu_seconds(server.pid)
                others_before = process_tree_cpu_seconds(os.getpid()) - cpu_before
                started = time.perf_counter()
                latencies = browsers.starmap(one_launch, [(tool_url, platform_url, spec)
                                                          for spec in specs], chunksize=1)
                wall = time.perf_counter() - started
                cpu = process_tree_cpu_seconds(server.pid) - cpu_before
                others = process_tree_cpu_seconds(os.getpid()) - cpu - cpu_before - others_before
            print(f"{users:>5} {len(specs) / wall:>11.1f} {statistics.median(latencies) * 1000:>8.1f}"
                  f" {percentile(latencies, .95) * 1000:>8.1f} {percentile(latencies, .99) * 1000:>8.1f}"
                  f" {cpu / len(specs) * 1000:>19.2f} {others / len(specs) * 1000:>25.2f}")
    finally:
        server.terminate()
        server.wait(timeout=10)
        platform.terminate()
    if args.floor:
        print_floor(args, fork)
        print_pylti1p3_reference(args, fork)


def print_floor(args, fork) -> None:
    """The same gunicorn serving a hello-world Flask app: what the machine charges, at this
    moment, for three requests that do nothing (its speed varies from run to run)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = start_gunicorn(args.workers, port, "floor_app:app", ROOT / "bench")
    try:
        wait_until_answering(url)
        for _ in range(50):
            floor_launch(url)
        cpu_ms = server_cpu_ms_per_call(server, fork, 5, floor_launch,
                                        [(url,)] * args.launches)
        print(f"floor: the same two requests to a hello-world Flask app under this gunicorn,"
              f" 5 users: {cpu_ms:.2f} ms CPU")
    finally:
        server.terminate()
        server.wait(timeout=10)


def server_cpu_ms_per_call(server: subprocess.Popen, fork, users: int, call,
                           arguments: list[tuple]) -> float:
    """``call`` made with each of ``arguments`` by ``users`` browser processes: the server's CPU
    milliseconds per call."""
    with fork.Pool(users) as browsers:
        browsers.map(time.sleep, [0.01] * users)  # every browser process is up
        cpu_before = process_tree_cpu_seconds(server.pid)
        browsers.starmap(call, arguments, chunksize=1)
        return (process_tree_cpu_seconds(server.pid) - cpu_before) / len(arguments) * 1000


def write_reference_config(folder: Path, sites) -> Path:
    """pylti1p3's JSON tool configuration for the demo sites, with a key pair of its own."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "private.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (folder / "public.key").write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    config = {site.issuer: [{
        "default": True, "client_id": site.client_id, "auth_login_url": site.auth_url,
        "auth_token_url": site.token_url, "key_set_url": site.certs_url, "key_set": None,
        "private_key_file": "private.key", "public_key_file": "public.key",
        "deployment_ids": [site.deployment_id]}] for site in sites}
    path = folder / "tool.json"
    path.write_text(json.dumps(config, indent=2))
    return path


def print_pylti1p3_reference(args, fork) -> None:
    """The same launches, 5 users, against pylti1p3's Flask adapter alone (``pylti1p3_app.py``)
    under the same gunicorn: what the protocol costs on this machine at this moment."""
    store = args.redis or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(store).ping()
    except redis.RedisError:
        print(f"pylti1p3 reference: skipped, it keeps its launch state in Redis ({store})")
        return
    port, platform_port = free_port(), free_port()
    url, platform_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{platform_port}"
    sites = demo_sites(url, jwks_path="/lti/jwks.json")
    platform_app = create_platform_app(sites)
    set_platform_base_url(platform_app, platform_url)
    config = write_reference_config(Path(tempfile.mkdtemp(prefix="pylti1p3-reference-")),
                                    sites)
    platform = fork.Process(target=serve_forever, args=(platform_app, platform_port),
                            daemon=True)
    platform.start()
    server = start_gunicorn(args.workers, port, "pylti1p3_app:app", ROOT / "bench",
                            {**os.environ, "PYLTI1P3_REFERENCE_CONFIG": str(config),
                             "PYLTI1P3_REFERENCE_REDIS": store})
    try:
        wait_until_answering(url + "/lti/jwks.json", platform_url + "/")
        for spec in LAUNCHES * 2:  # warm-up: each worker caches the platforms' keysets
            one_launch(url, platform_url, spec)
        cpu_ms = server_cpu_ms_per_call(server, fork, 5, one_launch, [
            (url, platform_url, random.choice(LAUNCHES)) for _ in range(args.launches)])
        print(f"pylti1p3 reference: the same launches to its Flask adapter alone (no database;"
              f" bench/pylti1p3_app.py), 5 users: {cpu_ms:.2f} ms CPU")
    finally:
        server.terminate()
        server.wait(timeout=10)
        platform.terminate()


if __name__ == "__main__":
    main()
