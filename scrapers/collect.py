"""Collect one source: list or fetch its pages, keep the evidence, parse, write capture files.

Each capture becomes one JSON file ``<out>/collected/<source_id>/<timestamp>-<url hash>.json``
(schema in docs/architecture.md), rewritten when the same capture is collected again, so
collection is idempotent per (source, observed_at). Each fetched response is kept in a WARC
file under ``<out>/evidence/warc/<source_id>/``. Nothing here opens DuckDB: collect tasks run
in parallel.

A capture that could not be fetched or parsed is recorded as such (``http_status``,
``error_class``, ``parse_status``) and is *unknown* downstream, never a closure.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import multiprocessing
import multiprocessing.queues
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple

from scrapers.archive.cdx import fetch_plan, list_captures
from scrapers.archive.warc import sha256_hex, write_evidence
from scrapers.capture import (
    WAYBACK_ARCHIVE,
    Capture,
    CaptureKey,
    FetchRecord,
    PageRecord,
    collected_dir,
    content_hash,
    iso,
    store_file,
    warc_dir,
)
from scrapers.fetch.client import Fetcher, FetchResult, host_deadline_for
from scrapers.fetch.decoding import decode_html
from scrapers.fetch.netguard import host_key
from scrapers.hours import parse_page
from scrapers.hours.model import NoScheduleFound, ParseError, UnavailablePage
from scrapers.hours.osm import schedule_document
from scrapers.registry import Source
from scrapers.registry.identity import match_counters
from scrapers.vocabulary import NOT_PARSED, PARSE_ERROR, PARSE_NO_DATA, PARSE_OK, PARSE_UNAVAILABLE

log = logging.getLogger(__name__)
# Hosts fetched at once by default (one thread each, mostly asleep on its host's rate): a national
# registry has thousands of hosts; ``Settings.collect_threads`` (GUICHETS_COLLECT_THREADS) sets it.
MAX_HOST_THREADS = 1024
# Hosts one collector process keeps at their rate: its threads fetch, archive and parse about 100
# pages a second on one core (measured: 256 hosts at 1 request/s took 2.3 x the polite ideal in one
# process, 1.3 x in two). Fewer hosts than this per process would only pay for starting processes.
HOSTS_PER_PROCESS = 64
# Bytes of answers a collector process holds before they are recorded (a body is capped at
# MAX_BODY_BYTES, as received and decoded; real pages are about 130 KiB): past this, its host
# threads wait to fetch more. Each answer counts at least RECORD_MIN_BYTES (what recording it holds).
RECORD_BACKLOG_BYTES = 64 * 2**20
RECORD_MIN_BYTES = 16 * 2**10
# A process's hosts start one START_GAP_S after another (at most MAX_START_DELAY_S late), and each
# then keeps its own pace: their requests never leave in one burst, which sites sharing a hosting
# provider's servers (many communes' do) would receive all at once, every interval.
START_GAP_S = 0.001
MAX_START_DELAY_S = 1.0

# The Internet Archive's Wayback Machine: CDX API and raw replay base.
WAYBACK = {
    "cdx_url": "https://web.archive.org/cdx/search/cdx",
    "base_url": "https://web.archive.org/web",
    "page_size": 5000,
    "name": WAYBACK_ARCHIVE,
}


@dataclass(frozen=True)
class WebArchive:
    """A Wayback-compatible archive: CDX endpoint and the base of raw (``id_``) replay URLs."""

    cdx_url: str  # e.g. https://web.archive.org/cdx/search/cdx or http://127.0.0.1:PORT/sample/cdx
    replay_base: str  # e.g. https://web.archive.org/web or http://127.0.0.1:PORT/sample
    rate_per_s: float = 1.0
    page_size: int | None = None  # CDX paging by resume key (the Internet Archive); pywb needs none
    # Recorded in every capture (``archive``): which archive answered is declared, never guessed
    # from a host (a local archive's port changes at every start).
    name: str | None = None

    def raw_url(self, timestamp: str, url: str) -> str:
        """URL of the capture as originally served, without the archive's rewriting."""
        return f"{self.replay_base}/{timestamp}id_/{url}"


