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

import hashlib
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from scrapers.cdx import fetch_plan, list_captures
from scrapers.decoding import decode_html
from scrapers.evidence import sha256_hex, write_evidence
from scrapers.fetch import Fetcher, FetchResult, host_deadline_for
from scrapers.identity import match_counters
from scrapers.netguard import host_key
from scrapers.parsers import parse_page
from scrapers.registry import Source
from scrapers.schedule import NoScheduleFound, ParseError, UnavailablePage

log = logging.getLogger(__name__)


# The Internet Archive's Wayback Machine: CDX API and raw replay base.
WAYBACK = {
    "cdx_url": "https://web.archive.org/cdx/search/cdx",
    "base_url": "https://web.archive.org/web",
    "page_size": 5000,
}


@dataclass(frozen=True)
class WebArchive:
    """A Wayback-compatible archive: CDX endpoint and the base of raw (``id_``) replay URLs."""

    cdx_url: str  # e.g. https://web.archive.org/cdx/search/cdx or http://127.0.0.1:PORT/sample/cdx
    replay_base: str  # e.g. https://web.archive.org/web or http://127.0.0.1:PORT/sample
    rate_per_s: float = 1.0
    page_size: int | None = None  # CDX paging by resume key (the Internet Archive); pywb needs none

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
    archive's own rate limit (``archive.rate_per_s``) applies.
    """
    fetcher = fetcher or Fetcher(respect_robots=False)
    files: list[str] = []
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
            if duplicate_of is not None and duplicate_of.timestamp in done:
                record = _unchanged_record(source, cap.observed_at, done[duplicate_of.timestamp], "same digest")
            else:
                raw_url = archive.raw_url(cap.timestamp, url)
                result = fetcher.get(raw_url, rate_per_s=archive.rate_per_s)
                record = _process(source, url, raw_url, result, cap.observed_at, out_dir, origin="web_archive")
            done[cap.timestamp] = record
            files.append(str(write_capture(out_dir, record)))
    return summarise(source, files)


def collect_live(source: Source, out_dir: Path, *, fetcher: Fetcher | None = None) -> dict:
    """Fetch the current URL of ``source`` now, from the live web, following redirects (bounded).

    The request is conditional on the last successful capture's ETag/Last-Modified: a 304 is
    recorded as a new observation of the unchanged page, without a new download.
    """
    fetcher = fetcher or Fetcher()
    files = []
    # The last registered URL is where the page lives now; older ones are history for backfill.
    for url in source.urls[-1:]:
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
        if result.status == 304 and previous:
            record = _unchanged_record(source, observed_at, previous, "304 Not Modified", result)
        else:
            record = _process(source, url, url, result, observed_at, out_dir, origin="live")
        files.append(str(write_capture(out_dir, record)))
    return summarise(source, files)


def _last_good_capture(out_dir: Path, source_id: str, url: str) -> dict | None:
    """The latest successfully parsed capture of ``url`` already collected, if any."""
    for path in sorted((out_dir / "collected" / source_id).glob("*.json"), reverse=True):
        record = json.loads(path.read_text(encoding="utf-8"))
        cap = record["capture"]
        if cap["url"] == url and cap["parse_status"] == "ok" and cap["http_status"] == 200:
            return record
    return None


def collect_many(
    sources: list[Source],
    out_dir: Path,
    *,
    fetcher: Fetcher | None = None,
    max_workers: int = 64,
    host_deadline_s: float | None = None,
) -> list[dict]:
    """Collect many sources live: hosts in parallel, each host's sources one after another.

    The fetcher's per-host limiter keeps each host at its rate; grouping by host keeps one
    thread per host, so threads never queue behind each other's limits. Each host's batch runs
    under a host deadline (``host_deadline_s``, by default ``host_deadline_for`` its pages): a
    stalled host ends with a failed capture for each source left and cannot hold the run.
    """
    fetcher = fetcher or Fetcher()
    by_host: dict[str, list[Source]] = {}
    for source in sources:
        by_host.setdefault(host_key(source.urls[-1]), []).append(source)

    def run_host(host_sources: list[Source]) -> list[dict]:
        seconds = host_deadline_s or host_deadline_for(s.rate_limit_per_s for s in host_sources)
        with fetcher.host_deadline(seconds, host_key(host_sources[0].urls[-1])):
            return [collect_live(s, out_dir, fetcher=fetcher) for s in host_sources]

    # Threads mostly sleep on per-host limits: one per host, so no host waits for another's turn.
    with ThreadPoolExecutor(max_workers=max(1, min(len(by_host), max_workers))) as pool:
        results = [r for batch in pool.map(run_host, by_host.values()) for r in batch]
    return sorted(results, key=lambda r: r["source_id"])


def replay_base_for(cdx_url: str) -> str:
    """The raw-replay base matching a CDX endpoint (web.archive.org, or pywb's ``<coll>/cdx``)."""
    if cdx_url == WAYBACK["cdx_url"]:
        return WAYBACK["base_url"]
    return cdx_url.rstrip("/").removesuffix("/cdx")


def capture_id(source_id: str, url: str, observed_at: datetime) -> str:
    """Stable capture ID: the same capture always gets the same ID."""
    key = f"{source_id}|{url}|{observed_at:%Y%m%dT%H%M%SZ}"
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def _process(
    source: Source, url: str, fetch_url: str, result: FetchResult, observed_at: datetime, out_dir: Path, origin: str
) -> dict:
    """Keep the evidence first (raw first: parsers can be re-run over it), then parse."""
    fetched_at = datetime.now(UTC).replace(microsecond=0)
    warc_file = warc_record_id = None
    if result.status is not None:
        cid = capture_id(source.id, url, observed_at)
        warc = out_dir / "evidence" / "warc" / source.id / f"{observed_at:%Y%m%dT%H%M%SZ}-{cid[:8]}.warc.gz"
        note = {
            "guichets-source": source.id,
            "guichets-url": url,
            "guichets-observed-at": _iso(observed_at),
            "guichets-origin": origin,
        }
        warc_record_id = write_evidence(warc, result, fetched_at, note=note)
        warc_file = str(warc.relative_to(out_dir))
    return build_record(source, url, fetch_url, result, observed_at, fetched_at, origin, warc_file, warc_record_id)


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
) -> dict:
    """The capture record (schema in docs/architecture.md) for one fetch result, parsed if it is a page."""
    capture = {
        "capture_id": capture_id(source.id, url, observed_at),
        "source_id": source.id,
        "url": url,
        "fetch_url": fetch_url,
        "final_url": result.url,
        "observed_at": _iso(observed_at),
        "fetched_at": _iso(fetched_at),
        "origin": origin,
        "http_status": result.status,
        "error_class": result.error_class,
        "redirect_location": result.header("Location") if result.status and 300 <= result.status < 400 else None,
        "content_type": result.header("Content-Type"),
        "content_length": len(result.content) if result.status else None,
        "content_sha256": sha256_hex(result.content) if result.status else None,
        "elapsed_ms": result.elapsed_ms,
        "warc_file": warc_file,
        "warc_record_id": warc_record_id,
        "parser": source.parser,
        "parse_status": "not_parsed",
        "parse_message": result.error_message,
        "etag": result.header("ETag"),
        "last_modified": result.header("Last-Modified"),
        "attempts": result.attempt_log,
    }
    record = {"capture": capture, "schedules": [], "procedures": []}
    if result.status != 200:
        capture["parse_message"] = capture["parse_message"] or f"HTTP {result.status}: not parsed"
    elif not any(k in (capture["content_type"] or "text/html").lower() for k in ("html", "json")):
        capture["parse_message"] = f"content-type {capture['content_type']!r} is neither HTML nor JSON"
    else:
        # One page, one reading: opening-hours pages give schedules, catalogues give procedures.
        key = "procedures" if source.kind == "procedures" else "schedules"
        record[key] = _parse(source, result, capture)
    return record


