"""warehouse.settings: every path under the data directory is one of its properties."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from warehouse.settings import PROJECT_ROOT, SAMPLE_REGISTRY, Settings

PATHS = [name for name, value in vars(Settings).items() if isinstance(value, property)]


def test_every_path_is_under_the_data_directory_and_its_own(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, registry=SAMPLE_REGISTRY)
    paths = {name: getattr(settings, name) for name in PATHS}
    assert {"duckdb_path", "collected_dir", "warc_dir", "releases_dir", "airflow_home"} <= set(paths)
    for name, path in paths.items():
        assert path.is_relative_to(tmp_path), name
    assert len(set(paths.values())) == len(paths)


@pytest.mark.parametrize("folder", ['"collected"', '"warc"', '"airflow"', '"releases"', '"guichets.duckdb"'])
def test_no_path_under_the_data_directory_is_built_by_hand(folder: str) -> None:
    """Outside settings.py (and the collector's contract, which cannot import the warehouse)."""
    found = subprocess.run(
        ["git", "grep", "-n", "-F", f"/ {folder}", "--", "warehouse", "scrapers", "dags", "expectations"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    if found.returncode not in (0, 1):
        pytest.skip(f"git grep failed: {found.stderr.strip()}")
    lines = [
        line
        for line in found.stdout.splitlines()
        if not line.startswith(("warehouse/settings.py:", "scrapers/capture.py:"))
    ]
    assert lines == []
