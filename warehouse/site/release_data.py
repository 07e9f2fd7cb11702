"""Read the tables of one release directory for the website, tolerating tables and columns it lacks.

The site is built from a release's parquet files only (never the warehouse): what the release does
not publish, the site says is not published yet. :meth:`ReleaseData.rows` selects the columns asked
for, and a column the release lacks comes back as ``None`` (with :meth:`has` to tell the two apart).
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

from warehouse import db
from warehouse.release.layout import METADATA, table_path


class ReleaseData:
    """One release's metadata and tables (``marts`` schema), read with DuckDB."""

    def __init__(self, release_dir: Path) -> None:
        self.dir = Path(release_dir).resolve()
        self.meta: dict = json.loads((self.dir / METADATA).read_text("utf-8"))
        self._con = db.memory()

    def close(self) -> None:
        """Close the DuckDB connection."""
        self._con.close()

    def __enter__(self) -> ReleaseData:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def version(self) -> str:
        """The release version (``metadata.json``)."""
        return self.meta["version"]

    @property
    def illustrative(self) -> bool:
        """True for a release built from the bundled sample."""
        return bool(self.meta.get("illustrative"))

    def path(self, table: str) -> Path:
        """The parquet file of ``table`` (a mart name, e.g. ``dim_counter``)."""
        return table_path(self.dir, f"marts.{table}")

    @cached_property
    def _columns(self) -> dict[str, set[str]]:
        out = {}
        for file in sorted((self.path("x").parent).glob("*.parquet")):
            rows = self._con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(file)]).fetchall()
            out[file.stem] = {r[0] for r in rows}
        return out

    def has(self, table: str, *columns: str) -> bool:
        """Whether the release publishes ``table`` (and every one of ``columns``)."""
        present = self._columns.get(table)
        return present is not None and all(c in present for c in columns)

    def rows(
        self, table: str, columns: list[str], where: str = "", order: str = "", params: list | None = None
    ) -> list[dict]:
        """``columns`` of ``table`` as dicts (a column the release lacks is ``None``); [] without the table.

        ``where`` is SQL over the table's own columns (check them with :meth:`has` first);
        ``order`` over the columns asked for (present or filled with NULL).
        """
        present = self._columns.get(table)
        if present is None:
            return []
        items = ", ".join(f'"{c}"' if c in present else f'NULL AS "{c}"' for c in columns)
        sql = f"SELECT * FROM (SELECT {items} FROM read_parquet(?)"
        sql += f" WHERE {where}) t" if where else ") t"
        if order:
            sql += f" ORDER BY {order}"
        cur = self._con.execute(sql, [str(self.path(table)), *(params or [])])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
