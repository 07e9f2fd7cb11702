"""End to end: the real DAG (dag.test(), SQLite metadata, real pywb, dbt, GX) on the sample.

Runs ``guichets run`` (what ``make run`` runs) twice into a fresh data directory and checks
the release against the storyline's expected events.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from scrapers.registry import load_registry
from scrapers.sample_web.build import load_storyline
from warehouse.release.layout import verify_release
from warehouse.settings import SAMPLE_REGISTRY

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent
RAW_TABLES = ("captures", "schedules", "schedule_slots")


def run_pipeline(data: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "GUICHETS"))}
    proc = subprocess.run(
        [str(BIN / "guichets"), "run", "--mode", "sample", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
    )
    assert proc.returncode == 0, f"guichets run failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}"
    return proc


def table_counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema IN ('raw', 'marts') ORDER BY 1"
        ).fetchall()
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for (t,) in tables}


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    first = run_pipeline(data)
    db = data / "warehouse" / "guichets.duckdb"
    counts_first = table_counts(db)
    release_first = (data / "releases" / "latest").resolve()
    sums_first = (release_first / "SHA256SUMS").read_text()
    evidence_first = evidence_files(data)
    releases_first = sorted(p.name for p in (data / "releases").iterdir())
    second = run_pipeline(data)
    return {
        "data": data,
        "db": db,
        "stdout": first.stdout,
        "stdout_second": second.stdout,
        "counts_first": counts_first,
        "counts_second": table_counts(db),
        "release_first": release_first,
        "sums_first": sums_first,
        "evidence_first": evidence_first,
        "evidence_second": evidence_files(data),
        "releases_first": releases_first,
        "releases_second": sorted(p.name for p in (data / "releases").iterdir()),
        "batches": query(db, "SELECT load_batch, count(*) FROM raw.captures GROUP BY 1 ORDER BY 1"),
    }


def evidence_files(data: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every capture file and WARC file of a run."""
    paths = [*data.glob("collected/*/*.json"), *data.glob("evidence/warc/*/*.warc.gz")]
    return {p.relative_to(data).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(paths)}


