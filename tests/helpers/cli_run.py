"""Run the ``guichets`` CLI of this checkout as a user would: a separate process, real arguments.

``python -m warehouse.cli`` from the repository root imports this checkout's code (the
installed ``guichets`` script imports whichever checkout the virtualenv was installed from).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers.sample_data import guichets_env

REPO = Path(__file__).resolve().parents[2]


def guichets_cli(*args: str, timeout: float = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``guichets ARGS...`` run from the repository root; stdout and stderr captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "warehouse.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        env={**guichets_env(), **(env or {})},
        timeout=timeout,
    )
