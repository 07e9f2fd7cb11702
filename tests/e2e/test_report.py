"""The trend report: built from the sample release in FR and NL (HTML and PDF), safe against
scraped markup, and rendered by a real headless Chromium (screenshots kept as artefacts)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import escape as html_escape
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from tests.helpers.browser import DevTools, artefacts_dir, chromium_or_skip, dump_dom, screenshot
from tests.helpers.pdf_text import page_texts
from tests.helpers.sample_data import BIN, guichets_env, sample_data  # noqa: F401 (fixture)
from warehouse.report.charts import sanitize_svg
from warehouse.report.evidence import safe_href

e2e = pytest.mark.e2e
INJECTION = "<script>alert(1)</script>"
JS_URL = "javascript:alert(1)"
BANNERS = {"fr": "DONNÉES D'ILLUSTRATION", "nl": "ILLUSTRATIEVE GEGEVENS", "en": "ILLUSTRATIVE SAMPLE DATA"}
CHARTS = (
    "active_counters",
    "walk_in_hours",
    "appointment_only",
    "administration_counters",
    "administration_hours",
    "online_only",
)
# Drawn only where a value is published: the sample tracks a few counters of no type whose
# universe is complete, so no region has a per-capita figure (docs/indicators.md) and the chart
# gives way to a note saying why.
UNPUBLISHED_CHARTS = ("walk_in_per_10k",)
# The only relative links: the other languages' reports and the charts' CSV files beside them.
LOCAL_FILE = r"report-(fr|nl|en)\.html|chart-[a-z_0-9]+-(fr|nl|en)\.csv"
LANGS = ("fr", "nl", "en")


def guichets(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "guichets"), *args], capture_output=True, text=True, env=guichets_env(), timeout=600
    )


class Page(HTMLParser):
    """Every tag with its attributes, and the visible text, of an HTML document."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)

    def all(self, tag: str) -> list[dict]:
        return [a for t, a in self.tags if t == tag]

    def links(self) -> list[str]:
        return [a.get("href") or "" for t, a in self.tags if "href" in a or "xlink:href" in a]


