"""A small, realistic `raw` schema for developing and testing the dbt project.

The tables have exactly the columns the loader writes (docs/architecture.md, "Load -> dbt").
The scenario (all illustrative, all UTC):

* source ``capac-offices`` (3 registered counters, one page listing every office):
  - ``capac-liege``: open Mon-Fri 09:00-12:00 + Tue 13:00-16:00 walk-in (1080 min), then from
    2022-03-01 only Mon/Wed/Fri 09:00-12:00 (540 min): ``hours_reduced`` by 540 minutes;
  - ``capac-namur``: open, then appointment only from 2022-03-01 (``became_appointment_only``),
    walk-in again from 2022-09-01 (``walk_in_restored``);
  - ``capac-mons``: listed until 2021-12-01, missing from the page on 2022-03-01 and again on
    2022-06-01 (the closure is confirmed by the second absence; its date is the first one) and
    on 2022-09-01;
  - an unmatched office (``Antenne Huy``) is listed on every page;
  - 2021-09-01 answered HTTP 503 and 2022-04-01 was fetched but yielded no schedule: both are
    *unknown* and must change nothing.
* source ``ixelles-population`` (1 registered counter and a phone line):
  - open, missing once on 2021-07-15 while only an unregistered office is listed (no registered
    counter recognised: no evidence at all, never a closure; it is back on 2022-01-15 with the
    same hours), closed temporarily on 2022-07-15 (``temporarily_closed``),
    open again on 2023-01-15 (``reopened``); a fetch timeout on 2023-02-15 (unknown).
* source ``finances-procedures`` (a procedure catalogue, no counters, never captured).
* source ``ixelles-demarches`` (a procedure catalogue of a Brussels commune):
  - ``household-composition-certificate``: counter + online + post, then online only from
    2022-02-01 (``became_online_only``, ``counter_removed``), a counter again from 2023-02-01
    (``counter_restored``);
  - ``personal-income-tax-return``: online without login, then from 2022-02-01 only with itsme
    (``digital_identity_required``); reworded on 2023-02-01 with the same channels (no transition);
  - an unmatched title ("Permis de stationnement riverain"), listed for curation;
  - a 503 on 2022-08-01: unknown, changes nothing.

Run as a script to write a scratch database: ``python tests/helpers/dbt_fixture.py /tmp/guichets.duckdb``.
"""

from __future__ import annotations

import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from scrapers.capture import CAPTURE_COLUMNS

# raw.captures as the loader writes it: its columns and types come from the capture contract.
CAPTURES_DDL = "create or replace table raw.captures ({});".format(
    ", ".join(f"{name} {sql_type}" for name, sql_type in CAPTURE_COLUMNS.items())
)
# The fixture fills these columns of raw.captures (the others stay null or are set afterwards).
_CAPTURE_VALUES = (
    "capture_id, source_id, url, fetch_url, final_url, observed_at, fetched_at, origin, http_status, error_class, "
    "redirect_location, content_type, content_length, content_sha256, elapsed_ms, warc_file, warc_record_id, "
    "parser, parse_status, parse_message"
)
INSERT_CAPTURE = f"insert into raw.captures ({_CAPTURE_VALUES}) values ({', '.join('?' * 20)})"

RAW_DDL = """
create schema if not exists raw;
create or replace table raw.schedules (
    capture_id varchar, schedule_seq integer, source_id varchar, observed_at timestamp,
    counter_id varchar, match_rule varchar, name varchar, address varchar, channel varchar,
    appointment_only boolean, closed varchar, closed_reason varchar, layout varchar,
    confidence double, evidence varchar, weekly_walk_in_minutes integer,
    weekly_appointment_minutes integer
);
create or replace table raw.schedule_slots (
    capture_id varchar, schedule_seq integer, day varchar, opens varchar, closes varchar,
    access varchar
);
create or replace table raw.registry_administrations (
    administration_id varchar, name_fr varchar, name_nl varchar, level varchar, region varchar,
    nis_code integer
);
create or replace table raw.registry_sources (
    source_id varchar, administration_id varchar, kind varchar, urls varchar, language varchar,
    parser varchar, cadence varchar
);
create or replace table raw.registry_counters (
    counter_id varchar, source_id varchar, name varchar, address varchar, nis_code integer
);
create or replace table raw.dataset_info (key varchar, value varchar);
"""

