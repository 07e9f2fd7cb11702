"""A synthetic observation log at national-plus scale, written straight into the ``raw`` schema.

Usage: .venv/bin/python -m tests.benchmarks.synthetic_log PATH [--counters 20000] [--weeks 400] [--seed 0]

Benchmark data, not a fixture: the tables have exactly the columns and types warehouse/load.py
writes (``load`` itself creates them, over an empty collection, and writes the registry drawn
here); the log is then filled by DuckDB SQL over ``range()``, so that 8 M schedules and ~50 M
slots take a minute, not hours of Python. Every random draw is ``hash(seed, key, key, tag)``:
the same arguments give the same tables, and the life of a counter is a pure function of
(seed, counter, week), which is what lets ``append_week`` add a week that continues the story
exactly.

Shape: ``counters / 5`` source pages (5 counters each) of administrations of every level
(federal, regional, union, mutuality, commune, cpas; communes and CPAS carry a 5-digit NIS code
of their region), one capture per page per week from 2019-01-07. Churn:

* captures: ~2 % HTTP 503, ~0.3 % timeouts, ~0.5 % parse errors, ~1 % of pages with a
  layout-drift period (HTTP 200 but ``no_data``); 5 % of pages move to a new URL once;
* counters: a weekly pattern (3-6 days, a morning and sometimes an afternoon, afternoons by
  appointment on some patterns) kept until an event. Per counter and week: 0.3 % new hours,
  0.1 % switch to appointment-only, 0.05 % back to walk-in, 0.05 % closure (the first one
  counts: announced ``closed='permanent'`` for 1-8 weeks in 40 % of cases, then missing from the
  page; a quarter reopen 8-80 weeks later), 0.02 % temporary closure of 2-12 weeks. 3 % of the
  counters only appear on their page after a few weeks or years (the registry is ahead of it);
* 10 % of pages also list a phone line (``channel='phone'``, never counter hours).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from scrapers.registry import Administration, Counter, Registry, Source
from warehouse.load import load
from warehouse.settings import PROJECT_ROOT

COUNTERS_PER_SOURCE = 5
FIRST_WEEK = "2019-01-07"  # a Monday; week w is observed FIRST_WEEK + 7 w days (plus a time of day)
FILLED = ("captures", "fetch_attempts", "schedules", "schedule_slots")  # other log tables (procedures) stay empty
NOTICE = (
    "Synthetic benchmark data (tests/benchmarks/synthetic_log.py): the administrations, pages, counters, "
    "opening hours and their history are generated at random. Not facts about any administration."
)

# The capture file's hash (load.py's record_sha256): a function of what the capture says.
RECORD_SHA256 = "sha256({t}capture_id || '|record|' || {t}outcome)"

# Per-week event draws out of 100,000 (one draw per counter and week: at most one event a week).
EVENTS = (("hours", 300), ("appointment", 100), ("walk_in", 50), ("close", 50), ("temporary", 20))

# The phone line some pages list (walk_in access, as the parser reports a phone line's hours).
PHONE_SLOTS = ", ".join(
    f"('{day}', '{opens}', '{closes}')"
    for day in ("mo", "tu", "we", "th", "fr")
    for opens, closes in (("09:00", "12:00"), ("13:00", "16:00"))
)

# Communes in force (valid_to empty) give real NIS codes and regions; read only, never written.
MUNICIPALITIES = PROJECT_ROOT / "dbt" / "seeds" / "belgian_municipalities.csv"
# Without that seed: NIS arrondissement prefixes, so that codes look like REFNIS codes of their region.
FLANDERS = [11, 12, 13, 23, 24, 31, 32, 33, 34, 35, 36, 37, 38, 41, 42, 43, 44, 45, 46, 71, 72, 73]
WALLONIA = [25, 51, 52, 53, 55, 56, 57, 58, 61, 62, 63, 64, 81, 82, 83, 84, 85, 91, 92, 93]


def generate(db_path: str | Path, counters: int = 20_000, weeks: int = 400, seed: int = 0) -> dict[str, int]:
    """Write the registry and ``weeks`` weeks of captures into ``db_path``; returns raw row counts.

    The ``raw`` schema is replaced: the file then holds exactly this synthetic log.
    """
    db_path = Path(db_path)
    with duckdb.connect() as scratch:  # the registry is drawn in memory, then loaded by the loader itself
        _setup(scratch, counters, seed)
        registry = _registry(scratch, db_path)
    with duckdb.connect(str(db_path)) as con:
        con.execute("DROP SCHEMA IF EXISTS raw CASCADE")
    # warehouse.load.load over an empty collection: every raw table it writes, with its exact column
    # types, and the registry tables written by its own code.
    with tempfile.TemporaryDirectory() as empty:
        load(db_path, Path(empty), registry)
    with duckdb.connect(str(db_path)) as con:
        _setup(con, counters, seed)
        _story(con, 0, weeks)
        _insert_log(con, _next_batch(con))  # one load of the whole backfill, as a first load would be
        return _counts(con)


def append_week(db_path: str | Path, week_index: int, counters: int = 20_000, seed: int = 0) -> dict[str, int]:
    """Add the captures of week ``week_index`` under the next load batch, continuing what ``generate`` wrote.

    ``counters`` and ``seed`` must be the ones given to ``generate``: the week is the same function
    of them, so its counters keep their patterns unless an event falls on that very week. As the
    loader does, captures already present with the same record hash are not rewritten (appending a
    week twice adds nothing the second time). Returns the rows added per log table.
    """
    with duckdb.connect(str(db_path)) as con:
        registered = con.execute("SELECT count(*) FROM raw.registry_counters").fetchall()[0][0]
        if registered != counters:
            raise ValueError(f"{db_path} has {registered} registered counters, not {counters}: wrong arguments")
        _setup(con, counters, seed)
        _story(con, week_index, week_index + 1)
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE syn_changed AS
            SELECT n.capture_id FROM syn_cap AS n LEFT JOIN raw.captures AS o USING (capture_id)
            WHERE o.capture_id IS NULL OR o.record_sha256 IS DISTINCT FROM {RECORD_SHA256.format(t="n.")}
        """)
        for temp in ("syn_cap", "syn_sched"):
            con.execute(f"DELETE FROM {temp} WHERE capture_id NOT IN (SELECT capture_id FROM syn_changed)")
        batch = _next_batch(con)
        log_tables = [t for t in _raw_tables(con) if "capture_id" in _columns(con, t)]
        con.execute("BEGIN TRANSACTION")
        try:
            for name in log_tables:
                con.execute(f"DELETE FROM raw.{name} WHERE capture_id IN (SELECT capture_id FROM syn_changed)")
            before = _counts(con)
            _insert_log(con, batch)
            after = _counts(con)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        return {name: after[name] - before[name] for name in FILLED}


