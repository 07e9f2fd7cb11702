"""A client for Wayback-compatible CDX APIs (web.archive.org, pywb).

Both answer ``?url=...&output=json`` but differently: the Internet Archive returns one JSON
array whose first row names the fields; pywb returns one JSON object per line. Both are read
into :class:`CdxCapture`. Captures with the same digest in a row are collapsed: an unchanged
page adds nothing but cost.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import quote

from scrapers.fetch.client import Fetcher

# Wayback field names differ between implementations; map them to ours.
_FIELD_ALIASES = {
    "original": "url",
    "url": "url",
    "timestamp": "timestamp",
    "statuscode": "status",
    "status": "status",
    "mimetype": "mime",
    "mime": "mime",
    "digest": "digest",
}


# A capture's time in CDX answers: YYYYMMDDhhmmss, UTC.
_TIMESTAMP = re.compile(r"^\d{14}$")


class CdxError(RuntimeError):
    """The CDX API answered something we cannot read; the message names the URL."""


@dataclass(frozen=True, order=True)
class CdxCapture:
    """One capture listed by a CDX API."""

    timestamp: str  # 14 digits, UTC
    url: str
    status: str  # "200", "301", "503", "-" (revisits)...
    digest: str
    mime: str = ""

    @property
    def observed_at(self) -> datetime:
        """Capture time as an aware UTC datetime."""
        return datetime.strptime(self.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def list_captures(
    fetcher: Fetcher,
    cdx_url: str,
    page_url: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    rate_per_s: float = 1.0,
    page_size: int | None = None,
    max_pages: int = 1000,
) -> list[CdxCapture]:
    """List the captures of exactly ``page_url``, oldest first (duplicates kept; see :func:`fetch_plan`).

    With ``page_size`` (the Internet Archive), results come in pages chained by resume keys;
    pywb answers everything at once and is queried without it.
    """
    params = [f"url={quote(page_url, safe=':/')}", "output=json"]
    if date_from:
        params.append(f"from={date_from:%Y%m%d}")
    if date_to:
        params.append(f"to={date_to:%Y%m%d}235959")
    if page_size:
        params += [f"limit={page_size}", "showResumeKey=true"]
    base_query = f"{cdx_url}?{'&'.join(params)}"
    captures: list[CdxCapture] = []
    resume_key: str | None = None
    for _ in range(max_pages):
        query_url = base_query + (f"&resumeKey={quote(resume_key, safe='')}" if resume_key else "")
        result = fetcher.get(query_url, rate_per_s=rate_per_s)
        if result.status != 200:
            raise CdxError(
                f"CDX query {query_url} failed: {result.status or result.error_class} {result.error_message or ''}"
            )
        try:
            text = result.content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CdxError(f"CDX answer from {query_url} is not UTF-8 text: {exc}") from exc
        page, resume_key = parse_cdx_page(text, query_url)
        captures += page
        if not resume_key:
            return sorted(set(captures))
    raise CdxError(f"CDX query {base_query}: more than {max_pages} pages; narrow the date range")


def parse_cdx(text: str, where: str) -> list[CdxCapture]:
    """Parse a CDX JSON answer in either the Internet Archive or the pywb form."""
    return parse_cdx_page(text, where)[0]


def parse_cdx_page(text: str, where: str) -> tuple[list[CdxCapture], str | None]:
    """Parse one CDX answer; returns its captures and the resume key of the next page, if any.

    Anything else than the two forms, including rows of the wrong shape and timestamps that are
    not 14 digits, raises :class:`CdxError` naming ``where``: a listing that cannot be read is
    a failed listing, never a partial one read as complete.
    """
    text = text.strip()
    if not text:
        return [], None
    resume_key = None
    try:
        if text.startswith("["):
            rows = json.loads(text)
            if not rows:
                return [], None
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise CdxError(f"CDX answer from {where} is a JSON array but not an array of rows")
            # The Internet Archive ends a page with an empty row and then [resume key].
            if len(rows) >= 2 and rows[-2] == [] and len(rows[-1]) == 1:
                resume_key = str(rows[-1][0])
                rows = rows[:-2]
            fields = [_FIELD_ALIASES.get(f, f) if isinstance(f, str) else f for f in rows[0]] if rows else []
            records = [dict(zip(fields, row, strict=False)) for row in rows[1:]]
        else:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
            if not all(isinstance(rec, dict) for rec in records):
                raise CdxError(f"CDX answer from {where} is neither a JSON array nor one JSON object per line")
            records = [{_FIELD_ALIASES.get(k, k): v for k, v in rec.items()} for rec in records]
    except json.JSONDecodeError as exc:
        raise CdxError(f"CDX answer from {where} is not JSON: {exc}") from exc
    out = []
    for rec in records:
        try:
            capture = CdxCapture(
                timestamp=rec["timestamp"],
                url=rec["url"],
                status=str(rec.get("status", "-")),
                digest=rec.get("digest", ""),
                mime=rec.get("mime", ""),
            )
        except KeyError as exc:
            raise CdxError(f"CDX answer from {where} lacks field {exc} in {rec}") from exc
        if not (isinstance(capture.timestamp, str) and _TIMESTAMP.match(capture.timestamp)):
            raise CdxError(f"CDX answer from {where}: timestamp {capture.timestamp!r} is not 14 digits in {rec}")
        try:
            capture.observed_at  # noqa: B018 (read to check that the 14 digits are a real time)
        except ValueError as exc:
            raise CdxError(f"CDX answer from {where}: timestamp {capture.timestamp!r} is not a time ({exc})") from exc
        if not isinstance(capture.url, str) or not isinstance(capture.digest, str):
            raise CdxError(f"CDX answer from {where}: url and digest must be strings in {rec}")
        out.append(capture)
    return out, resume_key


def fetch_plan(captures: list[CdxCapture]) -> list[tuple[CdxCapture, CdxCapture | None]]:
    """Pair each capture with the earlier capture it duplicates (same URL, status and digest), or None.

    Input must be sorted. Only captures paired with None need fetching. A revisit record
    (status "-", the archive saw the same payload again) counts as the previous status.
    """
    plan: list[tuple[CdxCapture, CdxCapture | None]] = []
    prev: CdxCapture | None = None
    prev_fetched: CdxCapture | None = None
    for cap in captures:
        status = prev.status if (prev is not None and cap.status in ("-", "")) else cap.status
        same = prev is not None and cap.digest and (prev.url, prev.digest, prev.status) == (cap.url, cap.digest, status)
        if same:
            plan.append((cap, prev_fetched))
        else:
            plan.append((cap, None))
            prev_fetched = cap
        prev = cap
    return plan
