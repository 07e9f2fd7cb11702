"""The Data Package audit on whole files (DuckDB): a release built by the real path passes; a CSV that
differs from its parquet copy, a cell not of its type, a dangling foreign key or a wrong hash is refused,
even past the rows Frictionless samples."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from tests.integration.test_release import build_warehouse
from warehouse.release.audit import SAMPLE_ROWS, check_resources, validate_datapackage
from warehouse.release.layout import DATAPACKAGE, sha256
from warehouse.release.publish import publish


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    warehouse = build_warehouse(tmp_path_factory.mktemp("w"))
    return publish(warehouse.duckdb_path, tmp_path_factory.mktemp("r") / "releases").path


def tampered(release, tmp_path, csv_name: str, edit) -> object:
    """A copy of the release whose ``data/<csv_name>`` lines are edited by ``edit``, the descriptor's
    hash and size of that file updated (so only the content checks can catch it)."""
    copy = tmp_path / "copy"
    shutil.copytree(release, copy)
    path = copy / "data" / csv_name
    lines = path.read_text("utf-8-sig").splitlines(keepends=True)
    path.write_text("\ufeff" + "".join(edit(lines)), "utf-8")
    package = json.loads((copy / DATAPACKAGE).read_text("utf-8"))
    for res in package["resources"]:
        if res["path"] == f"data/{csv_name}":
            res["hash"], res["bytes"] = f"sha256:{sha256(path)}", path.stat().st_size
    (copy / DATAPACKAGE).write_text(json.dumps(package), "utf-8")
    return copy


def test_a_published_release_passes_the_whole_file_checks(release):
    assert check_resources(release) == []
    assert validate_datapackage(release) == []


def test_a_csv_row_that_is_not_the_parquet_row_is_refused(release, tmp_path):
    def edit(lines):
        header, first, *rest = lines
        return [header, first.replace("capac", "kapac", 1), *rest]

    problems = check_resources(tampered(release, tmp_path, "dim_counter.csv", edit))
    assert any("dim_counter.csv" in p and "rows that are not the" in p for p in problems), problems


def test_a_cell_not_of_its_type_is_refused_beyond_the_sample(release, tmp_path):
    def edit(lines):
        # The fixture's tables are small: the bad row goes after SAMPLE_ROWS padding copies of a good one.
        header, first, *rest = lines
        return [header, first, *rest, *[first] * SAMPLE_ROWS, "x" + ",x" * (header.count(",")) + "\n"]

    problems = check_resources(tampered(release, tmp_path, "dim_counter.csv", edit))
    assert any("dim_counter.csv: not readable as its declared types" in p for p in problems), problems


def test_a_wrong_hash_is_refused(release, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(release, copy)
    with (copy / "data" / "dim_counter.csv").open("a") as fh:
        fh.write("\n")
    problems = check_resources(copy)
    assert any("dim_counter.csv: " in p and "bytes" in p for p in problems), problems
    assert any("dim_counter.csv: SHA-256 does not match the hash in datapackage.json" in p for p in problems)


def test_a_dangling_foreign_key_in_a_csv_is_refused(release, tmp_path):
    """A CSV whose counter_id points at no counter: its parquet copy (whose references the gate checked)
    does not hold that row, so the CSV is refused as not the parquet's rows."""

    def edit(lines):
        header, first, *rest = lines
        cells = next(csv.reader([first]))
        cells[next(csv.reader([header])).index("counter_id")] = "no-such-counter"
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(cells)
        return [header, out.getvalue(), *rest]

    problems = check_resources(tampered(release, tmp_path, "fct_counter_history.csv", edit))
    assert any("fct_counter_history.csv" in p and "rows that are not the" in p for p in problems), problems
