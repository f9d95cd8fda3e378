"""Instructions the tool's gunicorn process executes per launch, counted by valgrind.

The launches of ``launch.py``, one at a time, against gunicorn (one worker, so that every
request finds its pages warm) running under ``valgrind --tool=callgrind``. Instructions are
counted only while the measured launches run. The count is the same from one run to the next
(within a few tenths of a percent) whatever else the machine is doing, which CPU time on this
machine is not: compare two versions by it. It leaves out the kernel's part of a request
(sockets, files), which ``launch.py``'s hello-world floor shows. Needs Debian's ``valgrind``.

    python bench/launch_instructions.py              # 30 launches, Redis database 15
    python bench/launch_instructions.py -n 60 --redis redis://127.0.0.1:6379/14
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# launch.py (beside this file) puts the repository on sys.path for the imports that follow.
from launch import (LAUNCHES, ROOT, free_port, one_launch, serve_forever,
                    wait_until_answering)

from lti_tool import create_app
from lti_tool.demo.platform import create_platform_app, demo_sites, set_platform_base_url
from lti_tool.demo_setup import register_demo_sites
from lti_tool.migrations import upgrade_database


def callgrind(*args: str) -> None:
    subprocess.run(["callgrind_control", *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def counted_instructions(out_prefix: Path) -> int:
    """The instructions of every dump that callgrind wrote under ``out_prefix``."""
    total = 0
    for part in out_prefix.parent.glob(out_prefix.name + ".*"):
        totals = [line for line in part.read_text().splitlines() if line.startswith("totals:")]
        if totals:
            total += int(totals[-1].split()[1])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--launches", type=int, default=30)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15",
                        help="LTI_TOOL_REDIS_URL for the tool (default: %(default)s)")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="cimp-bench-"))
    database_url = os.environ.get("LTI_TOOL_DATABASE_URL") or f"sqlite:///{instance}/bench.sqlite3"
    port, platform_port = free_port(), free_port()
    tool_url, platform_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{platform_port}"
    env = {**os.environ, "LTI_TOOL_DATABASE_URL": database_url, "LTI_TOOL_BASE_URL": tool_url,
           "LTI_TOOL_SECRET_KEY": "bench-secret", "LTI_TOOL_INSTANCE_PATH": str(instance),
           "LTI_TOOL_RATE_LIMIT_LTI": "1000000/minute", "LTI_TOOL_REDIS_URL": args.redis}
    os.environ.update({k: v for k, v in env.items() if k.startswith("LTI_TOOL_")})
    upgrade_database(database_url)
    sites = demo_sites(tool_url, jwks_path="/lti/jwks.json")
    platform_app = create_platform_app(sites)
    set_platform_base_url(platform_app, platform_url)
    register_demo_sites(create_app(), sites)

    platform = multiprocessing.get_context("fork").Process(
        target=serve_forever, args=(platform_app, platform_port), daemon=True)
    platform.start()
    out = instance / "callgrind"
    # Counting starts switched off: start-up and warm-up are not measured.
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--trace-children=yes", "--instr-atstart=no",
         f"--callgrind-out-file={out}.%p", sys.executable, "-m", "gunicorn", "-w", "1",
         "--timeout", "600", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "lti_tool:create_app()"], env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        wait_until_answering(tool_url + "/lti/jwks.json", platform_url + "/")
        for spec in LAUNCHES * 2:  # warm-up: keys, keysets, programme, every first page
            one_launch(tool_url, platform_url, spec)
        processes = [str(server.pid), *gunicorn_workers(server.pid)]
        for pid in processes:
            callgrind("-i", "on", pid)
        for index in range(args.launches):
            one_launch(tool_url, platform_url, LAUNCHES[index % len(LAUNCHES)])
        for pid in processes:
            callgrind("-d", pid)
            callgrind("-i", "off", pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
        platform.terminate()
    database = database_url.split(":")[0]
    print(f"tool under callgrind: gunicorn, 1 worker, database {database}, store redis; "
          f"{args.launches} launches")
    print(f"{counted_instructions(out) / args.launches / 1e6:.2f} M instructions per launch "
          "(login + launch answered with its page), user space")


def gunicorn_workers(master_pid: int) -> list[str]:
    """The pids whose parent is gunicorn's master."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
            except OSError:
                continue
            if parent == str(master_pid):
                children.append(entry.name)
    return children


if __name__ == "__main__":
    main()