WEEKDAYS = ("mo", "tu", "we", "th", "fr")

# Slot sets (day, opens, closes, access)
LIEGE_FULL = [(d, "09:00", "12:00", "walk_in") for d in WEEKDAYS] + [("tu", "13:00", "16:00", "walk_in")]
LIEGE_REDUCED = [(d, "09:00", "12:00", "walk_in") for d in ("mo", "we", "fr")]
NAMUR_OPEN = [(d, "08:30", "12:30", "walk_in") for d in WEEKDAYS]
NAMUR_APPOINTMENT = [(d, "08:30", "12:30", "walk_in") for d in WEEKDAYS]  # the page flags "sur rendez-vous"
MONS_OPEN = [(d, "09:00", "12:00", "walk_in") for d in ("mo", "th")] + [("sa", "09:00", "11:00", "walk_in")]
HUY_OPEN = [(d, "09:00", "12:00", "walk_in") for d in ("mo", "we")]
IXELLES_OPEN = [(d, "08:00", "12:30", "walk_in") for d in WEEKDAYS] + [("th", "13:30", "19:00", "appointment")]
IXELLES_PHONE = [(d, "09:00", "16:00", "walk_in") for d in WEEKDAYS]


def _minutes(slots, access):
    total = 0
    for _day, opens, closes, acc in slots:
        if acc == access:
            h1, m1 = map(int, opens.split(":"))
            h2, m2 = map(int, closes.split(":"))
            total += (h2 * 60 + m2) - (h1 * 60 + m1)
    return total


def _schedule(counter_id, name, slots, *, channel="counter", appointment_only=False, closed=None, reason=None):
    return {
        "counter_id": counter_id,
        "match_rule": f"match:{name.lower()}" if counter_id else "unmatched",
        "name": name,
        "address": None,
        "channel": channel,
        "appointment_only": appointment_only,
        "closed": closed,
        "closed_reason": reason,
        "slots": [] if closed else slots,
    }


def _capac_page(liege, namur, namur_appointment, with_mons):
    schedules = [
        _schedule("capac-liege", "Bureau de Liège", liege),
        _schedule("capac-namur", "Bureau de Namur", namur, appointment_only=namur_appointment),
    ]
    if with_mons:
        schedules.append(_schedule("capac-mons", "Bureau de Mons", MONS_OPEN))
    schedules.append(_schedule(None, "Antenne Huy", HUY_OPEN))
    return schedules


def _ixelles_page(counter_listed=True, closed=None):
    schedules = []
    if counter_listed:
        schedules.append(
            _schedule(
                "ixelles-population",
                "Service Population",
                IXELLES_OPEN,
                closed=closed,
                reason="travaux" if closed else None,
            )
        )
    else:
        schedules.append(_schedule(None, "Antenne Flagey", HUY_OPEN))
    schedules.append(_schedule(None, "Permanence téléphonique", IXELLES_PHONE, channel="phone"))
    return schedules


