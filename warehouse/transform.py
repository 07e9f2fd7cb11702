"""Run the dbt project (one ``dbt build`` per run) against the warehouse DuckDB file.

dbt runs as a subprocess of the venv's ``dbt``: one process holds the DuckDB write lock, and
dbt's logging and global state stay out of the Airflow task process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from warehouse.settings import DBT_PROJECT_DIR, Settings


class DbtError(RuntimeError):
    """``dbt build`` failed; the message carries the failing nodes from dbt's output."""


def dbt_executable() -> str:
    """The ``dbt`` next to the running interpreter (the project venv)."""
    return str(Path(sys.executable).with_name("dbt"))


def dbt_build(settings: Settings, *extra: str) -> str:
    """Run ``dbt build`` (seeds, models, tests, unit tests); returns dbt's summary line."""
    work = settings.dbt_work_dir
    env = {
        **os.environ,
        "GUICHETS_DUCKDB": str(settings.duckdb_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    cmd = [
        dbt_executable(),
        "build",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
        *extra,
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR)
    out = proc.stdout + proc.stderr
    summary = next((ln.strip() for ln in reversed(out.splitlines()) if "Done. PASS=" in ln), "")
    if proc.returncode != 0:
        failures = [ln.strip() for ln in out.splitlines() if any(k in ln for k in ("ERROR", "FAIL ", "Failure in"))]
        raise DbtError("dbt build failed: " + (summary or "no summary") + "\n" + "\n".join(failures[-30:]))
    return summary
