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


# Incremental models must exist before `dbt build` runs their unit tests (which come before the
# model itself): on a new database they are created empty first.
INCREMENTAL_MODELS = ("int_counter_observations_classified", "int_counter_states_collapsed")


def dbt_invocation(duckdb_path: Path, work: Path, *args: str) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of one dbt command against a warehouse file (the venv's
    dbt, the project's profile, target and logs under ``work``)."""
    env = {**os.environ, "GUICHETS_DUCKDB": str(duckdb_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
    cmd = [
        dbt_executable(),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    return cmd, env


def dbt_command(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    """Run one dbt command against the warehouse and wait for it."""
    cmd, env = dbt_invocation(settings.duckdb_path, settings.dbt_work_dir, *args)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR)


def dbt_build(settings: Settings, *extra: str) -> str:
    """Run ``dbt build`` (seeds, models, tests, unit tests); returns dbt's summary line.

    Incremental by default: only load batches not seen yet are read (``--full-refresh`` in
    ``extra`` rebuilds everything).
    """
    if _missing_incremental_models(settings.duckdb_path):
        _check(
            dbt_command(settings, "run", "--select", "+config.materialized:incremental", "--empty"), "dbt run --empty"
        )
    return _check(dbt_command(settings, "build", *extra), "dbt build")


def _missing_incremental_models(db_path: Path) -> bool:
    import duckdb

    if not db_path.exists():
        return True
    with duckdb.connect(str(db_path), read_only=True) as con:
        have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    return not set(INCREMENTAL_MODELS) <= have


def _check(proc: subprocess.CompletedProcess, what: str) -> str:
    out = proc.stdout + proc.stderr
    summary = next((ln.strip() for ln in reversed(out.splitlines()) if "Done. PASS=" in ln), "")
    if proc.returncode != 0:
        failures = [ln.strip() for ln in out.splitlines() if any(k in ln for k in ("ERROR", "FAIL ", "Failure in"))]
        raise DbtError(f"{what} failed: " + (summary or "no summary") + "\n" + "\n".join(failures[-30:]))
    return summary
