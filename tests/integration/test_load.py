import json
from pathlib import Path

import duckdb
import pytest

from scrapers.procedures.taxonomy import TAXONOMY_PATH
from scrapers.registry import load_registry
from tests.unit.test_registry import GOOD, write
from warehouse.load import LoadError, load
from warehouse.release.layout import sha256


def capture_file(collected: Path, ts: str, status: int = 200, slots: int = 2) -> Path:
    cap = {
        "capture_id": f"cap-{ts}",
        "source_id": "commune-x-population",
        "url": "https://www.x.be/population",
        "fetch_url": f"http://127.0.0.1/sample/{ts}id_/https://www.x.be/population",
        "final_url": None,
        "observed_at": f"{ts[:4]}-{ts[4:6]}-{ts[6:8]}T09:00:00Z",
        "fetched_at": "2026-11-24T10:00:00Z",
        "origin": "web_archive",
        "http_status": status,
        "error_class": None,
        "redirect_location": None,
        "content_type": "text/html",
        "content_length": 10,
        "content_sha256": "00",
        "elapsed_ms": 3,
        "warc_file": "evidence/warc/x.warc.gz",
        "warc_record_id": "<urn:uuid:1>",
        "parser": "auto",
        "parse_status": "ok" if status == 200 else "not_parsed",
        "parse_message": None,
    }
    schedules = []
    if status == 200:
        schedules.append(
            {
                "counter_id": "ctr-x-pop",
                "match_rule": "single",
                "name": "Service Population",
                "address": None,
                "channel": "counter",
                "slots": [
                    {"day": d, "opens": "09:00", "closes": "12:00", "access": "walk_in"} for d in ("mo", "tu")[:slots]
                ],
                "appointment_only": False,
                "closed": None,
                "closed_reason": None,
                "layout": "text",
                "confidence": 1.0,
                "evidence": "Lundi et mardi de 9h à 12h",
                "weekly_walk_in_minutes": 180 * slots,
                "weekly_appointment_minutes": 0,
            }
        )
    path = collected / "commune-x-population" / f"{ts}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"capture": cap, "schedules": schedules}))
    return path


def counts(db: Path) -> tuple:
    with duckdb.connect(str(db), read_only=True) as con:
        return tuple(
            con.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0]
            for t in ("captures", "schedules", "schedule_slots")
        )


def test_load_is_idempotent_and_replaces_per_capture(tmp_path):
    reg = load_registry(write(tmp_path, GOOD))
    collected, db = tmp_path / "collected", tmp_path / "w.duckdb"
    capture_file(collected, "20200101")
    capture_file(collected, "20210101", status=503)
    first = load(db, collected, reg)
    assert first["captures"] == 2 and counts(db) == (2, 1, 2)
    load(db, collected, reg)
    assert counts(db) == (2, 1, 2)
    capture_file(collected, "20200101", slots=1)  # the same capture re-collected with a better parser
    load(db, collected, reg)
    assert counts(db) == (2, 1, 1)
    with duckdb.connect(str(db), read_only=True) as con:
        batches = dict(con.execute("SELECT observed_at::date::varchar, load_batch FROM raw.captures").fetchall())
    # unchanged files are not rewritten; the re-parsed capture comes in a batch of its own
    assert batches == {"2020-01-01": 2, "2021-01-01": 1}
    with duckdb.connect(str(db), read_only=True) as con:
        info = dict(con.execute("SELECT key, value FROM raw.dataset_info").fetchall())
    assert info["illustrative"] == "true"
    # what a release records of the identity files it was built with (its reproducibility metadata)
    assert info["registry_file"] == reg.path.name and info["registry_sha256"] == sha256(reg.path)
    assert info["taxonomy_file"] == TAXONOMY_PATH.name and info["taxonomy_sha256"] == sha256(TAXONOMY_PATH)


def test_malformed_file_is_named_and_nothing_is_lost(tmp_path):
    reg = load_registry(write(tmp_path, GOOD))
    collected, db = tmp_path / "collected", tmp_path / "w.duckdb"
    capture_file(collected, "20200101")
    load(db, collected, reg)
    bad = collected / "commune-x-population" / "20220101.json"
    bad.write_text('{"capture": {"source_id": "x"}')
    with pytest.raises(LoadError, match=str(bad)):
        load(db, collected, reg)
    assert counts(db) == (1, 1, 2)


def test_columns_missing_from_an_older_warehouse_are_added_with_the_loaders_types(tmp_path):
    reg = load_registry(write(tmp_path, GOOD))
    collected, db = tmp_path / "collected", tmp_path / "w.duckdb"
    capture_file(collected, "20200101")
    load(db, collected, reg)
    with duckdb.connect(str(db)) as con:  # a warehouse written before these columns existed
        for col in ("phone_only", "confidence", "weekly_walk_in_minutes"):
            con.execute(f"ALTER TABLE raw.schedules DROP COLUMN {col}")
    capture_file(collected, "20210101")
    load(db, collected, reg)
    with duckdb.connect(str(db), read_only=True) as con:
        types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE raw.schedules)").fetchall())
        walkin = con.execute("SELECT weekly_walk_in_minutes FROM raw.schedules WHERE capture_id = 'cap-20210101'")
        assert walkin.fetchone() == (360,)
    added = (types["phone_only"], types["confidence"], types["weekly_walk_in_minutes"])
    assert added == ("BOOLEAN", "DOUBLE", "INTEGER")
    assert counts(db) == (2, 2, 4)
