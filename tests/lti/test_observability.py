"""Health check, request ids, JSON logs and the protected Prometheus metrics."""
from __future__ import annotations

import json
import logging

from lti_tool.observability import JsonFormatter


def test_health_reports_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "not configured"}


def test_health_fails_when_redis_is_unreachable(app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    from lti_tool.store import RedisStore

    app.extensions["store"] = RedisStore(app.config["REDIS_URL"])
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.json["redis"] == "unavailable" and response.json["database"] == "ok"


def test_request_ids_are_kept_or_made(client):
    assert client.get("/health", headers={"X-Request-ID": "abc-123"}).headers[
        "X-Request-ID"] == "abc-123"
    made = client.get("/health", headers={"X-Request-ID": "bad id <script>"}).headers["X-Request-ID"]
    assert len(made) == 32 and made.isalnum()


def test_metrics_need_their_token(app, client):
    assert client.get("/metrics").status_code == 404  # no token configured: no metrics
    app.config["METRICS_TOKEN"] = "s3cret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def metric(text: str, name: str, **labels) -> float:
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_launches_and_refusals_by_reason(app, driver, site_a, tool_server):
    app.config["METRICS_TOKEN"] = "s3cret"
    headers = {"Authorization": "Bearer s3cret"}
    before = driver.http.get(tool_server.url + "/metrics", headers=headers).text
    driver.launch(site_a, "2", "101")
    driver.forged_launch(site_a, "2", "101", version="1.1")
    after = driver.http.get(tool_server.url + "/metrics", headers=headers).text
    assert metric(after, "cimp_lti_launches_total", step="launch", result="accepted") == \
        metric(before, "cimp_lti_launches_total", step="launch", result="accepted") + 1
    assert metric(after, "cimp_lti_launches_total", result="refused", reason="version") == \
        metric(before, "cimp_lti_launches_total", result="refused", reason="version") + 1
    assert "cimp_lti_grade_sync_rows" in after or "# HELP cimp_lti_grade_sync_rows" in after


def test_log_lines_are_json_objects_with_the_structured_message():
    record = logging.LogRecord("lti_tool.lti", logging.WARNING, __file__, 1,
                               json.dumps({"event": "lti.launch.refused", "reason": "nonce"}),
                               None, None)
    line = json.loads(JsonFormatter().format(record))
    assert line["event"] == "lti.launch.refused" and line["reason"] == "nonce"
    assert line["level"] == "warning" and "time" in line
