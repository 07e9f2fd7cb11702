"""Render the trend report: one self-contained HTML file per language, and its PDF.

Safety by construction: the Jinja2 environment autoescapes everything, scraped text included
(closure reasons, counter names, procedure titles); the only markup inserted unescaped is the
charts' SVG, produced by vl-convert and sanitised (:func:`warehouse.report.charts.sanitize_svg`);
every link goes through :func:`warehouse.report.evidence.safe_href`; and the page's Content
Security Policy forbids scripts and any network access, so even a missed tag could not run.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from pathlib import Path

from scrapers.vocabulary import OUTCOME_SUCCESSFUL, REPORT_LANGUAGES
from warehouse.report.data import Headline, ReportData, evidence_of, load_report_data
from warehouse.report.evidence import safe_href

LANGUAGES = REPORT_LANGUAGES
PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STRINGS_FILE = PACKAGE_DIR / "strings.yaml"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


@functools.cache
def load_strings() -> dict:
    """Every language's strings (strings.yaml), checked to have the same keys as French."""
    import yaml

    strings = yaml.safe_load(STRINGS_FILE.read_text("utf-8"))
    reference = _keys(strings["fr"])
    for lang in LANGUAGES:
        missing = reference - _keys(strings.get(lang) or {})
        if missing:
            raise ValueError(f"{STRINGS_FILE}: {lang} lacks {sorted(missing)}")
    return strings


def _keys(tree: dict, prefix: str = "") -> set[str]:
    out = set()
    for k, v in tree.items():
        out.add(prefix + k)
        if isinstance(v, dict):
            out |= _keys(v, f"{prefix}{k}.")
    return out


def build_report(
    release_dir: Path,
    languages: tuple[str, ...] = ("fr", "nl"),
    out_dir: Path | None = None,
    *,
    pdf: bool = True,
    db_path: Path | None = None,
) -> list[Path]:
    """Write ``report-<lang>.html`` (and ``.pdf``) under ``<out_dir or release_dir>/report/``.

    ``db_path`` is the DuckDB database the release was published from, used only to resolve
    evidence references (default: ``<data>/warehouse/guichets.duckdb`` when the release lives in
    ``<data>/releases/``). Returns the files written, HTML first.
    """
    from warehouse.report.charts import build_charts
    from warehouse.report.chromium import print_pdf

    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown or not languages:
        raise ValueError(f"languages must be among {', '.join(LANGUAGES)}; got {', '.join(languages) or 'none'}")
    release_dir = Path(release_dir).resolve()
    if db_path is None:
        from warehouse.settings import get_settings

        sibling = get_settings(release_dir.parent.parent).duckdb_path
        db_path = sibling if sibling.is_file() else None
    data = load_report_data(release_dir, db_path)
    target = Path(out_dir or release_dir) / "report"
    target.mkdir(parents=True, exist_ok=True)
    strings = load_strings()
    html_files = []
    for lang in languages:
        charts = build_charts(data, strings[lang], lang)
        html = render_html(data, lang, charts, languages)
        path = target / f"report-{lang}.html"
        path.write_text(html, "utf-8")
        html_files.append(path)
    pdf_files = [print_pdf(h, h.with_suffix(".pdf")) for h in html_files] if pdf else []
    return html_files + pdf_files