# (source_id, observed_at, http_status, error_class, parse_status, schedules)
SCENARIO = [
    ("capac-offices", "2021-03-01 09:00:00", 200, None, "ok", _capac_page(LIEGE_FULL, NAMUR_OPEN, False, True)),
    ("capac-offices", "2021-06-01 09:00:00", 200, None, "ok", _capac_page(LIEGE_FULL, NAMUR_OPEN, False, True)),
    ("capac-offices", "2021-09-01 09:00:00", 503, "http_5xx", "not_parsed", []),
    ("capac-offices", "2021-12-01 09:00:00", 200, None, "ok", _capac_page(LIEGE_FULL, NAMUR_OPEN, False, True)),
    (
        "capac-offices",
        "2022-03-01 09:00:00",
        200,
        None,
        "ok",
        _capac_page(LIEGE_REDUCED, NAMUR_APPOINTMENT, True, False),
    ),
    ("capac-offices", "2022-04-01 09:00:00", 200, None, "no_data", []),
    (
        "capac-offices",
        "2022-06-01 09:00:00",
        200,
        None,
        "ok",
        _capac_page(LIEGE_REDUCED, NAMUR_APPOINTMENT, True, False),
    ),
    ("capac-offices", "2022-09-01 09:00:00", 200, None, "ok", _capac_page(LIEGE_REDUCED, NAMUR_OPEN, False, False)),
    ("ixelles-population", "2021-01-15 10:00:00", 200, None, "ok", _ixelles_page()),
    ("ixelles-population", "2021-07-15 10:00:00", 200, None, "ok", _ixelles_page(counter_listed=False)),
    ("ixelles-population", "2022-01-15 10:00:00", 200, None, "ok", _ixelles_page()),
    ("ixelles-population", "2022-07-15 10:00:00", 200, None, "ok", _ixelles_page(closed="temporary")),
    ("ixelles-population", "2023-01-15 10:00:00", 200, None, "ok", _ixelles_page()),
    ("ixelles-population", "2023-02-15 10:00:00", None, "timeout", "not_parsed", []),
]

CHANNELS = ("online", "online_digital_identity", "counter_walk_in", "counter_appointment", "phone", "post",
            "intermediary")  # fmt: skip
A, N, S = "available", "not_available", "not_stated"


def _procedure(title: str, key: str | None, **statuses: str) -> dict:
    return {"title": title, "procedure_key": key, "match_rule": f"taxonomy:{title.lower()}" if key else "unmatched",
            "channels": {c: statuses.get(c, S) for c in CHANNELS}}  # fmt: skip


HOUSEHOLD_FULL = _procedure("Composition de ménage", "household-composition-certificate", online=A,
                            online_digital_identity=A, counter_walk_in=A, post=A)  # fmt: skip
HOUSEHOLD_ONLINE = _procedure("Composition de ménage", "household-composition-certificate", online=A,
                              online_digital_identity=A, counter_walk_in=N, counter_appointment=N, post=N)  # fmt: skip
HOUSEHOLD_BACK = _procedure("Composition de ménage", "household-composition-certificate", online=A,
                            online_digital_identity=A, counter_appointment=A, post=N)  # fmt: skip
TAX_OPEN = _procedure("Déclaration d'impôt", "personal-income-tax-return", online=A, counter_appointment=A, post=A)
TAX_ITSME = _procedure("Déclaration d'impôt", "personal-income-tax-return", online=N, online_digital_identity=A,
                       counter_appointment=A, post=A)  # fmt: skip
TAX_REWORDED = _procedure("Votre déclaration d'impôt", "personal-income-tax-return", online=N,
                          online_digital_identity=A, counter_appointment=A, post=A)  # fmt: skip
PARKING = _procedure("Permis de stationnement riverain", None, online=A)

# (observed_at, http_status, procedures)
PROCEDURE_SCENARIO = [
    ("2021-02-01 08:00:00", 200, [HOUSEHOLD_FULL, TAX_OPEN, PARKING]),
    ("2021-08-01 08:00:00", 200, [HOUSEHOLD_FULL, TAX_OPEN, PARKING]),
    ("2022-02-01 08:00:00", 200, [HOUSEHOLD_ONLINE, TAX_ITSME, PARKING]),
    ("2022-08-01 08:00:00", 503, []),
    ("2023-02-01 08:00:00", 200, [HOUSEHOLD_BACK, TAX_REWORDED, PARKING]),
]

URLS = {
    "capac-offices": "https://www.hvw-capac.fgov.be/fr/bureaux",
    "ixelles-population": "https://www.ixelles.be/site/population-horaires",
}