def _parse(source: Source, result: FetchResult, capture: dict) -> list[dict]:
    html, _encoding = decode_html(result.content, capture["content_type"])
    where = f"source {source.id}, capture {capture['observed_at']} ({capture['fetch_url']})"
    try:
        if source.kind == "procedures":
            from scrapers.procedures import NoProcedureFound, parse_procedures

            try:
                procedures = [p.to_dict() for p in parse_procedures(html, language=source.language)]
            except NoProcedureFound as exc:
                raise NoScheduleFound(str(exc)) from exc  # nothing found: no_data, like a page without hours
            capture["parse_status"] = "ok"
            return procedures
        found = parse_page(html, language=source.language, parser=source.parser)
    except UnavailablePage as exc:
        # A maintenance or error page served with 200: a failed capture, kept as evidence.
        capture["parse_status"], capture["parse_message"] = "unavailable", f"{where}: {exc}"
        log.warning("unavailable page: %s: %s", where, exc)
        return []
    except NoScheduleFound as exc:
        capture["parse_status"], capture["parse_message"] = "no_data", f"{where}: {exc}"
        log.warning("nothing found: %s: %s", where, exc)
        return []
    except ParseError as exc:
        capture["parse_status"], capture["parse_message"] = "parse_error", f"{where}: {exc}"
        log.warning("parse error: %s: %s", where, exc)
        return []
    except Exception as exc:  # a parser bug must not stop the run, but must be visible
        capture["parse_status"] = "parse_error"
        capture["parse_message"] = f"{where}: {type(exc).__name__}: {exc}"
        log.exception("parser crashed on %s", where)
        return []
    capture["parse_status"] = "ok"
    out = []
    for sched, (counter_id, rule) in zip(found, match_counters(source, found), strict=True):
        row = sched.to_dict()
        row.update({"counter_id": counter_id, "match_rule": rule})
        out.append(row)
    return out