def query(db: Path, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def test_run_prints_paths_and_says_sample(sample_run):
    out = sample_run["stdout"]
    assert f"DuckDB database: {sample_run['db']}" in out
    assert "Release:" in out and "ILLUSTRATIVE SAMPLE DATA" in out


def test_every_sample_source_has_rows(sample_run):
    registry = load_registry(SAMPLE_REGISTRY)
    rows = dict(query(sample_run["db"], "SELECT source_id, count(*) FROM raw.captures GROUP BY 1"))
    parsed = dict(
        query(sample_run["db"], "SELECT source_id, count(*) FROM raw.captures WHERE parse_status='ok' GROUP BY 1")
    )
    for source in registry.sources:
        assert rows.get(source.id, 0) >= 6, source.id
        assert parsed.get(source.id, 0) >= 1, source.id


def test_release_holds_parquet_and_marks_itself_illustrative(sample_run):
    release = sample_run["release_first"]
    meta = json.loads((release / "metadata.json").read_text())
    assert meta["illustrative"] is True and meta["version"].startswith("sample-")
    files = sorted((release / "data").glob("*.parquet"))
    assert {f.stem for f in files} >= {"fct_counter_events", "fct_counter_history", "dim_counter"}
    assert "ILLUSTRATIVE SAMPLE DATA" in (release / "README.md").read_text()
    with duckdb.connect() as con:
        events = con.execute(f"SELECT count(*) FROM '{release}/data/fct_counter_events.parquet'").fetchone()[0]
    assert events > 0


def test_sample_release_was_audited_and_verifies(sample_run):
    release = sample_run["release_first"]
    assert verify_release(release) == []  # checksums, Data Package (frictionless), metadata
    meta = json.loads((release / "metadata.json").read_text())
    assert meta["validation"]["failed"] == 0 and meta["validation"]["evaluated"] > 200
    assert (release / "validation" / "index.html").is_file() and (release / "guichets.duckdb").is_file()
    assert not [p for p in release.parent.iterdir() if p.name.startswith((".staging", ".refused"))]
    proc = subprocess.run([str(BIN / "frictionless"), "validate", "datapackage.json"], cwd=release, capture_output=True)
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_storyline_events_appear_with_their_dates(sample_run):
    story = load_storyline()
    events = {
        (counter, kind): str(day)[:10]
        for counter, kind, day in query(
            sample_run["db"], "SELECT counter_id, event_type, event_date FROM marts.fct_counter_events"
        )
    }
    checked = 0
    for expected in story["expected_events"]:
        if expected["event"] == "page_moved":
            continue
        key = (expected["counter"], expected["event"])
        assert key in events, f"missing event {key}; events of that counter: " + str(
            {k: v for k, v in events.items() if k[0] == expected["counter"]}
        )
        assert events[key] == str(expected["date"])[:10], key
        checked += 1
    assert checked >= 4


def test_server_errors_are_not_closures(sample_run):
    story = load_storyline()
    sql = "SELECT counter_id FROM marts.fct_counter_events WHERE event_type = 'closed'"
    closures = {c for (c,) in query(sample_run["db"], sql)}
    expected_closed = {e["counter"] for e in story["expected_events"] if e["event"] == "closed"}
    assert closures == expected_closed
    errors = query(sample_run["db"], "SELECT count(*) FROM raw.captures WHERE http_status >= 500")[0][0]
    assert errors >= 4  # one 500 and three consecutive 503 in the storyline


def test_a_site_redesign_is_layout_drift_not_closures(sample_run):
    story = load_storyline()
    drifted = {e["source"] for e in story["expected_non_events"] if e["kind"] == "layout_drift"}
    flagged = query(
        sample_run["db"], "SELECT source_id, drift_since FROM marts.fct_source_coverage WHERE layout_drift_flag"
    )
    assert {s for s, _ in flagged} == drifted
    counters = [e["counter"] for e in story["expected_non_events"] if e["kind"] == "layout_drift"]
    in_list = ", ".join(f"'{c}'" for c in counters)
    states = query(
        sample_run["db"], f"SELECT DISTINCT current_state FROM marts.dim_counter WHERE counter_id IN ({in_list})"
    )
    assert states and all(state != "closed" for (state,) in states)
    events = query(
        sample_run["db"],
        f"SELECT count(*) FROM marts.fct_counter_events WHERE counter_id IN ({in_list}) AND event_at >= '2025-01-01'",
    )
    assert events == [(0,)]


def test_stand_in_pages_are_failed_captures_never_events(sample_run):
    """A maintenance or error page served with 200 ("Site temporairement fermé pour maintenance",
    "Erreur 503 : le service est fermé") is a failed capture of its own outcome, kept as evidence,
    and makes no event, no closure and no layout drift."""
    story = load_storyline()
    standins = [e for e in story["expected_non_events"] if e["kind"] == "standin_page"]
    assert len(standins) >= 3
    for item in standins:
        day = str(item["dates"][0])
        outcomes = query(
            sample_run["db"],
            "SELECT c.capture_outcome, r.warc_file IS NOT NULL FROM intermediate.int_captures_classified c "
            f"JOIN raw.captures r USING (capture_id) WHERE c.source_id = '{item['source']}' "
            f"AND CAST(c.observed_at AS DATE) = DATE '{day}'",
        )
        assert outcomes == [("unavailable", True)], (item, outcomes)
        events = query(
            sample_run["db"],
            f"SELECT event_type FROM marts.fct_counter_events WHERE source_id = '{item['source']}' "
            f"AND CAST(event_at AS DATE) >= DATE '{day}' AND CAST(event_at AS DATE) <= DATE '{day}' + INTERVAL 7 DAY",
        )
        assert events == [], (item, events)
        (coverage,) = query(
            sample_run["db"],
            "SELECT captures_unavailable, layout_drift_flag FROM marts.fct_source_coverage "
            f"WHERE source_id = '{item['source']}'",
        )
        assert coverage == (1, False), (item, coverage)


def test_an_office_whose_hours_moved_to_a_pdf_is_not_closed(sample_run):
    """Still named on its page with "Heures d'ouverture : voir le document PDF": listed without
    hours, never closed."""
    story = load_storyline()
    (item,) = [e for e in story["expected_non_events"] if e["kind"] == "hours_elsewhere"]
    counter = item["counter"]
    states = query(
        sample_run["db"],
        f"SELECT state FROM marts.fct_counter_history WHERE counter_id = '{counter}' ORDER BY valid_from",
    )
    assert states[-1] == ("no_hours",), states
    events = query(
        sample_run["db"],
        f"SELECT event_type, event_at FROM marts.fct_counter_events WHERE counter_id = '{counter}' "
        f"AND event_at >= '{item['dates'][0]}'",
    )
    assert events == [], events


def test_procedure_transitions_are_the_storyline_s(sample_run):
    story = load_storyline()
    got = {
        (source, key, kind, str(day)[:10])
        for source, key, kind, day in query(
            sample_run["db"],
            "SELECT source_id, procedure_key, event_type, event_date FROM marts.fct_procedure_events",
        )
    }
    expected = {(t["source"], t["procedure_key"], t["event"], t["date"]) for t in story["expected_procedure_events"]}
    assert got == expected  # exactly: a rewording of the same channels is no transition
    unmatched = query(sample_run["db"], "SELECT count(*) FROM marts.fct_procedure_match_review")[0][0]
    assert unmatched >= 1
    guarantee = query(sample_run["db"], "SELECT count(*) FROM marts.fct_channel_guarantee WHERE is_legal_scope")[0][0]
    assert guarantee > 0  # the Brussels catalogue is in the legal scope of the three-channel guarantee


def test_page_move_is_recorded_as_a_redirect(sample_run):
    moved = query(
        sample_run["db"],
        "SELECT source_id, redirect_location FROM raw.captures WHERE http_status IN (301, 302, 308)",
    )
    assert moved and all(loc for _, loc in moved)


def test_second_run_is_idempotent(sample_run):
    assert sample_run["counts_first"] == sample_run["counts_second"]
    release = (sample_run["data"] / "releases" / "latest").resolve()
    assert release == sample_run["release_first"]
    assert (release / "SHA256SUMS").read_text() == sample_run["sums_first"]
    # The second run fetched nothing it held, wrote no capture file or WARC byte, loaded nothing
    # (every capture is still in the first load batch) and published nothing new.
    assert sample_run["evidence_second"] == sample_run["evidence_first"]
    assert sample_run["batches"] == [(1, sample_run["counts_first"]["raw.captures"])]
    assert sample_run["releases_second"] == sample_run["releases_first"]


def test_evidence_warcs_pass_warcio_check(sample_run):
    warcs = sorted((sample_run["data"] / "evidence" / "warc").rglob("*.warc.gz"))
    assert warcs
    proc = subprocess.run([str(BIN / "warcio"), "check", *map(str, warcs[:50])], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_backfill_dag_over_a_date_range(tmp_path):
    """The manually triggered backfill DAG, on the local sample archive, for one year only."""
    script = (
        "from warehouse.airflow_local import run_dag\n"
        "from warehouse.settings import get_settings\n"
        f"s = get_settings({str(tmp_path)!r}, mode='sample')\n"
        "run_dag(s, {'archive': 'sample', 'date_from': '2021-01-01', 'date_to': '2021-12-31'},"
        " dag_id='guichets_backfill')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "GUICHETS"))}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    db = tmp_path / "warehouse" / "guichets.duckdb"
    years = query(db, "SELECT DISTINCT year(observed_at) FROM raw.captures")
    assert years == [(2021,)]
    assert (tmp_path / "releases" / "latest" / "metadata.json").exists()
