"""The static website of a release (``guichets site``): built by the pipeline beside the sample
release, and checked in a real headless Chromium from ``file://``: search by FR/NL/DE name and
postcode, commune pages with counters and a chart, every link resolving offline, no request
leaving the files, no console error, the sample banner on every page, sizes and search time.

Screenshots go to ``$GUICHETS_ARTEFACTS`` when set (and the test's temporary folder).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.helpers.browser import DevTools, artefacts_dir, chromium_or_skip
from tests.helpers.sample_data import BIN, guichets_env, sample_data  # noqa: F401 (fixture)
from warehouse.report.evidence import safe_href
from warehouse.site.pages import hours_in_words
from warehouse.site.postcodes import postcodes_by_commune
from warehouse.site.search_index import name_keys, normalise
from warehouse.site.site_data import chain_since_first_observation

e2e = pytest.mark.e2e
PAGE_LIMIT = 200_000  # bytes of a page and the style sheet and scripts it loads, before images
SEARCH_LIMIT_MS = 100
BANNERS = {"fr": "DONNÉES D'ILLUSTRATION", "nl": "ILLUSTRATIEVE GEGEVENS", "en": "ILLUSTRATIVE SAMPLE DATA"}
# Communes of the sample with their names and a postcode (Statbel names, bpost codes).
LIEGE, SCHAERBEEK, GENT, BRUXELLES = "62063", "21015", "44021", "21004"
# German-speaking communes, with their Statbel FR and DE names (REFNIS).
EUPEN, SANKT_VITH, BUTGENBACH, KELMIS = "63023", "63067", "63013", "63040"


# -- without a release ------------------------------------------------------------------------
def test_names_match_without_accents_case_or_umlauts():
    assert normalise("Liège") == normalise("LIEGE") == "liege"
    assert normalise("Sint-Jans-Molenbeek") == "sint jans molenbeek"
    assert normalise("Braine-l'Alleud") == "braine l alleud"
    assert name_keys(["Liège", "Luik", "Lüttich"]) == ["liege", "luik", "luttich", "luettich"]


def test_hours_in_words_groups_a_day_and_keeps_what_it_cannot_read():
    t = {"days": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
         "walk_in": "sans rendez-vous", "appointment": "sur rendez-vous"}  # fmt: skip
    text = "mo 09:00-12:00 walk_in; mo 13:30-16:30 walk_in; tu 09:00-12:00 appointment; 1st Sunday"
    assert hours_in_words(text, t) == (
        "lundi 09:00–12:00, 13:30–16:30 (sans rendez-vous); mardi 09:00–12:00 (sur rendez-vous); 1st Sunday"
    )
    assert hours_in_words(None, t) is None


def test_trend_chains_like_for_like_changes_from_the_first_observed_month():
    rows = [  # composed: a commune first observed in March, a month with an empty panel in May
        {"month_start": date(2020, 2, 1), "panel_counters": 0, "walk_in_hours_change": None},
        {"month_start": date(2020, 3, 1), "panel_counters": 2, "walk_in_hours_change": 0.0},
        {"month_start": date(2020, 4, 1), "panel_counters": 2, "walk_in_hours_change": -4.5},
        {"month_start": date(2020, 5, 1), "panel_counters": 0, "walk_in_hours_change": None},
        {"month_start": date(2020, 6, 1), "panel_counters": 3, "walk_in_hours_change": 2.0},
    ]
    chained = chain_since_first_observation(rows)
    assert [r["month_start"].month for r in chained] == [3, 4, 5, 6]
    assert [r["cumulative_change"] for r in chained] == [0.0, -4.5, -4.5, -2.5]


def test_postcodes_of_renumbered_communes_follow_them_and_none_is_guessed():
    # Binche (58002 since 2019; bpost 7130 is listed under its 2018 code 56011), Schaerbeek.
    codes, left_out = postcodes_by_commune(["58002", "21015"], [("1031", "21015"), ("9999", "00000")])
    assert "7130" in codes["58002"]
    assert codes["21015"] == ["1030", "1031"]
    assert left_out > 0 and set(codes) == {"58002", "21015"}


# -- the site of the sample release -------------------------------------------------------------
def guichets(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "guichets"), *args], capture_output=True, text=True, env=guichets_env(), timeout=900
    )


@pytest.fixture(scope="module")
def site(sample_data):  # noqa: F811 (fixture)
    """The site the pipeline built beside the sample release (``make run`` builds the same)."""
    release = (sample_data / "releases" / "latest").resolve()
    root = release / "site"
    assert (root / "index.html").is_file(), "the publish stage did not build the website"
    return {"root": root, "release": release, "data": sample_data}


class Links(HTMLParser):
    """The links (href, src) and element IDs of an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if a.get(key) is not None:
                self.links.append(a[key])