def _raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw' ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in con.execute(f"DESCRIBE raw.{table}").fetchall()}


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of every raw table: the filled log tables first."""
    names = sorted(_raw_tables(con), key=lambda t: (t not in FILLED, FILLED.index(t) if t in FILLED else 0, t))
    return {name: con.execute(f"SELECT count(*) FROM raw.{name}").fetchall()[0][0] for name in names}


def _next_batch(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(max(load_batch), 0) + 1 FROM raw.captures").fetchall()[0][0]


def _registry(con: duckdb.DuckDBPyConnection, path: Path) -> Registry:
    """The drawn administrations, sources and counters as a registry (what a registry YAML would give)."""
    admins = tuple(
        Administration(id=a, name_fr=fr, name_nl=nl, level=level, region=region, nis_code=nis)
        for a, fr, nl, level, region, nis in con.execute(
            "SELECT administration_id, name_fr, name_nl, level, region, nis_code FROM syn_adm ORDER BY 1"
        ).fetchall()
    )
    counters: dict[int, list[Counter]] = {}
    for s, cid, sid, name, needle, address, nis in con.execute(
        "SELECT ctr.s, counter_id, source_id, ctr.name, needle, address, ctr.nis_code "
        "FROM syn_ctr AS ctr JOIN syn_src USING (s) ORDER BY c"
    ).fetchall():
        counters.setdefault(s, []).append(
            Counter(id=cid, source_id=sid, name=name, match=(needle,), address=address, nis_code=nis)
        )
    sources = tuple(
        Source(
            id=sid,
            administration=admin,
            kind="opening_hours",
            urls=tuple(u for u in (old, new) if u),
            language=language,
            counters=tuple(counters.get(s, ())),
        )
        for s, sid, admin, old, new, language in con.execute(
            "SELECT s, source_id, administration_id, url_old, url_new, language FROM syn_src ORDER BY s"
        ).fetchall()
    )
    return Registry(
        path=path, name="synthetic", illustrative=True, administrations=admins, sources=sources, notice=NOTICE
    )


def _setup(con: duckdb.DuckDBPyConnection, counters: int, seed: int) -> None:
    """The random-draw macro and the registry as temp tables (with each source's and counter's traits)."""
    if counters < 1:
        raise ValueError("counters must be >= 1")
    n_sources = -(-counters // COUNTERS_PER_SOURCE)
    con.execute("SET enable_progress_bar = false")  # the benchmark's output is a report, not a terminal
    # hash() of typed values is deterministic for a DuckDB version; the casts keep key types fixed.
    con.execute(
        "CREATE OR REPLACE TEMP MACRO rnd(k1, k2, tag, m) AS "
        f"CAST(hash(CAST({int(seed)} AS BIGINT), CAST(k1 AS BIGINT), CAST(k2 AS BIGINT), tag) % CAST(m AS UBIGINT) "
        "AS BIGINT)"
    )
    _places(con)
    n_places = con.execute("SELECT count(*) FROM syn_places").fetchall()[0][0]
    n_local = min(n_places, max(3, n_sources // 8))  # communes, and as many CPAS
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE syn_adm AS
        WITH levels(level, n, name_fr, name_nl) AS (VALUES
            ('federal', 12, 'Service public fédéral synthétique', 'Synthetische federale overheidsdienst'),
            ('regional', 9, 'Administration régionale synthétique', 'Synthetische gewestelijke administratie'),
            ('union', 9, 'Syndicat synthétique', 'Synthetische vakbond'),
            ('mutuality', 12, 'Mutualité synthétique', 'Synthetisch ziekenfonds'),
            ('commune', {n_local}, 'Commune synthétique', 'Synthetische gemeente'),
            ('cpas', {n_local}, 'CPAS synthétique', 'Synthetisch OCMW')
        ),
        coded AS (
            -- communes spread evenly over the NIS-ordered places (every province gets some); commune j
            -- and CPAS j share a NIS code, as a commune and its CPAS do
            SELECT levels.*, CAST(j AS INTEGER) AS j,
                CASE
                    WHEN level = 'federal' THEN 'federal'
                    WHEN level = 'regional' THEN ['wallonia', 'brussels', 'flanders'][1 + j % 3]
                    WHEN level IN ('union', 'mutuality') THEN ['federal', 'wallonia', 'brussels', 'flanders'][1 + j % 4]
                    ELSE places.region
                END AS region,
                places.nis_code
            FROM levels
            CROSS JOIN range(n) AS t(j)
            LEFT JOIN syn_places AS places
                ON levels.level IN ('commune', 'cpas') AND places.idx = j * {n_places} // {n_local}
        )
        SELECT
            level, j, region, nis_code, n,
            'syn-' || level || '-' || lpad(CAST(j + 1 AS VARCHAR), 3, '0') AS administration_id,
            name_fr || ' ' || coalesce(CAST(nis_code AS VARCHAR), CAST(j + 1 AS VARCHAR)) AS name_fr,
            name_nl || ' ' || coalesce(CAST(nis_code AS VARCHAR), CAST(j + 1 AS VARCHAR)) AS name_nl
        FROM coded
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE syn_src AS
        WITH drawn AS (
            SELECT CAST(s AS INTEGER) AS s, rnd(s, 0, 'level', 100) AS level_draw FROM range({n_sources}) AS t(s)
        ),
        levelled AS (
            SELECT s, CASE
                WHEN level_draw < 15 THEN 'federal' WHEN level_draw < 25 THEN 'regional'
                WHEN level_draw < 35 THEN 'union' WHEN level_draw < 50 THEN 'mutuality'
                WHEN level_draw < 80 THEN 'commune' ELSE 'cpas'
            END AS level
            FROM drawn
        ),
        picked AS (
            SELECT levelled.s, syn_adm.*
            FROM levelled
            JOIN (SELECT DISTINCT level, n FROM syn_adm) AS sizes USING (level)
            JOIN syn_adm ON syn_adm.level = levelled.level AND syn_adm.j = rnd(levelled.s, 0, 'administration', sizes.n)
        ),
        traits AS (
            SELECT *,
                'syn-src-' || lpad(CAST(s + 1 AS VARCHAR), 5, '0') AS source_id,
                CASE region WHEN 'flanders' THEN 'nl' WHEN 'wallonia' THEN 'fr'
                    ELSE CASE WHEN rnd(s, 0, 'language', 100) < 60 THEN 'fr' ELSE 'nl' END END AS language,
                rnd(s, 0, 'moved', 100) < 5 AS has_moved,
                CAST(50 + rnd(s, 0, 'move_week', 300) AS INTEGER) AS move_week,
                ['jsonld', 'microdata', 'table', 'dl', 'text'][1 + rnd(s, 0, 'layout', 5)] AS layout,
                rnd(s, 0, 'phone', 100) < 10 AS has_phone,
                CAST(CASE WHEN rnd(s, 0, 'drift', 100) < 1 THEN 3 + rnd(s, 0, 'drift_len', 18) ELSE 0 END AS INTEGER)
                    AS drift_len,
                CAST(rnd(s, 0, 'drift_start', 400) AS INTEGER) AS drift_start,
                CAST(6 * 3600 + rnd(s, 0, 'time_of_day', 10 * 3600) AS INTEGER) AS time_of_day_s
            FROM picked
        )
        SELECT *,
            'https://' || administration_id || '.example.be/'
                || CASE language WHEN 'nl' THEN 'openingsuren/' ELSE 'horaires/' END || source_id AS url_old,
            CASE WHEN has_moved THEN 'https://www.' || administration_id || '.example.be/contact/' || source_id END
                AS url_new,
            CASE layout WHEN 'jsonld' THEN 1.0 WHEN 'microdata' THEN 0.95 WHEN 'text' THEN 0.75 ELSE 0.9 END
                AS confidence
        FROM traits
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE syn_ctr AS
        WITH base AS (
            SELECT CAST(c AS INTEGER) AS c, CAST(c // {COUNTERS_PER_SOURCE} AS INTEGER) AS s,
                CAST(c % {COUNTERS_PER_SOURCE} AS INTEGER) AS pos
            FROM range({counters}) AS t(c)
        ),
        communes AS (SELECT j, nis_code FROM syn_adm WHERE level = 'commune')
        SELECT
            base.c, base.s, base.pos,
            'syn-ctr-' || lpad(CAST(base.c + 1 AS VARCHAR), 6, '0') AS counter_id,
            CASE src.language WHEN 'nl' THEN 'loket ' ELSE 'guichet ' END
                || lpad(CAST(base.c + 1 AS VARCHAR), 6, '0') AS needle,
            CASE src.language WHEN 'nl' THEN 'Loket ' ELSE 'Guichet ' END || lpad(CAST(base.c + 1 AS VARCHAR), 6, '0')
                || ' – ' || CASE src.language WHEN 'nl' THEN src.name_nl ELSE src.name_fr END AS name,
            CASE src.language WHEN 'nl' THEN 'Synthetische straat ' ELSE 'Rue synthétique ' END
                || (1 + rnd(base.c, 0, 'house', 200)) || ', ' || (1000 + rnd(base.c, 0, 'postcode', 8990)) AS address,
            coalesce(src.nis_code, communes.nis_code) AS nis_code,
            -- the counter's life story: traits drawn once
            CAST(CASE WHEN rnd(base.c, 0, 'late', 1000) < 30 THEN 1 + rnd(base.c, 0, 'late_week', 399) ELSE 0 END
                AS INTEGER) AS start_week,
            rnd(base.c, 0, 'appointment_at_start', 100) < 4 AS appointment_at_start,
            -- appointment-only pages: 0 = only the flag, slots as published; 1 = every slot marked appointment
            CAST(rnd(base.c, 0, 'appointment_variant', 2) AS INTEGER) AS appointment_variant,
            CAST(CASE WHEN rnd(base.c, 0, 'announced', 100) < 40 THEN 1 + rnd(base.c, 0, 'announced_weeks', 8)
                ELSE 0 END AS INTEGER) AS announced_weeks,
            CAST(CASE WHEN rnd(base.c, 0, 'reopens', 100) < 25 THEN 8 + rnd(base.c, 0, 'reopen_after', 73) END
                AS INTEGER) AS reopen_after
        FROM base
        JOIN syn_src AS src USING (s)
        LEFT JOIN communes ON communes.j = rnd(base.c, 0, 'commune', {n_local})
    """)


