"""The evidence store is append-only and re-runs redo nothing (issue #14), against real servers.

The bundled sample archive is served by pywb on 127.0.0.1 (a new port at every start, as in
``make run``); an archive that is down, or half down, is a real local HTTP server too.

- collecting and loading the sample twice: the second run fetches no capture it holds, reads
  no capture file, rewrites no WARC byte;
- a backfill re-run while the archive answers 503 leaves every capture file and WARC file
  byte-identical, and the loaded history unchanged;
- a backfill killed half-way resumes where it stopped;
- ``guichets reparse`` refuses a damaged WARC (truncated, bad gzip, a decompression bomb) naming
  it, exits non-zero, and changes nothing.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from scrapers.archive.server import ArchiveServer, prepare_collection
from scrapers.capture import content_hash
from scrapers.registry import load_registry
from scrapers.sample_web.build import build_sample_web
from tests.conftest import LocalServer
from warehouse.load import load
from warehouse.settings import SAMPLE_REGISTRY, get_settings
from warehouse.stages import collect_batch, load_stage, plan_host_batches, start_sample_archive, stop_sample_archive

BIN = Path(sys.executable).parent
SUMMARY = re.compile(r"^(\S+)\s+captures=(\d+).*fetched=(\d+)\s+held=(\d+)", re.M)


@pytest.fixture(scope="module")
def pywb(tmp_path_factory):
    """The sample web archive served by pywb."""
    root = tmp_path_factory.mktemp("sample")
    with ArchiveServer.start(prepare_collection(build_sample_web(root / "warc"), root / "pywb")) as server:
        yield server


def snapshot(out: Path) -> dict[str, tuple[bytes, int]]:
    """Every capture file and WARC file under ``out``: its bytes and modification time."""
    paths = sorted([*out.glob("collected/*/*.json"), *out.glob("evidence/warc/*/*.warc.gz")])
    return {p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}


def warc_bytes_rewritten(before: dict, after: dict) -> int:
    """Bytes of WARC files that were there before and were written again (or changed) since."""
    return sum(len(after[p][0]) for p in before if p.endswith(".warc.gz") and after.get(p) != before[p])


def backfill(cdx_url: str, out: Path, date_from: str, date_to: str) -> subprocess.CompletedProcess:
    """``guichets backfill`` over a local archive (its exit code is the caller's to check)."""
    return subprocess.run(
        [str(BIN / "guichets"), "backfill", "--registry", str(SAMPLE_REGISTRY), "--cdx", cdx_url,
         "--from", date_from, "--to", date_to, "--data-dir", str(out), "--allow-local"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def counts(proc: subprocess.CompletedProcess) -> dict[str, int]:
    """Totals of the per-source summary lines a collect command printed."""
    rows = SUMMARY.findall(proc.stdout)
    assert rows, proc.stdout + proc.stderr
    return {
        "captures": sum(int(r[1]) for r in rows),
        "fetched": sum(int(r[2]) for r in rows),
        "held": sum(int(r[3]) for r in rows),
    }


def history(db: Path) -> dict[str, list[tuple]]:
    """What the warehouse holds of the observation log (load batches included)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            t: con.execute(f"SELECT * FROM raw.{t} ORDER BY ALL").fetchall()
            for t in ("captures", "fetch_attempts", "schedules", "schedule_slots", "procedures", "procedure_channels")
        }


@pytest.fixture(scope="module")
def full_backfill(pywb, tmp_path_factory) -> Path:
    """One uninterrupted backfill of the whole sample, as a reference."""
    out = tmp_path_factory.mktemp("full")
    proc = backfill(pywb.cdx_url, out, "2019-01-01", "2026-12-31")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_second_sample_collection_and_load_redo_nothing(tmp_path):
    settings = get_settings(tmp_path, mode="sample")

    def collect_and_load() -> tuple[dict, dict, int]:
        # As the DAG does: a fresh archive server (a new random port), one collect per host, load.
        archive = start_sample_archive(settings)
        try:
            batches = [collect_batch(settings, b, archive) for b in plan_host_batches(settings)]
        finally:
            stop_sample_archive(archive)
        totals = {k: sum(b[k] for b in batches) for k in ("captures", "fetched", "held")}
        return totals, load_stage(settings), archive["port"]

    first, loaded_first, port_first = collect_and_load()
    before = snapshot(settings.data_dir)
    second, loaded_second, port_second = collect_and_load()
    after = snapshot(settings.data_dir)

    assert first["fetched"] > 100 and first["held"] == 0
    assert loaded_first["files_read"] == loaded_first["captures_loaded"] == first["captures"] == 194
    # Second run: the archive answers on another port, and nothing is fetched, read or rewritten.
    assert port_second != port_first
    assert (second["captures"], second["fetched"], second["held"]) == (194, 0, 194)
    assert (loaded_second["files_read"], loaded_second["captures_loaded"]) == (0, 0)
    assert warc_bytes_rewritten(before, after) == 0
    assert after == before
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        assert con.execute("SELECT max(load_batch), count(*) FROM raw.captures").fetchone() == (1, 194)


def test_backfill_rerun_while_the_archive_is_down_loses_nothing(pywb, tmp_path):
    out = tmp_path / "data"
    proc = backfill(pywb.cdx_url, out, "2021-01-01", "2022-12-31")
    assert proc.returncode == 0, proc.stderr
    registry = load_registry(SAMPLE_REGISTRY)
    db = tmp_path / "w.duckdb"
    load(db, out / "collected", registry)
    before, loaded = snapshot(out), history(db)
    assert sum(p.endswith(".warc.gz") for p in before) > 20

    # 1. Everything answers 503 (the CDX API too): nothing listed, nothing written, exit 1.
    down = LocalServer()
    try:
        down.fallback = _overloaded
        proc = backfill(f"{down.base}/sample/cdx", out, "2021-01-01", "2022-12-31")
    finally:
        down.close()
    assert proc.returncode == 1, proc.stderr
    assert "error: source liege-population: listing failed: CDX query" in proc.stderr, proc.stderr
    assert snapshot(out) == before

    # 2. The CDX API answers (with digests the archive has since recomputed, so nothing looks
    #    held) but every replay answers 503: each capture is fetched again, and fails.
    half = LocalServer()
    try:
        half.fallback = _cdx_only(pywb.port)
        proc = backfill(f"{half.base}/sample/cdx", out, "2021-01-01", "2022-12-31")
    finally:
        half.close()
    assert proc.returncode == 0, proc.stderr
    assert counts(proc)["fetched"] > 20
    after = snapshot(out)
    assert {p: after[p] for p in before} == before  # every earlier file byte-identical (and unwritten)
    assert all(p.endswith(".warc.gz") for p in set(after) - set(before))  # only the 503s' own evidence
    # The failed attempts are kept beside the captures, as the archive's own answers.
    failed = [json.loads(p.read_text()) for p in sorted(out.glob("collected/*/attempts/*.json"))]
    assert len(failed) == sum(p.endswith(".json") for p in before)
    assert {(f["capture"]["http_status"], f["capture"]["archive_error"]) for f in failed} == {(503, True)}

    reloaded = load(db, out / "collected", registry)
    assert (reloaded["files_read"], reloaded["captures_loaded"]) == (0, 0)
    assert history(db) == loaded


def _overloaded(h) -> None:
    """An archive that is down: 503 to everything, without Memento headers."""
    body = b"Service temporarily unavailable"
    h.send_response(503)
    h.send_header("Retry-After", "0")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def _cdx_only(pywb_port: int):
    """CDX queries forwarded to pywb, with every digest changed; replays answered 503."""

    def handler(h) -> None:
        if h.path.split("?")[0].endswith("/cdx"):
            with urllib.request.urlopen(f"http://127.0.0.1:{pywb_port}{h.path}", timeout=30) as resp:
                lines = [json.loads(line) for line in resp.read().decode().splitlines() if line.strip()]
            body = "".join(json.dumps({**d, "digest": "R" + d["digest"]}) + "\n" for d in lines).encode()
            h.send_response(200)
            h.send_header("Content-Type", "text/plain")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        else:
            _overloaded(h)

    return handler


def test_interrupted_backfill_resumes_where_it_stopped(pywb, full_backfill, tmp_path):
    out = tmp_path / "data"
    cmd = [str(BIN / "guichets"), "backfill", "--registry", str(SAMPLE_REGISTRY), "--cdx", pywb.cdx_url,
           "--from", "2019-01-01", "--to", "2026-12-31", "--data-dir", str(out), "--allow-local"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while len(list(out.glob("collected/*/*.json"))) < 40 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        proc.kill()  # interrupted half-way, without a chance to tidy up
        proc.wait()
    held_files = list(out.glob("collected/*/*.json"))
    assert 40 <= len(held_files) < 194
    before = snapshot(out)

    resumed = backfill(pywb.cdx_url, out, "2019-01-01", "2026-12-31")
    assert resumed.returncode == 0, resumed.stderr
    got = counts(resumed)
    # Every capture already held is skipped; only the rest is requested.
    assert got["captures"] == 194 and got["held"] == len(held_files)
    assert 0 < got["fetched"] < 194 - len(held_files) + 1
    after = snapshot(out)
    assert {p: after[p] for p in before} == before
    # The resumed collection says exactly what an uninterrupted one says.
    assert _content(out) == _content(full_backfill)


def _content(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): content_hash(json.loads(p.read_text()))
        for p in sorted(out.glob("collected/*/*.json"))
    }


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _bad_gzip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[40:80] = b"\0" * 40  # inside the first gzip member's deflate stream
    path.write_bytes(bytes(data))


def _bomb(path: Path) -> None:
    # 10 MB of zeros behind a WARC header line: about 10 KB on disk, past the cap once inflated.
    path.write_bytes(gzip.compress(b"WARC/1.1\r\n" + b"\0" * 10_000_000, compresslevel=9))


@pytest.mark.parametrize("damage", [_truncate, _bad_gzip, _bomb], ids=["truncated", "bad-gzip", "bomb"])
def test_replay_refuses_a_damaged_warc_and_changes_nothing(full_backfill, tmp_path, damage):
    out = tmp_path / "data"
    shutil.copytree(full_backfill, out)  # copies keep their modification times
    warcs = out / "evidence" / "warc"
    victim = sorted(warcs.glob("liege-population/*.warc.gz"))[3]
    damage(victim)
    before = snapshot(out)
    proc = subprocess.run(
        [str(BIN / "guichets"), "reparse", "--warc", str(warcs), "--data-dir", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"error: {victim}: damaged WARC file, nothing replayed" in proc.stderr
    assert snapshot(out) == before
    assert not list(out.glob("collected/*/attempts"))


def test_replay_of_intact_evidence_rewrites_nothing(full_backfill, tmp_path):
    out = tmp_path / "data"
    shutil.copytree(full_backfill, out)
    before = snapshot(out)
    proc = subprocess.run(
        [str(BIN / "guichets"), "reparse", "--warc", str(out / "evidence" / "warc"), "--data-dir", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert snapshot(out) == before
