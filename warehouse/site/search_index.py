"""The search index of the website: every current commune with its names and postal codes, as a script.

Browsers refuse ``fetch()`` of a file from a ``file://`` page, so the index is a small script that
sets ``window.GUICHETS_SEARCH`` (loaded by a ``<script src>``), searched by ``assets/search.js``.
Names are matched without accents or case, in every spelling the commune has (FR, NL, DE, and a
German name's umlauts written out: "Luettich"): :func:`normalise` here and ``norm()`` in the script
must agree, which the browser tests check.
"""

from __future__ import annotations

import json
import re
import unicodedata

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def normalise(text: str) -> str:
    """``text`` lowercased, without accents, with every run of other characters as one space."""
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _NOT_ALNUM.sub(" ", plain.lower()).strip()


def name_keys(names: list[str]) -> list[str]:
    """The distinct normalised spellings of a commune's names (umlauts also written out)."""
    keys = []
    for name in names:
        for variant in (name, name.translate(_UMLAUTS)):
            key = normalise(variant)
            if key and key not in keys:
                keys.append(key)
    return keys


def search_script(entries: list[dict]) -> str:
    """The index as a script: ``window.GUICHETS_SEARCH = {"fields": [...], "communes": [[...], ...]}``.

    ``entries`` have ``nis_code``, ``names`` (display names by language: fr, nl, en), ``keys``
    (:func:`name_keys`), ``postcodes``, ``counters`` and ``german_name`` (shown beside the others
    when it is an exonym: "Lüttich"; "" otherwise); the output is sorted and compact, so the
    same release gives the same bytes.
    """
    fields = ["nis", "fr", "nl", "en", "keys", "postcodes", "counters", "de"]
    rows = [
        [
            e["nis_code"],
            e["names"]["fr"],
            e["names"]["nl"],
            e["names"]["en"],
            " | ".join(e["keys"]),
            " ".join(e["postcodes"]),
            e["counters"],
            e["german_name"],
        ]
        for e in sorted(entries, key=lambda e: e["nis_code"])
    ]
    body = json.dumps({"fields": fields, "communes": rows}, ensure_ascii=False, separators=(",", ":"))
    # "</" cannot end a script element here, whatever a name holds.
    return "window.GUICHETS_SEARCH = " + body.replace("</", "<\\/") + ";\n"