def collect_from_archive(
    source: Source,
    archive: WebArchive,
    out_dir: Path,
    *,
    fetcher: Fetcher | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict:
    """Backfill ``source`` from a web archive: every capture of every URL it has lived at.

    Archives are queried through their API, not crawled, so robots.txt is not consulted; the
    archive's own rate limit (``archive.rate_per_s``) applies. A capture already held (its file
    says the archive answered with it, under the same CDX digest) is not fetched again: re-runs
    cost the archive nothing but the listing, and an interrupted backfill resumes where it
    stopped.
    """
    fetcher = fetcher or Fetcher(respect_robots=False)
    stored: list[StoredCapture] = []
    fetched = held = 0
    for url in source.urls:
        captures = list_captures(
            fetcher,
            archive.cdx_url,
            url,
            date_from=date_from,
            date_to=date_to,
            rate_per_s=archive.rate_per_s,
            page_size=archive.page_size,
        )
        done: dict[str, dict] = {}
        for cap, duplicate_of in fetch_plan(captures):
            key = CaptureKey(source.id, url, cap.observed_at)
            kept = read_capture(out_dir, key)
            if kept is not None and _holds(kept, cap.digest):
                done[cap.timestamp] = kept
                stored.append(StoredCapture(capture_path(out_dir, key), kept["capture"]["parse_status"]))
                held += 1
                continue
            if duplicate_of is not None and duplicate_of.timestamp in done:
                record = _unchanged_record(source, cap.observed_at, done[duplicate_of.timestamp], "same digest")
                record["capture"]["archive_digest"] = cap.digest or None
            else:
                raw_url = archive.raw_url(cap.timestamp, url)
                result = fetcher.get(raw_url, rate_per_s=archive.rate_per_s)
                fetched += 1
                record = _process(
                    source, url, raw_url, result, cap.observed_at, out_dir, origin="web_archive",
                    archive=archive.name, archive_digest=cap.digest or None,
                )  # fmt: skip
            done[cap.timestamp] = record
            stored.append(write_capture(out_dir, record))
    return summarise(source, stored, fetched=fetched, held=held)


def _holds(record: dict, digest: str) -> bool:
    """Whether a capture file already holds the archive's capture listed with ``digest``."""
    return bool(digest) and record["capture"].get("archive_digest") == digest and Capture.from_record(record).received


def collect_live(source: Source, out_dir: Path, *, fetcher: Fetcher | None = None) -> dict:
    """Fetch the current URL of ``source`` now, from the live web, following redirects (bounded).

    The request is conditional on the last successful capture's ETag/Last-Modified: a 304 is
    recorded as a new observation of the unchanged page, without a new download.
    """
    return _record_live(_fetch_live(source, out_dir, fetcher or Fetcher()))


@dataclass(frozen=True)
class _LiveFetch:
    """One live request's answer, not yet archived, parsed or stored (see :func:`_record_live`)."""

    source: Source
    out_dir: Path
    url: str
    observed_at: datetime
    previous: dict | None  # the last good capture, whose validators made the request conditional
    result: FetchResult


def _fetch_live(source: Source, out_dir: Path, fetcher: Fetcher) -> _LiveFetch:
    """The network half of :func:`collect_live`: the request, and nothing that waits on the CPU."""
    # The last registered URL is where the page lives now; older ones are history for backfill.
    url = source.urls[-1]
    observed_at = datetime.now(UTC).replace(microsecond=0)
    previous = _last_good_capture(out_dir, source.id, url)
    prev_cap = previous["capture"] if previous else {}
    result = fetcher.get(
        url,
        rate_per_s=source.rate_limit_per_s,
        follow_redirects=True,
        etag=prev_cap.get("etag"),
        last_modified=prev_cap.get("last_modified"),
    )
    return _LiveFetch(source, out_dir, url, observed_at, previous, result)


def _record_live(fetched: _LiveFetch) -> dict:
    """The CPU half of :func:`collect_live`: keep the evidence, parse, store the capture; its summary."""
    source, out_dir, result = fetched.source, fetched.out_dir, fetched.result
    if result.status == 304 and fetched.previous:
        record = _unchanged_record(source, fetched.observed_at, fetched.previous, "304 Not Modified", result)
    else:
        record = _process(source, fetched.url, fetched.url, result, fetched.observed_at, out_dir, origin="live")
    return summarise(source, [write_capture(out_dir, record)], fetched=1)


def _last_good_capture(out_dir: Path, source_id: str, url: str) -> dict | None:
    """The latest successfully parsed capture of ``url`` already collected, if any."""
    for path in sorted((collected_dir(out_dir) / source_id).glob("*.json"), reverse=True):
        record = json.loads(path.read_text(encoding="utf-8"))
        cap = record["capture"]
        if cap["url"] == url and cap["parse_status"] == PARSE_OK and cap["http_status"] == 200:
            return record
    return None


def host_batches(sources: Iterable[Source]) -> list[list[Source]]:
    """Sources grouped by host, hosts sorted, each batch in the given order (deterministic).

    The host as the connection reads it (the fetcher's rate-limit key, :func:`host_key` of the
    page's current URL), not as spelled. The one grouping of collection: ``collect_many`` runs a
    thread per batch, the DAG a mapped collect task per batch.
    """
    by_host: dict[str, list[Source]] = {}
    for source in sources:
        by_host.setdefault(host_key(source.urls[-1]), []).append(source)
    return [by_host[host] for host in sorted(by_host)]


def processes_for(hosts: int, cores: int) -> int:
    """How many collector processes ``hosts`` hosts need: one per :data:`HOSTS_PER_PROCESS`, at most ``cores``."""
    return max(1, min(cores, math.ceil(hosts / HOSTS_PER_PROCESS)))


def collect_many(
    sources: list[Source],
    out_dir: Path,
    *,
    fetcher: Fetcher | None = None,
    max_workers: int | None = None,
    host_deadline_s: float | None = None,
    on_done: Callable[[dict], None] | None = None,
    processes: int = 1,
) -> list[dict]:
    """Collect many sources live: hosts in parallel, each host's sources one after another.

    The fetcher's per-host limiter keeps each host at its rate; grouping by host keeps one
    thread per host, so threads never queue behind each other's limits. Each host's batch runs
    under a host deadline (``host_deadline_s``, by default ``host_deadline_for`` its pages): a
    stalled host ends with a failed capture for each source left and cannot hold the run.
    ``on_done(summary)`` is called as each source ends: progress. ``max_workers`` bounds the
    hosts fetched at once per process (default :data:`MAX_HOST_THREADS`). With ``processes`` > 1
    the hosts are dealt to that many worker processes (every host to one process only, so its rate
    holds): fetching, archiving and parsing hundreds of hosts at once is CPU work that one
    process's threads share one core for. The result is the same, sorted by source.
    """
    crawl = _Crawl(out_dir, fetcher or Fetcher(), max_workers, host_deadline_s)
    batches = host_batches(sources)
    groups = [batches[i::processes] for i in range(min(processes, len(batches)))]
    if len(groups) > 1:
        return _collect_in_processes(groups, crawl, on_done)
    return _collect_hosts(batches, crawl, on_done)


@dataclass(frozen=True)
class _Crawl:
    """What every host of one ``collect_many`` run shares (sent to its worker processes)."""

    out_dir: Path
    fetcher: Fetcher
    max_workers: int | None
    host_deadline_s: float | None


def _collect_hosts(batches: list[list[Source]], crawl: _Crawl, on_done: Callable[[dict], None] | None) -> list[dict]:
    """``collect_many`` in this process: one thread per host batch fetches, one thread records.

    A host's thread only sends its requests (:func:`_fetch_live`), each when its host's rate
    allows; archiving, parsing and storing (:func:`_record_live`) run on the process's one
    recorder thread, in the order the answers came. With every host thread parsing as well, a
    thread woken for its turn queued for the interpreter lock behind the others' parsing. Past
    :data:`RECORD_BACKLOG_BYTES` of answers waiting to be recorded, host threads wait before
    fetching more, so a slow CPU slows the crawl instead of filling the memory.
    """
    fetcher = crawl.fetcher
    backlog = _Backlog(RECORD_BACKLOG_BYTES)

    def record(fetched: _LiveFetch, size: int) -> dict:
        try:
            summary = _record_live(fetched)
        finally:
            backlog.remove(size)
        if on_done is not None:
            on_done(summary)
        return summary

    def run_host(host_sources: list[Source], start_after_s: float) -> list[dict]:
        seconds = crawl.host_deadline_s or host_deadline_for(s.rate_limit_per_s for s in host_sources)
        pending = []
        time.sleep(start_after_s)
        with fetcher.host_deadline(seconds, host_key(host_sources[0].urls[-1])):
            for source in host_sources:
                backlog.wait_for_room()
                try:
                    fetched = _fetch_live(source, crawl.out_dir, fetcher)
                except BaseException:
                    backlog.remove(0)  # the room it was woken for goes to another waiting host
                    raise
                size = max(RECORD_MIN_BYTES, len(fetched.result.body) + len(fetched.result.content))
                backlog.add(size)
                pending.append(recorder.submit(record, fetched, size))
        return [future.result() for future in pending]

    # Threads mostly sleep on per-host limits: one per host (up to max_workers), so no host waits for another's turn.
    threads = max(1, min(len(batches), crawl.max_workers or MAX_HOST_THREADS))
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="collect-record") as recorder,
        ThreadPoolExecutor(max_workers=threads, thread_name_prefix="collect-host") as pool,
    ):
        starts = [min(i * START_GAP_S, MAX_START_DELAY_S) for i in range(len(batches))]
        results = [r for batch in pool.map(run_host, batches, starts) for r in batch]
    return sorted(results, key=lambda r: r["source_id"])


