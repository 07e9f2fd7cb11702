"""Load capture files and the registry into the ``raw`` schema of the DuckDB warehouse.

Idempotent: rows are replaced per capture (whose ID is a function of source, URL and
observed_at), so loading the same captures twice leaves the tables unchanged. Every file read
is checked before anything is written, and the write is one transaction: a malformed file
stops the load with its path named, and nothing already loaded is lost.

Only new or changed capture files are read: ``raw.capture_files`` remembers the size and
modification time of every file loaded. Each capture carries its content hash (``record_sha256``:
:func:`scrapers.capture.content_hash`, of what the page said, never of how or when it was
fetched) and the number of the load that wrote it (``load_batch``: 1, 2, 3... never a clock).
A capture whose content did not change is not rewritten; new and re-parsed captures get the
next batch number. The dbt models read only batches they have not seen yet (incremental builds).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from scrapers.archive.warc import sha256_hex
from scrapers.capture import ATTEMPT_COLUMNS, CAPTURE_COLUMNS, content_hash
from scrapers.procedures.taxonomy import TAXONOMY_PATH, load_taxonomy
from scrapers.registry import Registry
from warehouse import db

# Arrow types of the DuckDB types the capture contract (scrapers/capture.py) declares.
_ARROW = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("s"),
}


def arrow_schema(columns: dict[str, str]) -> pa.Schema:
    """The Arrow schema of a contract's ``{column: DuckDB type}`` mapping."""
    return pa.schema([(name, _ARROW[sql_type]) for name, sql_type in columns.items()])


CAPTURES = arrow_schema(CAPTURE_COLUMNS)
ATTEMPTS = arrow_schema(ATTEMPT_COLUMNS)
# Which capture files the warehouse holds, as they were when read: a file whose size and
# modification time are unchanged is not read again (capture files are written once, and
# rewritten only when what they say changes: scrapers.collect.write_capture).
CAPTURE_FILES = pa.schema(
    [("path", pa.string()), ("size_bytes", pa.int64()), ("mtime_ns", pa.int64()), ("capture_id", pa.string())]
)
SCHEDULES = pa.schema(
    [
        ("capture_id", pa.string()),
        ("schedule_seq", pa.int32()),
        ("source_id", pa.string()),
        ("observed_at", pa.timestamp("s")),
        ("counter_id", pa.string()),
        ("match_rule", pa.string()),
        ("name", pa.string()),
        ("address", pa.string()),
        ("channel", pa.string()),
        ("appointment_only", pa.bool_()),
        ("closed", pa.string()),
        ("closed_reason", pa.string()),
        ("layout", pa.string()),
        ("confidence", pa.float64()),
        ("evidence", pa.string()),
        ("weekly_walk_in_minutes", pa.int32()),
        ("weekly_appointment_minutes", pa.int32()),
        ("phone_only", pa.bool_()),
        ("valid_from", pa.string()),
        ("valid_until", pa.string()),
        ("osm_opening_hours", pa.string()),
        ("regimes", pa.string()),  # JSON: nested lists stay one column a journalist can read
        ("exceptions", pa.string()),
        ("unparsed", pa.string()),
    ]
)
PROCEDURES = pa.schema(
    [
        ("capture_id", pa.string()),
        ("procedure_seq", pa.int32()),
        ("source_id", pa.string()),
        ("observed_at", pa.timestamp("s")),
        ("title", pa.string()),
        ("procedure_key", pa.string()),
        ("match_rule", pa.string()),
        ("fee_text", pa.string()),
        ("fee_eur", pa.float64()),
        ("evidence", pa.string()),
        ("confidence", pa.float64()),
    ]
)
PROCEDURE_CHANNELS = pa.schema(
    [
        ("capture_id", pa.string()),
        ("procedure_seq", pa.int32()),
        ("channel", pa.string()),
        ("status", pa.string()),
        ("evidence", pa.string()),
    ]
)
SLOTS = pa.schema(
    [
        ("capture_id", pa.string()),
        ("schedule_seq", pa.int32()),
        ("day", pa.string()),
        ("opens", pa.string()),
        ("closes", pa.string()),
        ("access", pa.string()),
    ]
)


class LoadError(RuntimeError):
    """A capture file cannot be loaded; the message names the file and the problem."""


def capture_files(collected_dir: Path) -> list[Path]:
    """Every capture file, ``collected/<source>/*.json``, sorted (``attempts/`` are not captures)."""
    return sorted(collected_dir.glob("*/*.json"))