@pytest.fixture(scope="module")
def built(sample_data, tmp_path_factory):  # noqa: F811 (fixture)
    """``guichets report`` on the sample release, FR, NL and EN, HTML and PDF, into a temp dir."""
    chromium_or_skip()
    out = tmp_path_factory.mktemp("report-out")
    release = sample_data / "releases" / "latest"
    proc = guichets("report", "--release", str(release), "--lang", ",".join(LANGS), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {"dir": out / "report", "stdout": proc.stdout, "data": sample_data, "release": release.resolve()}


@e2e
def test_report_builds_fr_nl_and_en_html_and_pdf(built):
    files = sorted(p.name for p in built["dir"].iterdir() if not p.name.endswith(".csv"))
    assert files == [f"report-{lang}.{ext}" for lang in sorted(LANGS) for ext in ("html", "pdf")]
    assert "ILLUSTRATIVE SAMPLE DATA" in built["stdout"]
    version = json.loads((built["release"] / "metadata.json").read_text())["version"]
    for lang in LANGS:
        html = (built["dir"] / f"report-{lang}.html").read_text("utf-8")
        assert html.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in html
        page = Page(html)
        text = " ".join(page.text)
        assert version in text  # suggested citation and release line
        assert "126/2025" in text  # the three-channel guarantee, Constitutional Court
        pdf = built["dir"] / f"report-{lang}.pdf"
        assert pdf.read_bytes()[:5] == b"%PDF-"
        pages = [re.sub(r"\s+", " ", p) for p in page_texts(pdf)]
        assert len(pages) >= 4
        # The running banner is on every PDF page, with the page number.
        for number, content in enumerate(pages, start=1):
            assert BANNERS[lang] in content, f"{lang} page {number} lacks the illustrative banner"
            assert f"{number} / {len(pages)}" in content


@e2e
def test_report_is_self_contained_and_scriptless(built):
    for lang in ("fr", "nl"):
        html = (built["dir"] / f"report-{lang}.html").read_text("utf-8")
        page = Page(html)
        assert not page.all("script") and not page.all("link") and not page.all("img") and not page.all("iframe")
        csp = [a["content"] for a in page.all("meta") if a.get("http-equiv") == "Content-Security-Policy"]
        assert csp and "default-src 'none'" in csp[0]
        assert not re.search(r"url\(\s*['\"]?(https?:|//)", html) and "@import" not in html
        for href in page.links():
            assert href.startswith("#") or re.fullmatch(LOCAL_FILE, href), href
        # One inline SVG per chart, each with drawn marks.
        figures = {a["id"] for a in page.all("figure")}
        assert {f"chart-{c}" for c in CHARTS} <= figures
        assert html.count("<svg") >= len(CHARTS)
        notes = {a["id"] for a in page.all("p") if a.get("id")}
        assert {f"chart-missing-{c}" for c in UNPUBLISHED_CHARTS} <= notes
        assert not {f"chart-{c}" for c in UNPUBLISHED_CHARTS} & figures


@e2e
def test_headlines_show_coverage_and_indicative_marks(built):
    html = (built["dir"] / "report-fr.html").read_text("utf-8")
    cards = re.findall(r'<article class="card[^"]*" data-indicator="([a-z_0-9]+)">(.*?)</article>', html, re.S)
    keys = [k for k, _ in cards]
    assert {"active_counters", "walk_in_hours_per_10k", "appointment_only_share", "online_only_share"} <= set(keys)
    assert "brussels_guarantee" in keys
    for key, body in cards:
        assert "Couverture" in body and "sources observées à temps" in body, key
        assert ("indicatif" in body) or ("fiable" in body), key
    # Per capita needs a complete tracked universe: the card says why there is no figure, never 0.
    per_10k = dict(cards)["walk_in_hours_per_10k"]
    assert "non publié : la liste complète de ces guichets n'existe pas" in html_unescape(per_10k)
    # Changes are like-for-like, with the panel they are computed on.
    assert "guichets connus aux deux dates" in dict(cards)["walk_in_hours_per_week"]
    # The sample's coverage is low: its headline figures are all marked indicative.
    assert all('class="badge"' in body for _, body in cards)


def _release_rows(release: Path, sql: str) -> list[tuple]:
    """Rows of ``sql`` over the release's parquet files (each table a view of its file)."""
    with duckdb.connect() as con:
        for path in (release / "data").glob("*.parquet"):
            con.execute(f"CREATE VIEW {path.stem} AS SELECT * FROM read_parquet('{path}')")
        return con.execute(sql).fetchall()


def _section(html: str, name: str) -> str:
    start = html.index(f'<section id="{name}"')
    return html[start : html.index("</section>", start)]


@e2e
def test_the_first_lines_state_the_tracked_universe_and_the_period(built):
    (counters, administrations, communes) = _release_rows(
        built["release"],
        "SELECT count(*), count(DISTINCT administration_id), count(DISTINCT nis_code) FROM dim_counter",
    )[0]
    words = {"fr": ("guichets", "administrations", "communes"), "nl": ("loketten", "besturen", "gemeenten"),
             "en": ("counters", "administrations", "communes")}  # fmt: skip
    for lang in LANGS:
        html = (built["dir"] / f"report-{lang}.html").read_text("utf-8")
        universe = html_unescape(re.search(r'<p class="universe" id="universe"><strong>(.*?)</strong>', html, re.S)[1])
        c, a, m = words[lang]
        assert f"{counters} {c}" in universe and f"{administrations} {a}" in universe
        assert f"{communes} {m}" in universe, universe
        assert re.search(r"\b(19|20)\d\d\b.*\b(19|20)\d\d\b", universe)  # from a month to a month
        # The first thing after the title on the PDF's first page (after the sample banner).
        first_page = re.sub(r"\s+", " ", page_texts(built["dir"] / f"report-{lang}.pdf")[0])
        assert f"{counters} {c}" in first_page
        assert first_page.index(BANNERS[lang]) < first_page.index(f"{counters} {c}")
        publication = _section_like(html, '<dl class="publication"', "</dl>")
        meta = json.loads((built["release"] / "metadata.json").read_text())
        for value in (meta["version"], meta["data_as_of"], "guichets — o", meta["landing_page"]):
            assert html_escape(value) in publication, (lang, value)


def _section_like(html: str, start: str, end: str) -> str:
    i = html.index(start)
    return html[i : html.index(end, i)]


@e2e
def test_the_summary_has_three_to_five_key_messages_with_coverage_and_panel(built):
    changes = _release_rows(
        built["release"],
        "SELECT panel_counters, counters_tracked, active_counters, is_indicative FROM fct_access_changes "
        "WHERE scope_type = 'belgium' AND counter_type = 'all' AND comparison = 'year_earlier' "
        "AND month_start = (SELECT max(month_start) FROM fct_access_indicators "
        "WHERE month_end <= (SELECT max(data_last_observed_at) FROM fct_source_coverage))",
    )
    assert changes, "the sample has a year-earlier comparison at the headline month"
    panel, tracked, active, _indicative = changes[0]
    for lang in LANGS:
        html = (built["dir"] / f"report-{lang}.html").read_text("utf-8")
        summary = _section(html, "summary")
        messages = re.findall(r'<li class="message( greyed)?" data-message="([a-z_]+)">(.*?)</li>', summary, re.S)
        assert 3 <= len(messages) <= 5, messages
        for greyed, key, body in messages:
            text = html_unescape(re.sub(r"<[^>]+>", " ", body))
            assert re.search(r"\d", text), key  # its number
            assert re.search(r"Couverture|Dekking|Coverage", text), key  # its coverage
            # Greyed exactly when indicative, and then it says why.
            assert bool(greyed) == ('class="why"' in body), key
        greyed, _, active_message = next(m for m in messages if m[1] == "active")
        # The number and its like-for-like panel, as fct_access_changes publishes them.
        text = html_unescape(re.sub(r"<[^>]+>", " ", active_message))
        assert text.lstrip().startswith(f"{active} ") and f" {panel} " in text and f" {tracked} " in text
        assert greyed and 'class="why"' in active_message  # the sample's coverage is low: greyed, and why


@e2e
def test_limitations_and_the_commune_table_grey_what_is_under_the_threshold(built):
    communes = _release_rows(
        built["release"],
        "SELECT scope_name, has_totals, is_indicative FROM fct_access_indicators WHERE scope_type = 'municipality' "
        "AND counter_type = 'all' AND month_start = (SELECT max(month_start) FROM fct_access_indicators "
        "WHERE month_end <= (SELECT max(data_last_observed_at) FROM fct_source_coverage))",
    )
    assert communes
    for lang in LANGS:
        html = (built["dir"] / f"report-{lang}.html").read_text("utf-8")
        assert len(re.findall(r"<li>", _section(html, "limitations"))) >= 4
        table = _section(html, "communes")
        rows = re.findall(r"<tr( class=\"greyed\")?><td>(.*?)</td>(.*?)</tr>", table, re.S)
        assert len(rows) == len(communes)
        grey = {html_unescape(name) for g, name, _ in rows if g}
        assert grey == {name for name, totals, ind in communes if not totals or ind}
        for g, name, rest in rows:
            reason = re.search(r'<td class="why">(.*?)</td>', rest, re.S)[1]
            assert bool(reason.strip()) == bool(g), name  # a greyed number says why


@e2e
def test_every_chart_has_a_description_a_source_line_and_its_data_as_csv(built):
    version = json.loads((built["release"] / "metadata.json").read_text())["version"]
    descriptions = {}
    for lang in LANGS:
        html = (built["dir"] / f"report-{lang}.html").read_text("utf-8")
        for name in CHARTS:
            figure = _section_like(html, f'<figure class="chart" id="chart-{name}"', "</figure>")
            caption = figure[figure.index("<figcaption>") :]
            assert f'aria-describedby="desc-{name}"' in figure
            description = re.search(rf'<span class="description" id="desc-{name}">(.*?)</span>', caption, re.S)[1]
            descriptions[(lang, name)] = description
            assert f"guichets, {'version' if lang == 'fr' else 'versie' if lang == 'nl' else 'release'} {version}" in (
                caption
            )
            assert "marts.fct_" in caption
            csv_name = re.search(r'<a class="csv" href="([^"]+)"', caption)[1]
            assert csv_name == f"chart-{name}-{lang}.csv"
            lines = (built["dir"] / csv_name).read_text("utf-8-sig").splitlines()
            assert len(lines) >= 2 and "value" in lines[0].split(","), (lang, name)
    for name in CHARTS:  # localised, not one text for every language
        assert len({descriptions[(lang, name)] for lang in LANGS}) == len(LANGS), name


@e2e
def test_the_main_body_fits_in_eight_pdf_pages_with_the_evidence_in_an_appendix(built, tmp_path):
    titles = {"fr": "Annexe — preuves", "nl": "Bijlage — bewijzen", "en": "Appendix — evidence"}
    for lang in LANGS:
        pdf = built["dir"] / f"report-{lang}.pdf"
        pages = [re.sub(r"\s+", " ", p) for p in page_texts(pdf)]
        starts = [n for n, text in enumerate(pages, start=1) if titles[lang] in text]
        # The title is in the table of contents (page 1) and heads the appendix.
        appendix = max(starts)
        assert appendix > 1 and appendix - 1 <= 8, f"{lang}: main body {appendix - 1} pages of {len(pages)}"
        for where in artefacts_dir(tmp_path / "pdf-pages"):
            if shutil.which("pdftoppm"):  # the first page as a person sees it (poppler-utils)
                subprocess.run(
                    ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                     str(where / f"report-{lang}-page1")],
                    check=True, timeout=120,
                )  # fmt: skip
                assert (where / f"report-{lang}-page1.png").stat().st_size > 5000


