"""Benchmark of whole-page reading: ``parse_page`` on the real corpus's HTML pages, pages per second on one core.

Usage: .venv/bin/python -m tests.benchmarks.bench_pages [--passes 5]

Not a pytest test: pytest collects ``test_*.py`` only. The pages are the real published pages of
``tests/fixtures/real/pages/`` (their provenance is in that folder's README), read as the collector
reads them: ``parse_page(html, language=...)``, the DOM walk, the line reader, the office
assignment and the structured data. One warm-up pass, then ``--passes`` timed passes over every
page; the figure is the median pass. The process is pinned to one CPU where the OS allows it.

Pages differ in size (a few hundred bytes to a third of a megabyte), and the time per page grows
with it, so the figure is printed per size band too, with the throughput in KiB/s: a national crawl
reads pages of 100 KiB and more (the size issue #17 names, 132 KiB, is one of them).

Target (issue #17): median >= 500 pages/s. Exits 1 if it is missed.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time

from tests.benchmarks.bench_hours import pin_to_one_cpu
from tests.real_corpus import page_cases

TARGET = 500  # pages/s
BANDS = ((0, 50), (50, 100), (100, None))  # KiB of HTML text


def band_of(kib: float) -> tuple[int, int | None]:
    """The size band (KiB, upper bound excluded; None: no bound) a page of ``kib`` KiB falls in."""
    return next(b for b in BANDS if kib >= b[0] and (b[1] is None or kib < b[1]))


def run_pass(pages: list[dict], parse, errors) -> list[float]:
    """Seconds of each page's reading, in the order of ``pages``."""
    clock = time.perf_counter
    seconds = []
    for case in pages:
        t0 = clock()
        try:
            parse(case["html"], language=case["language"])
        except errors:
            pass  # a page that publishes no hours is read all the same: its time counts
        seconds.append(clock() - t0)
    return seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--passes", type=int, default=5)
    args = ap.parse_args(argv)

    pinned = pin_to_one_cpu()
    pages = page_cases()
    if not pages:
        print("no real pages found under tests/fixtures/real/pages/")
        return 1
    from scrapers.hours import parse_page
    from scrapers.hours.model import ParseError

    kib = [len(case["html"].encode("utf-8")) / 1024 for case in pages]
    run_pass(pages, parse_page, ParseError)  # warm-up: imports, compiled patterns, caches
    timed = [run_pass(pages, parse_page, ParseError) for _ in range(args.passes)]

    print(f"parse_page, one core ({pinned}), Python {platform.python_version()}")
    print(f"{len(pages)} real pages, {sum(kib):.0f} KiB of HTML (mean {statistics.mean(kib):.0f} KiB, "
          f"median {statistics.median(kib):.0f} KiB, largest {max(kib):.0f} KiB)")  # fmt: skip
    rates = []
    for i, seconds in enumerate(timed, start=1):
        total = sum(seconds)
        rates.append(len(pages) / total)
        print(f"pass {i}   {total:6.3f} s  {rates[-1]:6.0f} pages/s  {sum(kib) / total:8.0f} KiB/s")
    median = statistics.median(rates)
    print("per size band (median of passes):")
    for band in BANDS:
        members = [k for k, size in enumerate(kib) if band_of(size) == band]
        if not members:
            continue
        per_pass = [sum(seconds[k] for k in members) for seconds in timed]
        total = statistics.median(per_pass)
        label = f"{band[0]}-{band[1]} KiB" if band[1] is not None else f">= {band[0]} KiB"
        mean_kib = statistics.mean(kib[k] for k in members)
        print(f"  {label:<12} {len(members):4d} pages (mean {mean_kib:4.0f} KiB)  "
              f"{len(members) / total:6.0f} pages/s  {total / len(members) * 1000:6.2f} ms/page")  # fmt: skip
    verdict = "OK" if median >= TARGET else "MISSED"
    print(f"median of {args.passes} passes      {median:6.0f} pages/s  (target >= {TARGET}: {verdict})")
    return 0 if median >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