class _Backlog:
    """Bytes of answers fetched and not yet recorded, and a wait for room below ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._bytes = 0
        self._cond = threading.Condition()

    def wait_for_room(self) -> None:
        with self._cond:
            while self._bytes >= self.limit:
                self._cond.wait()

    def add(self, size: int) -> None:
        with self._cond:
            self._bytes += size

    def remove(self, size: int) -> None:
        with self._cond:
            self._bytes -= size
            # One waiter: the room one recorded answer leaves (waking all of hundreds of host
            # threads at every record spent more CPU than the recording).
            self._cond.notify()


_progress: multiprocessing.queues.Queue | None = None  # a worker process's channel to on_done


def _worker_init(queue: multiprocessing.queues.Queue) -> None:
    global _progress
    _progress = queue


def _collect_group(batches: list[list[Source]], crawl: _Crawl) -> list[dict]:
    """One worker process's share of ``collect_many``: its hosts, each summary also sent as progress."""
    return _collect_hosts(batches, crawl, _progress.put if _progress is not None else None)


def _collect_in_processes(
    groups: list[list[list[Source]]], crawl: _Crawl, on_done: Callable[[dict], None] | None
) -> list[dict]:
    """``collect_many`` over worker processes, one group of hosts each; progress relayed to ``on_done``."""
    # spawn, not fork: the caller (an Airflow task, the CLI) may hold threads and locks a fork would copy.
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()

    def relay() -> None:
        while isinstance(summary := queue.get(), dict):  # until the parent's end marker
            if on_done is not None:
                on_done(summary)

    relay_thread = threading.Thread(target=relay, name="collect-progress", daemon=True)
    relay_thread.start()
    try:
        with ProcessPoolExecutor(len(groups), mp_context=ctx, initializer=_worker_init, initargs=(queue,)) as pool:
            futures = [pool.submit(_collect_group, group, crawl) for group in groups]
            results = [r for f in futures for r in f.result()]
    finally:
        queue.put(None)  # the end marker: the relay stops after every summary the workers sent
        relay_thread.join()
    return sorted(results, key=lambda r: r["source_id"])


