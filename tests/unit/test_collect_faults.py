"""Fault injection: one live collection run against a real HTTP server on 127.0.0.1.

Every fault a public site can throw at the collector is served on its own path of one local
server; ``collect_many`` runs once over all of them. Each fault must end as its documented
outcome (docs/collection.md), be in the fetch log (the capture's ``attempts``), and never stop
the run. The WARC evidence written must pass ``warcio check`` and ``warcio index``.
"""

from __future__ import annotations

import gzip
import json
import socket
import struct
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from scrapers.archive.warc import iter_responses
from scrapers.collect import collect_many, host_batches
from scrapers.fetch.client import Fetcher
from scrapers.registry import Source
from tests.conftest import LocalServer

READ_TIMEOUT_S = 1.0
TOTAL_TIMEOUT_S = 2.0
BACKOFF_S = 0.2
MAX_RETRIES = 2
MAX_BYTES = 200_000


def page(name: str, hours: str) -> str:
    return (
        "<!DOCTYPE html><html lang='fr'><head><title>Horaires</title></head><body>"
        f"<section class='office'><h2>{name}</h2><p>{hours}</p>"
        "<p>Rue de la Loi 1, 1000 Bruxelles</p></section></body></html>"
    )


POPULATION = page("Service Population", "Du lundi au vendredi de 9h à 12h.").encode()
ETAT_CIVIL_1252 = page("Service État civil", "Du lundi au vendredi de 9h à 12h. Fermé le mercredi après-midi.").encode(
    "windows-1252"
)
# A CMS in maintenance answers 200 with a page that says "fermé": a failed capture, never a closure.
MAINTENANCE = (
    "<!DOCTYPE html><html lang='fr'><head><title>Maintenance</title></head><body>"
    "<h1>Commune de Test</h1><p>Site temporairement fermé pour maintenance. Merci de votre compréhension.</p>"
    "</body></html>"
).encode()
ROBOTS = b"User-agent: *\nDisallow: /interdit/\n"
# ~10 KB on the wire, 10 MB once decoded: refused by the decoded-size cap, not the wire cap.
GZIP_BOMB = gzip.compress(b"\0" * 10_000_000, compresslevel=9)


class Faults:
    """Route handlers for each fault; records every request's arrival time per path."""

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.arrivals: dict[str, list[float]] = defaultdict(list)

    def route(self, path: str):
        def register(handler):
            def wrapped(h) -> None:
                self.arrivals[path].append(time.monotonic())
                try:
                    handler(h)
                except OSError:  # the client gave up on us (timeouts, caps): that is the point
                    h.close_connection = True

            self.server.routes[path] = wrapped
            return handler

        return register

    def install(self) -> None:
        @self.route("/robots.txt")
        def robots(h):
            send(h, 200, ROBOTS, "text/plain")

        @self.route("/ok")
        def ok(h):
            send(h, 200, POPULATION, "text/html; charset=utf-8", {"ETag": '"v1"'})

        @self.route("/maintenance")
        def maintenance(h):
            send(h, 200, MAINTENANCE, "text/html; charset=utf-8")

        @self.route("/erreur-500")
        def error_500(h):
            send(h, 500, b"<html><body>Erreur interne</body></html>", "text/html")

        @self.route("/surcharge-503")
        def busy_503(h):
            if len(self.arrivals["/surcharge-503"]) == 1:
                send(h, 503, b"<html>Service indisponible</html>", "text/html", {"Retry-After": "1"})
            else:
                send(h, 200, POPULATION, "text/html; charset=utf-8")

        @self.route("/trop-vite-429")
        def too_many_429(h):
            if len(self.arrivals["/trop-vite-429"]) == 1:
                send(h, 429, b"<html>Trop de requetes</html>", "text/html")
            else:
                send(h, 200, POPULATION, "text/html; charset=utf-8")

        @self.route("/lent")
        def read_timeout(h):
            time.sleep(READ_TIMEOUT_S + 0.5)  # nothing at all before the read timeout
            h.close_connection = True
            send(h, 200, POPULATION, "text/html")

        @self.route("/goutte-a-goutte")
        def slow_drip(h):
            # Headers at once, then one byte every 0.2 s, forever: only the total deadline ends it.
            h.close_connection = True
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(b"<html>")
            deadline = time.monotonic() + 60  # "forever", but the test server must stop some day
            while time.monotonic() < deadline:
                time.sleep(0.2)
                h.wfile.write(b" ")

        @self.route("/reset")
        def reset(h):
            # Request read, then the socket is dropped with SO_LINGER 0: an RST, no response at all.
            rst(h)

        @self.route("/reset-en-cours")
        def reset_mid_body(h):
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", "50000")
            h.end_headers()
            h.wfile.write(POPULATION[:100])
            time.sleep(0.05)
            rst(h)

        @self.route("/boucle/a")
        def loop_a(h):
            send(h, 302, b"", None, {"Location": "/boucle/b"})

        @self.route("/boucle/b")
        def loop_b(h):
            send(h, 302, b"", None, {"Location": "/boucle/a"})

        @self.route("/vers-prive")
        def to_private(h):
            send(h, 302, b"", None, {"Location": "http://169.254.169.254/latest/meta-data/"})

        @self.route("/vers-reseau-interne")
        def to_private_network(h):
            send(h, 301, b"", None, {"Location": "http://10.0.0.1/intranet/horaires"})

        @self.route("/enorme")
        def oversized(h):
            body = (b"<p>" + b"x" * 996 + b"</p>") * 300  # 300 KB > MAX_BYTES
            h.close_connection = True  # the client hangs up mid-body
            send(h, 200, b"<html><body>" + body + b"</body></html>", "text/html")

        @self.route("/windows-1252")
        def windows_1252(h):
            send(h, 200, ETAT_CIVIL_1252, "text/html")  # no charset, no <meta charset>

        @self.route("/interdit/horaires")
        def disallowed(h):
            send(h, 200, POPULATION, "text/html; charset=utf-8")

        @self.route("/bombe")
        def gzip_bomb(h):
            h.close_connection = True
            send(h, 200, GZIP_BOMB, "text/html", {"Content-Encoding": "gzip"})


