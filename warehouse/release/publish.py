"""Publish a release by write-audit-publish: build it in a staging directory, validate it, rename it.

1. :func:`stage_release` writes the whole release into ``<releases>/.staging-<id>/`` (its own):
   parquet and CSV per table, the delta tables and CHANGELOG against the previous release,
   the DuckDB file, the Data Package and a draft ``metadata.json``;
2. :func:`audit_release` runs the GX gate on the staged files themselves (every published
   table, the type contract, dates against the data's horizon, release-over-release checks
   with their recorded overrides) and builds the Data Docs into ``validation/``; a failure
   moves the staged directory aside to ``.refused-<version>/`` and raises
   :class:`ReleaseRefused`, naming every failed expectation, table, column and sample values;
3. :func:`publish_release` copies the WARC files the release's captures cite into the WARC
   store beside the releases (``<releases>/warc/``: files are only ever added), writes the rest
   of the metadata and ``SHA256SUMS``, renames the directory into place in one step and moves
   ``latest``. Nothing before this step touches a published release or the store.

The version is derived from the data (the date of the latest successful observation), never
from the wall clock, and never changes meaning: different content gets a new suffix, identical
content is a no-op.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from expectations.gate import ValidationFailed
from expectations.published_schema import table_doc
from expectations.suites import PUBLISHED_SUITES, suite_for
from scrapers.capture import warc_dir as capture_warc_dir
from scrapers.vocabulary import PARSE_OK
from warehouse import db
from warehouse.release import metadata as rm
from warehouse.release.audit import validate_datapackage
from warehouse.release.changes import (
    active_counters,
    changelog_markdown,
    compute_changes,
    retired_counter_ids,
    write_deltas,
)
from warehouse.release.digests import DigestCache, is_store_name
from warehouse.release.files import (
    DUCKDB_READABLE_BY,
    DUCKDB_STORAGE_VERSION,
    export_tables,
    write_copies,
)
from warehouse.release.layout import (
    DATAPACKAGE,
    DUCKDB_FILE,
    METADATA,
    VALIDATION_DIR,
    WARC_MISSING,
    WARC_STORE,
    WARC_SUMS,
    latest_release,
    list_releases,
    load_metadata,
    point_latest,
    release_tables,
    remembered_digests,
    save_remembered_digests,
    sha256,
    table_path,
    trust_remembered_digests,
    write_checksums,
)
from warehouse.release.validation_page import SUMMARY_PAGE, write_summary_page
from warehouse.settings import DEFAULT_RELEASE_BASE_URL, PROJECT_ROOT
from warehouse.transform import dbt_vars

PUBLISHED_SCHEMA = "marts"
SAMPLE_BANNER = rm.SAMPLE_BANNER
RESULTS = f"{VALIDATION_DIR}/results.json"
SUMMARY = f"{VALIDATION_DIR}/{SUMMARY_PAGE}"
# Byte-identical when rebuilt from the same inputs (checked by tests/integration/test_release.py).
REPRODUCIBLE = ("data/*.parquet", "data/*.csv", "delta/*.parquet", "delta/*.csv", DUCKDB_FILE)
CAPTURES = f"{PUBLISHED_SCHEMA}.captures"  # the evidence table: every *_capture_id resolves in it
# The indicator definitions travel with every release: a figure is citable only with its definition.
INDICATORS_DOC = Path(__file__).resolve().parents[2] / "docs" / "indicators.md"


@dataclass(frozen=True)
class Release:
    """A published release directory."""

    version: str
    path: Path
    tables: dict[str, int]
    created: bool  # False when identical content was already published under this version


@dataclass(frozen=True)
class StagedRelease:
    """A release built but not yet published (or, when ``unchanged``, already published as is)."""

    version: str
    path: Path
    releases_dir: Path
    unchanged: bool
    warc_dir: Path | None = None  # the evidence store the WARC files are copied from when published

    def to_dict(self) -> dict:
        """JSON-able form (Airflow passes it from task to task)."""
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict) -> StagedRelease:
        """Inverse of :meth:`to_dict`."""
        warc_dir = Path(d["warc_dir"]) if d.get("warc_dir") else None
        return cls(d["version"], Path(d["path"]), Path(d["releases_dir"]), bool(d["unchanged"]), warc_dir)


class ReleaseRefused(RuntimeError):
    """The audit refused a staged release: nothing was published; the message says what failed where."""

    def __init__(self, detail: str, version: str, previous: str | None, refused_dir: Path, report=None) -> None:
        self.report = report  # the gate's GateReport, when the gate refused it
        self.version = version
        self.refused_dir = refused_dir
        kept = f"the latest release stays {previous}" if previous else "there is still no release"
        super().__init__(
            f"release {version} refused: nothing was published and {kept}.\n{detail}\n"
            f"Validation report of the refused release: {refused_dir / VALIDATION_DIR / 'index.html'}"
        )


@remembered_digests()
def stage_release(
    db_path: Path, releases_dir: Path, *, base_url: str = DEFAULT_RELEASE_BASE_URL, warc_dir: Path | None = None
) -> StagedRelease:
    """Build the release of the warehouse's marts in a staging directory (the *write* step).

    ``base_url`` is where releases are published on the web (``<base_url><version>/``);
    ``warc_dir`` the evidence store the captures' WARC files are under (default: the data
    directory's, ``<data>/evidence/warc`` for the warehouse ``<data>/warehouse/guichets.duckdb``).
    The staging directory is this call's own (``<releases>/.staging-<id>/``: two runs staging at
    once never write into each other's), and is removed if the write fails.
    """
    releases_dir.mkdir(parents=True, exist_ok=True)
    staging = releases_dir / f".staging-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        return _write_staging(staging, db_path, releases_dir, base_url, warc_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _write_staging(
    staging: Path, db_path: Path, releases_dir: Path, base_url: str, warc_dir: Path | None
) -> StagedRelease:
    """The body of :func:`stage_release`, writing into ``staging`` (an empty folder)."""
    # Default: the evidence store of the data directory the warehouse file sits in (Settings' layout).
    warc_dir = warc_dir if warc_dir is not None else capture_warc_dir(db_path.parent.parent)
    with db.reader(db_path) as con:
        info = dict(con.execute("SELECT key, value FROM raw.dataset_info").fetchall())
        illustrative = info.get("illustrative") == "true"
        as_of = con.execute(
            "SELECT max(observed_at)::DATE FROM raw.captures WHERE parse_status = ?", [PARSE_OK]
        ).fetchone()[0]
        if as_of is None:
            raise RuntimeError(f"{db_path}: no successfully parsed capture; nothing to publish")
        first, last = con.execute("SELECT min(observed_at)::DATE, max(observed_at) FROM raw.captures").fetchone()
        base_version = f"{'sample-' if illustrative else ''}{as_of:%Y.%m.%d}"
        tables = [
            f"{PUBLISHED_SCHEMA}.{r[0]}"
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name",
                [PUBLISHED_SCHEMA],
            ).fetchall()
        ]
        if not tables:
            raise RuntimeError(f"{db_path}: schema {PUBLISHED_SCHEMA!r} has no tables; run dbt first")
        for table in tables:
            suite_for(table)  # nothing ungated is published
        missing = sorted({s.table for s in PUBLISHED_SUITES if s.table.startswith("marts.")} - set(tables))
        if missing:
            raise RuntimeError(f"{db_path}: published tables missing from the warehouse: {missing}")
        keys = {t: suite_for(t).key for t in tables}
        counts = export_tables(con, {t: table_path(staging, t) for t in tables}, illustrative=illustrative, keys=keys)
    checksums = {table_path(staging, t).relative_to(staging).as_posix(): sha256(table_path(staging, t)) for t in tables}
    version = _free_version(releases_dir, base_version, checksums)
    if (releases_dir / version).exists():  # identical content already published under this version
        shutil.rmtree(staging)
        return StagedRelease(version, releases_dir / version, releases_dir, unchanged=True)
    previous = latest_release(releases_dir)
    earlier = [(r.version, r.path) for r in list_releases(releases_dir)]
    counts |= write_deltas(staging, previous.path if previous else None, earlier, illustrative=illustrative)
    docs = {t: (table_doc(t).description, table_doc(t).columns) for t in counts}
    # The WARC listing (a stat per cited file, 1.6 M at national scale), the input manifest and the
    # changes read only the parquet files and the evidence store: they run beside the copies, mostly
    # Python while the copies' DuckDB writers, which release the interpreter lock, keep the cores.
    with ThreadPoolExecutor(max_workers=1) as beside:
        warcs_job = beside.submit(_write_warc_sums, staging, warc_dir)
        inputs_job = beside.submit(_input_manifest, staging)
        changes_job = beside.submit(
            compute_changes, staging, previous.path if previous else None, version, previous and previous.version
        )
        write_copies(
            {t: table_path(staging, t) for t in counts},
            {t: table_path(staging, t, "csv") for t in counts},
            staging / DUCKDB_FILE,
            docs,
        )
    warcs, inputs, changes = warcs_job.result(), inputs_job.result(), changes_job.result()
    (staging / "CHANGELOG.md").write_text(changelog_markdown(changes, SAMPLE_BANNER if illustrative else None), "utf-8")
    shutil.copyfile(INDICATORS_DOC, staging / INDICATORS_DOC.name)
    meta = {
        "name": "guichets",
        "version": version,
        "title": (rm.SAMPLE_PREFIX["en"] if illustrative else "") + rm.TITLES["en"],
        "illustrative": illustrative,
        "notice": SAMPLE_BANNER if illustrative else info.get("notice", ""),
        "registry": info.get("registry"),
        "landing_page": rm.release_url(base_url, version),
        "base_url": base_url,
        "data_as_of": f"{as_of:%Y-%m-%d}",
        "data_observed_from": f"{first:%Y-%m-%d}",
        "data_last_observed_at": last.isoformat(),
        "previous_release": previous.version if previous else None,
        "license": {"id": rm.LICENSE_ID, "url": rm.LICENSE_URL},
        "tables": [_table_entry(staging, t, counts[t]) for t in sorted(counts, key=_table_order)],
        "duckdb": {
            "path": DUCKDB_FILE,
            "storage_version": DUCKDB_STORAGE_VERSION,
            "readable_by": DUCKDB_READABLE_BY,
        },
        "reproducible_files": list(REPRODUCIBLE),
        "reproducibility": {
            "code_commit": code_commit(),
            # The registry and the procedure taxonomy, as the loader recorded them in raw.dataset_info.
            "registry_sha256": {
                info.get("registry_file") or "registry": info.get("registry_sha256") or "unknown",
                info.get("taxonomy_file") or "taxonomy": info.get("taxonomy_sha256") or "unknown",
            },
            "dbt_vars": dbt_vars(),
            "inputs": inputs,
        },
        "warc": warcs,
        "software": {p: importlib.metadata.version(p) for p in ("duckdb", "dbt-core", "dbt-duckdb",
                                                               "great-expectations", "frictionless")},
        "validation": None,  # filled in by the audit
    }  # fmt: skip
    rm.write_json(staging / METADATA, meta)
    rm.write_json(staging / DATAPACKAGE, rm.datapackage(meta, staging))
    staged = StagedRelease(version, staging, releases_dir, unchanged=False, warc_dir=warc_dir)
    save_remembered_digests(_digests_record(staged), staging)  # for the audit (see _digests_record)
    return staged


def code_commit() -> str:
    """The git commit of the code building the release, or ``"unknown"`` (no git, not a checkout)."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    commit = proc.stdout.strip()
    ok = proc.returncode == 0 and len(commit) == 40 and all(c in "0123456789abcdef" for c in commit)
    return commit if ok else "unknown"


