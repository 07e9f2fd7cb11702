"""WARC evidence: every HTTP response we read is kept as standard WARC records.

Records are written explicitly from the :class:`~scrapers.fetch.FetchResult` (request and
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

from scrapers.fetch import FetchResult


def write_evidence(path: Path, result: FetchResult, fetched_at: datetime, *, note: dict | None = None) -> str:
    """Write request + response records for ``result`` to a new WARC file at ``path``.

    Returns the response record's WARC-Record-ID. The file is written to a temporary name and
    renamed, so a crash never leaves half a record where evidence is expected.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    warc_date = fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    with tmp.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        info = {"software": "guichets", "format": "WARC File Format 1.1"}
        if note:
            info.update({k: str(v) for k, v in note.items()})
        writer.write_record(writer.create_warcinfo_record(path.name, info))
        response = writer.create_warc_record(
            result.url,
            "response",
            payload=BytesIO(result.body),
            http_headers=StatusAndHeaders(
                f"{result.status} {result.reason}".strip(), result.headers, protocol=result.http_version
            ),
            warc_headers_dict={"WARC-Date": warc_date},
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
                "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        writer.write_record(response)
        writer.write_record(request)
    tmp.replace(path)
    return response.rec_headers.get_header("WARC-Record-ID")


def iter_responses(path: Path):
    """Yield ``(record_headers, http_headers, raw_body_bytes)`` for each response record of a WARC file."""
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "response":
                yield record.rec_headers, record.http_headers, record.content_stream().read()


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data`` (content hashes in the fetch log and releases)."""
    return hashlib.sha256(data).hexdigest()
