"""Where things live. Generated data goes under one data directory (default ``./data``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_REGISTRY = PROJECT_ROOT / "scrapers" / "registries" / "sample.yaml"
PRODUCTION_REGISTRY = PROJECT_ROOT / "scrapers" / "registries" / "production.yaml"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"


@dataclass(frozen=True)
class Settings:
    """Paths of one deployment, all derived from the data directory."""

    data_dir: Path
    registry: Path

    @property
    def duckdb_path(self) -> Path:
        """The working DuckDB database (single writer: load, dbt, validate, publish)."""
        return self.data_dir / "warehouse" / "guichets.duckdb"

    @property
    def releases_dir(self) -> Path:
        """Published releases, one immutable directory each, plus the ``latest`` pointer."""
        return self.data_dir / "releases"

    @property
    def release_overrides(self) -> Path:
        """Recorded overrides of release-over-release checks (see ``warehouse.publish.load_overrides``)."""
        return self.data_dir / "release_overrides.yaml"

    @property
    def sample_web_dir(self) -> Path:
        """The generated sample archive (WARC files and the pywb collection)."""
        return self.data_dir / "sample_web"

    @property
    def dbt_work_dir(self) -> Path:
        """dbt's target and log folders, kept out of the source tree."""
        return self.data_dir / "dbt"


def get_settings(
    data_dir: str | Path | None = None, registry: str | Path | None = None, *, mode: str = "sample"
) -> Settings:
    """Settings from arguments, else ``GUICHETS_DATA_DIR`` / ``GUICHETS_REGISTRY``, else defaults.

    The default registry follows the mode: the sample one for the bundled sample archive, the
    production one (real administrations) for live collection and Wayback backfills.
    """
    data = Path(data_dir or os.environ.get("GUICHETS_DATA_DIR") or PROJECT_ROOT / "data")
    default = SAMPLE_REGISTRY if mode == "sample" else PRODUCTION_REGISTRY
    reg = Path(registry or os.environ.get("GUICHETS_REGISTRY") or default)
    return Settings(data_dir=data.resolve(), registry=reg.resolve())
