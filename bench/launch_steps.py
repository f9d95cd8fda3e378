"""The tool's CPU time for each step of a launch, measured inside its own process.

The launches of ``bench/launch.py``, one at a time: the demo platform (a process of its own)
signs them, the tool answers through Flask's test client, and this process's CPU time is read
around each of the tool's steps: login, and launch (which answers with the first page; "page"
counts a page the launch would send the browser on to: none in this mix). With no HTTP server and nothing
else on the cores, the figures move less from run to run than those of ``launch.py``, and they
show where a launch's time goes (``launch.py``'s figure is these, plus the server's part, which
its hello-world floor shows). The best batch is the figure to compare between two versions.

    python bench/launch_steps.py                          # 600 launches, database store
    python bench/launch_steps.py --redis redis://127.0.0.1:6379/15
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import tempfile
import time
from pathlib import Path

import requests

# launch.py (beside this file) puts the repository on sys.path for the imports that follow.
from launch import LAUNCHES, free_port, serve_forever, wait_until_answering

from lti_tool import create_app
from lti_tool.demo.platform import (create_platform_app, demo_sites, parse_autopost_form,
                                    set_platform_base_url)
from lti_tool.demo_setup import register_demo_sites
from lti_tool.migrations import upgrade_database
from tests.lti.launching import auth_url_of_login_answer

STEPS = ("login", "launch", "page")


def serve_tool_forever(port: int) -> None:
    """The tool over HTTP too: the platform reads its keyset when a roster is imported."""
    serve_forever(create_app(), port)


def one_launch(app, tool_url: str, platform_url: str, spec: tuple[str, str, str],
               spent: dict[str, float]) -> None:
    """One browser's launch; adds the tool's CPU seconds of each step to ``spent``."""
    site_slug, user, activity = spec
    client = app.test_client()  # a new browser: no cookie of an earlier launch

    def tool(step: str, method: str, url: str, **kwargs):
        started = time.process_time()
        response = client.open(url.removeprefix(tool_url), method=method, **kwargs)
        spent[step] += time.process_time() - started
        return response

    initiate = requests.get(f"{platform_url}/{site_slug}/launch/initiate",
                            params={"user": user, "activity": activity}, timeout=10)
    action, params = parse_autopost_form(initiate.text)
    login = tool("login", "POST", action, data=params)
    auth = requests.get(auth_url_of_login_answer(login), timeout=10)
    action, fields = parse_autopost_form(auth.text)
    page = tool("launch", "POST", action, data=fields)
    # The launch answers with the first page; were it to send the browser on, that is "page".
    while page.status_code == 303:
        page = tool("page", "GET", page.headers["Location"])
    if page.status_code != 200:
        raise RuntimeError(f"launch or first page: {page.status_code} {page.text[:300]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--launches", type=int, default=600)
    parser.add_argument("--batch", type=int, default=50, help="launches per batch (default 50)")
    parser.add_argument("--redis", help="LTI_TOOL_REDIS_URL for the tool (default: database store)")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="cimp-bench-"))
    tool_port, platform_port = free_port(), free_port()
    tool_url, platform_url = f"http://127.0.0.1:{tool_port}", f"http://127.0.0.1:{platform_port}"
    os.environ.update({
        "LTI_TOOL_DATABASE_URL": os.environ.get("LTI_TOOL_DATABASE_URL")
        or f"sqlite:///{instance}/bench.sqlite3",
        "LTI_TOOL_BASE_URL": tool_url, "LTI_TOOL_SECRET_KEY": "bench-secret",
        "LTI_TOOL_INSTANCE_PATH": str(instance), "LTI_TOOL_RATE_LIMIT_LTI": "1000000/minute"})
    if args.redis:
        os.environ["LTI_TOOL_REDIS_URL"] = args.redis
    upgrade_database(os.environ["LTI_TOOL_DATABASE_URL"])
    sites = demo_sites(tool_url, jwks_path="/lti/jwks.json")
    platform_app = create_platform_app(sites)
    set_platform_base_url(platform_app, platform_url)
    app = create_app()
    register_demo_sites(app, sites)

    fork = multiprocessing.get_context("fork")
    servers = [fork.Process(target=serve_forever, args=(platform_app, platform_port),
                            daemon=True),
               fork.Process(target=serve_tool_forever, args=(tool_port,), daemon=True)]
    for server in servers:
        server.start()
    try:
        wait_until_answering(platform_url + "/", tool_url + "/lti/jwks.json")
        spent = dict.fromkeys(STEPS, 0.0)
        for spec in LAUNCHES * 2:  # warm-up: keys, keysets, programme, templates
            one_launch(app, tool_url, platform_url, spec, spent)
        random.seed(7)
        batches = []
        for _ in range(max(1, args.launches // args.batch)):
            spent = dict.fromkeys(STEPS, 0.0)
            for _ in range(args.batch):
                one_launch(app, tool_url, platform_url, random.choice(LAUNCHES), spent)
            batches.append({step: seconds / args.batch * 1000 for step, seconds in spent.items()})
    finally:
        for server in servers:
            server.terminate()

    store = "redis" if args.redis else "database"
    database = os.environ["LTI_TOOL_DATABASE_URL"].split(":")[0]
    print(f"tool CPU per launch step, in process (test client, no server); database {database},"
          f" store {store}; {len(batches)} batches of {args.batch} launches")
    print(f"{'':6} {'login ms':>9} {'launch ms':>10} {'page ms':>8} {'total ms':>9}")
    mean = {step: sum(b[step] for b in batches) / len(batches) for step in STEPS}
    best = min(batches, key=lambda b: sum(b.values()))
    for label, figures in (("mean", mean), ("best", best)):
        print(f"{label:6} {figures['login']:>9.2f} {figures['launch']:>10.2f} "
              f"{figures['page']:>8.2f} {sum(figures.values()):>9.2f}")


if __name__ == "__main__":
    main()
