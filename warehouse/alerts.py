"""Failure notifications: the DAGs' Airflow callbacks (``on_failure_callback``), for every task and
for the run.

Each failure is appended as one JSON line to ``<data>/alerts/failures.jsonl`` (what failed, when,
the error and the log's URL) and logged at ERROR level; with ``GUICHETS_ALERT_WEBHOOK`` set, the
same JSON is POSTed there (a chat or incident webhook). A notification that cannot be sent is
logged, never raised: the callback must not hide the failure it reports.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from warehouse.settings import get_settings

log = logging.getLogger(__name__)
WEBHOOK_ENV = "GUICHETS_ALERT_WEBHOOK"


def failures_file(data_dir: Path) -> Path:
    """Where failures are recorded, one JSON object a line."""
    return Path(data_dir) / "alerts" / "failures.jsonl"


def failure_record(context: dict) -> dict:
    """The JSON-able facts of a failure from an Airflow callback's context."""
    ti = context.get("ti") or context.get("task_instance")
    run = context.get("dag_run")
    dag = context.get("dag")
    # A run's callback (run by the DAG processor) has a ``reason``, and also the context of the run's
    # last task instance: it is the run's failure (task None), not that task's a second time.
    of_task = "reason" not in context and ti is not None and context.get("task") is not None
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "dag_id": getattr(dag, "dag_id", None) or getattr(run, "dag_id", None),
        "run_id": context.get("run_id") or getattr(run, "run_id", None),
        "task_id": getattr(ti, "task_id", None) if of_task else None,
        "map_index": getattr(ti, "map_index", None) if of_task else None,
        "error": str(context.get("exception") or context.get("reason") or "")[:2000] or None,
        "log_url": getattr(ti, "log_url", None) if of_task else None,
    }


def notify_failure(context: dict) -> None:
    """Airflow ``on_failure_callback`` (task or DAG): record the failure and send it on."""
    record = failure_record(context)
    log.error("guichets failure: %s", json.dumps(record))
    try:
        path = failures_file(get_settings().data_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, sort_keys=True) + "\n")
    except OSError as exc:
        log.error("could not record the failure: %s", exc)
    url = os.environ.get(WEBHOOK_ENV)
    if url:
        request = urllib.request.Request(
            url, data=json.dumps(record).encode(), headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except OSError as exc:
            log.error("could not send the failure to %s: %s", WEBHOOK_ENV, exc)
