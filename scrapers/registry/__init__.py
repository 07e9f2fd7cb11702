"""The sources registry: a human-edited YAML file of administrations, sources and counters.

Identity is declared here, never inferred: counter and source IDs are minted once in the
registry and never derived from names, URLs or page content. Loading validates every entry
against the registry schema (:data:`SCHEMA`, published as ``docs/registry-schema.json``) and
then across entries (duplicate IDs, undeclared administrations, unknown NIS codes); the first
problem raises :class:`RegistryError` naming the file, the line, the entry and the field.

``python -m scrapers.registry --schema`` prints the JSON Schema; ``python -m scrapers.registry
FILE...`` checks registry files (exit 2 on the first malformed one).
"""

from __future__ import annotations

import csv
import difflib
import json
import re
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from scrapers.registry.yaml_file import YamlPath, read_yaml_with_lines
from scrapers.vocabulary import ADMINISTRATION_LEVELS, CADENCES, LANGUAGES, PARSERS, REGIONS, SOURCE_KINDS

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
_URL = re.compile(r"^https?://[^/\s]+")
# The politeness ceiling: no registry may ask for more requests per second towards one site.
MAX_RATE_PER_S = 10.0
# The communes' NIS codes known to the project (every code valid since 1977, with its validity
# period): the dbt seed built by warehouse/reference/geo.py from Statbel's files.
MUNICIPALITIES_SEED = Path(__file__).resolve().parents[2] / "dbt" / "seeds" / "belgian_municipalities.csv"
# bpost postal codes → communes' NIS codes (warehouse/reference/data/SOURCE.md): a counter's
# postcode must belong to its commune.
POSTCODES = Path(__file__).resolve().parents[2] / "warehouse" / "reference" / "data" / "postcode_to_nis.csv"
# Help points' kinds: who helps a person through a procedure (docs/social-workers.md).
HELP_POINT_KINDS: tuple[str, ...] = ("cpas", "union", "capac", "mutuality", "digital_space", "intermediary")


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
    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None
    booking_url: str | None = None
    languages: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()


@dataclass(frozen=True)
class HelpPoint:
    """Counters where a person can get help with one procedure (CPAS, union, CAPAC, public digital space...)."""

    procedure: str
    kind: str
    counters: tuple[str, ...]
    note: str | None = None


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
    help_points: tuple[HelpPoint, ...] = ()
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


@dataclass(frozen=True)
class Field:
    """One field of a registry entry: its JSON type and constraints, a small subset of JSON Schema.

    This table is the registry schema: the loader checks files against it, and
    :func:`json_schema` publishes it as ``docs/registry-schema.json``.
    """

    type: str  # JSON type: "string", "integer", "number", "boolean" or "array"
    description: str
    required: bool = False
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    exclusive_minimum: float | None = None
    maximum: float | None = None
    min_items: int | None = None
    items: Field | str | None = None  # an array's items: a Field, or the name of an entry kind
    default: Any = None
    expected: str | None = None  # what a value out of range or off pattern should have been, for messages


_NIS = Field(
    "integer",
    "The commune's 5-digit NIS (REFNIS) code; it must be listed in dbt/seeds/belgian_municipalities.csv.",
    minimum=10000,
    maximum=99999,
    expected="a 5-digit NIS code",
)


def _id_field(what: str) -> Field:
    return Field(
        "string",
        f"The {what}'s ID, minted once by hand and never reused; unique among the registry's {what}s.",
        required=True,
        pattern=_ID.pattern,
        expected="lowercase letters, digits and '-'",
    )


