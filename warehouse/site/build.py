"""Build the static website of one release: ``build_site(release_dir, out_dir)``.

Layout of the output (every link relative, so it works from ``file://`` and any web folder)::

    index.html                 language choice
    <lang>/index.html          search by commune name or postal code (fr, nl, en)
    <lang>/communes.html       every commune (the search's no-script fallback)
    <lang>/commune/<NIS>.html  counters, this week's hours, like-for-like trend, events, coverage
    <lang>/administrations.html, <lang>/administration/<id>.html
    <lang>/procedures.html, <lang>/procedure/<key>.html   channels and where to find help
    <lang>/map.html            communes coloured by their active counters (when geometry is available)
    assets/                    site.css, search.js, search-index.js (the index, as a script)
    csv/                       every table of every page, as CSV

The site is written into a temporary sibling folder and renamed into place, so a reader never
sees half a site; the same release gives the same bytes.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from warehouse.report.render import _keys
from warehouse.report.render import load_strings as report_strings
from warehouse.site.pages import (
    PageBuilder,
    admin_name,
    all_names,
    commune_name,
    german_name,
    procedure_label,
    slug,
)
from warehouse.site.release_data import ReleaseData
from warehouse.site.search_index import name_keys, search_script
from warehouse.site.site_data import SiteData, load_site_data
from warehouse.site.svg import change_bars, commune_map, project_communes
from warehouse.site.tables import Cell, Table

PACKAGE_DIR = Path(__file__).resolve().parent
LANGUAGES = ("fr", "nl", "en")
STRINGS_FILE = PACKAGE_DIR / "strings.yaml"
GEOJSON_FILE = PACKAGE_DIR.parent / "reference" / "data" / "communes_be.geojson"
# Scripts and styles from the site's own files only; nothing else may load (no network at all).
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'"
)
MAP_CLASSES = (("c0", "#d0d7de"), ("c1", "#f6e7a7"), ("c2", "#9ecae1"), ("c3", "#4292c6"), ("c4", "#08519c"))


@dataclass(frozen=True)
class SiteBuilt:
    """What :func:`build_site` wrote."""

    path: Path
    version: str
    pages: int
    csv_files: int
    communes: int
    has_map: bool


@functools.cache
def load_strings() -> dict:
    """The site's strings per language, checked to have French's keys (month names and procedure
    events in words: the report's)."""
    import yaml

    strings = yaml.safe_load(STRINGS_FILE.read_text("utf-8"))
    for lang in LANGUAGES:
        missing = _keys(strings["fr"]) - _keys(strings.get(lang) or {})
        if missing:
            raise ValueError(f"{STRINGS_FILE}: {lang} lacks {sorted(missing)}")
    for lang in LANGUAGES:
        strings[lang]["months"] = report_strings()[lang]["months"]
        strings[lang]["procedure_events"] = report_strings()[lang]["labels"]["procedure_event_type"]
    return strings


def build_site(release_dir: Path, out_dir: Path, *, geojson: Path | None = GEOJSON_FILE) -> SiteBuilt:
    """Write the website of the release ``release_dir`` into ``out_dir`` (replaced as a whole)."""
    out_dir = Path(out_dir).resolve()
    tmp = out_dir.with_name(f".{out_dir.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        with ReleaseData(release_dir) as release:
            data = load_site_data(release)
        features = _features(geojson)
        writer = _Writer(tmp, data, features)
        writer.write_all()
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # no half-built site left beside the release
        raise
    old = out_dir.with_name(f".{out_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        os.rename(out_dir, old)
    os.rename(tmp, out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return SiteBuilt(out_dir, data.version, writer.pages, len(writer.csv), len(data.communes), bool(features))


def _features(geojson: Path | None) -> list[dict]:
    if geojson is None or not Path(geojson).is_file():
        return []
    return json.loads(Path(geojson).read_text("utf-8")).get("features", [])


class _Writer:
    """Renders every page of every language into ``root`` and collects the CSV files."""

    def __init__(self, root: Path, data: SiteData, features: list[dict]) -> None:
        from jinja2 import Environment, FileSystemLoader, StrictUndefined

        self.root = root
        self.data = data
        self.projected = project_communes(features) if features else None  # the same in every language
        self.strings = load_strings()
        self.env = Environment(
            loader=FileSystemLoader(PACKAGE_DIR / "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.csv: dict[str, str] = {}
        self.pages = 0

    def write_all(self) -> None:
        assets = self.root / "assets"
        assets.mkdir()
        for name in ("site.css", "search.js"):
            shutil.copyfile(PACKAGE_DIR / "assets" / name, assets / name)
        (assets / "search-index.js").write_text(search_script(self._search_entries()), "utf-8")
        self._write(
            "index.html",
            "root.html.j2",
            {
                "csp": CSP,
                "illustrative": self.data.illustrative,
                "languages": [
                    {
                        "code": lang,
                        "name": self.strings[lang]["language_name"],
                        "title": self.strings[lang]["site_title"],
                        "banner": self.strings[lang]["banner"],
                        "release_line": self._release_line(self.strings[lang]),
                    }
                    for lang in LANGUAGES
                ],
            },
        )
        for lang in LANGUAGES:
            self._language(lang)
        csv_dir = self.root / "csv"
        csv_dir.mkdir()
        for name, text in sorted(self.csv.items()):
            (csv_dir / name).write_text(text, "utf-8")

    def _search_entries(self) -> list[dict]:
        counts: dict[str, int] = {}
        for c in self.data.counters:
            counts[c["nis_code"]] = counts.get(c["nis_code"], 0) + 1
        return [
            {
                "nis_code": nis,
                "names": {lang: commune_name(m, lang) for lang in LANGUAGES},
                "german_name": german_name(m),
                "keys": name_keys(all_names(m)),
                "postcodes": m["postcodes"],
                "counters": counts.get(nis, 0),
            }
            for nis, m in self.data.communes.items()
        ]

    def _release_line(self, t: dict) -> str:
        return t["release_line"].format(version=self.data.version, data_as_of=self.data.data_as_of)

    def _write(self, rel: str, template: str, context: dict) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.env.get_template(template).render(**context), "utf-8")
        self.pages += 1

    def _page(self, lang: str, rel: str, template: str, title: str, **context) -> None:
        """Render ``<lang>/<rel>`` with the context every page shares."""
        t = self.strings[lang]
        depth = rel.count("/")
        root = "../" * (depth + 1)
        for table in context.values():
            if isinstance(table, Table) and table.rows:
                self.csv.setdefault(table.csv_name, table.csv_text())
        self._write(
            f"{lang}/{rel}",
            template,
            {
                "lang": lang,
                "t": t,
                "csp": CSP,
                "illustrative": self.data.illustrative,
                "title": title,
                "root": root,
                "prefix": "../" * depth,
                "languages": [
                    {"code": code, "name": self.strings[code]["language_name"], "href": f"{root}{code}/{rel}"}
                    for code in LANGUAGES
                ],
                "release_line": self._release_line(t),
                "footer": t["footer"].format(version=self.data.version),
                **context,
            },
        )

    def _language(self, lang: str) -> None:
        t = self.strings[lang]
        pb = PageBuilder(self.data, lang, t)
        self._page(lang, "index.html", "index.html.j2", t["search_title"])
        self._page(
            lang,
            "communes.html",
            "list.html.j2",
            t["communes_title"],
            intro=t["communes_intro"],
            list_table=self._communes_table(pb),
        )
        for nis in self.data.communes:
            self._commune(pb, nis)
        self._page(
            lang,
            "administrations.html",
            "list.html.j2",
            t["administrations_title"],
            intro=t["administrations_intro"],
            list_table=self._administrations_table(pb),
        )
        for aid in self.data.administrations:
            self._administration(pb, aid)
        self._page(
            lang,
            "procedures.html",
            "list.html.j2",
            t["procedures_title"],
            intro=t["procedures_intro"],
            list_table=self._procedures_table(pb),
        )
        for key in self.data.procedures:
            self._procedure(pb, key)
        self._map(pb)

    def _communes_table(self, pb: PageBuilder) -> Table:
        t = pb.t
        table = Table(
            "communes.csv",
            t["communes_title"],
            [
                ("nis_code", t["commune"]),
                ("names", "FR / NL / DE"),
                ("postcodes", t["postcodes"]),
                ("province", t["province"]),
                ("counters_tracked", t["counters_count"]),
                ("counters_active", t["states"]["open"]),
            ],
        )
        for nis, m in sorted(
            self.data.communes.items(), key=lambda kv: (commune_name(kv[1], pb.lang).casefold(), kv[0])
        ):
            tracked, active = pb.active_count(nis)
            province = m["province_nl"] if pb.lang == "nl" else m["province_fr"]
            table.rows.append(
                {
                    "nis_code": pb.commune_link(nis, ""),
                    "names": Cell(" / ".join(all_names(m)), " / ".join(all_names(m))),
                    "postcodes": Cell(" ".join(m["postcodes"]), ", ".join(m["postcodes"])),
                    "province": pb.text(province),
                    "counters_tracked": Cell(tracked, str(tracked)),
                    "counters_active": Cell(active, str(active)),
                }
            )
        return table

    def _commune(self, pb: PageBuilder, nis: str) -> None:
        t, lang, m = pb.t, pb.lang, self.data.communes[nis]
        counters = self.data.counters_in(nis)
        ids = {c["counter_id"] for c in counters}
        facts = [("NIS", nis)]
        others = [n for n in all_names(m) if n != commune_name(m, lang)]
        if others:
            facts.append(("FR / NL / DE", " / ".join(all_names(m))))
        facts.append((t["postcodes"], ", ".join(m["postcodes"]) or t["unknown"]))
        facts.append((t["province"], (m["province_nl"] if lang == "nl" else m["province_fr"]) or "—"))
        if m.get("population") is not None:
            facts.append((t["population"].format(year=m.get("population_year") or "?"), pb.fmt.number(m["population"])))
        hours, hours_intro = pb.hours_table(counters, f"commune-{nis}-hours.csv")
        trend_rows = None if self.data.trend is None else self.data.trend.get(nis, [])
        trend = None if trend_rows is None else pb.trend_table(trend_rows, f"commune-{nis}-trend.csv")
        chart, chart_label = "", ""
        if trend_rows:
            from markupsafe import Markup

            chart_label = t["chart_label"].format(month=pb.fmt.month(trend_rows[0]["base_month_start"]))
            unit = "u" if lang == "nl" else "h"
            points = [
                (pb.fmt.month(r["month_start"]), r["cumulative_change"], bool(r["is_indicative"])) for r in trend_rows
            ]
            chart = Markup(change_bars(points, chart_label, unit))
        self._page(
            lang,
            f"commune/{nis}.html",
            "commune.html.j2",
            commune_name(m, lang),
            facts=facts,
            counters=pb.counters_table(counters, f"commune-{nis}-counters.csv", "../", by="administration"),
            hours=hours,
            hours_intro=hours_intro,
            trend=trend,
            chart=chart,
            chart_label=chart_label,
            events=pb.events_table(
                [e for e in self.data.events if e["counter_id"] in ids], f"commune-{nis}-events.csv", "../"
            ),
            coverage=pb.coverage_table(
                sorted({c["source_id"] for c in counters if c["source_id"]}), f"commune-{nis}-coverage.csv"
            ),
        )

    def _administrations_table(self, pb: PageBuilder) -> Table:
        t = pb.t
        table = Table(
            "administrations.csv",
            t["administrations_title"],
            [
                ("administration_id", t["administration"]),
                ("administration_level", t["level"]),
                ("region", t["region"]),
                ("counter_count", t["counters_count"]),
            ],
        )
        for aid, a in sorted(
            self.data.administrations.items(), key=lambda kv: (admin_name(kv[1], pb.lang, kv[0]).casefold(), kv[0])
        ):
            table.rows.append(
                {
                    "administration_id": pb.admin_link(aid, ""),
                    "administration_level": pb.text(a["administration_level"]),
                    "region": pb.text(a["region"]),
                    "counter_count": pb.text(a["counter_count"]),
                }
            )
        return table

    def _administration(self, pb: PageBuilder, aid: str) -> None:
        t, a = pb.t, self.data.administrations[aid]
        counters = self.data.counters_of(aid)
        ids = {c["counter_id"] for c in counters}
        sources = sorted({s for s, cov in self.data.coverage.items() if cov["administration_id"] == aid})
        facts = [
            ("ID", aid),
            (t["level"], a["administration_level"] or t["unknown"]),
            (t["region"], a["region"] or t["unknown"]),
        ]
        if a.get("nis_code") in self.data.communes:
            facts.append((t["commune"], commune_name(self.data.communes[a["nis_code"]], pb.lang)))
        s = slug(aid)
        self._page(
            pb.lang,
            f"administration/{s}.html",
            "administration.html.j2",
            admin_name(a, pb.lang, aid),
            facts=facts,
            counters=pb.counters_table(counters, f"administration-{s}-counters.csv", "../", by="commune"),
            channels=pb.channels_table(
                [c for c in self.data.channels if c["administration_id"] == aid],
                f"administration-{s}-procedures.csv",
                "../",
                by="procedure",
            ),
            events=pb.events_table(
                [e for e in self.data.events if e["counter_id"] in ids], f"administration-{s}-events.csv", "../"
            ),
            coverage=pb.coverage_table(sources, f"administration-{s}-coverage.csv"),
        )

    def _procedures_table(self, pb: PageBuilder) -> Table:
        t = pb.t
        table = Table(
            "procedures.csv",
            t["procedures_title"],
            [
                ("procedure_key", t["procedure"]),
                ("administrations", t["administrations_title"]),
                ("online_only", t["online_only"]),
            ],
        )
        for key, p in sorted(
            self.data.procedures.items(), key=lambda kv: (procedure_label(kv[1], pb.lang).casefold(), kv[0])
        ):
            rows = [c for c in self.data.channels if c["procedure_key"] == key]
            online_only = sum(1 for c in rows if c["is_online_only"])
            table.rows.append(
                {
                    "procedure_key": Cell(key, procedure_label(p, pb.lang), f"procedure/{slug(key)}.html"),
                    "administrations": Cell(
                        len({c["administration_id"] for c in rows}), str(len({c["administration_id"] for c in rows}))
                    ),
                    "online_only": Cell(online_only, str(online_only)),
                }
            )
        return table

    def _procedure(self, pb: PageBuilder, key: str) -> None:
        p = self.data.procedures[key]
        channels = [c for c in self.data.channels if c["procedure_key"] == key]
        admins = sorted({c["administration_id"] for c in channels if c["administration_id"]})
        counters = [c for c in self.data.counters if c["administration_id"] in admins]
        s = slug(key)
        self._page(
            pb.lang,
            f"procedure/{s}.html",
            "procedure.html.j2",
            procedure_label(p, pb.lang),
            channels=pb.channels_table(channels, f"procedure-{s}-channels.csv", "../", by="administration"),
            help=None if self.data.help_points is None else pb.help_table(key, f"procedure-{s}-help.csv", "../"),
            # Only without help points is the administration's counter list shown (and its CSV written).
            fallback=None
            if self.data.help_points is not None
            else pb.counters_table(counters, f"procedure-{s}-counters.csv", "../", by="commune"),
            transitions=pb.transitions_table(
                [x for x in self.data.transitions if x["procedure_key"] == key], f"procedure-{s}-transitions.csv", "../"
            ),
        )

    def _map(self, pb: PageBuilder) -> None:
        t = pb.t
        if not self.projected or not self.projected[2]:
            self._page(pb.lang, "map.html", "map.html.j2", t["map_title"], map="", intro="", legend=[], values=None)
            return
        from markupsafe import Markup

        counts = {nis: pb.active_count(nis) for nis in self.data.communes}
        colours = dict(MAP_CLASSES)

        def klass(nis: str) -> str:
            tracked, active = counts.get(nis, (0, 0))
            if not tracked:
                return "c0"
            return "c1" if active == 0 else "c2" if active == 1 else "c3" if active <= 3 else "c4"

        def fill(nis: str) -> tuple[str, str]:
            commune = self.data.communes.get(nis)
            name = commune_name(commune, pb.lang) if commune else nis
            tracked, active = counts.get(nis, (0, 0))
            value = t["map_untracked"] if not tracked else f"{active} / {tracked}"
            return colours[klass(nis)], f"{name}: {value}"

        intro = t["map_intro"].format(date=self.data.data_as_of)
        svg = commune_map(self.projected, fill, lambda nis: f"commune/{nis}.html", t["map_title"])
        legend = [("c0", t["map_untracked"]), ("c1", "0"), ("c2", "1"), ("c3", "2–3"), ("c4", "4+")]
        values = Table(
            "map-active-counters.csv",
            t["map_title"],
            [
                ("nis_code", t["commune"]),
                ("counters_tracked", t["counters_count"]),
                ("counters_active", t["states"]["open"]),
            ],
        )
        for nis, (tracked, active) in counts.items():
            if tracked:
                values.rows.append(
                    {
                        "nis_code": pb.commune_link(nis, ""),
                        "counters_tracked": Cell(tracked, str(tracked)),
                        "counters_active": Cell(active, str(active)),
                    }
                )
        self._page(
            pb.lang,
            "map.html",
            "map.html.j2",
            t["map_title"],
            map=Markup(svg),
            intro=intro,
            legend=legend,
            values=values,
        )


__all__ = ["LANGUAGES", "SiteBuilt", "build_site"]