@e2e
def test_closures_cite_their_evidence_from_the_release_alone(built):
    """Short references in the table, the full reference in the appendix, all from the release's captures."""
    html = (built["dir"] / "report-fr.html").read_text("utf-8")
    section = html[html.index('<section id="closures">') : html.index('<section id="downgrades">')]
    appendix = html[html.index('<section id="appendix"') :]
    captures = built["release"] / "data" / "captures.parquet"
    with duckdb.connect() as con:
        closures = con.execute(
            "SELECT counter_id, before_capture_id, after_capture_id FROM "
            f"read_parquet('{built['release'] / 'data' / 'fct_counter_events.parquet'}') "
            "WHERE event_type IN ('closed', 'temporarily_closed')"
        ).fetchall()
        known = {
            cid: (warc, record, url)
            for cid, warc, record, url in con.execute(
                f"SELECT capture_id, warc_file, warc_record_id, page_url FROM read_parquet('{captures}')"
            ).fetchall()
        }
    assert closures
    refs = dict(re.findall(r'<div id="(E\d+)"><dt>\[E\d+\]</dt><dd><code>([^<]+)</code>', appendix))
    by_capture = {cid: ref for ref, cid in refs.items()}
    for _, before, after in closures:
        for capture in (before, after):
            ref = by_capture[capture]  # in the appendix, once
            # cited by its short reference in the table (the link's title is the capture's date)
            assert re.search(rf'href="#{ref}"[^>]*>\[{ref}\]</a>', section), ref
            entry = appendix[appendix.index(f'<div id="{ref}">') :].split("</div>", 1)[0]
            warc, record, url = known[capture]
            # The sample is replayed from a local archive: cited by its WARC file and record (beside the releases).
            assert warc in entry and html_escape(record) in entry and html_escape(url) in entry
            assert (built["release"].parent / "warc" / warc).is_file()
    assert f"<code>{closures[0][1]}</code>" not in section  # the table carries the short reference only
    assert "web.archive.org" not in section + appendix  # no public archive holds the invented sample pages