def _places(con: duckdb.DuckDBPyConnection) -> None:
    """syn_places (idx, nis_code, region): the communes in force in the dbt seed, else plausible codes.

    Real codes let the marts that join the Statbel seed (regions, population, communes without a
    counter) see the same matches as with the real registry; the seed is only read.
    """
    if MUNICIPALITIES.exists():
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE syn_places AS
            SELECT CAST(row_number() OVER (ORDER BY nis_code) - 1 AS INTEGER) AS idx, nis_code, region
            FROM (
                SELECT DISTINCT CAST(nis_code AS INTEGER) AS nis_code, region
                FROM read_csv('{MUNICIPALITIES}', header = true, all_varchar = true)
                WHERE coalesce(valid_to, '') = '' AND region IN ('wallonia', 'brussels', 'flanders')
            )
        """)
        return
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE syn_places AS
        WITH placed AS (
            SELECT CAST(p AS INTEGER) AS idx,
                CASE WHEN p % 30 = 0 THEN 'brussels' WHEN p % 2 = 0 THEN 'flanders' ELSE 'wallonia' END AS region
            FROM range(581) AS t(p)
        ),
        ranked AS (SELECT *, CAST(row_number() OVER (PARTITION BY region ORDER BY idx) - 1 AS INTEGER) AS k FROM placed)
        SELECT idx, region, CAST(CASE region
            WHEN 'brussels' THEN 21001 + k
            WHEN 'flanders' THEN {FLANDERS}[1 + k % {len(FLANDERS)}] * 1000 + 1 + k // {len(FLANDERS)}
            ELSE {WALLONIA}[1 + k % {len(WALLONIA)}] * 1000 + 1 + k // {len(WALLONIA)}
        END AS INTEGER) AS nis_code
        FROM ranked
    """)


