"""The bundled sample web: deterministic WARCs, consistent with the registry, and a storyline
that contains every situation the pipeline must handle (and says so in expected_events)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import subprocess
import sys
import zlib
from collections import Counter as Tally
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from warcio.archiveiterator import ArchiveIterator

from scrapers.hours import parse_page
from scrapers.hours.model import ACCESS_APPOINTMENT, ACCESS_WALK_IN, UnavailablePage
from scrapers.registry import load_registry
from scrapers.sample_web.build import build_sample_web
from scrapers.sample_web.render import capture_body
from scrapers.sample_web.story import (
    REGISTRIES_DIR,
    StorylineError,
    intro_at,
    is_procedures,
    load_sample_registry,
    load_storyline,
    office_state,
    plan_captures,
    procedure_state,
    validate_storyline,
)

HHMM = re.compile(r"^\d\d:\d\d$")


@pytest.fixture(scope="module")
def storyline() -> dict:
    return load_storyline()


@pytest.fixture(scope="module")
def registry(storyline):
    return load_sample_registry(storyline)


@pytest.fixture(scope="module")
def plan(storyline, registry):
    return plan_captures(storyline, registry)


@pytest.fixture(scope="module")
def warcs(tmp_path_factory) -> list[Path]:
    return build_sample_web(tmp_path_factory.mktemp("sample_web"))


@pytest.fixture(scope="module")
def records(warcs) -> list[dict]:
    """Every WARC record, read back with warcio."""
    out = []
    for path in warcs:
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                out.append(
                    {
                        "file": path.name,
                        "type": rec.rec_type,
                        "warc": dict(rec.rec_headers.headers),
                        "status": int(rec.http_headers.get_statuscode()) if rec.rec_type == "response" else None,
                        "http": dict(rec.http_headers.headers) if rec.http_headers else {},
                        "body": rec.content_stream().read(),
                    }
                )
    return out


def stories(storyline) -> dict[str, dict]:
    return {s["source"]: s for s in storyline["sources"]}


def strings_in(value) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings_in(k) + strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return [value] if isinstance(value, str) else []


def successful(story: dict) -> list[str]:
    """Capture dates a parser can read: no server error, no stand-in page, not after a redesign
    (layout drift)."""
    redesigned = story.get("redesigned_on") or "9999"
    failed = {**(story.get("errors") or {}), **(story.get("standins") or {})}
    return [d for d in story["captures"] if d not in failed and d < redesigned]


def redesigned(story: dict, day: str) -> bool:
    return bool(story.get("redesigned_on")) and day >= story["redesigned_on"]


# ---- build ----------------------------------------------------------------------------------


def test_build_is_deterministic(tmp_path, warcs):
    again = build_sample_web(tmp_path / "again")
    assert [p.name for p in again] == [p.name for p in warcs]
    for a, b in zip(warcs, again, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_build_removes_stale_files_and_runs_as_module(tmp_path):
    (tmp_path / "sample-web-gone.warc.gz").write_bytes(b"old")
    proc = subprocess.run(
        [sys.executable, "-m", "scrapers.sample_web.build", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    listed = [Path(line).name for line in proc.stdout.split()]
    assert sorted(p.name for p in tmp_path.iterdir()) == listed
    assert "sample-web-gone.warc.gz" not in listed


def test_gzip_members_carry_no_timestamp(warcs):
    for path in warcs:
        data, pos, members = path.read_bytes(), 0, 0
        while pos < len(data):
            assert data[pos : pos + 2] == b"\x1f\x8b", f"{path.name}: no gzip member at {pos}"
            assert data[pos + 4 : pos + 8] == b"\0\0\0\0", f"{path.name}: gzip MTIME set at {pos}"
            d = zlib.decompressobj(zlib.MAX_WBITS + 16)
            d.decompress(data[pos:])
            pos = len(data) - len(d.unused_data)
            members += 1
        assert members >= 13  # warcinfo + request/response pairs, one gzip member each


def test_warcio_reads_and_checks_every_record(warcs, records, plan):
    tally = Tally(r["type"] for r in records)
    assert tally == {"warcinfo": len(warcs), "response": len(plan), "request": len(plan)}
    check = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", *map(str, warcs)], capture_output=True
    )
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()
    ids = [r["warc"]["WARC-Record-ID"] for r in records]
    assert len(ids) == len(set(ids))


def test_warcinfo_says_illustrative(records):
    infos = [r for r in records if r["type"] == "warcinfo"]
    for info in infos:
        assert b"ILLUSTRATIVE SAMPLE DATA" in info["body"]
        assert info["warc"]["WARC-Filename"] == info["file"]


def test_records_match_the_plan(records, plan):
    responses = [r for r in records if r["type"] == "response"]
    requests = {r["warc"]["WARC-Concurrent-To"]: r for r in records if r["type"] == "request"}
    got = sorted((r["warc"]["WARC-Target-URI"], r["warc"]["WARC-Date"], r["status"]) for r in responses)
    want = sorted((c.url, c.observed_at.strftime("%Y-%m-%dT%H:%M:%SZ"), c.status) for c in plan)
    assert got == want
    for r in responses:
        assert r["http"]["Content-Type"] == "text/html; charset=utf-8"
        assert int(r["http"]["Content-Length"]) == len(r["body"])
        req = requests[r["warc"]["WARC-Record-ID"]]
        assert req["warc"]["WARC-Date"] == r["warc"]["WARC-Date"]
        assert req["warc"]["WARC-Target-URI"] == r["warc"]["WARC-Target-URI"]


# ---- registry and storyline agree -----------------------------------------------------------


def test_registry_loads_and_is_illustrative():
    reg = load_registry(REGISTRIES_DIR / "sample.yaml")
    assert reg.name == "sample" and reg.illustrative
    assert "illustrative" in (reg.notice or "").lower() and "invented" in reg.notice


def test_storyline_matches_registry(storyline, registry):
    validate_storyline(storyline, registry)
    assert {s["source"] for s in storyline["sources"]} == {s.id for s in registry.sources}
    story_counters = {o["counter"] for s in storyline["sources"] for o in s.get("offices") or []}
    assert story_counters == {c.id for c in registry.counters()}
    # One source of truth for URLs: the registry. The storyline names none.
    assert not [v for v in strings_in(storyline) if "://" in v]
    ids = {c.id for c in registry.counters()}
    for item in storyline["expected_events"] + storyline["expected_non_events"]:
        assert item["counter"] in ids
        assert item["counter"] in {c.id for c in registry.source(item["source"]).counters}


def test_validation_fails_loudly(storyline, registry):
    broken = copy.deepcopy(storyline)
    broken["sources"][0]["offices"].pop()
    with pytest.raises(StorylineError, match="differ from registry counters"):
        validate_storyline(broken, registry)
    broken = copy.deepcopy(storyline)
    broken["sources"][0]["offices"][0]["name"] = "Somewhere else"
    with pytest.raises(StorylineError, match="none of"):
        validate_storyline(broken, registry)
    procedure_page = next(i for i, s in enumerate(storyline["sources"]) if is_procedures(s))
    broken = copy.deepcopy(storyline)
    broken["sources"][procedure_page]["procedures"][0]["timeline"][0]["channels"]["online"] = "maybe"
    with pytest.raises(StorylineError, match="channel online: maybe"):
        validate_storyline(broken, registry)
    broken = copy.deepcopy(storyline)
    broken["sources"][procedure_page]["procedures"][0]["key"] = "no-such-procedure"
    with pytest.raises(StorylineError, match="not in the procedure taxonomy"):
        validate_storyline(broken, registry)
    broken = copy.deepcopy(storyline)
    broken["sources"][procedure_page]["layout"] = "text"
    with pytest.raises(StorylineError, match="registry kind 'procedures' needs layout procedures"):
        validate_storyline(broken, registry)


# ---- what the story must contain ------------------------------------------------------------


def test_sources_cover_levels_regions_and_languages(registry):
    assert len(registry.sources) >= 12
    admins = {a.id: a for a in registry.administrations}
    names = " ".join(f"{a.name_fr} {a.name_nl}" for a in admins.values())
    for body in ("SPF Finances", "ONEM", "CAPAC", "FGTB", "CSC", "CGSLB", "Solidaris", "Mutualité chrétienne"):
        assert body in names
    levels = {admins[s.administration].level for s in registry.sources}
    assert {"federal", "union", "mutuality", "commune", "cpas"} <= levels
    for level in ("commune", "cpas"):
        regions = {admins[s.administration].region for s in registry.sources if admins[s.administration].level == level}
        assert {"wallonia", "brussels", "flanders"} <= regions, level
    assert {s.language for s in registry.sources} == {"fr", "nl"}
    for s in registry.sources:
        admin = admins[s.administration]
        if admin.level in ("commune", "cpas"):
            assert admin.nis_code and all(c.nis_code for c in s.counters)


def test_captures_per_source(storyline, plan):
    schedules = set()
    for story in storyline["sources"]:
        days = story["captures"]
        assert len(days) >= 6, story["source"]
        assert all("2019-01-01" <= d <= "2026-12-31" for d in days)
        schedules.add(tuple(days))
    assert len(schedules) == len(storyline["sources"])  # no two sources captured on the same dates
    for c in plan:
        assert c.observed_at.tzinfo == dt.UTC and c.observed_at.hour == 9


def test_all_four_layouts_in_both_languages(storyline, registry):
    seen = {(s["layout"], registry.source(s["source"]).language) for s in storyline["sources"]}
    assert {layout for layout, _ in seen} == {"jsonld", "table", "dl", "text", "procedures"}
    for layout in ("jsonld", "table", "dl", "text", "procedures"):
        assert {(layout, "fr"), (layout, "nl")} <= seen, layout


def test_redirect_and_server_errors(storyline, plan, registry):
    by_source: dict[str, list] = {}
    for c in plan:
        by_source.setdefault(c.source_id, []).append(c)
    moved = [c for c in plan if c.status == 301]
    assert moved
    for c in moved:
        source = registry.source(c.source_id)
        assert c.url == source.urls[0] and c.location == source.urls[-1]
        follow = [x for x in by_source[c.source_id] if x.url == c.location and x.page_date == c.page_date]
        assert len(follow) == 1 and follow[0].status == 200
        assert dt.timedelta(0) <= follow[0].observed_at - c.observed_at <= dt.timedelta(seconds=10)
    assert any(c.status == 500 for c in plan)
    runs = [[c.status for c in caps] for caps in by_source.values()]
    assert any(any(r[i : i + 5] == [200, 503, 503, 503, 200] for i in range(len(r) - 4)) for r in runs), (
        "no source has three consecutive 503 captures between successful ones"
    )


# ---- page shapes ----------------------------------------------------------------------------


def pages(storyline, registry, plan, *, redesigns: bool = False):
    """Every 200 page of the plan (not the stand-in pages); redesigned pages (nothing readable)
    only when asked for."""
    by_id = stories(storyline)
    for c in plan:
        if c.status == 200 and not c.standin and (redesigns or not redesigned(by_id[c.source_id], c.page_date)):
            story = by_id[c.source_id]
            source = registry.source(c.source_id)
            yield c, story, source, capture_body(c, story, source, registry).decode("utf-8")


def office_blocks(soup: BeautifulSoup, layout: str):
    return soup.select("article.office-card" if layout == "jsonld" else "section.office")


def test_every_page_is_a_full_document(storyline, registry, plan):
    for c, story, source, html in pages(storyline, registry, plan, redesigns=True):
        soup = BeautifulSoup(html, "html.parser")
        assert soup.html["lang"] == source.language
        assert soup.find("meta", charset="utf-8")
        assert soup.find("link", rel="canonical")["href"] == c.url
        assert story["site_name"] in soup.select_one("header.site-header").get_text()
        assert soup.select_one("footer.site-footer") and soup.select_one("nav.main-nav")


def test_office_blocks_have_the_documented_shape(storyline, registry, plan):
    appointment_words = {"fr": "Uniquement sur rendez-vous", "nl": "Enkel op afspraak"}
    for c, story, source, html in pages(storyline, registry, plan):
        if is_procedures(story):
            continue  # test_procedure_pages_have_the_documented_shape
        soup = BeautifulSoup(html, "html.parser")
        layout = story["layout"]
        blocks = office_blocks(soup, layout)
        states = [office_state(o, c.page_date) for o in story["offices"]]
        shown = [(o, s) for o, s in zip(story["offices"], states, strict=True) if s["status"] != "absent"]
        assert len(blocks) == len(shown), (c.url, c.page_date)
        for block, (office, state) in zip(blocks, shown, strict=True):
            text = f"{block.h2.get_text()} {block.select_one('p.address').get_text()}".lower()
            matching = [k.id for k in source.counters if any(m in text for m in k.match)]
            assert matching == [office["counter"]], (c.url, text)
            if state["status"] in ("closed", "temporarily_closed", "hours_elsewhere"):
                assert block.select_one("p.notice") and not block.select("table, dl")
                continue
            if state["appointment_only"]:
                assert appointment_words[source.language] in block.get_text()
            if layout == "table":
                rows = block.select("table.hours tr")
                assert rows and all(r.th and r.td for r in rows)
            elif layout == "dl":
                dl = block.select_one("dl.hours")
                assert len(dl.find_all("dt")) == len(dl.find_all("dd")) >= 5
            elif layout == "text":
                assert block.find_all("p", class_=False)
        if layout == "jsonld":
            check_jsonld(soup, [s for _, s in shown], source.language)


def check_jsonld(soup: BeautifulSoup, states: list[dict], lang: str) -> None:
    doc = json.loads(soup.find("script", type="application/ld+json").string)
    objects = doc["@graph"] if isinstance(doc, dict) else doc
    assert len(objects) == len(states)
    for obj, state in zip(objects, states, strict=True):
        assert obj["@type"] in ("GovernmentOffice", "LocalBusiness")
        assert obj["name"] == state["name"]
        assert {"streetAddress", "postalCode", "addressLocality"} <= set(obj["address"])
        assert obj["address"]["@type"] == "PostalAddress"
        specs = obj["openingHoursSpecification"]
        assert specs and all(s["@type"] == "OpeningHoursSpecification" for s in specs)
        assert all(HHMM.match(s["opens"]) and HHMM.match(s["closes"]) for s in specs)
        minutes = 0
        for s in specs:
            days = s["dayOfWeek"] if isinstance(s["dayOfWeek"], list) else [s["dayOfWeek"]]
            span = int(s["closes"][:2]) * 60 + int(s["closes"][3:]) - int(s["opens"][:2]) * 60 - int(s["opens"][3:])
            minutes += span * len(days)
        assert minutes == sum(x.minutes() for x in state["slots"])
        if state["appointment_only"]:
            assert obj["description"] == {"fr": "Uniquement sur rendez-vous", "nl": "Enkel op afspraak"}[lang]
        else:
            assert "description" not in obj


def test_phone_lines_are_apart_from_counters(storyline, registry, plan):
    wording = {
        "fr": "Permanence téléphonique : du lundi au vendredi de 9h à 12h.",
        "nl": "Telefonisch bereikbaar van maandag tot vrijdag van 9 tot 12 uur.",
    }
    found = set()
    for _c, _story, source, html in pages(storyline, registry, plan):
        soup = BeautifulSoup(html, "html.parser")
        phone = soup.select_one("section.phone")
        if phone:
            assert phone.find_parent("section", class_="office") is None
            assert wording[source.language] in phone.get_text()
            assert not any(wording[source.language] in o.get_text() for o in soup.select("section.office"))
            found.add(source.language)
    assert found == {"fr", "nl"}


def test_brief_wordings_appear(storyline, registry, plan):
    text = "\n".join(BeautifulSoup(h, "html.parser").get_text(" ") for *_, h in pages(storyline, registry, plan))
    for phrase in (
        "9h00 - 12h00 et 13h30 - 16h00",
        "Fermé",
        "Gesloten",
        "Sur rendez-vous : 9h00 - 12h00",
        "Op afspraak: 13u30 - 16u30",
        "8u30 - 12u en 13u30 - 16u",
        "Du lundi au vendredi de 8h30 à 11h30.",
        "Van maandag tot vrijdag van 8.30 tot 12.30 uur.",
        "Uniquement sur rendez-vous.",
        "Enkel op afspraak.",
        "Le mercredi de 13h à 16h.",
        "Ce bureau est définitivement fermé depuis le 1er juillet 2024.",
        "Dit kantoor is definitief gesloten sinds 1 september 2023",
        "temporairement fermé",
    ):
        assert phrase in text, phrase


# ---- the story's events, re-derived from the timelines --------------------------------------


def walkin_minutes(state: dict) -> int:
    return sum(s.minutes() for s in state["slots"] if s.access == ACCESS_WALK_IN)


def derive_events(storyline) -> set[tuple]:
    """Events as a careful pipeline would see them: successful captures only, closures by absence
    confirmed on the next successful capture, hour cuts of at least 25% of walk-in time."""
    events = set()
    for story in storyline["sources"]:
        days = successful(story)
        if story.get("moved_on"):
            first = next(d for d in story["captures"] if d >= story["moved_on"])
            for o in story.get("offices") or []:
                events.add((o["counter"], "page_moved", first, False))
        for o in story.get("offices") or []:
            states = [office_state(o, d) for d in days]
            for i in range(1, len(days)):
                prev, cur, day = states[i - 1], states[i], days[i]
                if "hours_elsewhere" in (prev["status"], cur["status"]):
                    continue  # listed without hours: present, hours unknown, no event either way
                was_open = prev["status"] == "open"
                if cur["status"] == "absent" and was_open:
                    if i + 1 < len(days) and states[i + 1]["status"] == "absent":
                        events.add((o["counter"], "closed", day, False))
                elif cur["status"] in ("closed", "temporarily_closed") and was_open:
                    kind = "temporarily_closed" if cur["status"] == "temporarily_closed" else "closed"
                    events.add((o["counter"], kind, day, False))
                elif cur["status"] == "open" and not was_open:
                    events.add((o["counter"], "reopened", day, False))
                elif cur["status"] == "open" and was_open:
                    if cur["appointment_only"] and not prev["appointment_only"]:
                        events.add((o["counter"], "became_appointment_only", day, False))
                    elif walkin_minutes(prev) > 0 and walkin_minutes(cur) <= 0.75 * walkin_minutes(prev):
                        events.add((o["counter"], "hours_reduced", day, False))
    return events


def test_expected_events_are_what_the_timelines_say(storyline):
    declared = {(e["counter"], e["event"], e["date"], bool(e.get("temporary"))) for e in storyline["expected_events"]}
    assert len(declared) == len(storyline["expected_events"])
    assert derive_events(storyline) == declared
    kinds = {e["event"] for e in storyline["expected_events"]}
    assert kinds == {
        "closed",
        "temporarily_closed",
        "reopened",
        "hours_reduced",
        "became_appointment_only",
        "page_moved",
    }


def test_required_situations(storyline, registry):
    by_id = stories(storyline)
    events = storyline["expected_events"]
    closures = [e for e in events if e["event"] == "closed" and not e.get("temporary")]
    absent = [e for e in closures if office_of(by_id, e)["timeline"][-1].get("status") == "absent"]
    notice = [e for e in closures if office_of(by_id, e)["timeline"][-1].get("status") == "closed"]
    assert any(len(by_id[e["source"]]["offices"]) > 1 for e in absent)  # dropped from a list page
    assert any(len(by_id[e["source"]]["offices"]) == 1 for e in notice)  # single page with a notice
    # A population counter cut from about 35 h to about 20 h a week.
    liege = next(e for e in events if e["counter"] == "ctr-liege-population-centre")
    story = by_id[liege["source"]]
    i = story["captures"].index(liege["date"])
    before = office_state(story["offices"][0], story["captures"][i - 1])
    after = office_state(story["offices"][0], liege["date"])
    assert walkin_minutes(before) >= 34 * 60 and walkin_minutes(after) <= 21 * 60
    finances = [e for e in events if e["counter"].startswith(("ctr-spf-finances", "ctr-fod-financien"))]
    assert {e["event"] for e in finances} == {"became_appointment_only"}
    assert all(e["date"].startswith("2020") for e in finances)


def office_of(by_id: dict, event: dict) -> dict:
    return next(o for o in by_id[event["source"]]["offices"] if o["counter"] == event["counter"])


def test_expected_non_events_are_in_the_story(storyline, plan):
    by_id = stories(storyline)
    kinds = set()
    for item in storyline["expected_non_events"]:
        story = by_id[item["source"]]
        office = office_of(by_id, item)
        kinds.add(item["kind"])
        for day in item["dates"]:
            i = story["captures"].index(day)
            prev_day = story["captures"][i - 1]
            if item["kind"] == "server_error":
                assert story["errors"][day] == item["status"]
                statuses = {c.status for c in plan if c.source_id == story["source"] and c.page_date == day}
                assert statuses == {item["status"]}
                continue
            if item["kind"] == "layout_drift":
                assert redesigned(story, day) and office_state(office, day)["status"] == "open"
                continue
            if item["kind"] == "standin_page":
                assert story["standins"][day] in ("maintenance", "error_page")
                statuses = {c.status for c in plan if c.source_id == story["source"] and c.page_date == day}
                assert statuses == {200}
                continue
            if item["kind"] == "hours_elsewhere":
                assert office_state(office, day)["status"] == "hours_elsewhere"
                continue
            before, after = office_state(office, prev_day), office_state(office, day)
            assert before["slots"] == after["slots"] and before["status"] == after["status"] == "open"
            if item["kind"] == "wording_change":
                assert intro_at(story, prev_day)[0] != intro_at(story, day)[0]
                assert before["name"] == after["name"]
            elif item["kind"] == "office_renamed":
                assert before["name"] != after["name"]
    assert {
        "server_error",
        "wording_change",
        "office_renamed",
        "layout_drift",
        "standin_page",
        "hours_elsewhere",
    } <= kinds
    derived = {(e[0], e[2]) for e in derive_events(storyline)}
    for item in storyline["expected_non_events"]:
        for day in item["dates"]:
            assert (item["counter"], day) not in derived


def test_appointment_slots_are_marked(storyline):
    access = {
        s.access
        for story in storyline["sources"]
        for o in story.get("offices") or []
        for d in story["captures"]
        if office_state(o, d)["status"] == "open"
        for s in office_state(o, d)["slots"]
    }
    assert access == {ACCESS_WALK_IN, ACCESS_APPOINTMENT}


def test_a_redesigned_page_answers_but_holds_no_hours(storyline, registry, plan):
    from scrapers.hours import NoScheduleFound, parse_page

    found = [(c, html) for c, story, _s, html in pages(storyline, registry, plan, redesigns=True)
             if redesigned(story, c.page_date)]  # fmt: skip
    assert len(found) == 2
    for _c, html in found:
        with pytest.raises(NoScheduleFound):
            parse_page(html, language="nl")


# ---- procedure pages ------------------------------------------------------------------------


def procedure_stories(storyline) -> list[dict]:
    return [s for s in storyline["sources"] if is_procedures(s)]


def test_procedure_sources(storyline, registry):
    stories_ = procedure_stories(storyline)
    assert len(stories_) >= 3
    admins = {a.id: a for a in registry.administrations}
    for story in stories_:
        source = registry.source(story["source"])
        assert source.kind == "procedures" and not source.counters and "offices" not in story
        assert len(story["captures"]) >= 6 and all("2019-01-01" <= d <= "2026-12-31" for d in story["captures"])
        assert source.administration in admins
    assert {registry.source(s["source"]).language for s in stories_} == {"fr", "nl"}
    assert {s.kind for s in registry.sources if s.kind != "procedures"} == {"opening_hours"}
    keys = [p.get("key") for s in stories_ for p in s["procedures"]]
    assert None in keys  # a procedure that is not in the taxonomy: kept as unmatched


def test_procedure_pages_have_the_documented_shape(storyline, registry, plan):
    for c, story, _source, html in pages(storyline, registry, plan):
        if not is_procedures(story):
            continue
        soup = BeautifulSoup(html, "html.parser")
        sections = soup.select("div.procedures section.procedure")
        states = [procedure_state(p, c.page_date) for p in story["procedures"]]
        assert [s.h2.get_text() for s in sections] == [s["title"] for s in states], (c.url, c.page_date)
        for section, state in zip(sections, states, strict=True):
            paragraphs = [p.get_text() for p in section.find_all("p", class_=False)]
            assert paragraphs == state["text"]


def test_procedure_pages_parse_back_to_the_storyline(storyline, registry, plan):
    from scrapers.procedures import CHANNELS, parse_procedures

    checked = 0
    for c, story, source, html in pages(storyline, registry, plan):
        if not is_procedures(story):
            continue
        found = parse_procedures(html, language=source.language)
        want = [procedure_state(p, c.page_date) for p in story["procedures"]]
        got = [(p.title, p.procedure_key, {k: p.channels[k].status for k in CHANNELS}) for p in found]
        assert got == [(w["title"], w["key"], w["channels"]) for w in want], (c.source_id, c.page_date)
        assert all(p.match_rule == ("unmatched" if p.procedure_key is None else p.match_rule) for p in found)
        checked += 1
    assert checked >= 18


def procedure_history(story: dict, procedure: dict) -> list[tuple[str, dict[str, str]]]:
    days = successful(story)
    return [(d, procedure_state(procedure, d)["channels"]) for d in days]


COUNTER_CHANNELS = ("counter_walk_in", "counter_appointment")
NON_DIGITAL_CHANNELS = (*COUNTER_CHANNELS, "phone", "post")  # intermediaries do not count (indicator 10)


def has(channels: dict[str, str], among: tuple[str, ...]) -> bool:
    return any(channels[ch] == "available" for ch in among)


def derive_procedure_transitions(storyline) -> set[tuple]:
    """Transitions as documented in storyline.yaml, between successive successful captures."""
    found = set()
    for story in procedure_stories(storyline):
        for procedure in story["procedures"]:
            ident = procedure.get("key") or procedure["title"]
            history = procedure_history(story, procedure)
            removed = False
            for (_, before), (day, after) in zip(history, history[1:], strict=False):
                online_now = has(after, ("online", "online_digital_identity"))
                if online_now and has(before, NON_DIGITAL_CHANNELS) and not has(after, NON_DIGITAL_CHANNELS):
                    found.add((story["source"], ident, "became_online_only", day))
                if has(before, COUNTER_CHANNELS) and not has(after, COUNTER_CHANNELS):
                    found.add((story["source"], ident, "counter_removed", day))
                    removed = True
                elif removed and not has(before, COUNTER_CHANNELS) and has(after, COUNTER_CHANNELS):
                    found.add((story["source"], ident, "counter_restored", day))
                if (
                    after["online_digital_identity"] == "available"
                    and before["online"] == "available" != after["online"]
                ):
                    found.add((story["source"], ident, "digital_identity_required", day))
    return found


def test_expected_procedure_events_are_what_the_timelines_say(storyline):
    declared = {
        (t["source"], t["procedure_key"], t["event"], t["date"]) for t in storyline["expected_procedure_events"]
    }
    assert len(declared) == len(storyline["expected_procedure_events"])
    assert derive_procedure_transitions(storyline) == declared
    assert {t["event"] for t in storyline["expected_procedure_events"]} == {
        "became_online_only",
        "digital_identity_required",
        "counter_removed",
        "counter_restored",
    }
    for t in storyline["expected_procedure_events"]:
        assert t["date"] in stories(storyline)[t["source"]]["captures"]


def test_expected_procedure_non_events_are_in_the_story(storyline):
    derived = {(t[0], t[1], t[3]) for t in derive_procedure_transitions(storyline)}
    by_id = stories(storyline)
    kinds = set()
    for item in storyline["expected_procedure_non_events"]:
        story = by_id[item["source"]]
        procedure = next(p for p in story["procedures"] if p.get("key") == item["procedure_key"])
        kinds.add(item["kind"])
        for day in item["dates"]:
            prev_day = story["captures"][story["captures"].index(day) - 1]
            before, after = procedure_state(procedure, prev_day), procedure_state(procedure, day)
            assert before["channels"] == after["channels"]
            assert before["text"] != after["text"]  # the wording changed ...
            assert (item["source"], item["procedure_key"], day) not in derived  # ... and nothing else
    assert kinds == {"wording_change"}


def test_stand_in_pages_are_unavailable_pages_not_closures(storyline, registry, plan):
    """A 200 maintenance or error page is read as a page standing in for the site."""
    by_id = stories(storyline)
    standins = [c for c in plan if c.standin]
    assert {c.standin for c in standins} == {"maintenance", "error_page"}
    for c in standins:
        story, source = by_id[c.source_id], registry.source(c.source_id)
        html = capture_body(c, story, source, registry).decode("utf-8")
        with pytest.raises(UnavailablePage):
            parse_page(html, language=source.language)
