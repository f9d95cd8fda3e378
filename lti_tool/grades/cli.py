"""``lti-tool grades sync [--loop]``: deliver queued grades to the platforms' gradebooks."""
from __future__ import annotations

import signal
import sys
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from lti_tool.grades.sync import (SyncReport, SyncSettings, default_worker_id, run_loop,
                                  sync_pending_scores)


@click.group("grades", help="Grades published in the tool and their delivery (AGS).")
def grades_group() -> None:
    pass


def _summary(report: SyncReport) -> str:
    return (f"{report.claimed} grade(s) handled: {report.sent} sent, {report.retrying} to retry, "
            f"{report.not_gradable} not gradable, {report.failed} failed, "
            f"{report.superseded} superseded ({report.requests} request(s) to the platforms).")


@grades_group.command("sync")
@click.option("--loop", is_flag=True, help="Keep running; stop with SIGTERM or Ctrl-C.")
@click.option("--poll-seconds", type=click.FloatRange(min=0.1), default=None,
              help="With --loop: pause when nothing is due (default: GRADES_POLL_SECONDS, 10).")
@click.option("--limit", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Most grades handled by one pass.")
@click.option("--worker-id", default=None, help="Name recorded on the rows this worker claims.")
@with_appcontext
def sync_command(loop: bool, poll_seconds: float | None, limit: int,
                 worker_id: str | None) -> None:
    """Send the grades that are due (once, or in a loop)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = SyncSettings.from_config(app.config)
    sessions = app.extensions["db_sessionmaker"]
    worker_id = worker_id or default_worker_id("loop" if loop else "once")
    stop = threading.Event()

    def request_stop(signum, _frame) -> None:
        click.echo(f"Signal {signum}: stopping after the grades in flight.", err=True)
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if not loop:
            click.echo(_summary(sync_pending_scores(sessions, worker_id, limit,
                                                    settings=settings, stop=stop)))
            return
        poll = poll_seconds or float(app.config.get("GRADES_POLL_SECONDS", 10))
        click.echo(f"Grade sync worker {worker_id}: polling every {poll:g} s.")

        def echo_pass(report: SyncReport) -> None:
            if report.claimed:
                click.echo(_summary(report))

        run_loop(sessions, worker_id, poll, stop, settings=settings, on_pass=echo_pass)
        click.echo("Grade sync worker stopped.")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    sys.stdout.flush()
