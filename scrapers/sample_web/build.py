"""Build the bundled sample web archive: WARC files generated from ``storyline.yaml``.

The storyline says what each sample page published at each capture date; the registry
(``scrapers/registries/sample.yaml``) says where each page lived and which counters it lists.
Each capture becomes one WARC ``response`` record (HTTP status line, headers, body) and one
``request`` record, one gzipped WARC file per source. :mod:`~scrapers.sample_web.story` folds
the storyline into capture plans and page states; :mod:`~scrapers.sample_web.render` writes
the HTML; this module writes the WARC records.

Output is a pure function of the storyline, the registry and the templates: record IDs are
UUID5s of URL and capture time, WARC-Date and HTTP Date are the capture time, and warcio's
gzip members carry no timestamp. Building twice gives byte-identical files.

Usage: ``python -m scrapers.sample_web.build OUT_DIR``
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import sys
import uuid
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scrapers.sample_web.render import capture_body
from scrapers.sample_web.story import (
    STORYLINE_PATH,
    Capture,
    load_sample_registry,
    load_storyline,
    plan_captures,
    validate_storyline,
)

__all__ = ["build_sample_web", "load_storyline", "main"]

WARC_PREFIX = "sample-web-"
USER_AGENT = "Mozilla/5.0 (compatible; guichets-sample-web/1.0; illustrative capture)"
REASONS = {200: "OK", 301: "Moved Permanently", 500: "Internal Server Error", 503: "Service Unavailable"}


def _record_id(kind: str, url: str, when: dt.datetime) -> str:
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{kind} {url} {when:%Y%m%d%H%M%S}')}>"


def _warc_date(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_capture(writer: WARCWriter, capture: Capture, body: bytes, story: dict, lang: str) -> None:
    headers = [
        ("Date", format_datetime(capture.observed_at, usegmt=True)),
        ("Server", story.get("server", "nginx")),
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
    ]
    if capture.status == 301:
        headers.append(("Location", capture.location or ""))
    elif capture.status == 503:
        headers.append(("Retry-After", "3600"))
    elif capture.status == 200:
        headers.append(("Cache-Control", "no-cache"))
    headers.append(("Connection", "close"))
    status_line = f"{capture.status} {REASONS[capture.status]}"
    response_id = _record_id("response", capture.url, capture.observed_at)
    response = writer.create_warc_record(
        capture.url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=StatusAndHeaders(status_line, headers, protocol="HTTP/1.1"),
        warc_headers_dict={"WARC-Record-ID": response_id, "WARC-Date": _warc_date(capture.observed_at)},
    )
    parts = urlsplit(capture.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    request = writer.create_warc_record(
        capture.url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(
            f"GET {target or '/'} HTTP/1.1",
            [
                ("Host", parts.netloc),
                ("User-Agent", USER_AGENT),
                ("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"),
                ("Accept-Language", lang),
                ("Connection", "close"),
            ],
            is_http_request=True,
        ),
        warc_headers_dict={
            "WARC-Record-ID": _record_id("request", capture.url, capture.observed_at),
            "WARC-Date": _warc_date(capture.observed_at),
            "WARC-Concurrent-To": response_id,
        },
    )
    writer.write_record(response)
    writer.write_record(request)


def _warcinfo(writer: WARCWriter, filename: str, when: dt.datetime, fields: dict[str, str]) -> None:
    body = "".join(f"{k}: {v}\r\n" for k, v in fields.items()).encode("utf-8")
    record = writer.create_warc_record(
        "",
        "warcinfo",
        payload=io.BytesIO(body),
        length=len(body),
        warc_content_type="application/warc-fields",
        warc_headers_dict={
            "WARC-Record-ID": _record_id("warcinfo", filename, when),
            "WARC-Date": _warc_date(when),
            "WARC-Filename": filename,
        },
    )
    writer.write_record(record)


def build_sample_web(out_dir: Path) -> list[Path]:
    """Write one gzipped WARC file per sample source into ``out_dir``; return their paths, sorted.

    Stale ``sample-web-*.warc.gz`` files from an earlier build are removed, so the directory
    holds exactly this build.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    storyline = load_storyline()
    registry = load_sample_registry(storyline)
    validate_storyline(storyline, registry)
    provenance = {
        "storyline-sha256": hashlib.sha256(STORYLINE_PATH.read_bytes()).hexdigest(),
        "registry-sha256": hashlib.sha256(registry.path.read_bytes()).hexdigest(),
    }
    plan = plan_captures(storyline, registry)
    written = []
    for story in storyline["sources"]:
        source = registry.source(story["source"])
        captures = [c for c in plan if c.source_id == source.id]
        path = out_dir / f"{WARC_PREFIX}{source.id}.warc.gz"
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            _warcinfo(
                writer,
                path.name,
                captures[0].observed_at,
                {
                    "software": "guichets scrapers.sample_web.build",
                    "format": "WARC File Format 1.0",
                    "isPartOf": "guichets-sample-web",
                    "source-id": source.id,
                    "description": " ".join(storyline["notice"].split()),
                    "illustrative": "true",
                    **provenance,
                },
            )
            for capture in captures:
                body = capture_body(capture, story, source, registry)
                _write_capture(writer, capture, body, story, source.language)
        tmp.replace(path)
        written.append(path)
    for stale in out_dir.glob(f"{WARC_PREFIX}*.warc.gz"):
        if stale not in written:
            stale.unlink()
    return sorted(written)


def main(argv: list[str] | None = None) -> int:
    """CLI: ``python -m scrapers.sample_web.build OUT_DIR``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m scrapers.sample_web.build OUT_DIR", file=sys.stderr)
        return 2
    paths = build_sample_web(Path(args[0]))
    for p in paths:
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
