"""Scale benchmark of the dbt project: full build, incremental build of one new week, peak memory.

Usage: .venv/bin/python -m tests.benchmarks.bench_dbt [--counters 20000] [--weeks 400] [--seed 0] [--db PATH]
       [--keep] [--no-models-only]

Not a pytest test: pytest collects ``test_*.py`` only. A synthetic observation log
(tests/benchmarks/synthetic_log.py: ``--counters`` counters on ``--counters / 5`` pages,
``--weeks`` weekly captures with server errors, parse errors, layout drift, hours changes,
appointment-only switches, closures and reopenings) is written into a fresh DuckDB file
(default under the temp directory, never the source tree). Then the real dbt project is run as
a subprocess, exactly as warehouse/transform.py runs it (the venv's ``dbt``, ``--project-dir``
and ``--profiles-dir dbt``, target and log paths outside the tree, ``GUICHETS_DUCKDB``, the
pipeline's build command ``transform.BUILD``, seeds, models and data tests, with its options
``transform.build_options``: two dbt threads for an incremental build):

1. the build with ``--full-refresh`` (the full build);
2. ``dbt run --full-refresh`` (models only, to see how much of the build is tests; skip it with
   ``--no-models-only``);
3. one more week is appended (``append_week``), then the build (the incremental build);
4. the build again with nothing new (what the graph costs when no row changes);
5. dbt's fixed cost: the same build, twice, on a 200-counter x 10-week database (the second run,
   with nothing new, is the floor of any incremental build of this project on this machine).

For each run: wall time, dbt's summary line, the peak resident memory of the dbt process tree
(/proc polled every 0.1 s, RSS of dbt and its children summed), with two cross-checks: the
kernel's ``ru_maxrss`` of that dbt process (``os.wait4``) and ``getrusage(RUSAGE_CHILDREN)``
(the largest child so far, the generator's process included: generation and ``append_week`` run
in a child process so that this one stays small, as a child's ru_maxrss starts from its
parent's size at fork), seconds per resource type and the five slowest nodes from
``run_results.json``.

Targets (on 2 cores): full build <= 5 min, peak memory <= 4 GiB, incremental build for one new
week <= 5 % of the full build. Exits 1 if dbt fails or a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import duckdb

from tests.benchmarks.synthetic_log import append_week, generate
from warehouse import test_scope, transform
from warehouse.settings import DBT_PROJECT_DIR, PROJECT_ROOT

FULL_BUILD_MAX_S = 5 * 60
PEAK_MEMORY_MAX = 4 * 1024**3
INCREMENTAL_MAX_SHARE = 0.05
POLL_S = 0.1
PAGE = os.sysconf("SC_PAGE_SIZE")
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # dbt colours its output even into a file
MARTS = ("fct_counter_history", "fct_counter_events", "fct_counter_states_monthly")


@dataclass
class Run:
    """One dbt invocation, as measured."""

    label: str
    wall_s: float
    peak_rss: int
    wait4_maxrss: int  # bytes
    rusage_children_maxrss: int  # bytes
    returncode: int
    summary: str
    output: str
    nodes: list[dict] = field(default_factory=list)  # run_results.json "results"


def _measured(fn: Callable, args: tuple, kwargs: dict) -> tuple[object, int]:
    """``fn(*args, **kwargs)`` and this process's peak RSS in bytes (run in the child)."""
    return fn(*args, **kwargs), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def in_child(fn: Callable, *args, **kwargs) -> tuple[object, int]:
    """Run ``fn`` in a fresh child process: (its result, the child's peak RSS in bytes).

    Keeps the generator's memory (GiB at full scale) out of this process, whose size every dbt
    child would otherwise inherit in its ru_maxrss.
    """
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_measured, fn, args, kwargs).result()


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (0 once they are gone)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:  # the process ended while we looked
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])  # after the command name, which may hold spaces
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as f:
                total += int(f.read().split()[1]) * PAGE
        except OSError:
            pass
    return total


