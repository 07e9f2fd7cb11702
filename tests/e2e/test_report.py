"""The trend report: built from the sample release in FR and NL (HTML and PDF), safe against
scraped markup, and rendered by a real headless Chromium (screenshots kept as artefacts)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from tests.helpers.browser import DevTools, artefacts_dir, chromium_or_skip, dump_dom, screenshot
from tests.helpers.pdf_text import page_texts
from tests.helpers.sample_data import BIN, guichets_env, sample_data  # noqa: F401 (fixture)
from warehouse.report.charts import sanitize_svg
from warehouse.report.evidence import archive_replay_url, safe_href

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
    """``guichets report`` on the sample release, FR and NL, HTML and PDF, into a temp dir."""
    chromium_or_skip()
    out = tmp_path_factory.mktemp("report-out")
    release = sample_data / "releases" / "latest"
    proc = guichets("report", "--release", str(release), "--lang", "fr,nl", "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {"dir": out / "report", "stdout": proc.stdout, "data": sample_data, "release": release.resolve()}


@e2e
def test_report_builds_fr_and_nl_html_and_pdf(built):
    files = sorted(p.name for p in built["dir"].iterdir())
    assert files == ["report-fr.html", "report-fr.pdf", "report-nl.html", "report-nl.pdf"]
    assert "ILLUSTRATIVE SAMPLE DATA" in built["stdout"]
    version = json.loads((built["release"] / "metadata.json").read_text())["version"]
    for lang in ("fr", "nl"):
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
            assert href.startswith("#") or re.fullmatch(r"report-(fr|nl|en)\.html", href), href
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


@e2e
def test_closures_are_linked_to_their_evidence(built):
    html = (built["dir"] / "report-fr.html").read_text("utf-8")
    section = html[html.index('<section id="closures">') : html.index('<section id="downgrades">')]
    with duckdb.connect(str(built["data"] / "warehouse" / "guichets.duckdb"), read_only=True) as con:
        closures = con.execute(
            "SELECT counter_id, before_capture_id, after_capture_id FROM marts.fct_counter_events "
            "WHERE event_type IN ('closed', 'temporarily_closed')"
        ).fetchall()
        warcs = dict(con.execute("SELECT capture_id, warc_file FROM raw.captures").fetchall())
    assert closures
    for _, before, after in closures:
        for capture in (before, after):
            assert f"<code>{capture}</code>" in section
            # The sample is replayed from a local archive: cited by its WARC file, which exists.
            assert warcs[capture].removeprefix("evidence/warc/") in section
            assert (built["data"] / warcs[capture]).is_file()
    assert "web.archive.org" not in section  # no public archive holds the invented sample pages


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


def _poisoned_release(release: Path, target: Path) -> tuple[Path, Path]:
    """A copy of ``release`` whose scraped text is hostile, and a collection log with hostile URLs."""
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
    for table, assignment in updates.items():
        path = data / f"{table}.parquet"
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{path}')")
        con.execute(f"UPDATE t SET {assignment}")
        con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
        con.execute("DROP TABLE t")
    closures = con.execute(
        f"SELECT before_capture_id, after_capture_id, previous_observed_at, event_at "
        f"FROM read_parquet('{data / 'fct_counter_events.parquet'}') WHERE event_type = 'closed' ORDER BY event_at"
    ).fetchall()
    db = target.parent / "log.duckdb"
    log = duckdb.connect(str(db))
    log.execute(
        "CREATE SCHEMA raw; CREATE TABLE raw.captures (capture_id VARCHAR, source_id VARCHAR, url VARCHAR, "
        "observed_at TIMESTAMP, origin VARCHAR, archive VARCHAR, warc_file VARCHAR, warc_record_id VARCHAR)"
    )
    (b1, a1, t_b1, t_a1), (b2, a2, t_b2, t_a2) = closures[:2]
    wayback = "wayback"  # the archive each capture says it came from
    rows = [
        # A hostile page URL from a public archive: never a link.
        (a1, "s1", JS_URL, t_a1, "web_archive", wayback, f"evidence/warc/{INJECTION}.warc.gz", "<urn:x>"),
        # A page URL trying to break out of the attribute: percent-encoded in the replay URL.
        (
            b1,
            "s1",
            'https://www.example.be/x"><script>alert(3)</script>',
            t_b1,
            "web_archive",
            wayback,
            None,
            None,
        ),
        # An honest public-archive capture: the one link the report may build.
        (
            b2,
            "s2",
            "https://www.example.be/bureaux",
            t_b2,
            "web_archive",
            wayback,
            None,
            None,
        ),
        # Collected live: cited by WARC file, never a link.
        (
            a2,
            "s2",
            "https://www.example.be/bureaux",
            t_a2,
            "live",
            None,
            "evidence/warc/s2/a.warc.gz",
            "<urn:y>",
        ),
    ]
    log.executemany("INSERT INTO raw.captures VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    log.close()
    return target, db


@e2e
def test_scraped_markup_cannot_inject_into_the_report(sample_data, tmp_path):  # noqa: F811 (fixture)
    release, db = _poisoned_release(sample_data / "releases" / "latest", tmp_path / "poisoned")
    proc = guichets("report", "--release", str(release), "--lang", "fr,nl,en", "--no-pdf", "--db", str(db))
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
            ok = href.startswith("#") or re.fullmatch(r"report-(fr|nl|en)\.html", href)
            assert ok or href.startswith("https://web.archive.org/web/"), href
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        text = " ".join(page.text)
        assert INJECTION in text  # shown as text, exactly as scraped
        replays = [h for h in page.links() if h.startswith("https://web.archive.org/")]
        # The honest capture, and the one whose http(s) URL tried to break out (percent-encoded);
        # never the javascript: page, nor the capture collected live.
        assert len(replays) == 2, replays
        assert any(h.endswith("/https://www.example.be/bureaux") for h in replays)
        assert any("%22%3E%3Cscript%3E" in h for h in replays)
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


def test_archive_replay_url_needs_a_public_archive_and_an_http_page():
    from datetime import datetime

    at = datetime(2021, 3, 1, 9, 0, 5)
    assert (
        archive_replay_url("wayback", "https://a.be/x?q=1", at)
        == "https://web.archive.org/web/20210301090005/https://a.be/x?q=1"
    )
    assert archive_replay_url("sample", "https://a.be/", at) is None  # a local archive: nothing to link to
    assert archive_replay_url(None, "https://a.be/", at) is None
    assert archive_replay_url("wayback", JS_URL, at) is None
    quoted = archive_replay_url("wayback", 'https://a.be/"><b>', at)
    assert quoted is not None and '"' not in quoted and "<" not in quoted
