"""Bad input at the CLI boundary: every argument checked (exit 2, one line naming it, no traceback),
an unreadable CDX listing is one source's failure, and a full disk or an unwritable data directory
is named as such. Real files, real mounts (when permitted), real processes; no mocks."""

from __future__ import annotations

import base64
import errno
import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from scrapers.registry import load_registry
from tests.conftest import reply
from tests.helpers.cli_run import guichets_cli
from warehouse.settings import SAMPLE_REGISTRY, Settings
from warehouse.transform import DbtError, dbt_build

SAMPLE = str(SAMPLE_REGISTRY)
LIEGE, GENT = "spf-finances-bureaux-liege", "fod-financien-kantoren-gent"
PAGE = "<html lang='fr'><body><h2>Bureau</h2><p>Lundi de 9h à 12h</p></body></html>".encode()


def assert_one_line_error(proc: subprocess.CompletedProcess, code: int, *parts: str) -> str:
    """The last stderr line is the error (progress lines may come before it); no traceback."""
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("error: "), proc.stderr
    for part in parts:
        assert part in last, last
    return last


@contextmanager
def tmpfs(where: Path, *options: str) -> Iterator[Path]:
    """A small tmpfs mounted at ``where`` (root only); the test is skipped when mounting is not permitted."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join(("size=64k", *options)), "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


def fill(directory: Path) -> None:
    """Fill the file system of ``directory`` to the last byte."""
    fd = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT)  # unbuffered: nothing left to flush on close
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


@pytest.fixture
def afile(tmp_path: Path) -> Path:
    """A regular file: a data directory under it can never be created, even by root."""
    path = tmp_path / "afile"
    path.write_text("not a directory")
    return path


BACKFILL = ("backfill", "--registry", SAMPLE, "--cdx", "http://127.0.0.1:9/cdx", "--from", "2021-01-01", "--to")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((*BACKFILL[:-3], "--from", "2021-13-01", "--to", "2021-12-31"), "--from '2021-13-01' is not a date (expected"),
        ((*BACKFILL[:-3], "--from", "20210101", "--to", "2021-12-31"), "--from '20210101' is not a date"),
        ((*BACKFILL, "2021-02-30"), "--to '2021-02-30' is not a date"),
        ((*BACKFILL[:-3], "--from", "2022-01-01", "--to", "2021-12-31"), "--from 2022-01-01 is after --to 2021-12-31"),
        (("backfill", "--registry", SAMPLE, "--cdx", "ftp://x/cdx", "--from", "2021-01-01", "--to", "2021-12-31"),
         "--cdx 'ftp://x/cdx' is not an http(s) URL"),
        (("backfill", "--registry", SAMPLE, "--cdx", "http://127.0.0.1:99999/cdx", "--from", "2021-01-01", "--to",
          "2021-12-31"), "--cdx 'http://127.0.0.1:99999/cdx' is not an http(s) URL"),
        ((*BACKFILL, "2021-12-31", "--replay", "notaurl"), "--replay 'notaurl' is not an http(s) URL"),
        ((*BACKFILL, "2021-12-31", "--source", "spf-finances-bureaux-liegee"),
         f"--source 'spf-finances-bureaux-liegee' is not a source of {SAMPLE} (did you mean '{LIEGE}'?)"),
        (("collect", "--registry", SAMPLE, "--source", "nope"), f"--source 'nope' is not a source of {SAMPLE}"),
        (("collect", "--registry", "/nonexistent/sources.yaml"), "--registry /nonexistent/sources.yaml: no such"),
        (("collect", "--registry", "/tmp"), "--registry /tmp: a directory, not registry file"),
        (("run", "--registry", "/nonexistent.yaml"), "--registry /nonexistent.yaml: no such registry file"),
        (("run", "--mode", "offline"), "--mode must be sample or live, not 'offline'"),
        (("run", "--release-base-url", "notaurl"), "--release-base-url 'notaurl' is not an http(s) URL"),
        (("reparse", "--warc", "/nonexistent/x.warc.gz"), "--warc /nonexistent/x.warc.gz: no such file or directory"),
        (("query", "select 1", "--db", "/nonexistent.duckdb"), "--db /nonexistent.duckdb: no such database file"),
        (("status", "--db", "/nonexistent.duckdb"), "--db /nonexistent.duckdb: no such database file"),
        (("shell", "--db", "/nonexistent.duckdb"), "--db /nonexistent.duckdb: no such database file"),
        (("report", "--db", "/nonexistent.duckdb"), "--db /nonexistent.duckdb: no such database file"),
        (("report", "--release", "/nonexistent"), "--release /nonexistent is not a release directory"),
        (("hours", "parse", "--file", "/nonexistent.html"), "cannot read --file /nonexistent.html"),
        (("procedures", "parse", "--file", "/nonexistent.html"), "cannot read --file /nonexistent.html"),
        (("release", "show", "no-such-version", "--data-dir", "/nonexistent"), "no release 'no-such-version'"),
        (("release", "verify", "no-such-version", "--data-dir", "/nonexistent"), "no release 'no-such-version'"),
    ],
    ids=lambda v: " ".join(v)[:60] if isinstance(v, tuple) else None,
)  # fmt: skip
def test_bad_arguments_exit_2_with_one_line_naming_them(args, message):
    assert_one_line_error(guichets_cli(*args), 2, message)


@pytest.mark.parametrize("command", ["collect", "backfill", "reparse", "run", "report"])
def test_a_data_directory_under_a_file_is_refused_naming_the_option(command, afile, tmp_path):
    target = afile / "data"
    args = {
        "collect": ("collect", "--registry", SAMPLE, "--data-dir", str(target)),
        "backfill": (*BACKFILL, "2021-12-31", "--data-dir", str(target)),
        "reparse": ("reparse", "--warc", str(tmp_path), "--data-dir", str(target)),
        "run": ("run", "--data-dir", str(target)),
        "report": ("report", "--release", str(tmp_path), "--out", str(target)),
    }[command]
    if command == "report":
        (tmp_path / "metadata.json").write_text("{}")
    option = "--out" if command == "report" else "--data-dir"
    assert_one_line_error(
        guichets_cli(*args), 2, f"{option} {target}: a parent of it is a file, not a directory (Not a directory)"
    )
    # The existing file itself given as the directory.
    if command == "collect":
        proc = guichets_cli("collect", "--registry", SAMPLE, "--data-dir", str(afile))
        assert_one_line_error(proc, 2, f"--data-dir {afile}: it exists and is not a directory")


def test_a_read_only_data_directory_is_refused_naming_the_option(tmp_path):
    with tmpfs(tmp_path / "ro", "ro") as ro:
        for args, option in (
            (("collect", "--registry", SAMPLE, "--data-dir", str(ro / "data")), "--data-dir"),
            (("run", "--data-dir", str(ro)), "--data-dir"),
            ((*BACKFILL, "2021-12-31", "--data-dir", str(ro)), "--data-dir"),
        ):
            proc = guichets_cli(*args)
            assert_one_line_error(proc, 2, f"{option} {ro}", "the file system is read-only (Read-only file system)")


def archive_routes(server, broken_url: str | None = None, page: bytes = PAGE) -> None:
    """A CDX API and a raw replay on ``server``: one capture per URL; ``broken_url``'s listing is HTML."""

    def cdx(h) -> None:
        url = parse_qs(urlsplit(h.path).query)["url"][0]
        if url == broken_url:
            reply(200, b"<html><body>Service Unavailable</body></html>", {"Content-Type": "text/html"})(h)
            return
        line = {"urlkey": "x", "timestamp": "20210301090000", "url": url, "status": "200", "digest": "D" + url}
        reply(200, json.dumps(line).encode(), {"Content-Type": "text/x-ndjson"})(h)

    server.routes["/cdx"] = cdx
    for source in load_registry(SAMPLE_REGISTRY).sources:
        for url in source.urls:
            server.routes[f"/web/20210301090000id_/{url}"] = reply(200, page, {"Content-Type": "text/html"})