def render_html(data: ReportData, lang: str, charts: dict[str, str], languages: tuple[str, ...]) -> str:
    """The report page for ``lang`` as one HTML string (no external resource, no script)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from markupsafe import Markup

    t = load_strings()[lang]
    fmt = Formatter(lang, t)
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # everything, whatever the template's name
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["href"] = safe_href
    env.filters["css_string"] = css_string
    env.filters["date"] = fmt.date
    template = env.get_template("report.html.j2")
    th = data.thresholds
    threshold = fmt.share(float(th["coverage_threshold"]))
    hours_cut = fmt.share(float(th["downgrade_hours_cut_share"]))
    month = fmt.month(data.headline_month)
    horizon = fmt.date(data.horizon)
    context = {
        "lang": lang,
        "t": t,
        "csp": CSP,
        "illustrative": data.illustrative,
        "version": data.version,
        "title": t["title"],
        "release_line": t["release_line"].format(
            version=data.version, data_as_of=data.meta.get("data_as_of", "?"), horizon=horizon
        ),
        "languages": [
            {"code": code, "name": load_strings()[code]["language_name"], "href": f"report-{code}.html"}
            for code in languages
            if code != lang
        ],
        "headline_intro": t["headline"]["intro"].format(month=month, threshold=threshold),
        "cards": [_card(h, data, t, fmt) for h in data.headlines],
        "indicative_note": t["coverage"]["indicative_note"].format(
            threshold=threshold, days=th["coverage_freshness_days"]
        ),
        "charts_intro": t["charts"]["intro"].format(month=month, threshold=threshold),
        # Sanitised SVG from vl-convert: the one piece of markup not escaped.
        "charts": {name: Markup(svg) for name, svg in charts.items()},
        "closures_intro": t["closures"]["intro"].format(confirmations=th["closure_confirmations"]),
        "closures": [_closure_row(e, data, t, fmt, lang) for e in data.closures],
        "downgrades_intro": t["downgrades"]["intro"].format(hours_cut=hours_cut),
        "downgrades": _downgrade_rows(data.downgrades, data, t, fmt, lang),
        "transitions": [_transition_row(e, data, t, lang) for e in data.transitions],
        "guarantee_intro": t["guarantee"]["intro"].format(month=month),
        "guarantee": [_guarantee_row(g, data, t, lang) for g in data.guarantee],
        "sources_intro": t["sources"]["intro"].format(horizon=horizon),
        "sources_summary": t["sources"]["summary"].format(
            tracked=len(data.sources),
            with_failures=sum(1 for s in data.sources if s["captures_failed"]),
            drifting=sum(1 for s in data.sources if s["layout_drift_flag"]),
        ),
        "sources": [_source_row(s, data, t, fmt, lang) for s in data.sources],
        "evidence_note": (
            t["evidence"]["note_db"].format(source=data.evidence_source)
            if data.evidence_source
            else t["evidence"]["note_ids"]
        ),
        "methodology": [
            (
                item["title"],
                item["text"].format(
                    reference_week=data.reference_week or "—",
                    confirmations=th["closure_confirmations"],
                    hours_cut=hours_cut,
                    days=th["coverage_freshness_days"],
                    threshold=threshold,
                ),
            )
            for item in t["methodology"]["items"]
        ],
        "citation": t["citation"]["text"].format(version=data.version, data_as_of=data.meta.get("data_as_of", "?")),
        "footer": t["footer"].format(version=data.version),
        "page_word": t["page"],
    }
    return template.render(**context)


def css_string(value: object):
    """``value`` as a double-quoted CSS string, safe inside ``<style>`` (where HTML escaping does not apply)."""
    from markupsafe import Markup

    out = []
    for ch in str(value):
        if ch.isalnum() or ch in " .,;:-—–_()!?'/·":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return Markup('"' + "".join(out) + '"')


class Formatter:
    """Numbers, shares, hours and dates the way each language writes them."""

    def __init__(self, lang: str, strings: dict) -> None:
        self.lang = lang
        self.strings = strings

    def number(self, value: float | None, decimals: int = 0) -> str:
        if value is None:
            return "—"
        text = f"{value:,.{decimals}f}"
        if self.lang == "fr":
            return text.replace(",", "\u202f").replace(".", ",")
        if self.lang == "nl":
            return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return text

    def share(self, value: float | None) -> str:
        if value is None:
            return "—"
        decimals = 0 if abs(value * 100 - round(value * 100)) < 0.05 else 1
        text = self.number(value * 100, decimals)
        return f"{text}\u202f%" if self.lang == "fr" else f"{text}%"

    def hours(self, minutes_or_hours: float | None, *, minutes: bool = False) -> str:
        if minutes_or_hours is None:
            return "—"
        hours = minutes_or_hours / 60 if minutes else minutes_or_hours
        unit = "u" if self.lang == "nl" else "h"
        return f"{self.number(hours, 1 if hours % 1 else 0)}\u00a0{unit}"

    def value(self, h: Headline, value: float | None) -> str:
        if value is None:
            return self.strings["headline"]["none"]
        if h.kind == "share":
            return self.share(value)
        if h.kind == "hours":
            return self.hours(value)
        if h.kind == "ratio":
            return self.number(value, 2)
        return self.number(value)

    def change(self, h: Headline, value: float | None) -> str:
        """A change, signed (+ for a rise, − for a fall); "—" when there is none to compute."""
        if value is None:
            return "—"
        sign = "+" if value > 0 else "\u2212" if value < 0 else "±"
        return sign + self.value(h, abs(value))

    def month(self, value: date | None) -> str:
        if value is None:
            return "—"
        return f"{self.strings['months'][value.month - 1]} {value.year}"

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return "—"
        return (value.date() if isinstance(value, datetime) else value).isoformat()


def _card(h: Headline, data: ReportData, t: dict, fmt: Formatter) -> dict:
    item = t["headline"]["items"][h.key]
    definition = item["definition"].format(
        confirmations=data.thresholds["closure_confirmations"],
        compliant=h.extra.get("compliant", "—"),
        authorities=h.extra.get("authorities", "—"),
    )
    compare = [
        t["headline"]["change"][c.comparison].format(
            month=fmt.month(c.base_month), value=fmt.change(h, c.value), panel=c.panel_counters
        )
        for c in h.changes
    ]
    if h.previous is not None:
        compare.append(t["headline"]["previous"].format(value=fmt.value(h, h.previous)))
    if h.first is not None and data.first_month != data.headline_month:
        compare.append(t["headline"]["first"].format(month=fmt.month(data.first_month), value=fmt.value(h, h.first)))
    coverage = t["coverage"]["line"].format(
        share=fmt.share(h.coverage_share), fresh=h.sources_fresh or 0, tracked=h.sources_tracked or 0
    )
    return {
        "key": h.key,
        "label": item["label"],
        "value": t["headline"]["none_reasons"][h.none_reason] if h.none_reason else fmt.value(h, h.value),
        "definition": definition,
        "compare": compare,
        "coverage": coverage,
        "indicative": h.is_indicative,
        "flagship": h.key in ("walk_in_hours_per_10k", "brussels_guarantee"),
    }


def _admin(data: ReportData, administration_id: str | None, lang: str) -> str:
    admin = data.administrations.get(administration_id or "") or {}
    name = admin.get("administration_name_nl") if lang == "nl" else None
    return name or admin.get("administration_name_fr") or (administration_id or "—")


def _commune(e: dict, lang: str) -> str:
    return (e.get("commune_nl") if lang == "nl" else None) or e.get("commune_fr") or "—"


def _closure_row(e: dict, data: ReportData, t: dict, fmt: Formatter, lang: str) -> dict:
    labels = t["labels"]
    kind = labels["event_type"].get(e["event_type"], e["event_type"])
    if e.get("closure_basis"):
        kind = f"{kind} — {labels['closure_basis'].get(e['closure_basis'], e['closure_basis'])}"
    return {
        "date": fmt.date(e["event_date"]),
        "counter": e.get("counter_name") or e["counter_id"],
        "counter_id": e["counter_id"],
        "administration": _admin(data, e.get("administration_id"), lang),
        "commune": _commune(e, lang),
        "kind": kind,
        "reason": e.get("closure_reason") or "—",
        "confirmed": fmt.date(e.get("confirmed_at")),
        "evidence": evidence_of(e),
    }


def _downgrade_rows(events: list[dict], data: ReportData, t: dict, fmt: Formatter, lang: str) -> list[dict]:
    """One row per change of a counter (one transition can be several downgrades), oldest first."""
    groups: dict[tuple, list[dict]] = {}
    for e in events:
        groups.setdefault((e["event_at"], e["counter_id"]), []).append(e)
    rows = []
    for group in groups.values():
        e = group[0]
        kinds = [t["labels"]["downgrade_type"].get(g["downgrade_type"], g["downgrade_type"]) for g in group]
        total = (
            fmt.hours(e.get("weekly_minutes_before"), minutes=True),
            fmt.hours(e.get("weekly_minutes_after"), minutes=True),
        )
        walk_in = (
            fmt.hours(e.get("weekly_walk_in_minutes_before"), minutes=True),
            fmt.hours(e.get("weekly_walk_in_minutes_after"), minutes=True),
        )
        rows.append(
            {
                "date": fmt.date(e["event_date"]),
                "counter": e.get("counter_name") or e["counter_id"],
                "counter_id": e["counter_id"],
                "administration": _admin(data, e.get("administration_id"), lang),
                "commune": _commune(e, lang),
                "kinds": list(dict.fromkeys(kinds)),
                "hours": [
                    f"{t['downgrades']['walk_in']} {walk_in[0]} → {walk_in[1]}",
                    f"{t['downgrades']['total']} {total[0]} → {total[1]}",
                ],
                "evidence": evidence_of(e),
            }
        )
    return rows


def _transition_row(e: dict, data: ReportData, t: dict, lang: str) -> dict:
    procedure = data.procedures.get(e.get("procedure_key") or "") or {}
    label = procedure.get(f"procedure_label_{lang}") or procedure.get("procedure_label_fr") or e.get("procedure_key")
    return {
        "date": (e["event_date"] or e["event_at"].date()).isoformat(),
        "administration": _admin(data, e.get("administration_id"), lang),
        "procedure": label or "—",
        "kind": t["labels"]["procedure_event_type"].get(e["event_type"], e["event_type"]),
        "evidence": evidence_of(e),
    }


def _guarantee_row(g: dict, data: ReportData, t: dict, lang: str) -> dict:
    return {
        "administration": _admin(data, g["administration_id"], lang),
        "scope": t["guarantee"]["legal"] if g["is_legal_scope"] else t["guarantee"]["benchmark"],
        "legal": bool(g["is_legal_scope"]),
        "status": t["labels"]["guarantee_status"].get(g["guarantee_status"], g["guarantee_status"]),
        "status_key": g["guarantee_status"],
        "tracked": g["tracked_procedures"],
        "all_three": g["all_three_procedures"],
        "some": g["some_channels_procedures"],
        "none": g["no_channel_procedures"],
        "not_stated": g["not_stated_procedures"],
    }


def _source_row(s: dict, data: ReportData, t: dict, fmt: Formatter, lang: str) -> dict:
    drift = t["sources"]["drift_since"].format(date=fmt.date(s["drift_since"])) if s["layout_drift_flag"] else None
    return {
        "source": s["source_id"],
        "administration": _admin(data, s.get("administration_id"), lang),
        "kind": t["labels"]["source_kind"].get(s["source_kind"], s["source_kind"]),
        "captures": s["captures_total"],
        "successful": s["captures_successful"],
        "failed": s["captures_failed"],
        "success_share": fmt.share(s["success_share"]),
        "last_success": fmt.date(s["last_successful_observed_at"]),
        "days_behind": "—" if s["days_behind"] is None else str(s["days_behind"]),
        "last_outcome": t["labels"]["outcome"].get(s["last_capture_outcome"], s["last_capture_outcome"] or "—"),
        "drift": drift,
        "warn": bool(s["layout_drift_flag"]) or s["last_capture_outcome"] != OUTCOME_SUCCESSFUL,
    }


__all__ = ["LANGUAGES", "build_report", "load_report_data", "render_html", "load_strings"]
