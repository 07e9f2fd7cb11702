"""Evidence and releases copied to an S3-compatible store: moto's server on 127.0.0.1, started here."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from scrapers import children
from scrapers.archive.server import _free_port  # a free port on 127.0.0.1
from scrapers.collect import collect_live
from scrapers.fetch.client import Fetcher
from scrapers.sample_web.build import build_sample_web
from tests.conftest import reply
from tests.unit.test_collect_live import PAGE
from tests.unit.test_collect_live import source as live_source  # a one-counter source of that server
from warehouse.object_store import STORAGE_URL_ENV, filesystem, pull_captures, push_captures, store_run, upload_tree


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A local S3 (moto_server) on 127.0.0.1, with a bucket; yields its endpoint URL."""
    port = _free_port()
    moto = str(Path(sys.executable).with_name("moto_server"))
    proc = children.spawn(
        [moto, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(endpoint, timeout=2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                children.stop(proc)
                pytest.fail("moto_server did not answer")
            time.sleep(0.2)
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GUICHETS_S3_ENDPOINT_URL")}
    os.environ |= {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "GUICHETS_S3_ENDPOINT_URL": endpoint}
    fs, _ = filesystem("s3://guichets")
    fs.mkdir("guichets")
    try:
        yield endpoint
    finally:
        children.stop(proc)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_evidence_and_release_are_stored_byte_for_byte(s3: str, tmp_path: Path, monkeypatch) -> None:
    data = tmp_path / "data"
    warc_dir = data / "evidence" / "warc"
    build_sample_web(warc_dir / "sample")  # real WARC files, as the collector writes them
    collected = data / "collected" / "src-a"
    collected.mkdir(parents=True)
    (collected / "20240101T000000Z-0.json").write_text('{"composed": true}')  # composed capture file
    release = data / "releases" / "2026.12.06"
    (release / "data").mkdir(parents=True)
    (release / "data" / "t.parquet").write_bytes(b"PAR1 composed")
    monkeypatch.setenv(STORAGE_URL_ENV, "s3://guichets/prod")

    sent = store_run(data, warc_dir, data / "collected", release)
    local = sorted(p for p in data.rglob("*") if p.is_file())
    assert sent == {"warc": len(list(warc_dir.rglob("*.warc.gz"))), "collected": 1, "release": 1}
    fs, _ = filesystem("s3://guichets/prod")
    for path in local:
        assert fs.cat_file(f"guichets/prod/{path.relative_to(data).as_posix()}") == path.read_bytes()
    assert fs.cat_file("guichets/prod/releases/LATEST") == b"2026.12.06\n"
    # Immutable files already stored are not sent again.
    assert store_run(data, warc_dir, data / "collected", release) == {"warc": 0, "collected": 0, "release": 0}


def test_the_default_store_is_the_data_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(STORAGE_URL_ENV, raising=False)
    assert store_run(tmp_path, tmp_path / "w", tmp_path / "c", tmp_path / "r") == {}


def test_upload_to_a_file_url(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    (src / "a" / "x.bin").write_bytes(b"\x00\x01")
    assert upload_tree(src, (tmp_path / "dst").as_uri()) == 1
    assert (tmp_path / "dst" / "a" / "x.bin").read_bytes() == b"\x00\x01"


def test_captures_reach_the_warehouse_machine_through_the_store(
    s3: str, local_server, tmp_path: Path, monkeypatch
) -> None:
    """A collect worker and the warehouse machine share no folder: the worker sends its capture
    files and WARCs to the store as it writes them, the load task fetches what it lacks."""
    monkeypatch.setenv(STORAGE_URL_ENV, "s3://guichets/remote")
    local_server.routes["/population"] = reply(200, PAGE, {"Content-Type": "text/html; charset=utf-8"})
    source = live_source(local_server.base)
    worker, warehouse = tmp_path / "worker-data", tmp_path / "warehouse-data"
    summary = collect_live(source, worker, fetcher=Fetcher(allow_private=True, respect_robots=False))
    files = [str(Path(f).relative_to(worker)) for f in summary["files"]]
    assert len(files) == 1

    assert push_captures(worker, files) == 2  # the capture file and its WARC
    assert push_captures(worker, files) == 0  # already stored: not sent again
    assert pull_captures(warehouse, files) == 2
    assert pull_captures(warehouse, files) == 0  # already here
    sent = sorted(p.relative_to(worker) for p in worker.rglob("*") if p.is_file() and "politeness" not in p.parts)
    got = sorted(p.relative_to(warehouse) for p in warehouse.rglob("*") if p.is_file())
    assert got == sent and any(p.suffixes[-2:] == [".warc", ".gz"] for p in got)
    for rel in got:
        assert (warehouse / rel).read_bytes() == (worker / rel).read_bytes()


def test_with_the_default_store_nothing_moves(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(STORAGE_URL_ENV, raising=False)
    assert push_captures(tmp_path, ["collected/x/never-read.json"]) == 0
    assert pull_captures(tmp_path, ["collected/x/never-read.json"]) == 0