def send(h, status: int, body: bytes, content_type: str | None, headers: dict | None = None) -> None:
    h.send_response(status)
    if content_type:
        h.send_header("Content-Type", content_type)
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def rst(h) -> None:
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.connection.close()  # the fd really closes (RST) once the handler's files are closed
    h.close_connection = True


# fault -> (path, http_status, error_class, parse_status); http_status None: no response was kept.
EXPECTED = {
    "ok": ("/ok", 200, None, "ok"),
    "maintenance-page-200": ("/maintenance", 200, None, "unavailable"),
    "server-error-500": ("/erreur-500", 500, None, "not_parsed"),
    "unavailable-503-retry-after": ("/surcharge-503", 200, None, "ok"),
    "too-many-requests-429": ("/trop-vite-429", 200, None, "ok"),
    "read-timeout": ("/lent", None, "timeout", "not_parsed"),
    "slow-drip": ("/goutte-a-goutte", None, "timeout", "not_parsed"),
    "connection-reset": ("/reset", None, "connection_error", "not_parsed"),
    "connection-reset-mid-body": ("/reset-en-cours", None, "connection_error", "not_parsed"),
    "redirect-loop": ("/boucle/a", None, "redirect_loop", "not_parsed"),
    "redirect-to-private": ("/vers-prive", None, "unsafe_url", "not_parsed"),
    "redirect-to-private-network": ("/vers-reseau-interne", None, "unsafe_url", "not_parsed"),
    "oversized-body": ("/enorme", None, "body_too_large", "not_parsed"),
    "windows-1252-no-charset": ("/windows-1252", 200, None, "ok"),
    "robots-disallowed": ("/interdit/horaires", None, "robots_disallowed", "not_parsed"),
    "gzip-bomb": ("/bombe", None, "body_too_large", "not_parsed"),
}


