"""Benchmark of live collection: many hosts in parallel, each kept at its polite rate.

Usage: .venv/bin/python -m tests.benchmarks.bench_fetch [--hosts 40] [--pages 25] [--latency 0.05] [--rate 1.0]
    [--processes N] [--matrix]

Not a pytest test: pytest collects ``test_*.py`` only. ``--hosts`` local HTTP servers (one per
port, so as many distinct host:port for the per-host limiter) run in a separate process, so the
collector is measured without the servers competing for its GIL; each answers after
``--latency`` seconds and records every request's arrival time. ``collect_many`` then fetches,
keeps WARC evidence for and parses ``hosts x pages`` sources (one per page) at ``--rate``
requests/s per host, with robots.txt off: only pages are requested and counted; the hosts are
dealt over ``--processes`` collector processes (by default as ``guichets collect`` chooses: one
per 64 hosts, at most one per core), whose start-up is inside the wall time. The hosts are
served by one asyncio loop (see ``serve``).

Targets: wall time <= 1.10 x the politeness-limited ideal ((pages - 1) / rate + latency), and
no host ever above ``rate`` requests in any 1-second window, and every page parsed. Exits 1 if
only the ratio is missed, 2 if politeness or a page failed.

``--matrix`` runs the benchmark at every count of :data:`MATRIX_HOSTS` and latency of
:data:`MATRIX_LATENCIES` (issue #17), each in its own process (CPU times and the collectors' lowered
priority are per process), prints each run and a table of the ratios, and exits 1 if the case the
issue sets a target for (:data:`TARGET_CASE`: 256 hosts at 300 ms) misses any of its targets, or if
any case crashes, sends a host more than ``rate`` requests in a second or leaves a page unparsed
(exit 2). The other cases' ratios are measured, not judged: at 1,000 hosts two cores are not enough
CPU for a page a second per host.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MATRIX_HOSTS = (40, 256, 1000)
MATRIX_LATENCIES = (0.0, 0.3, 1.0)
TARGET_CASE = (256, 0.3)  # (hosts, latency) of issue #17's done-when
RATIO_TARGET = 1.10  # wall time over the politeness-limited ideal
RATIO_MISSED, FAILED = 1, 2  # exit codes of one run: only the ratio missed; politeness or a page failed
_RATIO_LINE = re.compile(r"^ratio\s+([0-9.]+)", re.MULTILINE)

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
    """Server process: start the hosts, report their ports, then the arrivals when told to stop.

    One asyncio event loop serves every port (HTTP/1.1 keep-alive): a request's arrival is stamped
    as soon as its request line is read, with no thread to wait for. A thread per connection (as
    in ``http.server``) made the stamps lag the requests by up to 150 ms when the machine was
    busy, which the window check then counted against the client.
    """
    import asyncio

    arrivals: list[list[float]] = [[] for _ in range(n_hosts)]

    def handler(host: int):
        pages = {f"/commune-{host:02d}/page-{p:02d}": page_html(host, p) for p in range(n_pages)}
        log = arrivals[host]

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while request := await reader.readline():
                    log.append(time.monotonic())
                    while (await reader.readline()).strip():  # the headers (no request body on GET)
                        pass
                    if latency:
                        await asyncio.sleep(latency)
                    body = pages.get(request.split()[1].decode(), b"")
                    status = b"200 OK" if body else b"404 Not Found"
                    writer.write(
                        b"HTTP/1.1 " + status + b"\r\nContent-Type: text/html; charset=utf-8\r\n"
                        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                    )
                    await writer.drain()
            except (ConnectionError, IndexError):
                pass
            finally:
                writer.close()

        return handle

    async def main() -> None:
        servers = [await asyncio.start_server(handler(h), "127.0.0.1", 0) for h in range(n_hosts)]
        conn.send([srv.sockets[0].getsockname()[1] for srv in servers])
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # until told to stop
        for srv in servers:
            srv.close()
        conn.send((arrivals, time.process_time()))

    asyncio.run(main())


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


def wall_time_split(arrivals: list[list[float]], started: float, wall: float, rate: float) -> str:
    """The wall time of the host that finished last, split at the servers' arrival stamps (the same
    monotonic clock as ``started``); the parts add up to the wall time.

    Start-up: until the first request of any host (the collector processes spawned, their modules
    imported). Host start: how much later that host's first request left (the hosts' starts are
    spread). Its requests: (pages - 1) / rate, plus its pacing beyond that. Tail: from its last
    request to the end of the run (that answer's latency, recording the last answers, the
    processes' exit).
    """
    used = [sorted(times) for times in arrivals if times]
    last_host = max(used, key=lambda times: times[-1])
    first = min(times[0] for times in used)
    pacing = last_host[-1] - last_host[0] - (len(last_host) - 1) / rate
    return (
        f"start-up {first - started:.2f} s + host start {last_host[0] - first:.2f} s + "
        f"requests {(len(last_host) - 1) / rate:.2f} s {pacing:+.2f} s + tail {started + wall - last_host[-1]:.2f} s"
    )


def matrix(pages: int, rate: float) -> int:
    """Run the benchmark at every (hosts, latency) of the matrix, one process each; 1 if a case failed (see above)."""
    ratios: dict[tuple[int, float], float | None] = {}
    failed: list[str] = []
    for hosts in MATRIX_HOSTS:
        for latency in MATRIX_LATENCIES:
            args = ["--hosts", str(hosts), "--latency", str(latency), "--pages", str(pages), "--rate", str(rate)]
            run = subprocess.run(
                [sys.executable, "-m", "tests.benchmarks.bench_fetch", *args], capture_output=True, text=True
            )
            print(run.stdout, end="", flush=True)
            case = f"{hosts} hosts at {latency * 1000:.0f} ms"
            found = _RATIO_LINE.search(run.stdout)
            ratios[(hosts, latency)] = float(found.group(1)) if found else None
            if run.returncode not in (0, RATIO_MISSED):
                print(run.stderr, end="", file=sys.stderr)
                failed.append(f"{case}: crashed, broke politeness or left a page unparsed (exit {run.returncode})")
            elif (hosts, latency) == TARGET_CASE and run.returncode == RATIO_MISSED:
                failed.append(f"{case}: ratio above {RATIO_TARGET:.2f}")
            print()
    print("ratio to the politeness-limited ideal (hosts x latency):")
    print("hosts   " + "".join(f"{latency * 1000:>10.0f} ms" for latency in MATRIX_LATENCIES))
    for hosts in MATRIX_HOSTS:
        cells = (ratios[(hosts, latency)] for latency in MATRIX_LATENCIES)
        print(f"{hosts:>5}   " + "".join(f"{'failed' if r is None else f'{r:.3f}':>13}" for r in cells))
    target = ratios[TARGET_CASE]
    print(
        f"{TARGET_CASE[0]} hosts at {TARGET_CASE[1] * 1000:.0f} ms: "
        f"{'failed' if target is None else f'{target:.3f}'} "
        f"(target <= {RATIO_TARGET:.2f}: {'OK' if target is not None and target <= RATIO_TARGET else 'MISSED'})"
    )
    for problem in failed:
        print(f"MISSED {problem}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--matrix", action="store_true", help="every hosts x latency case of issue #17, one process each")
    ap.add_argument("--hosts", type=int, default=40)
    ap.add_argument("--pages", type=int, default=25)
    ap.add_argument("--latency", type=float, default=0.05, help="seconds each response is delayed")
    ap.add_argument("--rate", type=float, default=1.0, help="requests per second per host")
    ap.add_argument("--processes", type=int, help="collector processes (default: as guichets collect chooses)")
    args = ap.parse_args(argv)
    if args.matrix:
        return matrix(args.pages, args.rate)

    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=serve, args=(args.hosts, args.pages, args.latency, child), daemon=True)
    proc.start()
    ports = parent.recv()
    # The servers stand for other machines: here they share the cores with the collectors, and a
    # server process queued behind them stamps arrivals late (intervals then look short by the
    # lag: 0.993 s at 1/s with 256 hosts). The collectors (this process and the workers it spawns
    # from here on) yield the CPU to it; the wall time still counts everything they do.
    if hasattr(os, "nice"):
        os.nice(10)

    # Imported after the server process is spawned: it needs none of this.
    from scrapers.collect import collect_many, processes_for
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
    processes = args.processes or processes_for(args.hosts, os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(prefix="bench-fetch-") as out:
        started = time.monotonic()
        fetcher = Fetcher(allow_private=True, respect_robots=False)
        summaries = collect_many(sources, Path(out), fetcher=fetcher, processes=processes)
        wall = time.monotonic() - started
        warcs = sum(1 for _ in Path(out, "evidence", "warc").rglob("*.warc.gz"))
    parent.send("stop")
    arrivals, server_cpu = parent.recv()
    proc.join(timeout=10)
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    collector_user, collector_system = own.ru_utime + children.ru_utime, own.ru_stime + children.ru_stime
    collector_cpu = collector_user + collector_system

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
        f"{processes} collector processes; "
        f"{args.rate:g} request/s/host; robots.txt off (pages only)"
    )
    print(f"wall time                   {wall:7.2f} s")
    print(
        f"politeness-limited ideal    {ideal:7.2f} s  "
        f"({args.pages - 1} intervals x {1 / args.rate:.2f} s + {args.latency * 1000:.0f} ms)"
    )
    verdict = "OK" if ratio <= RATIO_TARGET else "MISSED"
    print(f"ratio                       {ratio:7.3f}    (target <= {RATIO_TARGET:.2f}: {verdict})")
    print(
        f"max per-host rate           {max_window:5d}      requests in any 1-s window "
        f"(target <= {args.rate:g}: {'OK' if rate_ok else 'MISSED'})"
    )
    print(f"min interval, one host      {min_gap:9.4f} s (127.0.0.1:{ports[min_gap_host]})")
    print(f"wall time, last host        {wall_time_split(arrivals, started, wall, args.rate)}")
    print(f"requests served             {served:5d}")
    print(f"CPU time                    collectors {collector_cpu:.1f} s (user {collector_user:.1f} s, system "
          f"{collector_system:.1f} s), servers {server_cpu:.1f} s "
          f"({os.cpu_count()} cores x {wall:.1f} s = {(os.cpu_count() or 1) * wall:.1f} s)")  # fmt: skip
    print(f"pages fetched / parsed      {sum(s['captures'] for s in summaries):5d} / {parsed} ({warcs} WARC files)")
    if not rate_ok or parsed != len(sources):
        return FAILED
    return 0 if ratio <= RATIO_TARGET else RATIO_MISSED


if __name__ == "__main__":
    sys.exit(main())