@e2e
def test_publish_builds_the_site_beside_the_release_outside_its_checksums(site):
    from warehouse.release.layout import check_checksums

    root = site["root"]
    for lang in ("fr", "nl", "en"):
        assert (root / lang / "index.html").is_file()
        assert (root / lang / "commune" / f"{LIEGE}.html").is_file()
    assert len(list((root / "fr" / "commune").glob("*.html"))) == 581
    _status, problems = check_checksums(site["release"])
    assert problems == []  # the site is derived: the release still verifies byte for byte


@e2e
def test_cli_builds_the_same_bytes_from_the_same_release(site, tmp_path):
    out = tmp_path / "site"
    proc = guichets("site", "--release", str(site["release"]), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == str(out / "index.html")
    assert "ILLUSTRATIVE SAMPLE DATA" in proc.stderr
    ours = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    theirs = sorted(p.relative_to(site["root"]).as_posix() for p in site["root"].rglob("*") if p.is_file())
    assert ours == theirs
    different = [rel for rel in ours if (out / rel).read_bytes() != (site["root"] / rel).read_bytes()]
    assert different == []


@e2e
def test_every_link_resolves_offline_and_external_ones_only_reach_archives_or_booking_pages(site):
    import duckdb

    root = site["root"]
    counters = site["release"] / "data" / "dim_counter.parquet"
    columns = {r[0] for r in duckdb.sql(f"DESCRIBE SELECT * FROM '{counters}'").fetchall()}
    booking = set()
    if "booking_url" in columns:  # the counters' own booking pages, as the registry publishes them
        booking = {
            r[0] for r in duckdb.sql(f"SELECT booking_url FROM '{counters}' WHERE booking_url IS NOT NULL").fetchall()
        }
    pages = sorted(root.rglob("*.html"))
    ids = {p: Links(p.read_text("utf-8")).ids for p in pages}
    broken, external = [], set()
    for page in pages:
        for link in Links(page.read_text("utf-8")).links:
            parts = urlsplit(link)
            if parts.scheme:
                assert safe_href(link) == link or link in booking, f"{page}: link {link!r}"
                external.add(link)
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file() or root not in target.parents:
                broken.append(f"{page.relative_to(root)} -> {link}")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in ids[target]:
                broken.append(f"{page.relative_to(root)} -> {link} (no such anchor)")
    assert broken == []
    # The sample's captures come from its local archive: no evidence link leaves the files.
    assert external <= booking


@e2e
def test_every_table_has_its_csv_with_the_same_rows(site):
    root = site["root"]
    page = (root / "fr" / "commune" / f"{GENT}.html").read_text("utf-8")
    counters = re.search(r'<caption class="visually-hidden">Guichets</caption>.*?<tbody>(.*?)</tbody>', page, re.S)[1]
    csv_text = (root / "csv" / f"commune-{GENT}-counters.csv").read_text("utf-8")
    assert csv_text.startswith("\ufeffcounter_name,administration_id,address,")
    assert len(csv_text.strip().splitlines()) - 1 == counters.count("<tr>") >= 3
    hrefs = {link for p in root.rglob("*.html") for link in Links(p.read_text("utf-8")).links if "/csv/" in link}
    assert len(hrefs) == len(list((root / "csv").glob("*.csv")))


@e2e
def test_a_procedure_page_names_every_channel_and_change_in_words(site):
    # The sample's Ghent catalogue offers the certificate only online with itsme/eID.
    root = site["root"]
    csv_text = (root / "csv" / "procedure-household-composition-certificate-channels.csv").read_text("utf-8")
    assert "stad-gent,Attest van gezinssamenstelling,online_digital_identity,true," in csv_text
    page = (root / "fr" / "procedure" / "household-composition-certificate.html").read_text("utf-8")
    assert "en ligne avec une identité numérique (itsme, eID)" in page
    assert "devenue uniquement en ligne" in page and ">became_online_only<" not in page


@e2e
def test_pages_are_small(site):
    root = site["root"]
    assets = {p.name: p.stat().st_size for p in (root / "assets").iterdir()}
    sizes = {}
    for page in root.rglob("*.html"):
        loaded = [Path(unquote(urlsplit(link).path)).name for link in Links(page.read_text("utf-8")).links
                  if "assets/" in link]  # fmt: skip
        sizes[page.relative_to(root).as_posix()] = page.stat().st_size + sum(assets[name] for name in loaded)
    biggest = max(sizes, key=sizes.get)
    ordered = sorted(sizes.values())
    print(
        f"{len(sizes)} pages; with their style sheet and scripts: largest {biggest} {sizes[biggest]} bytes, "
        f"median {ordered[len(ordered) // 2]} bytes, search page {sizes['fr/index.html']} bytes"
    )
    assert sizes[biggest] < PAGE_LIMIT


class Structure(HTMLParser):
    """What the accessibility checks read: the root's lang, the heading levels in order, the form
    fields with their label (``<label for>``, aria-label or aria-labelledby) and the images."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.headings: list[int] = []
        self.fields: list[dict] = []
        self.label_for: set[str] = set()
        self.unlabelled_images: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.fields.append(a)
        elif tag == "label" and a.get("for"):
            self.label_for.add(a["for"])
        elif tag in ("img", "svg") and not (a.get("alt") is not None or a.get("aria-label") or a.get("aria-hidden")
                                            or a.get("aria-labelledby")):  # fmt: skip
            self.unlabelled_images.append(tag)


@e2e
def test_every_page_has_its_language_labels_and_headings_in_order(site):
    root = site["root"]
    problems = []
    for page in sorted(root.rglob("*.html")):
        rel = page.relative_to(root).as_posix()
        doc = Structure(page.read_text("utf-8"))
        lang = rel.split("/")[0] if "/" in rel else None
        if doc.lang is None or (lang and doc.lang != lang):
            problems.append(f"{rel}: lang={doc.lang!r}")
        if doc.headings.count(1) != 1 or doc.headings[0] != 1:
            problems.append(f"{rel}: headings {doc.headings} (one h1, first)")
        skips = [(a, b) for a, b in zip(doc.headings, doc.headings[1:], strict=False) if b > a + 1]
        if skips:
            problems.append(f"{rel}: heading levels skipped {skips}")
        for field in doc.fields:
            if not (field.get("id") in doc.label_for or field.get("aria-label") or field.get("aria-labelledby")):
                problems.append(f"{rel}: field {field} has no label")
        if doc.unlabelled_images:
            problems.append(f"{rel}: {len(doc.unlabelled_images)} images without a text alternative")
    assert problems == []


def _requests(browser: DevTools) -> list[str]:
    return [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]


def _banner(browser: DevTools) -> list:
    return browser.evaluate(
        "(() => { const b = document.getElementById('sample-banner'); if (!b) return null;"
        " const r = b.getBoundingClientRect(); const s = getComputedStyle(b);"
        " return [r.top, r.height, s.visibility, s.display, b.textContent]; })()"
    )


@e2e
def test_search_finds_communes_by_french_dutch_german_names_and_postcode(site, tmp_path):
    chromium_or_skip()
    root = site["root"]
    cases = {
        "Liège": LIEGE, "Liege": LIEGE, "Luik": LIEGE, "Lüttich": LIEGE, "luettich": LIEGE, "4000": LIEGE,
        "Schaerbeek": SCHAERBEEK, "Schaarbeek": SCHAERBEEK, "1030": SCHAERBEEK,
        "Gand": GENT, "Gent": GENT, "9000": GENT, "Bruxelles": BRUXELLES, "Brussel": BRUXELLES,
        "Brüssel": BRUXELLES, "Bruessel": BRUXELLES, "Eupen": EUPEN, "4700": EUPEN,
        "Sankt Vith": SANKT_VITH, "sankt-vith": SANKT_VITH, "Saint-Vith": SANKT_VITH,
        "Bütgenbach": BUTGENBACH, "Butgenbach": BUTGENBACH, "Buetgenbach": BUTGENBACH,
        "Kelmis": KELMIS, "La Calamine": KELMIS,
    }  # fmt: skip
    with DevTools() as browser:
        browser.call("Network.enable", session=True)
        browser.open((root / "fr" / "index.html").as_uri())
        for query, nis in cases.items():
            found = browser.evaluate(f"window.guichetsSearch({json.dumps(query)}).map(e => e.nis)")
            assert found and found[0] == nis, (query, found[:5])
        # A postal code gives every commune it covers (all the index lists it for), none picked.
        mismatched = browser.evaluate(
            "(() => { const by = {}; for (const row of window.GUICHETS_SEARCH.communes)"
            "   for (const p of (row[5] ? row[5].split(' ') : [])) (by[p] = by[p] || []).push(row[0]);"
            " const bad = []; for (const [p, nis] of Object.entries(by)) {"
            "   const got = window.guichetsSearch(p).slice(0, nis.length).map(e => e.nis).sort();"
            "   if (got.join() !== nis.sort().join()) bad.push([p, nis, got]); }"
            " return [Object.keys(by).length, bad]; })()"
        )
        assert mismatched[0] > 1000 and mismatched[1] == []
        # The script's normalisation is the index's (search_index.normalise).
        for text in ("Liège", "Braine-l'Alleud", "ÉCAUSSINNES", "Sint-Genesius-Rode"):
            assert browser.evaluate(f"window.guichetsNorm({json.dumps(text)})") == normalise(text)
        # Typed into the form: results are links to the commune pages; time the whole answer.
        elapsed = browser.evaluate(
            "(() => { const q = document.getElementById('q'); const times = [];"
            " for (const text of ['Luik', 'Liege', '1030', 'Gent', 'Sint', 'br']) {"
            "   const t0 = performance.now(); q.value = text; q.dispatchEvent(new Event('input'));"
            "   times.push(performance.now() - t0); }"
            " q.value = 'Luik'; q.dispatchEvent(new Event('input')); return Math.max(...times); })()"
        )
        print(f"slowest search answer (typed, rendered): {elapsed:.2f} ms")
        assert elapsed < SEARCH_LIMIT_MS
        links = browser.evaluate("[...document.querySelectorAll('#results a')].map(a => a.getAttribute('href'))")
        assert links == [f"commune/{LIEGE}.html"]
        assert "1" in browser.evaluate("document.getElementById('search-status').textContent")
        # A result shows the commune's other names, German exonyms included (REFNIS, no qualifier).
        browser.evaluate("(() => { const q = document.getElementById('q'); q.value = 'Lüttich';"
                         " q.dispatchEvent(new Event('input')); })()")  # fmt: skip
        first = browser.evaluate("document.querySelector('#results li').textContent")
        assert first.startswith("Liège — Luik / Lüttich · 4000")
        for where in artefacts_dir(tmp_path / "screenshots"):
            browser.screenshot(where / "site-search-results.png")
        # A query in the address (the form's own submission) is answered on load.
        browser.open((root / "nl" / "index.html").as_uri() + "?q=1030")
        time.sleep(0.2)
        names = browser.evaluate("[...document.querySelectorAll('#results a')].map(a => a.textContent)")
        assert names[0] == "Schaarbeek"
        assert browser.problems() == []
        assert all(url.startswith("file://") for url in _requests(browser))


@e2e
def test_pages_render_offline_with_banner_chart_and_no_error(site, tmp_path):
    chromium_or_skip()
    root = site["root"]
    administration = sorted((root / "fr" / "administration").glob("*.html"))[0].name
    procedure = sorted((root / "fr" / "procedure").glob("*.html"))[0].name
    pages = {
        "index": "index.html",
        "home-fr": "fr/index.html",
        "commune-fr": f"fr/commune/{GENT}.html",
        "commune-nl": f"nl/commune/{GENT}.html",
        "commune-en-empty": "en/commune/11001.html",  # Aartselaar: no counter tracked
        "administration-fr": f"fr/administration/{administration}",
        "procedure-nl": f"nl/procedure/{procedure}",
        "communes-fr": "fr/communes.html",
        "map-en": "en/map.html",
    }
    shots = []
    requests: list[str] = []
    with DevTools() as browser:
        browser.call("Network.enable", session=True)
        for name, rel in pages.items():
            browser.open((root / rel).as_uri())
            assert browser.problems() == [], (rel, browser.problems())
            requests += _requests(browser)
            top, height, visibility, display, text = _banner(browser)
            lang = rel.split("/")[0] if "/" in rel else "fr"
            assert top < 60 and height > 10 and visibility == "visible" and display != "none", rel
            assert BANNERS[lang] in text, rel
            if name.startswith(("index", "home", "commune-fr", "administration")):
                for where in artefacts_dir(tmp_path / "screenshots"):
                    shots.append(browser.screenshot(where / f"site-{name}.png", "body", max_height=2400))
            if name == "commune-fr":
                rows = browser.evaluate("document.querySelectorAll('#h-counters ~ div tbody tr').length")
                assert rows >= 3
                chart = browser.evaluate(
                    "(() => { const s = document.querySelector('figure.chart svg');"
                    " const r = s.getBoundingClientRect();"
                    " return [r.width, r.height, s.querySelectorAll('rect').length, s.getAttribute('role')]; })()"
                )
                assert chart[0] > 300 and chart[1] > 100 and chart[2] >= 1 and chart[3] == "img"
                assert browser.evaluate("document.querySelector('h1').textContent") == "Gand"
                # Keyboard: the first Tab reaches the skip link, which leads to the main content.
                browser.call("Input.dispatchKeyEvent", {"type": "keyDown", "key": "Tab", "code": "Tab",
                                                        "windowsVirtualKeyCode": 9}, session=True)  # fmt: skip
                assert browser.evaluate("document.activeElement.className") == "skip"
                # ... and shows where the focus is (site.css: 3px outline, contrast in tests/unit).
                outline = browser.evaluate(
                    "(() => { const s = getComputedStyle(document.activeElement);"
                    " return [s.outlineStyle, s.outlineWidth, document.activeElement.matches(':focus-visible')]; })()"
                )
                assert outline == ["solid", "3px", True]
            if name == "commune-en-empty":
                text = browser.evaluate("document.querySelector('main').textContent")
                assert "No counter of this commune is tracked" in text
            if name == "map-en":  # drawn from warehouse/reference/data/communes_be.geojson
                paths = browser.evaluate("document.querySelectorAll('svg.map a path').length")
                assert paths == 581
                for where in artefacts_dir(tmp_path / "screenshots"):
                    shots.append(browser.screenshot(where / "site-map-en.png", "figure.map"))
            if name == "administration-fr":
                assert browser.evaluate("document.querySelectorAll('main table').length") >= 1
    assert requests and all(url.startswith("file://") for url in requests), sorted(set(requests))
    for shot in shots:
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000


@e2e
def test_a_release_without_optional_tables_says_not_published(site, tmp_path):
    """Tables a release may lack (the trend's, the procedures') are said to be missing, never invented."""
    from warehouse.site import build_site

    release = tmp_path / "release"
    shutil.copytree(site["release"], release, ignore=shutil.ignore_patterns("site", "*.csv", "guichets.duckdb"))
    for table in ("fct_access_changes", "fct_procedure_channel_history", "fct_source_coverage"):
        (release / "data" / f"{table}.parquet").unlink()
    built = build_site(release, tmp_path / "site", geojson=None)
    assert not built.has_map
    page = (built.path / "en" / "commune" / f"{GENT}.html").read_text("utf-8")
    trend = page[page.index('id="h-trend"') : page.index('id="h-events"')]
    assert "Not published yet in this release." in trend and "<svg" not in trend
    coverage = page[page.index('id="h-coverage"') :]
    assert "Not published yet in this release." in coverage
    assert "The map is not published yet" in (built.path / "en" / "map.html").read_text("utf-8")
