"""The data tools of the ``guichets`` CLI, run as a user would (subprocess): status, query, shell,
report; --help everywhere; exit codes 0 (ok), 1 (the work failed), 2 (bad usage)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.sample_data import BIN, guichets_env, sample_data  # noqa: F401 (fixture)

e2e = pytest.mark.e2e
COMMANDS = (
    ("run",),
    ("collect",),
    ("backfill",),
    ("reparse",),
    ("status",),
    ("query",),
    ("shell",),
    ("report",),
    ("site",),
    ("hours", "parse"),
    ("procedures", "parse"),
    ("release",),
)


def guichets(*args: str, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "guichets"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=guichets_env(),
        timeout=timeout,
    )


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command):
    proc = guichets(*command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert f"Usage: guichets {' '.join(command)}" in proc.stdout
    # A sentence saying what the command does, and every option explained.
    assert "--help" in proc.stdout and len(proc.stdout.split()) > 12


def test_start_up_imports_nothing_heavy():
    code = (
        "import sys, warehouse.cli; "
        "heavy = ('duckdb', 'airflow', 'altair', 'vl_convert', 'dbt', 'great_expectations', 'pandas', "
        "'rich.progress', 'jinja2', 'lxml', 'warehouse.report'); "
        "print([m for m in heavy if m in sys.modules])"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "args",
    [
        ("no-such-command",),
        ("query",),
        ("query", "select 1", "--csv", "--json"),
        ("query", "select 1", "--limit", "0"),
        ("status", "--no-such-option"),
        ("report", "--lang", "fr,de"),
        ("report", "--lang", ""),
        ("report", "--release", "/nonexistent/release"),
        ("site", "--release", "/nonexistent/release"),
    ],
    ids=" ".join,
)
def test_bad_usage_exits_2(args):
    proc = guichets(*args)
    assert proc.returncode == 2, proc.stdout + proc.stderr


def test_no_database_exits_1_and_says_where(tmp_path):
    for args in (("status",), ("query", "select 1"), ("shell",)):
        proc = guichets(*args, "--data-dir", str(tmp_path), stdin="select 1;\n")
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "no database at" in proc.stderr and str(tmp_path) in proc.stderr
    proc = guichets("report", "--data-dir", str(tmp_path))
    assert proc.returncode == 1 and "no release at" in proc.stderr


@e2e
def test_status_reports_sources_failures_drift_and_freshness(sample_data):  # noqa: F811 (fixture)
    proc = guichets("status", "--data-dir", str(sample_data))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "ILLUSTRATIVE SAMPLE DATA" in out and "latest release: sample-" in out
    assert "data horizon" in out and "ocmw-leuven-sociaal-huis" in out and "since 2025-02-24" in out
    proc = guichets("status", "--data-dir", str(sample_data), "--json")
    assert proc.returncode == 0, proc.stderr
    status = json.loads(proc.stdout)
    assert status["illustrative"] is True and status["release"]["version"].startswith("sample-")
    sources = {s["source_id"]: s for s in status["sources"]}
    assert len(sources) == 22
    assert sources["ocmw-leuven-sociaal-huis"]["drift"] is True
    assert sources["ocmw-leuven-sociaal-huis"]["last_outcome"] == "no_data"
    assert (
        sum(s["failures"] for s in sources.values())
        == status["last_load"]["captures"] - status["last_load"]["successful"]
    )
    assert all(s["days_behind"] >= 0 for s in sources.values())


@e2e
def test_query_prints_a_table_csv_or_json(sample_data):  # noqa: F811 (fixture)
    sql = "select counter_id, current_state from marts.dim_counter order by counter_id limit 3"
    table = guichets("query", sql, "--data-dir", str(sample_data))
    assert table.returncode == 0, table.stderr
    assert "counter_id" in table.stdout and "ctr-" in table.stdout and "(3 rows)" in table.stderr
    as_csv = guichets("query", sql, "--data-dir", str(sample_data), "--csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert as_csv.returncode == 0 and len(rows) == 3 and set(rows[0]) == {"counter_id", "current_state"}
    as_json = guichets("query", sql, "--db", str(sample_data / "warehouse" / "guichets.duckdb"), "--json")
    assert as_json.returncode == 0, as_json.stderr
    assert [r["counter_id"] for r in json.loads(as_json.stdout)] == [r["counter_id"] for r in rows]
    dates = guichets(
        "query", "select max(event_at) as t from marts.fct_counter_events", "--data-dir", str(sample_data), "--json"
    )
    assert json.loads(dates.stdout)[0]["t"].startswith("20")  # timestamps as ISO 8601 strings
    limited = guichets("query", "select * from range(50)", "--data-dir", str(sample_data), "--limit", "10")
    assert limited.returncode == 0 and "more than 10 rows" in limited.stderr


@e2e
def test_query_is_read_only_and_cannot_touch_files(sample_data, tmp_path):  # noqa: F811 (fixture)
    target = tmp_path / "leak.csv"
    for sql in (
        "create table marts.x as select 1",
        "delete from marts.dim_counter",
        f"copy (select * from marts.dim_counter) to '{target}'",
        "select * from read_csv('/etc/hostname')",
        f"attach '{tmp_path / 'other.duckdb'}' as other",
        "set enable_external_access = true",
        "select * from no_such_table",
    ):
        proc = guichets("query", sql, "--data-dir", str(sample_data))
        assert proc.returncode == 1, (sql, proc.stdout, proc.stderr)
        assert proc.stderr.startswith("error: "), proc.stderr
    assert not target.exists() and not (tmp_path / "other.duckdb").exists()
    proc = guichets("query", "select count(*) as n from marts.dim_counter", "--data-dir", str(sample_data), "--csv")
    assert proc.stdout.splitlines() == ["n", "35"]


@e2e
def test_shell_reads_statements_from_stdin_until_quit(sample_data):  # noqa: F811 (fixture)
    script = "\n".join(
        [
            "select 1 as one;",
            "select count(*) as counters",
            "  from marts.dim_counter;",
            ".mode csv",
            "select 'a' as x; select 'b' as y;",
            ".tables",
            ".schema marts.dim_procedure",
            ".mode json",
            "select 42 as answer;",
            ".quit",
            "select 'never run' as z;",
        ]
    )
    proc = guichets("shell", "--data-dir", str(sample_data), stdin=script + "\n")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "one" in out and "35" in out
    assert "x\na\n" in out and "y\nb\n" in out
    assert "marts.fct_counter_events" in out and "procedure_label_nl" in out
    assert '"answer": 42' in out and "never run" not in out
    assert "guichets>" not in out  # no prompt when stdin is not a terminal


@e2e
def test_shell_reports_errors_goes_on_and_exits_1(sample_data):  # noqa: F811 (fixture)
    script = "select * from nope;\ncreate table marts.t as select 1;\n.bogus\nselect 7 as seven;\n"
    proc = guichets("shell", "--data-dir", str(sample_data), stdin=script)
    assert proc.returncode == 1
    assert proc.stderr.count("error: ") == 3, proc.stderr
    assert "seven" in proc.stdout and "7" in proc.stdout
    # End of input runs a last statement without ";".
    proc = guichets("shell", "--data-dir", str(sample_data), stdin="select 5 as five")
    assert proc.returncode == 0 and "five" in proc.stdout


@e2e
def test_report_command_html_only(sample_data, tmp_path):  # noqa: F811 (fixture)
    proc = guichets("report", "--data-dir", str(sample_data), "--lang", "en", "--no-pdf", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == str(tmp_path / "report" / "report-en.html")
    names = sorted(p.name for p in (tmp_path / "report").iterdir())
    # The page and each chart's data as CSV; no PDF.
    assert "report-en.html" in names and len(names) > 1
    assert all(n == "report-en.html" or (n.startswith("chart-") and n.endswith("-en.csv")) for n in names), names
    assert Path(proc.stdout.splitlines()[-1]).read_text("utf-8").count("ILLUSTRATIVE SAMPLE DATA") >= 1
