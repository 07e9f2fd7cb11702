"""Total deadlines against real slow servers on 127.0.0.1.

A tiny socket server (not http.server: it must be able to drip the status line itself) answers
by path: at once, or one byte every DRIP_S from the status line, from the headers, or from the
body, for as long as the client listens. Every drip is faster than the read timeout, so only the
total deadline (per attempt) or the host deadline (per batch of one host's sources) can end it.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Iterator

import pytest

from scrapers.collect import collect_many
from scrapers.fetch.client import Fetcher
from scrapers.registry import Source

DRIP_S = 0.1  # one byte every 100 ms: never a pause as long as the read timeout
READ_TIMEOUT_S = 1.0
DEADLINE_S = 1.0
MARGIN_S = 0.5

PAGE = (
    "<html lang='fr'><body><section class='office'><h2>Service Population</h2>"
    "<p>Du lundi au vendredi de 9h à 12h.</p></section></body></html>"
).encode()


def response(body: bytes = PAGE) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"X-Padding: " + b"x" * 200 + b"\r\n\r\n" + body


class DripServer:
    """A keep-alive HTTP/1.1 server on 127.0.0.1 that answers each path at its own pace."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.hits: dict[str, int] = defaultdict(int)
        self.closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            buffer = b""
            while not self.closed.is_set():  # several requests per connection (keep-alive)
                while b"\r\n\r\n" not in buffer:
                    data = conn.recv(4096)
                    if not data:
                        return
                    buffer += data
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                path = head.split(b" ")[1].decode()
                self.hits[path] = self.hits.get(path, 0) + 1
                full = response()
                start = {
                    "/drip-status": 0,
                    "/drip-headers": full.index(b"\r\n") + 2,
                    "/drip-body": len(full) - len(PAGE),
                }
                if path == "/slow-second" and self.hits[path] > 1:
                    start[path] = 0  # a keep-alive connection that was fine the first time
                if path not in start:
                    conn.sendall(full)
                    continue
                conn.sendall(full[: start[path]])
                try:
                    for i in range(start[path], len(full)):
                        time.sleep(DRIP_S)
                        conn.sendall(full[i : i + 1])
                    while not self.closed.is_set():  # then keep the connection busy, "forever"
                        time.sleep(DRIP_S)
                        conn.sendall(b" ")
                except OSError:
                    return  # the client gave up: that is the point

    def close(self) -> None:
        self.closed.set()
        self.sock.close()


@pytest.fixture
def drip() -> Iterator[DripServer]:
    server = DripServer()
    yield server
    server.close()


def fetcher(**kw) -> Fetcher:
    kw.setdefault("total_timeout_s", DEADLINE_S)
    kw.setdefault("max_retries", 0)
    kw.setdefault("timeout", (1.0, READ_TIMEOUT_S))
    return Fetcher(backoff_s=0.01, allow_private=True, respect_robots=False, **kw)


@pytest.mark.parametrize(
    ("path", "phase"),
    [
        ("/drip-status", "the status line and headers were not complete"),
        ("/drip-headers", "the status line and headers were not complete"),
        ("/drip-body", "the body was not complete (slow drip)"),
    ],
)
def test_a_dripping_server_is_cut_at_the_total_deadline(drip, path, phase):
    started = time.monotonic()
    res = fetcher().get(f"{drip.base}{path}", rate_per_s=100)
    elapsed = time.monotonic() - started
    assert DEADLINE_S <= elapsed < DEADLINE_S + MARGIN_S, elapsed
    assert (res.status, res.error_class) == (None, "timeout")
    assert res.error_message == f"{drip.base}{path}: no complete response within the total deadline of 1 s: {phase}"
    assert res.attempt_log[-1]["elapsed_ms"] >= 1000 * DEADLINE_S


def test_a_connection_that_never_completes_is_cut_at_the_total_deadline():
    # A listening socket that never accepts, its backlog full: the next connect hangs (SYN dropped).
    server = socket.create_server(("127.0.0.1", 0), backlog=0)
    port = server.getsockname()[1]
    waiting = []
    for _ in range(5):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        waiting.append(s)
    try:
        started = time.monotonic()
        res = fetcher(timeout=(30.0, READ_TIMEOUT_S)).get(f"http://127.0.0.1:{port}/p", rate_per_s=100)
        elapsed = time.monotonic() - started
        assert elapsed < DEADLINE_S + MARGIN_S, elapsed
        assert res.error_class == "timeout"
        assert res.error_message.endswith("within the total deadline of 1 s: no connection was made")
    finally:
        for s in [*waiting, server]:
            s.close()


def test_a_dripping_tls_handshake_is_cut_at_the_total_deadline():
    # A "TLS server" announcing a 16 KB handshake record, then sending it a byte at a time.
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(4096)  # the ClientHello
            try:
                conn.sendall(b"\x16\x03\x03\x40\x00")
                while not stop.is_set():
                    time.sleep(DRIP_S)
                    conn.sendall(b"\x00")
            except OSError:
                return

    threading.Thread(target=serve, daemon=True).start()
    try:
        started = time.monotonic()
        res = fetcher().get(f"https://127.0.0.1:{server.getsockname()[1]}/p", rate_per_s=100)
        assert time.monotonic() - started < DEADLINE_S + MARGIN_S
        assert res.error_class == "timeout" and "within the total deadline of 1 s" in res.error_message
    finally:
        stop.set()
        server.close()


