"""What a release publishes: its tables, their documentation and the type of every column.

Marts are documented in dbt's YAML (``dbt/models/marts/_marts__models.yml``); the delta tables
a release computes against the previous one are documented here. The type of every published
column is a contract kept in ``published_types.yaml`` (DuckDB type names, as read back from the
release's parquet files); the gate checks it, the Data Package and the README are written from it.

Regenerate the type contract after a deliberate schema change, from a staged or published release::

    python -m expectations.published_schema data/releases/latest > expectations/published_types.yaml
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

MARTS_YAML = Path(__file__).resolve().parent.parent / "dbt" / "models" / "marts" / "_marts__models.yml"
TYPES_YAML = Path(__file__).resolve().with_name("published_types.yaml")

# Tables a release computes against the previous release (schema "delta"): documented here
# because they are not dbt models.
DELTA_TABLES: dict[str, dict] = {
    "counter_changes": {
        "description": (
            "Counters created (first listed with hours: `opened`), closed, or downgraded (any event with a "
            "downgrade_type) since the previous release: one row per such event of fct_counter_events whose "
            "event_id the previous release did not have. Without a previous release, every such event."
        ),
        "columns": {
            "change": "`created`, `closed` or `downgraded`.",
            "event_id": "The event in fct_counter_events.",
            "counter_id": "The counter.",
            "event_type": "The event type (see fct_counter_events).",
            "event_date": "Date of the first capture showing the new state (UTC).",
            "state_before": "State before the event (null for a first state).",
            "state_after": "State after the event.",
            "downgrade_type": "For `downgraded`, the kind of downgrade (see fct_counter_events); else null.",
            "after_capture_id": "Evidence: the first capture showing the new state.",
        },
    },
    "counter_ids": {
        "description": (
            "Registry counter IDs that appeared or disappeared since the previous release: `created` (never in "
            "any earlier release), `retired` (in the previous release, not in this one) or `resurrected` (in an "
            "earlier release, retired since, back in this one). A retired ID is never reused for another counter: "
            "the release gate refuses a resurrected ID unless a recorded override says why."
        ),
        "columns": {
            "change": "`created`, `retired` or `resurrected`.",
            "counter_id": "Registry ID of the counter.",
            "counter_name": "Registry name (from this release, or from the last release that listed it).",
            "first_release": "Earliest release whose dim_counter lists the ID (null when created now).",
            "last_release": "Latest earlier release whose dim_counter lists the ID (null when created now).",
        },
    },
}


@dataclass(frozen=True)
class TableDoc:
    """Documentation of one published table: what it is, and every column in order."""

    table: str  # schema-qualified: "marts.dim_counter", "delta.counter_changes"
    description: str
    columns: dict[str, str]

    @property
    def name(self) -> str:
        """The table name without its schema."""
        return self.table.split(".", 1)[1]


@cache
def marts_models() -> dict[str, dict]:
    """The marts' entries of dbt's YAML (descriptions, columns, data tests), by model name, in file order."""
    return {m["name"]: m for m in yaml.safe_load(MARTS_YAML.read_text(encoding="utf-8"))["models"]}


@cache
def _marts_docs() -> dict[str, TableDoc]:
    return {
        f"marts.{name}": TableDoc(
            f"marts.{name}",
            " ".join((m.get("description") or "").split()),
            {c["name"]: " ".join((c.get("description") or "").split()) for c in m["columns"]},
        )
        for name, m in marts_models().items()
    }


def table_doc(table: str) -> TableDoc:
    """The documentation of a published table (``marts.<model>`` or ``delta.<name>``)."""
    schema, name = table.split(".", 1)
    if schema == "delta" and name in DELTA_TABLES:
        spec = DELTA_TABLES[name]
        return TableDoc(table, spec["description"], dict(spec["columns"]))
    docs = _marts_docs()
    if table not in docs:
        raise KeyError(f"table {table!r} is not documented in {MARTS_YAML} (nor a delta table)")
    return docs[table]


def documented_columns(model: str) -> tuple[str, ...]:
    """The columns dbt's YAML documents for a mart: the published schema must be exactly these."""
    return tuple(table_doc(f"marts.{model}").columns)


def delta_columns(name: str) -> tuple[str, ...]:
    """The columns of a delta table, in order."""
    return tuple(DELTA_TABLES[name]["columns"])


@cache
def _types() -> dict[str, dict[str, str]]:
    return yaml.safe_load(TYPES_YAML.read_text(encoding="utf-8"))


def published_types(table: str) -> dict[str, str]:
    """The contract: column -> DuckDB type of a published table, as read back from its parquet file."""
    types = _types()
    if table not in types:
        raise KeyError(f"table {table!r} has no type contract in {TYPES_YAML}")
    return dict(types[table])


def types_contract(release_dir: Path) -> str:
    """The YAML type contract of the tables of a (staged or published) release directory."""
    from warehouse import db

    lines = [
        "# The published type of every column (DuckDB type names, as read back from the release parquet).",
        "# Checked by the release gate; regenerate after a deliberate schema change:",
        "#   python -m expectations.published_schema data/releases/latest > expectations/published_types.yaml",
    ]
    with db.memory() as con:
        for folder, schema in (("data", "marts"), ("delta", "delta")):
            for path in sorted((release_dir / folder).glob("*.parquet")):
                lines.append(f"{schema}.{path.stem}:")
                for name, dtype, *_ in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall():
                    lines.append(f"  {name}: {dtype}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(types_contract(Path(sys.argv[1])))