@e2e
def test_report_renders_in_chromium_with_visible_charts(built, tmp_path):
    chromium_or_skip()
    url = (built["dir"] / "report-fr.html").as_uri()
    dom, console = dump_dom(url)
    assert console == [], console
    page = Page(dom)
    assert not page.all("script")
    svgs = re.findall(r"<svg\b.*?</svg>", dom, re.S)
    assert len(svgs) >= len(CHARTS)
    for svg in svgs:
        assert re.search(r'class="mark-(line|rect|symbol|text)', svg), svg[:200]
        assert re.search(r'<path [^>]*d="M', svg)
    shots = []
    for where in artefacts_dir(tmp_path / "screenshots"):
        for lang in ("fr", "nl"):
            console = screenshot((built["dir"] / f"report-{lang}.html").as_uri(), where / f"report-{lang}-top.png")
            assert console == [], console
            shots.append(where / f"report-{lang}-top.png")
    with DevTools() as browser:
        browser.open(url)
        assert browser.problems() == []
        assert browser.evaluate("document.scripts.length") == 0
        boxes = browser.evaluate(
            "[...document.querySelectorAll('figure.chart svg')].map(s => { const r = s.getBoundingClientRect();"
            " const st = getComputedStyle(s); return [r.width, r.height, st.visibility, st.display,"
            " s.querySelectorAll('path, rect, text').length]; })"
        )
        assert len(boxes) == len(CHARTS)
        for width, height, visibility, display, marks in boxes:
            assert width > 300 and height > 120 and visibility == "visible" and display != "none" and marks > 10
        banner = browser.evaluate(
            "(() => { const b = document.getElementById('illustrative-banner'); const r = b.getBoundingClientRect();"
            " return [getComputedStyle(b).position, r.height, b.textContent]; })()"
        )
        assert banner[0] == "sticky" and banner[1] > 10 and "illustration" in banner[2].lower()
        # Still on screen after scrolling to the end: sticky at the top of the viewport.
        browser.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        assert browser.evaluate("document.getElementById('illustrative-banner').getBoundingClientRect().top") == 0
        browser.evaluate("window.scrollTo(0, 0)")
        for where in artefacts_dir(tmp_path / "screenshots"):
            for section in ("charts", "closures", "downgrades", "coverage", "methodology"):
                shots.append(browser.screenshot(where / f"report-fr-{section}.png", f"#{section}"))
    for shot in shots:
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000


