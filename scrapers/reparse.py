"""Replay: re-parse captures from WARC files, without the network.

A parser improvement is applied to every past capture by replaying the evidence. Two kinds of
WARC are understood: our own evidence files (their ``warcinfo`` record names the source, the
registered URL, the observation time and the origin) and third-party WARCs, such as the sample
web archive or downloads from a web archive, whose responses are matched to registry sources
by URL and dated by ``WARC-Date``.

Every file is read and checked in full before anything is written (:func:`check_warc`): a
damaged file (truncated, not gzip, a record shorter than it says, inflating past the size
cap) stops the replay with a :class:`ReparseError` naming it, and no capture file is touched.
Captures are then written through :func:`scrapers.collect.write_capture`: a re-parse that
says the same thing rewrites nothing.
"""

from __future__ import annotations

import json
import re
import zlib
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from scrapers.capture import collected_dir
from scrapers.collect import archive_answered_for_itself, build_record, stored_capture, summarise, write_capture
from scrapers.fetch.client import MAX_BODY_BYTES, FetchResult
from scrapers.registry import Registry, Source

_RAW_REPLAY = re.compile(r"/(\d{14})id_/(https?://.+)$")
# A WARC record holds one response: its body (capped at MAX_BODY_BYTES when fetched) and headers.
MAX_RECORD_BYTES = MAX_BODY_BYTES + 1_000_000


class ReparseError(RuntimeError):
    """A WARC file cannot be replayed; the message names the file."""


def reparse_warcs(paths: list[Path], registry: Registry, out_dir: Path) -> dict:
    """Rebuild capture records from ``paths``; returns per-source summaries and skipped records."""
    by_url = {url: source for source in registry.sources for url in source.urls}
    files: dict[str, list[str]] = {}
    skipped: list[str] = []
    built: list[dict] = []
    # Read everything first: a damaged file anywhere must leave every capture file as it was.
    for path in sorted(paths):
        check_warc(path)
        try:
            built += _reparse_file(path, registry, by_url, skipped)
        except (OSError, ValueError, ArchiveLoadFailed) as exc:
            raise ReparseError(f"{path}: cannot replay: {type(exc).__name__}: {exc}") from exc
    for record in built:
        files.setdefault(record["capture"]["source_id"], []).append(str(write_capture(out_dir, record).path))
    _refresh_unchanged(out_dir, files)
    return {
        # Read back from the files: refreshing unchanged pages may have rewritten them since.
        "sources": [
            summarise(registry.source(sid), [stored_capture(Path(p)) for p in sorted(f)])
            for sid, f in sorted(files.items())
        ],
        "skipped": skipped,
    }


