"""Run the dbt project (one ``dbt build`` per run) against the warehouse DuckDB file.

dbt runs as a subprocess of the venv's ``dbt``: one process holds the DuckDB write lock, and
dbt's logging and global state stay out of the Airflow task process. It is started through
:mod:`scrapers.children`, so it never outlives the process waiting for it: a killed pipeline
(Ctrl-C, SIGTERM, even ``kill -9``) leaves no dbt holding the DuckDB lock.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from scrapers import children
from warehouse import test_scope
from warehouse.settings import DBT_PROJECT_DIR, Settings, storage_problem, storage_problem_in


class DbtError(RuntimeError):
    """``dbt build`` failed; the message carries the failing nodes from dbt's output."""


def dbt_executable() -> str:
    """The ``dbt`` next to the running interpreter (the project venv)."""
    return str(Path(sys.executable).with_name("dbt"))


# The pipeline's build: seeds, models and data tests. Unit tests check the SQL logic on fixed
# inputs, not the data: as dbt advises, they run in development and CI (tests/integration/test_dbt_project.py
# runs a plain `dbt build`), not on every weekly build.
BUILD = ("build", "--exclude-resource-type", "unit_test")
# dbt threads of a weekly build (the profile says 1: a full refresh, the first build, a build by
# hand). Two nodes at once let dbt's Python work on small tests overlap DuckDB's queries of the
# large models (one process, one DuckDB instance and its one memory cap; each model writes its own
# table, and DuckDB appends never conflict). A new week at national scale: 47.1 s, mean of three
# builds, against 52.5 s with one thread. Builds from scratch keep one thread: their large models
# side by side would share the memory cap they were measured against.
INCREMENTAL_THREADS = 2


def build_options(*, full_refresh: bool, first_build: bool = False) -> list[str]:
    """The pipeline's options after :data:`BUILD`: ``--full-refresh``; nothing for the first build of
    a warehouse; else an incremental build on :data:`INCREMENTAL_THREADS` threads."""
    if full_refresh:
        return ["--full-refresh"]
    return [] if first_build else ["--threads", str(INCREMENTAL_THREADS)]


def dbt_vars(project_dir: Path = DBT_PROJECT_DIR) -> dict:
    """The dbt project's ``vars`` (thresholds of the models), as declared in ``dbt_project.yml``.

    That file is the one place a var's value is written: the models call ``var()`` without a
    default, and Python (the report's methodology, the real-corpus scores) reads them from here.
    """
    import yaml

    path = Path(project_dir) / "dbt_project.yml"
    return dict((yaml.safe_load(path.read_text("utf-8")) or {}).get("vars") or {})


def dbt_invocation(
    duckdb_path: Path, work: Path, *args: str, env: Mapping[str, str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of one dbt command against a warehouse file (the venv's
    dbt, the project's profile, target and logs under ``work``; ``env`` added to the environment).

    Data tests read every row unless ``env`` scopes them (:meth:`TestScope.dbt_env`).
    """
    env = {
        **os.environ,
        "GUICHETS_DUCKDB": str(duckdb_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        test_scope.FROM_BATCH_ENV: "",  # every row, whatever the caller's environment says
        **(env or {}),
    }
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


def dbt_command(settings: Settings, *args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run one dbt command against the warehouse and wait for it (``env``: see :func:`dbt_invocation`)."""
    cmd, env = dbt_invocation(settings.duckdb_path, settings.dbt_work_dir, *args, env=env)
    return children.run(cmd, env=env, text=True, cwd=DBT_PROJECT_DIR)


def dbt_build(settings: Settings, *extra: str, env: Mapping[str, str] | None = None) -> str:
    """Run the pipeline's ``dbt build`` (seeds, models, data tests); returns dbt's summary line.

    Incremental by default: only load batches not seen yet are read (``--full-refresh`` in
    ``extra`` rebuilds everything). A full disk or an unwritable data directory is named as such
    in the :class:`DbtError`, with the folders dbt writes to.
    """
    for folder in (settings.dbt_work_dir, settings.duckdb_path.parent):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DbtError(f"dbt build cannot start: {storage_problem(exc) or exc}") from exc
    where = f"writing {settings.duckdb_path} or dbt's folder {settings.dbt_work_dir}"
    return _check(dbt_command(settings, *BUILD, *extra, env=env), "dbt build", where)


def pipeline_build(settings: Settings, *, full_refresh: bool = False, full_tests: bool = False) -> str:
    """The pipeline's build, its data tests scoped by :mod:`warehouse.test_scope`; returns dbt's summary line.

    Weekly builds test the new load batches only (the restricted tests), a full refresh, the
    first build and the monthly schedule test every row; what passed is recorded after the build.
    """
    scope = test_scope.plan(settings.duckdb_path, full_refresh=full_refresh, full_tests=full_tests)
    options = build_options(full_refresh=full_refresh, first_build=scope.first_build)
    summary = dbt_build(settings, *options, env=scope.dbt_env())
    test_scope.record(settings.duckdb_path, scope)
    return f"{summary} (data tests: {scope.reason})"


def _check(proc: subprocess.CompletedProcess, what: str, where: str = "") -> str:
    out = proc.stdout + proc.stderr
    summary = next((ln.strip() for ln in reversed(out.splitlines()) if "Done. PASS=" in ln), "")
    if proc.returncode != 0:
        failures = [ln.strip() for ln in out.splitlines() if any(k in ln for k in ("ERROR", "FAIL ", "Failure in"))]
        # A storage fault kills dbt before any summary; say it first, it is what has to be fixed.
        storage = storage_problem_in(out)
        cause = f"{storage}{f' {where}' if where else ''}" if storage else summary or "no summary"
        raise DbtError(f"{what} failed: {cause}\n" + "\n".join(failures[-30:]))
    return summary