class Run:
    """The outcome of the one collection run shared by every test below."""

    def __init__(self, server: LocalServer, faults: Faults, out: Path, summaries: list[dict], wall_s: float) -> None:
        self.server, self.faults, self.out, self.summaries, self.wall_s = server, faults, out, summaries, wall_s
        self.records = {fault: self._load(out / "collected" / f"faults-{fault}") for fault in EXPECTED}

    @staticmethod
    def _load(directory: Path) -> list[dict]:
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))]

    def capture(self, fault: str) -> dict:
        (record,) = self.records[fault]
        return record["capture"]

    def record(self, fault: str) -> dict:
        (record,) = self.records[fault]
        return record

    def attempts(self, fault: str) -> list[tuple[int | None, str | None]]:
        return [(a["http_status"], a["error_class"]) for a in self.capture(fault)["attempts"]]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    server = LocalServer()
    faults = Faults(server)
    faults.install()
    sources = [
        Source(
            id=f"faults-{fault}",
            administration="commune-test",
            kind="opening_hours",
            urls=(f"{server.base}{path}",),
            language="fr",
            parser="auto",
            rate_limit_per_s=10,
        )
        for fault, (path, *_) in EXPECTED.items()
    ]
    fetcher = Fetcher(
        timeout=(1.0, READ_TIMEOUT_S),
        total_timeout_s=TOTAL_TIMEOUT_S,
        backoff_s=BACKOFF_S,
        max_retries=MAX_RETRIES,
        max_bytes=MAX_BYTES,
        allow_private={f"127.0.0.1:{server.port}"},  # this server only: 169.254.169.254 stays refused
        respect_robots=True,
    )
    out = tmp_path_factory.mktemp("faults")
    started = time.monotonic()
    progress: list[str] = []  # what `guichets collect` shows: one step per source as it ends
    try:
        summaries = collect_many(sources, out, fetcher=fetcher, on_done=lambda s: progress.append(s["source_id"]))
        wall_s = time.monotonic() - started
    finally:
        server.close()
    run = Run(server, faults, out, summaries, wall_s)
    run.progress = progress
    return run


def test_the_run_completes_for_every_source(run):
    assert [s["source_id"] for s in run.summaries] == sorted(f"faults-{f}" for f in EXPECTED)
    assert all(s["captures"] == 1 for s in run.summaries)
    assert sum(s["parsed"] for s in run.summaries) == 4  # ok, 503 then ok, 429 then ok, windows-1252
    # One thread for the one host: retries, Retry-After, timeouts and the drip add up, but stay bounded.
    assert run.wall_s < 25


def test_progress_is_reported_once_per_source_as_its_host_fetches_them(run):
    # One host: its sources run one after another, in the order given, each reported as it ends.
    assert run.progress == [f"faults-{f}" for f in EXPECTED]


def test_host_batches_group_by_the_host_the_connection_reads():
    def src(sid: str, url: str) -> Source:
        return Source(id=sid, administration="a", kind="opening_hours", urls=(url,), language="fr", parser="auto")

    sources = [
        src("b1", "https://b.example/x"),
        src("a1", "https://A.example:443/y"),  # same host as a2 once read as the connection reads it
        src("b2", "https://b.example/z"),
        src("a2", "https://a.example/w"),
    ]
    assert [[s.id for s in batch] for batch in host_batches(sources)] == [["a1", "a2"], ["b1", "b2"]]


@pytest.mark.parametrize("fault", list(EXPECTED))
def test_each_fault_ends_as_documented_and_is_in_the_fetch_log(run, fault):
    path, http_status, error_class, parse_status = EXPECTED[fault]
    cap = run.capture(fault)
    assert (cap["http_status"], cap["error_class"], cap["parse_status"]) == (http_status, error_class, parse_status)
    assert cap["url"] == f"{run.server.base}{path}"
    assert cap["attempts"], "every capture carries its fetch log"
    assert cap["attempts"][-1]["error_class"] == cap["error_class"]
    if cap["parse_status"] != "ok":
        assert run.record(fault)["schedules"] == []  # unknown, never a closure
        assert cap["parse_message"]  # and it says why
    # Evidence exactly when a response was received.
    assert (cap["warc_file"] is not None) == (cap["http_status"] is not None)


def test_500_is_retried_then_recorded_not_parsed(run):
    assert run.attempts("server-error-500") == [(500, None)] * (MAX_RETRIES + 1)
    assert len(run.faults.arrivals["/erreur-500"]) == MAX_RETRIES + 1
    assert run.capture("server-error-500")["parse_message"] == "HTTP 500: not parsed"


def test_503_retry_after_is_honoured(run):
    assert run.attempts("unavailable-503-retry-after") == [(503, None), (200, None)]
    first, second = run.faults.arrivals["/surcharge-503"]
    assert second - first >= 1.0
    assert run.record("unavailable-503-retry-after")["schedules"][0]["name"] == "Service Population"


def test_429_is_retried_after_a_backoff(run):
    assert run.attempts("too-many-requests-429") == [(429, None), (200, None)]
    first, second = run.faults.arrivals["/trop-vite-429"]
    assert second - first >= BACKOFF_S  # longer than the source's 0.1 s rate interval alone