def _refresh_unchanged(out_dir: Path, files: dict[str, list[str]]) -> None:
    """Re-derive observations of unchanged pages (same digest, 304) from their replayed original.

    Such a capture has no WARC record of its own: it points at the earlier capture's evidence,
    so it takes that capture's new parse.
    """
    by_record = {}
    for paths in files.values():
        for path in paths:
            rec = json.loads(Path(path).read_text(encoding="utf-8"))
            by_record[rec["capture"]["warc_record_id"]] = rec
    for path in sorted(collected_dir(out_dir).glob("*/*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        original = by_record.get(rec["capture"].get("warc_record_id"))
        if original is None or original["capture"]["capture_id"] == rec["capture"]["capture_id"]:
            continue
        rec["capture"]["parse_status"] = original["capture"]["parse_status"]
        rec["schedules"] = original["schedules"]
        rec["procedures"] = original.get("procedures") or []
        files.setdefault(rec["capture"]["source_id"], []).append(str(write_capture(out_dir, rec).path))


def check_warc(path: Path, max_record_bytes: int = MAX_RECORD_BYTES) -> None:
    """Read ``path`` in full and raise :class:`ReparseError` (naming it) unless it is a whole WARC file.

    Checks what warcio lets pass silently: every gzip member complete (a truncated file, or one
    cut inside its last member, reads as fewer records without an error), no member inflating
    past ``max_record_bytes`` (a decompression bomb is refused without being inflated), and
    every record as long as its ``Content-Length`` with its digests right.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(2)
            fh.seek(0)
            if head == b"\x1f\x8b":
                _check_gzip_members(fh, max_record_bytes)
                fh.seek(0)
            count = 0
            for record in ArchiveIterator(fh, check_digests=True):
                block = record.raw_stream.read(max_record_bytes + 1)
                if len(block) > max_record_bytes:
                    raise ValueError(f"a {record.rec_type} record exceeds {max_record_bytes} bytes")
                # The block reader counts down from Content-Length: anything left was never there.
                missing = getattr(record.raw_stream, "limit", 0)
                if missing:
                    raise ValueError(
                        f"{record.rec_type} record {record.rec_headers.get_header('WARC-Record-ID')} is truncated: "
                        f"{missing} of its {record.length} bytes are missing"
                    )
                if record.digest_checker.passed is False:
                    raise ValueError(f"digest mismatch: {'; '.join(map(str, record.digest_checker.problems))}")
                count += 1
            if count == 0:
                raise ValueError("no WARC record")
    except (OSError, ValueError, EOFError, zlib.error, ArchiveLoadFailed) as exc:
        raise ReparseError(f"{path}: damaged WARC file, nothing replayed: {exc}") from exc


def _check_gzip_members(fh, max_member_bytes: int) -> None:
    """Inflate every gzip member of ``fh`` (bounded), raising ValueError if one is cut or too large."""
    data = b""
    member = 0
    while True:
        if not data:
            data = fh.read(1 << 16)
            if not data:
                return  # a clean end: after a complete member
        member += 1
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        size = 0
        while not inflater.eof:
            if not data:
                data = fh.read(1 << 16)
                if not data:
                    raise ValueError(f"gzip member {member} is truncated (the file ends inside it)")
            try:  # bounded: a bomb is never inflated beyond the cap
                out = inflater.decompress(data, max_member_bytes + 1 - size)
            except zlib.error as exc:
                raise ValueError(f"gzip member {member} is not valid gzip data: {exc}") from exc
            size += len(out)
            if size > max_member_bytes:
                raise ValueError(f"gzip member {member} inflates past {max_member_bytes} bytes")
            # Input left over: past the member's end (the next member), or held back by the bound.
            data = inflater.unused_data if inflater.eof else inflater.unconsumed_tail


def _reparse_file(path: Path, registry: Registry, by_url: dict, skipped: list) -> list[dict]:
    """The capture records rebuilt from one (checked) WARC file."""
    out: list[dict] = []
    note: dict[str, str] = {}
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "warcinfo":
                note = _parse_warcinfo(record.content_stream().read().decode("utf-8", "replace"))
                continue
            if record.rec_type != "response":
                continue
            target = record.rec_headers.get_header("WARC-Target-URI")
            warc_date = _parse_date(record.rec_headers.get_header("WARC-Date"))
            source, url, observed_at, origin = _identify(note, target, warc_date, registry, by_url)
            ours = "guichets-source" in note
            if source is None:
                skipped.append(f"{path}: {target}: no registry source has this URL")
                continue
            http = record.http_headers
            content = record.content_stream().read(MAX_RECORD_BYTES + 1)
            if len(content) > MAX_RECORD_BYTES:
                raise ValueError(f"{target}: body inflates past {MAX_RECORD_BYTES} bytes")
            result = FetchResult(
                url=target,
                status=int(http.get_statuscode()),
                reason=http.get_statuscode(),
                headers=list(http.headers),
                body=content,
                content=content,
            )
            built = build_record(
                source,
                url,
                target,
                result,
                observed_at,
                warc_date,
                origin,
                str(path),
                record.rec_headers.get_header("WARC-Record-ID"),
                archive=note.get("guichets-archive") or None,
                archive_digest=note.get("guichets-archive-digest") or None,
                # Our own evidence of an archive's answer says whether it was the capture; a
                # third-party WARC holds the pages themselves.
                archive_error=ours and origin == "web_archive" and archive_answered_for_itself(result),
            )
            out.append(built)
    return out


def _identify(note: dict, target: str, warc_date: datetime, registry: Registry, by_url: dict):
    """(source, registered URL, observed_at, origin) of a response record, or Nones."""
    if "guichets-source" in note:
        source = registry.source(note["guichets-source"])
        return source, note["guichets-url"], _parse_date(note["guichets-observed-at"]), note["guichets-origin"]
    if m := _RAW_REPLAY.search(target):
        stamp, original = m.groups()
        source: Source | None = by_url.get(original)
        observed = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        return source, original, observed, "web_archive"
    return by_url.get(target), target, warc_date, "web_archive"


def _parse_warcinfo(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            out[key.strip()] = value.strip()
    return out


def _parse_date(value: str) -> datetime:
    return datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
