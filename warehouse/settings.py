"""Where things live. Generated data goes under one data directory (default ``./data``)."""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

# The collector cannot import the warehouse: where it writes is part of its contract, read here.
from scrapers.capture import collected_dir, warc_dir

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_REGISTRY = PROJECT_ROOT / "scrapers" / "registries" / "sample.yaml"
PRODUCTION_REGISTRY = PROJECT_ROOT / "scrapers" / "registries" / "production.yaml"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
LATEST = "latest"  # name of the symlink, in a releases folder, to the newest release
# Where releases are published on the web: ``<base>/<version>/`` is a release's landing page (DCAT,
# CITATION.cff). The reserved ``.example`` domain says "not set": a deployment gives its own with
# ``--release-base-url`` or ``GUICHETS_RELEASE_BASE_URL``.
DEFAULT_RELEASE_BASE_URL = "https://guichets.example/releases/"


@dataclass(frozen=True)
class Settings:
    """Paths of one deployment, all derived from the data directory."""

    data_dir: Path
    registry: Path
    release_base_url: str = DEFAULT_RELEASE_BASE_URL
    # Hosts collected at once by one process (one thread each); None: collect.MAX_HOST_THREADS.
    collect_threads: int | None = None
    # At most this many worker processes for a live crawl of many hosts (fetching, archiving and
    # parsing hundreds of hosts at once is CPU work; collect.processes_for): one per core unless
    # GUICHETS_COLLECT_PROCESSES says.
    collect_processes: int = field(default_factory=lambda: os.cpu_count() or 1)

    @property
    def duckdb_path(self) -> Path:
        """The working DuckDB database (single writer: load, dbt, validate, publish)."""
        return self.data_dir / "warehouse" / "guichets.duckdb"

    @property
    def collected_dir(self) -> Path:
        """Capture files, one per capture, written by the collector and read by the load."""
        return collected_dir(self.data_dir)

    @property
    def warc_dir(self) -> Path:
        """The collector's WARC evidence, one folder per source."""
        return warc_dir(self.data_dir)

    @property
    def releases_dir(self) -> Path:
        """Published releases, one immutable directory each, plus the ``latest`` pointer."""
        return self.data_dir / "releases"

    @property
    def latest_release(self) -> Path:
        """The ``latest`` pointer (a symlink) to the newest published release."""
        return self.releases_dir / LATEST

    @property
    def release_overrides(self) -> Path:
        """Recorded overrides of release-over-release checks (see ``warehouse.release.publish.load_overrides``)."""
        return self.data_dir / "release_overrides.yaml"

    @property
    def sample_web_dir(self) -> Path:
        """The generated sample archive (WARC files and the pywb collection)."""
        return self.data_dir / "sample_web"

    def sample_run_dir(self, run_id: str) -> Path:
        """One run's own sample archive folder: runs of both DAGs never build or serve from the same one."""
        return self.sample_web_dir / "runs" / re.sub(r"[^A-Za-z0-9._-]", "_", run_id)

    def sample_run_warc_dir(self, run_id: str) -> Path:
        """One run's sample archive WARC files."""
        return self.sample_run_dir(run_id) / "warc"

    def sample_run_pywb_dir(self, run_id: str) -> Path:
        """The pywb collection that serves one run's sample archive."""
        return self.sample_run_dir(run_id) / "pywb"

    @property
    def politeness_dir(self) -> Path:
        """Each web archive's next free request slot, shared by every process (``scrapers.fetch.politeness``)."""
        return self.data_dir / "politeness"

    @property
    def dbt_work_dir(self) -> Path:
        """dbt's target and log folders, kept out of the source tree."""
        return self.data_dir / "dbt"

    @property
    def deploy_dir(self) -> Path:
        """Everything a production-shaped deployment owns: Postgres's data, its supervisor's log and PID."""
        return self.data_dir / "deploy"

    @property
    def deploy_airflow_home(self) -> Path:
        """AIRFLOW_HOME of the deployment (``make deploy-local``), apart from ``guichets run``'s."""
        return self.deploy_dir / "airflow"

    @property
    def airflow_home(self) -> Path:
        """AIRFLOW_HOME: Airflow's metadata database, logs and config, shared by ``guichets run``
        and ``make airflow``."""
        return self.data_dir / "airflow"


def get_settings(
    data_dir: str | Path | None = None, registry: str | Path | None = None, *, mode: str = "sample"
) -> Settings:
    """Settings from arguments, else ``GUICHETS_DATA_DIR`` / ``GUICHETS_REGISTRY`` (and
    ``GUICHETS_RELEASE_BASE_URL``, ``GUICHETS_COLLECT_THREADS``, ``GUICHETS_COLLECT_PROCESSES``), else defaults.

    The default registry follows the mode: the sample one for the bundled sample archive, the
    production one (real administrations) for live collection and Wayback backfills.
    """
    data = Path(data_dir or os.environ.get("GUICHETS_DATA_DIR") or PROJECT_ROOT / "data")
    default = SAMPLE_REGISTRY if mode == "sample" else PRODUCTION_REGISTRY
    reg = Path(registry or os.environ.get("GUICHETS_REGISTRY") or default)
    base_url = os.environ.get("GUICHETS_RELEASE_BASE_URL") or DEFAULT_RELEASE_BASE_URL
    threads = os.environ.get("GUICHETS_COLLECT_THREADS")
    processes = os.environ.get("GUICHETS_COLLECT_PROCESSES")
    return Settings(
        data_dir=data.resolve(),
        registry=reg.resolve(),
        release_base_url=base_url,
        collect_threads=max(1, int(threads)) if threads else None,
        **({"collect_processes": max(1, int(processes))} if processes else {}),
    )


# Why a write under the data directory can fail for reasons of the storage, not of the code: what
# each means to someone who has to fix it.
STORAGE_ERRNOS: dict[int, str] = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "the directory is not writable (permission denied)",
    errno.EPERM: "the directory is not writable (operation not permitted)",
    errno.ENOTDIR: "a parent of it is a file, not a directory",
    errno.EEXIST: "it exists and is not a directory",
}


def storage_problem(exc: OSError, directory: Path | None = None) -> str | None:
    """ "``FILE``: the disk is full (No space left on device)" for a storage fault, else None.

    Used where writes meet the user (the CLI, the dbt build) so that a full disk or an
    unwritable data directory is named as such instead of surfacing as a traceback or as an
    unrelated failure further down. A failed ``write`` does not carry the file's name: the
    ``directory`` being written to is named then.
    """
    what = STORAGE_ERRNOS.get(exc.errno or 0)
    if what is None:
        return None
    if exc.filename is not None:
        where = str(exc.filename)
    else:
        where = f"the data directory {directory}" if directory is not None else "a file being written"
    return f"{where}: {what} ({exc.strerror or os.strerror(exc.errno or 0)})"


def storage_problem_in(output: str) -> str | None:
    """What a child process's output says of a storage fault ("the disk is full (No space left on
    device)"), or None: dbt and DuckDB report them as the system's message, not as an errno."""
    for code, what in STORAGE_ERRNOS.items():
        # "File exists" is too common a phrase to mean a storage fault in a log.
        if code != errno.EEXIST and os.strerror(code) in output:
            return f"{what} ({os.strerror(code)})"
    return None
