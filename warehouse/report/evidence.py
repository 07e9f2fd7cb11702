"""Evidence references for the report: what each event links to, and which links are allowed.

A release holds capture IDs (``before_capture_id``, ``after_capture_id``, ``confirming_capture_id``)
but no raw tables. When the collection log that produced the release is at hand (the DuckDB
database's ``raw.captures``), each capture ID resolves to its page URL, capture time, origin and
WARC record, and:

- a capture replayed from a **public web archive** (origin ``web_archive``, its ``archive`` one
  of :data:`PUBLIC_ARCHIVES`: the capture records which archive it came from) links to the
  archive's own replay of that capture: ``https://web.archive.org/web/<YYYYMMDDhhmmss>/<page URL>``;
- any other capture (collected live, or replayed from a local archive such as the bundled
  sample's, whose address means nothing outside this machine) is cited by its WARC file and
  capture ID: the record is in ``<data>/evidence/warc/``, never a link;
- without the collection log, the capture ID alone.

Links are only ever ``http(s)`` to a known host, or relative (``#section``, ``report-nl.html``):
a scraped ``javascript:`` URL can never become a link (:func:`safe_href`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from scrapers.capture import WAYBACK_ARCHIVE

# Public web archives (by the name captures record in ``archive``) whose replay URLs are stable
# and citable: Wayback-style URL templates.
PUBLIC_ARCHIVES: dict[str, str] = {
    WAYBACK_ARCHIVE: "https://web.archive.org/web/{timestamp}/{url}",
}
# Hosts a report may link to: the archives only (the report is self-contained otherwise).
LINK_HOSTS = frozenset(urlsplit(template).hostname for template in PUBLIC_ARCHIVES.values())
# Characters kept as they are when an archived page URL is embedded in a replay URL.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


@dataclass(frozen=True)
class Evidence:
    """One archived capture as the report cites it."""

    capture_id: str
    observed_at: datetime | None = None
    href: str | None = None  # a replay URL on a known public archive, when there is one
    warc_file: str | None = None  # path under <data>/, e.g. evidence/warc/<source>/<file>.warc.gz
    warc_record_id: str | None = None
    origin: str | None = None

    @property
    def warc_name(self) -> str | None:
        """The WARC file relative to the evidence store (``<source>/<file>.warc.gz``)."""
        if not self.warc_file:
            return None
        return self.warc_file.removeprefix("evidence/warc/")


def safe_href(url: str | None) -> str | None:
    """``url`` if a report may link to it (http(s) on a known host, or relative), else None."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    # Control characters and spaces can hide a scheme from a naive check ("java\tscript:"); a
    # backslash or "//" start is read as another host by browsers.
    if any(ord(ch) <= 0x20 or ch == "\\" for ch in url) or url.startswith("//"):
        return None
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        # Relative: an anchor or a sibling file; no scheme means no javascript:/data: either.
        return url if ":" not in url.split("/", 1)[0].split("#", 1)[0] else None
    if parts.scheme not in ("http", "https"):
        return None
    return url if (parts.hostname or "").lower() in LINK_HOSTS else None


def archive_replay_url(archive: str | None, page_url: str | None, observed_at: datetime | None) -> str | None:
    """The public archive's replay URL of a capture, or None when it was not replayed from one.

    ``archive`` is the capture's own record of the archive it came from (``wayback``...).
    """
    if not archive or not page_url or observed_at is None:
        return None
    template = PUBLIC_ARCHIVES.get(archive)
    page = urlsplit(page_url)
    if template is None or page.scheme not in ("http", "https") or not page.hostname:
        return None
    url = template.format(timestamp=f"{observed_at:%Y%m%d%H%M%S}", url=quote(page_url, safe=_URL_SAFE))
    return safe_href(url)


class EvidenceIndex:
    """Resolves capture IDs to :class:`Evidence`, from the collection log when available."""

    def __init__(self, records: dict[str, Evidence] | None = None, source: str | None = None) -> None:
        self._records = records or {}
        self.source = source  # where the references were read from (None: capture IDs only)

    @classmethod
    def from_duckdb(cls, db_path: Path | None, capture_ids: set[str]) -> EvidenceIndex:
        """Read the captures ``capture_ids`` from ``raw.captures``; IDs only when that is impossible."""
        if db_path is None or not Path(db_path).is_file() or not capture_ids:
            return cls()
        import duckdb

        from warehouse import db

        try:
            con = db.reader(Path(db_path))
        except duckdb.Error:
            # Locked by a running pipeline, or not a DuckDB file: the report still builds.
            return cls()
        try:
            con.execute("CREATE TEMP TABLE wanted (capture_id VARCHAR)")
            con.executemany("INSERT INTO wanted VALUES (?)", [(c,) for c in sorted(capture_ids)])
            rows = con.execute(
                """
                SELECT c.capture_id, c.url, c.observed_at, c.origin, c.archive, c.warc_file, c.warc_record_id
                FROM raw.captures c JOIN wanted USING (capture_id)
                """
            ).fetchall()
        except duckdb.Error:
            return cls()
        finally:
            con.close()
        records = {}
        for capture_id, url, observed_at, origin, archive, warc_file, warc_record_id in rows:
            href = archive_replay_url(archive, url, observed_at) if origin == "web_archive" else None
            records[capture_id] = Evidence(capture_id, observed_at, href, warc_file, warc_record_id, origin)
        return cls(records, source=Path(db_path).name)

    def get(self, capture_id: str | None, observed_at: datetime | None = None) -> Evidence | None:
        """The evidence of ``capture_id`` (None for no capture); ``observed_at`` as the release says."""
        if not capture_id:
            return None
        found = self._records.get(capture_id)
        if found is not None:
            return found
        return Evidence(capture_id, observed_at)