SCHEMA: dict[str, dict[str, Field]] = {
    "registry": {
        "registry": Field("string", "The registry's name (sample, production); defaults to the file name."),
        "illustrative": Field(
            "boolean", "True when the data built from this registry must not be cited as facts.", default=False
        ),
        "notice": Field("string", "A sentence carried into releases: what the data is and how far to trust it."),
        "administrations": Field("array", "The public bodies.", required=True, min_items=1, items="administration"),
        "sources": Field("array", "The pages collected.", required=True, min_items=1, items="source"),
        "help_points": Field(
            "array",
            "Per procedure, the declared counters where a person can get help with it.",
            items="help_point",
            default=(),
        ),
    },
    "administration": {
        "id": _id_field("administration"),
        "name_fr": Field("string", "The body's name in French (name_fr or name_nl is required)."),
        "name_nl": Field("string", "The body's name in Dutch (name_fr or name_nl is required)."),
        "level": Field("string", "The kind of body.", required=True, enum=ADMINISTRATION_LEVELS),
        "region": Field("string", "The region the body serves.", required=True, enum=REGIONS),
        "nis_code": _NIS,
    },
    "source": {
        "id": _id_field("source"),
        "administration": Field("string", "The id of a declared administration.", required=True),
        "kind": Field("string", "What the page publishes.", required=True, enum=SOURCE_KINDS),
        "urls": Field(
            "array",
            "Every URL the page has lived at, oldest first (urls or url is required).",
            min_items=1,
            items=Field("string", "An http(s) URL.", pattern=_URL.pattern, expected="an http(s) URL"),
        ),
        "url": Field("string", "A single URL, instead of urls.", pattern=_URL.pattern, expected="an http(s) URL"),
        "language": Field(
            "string", "The page's language (decides how day names are read).", required=True, enum=LANGUAGES
        ),
        "parser": Field("string", "The page layout's parser.", enum=PARSERS, default="auto"),
        "cadence": Field("string", "How often the page is collected.", enum=CADENCES, default="weekly"),
        "rate_limit_per_s": Field(
            "number",
            f"Requests per second towards the page's site; at most {MAX_RATE_PER_S:g} (the politeness ceiling).",
            exclusive_minimum=0,
            maximum=MAX_RATE_PER_S,
            default=1.0,
            expected=f"a number in (0, {MAX_RATE_PER_S:g}] (the politeness ceiling is {MAX_RATE_PER_S:g} requests/s)",
        ),
        "counters": Field("array", "The reception points the page lists.", items="counter", default=()),
    },
    "counter": {
        "id": _id_field("counter"),
        "name": Field("string", "The counter's name.", required=True),
        "match": Field(
            "array",
            "Strings that identify the counter's block on the page (default: [name]).",
            min_items=1,
            items=Field("string", "A non-empty string.", pattern=r"\S", expected="a non-empty string"),
        ),
        "address": Field("string", "The counter's postal address."),
        "nis_code": _NIS,
        "postcode": Field(
            "string",
            "The counter's 4-digit postal code; it must belong to the counter's commune (nis_code).",
            pattern=r"^[1-9][0-9]{3}$",
            expected="a 4-digit Belgian postal code",
        ),
        "latitude": Field(
            "number",
            "WGS 84 latitude, where published (with longitude).",
            minimum=49.49,
            maximum=51.51,
            expected="a latitude in Belgium (49.49 to 51.51)",
        ),
        "longitude": Field(
            "number",
            "WGS 84 longitude, where published (with latitude).",
            minimum=2.54,
            maximum=6.41,
            expected="a longitude in Belgium (2.54 to 6.41)",
        ),
        "phone": Field(
            "string",
            "The counter's public phone number, as published.",
            pattern=r"^\+?[0-9][0-9 ./()-]{5,}$",
            expected="a phone number (digits, spaces, '+', '/', '.', '-')",
        ),
        "booking_url": Field(
            "string", "Where to book an appointment.", pattern=_URL.pattern, expected="an http(s) URL"
        ),
        "languages": Field(
            "array",
            "Languages served at the counter.",
            min_items=1,
            items=Field("string", "A language code.", enum=LANGUAGES),
        ),
        "procedures": Field(
            "array",
            "Procedures handled at the counter: keys of the procedure taxonomy (scrapers/procedures/taxonomy.yaml).",
            min_items=1,
            items=Field("string", "A procedure key.", pattern=_ID.pattern, expected="a procedure key"),
        ),
    },
    "help_point": {
        "procedure": Field("string", "A key of the procedure taxonomy.", required=True),
        "kind": Field("string", "Who helps.", required=True, enum=HELP_POINT_KINDS),
        "counters": Field(
            "array",
            "IDs of declared counters (with their own hours).",
            required=True,
            min_items=1,
            items=Field("string", "A counter ID.", pattern=_ID.pattern, expected="a counter ID"),
        ),
        "note": Field("string", "What help is given there (one sentence)."),
    },
}
# At least one of these fields per entry (JSON Schema ``anyOf`` of ``required``).
ONE_OF_REQUIRED: dict[str, tuple[str, ...]] = {"administration": ("name_fr", "name_nl"), "source": ("urls", "url")}
# Levels whose administrations must carry their commune's NIS code.
LOCAL_LEVELS = ("commune", "cpas")
_JSON_TYPES = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
               "array": "a list", "object": "a mapping"}  # fmt: skip


