"""The sources registry: a human-edited YAML file of administrations, sources and counters.

Identity is declared here, never inferred: counter and source IDs are minted once in the
registry and never derived from names, URLs or page content. Loading validates every entry
and raises :class:`RegistryError` naming the file, the entry and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from scrapers.vocabulary import ADMINISTRATION_LEVELS, CADENCES, LANGUAGES, PARSERS, REGIONS, SOURCE_KINDS
from scrapers.yaml_file import read_yaml

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")


class RegistryError(ValueError):
    """A malformed registry: the message names file, entry and field."""


@dataclass(frozen=True)
class Administration:
    """A public body (federal service, union payment office, commune, CPAS...)."""

    id: str
    name_fr: str | None
    name_nl: str | None
    level: str
    region: str
    nis_code: int | None = None


@dataclass(frozen=True)
class Counter:
    """A physical reception point declared in the registry, matched on pages by `match` strings."""

    id: str
    source_id: str
    name: str
    match: tuple[str, ...]
    address: str | None = None
    nis_code: int | None = None


@dataclass(frozen=True)
class Source:
    """One page (possibly at several URLs over time) that publishes counters' hours or procedures."""

    id: str
    administration: str
    kind: str
    urls: tuple[str, ...]
    language: str
    parser: str = "auto"
    cadence: str = "weekly"
    rate_limit_per_s: float = 1.0
    counters: tuple[Counter, ...] = ()


@dataclass(frozen=True)
class Registry:
    """A validated registry file."""

    path: Path
    name: str
    illustrative: bool
    administrations: tuple[Administration, ...]
    sources: tuple[Source, ...]
    notice: str | None = None
    _by_id: dict = field(default_factory=dict, compare=False, repr=False)

    def source(self, source_id: str) -> Source:
        """Return one source by ID or raise KeyError naming it."""
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(f"source {source_id!r} is not in registry {self.path}")

    def counters(self) -> list[Counter]:
        """All declared counters, in registry order."""
        return [c for s in self.sources for c in s.counters]


def load_registry(path: str | Path) -> Registry:
    """Read and validate a registry YAML file."""
    path = Path(path)
    doc = read_yaml(path, RegistryError, "registry")
    if not isinstance(doc, dict):
        raise RegistryError(f"{path}: top level must be a mapping with 'administrations' and 'sources'")
    v = _Validator(path)
    admins = tuple(v.administration(i, a) for i, a in enumerate(v.items(doc, "administrations")))
    admin_ids = v.unique([a.id for a in admins], "administrations")
    sources = tuple(v.source(i, s, set(admin_ids)) for i, s in enumerate(v.items(doc, "sources")))
    v.unique([s.id for s in sources], "sources")
    v.unique([c.id for s in sources for c in s.counters], "counters")
    return Registry(
        path=path,
        name=str(doc.get("registry", path.stem)),
        illustrative=bool(doc.get("illustrative", False)),
        notice=doc.get("notice"),
        administrations=admins,
        sources=sources,
    )


class _Validator:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, msg: str) -> RegistryError:
        return RegistryError(f"{self.path}: {where}: {msg}")

    def items(self, doc: dict, key: str) -> list[dict]:
        items = doc.get(key)
        if not isinstance(items, list) or not items:
            raise self.fail(key, "must be a non-empty list")
        return items

    def unique(self, ids: list[str], what: str) -> list[str]:
        seen: set[str] = set()
        for i in ids:
            if i in seen:
                raise self.fail(what, f"duplicate id {i!r} (IDs are minted once and never reused)")
            seen.add(i)
        return ids

    def field(self, entry: dict, where: str, name: str, *, required: bool = True, choices=None, default=None):
        if not isinstance(entry, dict):
            raise self.fail(where, "must be a mapping")
        if name not in entry or entry[name] is None:
            if required:
                raise self.fail(where, f"field '{name}' is required")
            return default
        value = entry[name]
        if choices is not None and value not in choices:
            raise self.fail(where, f"field '{name}' is {value!r}; expected one of {', '.join(choices)}")
        return value

    def ident(self, entry: dict, where: str) -> str:
        value = self.field(entry, where, "id")
        if not isinstance(value, str) or not _ID.match(value):
            raise self.fail(where, f"field 'id' is {value!r}; expected lowercase letters, digits and '-'")
        return value

    def administration(self, i: int, a: dict) -> Administration:
        where = f"administrations[{i}]"
        aid = self.ident(a, where)
        where = f"administrations[{i}] ({aid})"
        if not (a.get("name_fr") or a.get("name_nl")):
            raise self.fail(where, "field 'name_fr' or 'name_nl' is required")
        nis = self.field(a, where, "nis_code", required=False)
        if nis is not None and not (isinstance(nis, int) and 10000 <= nis <= 99999):
            raise self.fail(where, f"field 'nis_code' is {nis!r}; expected a 5-digit NIS code")
        return Administration(
            id=aid,
            name_fr=a.get("name_fr"),
            name_nl=a.get("name_nl"),
            level=self.field(a, where, "level", choices=ADMINISTRATION_LEVELS),
            region=self.field(a, where, "region", choices=REGIONS),
            nis_code=nis,
        )

    def source(self, i: int, s: dict, admin_ids: set[str]) -> Source:
        where = f"sources[{i}]"
        sid = self.ident(s, where)
        where = f"sources[{i}] ({sid})"
        admin = self.field(s, where, "administration")
        if admin not in admin_ids:
            raise self.fail(where, f"field 'administration' is {admin!r}, which is not declared")
        urls = s.get("urls") or ([s["url"]] if s.get("url") else None)
        if not urls or not all(isinstance(u, str) and re.match(r"^https?://[^/\s]+", u) for u in urls):
            raise self.fail(where, "field 'urls' must list one or more http(s) URLs")
        rate = self.field(s, where, "rate_limit_per_s", required=False, default=1.0)
        if not isinstance(rate, int | float) or not 0 < rate <= 10:
            raise self.fail(where, f"field 'rate_limit_per_s' is {rate!r}; expected a number in (0, 10]")
        counters = tuple(self.counter(sid, j, c) for j, c in enumerate(s.get("counters") or []))
        return Source(
            id=sid,
            administration=admin,
            kind=self.field(s, where, "kind", choices=SOURCE_KINDS),
            urls=tuple(urls),
            language=self.field(s, where, "language", choices=LANGUAGES),
            parser=self.field(s, where, "parser", required=False, choices=PARSERS, default="auto"),
            cadence=self.field(s, where, "cadence", required=False, choices=CADENCES, default="weekly"),
            rate_limit_per_s=float(rate),
            counters=counters,
        )

    def counter(self, sid: str, j: int, c: dict) -> Counter:
        where = f"sources ({sid}).counters[{j}]"
        cid = self.ident(c, where)
        where = f"sources ({sid}).counters[{j}] ({cid})"
        name = self.field(c, where, "name")
        match = c.get("match") or [name]
        if not isinstance(match, list) or not all(isinstance(m, str) and m.strip() for m in match):
            raise self.fail(where, "field 'match' must be a list of non-empty strings")
        nis = self.field(c, where, "nis_code", required=False)
        return Counter(
            id=cid,
            source_id=sid,
            name=name,
            match=tuple(m.lower() for m in match),
            address=c.get("address"),
            nis_code=nis,
        )