def _input_manifest(staging: Path) -> dict:
    """What the release was built from: every capture and its content hash, as a count and a digest.

    The list itself is the ``captures`` table (``capture_id``, ``record_sha256``); the digest is
    the SHA-256 of its lines ``<capture_id> <record_sha256>``, sorted by capture ID, each ending
    in a newline: two releases with the same digest were built from the same captures.
    """
    path = table_path(staging, CAPTURES)
    with db.memory() as con:
        count, digest = con.execute(
            "SELECT count(*), sha256(coalesce(string_agg(capture_id || ' ' || coalesce(record_sha256, '') || chr(10),"
            f" '' ORDER BY capture_id), '')) FROM read_parquet('{path.as_posix()}')"
        ).fetchone()
    return {
        "table": CAPTURES,
        "path": path.relative_to(staging).as_posix(),
        "columns": ["capture_id", "record_sha256"],
        "captures": count,
        "sha256": digest,
    }


def _write_warc_sums(staging: Path, warc_dir: Path) -> dict:
    """List the WARC files the captures cite, with their SHA-256, in ``WARC_SHA256SUMS``; returns the summary.

    A cited file absent from the evidence store cannot be published: it is named in
    ``WARC_MISSING`` and counted in the summary (``missing``), never listed with a made-up hash.
    """
    path = table_path(staging, CAPTURES)
    with db.memory() as con:
        names = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT warc_file FROM read_parquet('{path.as_posix()}') "
                "WHERE warc_file IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
    cache = DigestCache(warc_dir)
    found = {n: cache.lookup(n) for n in names}
    cache.save()
    digests = {n: d for n, d in found.items() if d is not None}
    lines = "".join(f"{digest}  {n}\n" for n, (digest, _size) in digests.items())
    (staging / WARC_SUMS).write_text(lines, "utf-8")
    missing = [n for n, d in found.items() if d is None]
    (staging / WARC_MISSING).write_text("".join(f"{n}\n" for n in missing), "utf-8")
    return {
        "store": f"../{WARC_STORE}/",
        "sums": WARC_SUMS,
        "files": len(digests),
        "bytes": sum(size for _digest, size in digests.values()),
        "missing": len(missing),
        "missing_list": WARC_MISSING,
    }


