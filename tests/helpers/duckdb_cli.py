"""The DuckDB command-line tool of the package registry (PyPI's ``duckdb-cli``, a dev dependency).

Tests open the project's DuckDB files with it: what a reader who installs "the DuckDB CLI" gets.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path


def duckdb_cli() -> Path:
    """The CLI's binary, as the ``duckdb-cli`` wheel installs it."""
    spec = importlib.util.find_spec("duckdb_cli")
    assert spec is not None and spec.origin, "duckdb-cli is not installed: make install (uv sync) installs it"
    return Path(spec.origin).parent / "duckdb"


def cli_query(path: Path, sql: str) -> list[dict]:
    """The rows of ``sql`` run by the registry's DuckDB CLI on the file ``path`` opened read-only."""
    binary = duckdb_cli()
    proc = subprocess.run([str(binary), "-readonly", "-json", str(path), "-c", sql], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    assert proc.returncode == 0, f"DuckDB CLI {version} cannot read {path}: {proc.stderr}"
    return json.loads(proc.stdout or "[]")