def archive_name_for(cdx_url: str) -> str:
    """The name recorded for the archive behind a CDX endpoint when none is given.

    ``wayback`` for the Internet Archive; for a pywb archive, its collection (``.../<coll>/cdx``).
    """
    if cdx_url == WAYBACK["cdx_url"]:
        return WAYBACK_ARCHIVE
    return cdx_url.rstrip("/").removesuffix("/cdx").rsplit("/", 1)[-1]


def replay_base_for(cdx_url: str) -> str:
    """The raw-replay base matching a CDX endpoint (web.archive.org, or pywb's ``<coll>/cdx``)."""
    if cdx_url == WAYBACK["cdx_url"]:
        return WAYBACK["base_url"]
    return cdx_url.rstrip("/").removesuffix("/cdx")


def capture_id(source_id: str, url: str, observed_at: datetime) -> str:
    """Stable capture ID: the same capture always gets the same ID (see :class:`CaptureKey`)."""
    return CaptureKey(source_id, url, observed_at).capture_id


def archive_answered_for_itself(result: FetchResult) -> bool:
    """Whether a web archive's response is its own (an error while it is down), not its capture.

    Wayback-compatible archives mark a replayed capture with ``Memento-Datetime``; an answer
    without it (a 503 from an overloaded archive) says nothing about the page.
    """
    return result.status is not None and result.header("Memento-Datetime") is None