def json_schema() -> dict:
    """The registry schema as a JSON Schema (draft 2020-12), as published in ``docs/registry-schema.json``.

    Checks across entries (unique IDs, declared administrations, NIS codes in the municipalities
    seed) cannot be written in JSON Schema; the loader adds them, and the descriptions say so.
    """

    def field_schema(f: Field) -> dict:
        out: dict[str, Any] = {"description": f.description} if f.description else {}
        out["type"] = f.type if f.required else [f.type, "null"]
        for key, value in (("enum", f.enum), ("pattern", f.pattern), ("minimum", f.minimum),
                           ("exclusiveMinimum", f.exclusive_minimum), ("maximum", f.maximum),
                           ("minItems", f.min_items)):  # fmt: skip
            if value is not None:
                out[key] = list(value) if isinstance(value, tuple) else value
        if isinstance(f.items, Field):
            out["items"] = {k: v for k, v in field_schema(f.items).items() if k != "type"} | {"type": f.items.type}
        elif f.items is not None:
            out["items"] = {"$ref": f"#/$defs/{f.items}"}
        if f.default not in (None, ()):
            out["default"] = f.default
        return out

    def entry_schema(kind: str) -> dict:
        fields = SCHEMA[kind]
        out: dict[str, Any] = {
            "type": "object",
            "additionalProperties": False,
            "required": [name for name, f in fields.items() if f.required],
            "properties": {name: field_schema(f) for name, f in fields.items()},
        }
        if kind in ONE_OF_REQUIRED:
            out["anyOf"] = [{"required": [name]} for name in ONE_OF_REQUIRED[kind]]
        return out

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "guichets sources registry",
        "description": (
            "A sources registry (scrapers/registries/*.yaml). Generated from scrapers/registry/__init__.py "
            "(python -m scrapers.registry --schema). The loader also refuses duplicate IDs, sources "
            "of undeclared administrations, NIS codes not in dbt/seeds/belgian_municipalities.csv, "
            "commune and CPAS administrations without a NIS code, keys written twice in a mapping, "
            "postcodes outside the counter's commune, a latitude without a longitude, procedure keys "
            "not in the procedure taxonomy and help points naming undeclared counters."
        ),
        **entry_schema("registry"),
        "$defs": {kind: entry_schema(kind) for kind in ("administration", "source", "counter", "help_point")},
    }


@cache
def municipality_rows() -> tuple[dict[str, str], ...]:
    """The rows of the municipalities seed: one per commune code and validity period (``nis_code``,
    ``name_fr``, ``name_nl``, ``name_de``, ``valid_from``, ``valid_to``...; ended codes too)."""
    try:
        with MUNICIPALITIES_SEED.open(encoding="utf-8", newline="") as f:
            return tuple(csv.DictReader(f))
    except OSError as exc:
        raise RegistryError(
            f"{MUNICIPALITIES_SEED}: cannot read the municipalities seed: {exc.strerror or exc}"
        ) from exc


@cache
def known_nis_codes() -> frozenset[int]:
    """Every commune NIS code in the municipalities seed (current and ended ones)."""
    return frozenset(int(row["nis_code"]) for row in municipality_rows())