def capture_id(source_id: str, observed_at: str) -> str:
    """The fixture's capture IDs: readable, unique per (source, observed_at)."""
    return f"{source_id}@{observed_at[:10]}"


def _insert_procedures(con: duckdb.DuckDBPyConnection) -> None:
    """The procedure catalogue scenario, in the loader's raw.procedures / raw.procedure_channels."""
    con.execute(
        "create or replace table raw.procedures (capture_id varchar, procedure_seq integer, source_id varchar, "
        "observed_at timestamp, title varchar, procedure_key varchar, match_rule varchar, fee_text varchar, "
        "fee_eur double, evidence varchar, confidence double);"
        "create or replace table raw.procedure_channels (capture_id varchar, procedure_seq integer, "
        "channel varchar, status varchar, evidence varchar);"
        "create or replace table raw.registry_procedures (procedure_key varchar, label_fr varchar, "
        "label_nl varchar, label_de varchar, label_en varchar);"
    )
    con.executemany(
        "insert into raw.registry_procedures values (?, ?, ?, ?, ?)",
        [
            ("household-composition-certificate", "Composition de ménage", "Gezinssamenstelling",
             "Haushaltszusammensetzung", "Household composition certificate"),
            ("personal-income-tax-return", "Déclaration à l'impôt des personnes physiques",
             "Aangifte personenbelasting", "Einkommensteuererklärung", "Personal income tax return"),
        ],
    )  # fmt: skip
    url = "https://www.ixelles.be/site/demarches"
    for observed_at, status, procedures in PROCEDURE_SCENARIO:
        cid = capture_id("ixelles-demarches", observed_at)
        observed = datetime.fromisoformat(observed_at)
        con.execute(
            INSERT_CAPTURE,
            [cid, "ixelles-demarches", url, url, url, observed, observed, "web_archive", status,
             None if status == 200 else "http_5xx", None, "text/html", 2000, "0" * 64, 30, None, None, "auto",
             "ok" if status == 200 else "not_parsed", None],
        )  # fmt: skip
        for seq, proc in enumerate(procedures):
            con.execute(
                "insert into raw.procedures values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [cid, seq, "ixelles-demarches", observed, proc["title"], proc["procedure_key"], proc["match_rule"],
                 None, None, proc["title"], 0.9],
            )  # fmt: skip
            con.executemany(
                "insert into raw.procedure_channels values (?, ?, ?, ?, ?)",
                [[cid, seq, c, st, None if st == S else f"{proc['title']}: {c}"] for c, st in proc["channels"].items()],
            )