def test_read_timeout(run):
    assert run.attempts("read-timeout") == [(None, "timeout")] * (MAX_RETRIES + 1)
    assert all(a["elapsed_ms"] < 1000 * (READ_TIMEOUT_S + 0.5) for a in run.capture("read-timeout")["attempts"])


def test_slow_drip_hits_the_total_deadline(run):
    attempts = run.capture("slow-drip")["attempts"]
    assert [(a["http_status"], a["error_class"]) for a in attempts] == [(None, "timeout")] * (MAX_RETRIES + 1)
    for a in attempts:  # ended by the total deadline, not by a read timeout (the drip never pauses 1 s)
        assert 1000 * TOTAL_TIMEOUT_S <= a["elapsed_ms"] < 1000 * (TOTAL_TIMEOUT_S + READ_TIMEOUT_S)
    assert "slow drip" in run.capture("slow-drip")["parse_message"]


def test_connection_reset(run):
    for fault in ("connection-reset", "connection-reset-mid-body"):
        assert run.attempts(fault) == [(None, "connection_error")] * (MAX_RETRIES + 1)


def test_redirect_loop(run):
    attempts = run.capture("redirect-loop")["attempts"]
    assert [(a["url"].removeprefix(run.server.base), a["http_status"], a["error_class"]) for a in attempts] == [
        ("/boucle/a", 302, None),
        ("/boucle/b", 302, None),
        ("/boucle/a", None, "redirect_loop"),
    ]


@pytest.mark.parametrize(
    ("fault", "status", "target"),
    [
        ("redirect-to-private", 302, "http://169.254.169.254/latest/meta-data/"),
        ("redirect-to-private-network", 301, "http://10.0.0.1/intranet/horaires"),
    ],
)
def test_redirect_to_a_private_address_is_refused_on_the_hop(run, fault, status, target):
    assert run.attempts(fault) == [(status, None), (None, "unsafe_url")]
    cap = run.capture(fault)
    assert cap["final_url"] == target
    assert f"non-public address {target.split('/')[2]}" in cap["parse_message"]


def test_oversized_body_and_gzip_bomb_are_refused_once(run):
    assert run.attempts("oversized-body") == [(None, "body_too_large")]
    assert run.attempts("gzip-bomb") == [(None, "body_too_large")]
    assert "compression bomb" in run.capture("gzip-bomb")["parse_message"]


def test_windows_1252_without_charset_is_parsed_and_kept_as_sent(run):
    record = run.record("windows-1252-no-charset")
    (schedule,) = record["schedules"]
    assert schedule["name"] == "Service État civil"
    assert "Fermé le mercredi après-midi" in schedule["evidence"]
    assert [s["day"] for s in schedule["slots"]] == ["mo", "tu", "we", "th", "fr"]
    # The WARC keeps the bytes as sent (windows-1252), which decode back to the same text.
    ((_, http_headers, body),) = list(iter_responses(run.out / record["capture"]["warc_file"]))
    assert body == ETAT_CIVIL_1252 and http_headers.get_header("Content-Type") == "text/html"
    assert "Service État civil" in body.decode("windows-1252")


def test_robots_disallow_is_respected_and_the_path_never_hit(run):
    assert run.attempts("robots-disallowed") == [(None, "robots_disallowed")]
    assert "/interdit/horaires" not in run.server.hits
    assert run.server.hits["/robots.txt"] == 1  # read once for the host, not once per source


def test_warc_evidence_passes_warcio_check_and_index(run):
    warcs = sorted((run.out / "evidence" / "warc").rglob("*.warc.gz"))
    kept = {run.capture(f)["warc_file"] for f in EXPECTED if run.capture(f)["warc_file"]}
    assert {str(p.relative_to(run.out)) for p in warcs} == kept and len(kept) == 6
    assert not list((run.out / "evidence").rglob("*.part"))
    warcio = str(Path(sys.executable).with_name("warcio"))
    check = subprocess.run([warcio, "check", "-v", *map(str, warcs)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    index = subprocess.run(
        [warcio, "index", "-f", "warc-type,warc-target-uri,http:status", *map(str, warcs)],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [json.loads(line) for line in index.stdout.splitlines()]
    assert [r["warc-type"] for r in rows] == ["warcinfo", "response", "request"] * len(warcs)
    statuses = sorted(r["http:status"] for r in rows if r["warc-type"] == "response")
    assert statuses == ["200", "200", "200", "200", "200", "500"]
