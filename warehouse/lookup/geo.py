"""Communes for the lookup: postcode, name or point → commune; centroids, border neighbours, distances.

Reads the shipped reference geography (warehouse/reference/data/, SOURCE.md there): the
simplified commune GeoJSON (581 communes, 2019 codes), bpost's postal codes via
:func:`scrapers.registry.postcode_communes` (the registry checks counters' postcodes with it) and
the German names of the municipalities seed (Statbel REFNIS: "Lüttich", "Sankt Vith").
Names match as in the website's search (:mod:`warehouse.site.search_index`): without case or
accents, umlauts optionally written out.
Neighbouring communes are those sharing a border (a shared arc of the source topology).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from scrapers.registry import municipality_rows, postcode_communes
from warehouse.site.search_index import name_keys, normalise

GEOJSON = Path(__file__).resolve().parent.parent / "reference" / "data" / "communes_be.geojson"
EARTH_RADIUS_KM = 6371.0


class PlaceError(ValueError):
    """A postcode, commune or point that names no Belgian commune; the message says which."""


@dataclass(frozen=True)
class Commune:
    """A commune of the reference geometry."""

    nis_code: int
    name_fr: str
    name_nl: str
    name_de: str  # Statbel's German name; "" where REFNIS (2018) has none (communes created in 2019)
    lat: float
    lon: float
    neighbours: tuple[int, ...]
    rings: tuple[tuple[tuple[float, float], ...], ...]  # (lon, lat) rings of the simplified geometry


@cache
def communes() -> dict[int, Commune]:
    """Every commune of the GeoJSON, by NIS code."""
    doc = json.loads(GEOJSON.read_text(encoding="utf-8"))
    german = {int(r["nis_code"]): r["name_de"] for r in municipality_rows() if not r["valid_to"]}
    out = {}
    for f in doc["features"]:
        p = f["properties"]
        rings = tuple(tuple((x, y) for x, y in ring) for poly in f["geometry"]["coordinates"] for ring in poly)
        out[int(p["nis_code"])] = Commune(
            int(p["nis_code"]), p["name_fr"], p["name_nl"], german.get(int(p["nis_code"]), ""),
            p["centroid_lat"], p["centroid_lon"],
            tuple(int(n) for n in p["neighbours"]), rings,
        )  # fmt: skip
    return out


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def by_postcode(postcode: str) -> list[Commune]:
    """Every commune a postal code covers, by NIS code (usually one: a code is a candidate place,
    not an address's commune, so none is picked for the caller).

    bpost's file predates the mergers of 1 January 2019; a code of a commune merged then (9770
    Kruishoutem, now part of Kruisem) is refused with the old commune's name, the reference files
    not saying which commune it joined.
    """
    codes = postcode_communes().get(postcode.strip())
    if not codes:
        raise PlaceError(f"postcode {postcode!r} is not a Belgian postal code")
    ended = sorted(c for c in codes if c not in communes())
    if ended:
        names = {int(r["nis_code"]): r["name_fr"] for r in municipality_rows()}
        which = ", ".join(f"{names.get(c, '?')} ({c:05d})" for c in ended)
        raise PlaceError(
            f"postcode {postcode!r} is listed for {which}, a commune merged on 1 January 2019 into one the "
            "reference does not name: give the current commune with --commune"
        )
    return [communes()[c] for c in sorted(codes)]


def by_name_or_nis(text: str) -> Commune:
    """A commune by its 5-digit NIS code or one of its names (FR, NL or DE; accents optional).

    A name that several communes bear (Saint-Nicolas: 46021 Sint-Niklaas and 62093, near Liège)
    is refused with the candidates' NIS codes rather than guessed.
    """
    text = text.strip()
    if text.isdigit():
        commune = communes().get(int(text))
        if commune is None:
            raise PlaceError(f"{text} is not the NIS code of a commune")
        return commune
    wanted = normalise(text)
    found = [c for c in communes().values() if wanted in name_keys([c.name_fr, c.name_nl, c.name_de])]
    if not found:
        raise PlaceError(f"no Belgian commune is named {text!r}")
    if len(found) > 1:
        names = ", ".join(f"{c.nis_code:05d} {c.name_fr}/{c.name_nl}" for c in found)
        raise PlaceError(f"several communes are named {text!r}: {names}; give the NIS code")
    return found[0]


def at_point(lat: float, lon: float) -> Commune:
    """The commune whose (simplified) outline contains the point, else the one with the nearest centroid."""
    for c in communes().values():
        inside = False
        for ring in c.rings:
            for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
                if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
                    inside = not inside
        if inside:
            return c
    return min(communes().values(), key=lambda c: distance_km(lat, lon, c.lat, c.lon))
