"""A client for Wayback-compatible CDX APIs (web.archive.org, pywb).

Both answer ``?url=...&output=json`` but differently: the Internet Archive returns one JSON
array whose first row names the fields; pywb returns one JSON object per line. Both are read
into :class:`CdxCapture`. Captures with the same digest in a row are collapsed: an unchanged
page adds nothing but cost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from scrapers.fetch import Fetcher

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
) -> list[CdxCapture]:
    """List the captures of exactly ``page_url``, oldest first (duplicates kept; see :func:`fetch_plan`)."""
    params = [f"url={page_url}", "output=json"]
    if date_from:
        params.append(f"from={date_from:%Y%m%d}")
    if date_to:
        params.append(f"to={date_to:%Y%m%d}235959")
    query_url = f"{cdx_url}?{'&'.join(params)}"
    result = fetcher.get(query_url, rate_per_s=rate_per_s)
    if result.status != 200:
        raise CdxError(
            f"CDX query {query_url} failed: {result.status or result.error_class} {result.error_message or ''}"
        )
    return sorted(set(parse_cdx(result.content.decode("utf-8"), query_url)))


def parse_cdx(text: str, where: str) -> list[CdxCapture]:
    """Parse a CDX JSON answer in either the Internet Archive or the pywb form."""
    text = text.strip()
    if not text:
        return []
    try:
        if text.startswith("["):
            rows = json.loads(text)
            if not rows:
                return []
            fields = [_FIELD_ALIASES.get(f, f) for f in rows[0]]
            records = [dict(zip(fields, row, strict=False)) for row in rows[1:]]
        else:
            records = [
                {_FIELD_ALIASES.get(k, k): v for k, v in json.loads(line).items()}
                for line in text.splitlines()
                if line.strip()
            ]
    except json.JSONDecodeError as exc:
        raise CdxError(f"CDX answer from {where} is not JSON: {exc}") from exc
    out = []
    for rec in records:
        try:
            out.append(
                CdxCapture(
                    timestamp=rec["timestamp"],
                    url=rec["url"],
                    status=str(rec.get("status", "-")),
                    digest=rec.get("digest", ""),
                    mime=rec.get("mime", ""),
                )
            )
        except KeyError as exc:
            raise CdxError(f"CDX answer from {where} lacks field {exc} in {rec}") from exc
    return out


def fetch_plan(captures: list[CdxCapture]) -> list[tuple[CdxCapture, CdxCapture | None]]:
    """Pair each capture with the earlier capture it duplicates (same URL, status and digest), or None.

    Input must be sorted. Only captures paired with None need fetching.
    """
    plan: list[tuple[CdxCapture, CdxCapture | None]] = []
    prev: CdxCapture | None = None
    prev_fetched: CdxCapture | None = None
    for cap in captures:
        same = (
            prev is not None
            and cap.digest
            and (prev.url, prev.digest, prev.status) == (cap.url, cap.digest, cap.status)
        )
        if same:
            plan.append((cap, prev_fetched))
        else:
            plan.append((cap, None))
            prev_fetched = cap
        prev = cap
    return plan
