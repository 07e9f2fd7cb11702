"""WARC evidence: every HTTP response we read is kept as standard WARC records.

Records are written explicitly from the :class:`~scrapers.fetch.client.FetchResult` (request and
response, linked by ``WARC-Concurrent-To``); ``warcio.capture_http`` is avoided because it
monkeypatches ``http.client`` for the whole process.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scrapers.capture import CaptureKey, store_file
from scrapers.fetch.client import FetchResult


def write_evidence(
    path: Path, result: FetchResult, fetched_at: datetime, *, key: CaptureKey, note: dict | None = None
) -> str:
    """Write warcinfo, response and request records for ``result`` to a new WARC file at ``path``.

    Returns the response record's WARC-Record-ID. Record IDs are deterministic (UUID5 of the
    capture ``key`` and the payload's digest), and a file already at ``path`` is kept as it is:
    evidence is append-only, and the same capture of the same bytes is already there. The file
    is written to a temporary name and renamed (:func:`~scrapers.capture.store_file`), so a crash
    never leaves half a record where evidence is expected.
    """
    payload = sha256_hex(result.body)
    response_id = key.warc_record_id(payload, "response")
    if path.exists():
        return response_id
    warc_date = fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    # Written in memory, then stored in one write: warcio flushes the file after every record.
    fh = BytesIO()
    writer = WARCWriter(fh, gzip=True)
    info = {"software": "guichets", "format": "WARC File Format 1.1"}
    if note:
        info.update({k: str(v) for k, v in note.items()})
    fields = "".join(f"{k}: {v}\r\n" for k, v in info.items() if v).encode("utf-8")
    warcinfo = writer.create_warc_record(
        "",
        "warcinfo",
        payload=BytesIO(fields),
        length=len(fields),
        warc_content_type="application/warc-fields",
        warc_headers_dict={
            "WARC-Record-ID": key.warc_record_id(payload, "warcinfo"),
            "WARC-Filename": path.name,
            "WARC-Date": warc_date,
        },
    )
    writer.write_record(warcinfo)
    response = writer.create_warc_record(
        result.url,
        "response",
        payload=BytesIO(result.body),
        http_headers=StatusAndHeaders(
            f"{result.status} {result.reason}".strip(), result.headers, protocol=result.http_version
        ),
        warc_headers_dict={"WARC-Date": warc_date, "WARC-Record-ID": response_id},
    )
    parts = urlsplit(result.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "") or "/"
    request = writer.create_warc_record(
        result.url,
        "request",
        payload=BytesIO(b""),
        http_headers=StatusAndHeaders(f"GET {target} HTTP/1.1", result.request_headers, is_http_request=True),
        warc_headers_dict={
            "WARC-Date": warc_date,
            "WARC-Record-ID": key.warc_record_id(payload, "request"),
            "WARC-Concurrent-To": response_id,
        },
    )
    writer.write_record(response)
    writer.write_record(request)
    store_file(path, fh.getvalue())
    return response_id


def iter_responses(path: Path):
    """Yield ``(record_headers, http_headers, raw_body_bytes)`` for each response record of a WARC file."""
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "response":
                yield record.rec_headers, record.http_headers, record.content_stream().read()


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data`` (content hashes in the fetch log and releases)."""
    return hashlib.sha256(data).hexdigest()
