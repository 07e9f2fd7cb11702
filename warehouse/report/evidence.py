"""Evidence references for the report: what each event links to, and which links are allowed.

A release holds capture IDs (``before_capture_id``, ``after_capture_id``, ``confirming_capture_id``)
and its own ``captures`` table (``data/captures.parquet``), so the report resolves every ID from
the release alone: page URL, capture time, origin, WARC file and record, and the web-archive
replay URL that dbt computed (``captures.replay_url``, macro ``archive_replay_url``):

- a capture replayed from a **public web archive** links to the archive's own replay of that
  capture (``https://web.archive.org/web/<YYYYMMDDhhmmss>/<page URL>``);
- any other capture (collected live, or replayed from a local archive such as the bundled
  sample's, whose address means nothing outside this machine) is cited by its WARC file and
  record ID: the WARC files are published beside the releases (``<releases>/warc/``), never a link;
- a capture ID missing from the table (a release older than the table): the ID alone.

Links are only ever ``http(s)`` to a known host, or relative (``#section``, ``report-nl.html``):
a scraped ``javascript:`` URL can never become a link (:func:`safe_href`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

# Hosts a report may link to: the public web archives whose replay URLs captures.replay_url holds
# (the report is self-contained otherwise).
LINK_HOSTS = frozenset({"web.archive.org"})
CAPTURES_FILE = "data/captures.parquet"


@dataclass(frozen=True)
class Evidence:
    """One archived capture as the report cites it."""

    capture_id: str
    observed_at: datetime | None = None
    href: str | None = None  # a replay URL on a known public archive, when there is one
    warc_file: str | None = None  # relative to the WARC store: <releases>/warc/<warc_file>
    warc_record_id: str | None = None
    origin: str | None = None
    page_url: str | None = None

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


class EvidenceIndex:
    """Resolves capture IDs to :class:`Evidence`, from the release's ``captures`` table."""

    def __init__(self, records: dict[str, Evidence] | None = None, source: str | None = None) -> None:
        self._records = records or {}
        self.source = source  # where the references were read from (None: capture IDs only)

    @classmethod
    def from_release(cls, release_dir: Path, capture_ids: set[str]) -> EvidenceIndex:
        """Read the captures ``capture_ids`` from the release's own ``captures`` table."""
        path = Path(release_dir) / CAPTURES_FILE
        if not path.is_file() or not capture_ids:
            return cls()
        from warehouse import db

        with db.memory() as con:
            con.execute("CREATE TEMP TABLE wanted (capture_id VARCHAR)")
            con.executemany("INSERT INTO wanted VALUES (?)", [(c,) for c in sorted(capture_ids)])
            rows = con.execute(
                "SELECT c.capture_id, c.page_url, c.observed_at, c.capture_origin, c.replay_url, c.warc_file, "
                "c.warc_record_id FROM read_parquet(?) c JOIN wanted USING (capture_id)",
                [str(path)],
            ).fetchall()
        records = {
            capture_id: Evidence(capture_id, observed_at, safe_href(replay_url), warc_file, record_id, origin, url)
            for capture_id, url, observed_at, origin, replay_url, warc_file, record_id in rows
        }
        return cls(records, source=CAPTURES_FILE)

    def get(self, capture_id: str | None, observed_at: datetime | None = None) -> Evidence | None:
        """The evidence of ``capture_id`` (None for no capture); ``observed_at`` as the release says."""
        if not capture_id:
            return None
        found = self._records.get(capture_id)
        if found is not None:
            return found
        return Evidence(capture_id, observed_at)
