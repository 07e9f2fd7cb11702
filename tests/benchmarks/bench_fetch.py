"""Benchmark of live collection: many hosts in parallel, each kept at its polite rate.

Usage: .venv/bin/python -m tests.benchmarks.bench_fetch [--hosts 40] [--pages 25] [--latency 0.05] [--rate 1.0]

Not a pytest test: pytest collects ``test_*.py`` only. ``--hosts`` local HTTP servers (one per
port, so as many distinct host:port for the per-host limiter) run in a separate process, so the
collector is measured without the servers competing for its GIL; each answers after
``--latency`` seconds and records every request's arrival time. ``collect_many`` then fetches,
keeps WARC evidence for and parses ``hosts x pages`` sources (one per page) at ``--rate``
requests/s per host, with robots.txt off: only pages are requested and counted.

Targets: wall time <= 1.15 x the politeness-limited ideal ((pages - 1) / rate + latency), and
no host ever above ``rate`` requests in any 1-second window. Exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SERVICES = [
    ("Service Population", "Du lundi au vendredi de 9h à 12h."),
    ("Service État civil", "Du lundi au vendredi de 8h30 à 12h30. Le mercredi de 13h30 à 16h."),
    ("Service Urbanisme", "Le mardi et le jeudi de 9h à 12h, uniquement sur rendez-vous."),
    ("Accueil du CPAS", "Du lundi au vendredi de 8h à 12h et de 13h à 16h."),
    ("Service Étrangers", "Lundi, mardi et jeudi de 9h à 12h. Fermé le mercredi."),
]


def page_html(host: int, page: int) -> bytes:
    name, hours = SERVICES[(host + page) % len(SERVICES)]
    return (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{name} - Commune {host:02d}</title></head><body>"
        "<header><nav><a href='/'>Accueil</a> &gt; <a href='/services'>Services</a></nav></header>"
        f"<main><h1>{name}</h1><section class='office'><h2>{name}</h2>"
        f"<p>Adresse : Place communale {page + 1}, {1000 + host * 10} Commune {host:02d}</p>"
        f"<p>{hours}</p><p>Tél. : 02 {host:03d} {page:02d} 00</p></section></main>"
        "<footer>Administration communale - mentions légales</footer></body></html>"
    ).encode()


def serve(n_hosts: int, n_pages: int, latency: float, conn) -> None:
    """Server process: start the hosts, report their ports, then the arrivals when told to stop."""
    arrivals: list[list[float]] = [[] for _ in range(n_hosts)]
    servers = []
    for host in range(n_hosts):
        pages = {f"/commune-{host:02d}/page-{p:02d}": page_html(host, p) for p in range(n_pages)}
        log = arrivals[host]

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self, pages=pages, log=log) -> None:  # noqa: N802 (http.server's naming)
                log.append(time.monotonic())  # list.append is atomic: no lock needed
                time.sleep(latency)
                body = pages.get(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        servers.append(httpd)
    conn.send([s.server_address[1] for s in servers])
    conn.recv()
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()
    conn.send(arrivals)


def host_stats(times: list[float]) -> tuple[int, float]:
    """Max requests in any 1-second window [t, t + 1 s), and the minimum interval between two."""
    times = sorted(times)
    most, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - 1.0:
            j += 1
        most = max(most, i - j + 1)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    return most, min(gaps) if gaps else float("inf")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hosts", type=int, default=40)
    ap.add_argument("--pages", type=int, default=25)
    ap.add_argument("--latency", type=float, default=0.05, help="seconds each response is delayed")
    ap.add_argument("--rate", type=float, default=1.0, help="requests per second per host")
    args = ap.parse_args(argv)

    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=serve, args=(args.hosts, args.pages, args.latency, child), daemon=True)
    proc.start()
    ports = parent.recv()

    # Imported after the server process is spawned: it needs none of this.
    from scrapers.collect import collect_many
    from scrapers.fetch.client import Fetcher
    from scrapers.registry import Source

    sources = [
        Source(
            id=f"bench-h{h:02d}-p{p:02d}",
            administration=f"commune-{h:02d}",
            kind="opening_hours",
            urls=(f"http://127.0.0.1:{port}/commune-{h:02d}/page-{p:02d}",),
            language="fr",
            rate_limit_per_s=args.rate,
        )
        for h, port in enumerate(ports)
        for p in range(args.pages)
    ]
    with tempfile.TemporaryDirectory(prefix="bench-fetch-") as out:
        started = time.monotonic()
        summaries = collect_many(sources, Path(out), fetcher=Fetcher(allow_private=True, respect_robots=False))
        wall = time.monotonic() - started
        warcs = sum(1 for _ in Path(out, "evidence", "warc").rglob("*.warc.gz"))
    parent.send("stop")
    arrivals = parent.recv()
    proc.join(timeout=10)

    ideal = (args.pages - 1) / args.rate + args.latency
    stats = [host_stats(times) for times in arrivals]
    max_window = max(most for most, _ in stats)
    min_gap, min_gap_host = min((gap, h) for h, (_, gap) in enumerate(stats))
    served = sum(len(t) for t in arrivals)
    parsed = sum(s["parsed"] for s in summaries)
    ratio = wall / ideal
    rate_ok = max_window <= args.rate and min_gap >= 1.0 / args.rate
    print(
        f"{args.hosts} hosts x {args.pages} pages = {len(sources)} sources; {args.latency * 1000:.0f} ms latency; "
        f"{args.rate:g} request/s/host; robots.txt off (pages only)"
    )
    print(f"wall time                   {wall:7.2f} s")
    print(
        f"politeness-limited ideal    {ideal:7.2f} s  "
        f"({args.pages - 1} intervals x {1 / args.rate:.2f} s + {args.latency * 1000:.0f} ms)"
    )
    print(f"ratio                       {ratio:7.3f}    (target <= 1.15: {'OK' if ratio <= 1.15 else 'MISSED'})")
    print(
        f"max per-host rate           {max_window:5d}      requests in any 1-s window "
        f"(target <= {args.rate:g}: {'OK' if rate_ok else 'MISSED'})"
    )
    print(f"min interval, one host      {min_gap:9.4f} s (127.0.0.1:{ports[min_gap_host]})")
    print(f"requests served             {served:5d}")
    print(f"pages fetched / parsed      {sum(s['captures'] for s in summaries):5d} / {parsed} ({warcs} WARC files)")
    return 0 if ratio <= 1.15 and rate_ok and parsed == len(sources) else 1


if __name__ == "__main__":
    sys.exit(main())
