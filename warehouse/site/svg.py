"""Charts and the commune map of the website, drawn at build time as plain SVG (no script, no font file).

Deterministic: coordinates are rounded, features and bars drawn in a fixed order, so the same
release gives the same bytes. Every chart carries ``role="img"`` and a label; the numbers it
draws are also in a table beside it (and that table's CSV).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape

TEXT = "#1f2328"
GRID = "#8c959f"
RISE = "#0b5cad"
FALL = "#b42318"


def _num(x: float) -> str:
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def change_bars(points: list[tuple[str, float | None, bool]], label: str, unit: str = "h") -> str:
    """Bars of a change per month around a zero line: (month label, change or None, indicative).

    A month without a value gets no bar (and a gap, never a zero); an indicative month is drawn
    lighter.
    """
    width, height, left, right, top, bottom = 640, 220, 56, 12, 14, 40
    values = [v for _m, v, _i in points if v is not None]
    high = max([0.0, *values])
    low = min([0.0, *values])
    if high == low:
        high = 1.0
    span = high - low
    plot_h = height - top - bottom
    plot_w = width - left - right

    def y(v: float) -> float:
        return top + (high - v) / span * plot_h

    step = plot_w / max(1, len(points))
    bar_w = max(2.0, step * 0.7)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img"'
        f' aria-label="{escape(label)}" class="chart"><title>{escape(label)}</title>'
    ]
    for tick in sorted({high, 0.0, low}):
        ty = y(tick)
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{_num(ty)}" y2="{_num(ty)}" stroke="{GRID}"'
            f' stroke-width="{1.5 if tick == 0 else 0.5}"/>'
            f'<text x="{left - 6}" y="{_num(ty + 4)}" text-anchor="end" font-size="12" fill="{TEXT}">'
            f"{escape(_signed(tick))}\u00a0{escape(unit)}</text>"
        )
    # Month labels must not overlap: as many as fit (12px text: a glyph is about 0.6em wide on
    # average), counted back from the latest month so that it is always labelled.
    label_w = max((len(m) for m, _v, _i in points), default=0) * 7.2 + 8
    every = max(1, math.ceil(len(points) * label_w / plot_w))
    labelled = set(range(len(points) - 1, -1, -every))
    for i, (month, value, indicative) in enumerate(points):
        x = left + i * step + (step - bar_w) / 2
        if value is not None and value != 0:
            y0, y1 = sorted((y(0.0), y(value)))
            colour = RISE if value > 0 else FALL
            opacity = ' fill-opacity="0.45"' if indicative else ""
            out.append(
                f'<rect x="{_num(x)}" y="{_num(y0)}" width="{_num(bar_w)}" height="{_num(max(1.0, y1 - y0))}"'
                f' fill="{colour}"{opacity}>'
                f"<title>{escape(month)}: {escape(_signed(value))} {escape(unit)}</title></rect>"
            )
        if i in labelled:
            # the latest month's label would run off the right edge if centred on its bar
            tx, anchor = x + bar_w / 2, "middle"
            if tx + label_w / 2 > width:
                tx, anchor = width - right, "end"
            out.append(
                f'<text x="{_num(tx)}" y="{height - bottom + 16}" text-anchor="{anchor}" font-size="12"'
                f' fill="{TEXT}">{escape(month)}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def _signed(value: float) -> str:
    if value > 0:
        return "+" + _num(value)
    if value < 0:
        return "\u2212" + _num(-value)
    return "0"


def project_communes(features: list[dict], width: int = 640, min_step: float = 1.5) -> tuple[int, int, dict[str, str]]:
    """(width, height, NIS code -> SVG path) of GeoJSON commune features, in pixels.

    ``features`` have a ``nis_code`` property and a Polygon or MultiPolygon geometry in
    longitude/latitude; the projection is equirectangular around Belgium's latitude (enough for a
    country this size). A vertex closer than ``min_step`` pixels to the last one kept is dropped.
    """
    rings_of = {}
    lons, lats = [], []
    for f in features:
        code = str((f.get("properties") or {}).get("nis_code") or "")
        geometry = f.get("geometry") or {}
        kind = geometry.get("type")
        polygons = [geometry["coordinates"]] if kind == "Polygon" else geometry.get("coordinates", [])
        rings = [ring for polygon in polygons for ring in polygon] if kind in ("Polygon", "MultiPolygon") else []
        if not code or not rings:
            continue
        rings_of[code] = rings
        for ring in rings:
            lons += [p[0] for p in ring]
            lats += [p[1] for p in ring]
    if not rings_of:
        return width, 0, {}
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    k = math.cos(math.radians((south + north) / 2))
    scale = (width - 8) / ((east - west) * k)
    height = math.ceil((north - south) * scale) + 8
    paths = {}
    for code in sorted(rings_of):
        parts = []
        for ring in rings_of[code]:
            points: list[tuple[int, int]] = []
            for lon, lat, *_ in ring:
                x, y = 4 + (lon - west) * k * scale, 4 + (north - lat) * scale
                if not points or math.hypot(x - points[-1][0], y - points[-1][1]) >= min_step:
                    points.append((round(x), round(y)))
            if len(points) >= 3:
                # Relative moves: a third of the bytes of absolute ones for the same shape.
                steps = [f"{x - px} {y - py}" for (px, py), (x, y) in zip(points, points[1:], strict=False)]
                parts.append(f"M{points[0][0]} {points[0][1]}l" + " ".join(steps) + "z")
        if parts:
            paths[code] = "".join(parts)
    return width, height, paths


def commune_map(
    projected: tuple[int, int, dict[str, str]],
    fill: Callable[[str], tuple[str, str]],
    href: Callable[[str], str],
    label: str,
) -> str:
    """The communes (:func:`project_communes`) as SVG paths, each a link to its page:
    ``fill(nis)`` gives (colour, tooltip)."""
    width, height, paths = projected
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img"'
        f' aria-label="{escape(label)}" class="map"><title>{escape(label)}</title>'
        '<g stroke="#fff" stroke-width="0.4">'
    ]
    for code, d in paths.items():
        colour, tooltip = fill(code)
        out.append(
            f'<a href="{escape(href(code))}"><path d="{d}" fill="{colour}"><title>{escape(tooltip)}</title></path></a>'
        )
    out.append("</g></svg>")
    return "".join(out)