def test_the_deadline_holds_for_each_retry(drip):
    started = time.monotonic()
    res = fetcher(max_retries=2).get(f"{drip.base}/drip-status", rate_per_s=100)
    elapsed = time.monotonic() - started
    assert [a["error_class"] for a in res.attempt_log] == ["timeout"] * 3
    assert elapsed < 3 * (DEADLINE_S + MARGIN_S), elapsed


def test_a_reused_keep_alive_connection_is_under_the_deadline_too(drip):
    f = fetcher()
    assert f.get(f"{drip.base}/slow-second", rate_per_s=100).status == 200  # the connection stays open
    started = time.monotonic()
    res = f.get(f"{drip.base}/slow-second", rate_per_s=100)  # same pooled connection, now dripping
    assert time.monotonic() - started < DEADLINE_S + MARGIN_S
    assert res.error_class == "timeout"
    assert f.get(f"{drip.base}/ok", rate_per_s=100).status == 200  # the cut connection is not reused


def test_a_fast_answer_is_not_touched_by_the_watchdog(drip):
    f = fetcher(total_timeout_s=0.3)
    for _ in range(5):
        assert f.get(f"{drip.base}/ok", rate_per_s=100).content == PAGE
    time.sleep(0.4)  # every deadline has passed: the watchdog must not cut the pooled connection
    assert f.get(f"{drip.base}/ok", rate_per_s=100).content == PAGE


def source(sid: str, url: str) -> Source:
    return Source(id=sid, administration="commune-x", kind="opening_hours", urls=(url,), language="fr")


def test_a_header_drip_is_a_failed_capture_with_the_reason(drip, tmp_path):
    started = time.monotonic()
    (summary,) = collect_many([source("drips", f"{drip.base}/drip-headers")], tmp_path, fetcher=fetcher())
    assert time.monotonic() - started < DEADLINE_S + MARGIN_S
    cap = json.loads(open(summary["files"][0], encoding="utf-8").read())["capture"]
    assert (cap["http_status"], cap["error_class"], cap["parse_status"], cap["warc_file"]) == (
        None,
        "timeout",
        "not_parsed",
        None,
    )
    assert cap["parse_message"].endswith("total deadline of 1 s: the status line and headers were not complete")


def test_a_stalled_host_cannot_hold_the_run(drip, local_server, tmp_path):
    """One host stalls on its second page; the run ends at its host deadline, nothing collected is lost."""
    local_server.routes["/other"] = lambda h: h.wfile.write(response())
    stalled = [
        source("a-first-ok", f"{drip.base}/ok"),
        source("b-drips", f"{drip.base}/drip-headers"),
        source("c-after", f"{drip.base}/ok?c"),
        source("d-after", f"{drip.base}/ok?d"),
    ]
    healthy = [source("z-other-host", f"{local_server.base}/other")]
    host_deadline_s = 1.5
    # A total deadline per attempt far beyond the host's: only the host deadline can end the drip.
    f = fetcher(total_timeout_s=30, max_retries=3)
    started = time.monotonic()
    summaries = collect_many(stalled + healthy, tmp_path, fetcher=f, host_deadline_s=host_deadline_s)
    elapsed = time.monotonic() - started
    assert elapsed < host_deadline_s + MARGIN_S, elapsed

    captures = {s["source_id"]: json.loads(open(s["files"][0], encoding="utf-8").read())["capture"] for s in summaries}
    assert len(captures) == 5  # a capture file for every source, collected or not
    assert (captures["a-first-ok"]["http_status"], captures["a-first-ok"]["parse_status"]) == (200, "ok")
    assert (captures["z-other-host"]["http_status"], captures["z-other-host"]["parse_status"]) == (200, "ok")
    host = f"127.0.0.1:{drip.port}"
    cut = captures["b-drips"]
    assert (cut["http_status"], cut["error_class"], cut["parse_status"]) == (None, "host_deadline", "not_parsed")
    assert cut["parse_message"] == (
        f"host deadline of 1.5 s for {host} passed while fetching {drip.base}/drip-headers: "
        "the status line and headers were not complete"
    )
    assert [a["attempt"] for a in cut["attempts"]] == [1]  # no retry after the host's time is up
    for sid in ("c-after", "d-after"):
        cap = captures[sid]
        assert (cap["error_class"], cap["attempts"][0]["attempt"]) == ("host_deadline", 0)  # never sent
        assert cap["parse_message"] == f"host deadline of 1.5 s for {host} passed before {cap['url']} was requested"
    assert drip.hits.get("/ok?c") is None and drip.hits.get("/ok?d") is None


def test_retries_and_waits_do_not_run_past_the_host_deadline(local_server):
    calls = []

    def busy(h):
        calls.append(time.monotonic())
        h.send_response(503)
        h.send_header("Retry-After", "5")  # longer than what is left of the host's time
        h.send_header("Content-Length", "0")
        h.end_headers()

    local_server.routes["/busy"] = busy
    f = fetcher(max_retries=3)
    started = time.monotonic()
    with f.host_deadline(1.0, "test host"):
        first = f.get(f"{local_server.base}/busy", rate_per_s=100)
        second = f.get(f"{local_server.base}/busy", rate_per_s=100)
    assert time.monotonic() - started < 0.5
    assert first.status == 503 and len(calls) == 1  # the outcome is the 503: no time for a retry
    # The host asked for 5 s: the next request's slot is past the deadline, so it is not sent.
    assert second.error_class == "host_deadline" and "before" in second.error_message and len(calls) == 1
