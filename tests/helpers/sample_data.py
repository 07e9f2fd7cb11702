"""One sample pipeline run per test session, shared by the modules that need its data.

``guichets run --mode sample`` takes about a minute and a half; the report, CLI and docs tests
all read the same data, so the first fixture call builds it under the session's base temporary
directory and later calls (from any module) reuse it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
_lock = threading.Lock()


def guichets_env() -> dict[str, str]:
    """The environment without AIRFLOW_* / GUICHETS_* variables, so a run uses only its arguments."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "GUICHETS"))}


def sample_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data directory of the session's sample run (built on first use)."""
    data = tmp_path_factory.getbasetemp() / "sample-run"
    done = data / ".complete"
    with _lock:
        if done.is_file():
            return data
        proc = subprocess.run(
            [str(BIN / "guichets"), "run", "--mode", "sample", "--data-dir", str(data)],
            capture_output=True,
            text=True,
            env=guichets_env(),
            timeout=1200,
        )
        assert proc.returncode == 0, f"guichets run failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}"
        done.touch()
    return data


@pytest.fixture(scope="module")
def sample_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Data directory of a sample run: ``warehouse/guichets.duckdb`` and ``releases/latest``."""
    return sample_data_dir(tmp_path_factory)