@cache
def postcode_communes() -> dict[str, frozenset[int]]:
    """Each postal code's communes (current NIS codes), from :data:`POSTCODES`.

    The file predates the renumbering of 1 January 2019 (some Hainaut communes): a code that
    ended then is read as its successor, the commune of the same name whose code starts the next day.
    """
    seed = municipality_rows()
    starts = {(r["name_fr"], r["valid_from"]): int(r["nis_code"]) for r in seed}
    successor = {
        int(r["nis_code"]): starts[(r["name_fr"], "2019-01-01")]
        for r in seed
        if r["valid_to"] == "2018-12-31" and (r["name_fr"], "2019-01-01") in starts
    }
    out: dict[str, set[int]] = {}
    try:
        with POSTCODES.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter=";"):
                nis = int(row["nis"])
                out.setdefault(row["postcode"], set()).add(successor.get(nis, nis))
    except OSError as exc:
        raise RegistryError(f"{POSTCODES}: cannot read the postal codes: {exc.strerror or exc}") from exc
    return {k: frozenset(v) for k, v in out.items()}


@cache
def procedure_keys() -> tuple[str, ...]:
    """The procedure taxonomy's keys (a counter's procedures and help points name them)."""
    # Imported here: scrapers.procedures imports the parsers, which import this module.
    from scrapers.procedures.taxonomy import load_taxonomy

    return load_taxonomy().keys


def load_registry(path: str | Path) -> Registry:
    """Read and validate a registry YAML file; raise :class:`RegistryError` at the first problem."""
    path = Path(path)
    doc, lines = read_yaml_with_lines(path, RegistryError, "registry")
    v = _Validator(path, lines)
    top = v.entry("registry", doc, (), "top level")
    admins = tuple(v.administration(i, a) for i, a in enumerate(top["administrations"]))
    v.unique([(a.id, ("administrations", i)) for i, a in enumerate(admins)], "administrations")
    admin_ids = {a.id for a in admins}
    sources = tuple(v.source(i, s, admin_ids) for i, s in enumerate(top["sources"]))
    v.unique([(s.id, ("sources", i)) for i, s in enumerate(sources)], "sources")
    v.unique(
        [(c.id, ("sources", i, "counters", j)) for i, s in enumerate(sources) for j, c in enumerate(s.counters)],
        "counters",
    )
    counter_ids = {c.id for s in sources for c in s.counters}
    help_points = tuple(v.help_point(i, h, counter_ids) for i, h in enumerate(top["help_points"]))
    return Registry(
        path=path,
        name=top["registry"] if top["registry"] is not None else path.stem,
        illustrative=top["illustrative"],
        notice=top["notice"],
        administrations=admins,
        sources=sources,
        help_points=help_points,
    )


