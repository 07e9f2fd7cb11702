"""Failure notifications (the DAGs' on_failure_callback): recorded, and POSTed to a webhook served
here on 127.0.0.1. The callback's context is the few fields Airflow passes that it reads."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import SimpleNamespace

from warehouse.alerts import failures_file, notify_failure


def test_a_failure_is_recorded_and_sent(tmp_path: Path, monkeypatch) -> None:
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("GUICHETS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GUICHETS_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/hook")
    ti = SimpleNamespace(task_id="load", map_index=-1, log_url="http://127.0.0.1:8080/log")
    context = {
        "ti": ti,
        "task": object(),
        "dag": SimpleNamespace(dag_id="guichets_pipeline"),
        "run_id": "manual__1",
        "exception": RuntimeError("disk full"),
    }
    try:
        notify_failure(context)
    finally:
        server.shutdown()
    record = json.loads(failures_file(tmp_path).read_text().splitlines()[0])
    assert (record["dag_id"], record["run_id"], record["task_id"], record["error"]) == (
        "guichets_pipeline",
        "manual__1",
        "load",
        "disk full",
    )
    assert received == [{k: record[k] for k in record}]


def test_an_unreachable_webhook_does_not_raise(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GUICHETS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GUICHETS_ALERT_WEBHOOK", "http://127.0.0.1:9/nothing")
    notify_failure({"dag": SimpleNamespace(dag_id="guichets_backfill"), "run_id": "r", "reason": "task_failure"})
    record = json.loads(failures_file(tmp_path).read_text())
    assert (record["task_id"], record["error"]) == (None, "task_failure")


def test_a_runs_failure_is_the_runs_even_with_its_last_task_in_the_context(tmp_path: Path, monkeypatch) -> None:
    # The DAG processor runs a run's callback with its last task instance's context plus ``reason``.
    monkeypatch.setenv("GUICHETS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GUICHETS_ALERT_WEBHOOK", raising=False)
    ti = SimpleNamespace(task_id="plan_batches", map_index=-1, log_url="http://127.0.0.1:8080/log")
    context = {"ti": ti, "task": object(), "dag": SimpleNamespace(dag_id="guichets_backfill"), "run_id": "fails"}
    notify_failure({**context, "exception": ValueError("date_from is after date_to")})
    notify_failure({**context, "reason": "task_failure"})
    records = [json.loads(line) for line in failures_file(tmp_path).read_text().splitlines()]
    assert [(r["task_id"], r["error"]) for r in records] == [
        ("plan_batches", "date_from is after date_to"),
        (None, "task_failure"),
    ]