def _process(
    source: Source,
    url: str,
    fetch_url: str,
    result: FetchResult,
    observed_at: datetime,
    out_dir: Path,
    origin: str,
    *,
    archive: str | None = None,
    archive_digest: str | None = None,
) -> dict:
    """Keep the evidence first (raw first: parsers can be re-run over it), then parse."""
    fetched_at = datetime.now(UTC).replace(microsecond=0)
    key = CaptureKey(source.id, url, observed_at)
    archive_error = origin == "web_archive" and archive_answered_for_itself(result)
    warc_file = warc_record_id = None
    if result.status is not None:
        # One WARC file per (capture, payload): the same bytes again are already kept, other
        # bytes (a failed re-fetch) go to a file of their own beside it. Never overwritten.
        payload = sha256_hex(result.body)
        warc = warc_dir(out_dir) / source.id / f"{key.stem}-{payload[:8]}.warc.gz"
        note = {
            "guichets-source": source.id,
            "guichets-url": url,
            "guichets-observed-at": _iso(observed_at),
            "guichets-origin": origin,
            "guichets-archive": archive or "",
            "guichets-archive-digest": archive_digest or "",
        }
        warc_record_id = write_evidence(warc, result, fetched_at, key=key, note=note)
        warc_file = str(warc.relative_to(out_dir))
    return build_record(
        source, url, fetch_url, result, observed_at, fetched_at, origin, warc_file, warc_record_id,
        archive=archive, archive_digest=archive_digest, archive_error=archive_error,
    )  # fmt: skip


