"""The capture contract: what one observation of a page said, and how it was fetched.

A capture is one observation of one registered page at one time. It has three parts:

- its **identity** (:class:`CaptureKey`): the source, the page URL as registered, and the time
  it was observed (the archive's timestamp for a web-archive capture, the fetch time for a live
  one). ``capture_id`` and the capture file's name are functions of it alone;
- **what the page said** (:class:`PageRecord` plus the schedules or procedures read from it):
  the HTTP answer, the content's digest, its WARC record, the parse result. This part is
  hashed: :func:`content_hash` is the capture's change hash, so the same page read the same way
  gives the same hash whenever and however it was fetched;
- **how it was fetched** (:class:`FetchRecord`): the URL actually requested (a replay URL
  carries the local archive's port), when, how long it took, every attempt, where the WARC file
  was written. Never hashed: fetching the same capture again changes none of what it says.

Everything else derives from these dataclasses: the capture file written by
:mod:`scrapers.collect` (one flat ``capture`` object, see docs/architecture.md), the
``raw.captures`` and ``raw.fetch_attempts`` columns of :mod:`warehouse.load`
(:data:`CAPTURE_COLUMNS`, :data:`ATTEMPT_COLUMNS`, with their DuckDB types), and the test
fixtures' DDL.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapers.vocabulary import NOT_PARSED, PARSE_STATUSES

# Name of a web archive a capture came from, as recorded in ``archive`` (None for live captures).
WAYBACK_ARCHIVE = "wayback"

# WARC record IDs are UUID5s in this namespace, of the capture's identity and payload digest:
# the same capture of the same bytes always gets the same record IDs (evidence is append-only).
_WARC_NAMESPACE = uuid.UUID("6f1c2f0e-3b1a-5d8e-9a57-6775696368e5")
_STAMP = "%Y%m%dT%H%M%SZ"


def _col(sql_type: str, doc: str, default: Any = None) -> Any:
    """A dataclass field that knows its DuckDB type (loader schemas and fixture DDL derive from it)."""
    return field(default=default, metadata={"sql": sql_type, "doc": doc})


def collected_dir(data_dir: Path) -> Path:
    """Where the collector writes capture files: ``<data>/collected/<source>/`` (read by the load)."""
    return data_dir / "collected"


def warc_dir(data_dir: Path) -> Path:
    """Where the collector keeps its WARC evidence: ``<data>/evidence/warc/<source>/``."""
    return data_dir / "evidence" / "warc"


def store_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` in the capture store: to a temporary name, then renamed.

    A crash never leaves half a file where a capture or its evidence is expected.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


def iso(dt: datetime) -> str:
    """``dt`` as the contract writes times: ISO 8601, UTC, second resolution (``...Z``)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# The one shape of a contract time string; checked before ``fromisoformat``, which also takes
# other shapes (offsets, fractions). Every capture file names its time: strptime took 8 % of a
# crawl's CPU.
_ISO_SHAPE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def parse_iso(value: str) -> datetime:
    """The aware UTC datetime of a contract time string (``2021-03-01T09:00:00Z``); ValueError otherwise."""
    if not isinstance(value, str) or not _ISO_SHAPE.fullmatch(value):
        raise ValueError(f"time data {value!r} is not a contract time (YYYY-MM-DDTHH:MM:SSZ)")
    return datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC)


@dataclass(frozen=True)
class CaptureKey:
    """A capture's identity: source, registered page URL, and observation time."""

    source_id: str
    url: str
    observed_at: datetime  # aware, UTC, whole seconds

    @property
    def capture_id(self) -> str:
        """Stable capture ID: the same capture always gets the same ID."""
        key = f"{self.source_id}|{self.url}|{self.observed_at:{_STAMP}}"
        return hashlib.sha256(key.encode()).hexdigest()[:20]

    @property
    def stem(self) -> str:
        """File name stem shared by the capture file and its WARC files: ``<observed_at>-<id8>``."""
        return f"{self.observed_at:{_STAMP}}-{self.capture_id[:8]}"

    def warc_record_id(self, payload_sha256: str, record_type: str) -> str:
        """Deterministic WARC-Record-ID of this capture's ``record_type`` record for a payload digest."""
        name = f"{self.capture_id}|{payload_sha256}|{record_type}"
        return f"<urn:uuid:{uuid.uuid5(_WARC_NAMESPACE, name)}>"

    @classmethod
    def of(cls, capture: dict) -> CaptureKey:
        """The identity of a capture file's ``capture`` object."""
        return cls(capture["source_id"], capture["url"], parse_iso(capture["observed_at"]))


