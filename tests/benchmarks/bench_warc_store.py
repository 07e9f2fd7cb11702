"""Benchmark of the WARC evidence store's part in a release: listing and hashing the cited WARC files.

Usage: .venv/bin/python -m tests.benchmarks.bench_warc_store [--files 160000] [--per-dir 80] [--work DIR]

Not a pytest test. ``make bench-pipeline`` runs the national log without WARC files (the
synthetic log has none), so it does not see this cost; a real national store holds one WARC file
per capture (1.6 M at 20,000 counters x 400 weeks). This script writes ``--files`` small WARC
files into a store (``--per-dir`` per source folder) and a captures table citing all of them, then
times the release's real steps over them: ``_write_warc_sums`` (the stage: every cited file's
SHA-256, from the digest cache when its size and time are unchanged) the first time (every file
hashed) and again (the week after: all from the cache), and the publish step's check of a store
that already holds every file (``_publish_warcs``). Prints seconds per step and the same scaled to
1.6 M files (linear: one ``stat`` and one cache entry per file).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

NATIONAL_FILES = 1_600_000


def build(work: Path, files: int, per_dir: int) -> tuple[Path, Path, list[str]]:
    """The evidence store, a staging folder with a captures table citing every file, and the names."""
    from warehouse.release.layout import table_path

    store = work / "evidence" / "warc"
    names = [f"src-{i // per_dir:05d}/{i % per_dir:05d}.warc.gz" for i in range(files)]
    for name in names:
        path = store / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(name.encode() * 4)
    staging = work / "releases" / ".staging-bench"
    captures = table_path(staging, "marts.captures")
    captures.parent.mkdir(parents=True)
    with duckdb.connect() as con:
        con.execute("CREATE TABLE c (capture_id VARCHAR, warc_file VARCHAR)")
        con.executemany("INSERT INTO c VALUES (?, ?)", [[f"c{i}", n] for i, n in enumerate(names)])
        con.execute(f"COPY c TO '{captures.as_posix()}' (FORMAT parquet)")
    return store, staging, names


def timed(label: str, files: int, fn, *args) -> float:
    """Run ``fn(*args)``; print its wall time and the same scaled to a national store."""
    start = time.perf_counter()
    fn(*args)
    seconds = time.perf_counter() - start
    scale = NATIONAL_FILES / files
    print(f"  {label:52s} {seconds:7.2f} s   x {scale:5.1f} = {seconds * scale:6.1f} s")
    return seconds


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (always 0: it has no target, it measures)."""
    from warehouse.release.publish import StagedRelease, _publish_warcs, _write_warc_sums

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=160_000)
    ap.add_argument("--per-dir", type=int, default=80)
    ap.add_argument("--work", type=Path, help="working folder (default: a new one under the temp directory)")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-warc-"))
    try:
        start = time.perf_counter()
        store, staging, names = build(work, args.files, args.per_dir)
        print(f"{len(names):,d} WARC files in {len(names) // args.per_dir:,d} folders, written in "
              f"{time.perf_counter() - start:.1f} s ({work})")  # fmt: skip
        print("step (this store)                                      seconds   scaled to 1.6 M files")
        timed("stage: WARC sums, every file new (hashed)", args.files, _write_warc_sums, staging, store)
        timed("stage: WARC sums, a week later (digest cache)", args.files, _write_warc_sums, staging, store)
        staged = StagedRelease("bench", staging, staging.parent, False, store)
        shutil.copytree(store, staging.parent / "warc")  # the release store already holds every file
        timed("publish: the release store checked, first time", args.files, _publish_warcs, staged)
        timed("publish: the release store checked, a week later", args.files, _publish_warcs, staged)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