def run_dbt(label: str, args: list[str], db: Path, work: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``dbt <args>`` the way warehouse/transform.py does (``env``: its test scope), polling the
    memory of its process tree."""
    cmd, env = transform.dbt_invocation(db, work, *args, env=env)
    results = work / "target" / "run_results.json"
    results.unlink(missing_ok=True)  # a failed run must not be read as the previous one's
    out_path = work / f"{label.split()[0]}.out"
    peak = 0
    with out_path.open("w", encoding="utf-8") as out:
        started = time.perf_counter()
        # stdout to a file, not a pipe: nobody reads a pipe while we poll, and dbt would block on it
        proc = subprocess.Popen(cmd, env=env, cwd=DBT_PROJECT_DIR, stdout=out, stderr=subprocess.STDOUT)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)  # reaping it ourselves gives its own rusage
            if pid:
                break
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(POLL_S)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: Popen must not wait again
    output = ANSI.sub("", out_path.read_text(encoding="utf-8", errors="replace"))
    summary = next((ln.strip() for ln in reversed(output.splitlines()) if "Done. PASS=" in ln), "no summary")
    nodes = json.loads(results.read_text(encoding="utf-8"))["results"] if results.exists() else []
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    return Run(label, wall, peak, usage.ru_maxrss * 1024, children * 1024, proc.returncode, summary, output, nodes)


def scoped_build(label: str, db: Path, work: Path, *, full_refresh: bool = False) -> Run:
    """The pipeline's build (``transform.pipeline_build``'s command): data tests scoped by
    ``warehouse.test_scope`` (new load batches on a weekly build), recorded when it passes."""
    scope = test_scope.plan(db, full_refresh=full_refresh)
    args = [*transform.BUILD, *transform.build_options(full_refresh=full_refresh, first_build=scope.first_build)]
    run = run_dbt(f"{label}, data tests: {scope.reason}", args, db, work, env=scope.dbt_env())
    if run.returncode == 0:
        test_scope.record(db, scope)
    return run


def report(run: Run) -> None:
    """Print one run's figures; on failure, the failing lines of dbt's output."""
    print(f"\n{run.label}: {run.wall_s:.1f} s wall, peak RSS {gib(run.peak_rss)} of the dbt process tree")
    print(f"  {run.summary}")
    print(
        f"  ru_maxrss: this dbt process (wait4) {gib(run.wait4_maxrss)}, "
        f"getrusage(RUSAGE_CHILDREN) so far {gib(run.rusage_children_maxrss)}"
    )
    by_type: dict[str, list[float]] = {}
    for node in run.nodes:
        by_type.setdefault(node["unique_id"].split(".")[0], []).append(node["execution_time"])
    if by_type:
        parts = ", ".join(f"{kind} {len(times)} nodes {sum(times):.1f} s" for kind, times in sorted(by_type.items()))
        print(f"  node time by type: {parts}")
        print("  slowest nodes:")
        for node in sorted(run.nodes, key=lambda n: -n["execution_time"])[:5]:
            print(f"    {node['execution_time']:8.1f} s  {node['status']:7s} {node['unique_id']}")
    if run.returncode != 0:
        keys = ("ERROR", "FAIL ", "Failure in", "Error")
        failures = [ln.rstrip() for ln in run.output.splitlines() if any(k in ln for k in keys)]
        print(f"  dbt exited {run.returncode}; failing lines:")
        for line in failures[-40:] or run.output.splitlines()[-40:]:
            print(f"    {line}")


def marts_counts(db: Path) -> None:
    """Row counts of the main marts, read without taking the write lock."""
    with duckdb.connect(str(db), read_only=True) as con:
        for name in MARTS:
            try:
                n = con.execute(f"SELECT count(*) FROM marts.{name}").fetchone()[0]
                print(f"  marts.{name:28s} {n:12,d}")
            except duckdb.Error as exc:
                print(f"  marts.{name:28s} unreadable: {str(exc).splitlines()[0]}")
        try:
            rows = con.execute(
                "SELECT event_type, count(*) FROM marts.fct_counter_events GROUP BY ALL ORDER BY 2 DESC"
            ).fetchall()
            print("  events: " + ", ".join(f"{kind} {n:,d}" for kind, n in rows))
        except duckdb.Error:
            pass


def fixed_cost(db: Path, seed: int) -> Run | None:
    """The no-op build of a tiny synthetic database (200 counters, 10 weeks): dbt's own cost."""
    work = db.with_name(db.stem + "-dbt")
    for path in (db, db.with_name(db.name + ".wal")):
        path.unlink(missing_ok=True)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    in_child(generate, db, counters=200, weeks=10, seed=seed)
    labels = ("floor-full", "floor (no-op build, 200 counters)")
    runs = [run_dbt(label, list(transform.BUILD), db, work) for label in labels]
    report(runs[-1])
    for path in (db, db.with_name(db.name + ".wal")):
        path.unlink(missing_ok=True)
    shutil.rmtree(work, ignore_errors=True)
    return runs[-1] if all(run.returncode == 0 for run in runs) else None


