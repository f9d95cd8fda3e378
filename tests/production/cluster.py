"""Two gunicorn instances of the tool on one database and one Redis, behind nginx.

Each instance is a separate process (one worker) with its own instance folder; they share only
what a real deployment shares: the database, Redis, the secret key and the upload folder. nginx
runs in the foreground with every file it writes in the test's folder, and logs which instance
served each request (``$upstream_addr``).
"""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
REDIS_TEST_URL = "redis://127.0.0.1:6379/13"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_path() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)), None)


def nginx_config(folder: Path, port: int, upstream_ports: list[int]) -> str:
    """A complete nginx configuration: foreground, every path in ``folder``, round-robin."""
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    servers = "\n".join(f"    server 127.0.0.1:{p};" for p in upstream_ports)
    temp = "\n".join(f"  {kind}_temp_path {folder / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""daemon off;
{user}
worker_processes 1;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} warn;
events {{ worker_connections 256; }}
http {{
  log_format upstream '$request_method $uri $status $upstream_addr';
  access_log {folder / 'access.log'} upstream;
{temp}
  upstream cimp_lti {{
{servers}
  }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 25m;
    location / {{
      proxy_pass http://cimp_lti;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Port $server_port;
    }}
  }}
}}
"""


def control_socket_options(folder: Path) -> list[str]:
    """gunicorn 27 opens a control socket, by default one path for every instance of a user."""
    from gunicorn.config import KNOWN_SETTINGS

    if any(setting.name == "control_socket" for setting in KNOWN_SETTINGS):
        return ["--control-socket", str(folder / "gunicorn.ctl")]
    return []


def wait_until_up(url: str, process: subprocess.Popen, what: str, log: Path,
                  seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} stopped (exit {process.returncode}):\n"
                               + log.read_text(errors="replace")[-3000:])
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer {url} in {seconds:.0f} s:\n"
                       + log.read_text(errors="replace")[-3000:])


@dataclass
class Cluster:
    folder: Path
    database_url: str
    redis_url: str
    instances: int = 2
    ports: list[int] = field(default_factory=list)
    nginx_port: int = 0
    processes: list[subprocess.Popen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ports = [free_port() for _ in range(self.instances)]
        self.nginx_port = free_port()

    @property
    def nginx_url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    @property
    def instance_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    def upstream_counts(self, path_prefix: str = "/") -> dict[str, int]:
        """How many requests under ``path_prefix`` nginx sent to each instance."""
        counts: dict[str, int] = {}
        log = self.folder / "nginx" / "access.log"
        for line in log.read_text().splitlines() if log.exists() else []:
            _method, uri, _status, upstream = line.split(" ", 3)
            if uri.startswith(path_prefix):
                counts[upstream] = counts.get(upstream, 0) + 1
        return counts

    def start(self) -> None:
        """Start the instances together (each takes seconds to import), then nginx."""
        started = [self._start_instance(number, port)
                   for number, port in enumerate(self.ports, 1)]
        for number, (process, log) in enumerate(started, 1):
            wait_until_up(f"{self.instance_urls[number - 1]}/health", process,
                          f"instance {number}", log)
        self._start_nginx(self.nginx_port, self.ports)

    def _start_instance(self, number: int, port: int) -> tuple[subprocess.Popen, Path]:
        instance = self.folder / f"instance-{number}"
        instance.mkdir()
        env = {**os.environ,
               "LTI_TOOL_DATABASE_URL": self.database_url,
               "LTI_TOOL_REDIS_URL": self.redis_url,
               "LTI_TOOL_SECRET_KEY": "shared-secret-of-the-cluster",
               "LTI_TOOL_BASE_URL": self.nginx_url,
               "LTI_TOOL_PROXY_COUNT": "1",
               "LTI_TOOL_INSTANCE_PATH": str(instance),
               "LTI_TOOL_UPLOAD_DIR": str(self.folder / "uploads")}
        log = instance / "gunicorn.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
                 "--forwarded-allow-ips", "127.0.0.1", "--timeout", "60",
                 *control_socket_options(instance), "lti_tool:create_app()"],
                env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process, log

    def _start_nginx(self, port: int, upstream_ports: list[int]) -> None:
        folder = self.folder / "nginx"
        folder.mkdir()
        config = folder / "nginx.conf"
        config.write_text(nginx_config(folder, port, upstream_ports))
        log = folder / "error.log"
        process = subprocess.Popen(
            [nginx_path(), "-p", str(folder), "-e", str(log), "-c", str(config)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.processes.append(process)
        wait_until_up(self.nginx_url + "/health", process, "nginx", log)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
