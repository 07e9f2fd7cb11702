"""Publish a release: an immutable, self-describing directory of parquet files.

The release is written to a staging directory and renamed into place in one step, so a
reader never sees half a release; ``latest`` is a symlink replaced atomically. The version is
derived from the data (the date of the latest observation), never from the wall clock, and a
version never changes meaning: different content gets a new suffix, identical content is a
no-op.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

PUBLISHED_SCHEMA = "marts"
SAMPLE_BANNER = (
    "ILLUSTRATIVE SAMPLE DATA: built from the bundled sample web archive. The administrations are real, "
    "but the pages, hours and events are invented for demonstration. Do not cite these numbers as facts "
    "about real administrations."
)


@dataclass(frozen=True)
class Release:
    """A published release directory."""

    version: str
    path: Path
    tables: dict[str, int]
    created: bool  # False when identical content was already published under this version


def publish(db_path: Path, releases_dir: Path) -> Release:
    """Export every ``marts`` table to a new release directory and point ``latest`` at it."""
    releases_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db_path), read_only=True) as con:
        info = dict(con.execute("SELECT key, value FROM raw.dataset_info").fetchall())
        illustrative = info.get("illustrative") == "true"
        as_of = con.execute("SELECT max(observed_at)::DATE FROM raw.captures WHERE parse_status = 'ok'").fetchone()[0]
        if as_of is None:
            raise RuntimeError(f"{db_path}: no successfully parsed capture; nothing to publish")
        base_version = f"{'sample-' if illustrative else ''}{as_of:%Y.%m.%d}"
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name",
                [PUBLISHED_SCHEMA],
            ).fetchall()
        ]
        if not tables:
            raise RuntimeError(f"{db_path}: schema {PUBLISHED_SCHEMA!r} has no tables; run dbt first")
        staging = releases_dir / f".staging-{base_version}-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "data").mkdir(parents=True)
        counts: dict[str, int] = {}
        kv = "{illustrative: 'true'}" if illustrative else "{illustrative: 'false'}"
        for table in tables:
            out = staging / "data" / f"{table}.parquet"
            # ORDER BY ALL: sorted rows make identical inputs give byte-identical files.
            con.execute(
                f"COPY (SELECT * FROM {PUBLISHED_SCHEMA}.{table} ORDER BY ALL) TO '{out}' "
                f"(FORMAT parquet, COMPRESSION zstd, KV_METADATA {kv})"
            )
            counts[table] = con.execute(f"SELECT count(*) FROM {PUBLISHED_SCHEMA}.{table}").fetchone()[0]
    checksums = {f"data/{t}.parquet": _sha256(staging / "data" / f"{t}.parquet") for t in tables}
    metadata = {
        "name": "guichets",
        "title": "Physical access to public services in Belgium (counters and opening hours, as published)",
        "illustrative": illustrative,
        "notice": SAMPLE_BANNER if illustrative else info.get("notice", ""),
        "registry": info.get("registry"),
        "data_as_of": f"{as_of:%Y-%m-%d}",
        "tables": [
            {"name": t, "path": f"data/{t}.parquet", "rows": counts[t], "sha256": checksums[f"data/{t}.parquet"]}
            for t in tables
        ],
    }
    version = _free_version(releases_dir, base_version, checksums)
    final = releases_dir / version
    if final.exists():  # identical content already published under this version
        shutil.rmtree(staging)
        _point_latest(releases_dir, version)
        return Release(version, final, counts, created=False)
    metadata["version"] = version
    (staging / "metadata.json").write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", "utf-8")
    (staging / "README.md").write_text(_readme(metadata), "utf-8")
    files = sorted(p for p in staging.rglob("*") if p.is_file())
    (staging / "SHA256SUMS").write_text(
        "".join(f"{_sha256(p)}  {p.relative_to(staging).as_posix()}\n" for p in files), "utf-8"
    )
    staging.rename(final)
    _point_latest(releases_dir, version)
    return Release(version, final, counts, created=True)


def _free_version(releases_dir: Path, base: str, checksums: dict[str, str]) -> str:
    """``base`` if unused or holding the same data; otherwise the next ``base-N`` that is."""
    n = 1
    while True:
        version = base if n == 1 else f"{base}-{n}"
        existing = releases_dir / version / "metadata.json"
        if not existing.exists():
            return version
        meta = json.loads(existing.read_text("utf-8"))
        if {t["path"]: t["sha256"] for t in meta["tables"]} == checksums:
            return version
        n += 1


def _point_latest(releases_dir: Path, version: str) -> None:
    tmp = releases_dir / ".latest.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(version)
    os.replace(tmp, releases_dir / "latest")


def _readme(meta: dict) -> str:
    lines = [f"# guichets release {meta['version']}", ""]
    if meta["illustrative"]:
        lines += [f"> **{SAMPLE_BANNER}**", ""]
    lines += [
        meta["title"] + ".",
        "",
        f"Data as of {meta['data_as_of']} (date of the latest successfully parsed observation). "
        "Opening hours are as published by the administrations, not as experienced.",
        "",
        "| table | rows | file |",
        "|---|---|---|",
        *[f"| {t['name']} | {t['rows']} | `{t['path']}` |" for t in meta["tables"]],
        "",
        "Verify the files with `sha256sum -c SHA256SUMS`.",
        "",
    ]
    return "\n".join(lines)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
