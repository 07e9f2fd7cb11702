"""What changed between two releases: the delta tables of a new release and its CHANGELOG.

Everything is read from the releases' own parquet files (never from the warehouse), so the
CHANGELOG of a release, ``guichets release diff A B`` and the delta tables agree, and the
history of counter IDs covers every release ever published, not only what the warehouse holds
today.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from warehouse import db
from warehouse.release.files import write_query_parquet
from warehouse.release.layout import release_tables, table_path

LIST_LIMIT = 200  # lines per CHANGELOG section; the delta tables and marts hold the rest


@dataclass
class Changes:
    """Differences between a previous release (or none) and a current one."""

    previous: str | None
    current: str
    tables: list[tuple[str, int | None, int | None]] = field(default_factory=list)  # (table, before, after)
    counters_added: list[tuple] = field(default_factory=list)  # (counter_id, name)
    counters_removed: list[tuple] = field(default_factory=list)  # (counter_id, name)
    state_changes: list[tuple] = field(default_factory=list)  # (counter_id, before, after, since)
    new_events: list[tuple] = field(default_factory=list)  # (date, counter_id, event_type, before, after)
    new_transitions: list[tuple] = field(default_factory=list)  # (date, source_id, procedure_key, type)


def _parquet(release_dir: Path | None, table: str, empty_sql: str) -> str:
    """A FROM clause reading a release's table, or an empty relation of the same columns without one."""
    path = table_path(release_dir, table) if release_dir is not None else None
    if path is None or not path.is_file():
        return f"({empty_sql})"
    return f"read_parquet('{path.as_posix()}')"


_NO_COUNTERS = "SELECT NULL::VARCHAR AS counter_id, NULL::VARCHAR AS counter_name, NULL::VARCHAR AS current_state, NULL::TIMESTAMP AS current_state_since WHERE false"  # noqa: E501
_NO_EVENTS = "SELECT NULL::VARCHAR AS event_id WHERE false"
_NO_TRANSITIONS = "SELECT NULL::VARCHAR AS event_id WHERE false"


def compute_changes(
    current: Path, previous: Path | None, current_version: str, previous_version: str | None
) -> Changes:
    """Compare two release directories (``previous`` None for a first release)."""
    out = Changes(previous_version, current_version)
    cur_tables = release_tables(current)
    prev_tables = release_tables(previous) if previous else {}
    with db.memory() as con:

        def rows(path: Path | None) -> int | None:
            if path is None:
                return None
            return con.execute(f"SELECT count(*) FROM read_parquet('{path.as_posix()}')").fetchone()[0]

        for table in sorted(set(cur_tables) | set(prev_tables)):
            out.tables.append((table, rows(prev_tables.get(table)), rows(cur_tables.get(table))))
        cur_dim = _parquet(current, "marts.dim_counter", _NO_COUNTERS)
        prev_dim = _parquet(previous, "marts.dim_counter", _NO_COUNTERS)
        out.counters_added = con.execute(
            f"SELECT counter_id, counter_name FROM {cur_dim} "
            f"WHERE counter_id NOT IN (SELECT counter_id FROM {prev_dim}) ORDER BY 1"
        ).fetchall()
        out.counters_removed = con.execute(
            f"SELECT counter_id, counter_name FROM {prev_dim} "
            f"WHERE counter_id NOT IN (SELECT counter_id FROM {cur_dim}) ORDER BY 1"
        ).fetchall()
        out.state_changes = con.execute(
            f"SELECT c.counter_id, p.current_state, c.current_state, c.current_state_since::DATE "
            f"FROM {cur_dim} c JOIN {prev_dim} p USING (counter_id) "
            f"WHERE c.current_state IS DISTINCT FROM p.current_state ORDER BY 1"
        ).fetchall()
        prev_events = _parquet(previous, "marts.fct_counter_events", _NO_EVENTS)
        out.new_events = con.execute(
            f"SELECT event_date::DATE, counter_id, event_type, state_before, state_after "
            f"FROM {_parquet(current, 'marts.fct_counter_events', _NO_EVENTS)} "
            f"WHERE event_id NOT IN (SELECT event_id FROM {prev_events}) ORDER BY ALL"
        ).fetchall()
        prev_transitions = _parquet(previous, "marts.fct_procedure_events", _NO_TRANSITIONS)
        out.new_transitions = con.execute(
            f"SELECT event_date::DATE, source_id, procedure_key, event_type "
            f"FROM {_parquet(current, 'marts.fct_procedure_events', _NO_TRANSITIONS)} "
            f"WHERE event_id NOT IN (SELECT event_id FROM {prev_transitions}) ORDER BY ALL"
        ).fetchall()
    return out


