"""The report's charts: Vega-Altair specifications rendered to SVG by vl-convert (no browser, no JS).

Each chart is returned as sanitised SVG text, ready to be inlined in the HTML: the report stays
one self-contained file. vl-convert already escapes the text it draws; :func:`sanitize_svg`
removes anything active all the same (scripts, event handlers, external references) and makes
element IDs unique per chart, since several SVGs share one HTML document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from warehouse.report.data import REGIONS, ReportData

# Okabe-Ito: distinguishable by colour-blind readers and in grey print.
REGION_COLOURS = {"brussels": "#0072B2", "flanders": "#E69F00", "wallonia": "#009E73"}
SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000"]
WIDTH = 560
HEIGHT = 190
_FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
_DROP_ELEMENTS = {"script", "foreignObject", "iframe", "object", "embed", "image", "a"}
# The published table each chart draws from (its source line under the chart).
SOURCES = {
    "active_counters": "marts.fct_access_indicators",
    "walk_in_hours": "marts.fct_access_indicators",
    "walk_in_per_10k": "marts.fct_access_indicators",
    "appointment_only": "marts.fct_access_indicators",
    "administration_counters": "marts.fct_access_indicators",
    "administration_hours": "marts.fct_access_indicators",
    "online_only": "marts.fct_procedure_indicators",
}


@dataclass(frozen=True)
class Chart:
    """A drawn chart: its sanitised SVG, the rows it draws (published beside it as CSV), its source table."""

    svg: str
    rows: list[dict]
    source: str


def build_charts(data: ReportData, strings: dict, lang: str) -> dict[str, Chart]:
    """Every chart of the report for one language, keyed by chart name (charts without data left out)."""
    import vl_convert as vlc

    s = strings["charts"]
    specs = {
        "active_counters": _region_chart(data, strings, "active_counters", s["active_counters"], share=False),
        "walk_in_hours": _region_chart(data, strings, "walk_in_hours_per_week", s["walk_in_hours"], share=False),
        "walk_in_per_10k": _region_chart(data, strings, "walk_in_hours_per_10k", s["walk_in_per_10k"], share=False),
        "appointment_only": _region_chart(data, strings, "appointment_only_share", s["appointment_only"], share=True),
        "administration_counters": _administration_counters(data, strings, lang),
        "administration_hours": _administration_heatmap(data, strings, lang),
        "online_only": _online_only_chart(data, strings, lang),
    }
    locale = strings["locale"]
    out = {}
    for name, chart in specs.items():
        if chart is None:
            continue
        spec = chart.to_dict()
        svg = vlc.vegalite_to_svg(spec, allowed_base_urls=[], format_locale=locale, time_format_locale=locale)
        out[name] = Chart(sanitize_svg(svg, prefix=f"{name}-{lang}"), _rows_of(spec), SOURCES[name])
    return out


def _rows_of(spec: dict) -> list[dict]:
    """The rows a chart draws: every chart here has one inline data set (Altair names it in ``datasets``)."""
    datasets = list((spec.get("datasets") or {}).values())
    return list(datasets[0]) if datasets else list((spec.get("data") or {}).get("values") or [])


def _config(chart):
    return (
        chart.configure(font=_FONT)
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=10, titleFontSize=10, gridColor="#e6e6e6")
        .configure_legend(labelFontSize=10, titleFontSize=10, orient="right", labelLimit=230)
        .configure_title(fontSize=12, anchor="start", fontWeight="bold")
    )


def _coverage_label(row: dict, strings: dict) -> str:
    return strings["coverage"]["indicative"] if row.get("is_indicative") else strings["coverage"]["reliable"]


def _coverage_opacity(strings: dict):
    import altair as alt

    c = strings["coverage"]
    return alt.Opacity(
        "coverage:N",
        title=strings["charts"]["coverage"],
        scale=alt.Scale(domain=[c["reliable"], c["indicative"]], range=[1.0, 0.3]),
    )


def _month_axis(strings: dict):
    import altair as alt

    return alt.X("month:T", title=strings["charts"]["month"], axis=alt.Axis(format="%Y", tickCount="year"))


def _region_chart(data: ReportData, strings: dict, column: str, texts: dict, *, share: bool):
    import altair as alt

    names = strings["labels"]["region"]
    reliable = strings["coverage"]["reliable"]
    rows = [
        {
            "month": r["month_start"].isoformat(),
            "series": names.get(r["scope_id"], r["scope_id"]),
            "value": r[column],
            "coverage": _coverage_label(r, strings),
        }
        for r in data.region_series
        if r["scope_id"] in REGIONS and r[column] is not None
    ]
    if not rows:
        return None
    domain = [names[r] for r in REGIONS]
    colour = alt.Color(
        "series:N",
        title=strings["charts"]["region"],
        scale=alt.Scale(domain=domain, range=[REGION_COLOURS[r] for r in REGIONS]),
    )
    y = alt.Y("value:Q", title=texts["y"], axis=alt.Axis(format=".0%" if share else "~s"))
    base = alt.Chart(alt.Data(values=rows)).encode(x=_month_axis(strings), y=y, color=colour)
    line = base.mark_line(strokeWidth=1.5, interpolate="step-after")
    # Filled where the cell is reliable, hollow where it is indicative (legend in the subtitle).
    points = base.mark_point(size=18, strokeWidth=1, opacity=1).encode(
        fill=alt.condition(alt.datum.coverage == reliable, alt.Color("series:N", legend=None), alt.value("white"))
    )
    title = alt.TitleParams(texts["title"], subtitle=_points_legend(data, strings))
    return _config((line + points).properties(width=WIDTH, height=HEIGHT, title=title))


def _threshold(data: ReportData, strings: dict) -> str:
    pct = f"{float(data.thresholds['coverage_threshold']) * 100:.0f}"
    # French puts a (narrow no-break) space before the percent sign.
    return f"{pct}\u202f%" if strings["locale"].startswith("fr") else f"{pct}%"


def _points_legend(data: ReportData, strings: dict) -> str:
    return strings["charts"]["points"].format(threshold=_threshold(data, strings))


def _asterisk_note(data: ReportData, strings: dict) -> str:
    return strings["charts"]["asterisk"].format(threshold=_threshold(data, strings))


def _administration_name(data: ReportData, administration_id: str, lang: str) -> str:
    admin = data.administrations.get(administration_id) or {}
    name = admin.get("administration_name_nl") if lang == "nl" else None
    return name or admin.get("administration_name_fr") or administration_id


def _administration_counters(data: ReportData, strings: dict, lang: str):
    """Active counters per administration at the headline month: walk-in vs appointment only."""
    import altair as alt

    s = strings["charts"]["administration_counters"]
    labels = {"walk_in": s["walk_in"], "appointment": s["appointment"]}
    rows = []
    for r in data.administration_series:
        if r["month_start"] != data.headline_month:
            continue
        if r["active_counters"] is None:
            continue  # not enough counters with a known state: no bar, never a bar of 0
        name = _administration_name(data, r["scope_id"], lang) + (" *" if r["is_indicative"] else "")
        appointment = r["appointment_only_counters"]
        rows.append({"name": name, "kind": labels["appointment"], "value": appointment, "order": 2})
        rows.append({"name": name, "kind": labels["walk_in"], "value": r["active_counters"] - appointment, "order": 1})
    if not rows:
        return None
    title = alt.TitleParams(
        s["title"].format(month=_month_label(data.headline_month, strings)), subtitle=_asterisk_note(data, strings)
    )
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("name:N", title=None, sort="ascending", axis=alt.Axis(labelLimit=340)),
            x=alt.X("value:Q", title=s["x"], stack="zero", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=[labels["walk_in"], labels["appointment"]], range=["#0072B2", "#D55E00"]),
            ),
            order=alt.Order("order:Q"),
        )
        .properties(width=WIDTH - 260, height=alt.Step(15), title=title)
    )
    return _config(chart)


def _administration_heatmap(data: ReportData, strings: dict, lang: str):
    """Walk-in hours per week of every administration at each year's end (and the headline month).

    Yearly columns keep a value readable in every cell; a monthly grid of 15 x 90 cells would
    show coverage flicker more than trends.
    """
    import altair as alt

    s = strings["charts"]
    wanted = {m for m in (r["month_start"] for r in data.administration_series) if m.month == 12}
    wanted.add(data.headline_month)
    rows = []
    for r in data.administration_series:
        if r["month_start"] not in wanted:
            continue
        # NULL (not enough counters with a known state) stays an empty cell marked "—", never 0
        value = r["walk_in_hours_per_week"]
        rows.append(
            {
                # Year-end columns are named by their year; the headline month by year-month.
                "year": str(r["month_start"].year) if r["month_start"].month == 12 else f"{r['month_start']:%Y-%m}",
                "name": _administration_name(data, r["scope_id"], lang),
                "value": value,
                "label": "—" if value is None else f"{value:.0f}" + ("*" if r["is_indicative"] else ""),
            }
        )
    if not rows:
        return None
    # Light text on dark cells: the darker half of the colour scale.
    dark = 0.55 * max((r["value"] for r in rows if r["value"] is not None), default=0)
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("year:O", title=s["administrations"]["year"], axis=alt.Axis(labelAngle=0)),
        y=alt.Y("name:N", title=None, sort="ascending", axis=alt.Axis(labelLimit=340)),
    )
    rect = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color("value:Q", title=s["administrations"]["value"], scale=alt.Scale(scheme="blues", domainMin=0))
    )
    text = base.mark_text(fontSize=9).encode(
        text="label:N",
        color=alt.condition(alt.datum.value > dark, alt.value("white"), alt.value("#1d1d1f")),
    )
    title = alt.TitleParams(s["administrations"]["title"], subtitle=_asterisk_note(data, strings))
    return _config((rect + text).properties(width=alt.Step(46), height=alt.Step(17), title=title))


def _online_only_chart(data: ReportData, strings: dict, lang: str):
    import altair as alt

    s = strings["charts"]
    rows = [
        {
            "month": r["month_start"].isoformat(),
            "series": _administration_name(data, r["administration_id"], lang),
            "value": r["online_only_share"],
        }
        for r in data.procedure_series
        if r["online_only_share"] is not None
    ]
    if not rows:
        return None
    names = sorted({r["series"] for r in rows})
    colour = alt.Color(
        "series:N",
        title=s["administration"],
        scale=alt.Scale(domain=names, range=SERIES_COLOURS[: len(names)] or SERIES_COLOURS),
    )
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(strokeWidth=1.8, interpolate="step-after")
        .encode(
            x=_month_axis(strings),
            y=alt.Y(
                "value:Q", title=s["online_only"]["y"], axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])
            ),
            color=colour,
        )
        .properties(width=WIDTH - 60, height=HEIGHT, title=s["online_only"]["title"])
    )
    return _config(chart)


def _month_label(month: date, strings: dict) -> str:
    return f"{strings['months'][month.month - 1]} {month.year}"


def sanitize_svg(svg: str, prefix: str) -> str:
    """``svg`` without active content, with IDs prefixed by ``prefix`` so inlined charts never clash."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True)
    root = etree.fromstring(svg.encode("utf-8"), parser)
    prefix = re.sub(r"[^A-Za-z0-9_-]", "-", prefix)
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if etree.QName(el).localname in _DROP_ELEMENTS:
            el.getparent().remove(el)
            continue
        for name, value in list(el.attrib.items()):
            local = etree.QName(name).localname.lower()
            if local.startswith("on") or "javascript:" in value.lower().replace(" ", ""):
                del el.attrib[name]
            elif local == "href":
                if value.startswith("#"):
                    el.attrib[name] = f"#{prefix}-{value[1:]}"
                else:
                    del el.attrib[name]
            elif local == "id":
                el.attrib[name] = f"{prefix}-{value}"
            elif "url(" in value:
                # Only references to this chart's own elements: url(#id).
                el.attrib[name] = re.sub(r"url\(\s*#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", value)
                if re.search(r"url\(\s*[^#\s]", el.attrib[name]):
                    del el.attrib[name]
    root.attrib["role"] = "img"
    return etree.tostring(root, encoding="unicode")


def write_chart_csv(chart: Chart, path: Path) -> Path:
    """The rows a chart draws, as a CSV file beside the report (UTF-8 with BOM, as the release's CSVs).

    Text that a spreadsheet would run as a formula gets a ``'`` in front, by the release's rule
    (:data:`warehouse.release.files.FORMULA_START`).
    """
    import csv

    from warehouse.release.files import FORMULA_START

    columns = list(dict.fromkeys(k for row in chart.rows for k in row))
    formula = re.compile(FORMULA_START)

    def cell(value):
        if value is None:
            return ""
        return "'" + value if isinstance(value, str) and formula.match(value) else value

    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([cell(row.get(c)) for c in columns] for row in chart.rows)
    return path
