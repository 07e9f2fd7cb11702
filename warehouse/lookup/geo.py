"""Communes for the lookup: postcode, name or point → commune; centroids, border neighbours, distances.

Reads the shipped reference geography (warehouse/reference/data/, SOURCE.md there): the
simplified commune GeoJSON (581 communes, 2019 codes) and bpost's postal codes via
:func:`scrapers.registry.postcode_communes` (the registry checks counters' postcodes with it).
Neighbouring communes are those sharing a border (a shared arc of the source topology).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from scrapers.registry import postcode_communes
from scrapers.text import fold

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
    lat: float
    lon: float
    neighbours: tuple[int, ...]
    rings: tuple[tuple[tuple[float, float], ...], ...]  # (lon, lat) rings of the simplified geometry


@cache
def communes() -> dict[int, Commune]:
    """Every commune of the GeoJSON, by NIS code."""
    doc = json.loads(GEOJSON.read_text(encoding="utf-8"))
    out = {}
    for f in doc["features"]:
        p = f["properties"]
        rings = tuple(tuple((x, y) for x, y in ring) for poly in f["geometry"]["coordinates"] for ring in poly)
        out[int(p["nis_code"])] = Commune(
            int(p["nis_code"]), p["name_fr"], p["name_nl"], p["centroid_lat"], p["centroid_lon"],
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
    """The communes a postal code covers (usually one)."""
    codes = postcode_communes().get(postcode.strip())
    if not codes:
        raise PlaceError(f"postcode {postcode!r} is not a Belgian postal code")
    return [communes()[c] for c in sorted(codes) if c in communes()]


def by_name_or_nis(text: str, extra_names: dict[int, list[str]] | None = None) -> Commune:
    """A commune by its 5-digit NIS code or its name (FR/NL, or ``extra_names`` such as DE; accents optional)."""
    text = text.strip()
    if text.isdigit():
        commune = communes().get(int(text))
        if commune is None:
            raise PlaceError(f"{text} is not the NIS code of a commune")
        return commune
    wanted = fold(text)
    for c in communes().values():
        names = [c.name_fr, c.name_nl, *(extra_names or {}).get(c.nis_code, [])]
        if any(fold(n) == wanted for n in names if n):
            return c
    raise PlaceError(f"no Belgian commune is named {text!r}")


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