def _publish_warcs(staged: StagedRelease) -> None:
    """Copy the WARC files the staged release lists into the store beside the releases.

    Files are only ever added: one already in the store must have the listed SHA-256 (a WARC
    file never changes once written; its digest is remembered with its size and time, see
    :mod:`warehouse.release.digests`), and a copy is checked before it is renamed into place.
    """
    store = staged.releases_dir / WARC_STORE
    cache = DigestCache(store)
    try:
        _copy_warcs(staged, store, cache)
    finally:
        cache.save()


def _copy_warcs(staged: StagedRelease, store: Path, cache: DigestCache) -> None:
    for line in (staged.path / WARC_SUMS).read_text("utf-8").splitlines():
        digest, _sep, name = line.partition("  ")
        if not is_store_name(name):
            raise RuntimeError(f"{staged.path / WARC_SUMS}: {name!r} is outside the WARC store; nothing published")
        target = store / name
        held = cache.lookup(name)
        if held is not None:
            if held[0] != digest:
                raise RuntimeError(f"{target}: differs from the WARC file the release cites; nothing published")
            continue
        if staged.warc_dir is None:
            raise RuntimeError(f"{staged.path}: no evidence store to copy {name} from; nothing published")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(staged.warc_dir / name, tmp)
        if sha256(tmp) != digest:
            tmp.unlink()
            raise RuntimeError(f"{staged.warc_dir / name}: changed since the release was staged; nothing published")
        os.replace(tmp, target)