def _poisoned_release(release: Path, target: Path) -> Path:
    """A copy of ``release`` whose scraped text, page URLs and replay URLs are hostile."""
    shutil.copytree(release, target, ignore=shutil.ignore_patterns("report"))
    data = target / "data"
    meta = json.loads((target / "metadata.json").read_text())
    meta.update(illustrative=False, version="injection-test", notice="")
    (target / "metadata.json").write_text(json.dumps(meta))
    con = duckdb.connect()
    updates = {
        "dim_counter": f"counter_name = '{INJECTION} ' || counter_name",
        "dim_administration": f"administration_name_fr = '{JS_URL}', administration_name_nl = '{INJECTION}'",
        "dim_procedure": f"procedure_label_fr = '{INJECTION}', procedure_label_nl = '{JS_URL}'",
        "fct_counter_events": (
            f"closure_reason = CASE WHEN event_type IN ('closed', 'temporarily_closed') "
            f"THEN '{INJECTION} <a href=\"{JS_URL}\">x</a> <img src=x onerror=alert(2)>' END"
        ),
        "fct_source_coverage": f"source_id = '{INJECTION}' || source_id",
    }
    closures = con.execute(
        f"SELECT before_capture_id, after_capture_id "
        f"FROM read_parquet('{data / 'fct_counter_events.parquet'}') WHERE event_type = 'closed' ORDER BY event_at"
    ).fetchall()
    (b1, a1), (b2, a2) = closures[:2]
    honest = "https://web.archive.org/web/20210301090005/https://www.example.be/bureaux"
    # (page URL, replay URL, WARC file) per capture: a javascript: replay URL and an unknown host are never
    # links; a page URL trying to break out of an attribute stays text; the honest replay is the one link.
    captures = {
        a1: (JS_URL, JS_URL, f"{INJECTION}.warc.gz"),
        b1: ('https://www.example.be/x"><script>alert(3)</script>', "https://evil.example/replay", None),
        b2: ("https://www.example.be/bureaux", honest, None),
        a2: ("https://www.example.be/bureaux", None, "s2/a.warc.gz"),
    }
    for table, assignment in updates.items():
        path = data / f"{table}.parquet"
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{path}')")
        con.execute(f"UPDATE t SET {assignment}")
        con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
        con.execute("DROP TABLE t")
    path = data / "captures.parquet"
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{path}')")
    for cid, (page, replay, warc) in captures.items():
        con.execute(
            "UPDATE t SET page_url = ?, replay_url = ?, warc_file = coalesce(?, warc_file) WHERE capture_id = ?",
            [page, replay, warc, cid],
        )
    con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    return target