def read_capture_files(collected_dir: Path, paths: list[Path] | None = None) -> dict[str, pa.Table]:
    """Read capture files (``paths``, or every one under ``collected_dir``) into the raw tables.

    Besides the raw tables, ``capture_files`` says which file each capture came from, with the
    size and modification time it had when read.
    """
    captures, schedules, slots, attempts, procedures, channels, files = [], [], [], [], [], [], []
    for path in capture_files(collected_dir) if paths is None else paths:
        try:
            stat = path.stat()
            raw = path.read_bytes()
            record = json.loads(raw.decode("utf-8"))
            cap = {name: record["capture"].get(name) for name in CAPTURES.names}
            cap["record_sha256"] = content_hash(record)
            cap["load_batch"] = None  # set when loading, from what is already in the warehouse
            for key in ("capture_id", "source_id", "observed_at", "parse_status"):
                if not cap[key]:
                    raise KeyError(key)
            cap["observed_at"] = _ts(cap["observed_at"])
            cap["fetched_at"] = _ts(cap["fetched_at"]) if cap["fetched_at"] else None
            captures.append(cap)
            files.append(
                {"path": path.relative_to(collected_dir).as_posix(), "size_bytes": stat.st_size,
                 "mtime_ns": stat.st_mtime_ns, "capture_id": cap["capture_id"]}
            )  # fmt: skip
            for seq, attempt in enumerate(record["capture"].get("attempts") or []):
                attempts.append({**attempt, "capture_id": cap["capture_id"], "attempt_seq": seq})
            for seq, sched in enumerate(record["schedules"]):
                row = {name: sched.get(name) for name in SCHEDULES.names}
                for key in ("regimes", "exceptions"):
                    row[key] = json.dumps(sched.get(key) or [], ensure_ascii=False, sort_keys=True)
                row["phone_only"] = bool(sched.get("phone_only"))
                row["unparsed"] = " | ".join(sched.get("unparsed") or []) or None
                row.update(
                    capture_id=cap["capture_id"],
                    schedule_seq=seq,
                    source_id=cap["source_id"],
                    observed_at=cap["observed_at"],
                )
                schedules.append(row)
                for slot in sched["slots"]:
                    slots.append({"capture_id": cap["capture_id"], "schedule_seq": seq, **slot})
            for seq, proc in enumerate(record.get("procedures") or []):
                row = {name: proc.get(name) for name in PROCEDURES.names}
                row.update(
                    capture_id=cap["capture_id"], procedure_seq=seq, source_id=cap["source_id"],
                    observed_at=cap["observed_at"],
                )  # fmt: skip
                procedures.append(row)
                for channel in sorted(proc["channels"]):
                    state = proc["channels"][channel]
                    channels.append(
                        {"capture_id": cap["capture_id"], "procedure_seq": seq, "channel": channel,
                         "status": state["status"], "evidence": state.get("evidence")}
                    )  # fmt: skip
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LoadError(f"{path}: cannot load capture file: {type(exc).__name__}: {exc}") from exc
    try:
        return {
            "captures": pa.Table.from_pylist(captures, schema=CAPTURES),
            "fetch_attempts": pa.Table.from_pylist(attempts, schema=ATTEMPTS),
            "schedules": pa.Table.from_pylist(schedules, schema=SCHEDULES),
            "schedule_slots": pa.Table.from_pylist(slots, schema=SLOTS),
            "procedures": pa.Table.from_pylist(procedures, schema=PROCEDURES),
            "procedure_channels": pa.Table.from_pylist(channels, schema=PROCEDURE_CHANNELS),
            "capture_files": pa.Table.from_pylist(files, schema=CAPTURE_FILES),
        }
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise LoadError(f"{collected_dir}: a capture file has a field of the wrong type: {exc}") from exc


def load(db_path: Path, collected_dir: Path, registry: Registry) -> dict[str, int]:
    """Load new and changed captures and the registry into ``raw``.

    Returns the row count of each raw table, plus ``files_read`` (capture files read: new, or
    changed since they were loaded) and ``captures_loaded`` (captures written: new, or whose
    content changed).
    """
    with db.writer(db_path) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        tables = read_capture_files(collected_dir, _unread_files(con, collected_dir))
        for name, table in tables.items():
            con.register(f"new_{name}", table)
            con.execute(f"CREATE TABLE IF NOT EXISTS raw.{name} AS SELECT * FROM new_{name} LIMIT 0")
            # Tables created by an older version lack new columns: add them rather than lose data.
            have = {r[0] for r in con.execute(f"DESCRIBE raw.{name}").fetchall()}
            for col, duck_type in duckdb_types(table.schema).items():
                if col not in have:
                    con.execute(f"ALTER TABLE raw.{name} ADD COLUMN {col} {duck_type}")
        con.execute("BEGIN TRANSACTION")
        try:
            # Only captures that are new or whose file changed are written, under the next batch.
            con.execute(
                "CREATE TEMP TABLE changed AS SELECT n.capture_id FROM new_captures n "
                "LEFT JOIN raw.captures o USING (capture_id) "
                "WHERE o.capture_id IS NULL OR o.record_sha256 IS DISTINCT FROM n.record_sha256"
            )
            batch = con.execute("SELECT coalesce(max(load_batch), 0) + 1 FROM raw.captures").fetchone()[0]
            loaded = con.execute("SELECT count(*) FROM changed").fetchone()[0]
            for name in tables:
                if name == "capture_files":
                    continue
                con.execute(f"DELETE FROM raw.{name} WHERE capture_id IN (SELECT capture_id FROM changed)")
                replace = "REPLACE (? AS load_batch)" if name == "captures" else ""
                con.execute(
                    f"INSERT INTO raw.{name} BY NAME SELECT * {replace} FROM new_{name} "
                    "WHERE capture_id IN (SELECT capture_id FROM changed)",
                    [batch] if replace else [],
                )
            con.execute("DROP TABLE changed")
            # Every file read is now held as read (a rewrite that said the same thing included).
            con.execute("DELETE FROM raw.capture_files WHERE path IN (SELECT path FROM new_capture_files)")
            con.execute("INSERT INTO raw.capture_files BY NAME SELECT * FROM new_capture_files")
            _load_registry(con, registry)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        counts = {
            name: con.execute(f"SELECT count(*) FROM raw.{name}").fetchone()[0]
            for name in (
                "captures",
                "fetch_attempts",
                "schedules",
                "schedule_slots",
                "procedures",
                "procedure_channels",
                "registry_administrations",
                "registry_sources",
                "registry_counters",
            )
        }
        return {**counts, "files_read": tables["capture_files"].num_rows, "captures_loaded": loaded}