def _table_order(table: str) -> tuple:
    return (table.split(".")[0] != PUBLISHED_SCHEMA, table)  # marts first, then deltas


def _table_entry(staging: Path, table: str, rows: int) -> dict:
    suite = suite_for(table)
    with db.memory() as con:
        columns = [
            (name, dtype)
            for name, dtype, *_ in con.execute(
                "DESCRIBE SELECT * FROM read_parquet(?)", [str(table_path(staging, table))]
            ).fetchall()
        ]
    paths = {
        "path": table_path(staging, table).relative_to(staging).as_posix(),
        "csv": table_path(staging, table, "csv").relative_to(staging).as_posix(),
    }
    return rm.table_entry(table, staging, paths, rows, suite.key, suite.references, columns)


def load_overrides(path: Path | None, version: str) -> list[dict]:
    """The recorded overrides for release ``version`` from an overrides YAML file.

    The file holds ``overrides:``, a list of ``{check, version, reason, who}``; each waives one
    release-over-release check for one release version only, and is recorded in that release.
    """
    if path is None or not path.is_file():
        return []
    try:
        doc = yaml.safe_load(path.read_text("utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from exc
    entries = doc.get("overrides") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a mapping with an 'overrides' list")
    out = []
    for number, entry in enumerate(entries, start=1):
        missing = [k for k in ("check", "version", "reason", "who") if not str((entry or {}).get(k) or "").strip()]
        if missing:
            raise ValueError(f"{path}: override #{number} lacks {', '.join(missing)}")
        if str(entry["version"]) == version:
            out.append({k: str(entry[k]) for k in ("check", "version", "reason", "who")})
    return out


@remembered_digests()
def audit_release(staged: StagedRelease, overrides_path: Path | None = None) -> dict:
    """Validate a staged release's own files (the *audit* step); raise :class:`ReleaseRefused` on failure."""
    if staged.unchanged:
        return {"version": staged.version, "skipped": "identical content already published"}
    from expectations.gate import run_gate
    from expectations.suites import release_over_release_checks

    meta = load_metadata(staged.path)
    previous = staged.releases_dir / meta["previous_release"] if meta["previous_release"] else None
    checks = ()
    if previous is not None:
        prev_meta = load_metadata(previous)
        # Releases published before delta tables existed name their tables without a schema.
        prev_rows = {t.get("table") or f"marts.{t['name']}": t["rows"] for t in prev_meta["tables"]}
        checks = release_over_release_checks(
            previous.name,
            {t: n for t, n in prev_rows.items() if t.startswith(f"{PUBLISHED_SCHEMA}.")},
            active_counters(previous),
            retired_counter_ids(previous, [(r.version, r.path) for r in list_releases(staged.releases_dir)]),
        )
    overrides = load_overrides(overrides_path, staged.version)
    known = {c.name for c in checks}
    unknown = [o["check"] for o in overrides if o["check"] not in known]
    if unknown:
        raise ValueError(f"{overrides_path}: overrides for {staged.version} name unknown checks: {unknown}")
    as_of = datetime.fromisoformat(meta["data_as_of"]).replace(tzinfo=UTC)
    trust_remembered_digests(_digests_record(staged))  # a file changed since the stage is read again
    # The Data Package audit reads only the data files and the gate writes only validation/: the
    # audit runs beside the gate, its DuckDB queries and hashing on the second core while GX runs.
    with ThreadPoolExecutor(max_workers=1) as beside:
        package_audit = beside.submit(validate_datapackage, staged.path)
        try:
            report = run_gate(
                release_tables(staged.path),
                PUBLISHED_SUITES,
                horizon=datetime.fromisoformat(meta["data_last_observed_at"]),
                checks=checks,
                overrides={o["check"]: o for o in overrides},
                docs_dir=staged.path / VALIDATION_DIR,
                run_name=staged.version,
                run_time=as_of,
            )
        except ValidationFailed as exc:
            package_audit.exception()  # (waits for it: the staging folder is moved aside below)
            # The refused release keeps its report: Data Docs and results.json say what failed where.
            refused = _summary(staged, exc.report, overrides)
            rm.write_json(staged.path / RESULTS, refused | {"expectations": exc.report.results})
            write_summary_page(staged.path / VALIDATION_DIR, refused, exc.report.results)
            raise ReleaseRefused(
                str(exc), staged.version, meta["previous_release"], _set_aside(staged), exc.report
            ) from exc
        problems = package_audit.result()
    if problems:
        detail = f"{DATAPACKAGE}: Data Package validation failed:\n" + "\n".join(problems)
        raise ReleaseRefused(detail, staged.version, meta["previous_release"], _set_aside(staged))
    summary = _summary(staged, report, overrides)
    audited = {rel: sha256(staged.path / rel) for rel in _data_files(staged.path)}
    rm.write_json(staged.path / RESULTS, {**summary, "audited_sha256": audited, "expectations": report.results})
    write_summary_page(staged.path / VALIDATION_DIR, summary, report.results)
    save_remembered_digests(_digests_record(staged), staged.path)
    return summary


def _digests_record(staged: StagedRelease) -> Path:
    # Beside the staging folder, not in it: the digests of its files the last step read or trusted,
    # with each file's size, times and inode (machine-specific, never part of a release). The stage
    # writes it, the audit and then publish trust a digest only while its file is unchanged and read
    # again any file that is not: the 2.9 GB of a national release are hashed once, as written.
    return staged.releases_dir / f"{staged.path.name}.sha256.json"


def _summary(staged: StagedRelease, report, overrides: list[dict]) -> dict:
    """The validation summary recorded in the release (``metadata.json`` and ``validation/results.json``)."""
    return {
        "version": staged.version,
        "evaluated": report.evaluated,
        "failed": len(report.failures),
        "great_expectations": importlib.metadata.version("great-expectations"),
        "data_docs": f"{VALIDATION_DIR}/index.html",
        "summary_page": SUMMARY,  # the same results as one static page that opens offline
        "results": RESULTS,
        "waived": [
            {"check": f.check, "table": f.table, "column": f.column, "detail": f.detail, "override": o}
            for f, o in report.waived
        ],
        "overrides": overrides,
        "frictionless": "valid" if report.success else "not run",
    }


def _set_aside(staged: StagedRelease) -> Path:
    """Move a refused staged release out of the way, kept for inspection (never listed as a release)."""
    refused = staged.releases_dir / f".refused-{staged.version}"
    shutil.rmtree(refused, ignore_errors=True)
    staged.path.rename(refused)
    _digests_record(staged).unlink(missing_ok=True)  # (it names the staging folder's paths only)
    return refused


def _data_files(release_dir: Path) -> list[str]:
    files = [p for pattern in REPRODUCIBLE for p in release_dir.glob(pattern)]
    return sorted(p.relative_to(release_dir).as_posix() for p in files)


@remembered_digests()
def publish_release(staged: StagedRelease) -> Release:
    """Finish the metadata of an audited release and rename it into place (the *publish* step)."""
    if staged.unchanged:
        point_latest(staged.releases_dir, staged.version)
        meta = load_metadata(staged.path)
        return Release(staged.version, staged.path, {t["name"]: t["rows"] for t in meta["tables"]}, created=False)
    results_path = staged.path / RESULTS
    if not results_path.is_file():
        raise RuntimeError(f"{staged.path}: not audited (no {RESULTS}); run the audit before publishing")
    results = json.loads(results_path.read_text("utf-8"))
    audited = results.pop("audited_sha256")
    trust_remembered_digests(_digests_record(staged))  # a file changed since the audit is read again
    now = {rel: sha256(staged.path / rel) for rel in _data_files(staged.path)}
    if now != audited:
        changed = sorted(k for k in set(now) | set(audited) if now.get(k) != audited.get(k))
        raise RuntimeError(f"{staged.path}: files changed after the audit: {changed}; nothing published")
    results.pop("expectations")
    meta = load_metadata(staged.path)
    meta["validation"] = results
    rm.write_json(staged.path / METADATA, meta)
    (staged.path / "README.md").write_text(rm.readme(meta), "utf-8")
    (staged.path / "LICENSE").write_text(rm.license_text(meta), "utf-8")
    (staged.path / "CITATION.cff").write_text(rm.citation_cff(meta), "utf-8")
    rm.write_json(staged.path / ".zenodo.json", rm.zenodo(meta))
    _publish_warcs(staged)
    files = sorted(p.relative_to(staged.path).as_posix() for p in staged.path.rglob("*") if p.is_file())
    shown = (RESULTS, results["data_docs"], SUMMARY)
    listed = [f for f in files if not f.startswith(f"{VALIDATION_DIR}/") or f in shown]
    rm.write_json(staged.path / "dcat.jsonld", rm.dcat(meta, staged.path, [*listed, "SHA256SUMS"]))
    write_checksums(staged.path)
    final = staged.releases_dir / staged.version
    os.rename(staged.path, final)  # atomic: readers see no release or the whole release
    point_latest(staged.releases_dir, staged.version)
    _digests_record(staged).unlink(missing_ok=True)
    return Release(staged.version, final, {t["name"]: t["rows"] for t in meta["tables"]}, created=True)


def publish(
    db_path: Path,
    releases_dir: Path,
    overrides_path: Path | None = None,
    *,
    base_url: str = DEFAULT_RELEASE_BASE_URL,
    warc_dir: Path | None = None,
) -> Release:
    """Stage, audit and publish the warehouse's marts as a release (all three steps)."""
    staged = stage_release(db_path, releases_dir, base_url=base_url, warc_dir=warc_dir)
    audit_release(staged, overrides_path)
    return publish_release(staged)


def _free_version(releases_dir: Path, base: str, checksums: dict[str, str]) -> str:
    """``base`` if unused or holding the same data; otherwise the next ``base-N`` that is."""
    n = 1
    while True:
        version = base if n == 1 else f"{base}-{n}"
        existing = releases_dir / version / METADATA
        if not existing.exists():
            return version
        meta = json.loads(existing.read_text("utf-8"))
        published = {t["path"]: t["sha256"] for t in meta["tables"] if t["path"].startswith("data/")}
        if published == checksums:
            return version
        n += 1