def _unchanged_record(
    source: Source, observed_at: datetime, earlier: dict, why: str, result: FetchResult | None = None
) -> dict:
    """A new observation of an unchanged page: ``earlier``'s content, seen again at ``observed_at``."""
    capture = dict(earlier["capture"])
    capture.update(
        {
            "capture_id": capture_id(source.id, capture["url"], observed_at),
            "observed_at": _iso(observed_at),
            "fetch_url": result.url if result else None,
            "fetched_at": _iso(datetime.now(UTC).replace(microsecond=0)) if result else capture["fetched_at"],
            "elapsed_ms": result.elapsed_ms if result else 0,
            "attempts": result.attempt_log if result else [],
            "parse_message": f"{why}: same content as capture {earlier['capture']['observed_at']}",
        }
    )
    return {
        "capture": capture,
        "schedules": [dict(s) for s in earlier["schedules"]],
        "procedures": [dict(p) for p in earlier.get("procedures") or []],
    }


def write_capture(out_dir: Path, record: dict) -> Path:
    """Write (or rewrite) a capture record to ``collected/<source>/<timestamp>-<id>.json``."""
    cap = record["capture"]
    stamp = cap["observed_at"].replace("-", "").replace(":", "")
    path = out_dir / "collected" / cap["source_id"] / f"{stamp}-{cap['capture_id'][:8]}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.part")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
    return path


def summarise(source: Source, files: list[str]) -> dict:
    """Counts of captures by outcome, and the files written (small enough for XCom)."""
    statuses = [json.loads(Path(f).read_text(encoding="utf-8"))["capture"]["parse_status"] for f in files]
    return {
        "source_id": source.id,
        "captures": len(files),
        "parsed": statuses.count("ok"),
        "not_parsed": statuses.count("not_parsed"),
        "failed": len(files) - statuses.count("ok") - statuses.count("not_parsed"),
        "files": sorted(files),
    }


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