def build_record(
    source: Source,
    url: str,
    fetch_url: str | None,
    result: FetchResult,
    observed_at: datetime,
    fetched_at: datetime,
    origin: str,
    warc_file: str | None,
    warc_record_id: str | None,
    *,
    archive: str | None = None,
    archive_digest: str | None = None,
    archive_error: bool = False,
) -> dict:
    """The capture record (:class:`~scrapers.capture.Capture`) of one fetch result, parsed if it is a page."""
    received = result.status is not None
    page = PageRecord(
        capture_id=capture_id(source.id, url, observed_at),
        source_id=source.id,
        url=url,
        observed_at=_iso(observed_at),
        origin=origin,
        archive=archive,
        archive_digest=archive_digest,
        http_status=result.status,
        error_class=result.error_class,
        archive_error=archive_error,
        redirect_location=result.header("Location") if result.status and 300 <= result.status < 400 else None,
        content_type=result.header("Content-Type"),
        content_length=len(result.content) if received else None,
        content_sha256=sha256_hex(result.content) if received else None,
        warc_record_id=warc_record_id,
        parser=source.parser,
        parse_status=NOT_PARSED,
        parse_message=result.error_message,
        etag=result.header("ETag"),
        last_modified=result.header("Last-Modified"),
    )
    fetch = FetchRecord(
        fetch_url=fetch_url,
        final_url=result.url,
        fetched_at=_iso(fetched_at),
        elapsed_ms=result.elapsed_ms,
        warc_file=warc_file,
        attempts=tuple(result.attempt_log),
    )
    found: tuple[dict, ...] = ()
    content_type = page.content_type or "text/html"
    if archive_error:
        status, message = NOT_PARSED, f"the archive answered HTTP {result.status} without its capture: not parsed"
    elif result.status != 200:
        status, message = NOT_PARSED, page.parse_message or f"HTTP {result.status}: not parsed"
    elif not any(k in content_type.lower() for k in ("html", "json")):
        status, message = NOT_PARSED, f"content-type {page.content_type!r} is neither HTML nor JSON"
    else:
        status, message, found = _parse(source, result, page)
    page = dataclasses.replace(page, parse_status=status, parse_message=message)
    # One page, one reading: opening-hours pages give schedules, catalogues give procedures.
    if source.kind == "procedures":
        return Capture(page, fetch, procedures=found).to_record()
    return Capture(page, fetch, schedules=found).to_record()


def _parse(source: Source, result: FetchResult, page: PageRecord) -> tuple[str, str | None, tuple[dict, ...]]:
    """(parse_status, parse_message, rows) of a 200 page."""
    html, _encoding = decode_html(result.content, page.content_type)
    # The registered URL, not the fetch URL: a replay URL carries the local archive's port, and
    # the message is part of what the capture says (hashed).
    where = f"source {source.id}, capture {page.observed_at} ({page.url})"
    try:
        if source.kind == "procedures":
            from scrapers.procedures import NoProcedureFound, parse_procedures

            try:
                procedures = [p.to_dict() for p in parse_procedures(html, language=source.language)]
            except NoProcedureFound as exc:
                raise NoScheduleFound(str(exc)) from exc  # nothing found: no_data, like a page without hours
            return PARSE_OK, None, tuple(procedures)
        found = parse_page(html, language=source.language, parser=source.parser)
    except UnavailablePage as exc:
        # A maintenance or error page served with 200: a failed capture, kept as evidence.
        log.warning("unavailable page: %s: %s", where, exc)
        return PARSE_UNAVAILABLE, f"{where}: {exc}", ()
    except NoScheduleFound as exc:
        log.warning("nothing found: %s: %s", where, exc)
        return PARSE_NO_DATA, f"{where}: {exc}", ()
    except ParseError as exc:
        log.warning("parse error: %s: %s", where, exc)
        return PARSE_ERROR, f"{where}: {exc}", ()
    except Exception as exc:  # a parser bug must not stop the run, but must be visible
        log.exception("parser crashed on %s", where)
        return PARSE_ERROR, f"{where}: {type(exc).__name__}: {exc}", ()
    out = []
    for sched, (counter_id, rule) in zip(found, match_counters(source, found), strict=True):
        row = schedule_document(sched)
        row.update({"counter_id": counter_id, "match_rule": rule})
        out.append(row)
    return PARSE_OK, None, tuple(out)


