"""Build the simplified commune GeoJSON (``data/communes_be.geojson``) from a TopoJSON of Belgian communes.

The input is bmesuere/belgium-topojson's ``belgium.json`` (CC0 1.0; 581 communes, Statbel's 2019
REFNIS codes; see data/SOURCE.md). Arcs are simplified once each (Douglas-Peucker), so that
communes sharing a border keep sharing it exactly; neighbours are the communes that share an arc
in the unsimplified topology (a common border, not a distance). Centroids are the area-weighted
centroids of the unsimplified polygons, in degrees (planar on lon/lat: under 100 m off at
Belgium's size, enough to order counters by distance).

``python -m warehouse.reference.communes_geojson belgium.json OUT.geojson``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Degrees (about 150 m): the website's map is drawn at commune scale, where less is invisible.
TOLERANCE_DEG = 0.0015
DECIMALS = 4  # about 10 m


def _decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def _simplify(pts: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iterative; keeps both ends."""
    if len(pts) < 3:
        return pts
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = pts[a], pts[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, idx = -1.0, -1
        for i in range(a + 1, b):
            px, py = pts[i]
            d = abs(dy * (px - ax) - dx * (py - ay)) / norm if norm else ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            if d > best:
                best, idx = d, i
        if idx > 0 and best > tol:
            keep[idx] = True
            stack += [(a, idx), (idx, b)]
    return [p for p, k in zip(pts, keep, strict=True) if k]


def _ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for i in indices:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(pts if not out else pts[1:])
    return out


def _polygons(geom: dict) -> list[list[list[int]]]:
    return [geom["arcs"]] if geom["type"] == "Polygon" else geom["arcs"]


def _centroid(rings: list[list[tuple[float, float]]]) -> tuple[float, float]:
    area = cx = cy = 0.0
    for ring in rings:  # holes are wound the other way, so they subtract
        for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
    return cx / (3 * area), cy / (3 * area)


def build(topo: dict) -> dict:
    """The simplified GeoJSON FeatureCollection, one feature per commune, sorted by NIS code."""
    arcs = _decode_arcs(topo)
    simple = [_simplify(a, TOLERANCE_DEG) for a in arcs]
    geoms = topo["objects"]["municipalities"]["geometries"]
    arc_owners: dict[int, set[str]] = {}
    for g in geoms:
        for poly in _polygons(g):
            for ring in poly:
                for i in ring:
                    arc_owners.setdefault(i if i >= 0 else ~i, set()).add(g["properties"]["nis"])
    features = []
    for g in sorted(geoms, key=lambda g: g["properties"]["nis"]):
        p = g["properties"]
        nis = p["nis"]
        full = [_ring(ring, arcs) for poly in _polygons(g) for ring in poly]
        lon, lat = _centroid(full)
        neighbours = sorted({o for poly in _polygons(g) for ring in poly for i in ring
                             for o in arc_owners[i if i >= 0 else ~i]} - {nis})  # fmt: skip
        coords = [
            [[[round(x, DECIMALS), round(y, DECIMALS)] for x, y in _ring(ring, simple)] for ring in poly]
            for poly in _polygons(g)
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "nis_code": nis,
                    "name_fr": p["name_fr"],
                    "name_nl": p["name_nl"],
                    "centroid_lat": round(lat, 5),
                    "centroid_lon": round(lon, 5),
                    "neighbours": neighbours,
                },
                "geometry": {"type": "MultiPolygon", "coordinates": coords},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str] | None = None) -> int:
    """``TOPOJSON OUT``: write the simplified GeoJSON."""
    src, out = (sys.argv[1:] if argv is None else argv)[:2]
    doc = build(json.loads(Path(src).read_text(encoding="utf-8")))
    Path(out).write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{out}: {len(doc['features'])} communes, {Path(out).stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