def write_deltas(
    staging: Path,
    previous: Path | None,
    earlier: Sequence[tuple[str, Path]],
    *,
    illustrative: bool,
) -> dict[str, int]:
    """Write ``delta/counter_changes.parquet`` and ``delta/counter_ids.parquet``; returns row counts.

    ``previous`` is the release this one follows; ``earlier`` lists every published release
    (version, directory), oldest first, for the history of counter IDs.
    """
    events = table_path(staging, "marts.fct_counter_events")
    prev_events = _parquet(previous, "marts.fct_counter_events", _NO_EVENTS)
    changes_sql = f"""
        WITH cur AS (SELECT * FROM read_parquet('{events.as_posix()}')
                     WHERE event_id NOT IN (SELECT event_id FROM {prev_events}))
        SELECT 'created' AS change, * FROM cur WHERE event_type = 'opened'
        UNION ALL SELECT 'closed' AS change, * FROM cur WHERE event_type = 'closed'
        UNION ALL SELECT 'downgraded' AS change, * FROM cur WHERE downgrade_type IS NOT NULL
    """
    changes_sql = (
        "SELECT change, event_id, counter_id, event_type, event_date, state_before, state_after, downgrade_type, "
        f"after_capture_id FROM ({changes_sql})"
    )
    history = [
        f"SELECT {i} AS release_seq, '{version}' AS release, counter_id, counter_name "
        f"FROM read_parquet('{table_path(path, 'marts.dim_counter').as_posix()}')"
        for i, (version, path) in enumerate(earlier)
        if table_path(path, "marts.dim_counter").is_file()
    ]
    history_sql = " UNION ALL ".join(history) or (
        "SELECT NULL::INTEGER AS release_seq, NULL::VARCHAR AS release, NULL::VARCHAR AS counter_id, "
        "NULL::VARCHAR AS counter_name WHERE false"
    )
    ids_sql = f"""
        WITH cur AS (SELECT counter_id, counter_name FROM read_parquet('{table_path(staging, "marts.dim_counter").as_posix()}')),
        prev AS (SELECT counter_id, counter_name FROM {_parquet(previous, "marts.dim_counter", _NO_COUNTERS)}),
        hist AS ({history_sql}),
        seen AS (SELECT counter_id, arg_min(release, release_seq) AS first_release,
                        arg_max(release, release_seq) AS last_release,
                        arg_max(counter_name, release_seq) AS last_name
                 FROM hist GROUP BY counter_id)
        SELECT 'created' AS change, cur.counter_id, cur.counter_name,
               NULL::VARCHAR AS first_release, NULL::VARCHAR AS last_release
        FROM cur WHERE counter_id NOT IN (SELECT counter_id FROM seen)
        UNION ALL
        SELECT 'retired', prev.counter_id, prev.counter_name, seen.first_release, seen.last_release
        FROM prev LEFT JOIN seen USING (counter_id) WHERE prev.counter_id NOT IN (SELECT counter_id FROM cur)
        UNION ALL
        SELECT 'resurrected', cur.counter_id, cur.counter_name, seen.first_release, seen.last_release
        FROM cur JOIN seen USING (counter_id) WHERE cur.counter_id NOT IN (SELECT counter_id FROM prev)
    """  # noqa: E501
    with db.memory() as con:
        return {
            "delta.counter_changes": write_query_parquet(
                con, changes_sql, table_path(staging, "delta.counter_changes"), illustrative=illustrative
            ),
            "delta.counter_ids": write_query_parquet(
                con, ids_sql, table_path(staging, "delta.counter_ids"), illustrative=illustrative
            ),
        }


def retired_counter_ids(previous: Path | None, earlier: Sequence[tuple[str, Path]]) -> list[str]:
    """Counter IDs some earlier release listed and the previous release no longer does."""
    paths = [table_path(p, "marts.dim_counter") for _v, p in earlier]
    paths = [p for p in paths if p.is_file()]
    if not paths or previous is None:
        return []
    files = ", ".join(f"'{p.as_posix()}'" for p in paths)
    prev = table_path(previous, "marts.dim_counter")
    with db.memory() as con:
        return [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT counter_id FROM read_parquet([{files}]) "
                f"WHERE counter_id NOT IN (SELECT counter_id FROM read_parquet('{prev.as_posix()}')) ORDER BY 1"
            ).fetchall()
        ]


def active_counters(release_dir: Path) -> int:
    """Counters of a release whose current state is open or appointment-only."""
    from scrapers.vocabulary import ACTIVE_STATES

    path = table_path(release_dir, "marts.dim_counter")
    with db.memory() as con:
        states = ", ".join(f"'{s}'" for s in ACTIVE_STATES)
        return con.execute(
            f"SELECT count(*) FROM read_parquet('{path.as_posix()}') WHERE current_state IN ({states})"
        ).fetchone()[0]


def changelog_markdown(changes: Changes, banner: str | None = None) -> str:
    """The CHANGELOG of a release (also what ``guichets release diff`` prints)."""
    since = f"since {changes.previous}" if changes.previous else "first release: no previous release to compare with"
    lines = [f"# Changes in {changes.current} ({since})", ""]
    if banner:
        lines += [f"> **{banner}**", ""]
    lines += ["## Rows per table", "", "| table | before | after | change |", "|---|---:|---:|---:|"]
    for table, before, after in changes.tables:
        delta = "new" if before is None else ("removed" if after is None else f"{(after or 0) - before:+d}")
        lines.append(f"| {table} | {'' if before is None else before} | {'' if after is None else after} | {delta} |")
    lines.append("")
    sections = [
        ("Counters added", changes.counters_added, lambda r: f"- `{r[0]}` {r[1] or ''}".rstrip()),
        ("Counters removed", changes.counters_removed, lambda r: f"- `{r[0]}` {r[1] or ''}".rstrip()),
        (
            "Counters that changed state",
            changes.state_changes,
            lambda r: f"- `{r[0]}`: {r[1]} → {r[2]}" + (f" (since {r[3]})" if r[3] else ""),
        ),
        (
            "New counter events",
            changes.new_events,
            lambda r: f"- {r[0]} `{r[1]}` {r[2]}" + (f" ({r[3]} → {r[4]})" if r[3] else f" (→ {r[4]})"),
        ),
        ("New procedure events", changes.new_transitions, lambda r: f"- {r[0]} `{r[1]}` `{r[2]}` {r[3]}"),
    ]
    for title, items, fmt in sections:
        lines += [f"## {title} ({len(items)})", ""]
        lines += [fmt(r) for r in items[:LIST_LIMIT]] or ["None."]
        if len(items) > LIST_LIMIT:
            lines.append(f"- … and {len(items) - LIST_LIMIT} more (see the delta tables and the marts)")
        lines.append("")
    return "\n".join(lines)
