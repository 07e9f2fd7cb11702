"""Turn response bytes into text: Belgian public sites still serve windows-1252 and latin-1."""

from __future__ import annotations

import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.IGNORECASE)


def decode_html(content: bytes, content_type: str | None) -> tuple[str, str]:
    """Decode an HTML body; returns ``(text, encoding_used)``.

    Order: the Content-Type charset, a ``<meta charset>`` in the first 4 KiB, UTF-8, and
    finally windows-1252 (a superset of latin-1 for printable text, never fails).
    """
    candidates: list[str] = []
    if content_type and (m := _HEADER_CHARSET.search(content_type)):
        candidates.append(m.group(1).decode() if isinstance(m.group(1), bytes) else m.group(1))
    if m := _META_CHARSET.search(content[:4096]):
        candidates.append(m.group(1).decode("ascii", "replace"))
    candidates += ["utf-8", "windows-1252"]
    for enc in candidates:
        enc = _normalise(enc)
        try:
            return content.decode(enc), enc
        except (LookupError, UnicodeDecodeError):
            continue
    return content.decode("windows-1252", errors="replace"), "windows-1252"


def _normalise(encoding: str) -> str:
    # Browsers read "iso-8859-1" as windows-1252 (WHATWG); so do we, or € and ’ would be lost.
    enc = encoding.strip().lower()
    return "windows-1252" if enc in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii") else enc
