"""Request ids, structured JSON logs, ``/health`` and Prometheus metrics at ``/metrics``.

Metrics use prometheus_client; under gunicorn set ``PROMETHEUS_MULTIPROC_DIR`` to a folder shared by
the workers so that one scrape sees every worker's counts. ``/metrics`` answers only with
``Authorization: Bearer <LTI_TOOL_METRICS_TOKEN>`` (404 when no token is configured).
"""
from __future__ import annotations

import hmac
import json
import logging
import os
import re
import sys
import uuid
from datetime import datetime, timezone

from flask import Blueprint, Flask, Response, abort, current_app, g, has_request_context, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select, text

from lti_tool.db import new_session

bp = Blueprint("observability", __name__)

LAUNCHES = Counter("cimp_lti_launches", "LTI logins and launches by outcome",
                   ["step", "result", "reason"])
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def record_launch_outcome(step: str, reason: str | None = None) -> None:
    """Count a login or launch: accepted when ``reason`` is None, else refused for ``reason``."""
    LAUNCHES.labels(step=step, result="refused" if reason else "accepted",
                    reason=reason or "").inc()


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a message that is itself a JSON object is merged in."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
                 "level": record.levelname.lower(), "logger": record.name}
        message = record.getMessage()
        try:
            parsed = json.loads(message) if message.startswith("{") else None
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            entry.update(parsed)
        else:
            entry["message"] = message
        if has_request_context():
            entry.setdefault("request_id", getattr(g, "request_id", None))
            entry.setdefault("path", request.path)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    if app.testing or app.config.get("LOG_FORMAT") == "plain":
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("lti_tool", "gunicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False


def _assign_request_id() -> None:
    given = request.environ.get("HTTP_X_REQUEST_ID", "")
    g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _return_request_id(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    return response


@bp.get("/health")
def health():
    checks, healthy = {}, True
    try:
        with new_session() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means unhealthy; the reason goes to the log
        logging.getLogger("lti_tool").warning("health: database: %s", exc)
        checks["database"], healthy = "unavailable", False
    if current_app.config.get("REDIS_URL"):
        try:
            current_app.extensions["store"].ping()
            checks["redis"] = "ok"
        except Exception as exc:
            logging.getLogger("lti_tool").warning("health: redis: %s", exc)
            checks["redis"], healthy = "unavailable", False
    else:
        checks["redis"] = "not configured"
    return {"status": "ok" if healthy else "unavailable", **checks}, 200 if healthy else 503


class _GradeQueueCollector:
    """Grade sync queue by status, read from the outbox at scrape time."""

    def __init__(self, app: Flask):
        self._app = app

    def collect(self):
        from lti_tool.grades.models import GradeOutbox

        family = GaugeMetricFamily("cimp_lti_grade_sync_rows",
                                   "Rows of the grade sync outbox by status", labels=["status"])
        with self._app.app_context(), new_session() as session:
            rows = session.execute(select(GradeOutbox.status, func.count())
                                   .group_by(GradeOutbox.status)).all()
        for status, count in rows:
            family.add_metric([status], count)
        yield family


@bp.get("/metrics")
def metrics():
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        abort(401)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(LAUNCHES)
    registry.register(_GradeQueueCollector(current_app._get_current_object()))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    configure_logging(app)
    app.before_request(_assign_request_id)
    app.after_request(_return_request_id)
    app.register_blueprint(bp)
