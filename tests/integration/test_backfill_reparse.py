"""Backfill over a real local pywb reproduces the sample's history; replay from WARC needs no network."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scrapers.archive.server import ArchiveServer, prepare_collection
from scrapers.sample_web.build import build_sample_web, load_storyline
from scrapers.sample_web.story import load_sample_registry, plan_captures
from warehouse.settings import SAMPLE_REGISTRY

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample")
    warcs = build_sample_web(root / "warc")
    with ArchiveServer.start(prepare_collection(warcs, root / "pywb")) as server:
        yield {"server": server, "warcs": root / "warc"}


@pytest.fixture(scope="module")
def plan():
    story = load_storyline()
    return plan_captures(story, load_sample_registry(story))


def guichets(*args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(BIN / "guichets"), *args], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def records(out: Path) -> dict[str, dict]:
    return {
        r["capture"]["capture_id"]: r
        for r in (json.loads(p.read_text()) for p in sorted((out / "collected").glob("*/*.json")))
    }


def backfill(archive, out: Path, date_from: str, date_to: str) -> dict[str, dict]:
    server = archive["server"]
    guichets(
        "backfill",
        "--registry",
        str(SAMPLE_REGISTRY),
        "--cdx",
        server.cdx_url,
        "--from",
        date_from,
        "--to",
        date_to,
        "--data-dir",
        str(out),
        "--allow-local",
    )
    return records(out)


def test_backfill_reproduces_the_sample_history(archive, plan, tmp_path):
    got = backfill(archive, tmp_path, "2019-01-01", "2026-12-31")
    expected = sorted((c.source_id, c.timestamp, c.status) for c in plan)
    seen = sorted(
        (
            r["capture"]["source_id"],
            r["capture"]["observed_at"].replace("-", "").replace(":", "")[:15].replace("T", ""),
            r["capture"]["http_status"],
        )
        for r in got.values()
    )
    assert [(s, t[:14], st) for s, t, st in seen] == expected
    statuses = [r["capture"]["parse_status"] for r in got.values()]
    # every page answering 200 is read, except the redesigned site's (layout drift: nothing to read)
    redesigned = {s["source"]: s["redesigned_on"] for s in load_storyline()["sources"] if s.get("redesigned_on")}
    drift = [c for c in plan if c.status == 200 and c.page_date >= redesigned.get(c.source_id, "9999")]
    assert drift and statuses.count("no_data") == len(drift)
    # maintenance and error pages served with 200 are failed captures of their own outcome
    standins = [c for c in plan if c.standin]
    assert standins and statuses.count("unavailable") == len(standins)
    assert statuses.count("ok") == sum(1 for c in plan if c.status == 200) - len(drift) - len(standins)
    # Every fetched capture is kept as WARC evidence under the output directory.
    assert all((tmp_path / r["capture"]["warc_file"]).exists() for r in got.values() if r["capture"]["warc_file"])


def test_backfill_honours_the_date_range(archive, plan, tmp_path):
    got = backfill(archive, tmp_path, "2021-01-01", "2021-12-31")
    years = {r["capture"]["observed_at"][:4] for r in got.values()}
    assert years == {"2021"}
    assert len(got) == sum(1 for c in plan if c.timestamp.startswith("2021"))


def test_refuses_local_archive_unless_told(archive, tmp_path):
    proc = subprocess.run(
        [
            str(BIN / "guichets"),
            "backfill",
            "--registry",
            str(SAMPLE_REGISTRY),
            "--cdx",
            archive["server"].cdx_url,
            "--from",
            "2019-01-01",
            "--to",
            "2019-12-31",
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode != 0 and "non-public address" in (proc.stdout + proc.stderr)


def test_replay_from_warc_gives_the_same_observations(archive, tmp_path):
    backfilled = backfill(archive, tmp_path / "b", "2019-01-01", "2026-12-31")
    # Our own evidence WARCs, replayed without any server: same schedules for every capture.
    guichets("reparse", "--warc", str(tmp_path / "b" / "evidence" / "warc"), "--data-dir", str(tmp_path / "r"))
    replayed = records(tmp_path / "r")
    # Unchanged captures (same CDX digest) were not fetched again: they share the earlier evidence.
    fetched = {cid: r for cid, r in backfilled.items() if r["capture"]["fetch_url"]}
    assert set(replayed) == set(fetched)
    for cid, rec in fetched.items():
        assert replayed[cid]["schedules"] == rec["schedules"], cid
        assert replayed[cid]["capture"]["parse_status"] == rec["capture"]["parse_status"]
    # The sample's own (third-party) WARCs replay too, matched to sources by URL and dated by WARC-Date.
    guichets("reparse", "--warc", str(archive["warcs"]), "--data-dir", str(tmp_path / "s"))
    assert set(records(tmp_path / "s")) >= set(fetched)


def test_replay_refreshes_unchanged_captures(archive, tmp_path):
    out = tmp_path / "b"
    backfilled = backfill(archive, out, "2019-01-01", "2026-12-31")
    unchanged = [r for r in backfilled.values() if not r["capture"]["fetch_url"]]
    assert unchanged, "the sample has captures identical to the previous one"
    # Simulate an old parser's output on one of them, then replay the evidence over the same folder.
    victim = unchanged[0]["capture"]
    path = next((out / "collected" / victim["source_id"]).glob(f"*-{victim['capture_id'][:8]}.json"))
    stale = json.loads(path.read_text())
    stale["schedules"] = []
    path.write_text(json.dumps(stale))
    guichets("reparse", "--warc", str(out / "evidence" / "warc"), "--data-dir", str(out))
    assert json.loads(path.read_text())["schedules"] == unchanged[0]["schedules"]