def _unchanged_record(
    source: Source, observed_at: datetime, earlier: dict, why: str, result: FetchResult | None = None
) -> dict:
    """A new observation of an unchanged page: ``earlier``'s content, seen again at ``observed_at``.

    It has no WARC record of its own: it points at the earlier capture's.
    """
    before = Capture.from_record(earlier)
    page = dataclasses.replace(
        before.page,
        capture_id=capture_id(source.id, before.page.url, observed_at),
        observed_at=_iso(observed_at),
        parse_message=f"{why}: same content as capture {before.page.observed_at}",
    )
    fetch = dataclasses.replace(
        before.fetch,
        fetch_url=result.url if result else None,
        fetched_at=_iso(datetime.now(UTC).replace(microsecond=0)) if result else before.fetch.fetched_at,
        elapsed_ms=result.elapsed_ms if result else 0,
        attempts=tuple(result.attempt_log) if result else (),
    )
    return Capture(page, fetch, before.schedules, before.procedures).to_record()


def capture_path(out_dir: Path, key: CaptureKey) -> Path:
    """Where the capture file of ``key`` lives: ``collected/<source>/<observed_at>-<id8>.json``."""
    return collected_dir(out_dir) / key.source_id / f"{key.stem}.json"


def read_capture(out_dir: Path, key: CaptureKey) -> dict | None:
    """The capture file of ``key`` already collected, or None."""
    path = capture_path(out_dir, key)
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


class StoredCapture(NamedTuple):
    """A capture file after :func:`write_capture`: its path and the parse status it now holds."""

    path: Path
    parse_status: str


def write_capture(out_dir: Path, record: dict) -> StoredCapture:
    """Record a capture in the append-only store; returns the capture's file and what it holds.

    ``collected/<source>/<observed_at>-<id8>.json`` holds the capture's current version:

    - the same content again (:func:`~scrapers.capture.content_hash`) writes nothing;
    - an attempt that received nothing from the page (a timeout, the archive's own 503) never
      replaces a capture that did: it is kept beside it, in
      ``collected/<source>/attempts/<observed_at>-<id8>-<hash8>.json`` (never loaded);
    - anything else (a re-parse of the same evidence, an answer after a failure) becomes the
      capture file, and the version it replaces is kept in ``attempts/`` first.

    Nothing already collected is ever lost. Files are written to a temporary name and renamed.
    """
    key = CaptureKey.of(record["capture"])
    path = capture_path(out_dir, key)
    new_hash = content_hash(record)
    if path.is_file():
        old = json.loads(path.read_text(encoding="utf-8"))
        old_hash = content_hash(old)
        if old_hash == new_hash:
            return StoredCapture(path, old["capture"]["parse_status"])
        if Capture.from_record(old).received and not Capture.from_record(record).received:
            _write_json(_attempt_path(out_dir, key, new_hash), record)
            return StoredCapture(path, old["capture"]["parse_status"])
        _write_json(_attempt_path(out_dir, key, old_hash), old)
    _write_json(path, record)
    return StoredCapture(path, record["capture"]["parse_status"])


def _attempt_path(out_dir: Path, key: CaptureKey, digest: str) -> Path:
    return collected_dir(out_dir) / key.source_id / "attempts" / f"{key.stem}-{digest[:8]}.json"


def _write_json(path: Path, record: dict) -> None:
    store_file(path, json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))


def summarise(source: Source, stored: Iterable[StoredCapture], *, fetched: int = 0, held: int = 0) -> dict:
    """Counts of captures by outcome, and the capture files (small enough for XCom).

    ``stored``: each capture file with the parse status it holds (:func:`write_capture`,
    :func:`stored_capture`). ``fetched`` counts the captures requested from the network,
    ``held`` those already collected and not requested again.
    """
    stored = list(stored)
    statuses = [s.parse_status for s in stored]
    return {
        "source_id": source.id,
        "captures": len(stored),
        "parsed": statuses.count(PARSE_OK),
        "not_parsed": statuses.count(NOT_PARSED),
        "failed": len(stored) - statuses.count(PARSE_OK) - statuses.count(NOT_PARSED),
        "fetched": fetched,
        "held": held,
        "files": sorted(str(s.path) for s in stored),
    }


def stored_capture(path: Path) -> StoredCapture:
    """A capture file already in the store, with the parse status it holds (read from it)."""
    return StoredCapture(path, json.loads(path.read_text(encoding="utf-8"))["capture"]["parse_status"])


_iso = iso
