"""The procedure taxonomy (``taxonomy.yaml``): stable keys, labels, and matching titles to keys.

The same procedure is called differently by every administration ("Composition de ménage",
"Certificat de composition de ménage", "Attest gezinssamenstelling"); comparing procedures
across administrations and over time needs one key for all of them. Keys are declared in
``taxonomy.yaml``, never inferred, and the phrase that matched is kept (``match_rule``) so every
attribution can be audited.

Matching (:func:`match_procedure`):

1. The title and the phrases are compared folded (lowercase, no accents, "œ" = "oe", curly
   apostrophes = "'") and as whole words: "pension" does not match "pensionné".
2. Phrases of the page's language are tried first; only when none matches are the phrases of the
   other languages tried (Brussels pages mix languages, and brand names such as "Tax-on-web" or
   "Kids-ID" are not translated).
3. When several phrases match, **the longest one wins** ("demande d'allocations familiales" is a
   child-benefit claim even though it also contains shorter phrases); equal lengths go to the
   entry listed first in the file. Ambiguity is never turned into "unmatched": a title that
   names a known procedure is attributed, and the rule says which phrase decided.
4. No phrase: ``(None, "unmatched")``. Such procedures are kept and listed for curation.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from scrapers.registry.yaml_file import read_yaml
from scrapers.text import fold
from scrapers.vocabulary import LANGUAGES, NATIONAL_LANGUAGES

TAXONOMY_PATH = Path(__file__).resolve().with_name("taxonomy.yaml")
LABEL_FIELDS: tuple[str, ...] = ("label_fr", "label_nl", "label_de", "label_en")
MATCH_LANGUAGES: tuple[str, ...] = LANGUAGES
REQUIRED_MATCH_LANGUAGES: tuple[str, ...] = NATIONAL_LANGUAGES
UNMATCHED = "unmatched"
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
_FIELDS = frozenset({"key", *LABEL_FIELDS, "match"})
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u2010": "-", "\u2011": "-",
                              "\u2013": "-", "\u2014": "-", "œ": "oe", "æ": "ae", "ß": "ss"})  # fmt: skip
_SPACES = re.compile(r"\s+")


class TaxonomyError(ValueError):
    """A malformed taxonomy: the message names the file, the entry and the field."""


def normalize(text: str) -> str:
    """``text`` as matching compares it: folded, ligatures and apostrophes unified, spaces collapsed."""
    return _SPACES.sub(" ", fold(text).translate(_APOSTROPHES)).strip()


@dataclass(frozen=True)
class TaxonomyEntry:
    """One procedure of the taxonomy."""

    key: str
    label_fr: str
    label_nl: str
    label_de: str
    label_en: str
    match: Mapping[str, tuple[str, ...]]  # language → phrases as written in the file

    def label(self, language: str) -> str:
        """The label in ``language`` (fr, nl, de, en), English for any other."""
        return getattr(self, f"label_{language}", self.label_en)


@dataclass(frozen=True)
class Taxonomy:
    """A validated taxonomy file, with its phrases compiled for matching."""

    path: Path
    entries: tuple[TaxonomyEntry, ...]
    # language → [(normalized phrase length, entry order, phrase as written, key, pattern)]
    _phrases: Mapping[str, tuple[tuple[int, int, str, str, re.Pattern[str]], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def keys(self) -> tuple[str, ...]:
        """Every key, in file order."""
        return tuple(e.key for e in self.entries)

    def entry(self, key: str) -> TaxonomyEntry:
        """One entry by key, or KeyError naming it."""
        for e in self.entries:
            if e.key == key:
                return e
        raise KeyError(f"procedure key {key!r} is not in the taxonomy {self.path}")

    def match(self, title: str, language: str) -> tuple[str | None, str]:
        """``(key, "taxonomy:<phrase>")`` for a procedure title, or ``(None, "unmatched")``."""
        text = normalize(title or "")
        if not text:
            return None, UNMATCHED
        own = (language,) if language in MATCH_LANGUAGES else ()
        others = tuple(lang for lang in MATCH_LANGUAGES if lang not in own)
        for languages in (own, others):
            hits = [p for lang in languages for p in self._phrases.get(lang, ()) if p[4].search(text)]
            if hits:
                # Longest phrase first; equal lengths: the entry listed first in the file.
                _length, _order, phrase, key, _pattern = min(hits, key=lambda p: (-p[0], p[1]))
                return key, f"taxonomy:{phrase}"
        return None, UNMATCHED


def load_taxonomy(path: str | Path = TAXONOMY_PATH) -> Taxonomy:
    """Read and validate a taxonomy file; raise TaxonomyError naming the entry and field."""
    path = Path(path)
    doc = read_yaml(path, TaxonomyError, "taxonomy")
    items = doc.get("procedures") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not items:
        raise TaxonomyError(f"{path}: top level must be a mapping with a non-empty 'procedures' list")
    entries: list[TaxonomyEntry] = []
    where_of: dict[str, str] = {}
    owner: dict[tuple[str, str], str] = {}  # (language, normalized phrase) → key
    phrases: dict[str, list[tuple[int, int, str, str, re.Pattern[str]]]] = {}
    for i, item in enumerate(items):
        entry = _entry(path, i, item)
        where = f"procedures[{i}] ({entry.key})"
        if entry.key in where_of:
            raise TaxonomyError(f"{path}: {where}: duplicate key {entry.key!r} (also {where_of[entry.key]})")
        where_of[entry.key] = where
        for lang, written in entry.match.items():
            for phrase in written:
                norm = normalize(phrase)
                taken = owner.get((lang, norm))
                if taken == entry.key:
                    raise TaxonomyError(f"{path}: {where}: match.{lang} lists {phrase!r} twice")
                if taken is not None:
                    raise TaxonomyError(
                        f"{path}: {where}: match.{lang} phrase {phrase!r} is already a phrase of {taken!r}"
                    )
                owner[(lang, norm)] = entry.key
                pattern = re.compile(rf"(?<!\w){re.escape(norm)}(?!\w)")
                phrases.setdefault(lang, []).append((len(norm), i, phrase, entry.key, pattern))
        entries.append(entry)
    frozen = MappingProxyType({lang: tuple(p) for lang, p in phrases.items()})
    return Taxonomy(path=path, entries=tuple(entries), _phrases=frozen)


def _entry(path: Path, i: int, item: object) -> TaxonomyEntry:
    where = f"procedures[{i}]"
    if not isinstance(item, dict):
        raise TaxonomyError(f"{path}: {where}: must be a mapping")
    key = item.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise TaxonomyError(f"{path}: {where}: field 'key' is {key!r}; expected lowercase letters, digits and '-'")
    where = f"procedures[{i}] ({key})"
    unknown = sorted(set(item) - _FIELDS)
    if unknown:
        raise TaxonomyError(f"{path}: {where}: unknown field(s) {', '.join(unknown)}")
    for name in LABEL_FIELDS:
        if not isinstance(item.get(name), str) or not item[name].strip():
            raise TaxonomyError(f"{path}: {where}: field '{name}' is required (a non-empty string)")
    match = item.get("match")
    if not isinstance(match, dict):
        raise TaxonomyError(f"{path}: {where}: field 'match' must map languages to lists of phrases")
    extra = sorted(set(match) - set(MATCH_LANGUAGES))
    if extra:
        raise TaxonomyError(f"{path}: {where}: match language(s) {', '.join(map(str, extra))}; "
                            f"expected {', '.join(MATCH_LANGUAGES)}")  # fmt: skip
    for lang in MATCH_LANGUAGES:
        phrases = match.get(lang)
        if phrases is None and lang not in REQUIRED_MATCH_LANGUAGES:
            continue
        if not isinstance(phrases, list) or not phrases:
            raise TaxonomyError(f"{path}: {where}: match.{lang} must be a non-empty list of phrases")
        for phrase in phrases:
            if not isinstance(phrase, str) or not phrase.strip():
                raise TaxonomyError(f"{path}: {where}: match.{lang} has an empty or non-text phrase {phrase!r}")
            if phrase != phrase.lower():
                raise TaxonomyError(f"{path}: {where}: match.{lang} phrase {phrase!r} must be lowercase")
    return TaxonomyEntry(
        key=key,
        label_fr=item["label_fr"],
        label_nl=item["label_nl"],
        label_de=item["label_de"],
        label_en=item["label_en"],
        match=MappingProxyType({lang: tuple(match[lang]) for lang in MATCH_LANGUAGES if lang in match}),
    )


@functools.cache
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy, loaded and validated once per process."""
    return load_taxonomy(TAXONOMY_PATH)


def match_procedure(title: str, language: str, taxonomy: Taxonomy | None = None) -> tuple[str | None, str]:
    """``(procedure_key, match_rule)`` for a procedure title: ``"taxonomy:<phrase>"`` or
    ``(None, "unmatched")``. See the module docstring for the rules (longest phrase wins)."""
    return (taxonomy or default_taxonomy()).match(title, language)