def backfill_args(server, out: Path, *sources: str) -> tuple[str, ...]:
    selected = [a for sid in sources for a in ("--source", sid)]
    return (*BACKFILL[:4], f"{server.base}/cdx", "--replay", f"{server.base}/web", "--from", "2021-01-01", "--to",
            "2021-12-31", "--data-dir", str(out), "--allow-local", *selected)  # fmt: skip


def test_an_unreadable_cdx_listing_fails_that_source_only(local_server, tmp_path):
    registry = load_registry(SAMPLE_REGISTRY)
    broken = registry.source(LIEGE).urls[0]
    archive_routes(local_server, broken_url=broken)
    proc = guichets_cli(*backfill_args(local_server, tmp_path, LIEGE, GENT))
    assert_one_line_error(proc, 1, f"1 of 2 source listings failed: {LIEGE}")
    assert f"error: source {LIEGE}: listing failed: CDX answer from {local_server.base}/cdx?url=" in proc.stderr
    assert "is not JSON" in proc.stderr
    # The other source was backfilled: its capture is on disk and in the summary.
    assert [p.parent.name for p in (tmp_path / "collected").glob("*/*.json")] == [GENT]
    assert f"{GENT}" in proc.stdout and "captures=1" in proc.stdout
    assert f"{LIEGE:<40} listing failed" in proc.stdout


def test_a_full_disk_during_a_backfill_is_named(local_server, tmp_path):
    # Incompressible: the WARC record (gzip) cannot fit in 64 KB.
    big = b"<html><body><p>" + base64.b64encode(os.urandom(200_000)) + b"</p></body></html>"
    archive_routes(local_server, page=big)
    with tmpfs(tmp_path / "small") as small:
        proc = guichets_cli(*backfill_args(local_server, small / "data", GENT))
        assert_one_line_error(
            proc, 1, f"the data directory {small / 'data'}: the disk is full (No space left on device)"
        )


def test_a_full_disk_at_the_dbt_build_is_named(tmp_path):
    with tmpfs(tmp_path / "small") as small:
        fill(small)
        settings = Settings(data_dir=small / "data", registry=SAMPLE_REGISTRY)
        with pytest.raises(DbtError) as err:
            dbt_build(settings)
    message = str(err.value).splitlines()[0]
    # mkdir of the (empty) folders succeeds on a full tmpfs; dbt itself then meets the full disk.
    assert message.startswith("dbt build failed: the disk is full (No space left on device) writing "), message
    assert str(small / "data" / "warehouse" / "guichets.duckdb") in message and "no summary" not in message


def test_an_unwritable_data_directory_at_the_dbt_build_is_named(afile, tmp_path):
    with pytest.raises(DbtError, match=f"dbt build cannot start: {afile}/data/dbt: a parent of it is a file"):
        dbt_build(Settings(data_dir=afile / "data", registry=SAMPLE_REGISTRY))
    with tmpfs(tmp_path / "ro", "ro") as ro:
        with pytest.raises(DbtError, match=f"dbt build cannot start: {ro}/dbt: the file system is read-only"):
            dbt_build(Settings(data_dir=ro, registry=SAMPLE_REGISTRY))