def gib(n_bytes: float) -> str:
    return f"{n_bytes / 1024**3:.2f} GiB"


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--counters", type=int, default=20_000)
    ap.add_argument("--weeks", type=int, default=400)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "guichets-bench-dbt" / "synthetic.duckdb")
    ap.add_argument("--keep", action="store_true", help="keep the DuckDB file and dbt's target/logs afterwards")
    ap.add_argument("--no-models-only", action="store_true", help="skip the models-only `dbt run --full-refresh`")
    args = ap.parse_args(argv)

    db = args.db.resolve()
    if db.is_relative_to(PROJECT_ROOT) and not db.is_relative_to(PROJECT_ROOT / "data"):
        print(f"refusing to write {db}: inside the source tree (use the temp or the data directory)")
        return 2
    work = db.with_name(db.stem + "-dbt")  # dbt's target and logs, next to the database
    for path in (db, db.with_name(db.name + ".wal")):
        path.unlink(missing_ok=True)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"dbt build at scale: {args.counters:,d} counters x {args.weeks} weeks, seed {args.seed}; {cpus} CPUs; "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, dbt-core {version('dbt-core')}, "
        f"dbt-duckdb {version('dbt-duckdb')}"
    )
    print(f"database {db}, dbt target and logs in {work}")

    started = time.perf_counter()
    counts, generator_peak = in_child(generate, db, counters=args.counters, weeks=args.weeks, seed=args.seed)
    generation_s = time.perf_counter() - started
    size = gib(db.stat().st_size)
    print(f"\ngenerated in {generation_s:.1f} s (generator peak RSS {gib(generator_peak)}), file {size}")
    for name, n in counts.items():
        print(f"  raw.{name:28s} {n:12,d}")

    runs = []
    full = scoped_build("full build (dbt build --full-refresh)", db, work, full_refresh=True)
    report(full)
    runs.append(full)
    if full.returncode != 0:
        return 1
    marts_counts(db)
    if not args.no_models_only:
        models = run_dbt("models-only (dbt run --full-refresh)", ["run", "--full-refresh"], db, work)
        report(models)
        runs.append(models)
        if models.returncode != 0:
            return 1

    started = time.perf_counter()
    added, _ = in_child(append_week, db, args.weeks, counters=args.counters, seed=args.seed)
    print(
        f"\nappended week {args.weeks} in {time.perf_counter() - started:.1f} s: "
        + ", ".join(f"{n:,d} {name}" for name, n in added.items())
    )
    incremental = scoped_build("incremental build (dbt build, one new week)", db, work)
    report(incremental)
    runs.append(incremental)
    if incremental.returncode != 0:
        return 1
    noop = scoped_build("no-op build (dbt build, nothing new)", db, work)
    report(noop)
    if noop.returncode != 0:
        return 1
    floor = fixed_cost(db.with_name(db.stem + "-floor.duckdb"), args.seed)
    if floor is None:
        return 1

    peak = max(run.peak_rss for run in runs)
    # from a new database, the full build includes the bootstrap, as in the pipeline
    full_s = full.wall_s
    share = incremental.wall_s / full_s
    checks = [full_s <= FULL_BUILD_MAX_S, peak <= PEAK_MEMORY_MAX, share <= INCREMENTAL_MAX_SHARE]
    print(f"\nincremental / full build: {incremental.wall_s:.1f} s / {full_s:.1f} s = {share:.1%}")
    print(
        f"  no-op build at this scale {noop.wall_s:.1f} s ({noop.wall_s / full_s:.1%}); dbt's fixed cost "
        f"(no-op build of a 200-counter database) {floor.wall_s:.1f} s ({floor.wall_s / full_s:.1%}); "
        f"the week beyond that fixed cost: {incremental.wall_s - floor.wall_s:.1f} s "
        f"({(incremental.wall_s - floor.wall_s) / full_s:.1%})"
    )
    print(f"full build        {full_s:7.1f} s      (target <= {FULL_BUILD_MAX_S} s: {verdict(checks[0])})")
    print(f"peak memory       {gib(peak):>9s}    (target <= {gib(PEAK_MEMORY_MAX)}: {verdict(checks[1])})")
    print(f"incremental build {share:8.1%}     (target <= {INCREMENTAL_MAX_SHARE:.0%} of full: {verdict(checks[2])})")

    if args.keep:
        print(f"kept {db} and {work}")
    else:
        for path in (db, db.with_name(db.name + ".wal")):
            path.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
        with contextlib.suppress(OSError):  # the folder too, when nothing else is in it
            db.parent.rmdir()
    return 0 if all(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