@dataclass(frozen=True)
class PageRecord:
    """What a page said, as read: the hashed part of a capture (identity included)."""

    capture_id: str = _col("VARCHAR", "stable ID of (source, page URL, observed_at)")
    source_id: str = _col("VARCHAR", "registry source")
    url: str = _col("VARCHAR", "page URL as registered")
    observed_at: str = _col("TIMESTAMP", "when the page was observed: archive timestamp or live fetch time")
    origin: str = _col("VARCHAR", "web_archive | live")
    archive: str | None = _col("VARCHAR", "name of the web archive the capture came from (null when live)")
    archive_digest: str | None = _col("VARCHAR", "the archive's CDX digest of the capture (null when live)")
    http_status: int | None = _col("INTEGER", "status of the response kept (null: none received)")
    error_class: str | None = _col("VARCHAR", "why no response was kept (timeout, unsafe_url, ...)")
    archive_error: bool = _col(
        "BOOLEAN", "the web archive answered for itself (no Memento-Datetime), not with its capture", False
    )
    redirect_location: str | None = _col("VARCHAR", "Location of a 3xx answer")
    content_type: str | None = _col("VARCHAR", "Content-Type of the response")
    content_length: int | None = _col("BIGINT", "bytes of the decoded body")
    content_sha256: str | None = _col("VARCHAR", "SHA-256 of the decoded body")
    warc_record_id: str | None = _col("VARCHAR", "WARC-Record-ID of the response record (deterministic)")
    parser: str | None = _col("VARCHAR", "parser the registry asked for")
    parse_status: str = _col("VARCHAR", " | ".join(PARSE_STATUSES), NOT_PARSED)
    parse_message: str | None = _col("VARCHAR", "why parsing gave what it gave")
    etag: str | None = _col("VARCHAR", "ETag (for conditional GETs)")
    last_modified: str | None = _col("VARCHAR", "Last-Modified (for conditional GETs)")


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt of a fetch (retries and redirect hops included; 0: refused before sending)."""

    attempt: int = _col("INTEGER", "attempt number (0: refused before it was sent)")
    url: str | None = _col("VARCHAR", "URL requested")
    http_status: int | None = _col("INTEGER", "status received")
    error_class: str | None = _col("VARCHAR", "why no response")
    elapsed_ms: int | None = _col("INTEGER", "duration")
    bytes: int | None = _col("BIGINT", "bytes received")


@dataclass(frozen=True)
class FetchRecord:
    """How a capture was fetched: never hashed (a re-fetch of the same page changes none of what it says)."""

    fetch_url: str | None = _col("VARCHAR", "URL actually requested (a replay URL for web archives)")
    final_url: str | None = _col("VARCHAR", "URL of the response kept")
    fetched_at: str | None = _col("TIMESTAMP", "when it was fetched")
    elapsed_ms: int | None = _col("INTEGER", "duration of the fetch", 0)
    warc_file: str | None = _col("VARCHAR", "WARC file holding the response, under the data directory")
    attempts: tuple[dict, ...] = field(default=(), metadata={"doc": "the fetch log: one Attempt per row"})


PAGE_FIELDS = tuple(f.name for f in dataclasses.fields(PageRecord))
FETCH_FIELDS = tuple(f.name for f in dataclasses.fields(FetchRecord))


def _columns(*classes: type) -> dict[str, str]:
    return {f.name: f.metadata["sql"] for cls in classes for f in dataclasses.fields(cls) if "sql" in f.metadata}


# Columns of raw.captures in their historical order (tables created earlier get new columns
# appended by the loader), with their DuckDB types. ``record_sha256`` and ``load_batch`` are
# the loader's: the content hash and the number of the load that wrote the row.
_CAPTURE_ORDER = (
    "capture_id", "source_id", "url", "fetch_url", "final_url", "observed_at", "fetched_at", "origin",
    "http_status", "error_class", "redirect_location", "content_type", "content_length", "content_sha256",
    "elapsed_ms", "warc_file", "warc_record_id", "parser", "parse_status", "parse_message", "etag",
    "last_modified", "archive", "archive_digest", "archive_error",
)  # fmt: skip
_ALL = _columns(PageRecord, FetchRecord)
assert set(_CAPTURE_ORDER) == set(_ALL), "every capture field has a place in raw.captures"
CAPTURE_COLUMNS: dict[str, str] = {
    **{name: _ALL[name] for name in _CAPTURE_ORDER},
    "record_sha256": "VARCHAR",
    "load_batch": "BIGINT",
}
# raw.fetch_attempts: the capture it belongs to, its rank in the log, then an Attempt.
ATTEMPT_COLUMNS: dict[str, str] = {"capture_id": "VARCHAR", "attempt_seq": "INTEGER", **_columns(Attempt)}


@dataclass(frozen=True)
class Capture:
    """One capture: what the page said (``page`` and what was read from it) and how it was fetched."""

    page: PageRecord
    fetch: FetchRecord
    schedules: tuple[dict, ...] = ()
    procedures: tuple[dict, ...] = ()

    @property
    def key(self) -> CaptureKey:
        """The capture's identity."""
        return CaptureKey(self.page.source_id, self.page.url, parse_iso(self.page.observed_at))

    @property
    def received(self) -> bool:
        """Whether this capture holds the page's own answer (archived or live), not a failure to get it.

        A capture that received nothing (timeout, refused address...) or only the web archive's
        own error (503 while it is down, no Memento-Datetime) says nothing about the page: it
        never replaces a capture that does (:func:`scrapers.collect.write_capture`).
        """
        return self.page.http_status is not None and not self.page.archive_error

    def to_record(self) -> dict:
        """The capture file's JSON object (flat ``capture`` object, ``schedules``, ``procedures``)."""
        capture = {**dataclasses.asdict(self.page), **dataclasses.asdict(self.fetch)}
        capture["attempts"] = [dict(a) for a in self.fetch.attempts]
        return {
            "capture": capture,
            "schedules": [dict(s) for s in self.schedules],
            "procedures": [dict(p) for p in self.procedures],
        }

    @classmethod
    def from_record(cls, record: dict) -> Capture:
        """Read a capture file's JSON object (fields absent from older files take their defaults)."""
        cap = record["capture"]
        page = PageRecord(**{k: cap[k] for k in PAGE_FIELDS if k in cap})
        fetch = FetchRecord(**{k: cap[k] for k in FETCH_FIELDS if k in cap and k != "attempts"})
        fetch = dataclasses.replace(fetch, attempts=tuple(cap.get("attempts") or ()))
        return cls(page, fetch, tuple(record.get("schedules") or ()), tuple(record.get("procedures") or ()))

    def content_hash(self) -> str:
        """The change hash: SHA-256 of what the page said (never of how or when it was fetched)."""
        return content_hash(self.to_record())


def content_hash(record: dict) -> str:
    """SHA-256 of a capture file's content: its page fields, schedules and procedures.

    Fetch fields (:class:`FetchRecord`: fetch URL, fetch time, attempts, WARC path) are left out,
    so re-fetching an unchanged capture, from an archive on another port, gives the same hash.
    Fields a file lacks count as their defaults, so older files hash like their rewrite would.
    """
    page = Capture.from_record(record).page
    doc = {
        "page": dataclasses.asdict(page),
        "schedules": record.get("schedules") or [],
        "procedures": record.get("procedures") or [],
    }
    canonical = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