def create_raw_fixture(db_path: str | Path) -> Path:
    """Create (or replace) the `raw` schema of a DuckDB file with the scenario above."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    try:
        con.execute(RAW_DDL)
        con.execute(CAPTURES_DDL)
        con.executemany(
            "insert into raw.registry_administrations values (?, ?, ?, ?, ?, ?)",
            [
                (
                    "capac",
                    "Caisse auxiliaire de paiement des allocations de chômage",
                    "Hulpkas voor werkloosheidsuitkeringen",
                    "federal",
                    "federal",
                    None,
                ),
                ("commune-ixelles", "Commune d'Ixelles", "Gemeente Elsene", "commune", "brussels", 21009),
                ("spf-finances", "SPF Finances", "FOD Financiën", "federal", "federal", None),
            ],
        )
        con.executemany(
            "insert into raw.registry_sources values (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    "capac-offices",
                    "capac",
                    "opening_hours",
                    URLS["capac-offices"] + " https://www.hvw-capac.fgov.be/fr/contact",
                    "fr",
                    "auto",
                    "monthly",
                ),
                (
                    "ixelles-population",
                    "commune-ixelles",
                    "opening_hours",
                    URLS["ixelles-population"],
                    "fr",
                    "table",
                    "weekly",
                ),
                (
                    "finances-procedures",
                    "spf-finances",
                    "procedures",
                    "https://finances.belgium.be/fr/particuliers",
                    "fr",
                    "auto",
                    "monthly",
                ),
                (
                    "ixelles-demarches",
                    "commune-ixelles",
                    "procedures",
                    "https://www.ixelles.be/site/demarches",
                    "fr",
                    "auto",
                    "monthly",
                ),
            ],
        )
        con.executemany(
            "insert into raw.registry_counters values (?, ?, ?, ?, ?)",
            [
                ("capac-liege", "capac-offices", "CAPAC Liège", "Rue Natalis 2, 4020 Liège", 62063),
                ("capac-namur", "capac-offices", "CAPAC Namur", "Rue des Bourgeois 7, 5000 Namur", 92094),
                ("capac-mons", "capac-offices", "CAPAC Mons", "Rue de la Halle 15, 7000 Mons", 53053),
                (
                    "ixelles-population",
                    "ixelles-population",
                    "Ixelles — Population",
                    "Chaussée d'Ixelles 168, 1050 Ixelles",
                    21009,
                ),
            ],
        )
        con.executemany(
            "insert into raw.dataset_info values (?, ?)",
            [("registry", "dbt-fixture"), ("illustrative", "true")],
        )
        for source_id, observed_at, status, error_class, parse_status, schedules in SCENARIO:
            cid = capture_id(source_id, observed_at)
            observed = datetime.fromisoformat(observed_at)
            url = URLS[source_id]
            ok = status == 200
            con.execute(
                INSERT_CAPTURE,
                [
                    cid,
                    source_id,
                    url,
                    f"http://127.0.0.1:8080/archive/{observed:%Y%m%d%H%M%S}id_/{url}",
                    url if status else None,
                    observed,
                    observed + timedelta(seconds=2),
                    "web_archive",
                    status,
                    error_class,
                    None,
                    "text/html" if status else None,
                    4096 if status else None,
                    f"sha256-{cid}" if status else None,
                    120,
                    f"evidence/warc/{source_id}.warc.gz",
                    f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, cid)}>",
                    "auto",
                    parse_status,
                    "no schedule found on the page" if parse_status == "no_data" else None,
                ],
            )
            if not ok:
                continue
            for seq, s in enumerate(schedules):
                con.execute(
                    "insert into raw.schedules values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        cid,
                        seq,
                        source_id,
                        observed,
                        s["counter_id"],
                        s["match_rule"],
                        s["name"],
                        s["address"],
                        s["channel"],
                        s["appointment_only"],
                        s["closed"],
                        s["closed_reason"],
                        "table",
                        1.0,
                        f"<tr><th>{s['name']}</th></tr>",
                        0 if s["closed"] else _minutes(s["slots"], "walk_in"),
                        0 if s["closed"] else _minutes(s["slots"], "appointment"),
                    ],
                )
                if s["slots"]:
                    con.executemany(
                        "insert into raw.schedule_slots values (?, ?, ?, ?, ?, ?)",
                        [[cid, seq, day, opens, closes, access] for day, opens, closes, access in s["slots"]],
                    )
        _insert_procedures(con)
        # What the loader sets on every capture, and the schedule columns it added over time.
        con.execute(
            "update raw.captures set record_sha256 = sha256(capture_id), load_batch = 1, archive_error = false,"
            # Ixelles' captures came from the Wayback Machine (a public replay URL), CAPAC's from a local archive.
            " archive = case when origin <> 'web_archive' then null"
            " when source_id = 'ixelles-population' then 'wayback' else 'archive' end;"
            "alter table raw.schedules add column phone_only boolean default false;"
            "alter table raw.schedules add column valid_from varchar;"
            "alter table raw.schedules add column valid_until varchar;"
            "alter table raw.schedules add column osm_opening_hours varchar;"
            "alter table raw.schedules add column regimes varchar default '[]';"
            "alter table raw.schedules add column exceptions varchar default '[]';"
            "alter table raw.schedules add column unparsed varchar;"
        )
    finally:
        con.close()
    return db_path


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/guichets-dbt-dev.duckdb")
    if target.exists():
        target.unlink()
    print(create_raw_fixture(target))
