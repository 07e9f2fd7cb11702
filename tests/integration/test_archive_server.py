"""The local pywb archive server, run for real on 127.0.0.1 over the built sample web."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from scrapers.archive.server import (
    ArchiveServer,
    ArchiveServerError,
    _is_wayback,
    prepare_collection,
    stop_pid,
    stop_server,
)
from scrapers.sample_web.build import build_sample_web
from scrapers.sample_web.render import capture_body
from scrapers.sample_web.story import load_sample_registry, load_storyline, plan_captures


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> dict:
    """The built sample web and its capture plan."""
    out = tmp_path_factory.mktemp("archive")
    warcs = build_sample_web(out / "warcs")
    storyline = load_storyline()
    registry = load_sample_registry(storyline)
    return {
        "warcs": warcs,
        "root": prepare_collection(warcs, out / "pywb"),
        "storyline": storyline,
        "registry": registry,
        "plan": plan_captures(storyline, registry),
    }


@pytest.fixture(scope="module")
def server(sample) -> Iterator[ArchiveServer]:
    with ArchiveServer.start(sample["root"]) as srv:
        yield srv
    assert not _is_wayback(srv.pid)


def capture(sample, status: int):
    return next(c for c in sample["plan"] if c.status == status)


def replay(server: ArchiveServer, cap) -> requests.Response:
    return requests.get(server.replay_url(cap.timestamp, cap.url), allow_redirects=False, timeout=30)


def expected_body(sample, cap) -> bytes:
    story = next(s for s in sample["storyline"]["sources"] if s["source"] == cap.source_id)
    source = sample["registry"].source(cap.source_id)
    return capture_body(cap, story, source, sample["registry"])


def test_prepare_collection_is_idempotent(sample, tmp_path):
    first = (sample["root"] / "collections" / "sample" / "indexes" / "index.cdxj").read_text()
    root = prepare_collection(sample["warcs"][:2], tmp_path / "pywb")
    assert prepare_collection(sample["warcs"], root) == root  # rebuilt over a different collection
    assert (root / "collections" / "sample" / "indexes" / "index.cdxj").read_text() == first
    archived = sorted(p.name for p in (root / "collections" / "sample" / "archive").iterdir())
    assert archived == sorted(p.name for p in sample["warcs"])
    assert len(first.splitlines()) == len(sample["plan"])  # one index line per response


def test_server_info_is_json(server):
    info = json.loads(json.dumps(server.server_info()))
    assert info["pid"] == server.pid and info["port"] == server.port
    assert info["base_url"] == f"http://127.0.0.1:{server.port}/sample"
    assert info["cdx_url"] == f"http://127.0.0.1:{server.port}/sample/cdx"


def test_cdx_lists_the_captures_of_one_url(server, sample):
    url = capture(sample, 503).url
    resp = requests.get(server.cdx_url, params={"url": url, "output": "json"}, timeout=30)
    assert resp.status_code == 200
    rows = [json.loads(line) for line in resp.text.splitlines() if line.strip()]
    want = [(c.timestamp, str(c.status)) for c in sample["plan"] if c.url == url]
    assert [(r["timestamp"], r["status"]) for r in rows] == want
    assert all(r["url"] == url and r["mime"] == "text/html" and r["digest"] for r in rows)


def test_replay_of_a_page(server, sample):
    cap = capture(sample, 200)
    resp = replay(server, cap)
    assert resp.status_code == 200
    assert resp.content == expected_body(sample, cap)
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Memento-Datetime" in resp.headers


@pytest.mark.parametrize("status", [500, 503])
def test_replay_of_server_errors_keeps_the_archived_status(server, sample, status):
    cap = capture(sample, status)
    resp = replay(server, cap)
    assert resp.status_code == status
    assert resp.content == expected_body(sample, cap)
    assert "Memento-Datetime" in resp.headers


def test_replay_of_the_redirect(server, sample):
    cap = capture(sample, 301)
    resp = replay(server, cap)
    assert resp.status_code == 301
    assert resp.headers["Location"] == cap.location
    moved = next(c for c in sample["plan"] if c.url == cap.location and c.page_date == cap.page_date)
    assert replay(server, moved).status_code == 200


def test_stop_pid_from_another_handle(sample):
    srv = ArchiveServer.start(sample["root"])
    info = srv.server_info()
    assert _is_wayback(info["pid"])
    assert stop_pid(info["pid"]) is True
    assert not _is_wayback(info["pid"])
    assert not Path(f"/proc/{info['pid']}").exists() or not _is_wayback(info["pid"])
    assert stop_pid(info["pid"]) is False
    srv.stop()  # already gone: a no-op


def test_stop_server_by_identity_not_by_pid(sample):
    """The teardown task stops the server by machine, PID and start time: a PID that now names
    another process (here: the same PID with another start time) is left alone."""
    srv = ArchiveServer.start(sample["root"])
    info = json.loads(json.dumps(srv.server_info()))  # as it travels through XCom
    assert stop_server({**info, "started": info["started"] + 1}) is False
    assert stop_server({**info, "machine": "another-worker"}) is False
    assert _is_wayback(info["pid"])
    assert stop_server(info) is True
    assert not _is_wayback(info["pid"])
    assert stop_server(info) is False
    srv.stop()


def test_stop_ends_the_process(sample):
    srv = ArchiveServer.start(sample["root"])
    pid = srv.pid
    srv.stop()
    assert not _is_wayback(pid)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(requests.ConnectionError):
        requests.get(srv.cdx_url, params={"url": "x"}, timeout=5)


def test_stop_pid_refuses_other_processes():
    assert stop_pid(os.getpid()) is False  # not a wayback server: left alone


def test_start_without_collection_fails_clearly(tmp_path):
    with pytest.raises(ArchiveServerError, match="run prepare_collection first"):
        ArchiveServer.start(tmp_path)


def test_start_timeout_reports_the_log_and_leaves_no_process(sample):
    with pytest.raises(ArchiveServerError, match="did not answer") as err:
        ArchiveServer.start(sample["root"], timeout_s=0.01)
    assert "wayback.log" in str(err.value)
    pid = int(str(err.value).split("(pid ")[1].split(")")[0])
    assert not _is_wayback(pid)
