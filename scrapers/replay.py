"""Replay: re-parse captures from WARC files, without the network.

A parser improvement is applied to every past capture by replaying the evidence. Two kinds of
WARC are understood: our own evidence files (their ``warcinfo`` record names the source, the
registered URL, the observation time and the origin) and third-party WARCs, such as the sample
web archive or downloads from a web archive, whose responses are matched to registry sources
by URL and dated by ``WARC-Date``.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from scrapers.collect import build_record, summarise, write_capture
from scrapers.fetch import FetchResult
from scrapers.registry import Registry, Source

_RAW_REPLAY = re.compile(r"/(\d{14})id_/(https?://.+)$")


class ReplayError(RuntimeError):
    """A WARC file cannot be replayed; the message names the file."""


def replay_warcs(paths: list[Path], registry: Registry, out_dir: Path) -> dict:
    """Rebuild capture records from ``paths``; returns per-source summaries and skipped records."""
    by_url = {url: source for source in registry.sources for url in source.urls}
    files: dict[str, list[str]] = {}
    skipped: list[str] = []
    for path in sorted(paths):
        try:
            _replay_file(path, registry, by_url, out_dir, files, skipped)
        except (OSError, ValueError) as exc:
            raise ReplayError(f"{path}: cannot replay: {type(exc).__name__}: {exc}") from exc
    _refresh_unchanged(out_dir, files)
    return {
        "sources": [summarise(registry.source(sid), sorted(f)) for sid, f in sorted(files.items())],
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
    for path in sorted((out_dir / "collected").glob("*/*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        original = by_record.get(rec["capture"].get("warc_record_id"))
        if original is None or original["capture"]["capture_id"] == rec["capture"]["capture_id"]:
            continue
        rec["capture"]["parse_status"] = original["capture"]["parse_status"]
        rec["schedules"] = original["schedules"]
        rec["procedures"] = original.get("procedures") or []
        files.setdefault(rec["capture"]["source_id"], []).append(str(write_capture(out_dir, rec)))


def _replay_file(path: Path, registry: Registry, by_url: dict, out_dir: Path, files: dict, skipped: list) -> None:
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
            if source is None:
                skipped.append(f"{path}: {target}: no registry source has this URL")
                continue
            http = record.http_headers
            content = record.content_stream().read()
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
            )
            built["capture"]["parse_message"] = built["capture"]["parse_message"] or f"replayed from {path.name}"
            files.setdefault(source.id, []).append(str(write_capture(out_dir, built)))


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