@e2e
def test_scraped_markup_cannot_inject_into_the_report(sample_data, tmp_path):  # noqa: F811 (fixture)
    release = _poisoned_release(sample_data / "releases" / "latest", tmp_path / "poisoned")
    proc = guichets("report", "--release", str(release), "--lang", "fr,nl,en", "--no-pdf")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ILLUSTRATIVE" not in proc.stdout
    for lang in ("fr", "nl", "en"):
        html = (release / "report" / f"report-{lang}.html").read_text("utf-8")
        page = Page(html)
        assert not page.all("script") and not page.all("img") and not page.all("iframe")
        assert "illustrative-banner" not in html  # not a sample release: no banner
        for tag, attrs in page.tags:
            for name, value in attrs.items():
                assert not name.startswith("on"), (tag, name, value)
                assert "javascript:" not in (value or "").lower(), (tag, name, value)
        for href in page.links():
            ok = href.startswith("#") or re.fullmatch(LOCAL_FILE, href)
            assert ok or href.startswith("https://web.archive.org/web/"), href
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        text = " ".join(page.text)
        assert INJECTION in text  # shown as text, exactly as scraped
        replays = [h for h in page.links() if h.startswith("https://web.archive.org/")]
        # The honest replay only: never the javascript: one, the unknown host, nor the capture collected live.
        assert replays == ["https://web.archive.org/web/20210301090005/https://www.example.be/bureaux"], replays
        assert "evil.example" not in " ".join(page.links())
        assert 'https://www.example.be/x"><script>alert(3)</script>' in text  # the hostile page URL, as text
    chromium_or_skip()
    with DevTools() as browser:
        browser.open((release / "report" / "report-fr.html").as_uri())
        assert browser.problems() == []  # no alert() dialog, no CSP violation, no error
        assert browser.evaluate("document.scripts.length") == 0
        assert browser.evaluate("document.querySelectorAll('[onerror], img').length") == 0
        assert INJECTION in browser.evaluate("document.body.innerText")


def test_sanitize_svg_removes_active_content_and_prefixes_ids():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">'
        '<defs><clipPath id="clip1"><rect width="5" height="5"/></clipPath></defs>'
        "<script>alert(2)</script><foreignObject><div>x</div></foreignObject>"
        '<a xlink:href="javascript:alert(3)"><text>link</text></a>'
        '<g clip-path="url(#clip1)" style="fill: red"><path d="M0,0L1,1" onclick="alert(4)"/></g>'
        '<use href="#clip1"/><use href="https://evil.example/x.svg#a"/>'
        '<rect fill="url(https://evil.example/p)" width="1" height="1"/><text>&lt;script&gt;</text></svg>'
    )
    clean = sanitize_svg(svg, prefix="c1")
    assert "script>" not in clean.replace("&lt;script&gt;", "") and "alert" not in clean
    assert "foreignObject" not in clean and "evil.example" not in clean and "javascript" not in clean
    assert 'id="c1-clip1"' in clean and 'clip-path="url(#c1-clip1)"' in clean and 'href="#c1-clip1"' in clean
    assert "&lt;script&gt;" in clean and 'd="M0,0L1,1"' in clean


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://web.archive.org/web/20200101000000/https://www.gent.be/", True),
        ("http://web.archive.org/web/2020/https://x.be/", True),
        ("#closures", True),
        ("report-nl.html", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox", False),
        ("https://evil.example/", False),
        ("//evil.example/", False),
        ("https://web.archive.org.evil.example/", False),
        ("https://evil.example\\@web.archive.org/", False),
        ("file:///etc/passwd", False),
        ("", False),
        (None, False),
    ],
)
def test_safe_href_only_allows_known_hosts_and_relative_links(url, allowed):
    assert (safe_href(url) is not None) is allowed
