"""Text normalisation shared by the registry, the hours and procedure readers and the lookup.

A leaf module (standard library only), so that anything can import it without import cycles.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lowercase and strip accents, so 'Liège' matches 'liege'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