class _Validator:
    """Checks one file's entries against :data:`SCHEMA`; errors name the file, line, entry and field."""

    def __init__(self, path: Path, lines: dict[YamlPath, int]) -> None:
        self.path = path
        self.lines = lines

    def fail(self, at: YamlPath, where: str, msg: str) -> RegistryError:
        # The line of the value itself, else of the nearest enclosing key or item that has one.
        while at and at not in self.lines:
            at = at[:-1]
        line = self.lines.get(at)
        return RegistryError(f"{self.path}{f':{line}' if line else ''}: {where}: {msg}")

    def entry(self, kind: str, value: Any, at: YamlPath, where: str) -> dict[str, Any]:
        """The entry's fields, checked against the schema, with defaults for absent ones (None = absent)."""
        if not isinstance(value, dict):
            raise self.fail(at, where, f"must be a mapping of fields, not {_describe(value)}")
        fields = SCHEMA[kind]
        for name in value:
            if name not in fields:
                close = difflib.get_close_matches(str(name), fields, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'? " if close else ""
                raise self.fail((*at, name), where, f"unknown field '{name}' ({hint}a {kind} has: {', '.join(fields)})")
        for name, f in fields.items():
            if f.required and value.get(name) is None:
                raise self.fail(at, where, f"field '{name}' is required")
        if kind in ONE_OF_REQUIRED and all(value.get(n) is None for n in ONE_OF_REQUIRED[kind]):
            names = ONE_OF_REQUIRED[kind]
            raise self.fail(at, where, f"field '{names[0]}' or '{names[1]}' is required")
        out = {}
        for name, f in fields.items():
            raw = value.get(name)
            out[name] = f.default if raw is None else self.value(f, raw, (*at, name), where, name)
        return out

    def value(self, f: Field, raw: Any, at: YamlPath, where: str, name: str) -> Any:
        """One value checked against its field (``name``: ``rate_limit_per_s``, ``urls[0]``...): type,
        then choices, pattern, range and items."""
        what = f"field '{name}'"
        if not _is_type(raw, f.type):
            raise self.fail(at, where, f"{what} is {_describe(raw)}; expected {_JSON_TYPES[f.type]}")
        expected = f"expected {f.expected}" if f.expected else ""
        if f.enum is not None and raw not in f.enum:
            raise self.fail(at, where, f"{what} is {raw!r}; expected one of {', '.join(f.enum)}")
        if f.pattern is not None and not re.search(f.pattern, raw):
            raise self.fail(at, where, f"{what} is {raw!r}; {expected or f'expected a match of {f.pattern}'}")
        too_low = (f.minimum is not None and raw < f.minimum) or (
            f.exclusive_minimum is not None and raw <= f.exclusive_minimum
        )
        if too_low or (f.maximum is not None and raw > f.maximum):
            raise self.fail(at, where, f"{what} is {raw!r}; {expected or 'out of range'}")
        if f.type != "array":
            return raw
        if f.min_items is not None and len(raw) < f.min_items:
            raise self.fail(at, where, f"{what} must list at least {f.min_items} item(s)")
        if isinstance(f.items, Field):
            return tuple(self.value(f.items, x, (*at, i), where, f"{name}[{i}]") for i, x in enumerate(raw))
        return raw  # lists of entries are checked entry by entry by their caller

    def unique(self, ids: list[tuple[str, YamlPath]], what: str) -> None:
        seen: dict[str, YamlPath] = {}
        for ident, at in ids:
            if ident in seen:
                first = self.lines.get(seen[ident])
                raise self.fail(
                    (*at, "id"),
                    what,
                    f"duplicate id {ident!r}{f' (first on line {first})' if first else ''}: IDs are minted once "
                    "and never reused",
                )
            seen[ident] = at

    def label(self, base: str, value: Any) -> str:
        """``sources[3]``, or ``sources[3] (its-id)`` once the ID is known to be valid."""
        ident = value.get("id") if isinstance(value, dict) else None
        return f"{base} ({ident})" if isinstance(ident, str) and _ID.match(ident) else base

    def nis(self, value: int | None, at: YamlPath, where: str) -> int | None:
        if value is not None and value not in known_nis_codes():
            raise self.fail(
                at,
                where,
                f"field 'nis_code' is {value}, which is not a Belgian commune's NIS code "
                f"(not in {MUNICIPALITIES_SEED.relative_to(MUNICIPALITIES_SEED.parents[2])})",
            )
        return value

    def administration(self, i: int, raw: Any) -> Administration:
        at = ("administrations", i)
        where = self.label(f"administrations[{i}]", raw)
        a = self.entry("administration", raw, at, where)
        if a["level"] in LOCAL_LEVELS and a["nis_code"] is None:
            raise self.fail(at, where, f"field 'nis_code' is required for a {a['level']} administration")
        return Administration(
            id=a["id"],
            name_fr=a["name_fr"],
            name_nl=a["name_nl"],
            level=a["level"],
            region=a["region"],
            nis_code=self.nis(a["nis_code"], (*at, "nis_code"), where),
        )

    def source(self, i: int, raw: Any, admin_ids: set[str]) -> Source:
        at = ("sources", i)
        where = self.label(f"sources[{i}]", raw)
        s = self.entry("source", raw, at, where)
        if s["administration"] not in admin_ids:
            raise self.fail(
                (*at, "administration"),
                where,
                f"field 'administration' is {s['administration']!r}, which is not declared",
            )
        if s["urls"] is not None and s["url"] is not None:
            raise self.fail((*at, "url"), where, "give field 'urls' or 'url', not both")
        counters = tuple(self.counter(s["id"], where, (*at, "counters", j), c) for j, c in enumerate(s["counters"]))
        return Source(
            id=s["id"],
            administration=s["administration"],
            kind=s["kind"],
            urls=s["urls"] or (s["url"],),
            language=s["language"],
            parser=s["parser"],
            cadence=s["cadence"],
            rate_limit_per_s=float(s["rate_limit_per_s"]),
            counters=counters,
        )

    def procedure_key(self, key: str, at: YamlPath, where: str, name: str) -> str:
        keys = procedure_keys()
        if key not in keys:
            close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise self.fail(at, where, f"field '{name}' is {key!r}, which is not a key of the procedure taxonomy{hint}")
        return key

    def counter(self, source_id: str, source_where: str, at: YamlPath, raw: Any) -> Counter:
        where = self.label(f"{source_where}.counters[{at[-1]}]", raw)
        c = self.entry("counter", raw, at, where)
        nis = self.nis(c["nis_code"], (*at, "nis_code"), where)
        if (c["latitude"] is None) != (c["longitude"] is None):
            raise self.fail(at, where, "give fields 'latitude' and 'longitude' together, or neither")
        if c["postcode"] is not None and nis is not None:
            communes = postcode_communes().get(c["postcode"])
            if communes is not None and nis not in communes:
                raise self.fail(
                    (*at, "postcode"),
                    where,
                    f"field 'postcode' is {c['postcode']!r}, which is not a postal code of commune {nis} "
                    f"(it is one of {', '.join(map(str, sorted(communes)))})",
                )
        procedures = tuple(
            self.procedure_key(k, (*at, "procedures", i), where, f"procedures[{i}]")
            for i, k in enumerate(c["procedures"] or ())
        )
        return Counter(
            id=c["id"],
            source_id=source_id,
            name=c["name"],
            match=tuple(m.lower() for m in (c["match"] or (c["name"],))),
            address=c["address"],
            nis_code=nis,
            postcode=c["postcode"],
            latitude=None if c["latitude"] is None else float(c["latitude"]),
            longitude=None if c["longitude"] is None else float(c["longitude"]),
            phone=c["phone"],
            booking_url=c["booking_url"],
            languages=c["languages"] or (),
            procedures=procedures,
        )

    def help_point(self, i: int, raw: Any, counter_ids: set[str]) -> HelpPoint:
        at = ("help_points", i)
        where = f"help_points[{i}]"
        h = self.entry("help_point", raw, at, where)
        where = f"help_points[{i}] ({h['procedure']})"
        self.procedure_key(h["procedure"], (*at, "procedure"), where, "procedure")
        for j, ctr in enumerate(h["counters"]):
            if ctr not in counter_ids:
                raise self.fail(
                    (*at, "counters", j), where, f"field 'counters[{j}]' is {ctr!r}, which is not a declared counter"
                )
        return HelpPoint(procedure=h["procedure"], kind=h["kind"], counters=h["counters"], note=h["note"])


def _is_type(value: Any, json_type: str) -> bool:
    # YAML's true/false are Python bools, which are ints: never a count, a rate or a code.
    if isinstance(value, bool):
        return json_type == "boolean"
    return isinstance(value, {"string": str, "integer": int, "number": int | float, "boolean": bool,
                              "array": list}[json_type])  # fmt: skip


def _describe(value: Any) -> str:
    kind = {bool: "true or false", str: "a string", int: "an integer", float: "a number", list: "a list",
            dict: "a mapping", type(None): "empty"}.get(type(value), type(value).__name__)  # fmt: skip
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return kind if value is None else f"{shown if len(shown) <= 60 else shown[:57] + '...'} ({kind})"


def main(argv: list[str] | None = None) -> int:
    """``--schema``: print the JSON Schema; else check each registry file given (exit 2 on the first error)."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--schema"]:
        print(json.dumps(json_schema(), ensure_ascii=False, indent=2))
        return 0
    if not args:
        print("usage: python -m scrapers.registry --schema | FILE...", file=sys.stderr)
        return 2
    for name in args:
        try:
            reg = load_registry(name)
        except RegistryError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"{name}: ok ({len(reg.administrations)} administrations, {len(reg.sources)} sources)")
    return 0