def _unread_files(con: duckdb.DuckDBPyConnection, collected_dir: Path) -> list[Path]:
    """Capture files that are new, or whose size or modification time changed since they were loaded."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = 'capture_files'"
    ).fetchall()[0][0]
    held = {}
    if exists:
        held = {
            p: (size, mtime)
            for p, size, mtime in con.execute("SELECT path, size_bytes, mtime_ns FROM raw.capture_files").fetchall()
        }
    unread = []
    for path in capture_files(collected_dir):
        stat = path.stat()
        if held.get(path.relative_to(collected_dir).as_posix()) != (stat.st_size, stat.st_mtime_ns):
            unread.append(path)
    return unread


def _load_registry(con: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    """Replace the registry tables: the registry file is the single source of truth for identity."""
    tables = {
        "registry_administrations": pa.Table.from_pylist(
            [
                {
                    "administration_id": a.id,
                    "name_fr": a.name_fr,
                    "name_nl": a.name_nl,
                    "level": a.level,
                    "region": a.region,
                    "nis_code": a.nis_code,
                }
                for a in registry.administrations
            ],
            schema=pa.schema(
                [
                    ("administration_id", pa.string()),
                    ("name_fr", pa.string()),
                    ("name_nl", pa.string()),
                    ("level", pa.string()),
                    ("region", pa.string()),
                    ("nis_code", pa.int32()),
                ]
            ),
        ),
        "registry_sources": pa.Table.from_pylist(
            [
                {
                    "source_id": s.id,
                    "administration_id": s.administration,
                    "kind": s.kind,
                    "urls": " ".join(s.urls),
                    "language": s.language,
                    "parser": s.parser,
                    "cadence": s.cadence,
                }
                for s in registry.sources
            ]
        ),
        "registry_counters": pa.Table.from_pylist(
            [
                {
                    "counter_id": c.id,
                    "source_id": c.source_id,
                    "name": c.name,
                    "address": c.address,
                    "nis_code": c.nis_code,
                }
                for c in registry.counters()
            ],
            schema=pa.schema(
                [
                    ("counter_id", pa.string()),
                    ("source_id", pa.string()),
                    ("name", pa.string()),
                    ("address", pa.string()),
                    ("nis_code", pa.int32()),
                ]
            ),
        ),
        # The procedure taxonomy: stable keys and labels the procedure marts are read against.
        "registry_procedures": pa.Table.from_pylist(
            [
                {
                    "procedure_key": e.key,
                    "label_fr": e.label_fr,
                    "label_nl": e.label_nl,
                    "label_de": e.label_de,
                    "label_en": e.label_en,
                }
                for e in load_taxonomy().entries
            ],
            schema=pa.schema(
                [(n, pa.string()) for n in ("procedure_key", "label_fr", "label_nl", "label_de", "label_en")]
            ),
        ),  # fmt: skip
        "dataset_info": pa.Table.from_pylist(
            [
                {"key": "registry", "value": registry.name},
                {"key": "illustrative", "value": "true" if registry.illustrative else "false"},
                {"key": "notice", "value": registry.notice or ""},
                # The files identity came from, for the release's reproducibility metadata.
                {"key": "registry_file", "value": registry.path.name},
                {"key": "registry_sha256", "value": sha256_hex(registry.path.read_bytes())},
                {"key": "taxonomy_file", "value": TAXONOMY_PATH.name},
                {"key": "taxonomy_sha256", "value": sha256_hex(TAXONOMY_PATH.read_bytes())},
            ]
        ),
    }
    for name, table in tables.items():
        con.register(f"reg_{name}", table)
        con.execute(f"CREATE OR REPLACE TABLE raw.{name} AS SELECT * FROM reg_{name}")


def duckdb_types(schema: pa.Schema) -> dict[str, str]:
    """Each column of an Arrow schema with the DuckDB type that DuckDB itself gives it on load."""
    with db.memory() as con:
        rel = con.from_arrow(schema.empty_table())
        return dict(zip(rel.columns, map(str, rel.dtypes), strict=True))


def _ts(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