def _story(con: duckdb.DuckDBPyConnection, lo: int, hi: int) -> None:
    """Temp tables syn_cap (captures) and syn_sched (schedules) for weeks ``lo`` to ``hi - 1``.

    Events are drawn for every week from 1 to ``hi - 1`` (the state of a week depends on what
    happened before it), but rows are produced only for the requested weeks.
    """
    cases, bound = [], 0
    for kind, share in EVENTS:
        bound += share
        cases.append(f"WHEN draw < {bound} THEN '{kind}'")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE syn_ev AS
        SELECT c, w, CASE {" ".join(cases)} END AS kind
        FROM (
            SELECT c, start_week, CAST(w AS INTEGER) AS w, rnd(c, w, 'event', 100000) AS draw
            FROM syn_ctr, range(1, {hi}) AS t(w)
        )
        WHERE draw < {bound} AND w > start_week
    """)
    # Only the first closure counts; other events during it still happen (a reopened counter may
    # come back with new hours or by appointment).
    con.execute("CREATE OR REPLACE TEMP TABLE syn_close AS SELECT c, min(w) AS close_week FROM syn_ev "
                "WHERE kind = 'close' GROUP BY c")  # fmt: skip
    # Epochs: the hours version (how many hours changes so far) and the access mode after each event.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE syn_ep AS
        SELECT
            c, w,
            CAST(sum(is_hours) OVER story AS INTEGER) AS version,
            last_value(appointment IGNORE NULLS) OVER story AS appointment
        FROM (
            SELECT c, 0 AS w, 0 AS is_hours, appointment_at_start AS appointment FROM syn_ctr
            UNION ALL
            SELECT c, w, CAST(kind = 'hours' AS INTEGER),
                CASE kind WHEN 'appointment' THEN true WHEN 'walk_in' THEN false END
            FROM syn_ev WHERE kind IN ('hours', 'appointment', 'walk_in')
        )
        WINDOW story AS (PARTITION BY c ORDER BY w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE syn_tc AS
        SELECT DISTINCT c, CAST(tw AS INTEGER) AS w
        FROM (SELECT c, unnest(range(w, w + 2 + rnd(c, w, 'temporary_weeks', 11))) AS tw FROM syn_ev
              WHERE kind = 'temporary')
        WHERE tw >= {lo} AND tw < {hi}
    """)
    _patterns(con)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE syn_cap AS
        WITH grid AS (
            SELECT src.*, CAST(w AS INTEGER) AS w, rnd(src.s, w, 'outcome', 10000) AS outcome_draw
            FROM syn_src AS src, range({lo}, {hi}) AS t(w)
        ),
        timed AS (
            SELECT *,
                CAST(TIMESTAMP '{FIRST_WEEK}' + to_days(7 * w)
                    + to_seconds(CAST(time_of_day_s + rnd(s, w, 'jitter', 5400) AS DOUBLE)) AS TIMESTAMP)
                    AS observed_at,
                CASE WHEN has_moved AND w >= move_week THEN url_new ELSE url_old END AS url,
                CASE
                    WHEN outcome_draw < 200 THEN 'http_503'
                    WHEN outcome_draw < 230 THEN 'timeout'
                    WHEN outcome_draw < 280 THEN 'parse_error'
                    WHEN w >= drift_start AND w < drift_start + drift_len THEN 'no_data'
                    ELSE 'ok'
                END AS outcome
            FROM grid
        )
        SELECT *,
            -- scrapers.collect.capture_id: sha256 of source, URL and observation time
            substr(sha256(source_id || '|' || url || '|' || strftime(observed_at, '%Y%m%dT%H%M%SZ')), 1, 20)
                AS capture_id
        FROM timed
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE syn_sched AS
        WITH counter_weeks AS (
            SELECT
                cap.capture_id, cap.s, cap.w, ctr.c, ctr.pos, ep.version, ep.appointment, ctr.appointment_variant,
                CASE
                    WHEN cap.w < ctr.start_week THEN 'absent'
                    WHEN cl.close_week IS NOT NULL AND cap.w >= cl.close_week
                        AND (ctr.reopen_after IS NULL OR cap.w < cl.close_week + ctr.reopen_after)
                        THEN CASE WHEN cap.w < cl.close_week + ctr.announced_weeks THEN 'permanent' ELSE 'absent' END
                    WHEN tc.c IS NOT NULL THEN 'temporary'
                    ELSE 'listed'
                END AS status
            FROM syn_cap AS cap
            JOIN syn_ctr AS ctr ON ctr.s = cap.s
            ASOF LEFT JOIN syn_ep AS ep ON ep.c = ctr.c AND cap.w >= ep.w
            LEFT JOIN syn_close AS cl ON cl.c = ctr.c
            LEFT JOIN syn_tc AS tc ON tc.c = ctr.c AND tc.w = cap.w
            WHERE cap.outcome = 'ok'
        ),
        listed AS (
            SELECT capture_id, c, pos, version, appointment, appointment_variant, status
            FROM counter_weeks WHERE status <> 'absent'
            UNION ALL
            SELECT capture_id, NULL, {COUNTERS_PER_SOURCE}, NULL, NULL, NULL, 'phone'
            FROM syn_cap WHERE outcome = 'ok' AND has_phone
        )
        SELECT *, CAST(row_number() OVER (PARTITION BY capture_id ORDER BY pos) - 1 AS INTEGER) AS schedule_seq
        FROM listed
    """)
    # A page listing nothing at all (every counter gone, no phone line) is what the parser reports as no_data.
    con.execute("""
        UPDATE syn_cap SET outcome = 'no_data'
        WHERE outcome = 'ok' AND NOT EXISTS (SELECT 1 FROM syn_sched WHERE syn_sched.capture_id = syn_cap.capture_id)
    """)


def _patterns(con: duckdb.DuckDBPyConnection) -> None:
    """syn_pat: the slots of each (counter, hours version); syn_pat_sum: their weekly minutes."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE syn_pat AS
        WITH versions AS (
            -- one key per (counter, version) for the draws; versions stay far below 64
            SELECT DISTINCT c, version, version * 64 AS k FROM syn_ep
        ),
        shaped AS (
            SELECT c, version, k,
                3 + rnd(c, k, 'days', 4) AS day_count,
                480 + 15 * rnd(c, k, 'am_opens', 7) AS am_opens,  -- 08:00-09:30
                690 + 15 * rnd(c, k, 'am_closes', 7) AS am_closes,  -- 11:30-13:00
                780 + 15 * rnd(c, k, 'pm_opens', 5) AS pm_opens,  -- 13:00-14:00
                930 + 15 * rnd(c, k, 'pm_closes', 13) AS pm_closes,  -- 15:30-18:30
                rnd(c, k, 'pm_share', 100) AS pm_share,
                rnd(c, k, 'pm_appointment', 100) < 20 AS pm_by_appointment
            FROM versions
        ),
        days AS (
            -- Saturday comes last in the draw: only 6-day patterns are sure to have it. Equal draws
            -- are ranked by day: without it, two runs could open a counter on different days.
            SELECT shaped.*, CAST(d AS INTEGER) AS d,
                row_number() OVER (
                    PARTITION BY c, version
                    ORDER BY rnd(c, k + d, 'day_rank', 1000) + CASE WHEN d = 6 THEN 1000 ELSE 0 END, d
                ) AS day_rank
            FROM shaped, range(1, 7) AS t(d)
        ),
        open_days AS (SELECT * FROM days WHERE day_rank <= day_count),
        slots AS (
            SELECT c, version, d, am_opens AS opens_m, am_closes AS closes_m, 'walk_in' AS access FROM open_days
            UNION ALL
            SELECT c, version, d, pm_opens, pm_closes, CASE WHEN pm_by_appointment THEN 'appointment' ELSE 'walk_in' END
            FROM open_days WHERE d < 6 AND rnd(c, k + d, 'afternoon', 100) < pm_share
        )
        SELECT c, version, d, opens_m, closes_m, access,
            ['mo', 'tu', 'we', 'th', 'fr', 'sa'][d] AS day,
            printf('%02d:%02d', opens_m // 60, opens_m % 60) AS opens,
            printf('%02d:%02d', closes_m // 60, closes_m % 60) AS closes
        FROM slots
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE syn_pat_sum AS
        SELECT c, version,
            CAST(coalesce(sum(closes_m - opens_m) FILTER (WHERE access = 'walk_in'), 0) AS INTEGER) AS walk_in_m,
            CAST(coalesce(sum(closes_m - opens_m) FILTER (WHERE access = 'appointment'), 0) AS INTEGER)
                AS appointment_m,
            string_agg(day || ' ' || opens || '-' || closes, ', ' ORDER BY d, opens_m) AS hours_text
        FROM syn_pat GROUP BY c, version
    """)


def _insert_log(con: duckdb.DuckDBPyConnection, batch: int) -> None:
    """Insert syn_cap / syn_sched (and their slots and fetch attempts) into the raw log tables."""
    con.execute(f"""
        INSERT INTO raw.captures BY NAME
        SELECT
            capture_id, source_id, url, fetch_url, fetch_url AS final_url, observed_at,
            CASE origin WHEN 'live' THEN observed_at
                ELSE TIMESTAMP '2024-02-01' + to_seconds(CAST(rnd(s, w, 'fetched', 60 * 86400) AS DOUBLE)) END
                AS fetched_at,
            origin, http_status,
            CASE WHEN outcome = 'timeout' THEN 'timeout' END AS error_class,
            CAST(NULL AS VARCHAR) AS redirect_location,
            CASE WHEN http_status IS NOT NULL THEN 'text/html; charset=utf-8' END AS content_type,
            CASE WHEN http_status IS NOT NULL THEN 18000 + rnd(s, w, 'length', 40000) END AS content_length,
            CASE WHEN http_status IS NOT NULL THEN sha256(capture_id || '|body') END AS content_sha256,
            CASE WHEN outcome = 'timeout' THEN 30000 ELSE 80 + rnd(s, w, 'elapsed', 1500) END AS elapsed_ms,
            CASE WHEN http_status IS NOT NULL THEN 'evidence/warc/' || source_id || '/'
                || strftime(observed_at, '%Y%m%dT%H%M%SZ') || '-' || substr(capture_id, 1, 8) || '.warc.gz' END
                AS warc_file,
            CASE WHEN http_status IS NOT NULL THEN '<urn:uuid:' || substr(u, 1, 8) || '-' || substr(u, 9, 4) || '-'
                || substr(u, 13, 4) || '-' || substr(u, 17, 4) || '-' || substr(u, 21, 12) || '>' END AS warc_record_id,
            'auto' AS parser,
            CASE outcome WHEN 'ok' THEN 'ok' WHEN 'no_data' THEN 'no_data' WHEN 'parse_error' THEN 'parse_error'
                ELSE 'not_parsed' END AS parse_status,
            CASE outcome
                WHEN 'http_503' THEN 'HTTP 503: not parsed'
                WHEN 'timeout' THEN 'timeout: no response within 30 s'
                WHEN 'parse_error' THEN 'source ' || source_id || ': ParseError: unreadable hours table'
                WHEN 'no_data' THEN 'source ' || source_id || ': no schedule found'
            END AS parse_message,
            CAST(NULL AS VARCHAR) AS etag, CAST(NULL AS VARCHAR) AS last_modified,
            {RECORD_SHA256.format(t="")} AS record_sha256, {int(batch)} AS load_batch
        FROM (
            SELECT *,
                CASE WHEN observed_at < TIMESTAMP '2024-01-01' THEN 'web_archive' ELSE 'live' END AS origin,
                CASE WHEN observed_at < TIMESTAMP '2024-01-01'
                    THEN 'https://web.archive.org/web/' || strftime(observed_at, '%Y%m%d%H%M%S') || 'id_/' || url
                    ELSE url END AS fetch_url,
                CASE outcome WHEN 'http_503' THEN 503 WHEN 'timeout' THEN NULL ELSE 200 END AS http_status,
                md5(capture_id || '|warc') AS u
            FROM syn_cap
        )
    """)
    con.execute("""
        INSERT INTO raw.fetch_attempts BY NAME
        SELECT capture_id, 0 AS attempt_seq, 1 AS attempt, fetch_url AS url, http_status, error_class, elapsed_ms,
            coalesce(content_length, 0) AS bytes
        FROM raw.captures WHERE capture_id IN (SELECT capture_id FROM syn_cap)
    """)
    con.execute("""
        INSERT INTO raw.schedules BY NAME
        SELECT
            sc.capture_id, sc.schedule_seq, cap.source_id, cap.observed_at,
            ctr.counter_id,
            CASE WHEN sc.status = 'phone' THEN 'phone_line' ELSE 'match:' || ctr.needle END AS match_rule,
            CASE WHEN sc.status <> 'phone' THEN ctr.name
                WHEN cap.language = 'nl' THEN 'Telefonische permanentie' ELSE 'Permanence téléphonique' END AS name,
            ctr.address,
            CASE WHEN sc.status = 'phone' THEN 'phone' ELSE 'counter' END AS channel,
            coalesce(sc.status = 'listed' AND sc.appointment, false) AS appointment_only,
            CASE WHEN sc.status IN ('temporary', 'permanent') THEN sc.status END AS closed,
            CASE sc.status
                WHEN 'temporary' THEN CASE cap.language WHEN 'nl' THEN 'Tijdelijk gesloten wegens werken'
                    ELSE 'Fermé temporairement pour travaux' END
                WHEN 'permanent' THEN CASE cap.language WHEN 'nl' THEN 'Definitief gesloten'
                    ELSE 'Fermeture définitive' END
            END AS closed_reason,
            cap.layout, cap.confidence,
            CASE sc.status
                WHEN 'listed' THEN ctr.name || ': ' || ps.hours_text
                WHEN 'phone' THEN 'mo-fr 09:00-12:00, 13:00-16:00'
                ELSE ctr.name || ': ' || CASE sc.status WHEN 'temporary' THEN 'fermé temporairement' ELSE 'fermé' END
            END AS evidence,
            CASE sc.status
                WHEN 'phone' THEN 1800
                WHEN 'listed' THEN CASE WHEN sc.appointment AND sc.appointment_variant = 1 THEN 0 ELSE ps.walk_in_m END
                ELSE 0
            END AS weekly_walk_in_minutes,
            CASE WHEN sc.status = 'listed' THEN CASE WHEN sc.appointment AND sc.appointment_variant = 1
                THEN ps.walk_in_m + ps.appointment_m ELSE ps.appointment_m END ELSE 0 END AS weekly_appointment_minutes,
            false AS phone_only,
            CAST(NULL AS VARCHAR) AS valid_from, CAST(NULL AS VARCHAR) AS valid_until,
            CAST(NULL AS VARCHAR) AS osm_opening_hours,
            '[]' AS regimes, '[]' AS exceptions, CAST(NULL AS VARCHAR) AS unparsed
        FROM syn_sched AS sc
        JOIN syn_cap AS cap USING (capture_id)
        LEFT JOIN syn_ctr AS ctr ON ctr.c = sc.c
        LEFT JOIN syn_pat_sum AS ps ON ps.c = sc.c AND ps.version = sc.version
    """)
    con.execute(f"""
        INSERT INTO raw.schedule_slots BY NAME
        SELECT sc.capture_id, sc.schedule_seq, p.day, p.opens, p.closes,
            CASE WHEN sc.appointment AND sc.appointment_variant = 1 THEN 'appointment' ELSE p.access END AS access
        FROM syn_sched AS sc
        JOIN syn_pat AS p ON p.c = sc.c AND p.version = sc.version
        WHERE sc.status = 'listed'
        UNION ALL
        SELECT sc.capture_id, sc.schedule_seq, phone.day, phone.opens, phone.closes, 'walk_in'
        FROM syn_sched AS sc, (VALUES {PHONE_SLOTS}) AS phone(day, opens, closes)
        WHERE sc.status = 'phone'
    """)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", type=Path, help="DuckDB file to write (its raw log tables are replaced)")
    ap.add_argument("--counters", type=int, default=20_000)
    ap.add_argument("--weeks", type=int, default=400)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    started = time.perf_counter()
    counts = generate(args.db, args.counters, args.weeks, args.seed)
    print(f"{args.db}: generated in {time.perf_counter() - started:.1f} s")
    for name, n in counts.items():
        print(f"  raw.{name:26s} {n:12,d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
