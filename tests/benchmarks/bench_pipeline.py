"""The whole pipeline at national scale: wall time and peak memory of every stage, full and for one new week.

Usage: .venv/bin/python -m tests.benchmarks.bench_pipeline [--counters 20000] [--weeks 400] [--seed 0]
       [--work DIR] [--keep]

Not a pytest test. The synthetic national observation log (tests/benchmarks/synthetic_log.py) is
written into a fresh warehouse (the *load* stage: the log goes straight into ``raw``, with load
batches as ``warehouse/load.py`` numbers them), then the real pipeline's stages run one after
another, each in a fresh child process, as the DAG runs them: dbt (``transform.pipeline_build``'s
command, full refresh; data tests scoped by ``warehouse.test_scope``), the warehouse gate
(``stages.validate_stage``'s ``run_gate`` over the raw suites), stage, audit (the release gate
on the staged files and the Data Package audit) and publish. Then one week is appended
(``append_week``) and load → dbt (incremental) → gate → stage → audit → publish run again.
Last, every SQL recipe of docs/journalists.md is timed on the result (read-only, the warehouse
as ``guichets query`` opens it).

Per stage: wall time, CPU time (user + system of the stage's process tree, its children too:
dbt's threads and subprocesses) and the tree's peak resident memory, polled from /proc every 0.1 s.
On a host that runs the same code slower, both times grow; when only wall time grows, the stage
waited. The machine is shared: the load average is printed before and after, and times are only
comparable on a quiet machine. The host's speed is printed before and after too (``bench_hours``'
reader on one core, in a child process): the same code runs up to twice as fast on one host as on
another, and runs on different hosts compare by it.

Targets (issue #17): full pipeline <= 5 min and <= 4 GiB peak; one new week end to end <= 90 s;
gate <= 30 s and <= 2 GiB; audit <= 30 s; every recipe < 1 s. Exits 1 if a stage fails or a target
is missed. Last, the CPU floor of the full pipeline and of the week: their CPU time over the
machine's CPUs, the least wall time any scheduling of the same work could take here.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue as queue_module
import resource
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tests.benchmarks.bench_dbt import gib, scoped_build, tree_rss, verdict
from tests.benchmarks.bench_hours import host_speed
from tests.benchmarks.synthetic_log import append_week, generate
from tests.e2e.test_docs_examples import examples

POLL_S = 0.1
FULL_MAX_S = 5 * 60
FULL_MAX_RSS = 4 * 1024**3
WEEK_MAX_S = 90
GATE_MAX_S = 30
GATE_MAX_RSS = 2 * 1024**3
AUDIT_MAX_S = 30
RECIPE_MAX_S = 1.0


@dataclass
class Stage:
    """One stage, as measured."""

    label: str
    wall_s: float
    peak_rss: int
    ok: bool
    detail: str = ""
    cpu_s: float = 0.0  # user + system of the stage's ended child processes


def children_cpu() -> float:
    """User + system seconds of this process's ended and waited-for children (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def line(label: str, wall_s: float, cpu_s: float, peak_rss: int) -> str:
    """One stage's figures, as printed."""
    return f"  {label:38s} {wall_s:8.1f} s  cpu {cpu_s:6.1f} s  peak {gib(peak_rss)}"


def _child(fn: Callable, args: tuple, queue) -> None:
    try:
        queue.put((True, fn(*args)))
    except BaseException:  # noqa: BLE001 (reported to the parent, which prints it)
        queue.put((False, traceback.format_exc()))


def measured(label: str, fn: Callable, *args) -> tuple[Stage, object]:
    """Run ``fn(*args)`` in a fresh (spawned) child process, polling its process tree's memory."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, args, queue))
    started, cpu = time.perf_counter(), children_cpu()
    proc.start()
    peak = 0
    while proc.is_alive() and queue.empty():
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(POLL_S)
    try:
        ok, value = queue.get(timeout=60)
    except queue_module.Empty:  # the child died without a word (killed: out of memory?)
        ok, value = False, f"the stage's process ended with exit code {proc.exitcode}"
    proc.join()
    wall, cpu = time.perf_counter() - started, children_cpu() - cpu
    stage = Stage(label, wall, peak, ok, "" if ok else value, cpu)
    print(line(label, wall, cpu, peak) + ("" if ok else "  FAILED"), flush=True)
    if not ok:
        print("    " + value.replace("\n", "\n    ")[-3000:])
    return stage, value


def speed_line(when: str) -> str:
    """The host's speed now: ``bench_hours``' reader on one core, in a child process (the pinning
    stays there). Wall times of this benchmark move with it; compare runs on different hosts by it."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        rate = pool.apply(host_speed)
    return f"host speed {when}: {rate:,.0f} strings/s (bench_hours' reader on one core; see docs/performance.md)"


def dbt_stage(label: str, full_refresh: bool, db: Path, work: Path) -> Stage:
    """dbt as the pipeline runs it (a subprocess, data tests scoped), measured by bench_dbt.scoped_build."""
    cpu = children_cpu()
    run = scoped_build(label, db, work, full_refresh=full_refresh)
    cpu = children_cpu() - cpu
    label = run.label
    ok = run.returncode == 0
    print(line(label, run.wall_s, cpu, run.peak_rss) + f"  {run.summary}", flush=True)
    if not ok:
        print("    " + "\n    ".join(run.output.splitlines()[-30:]))
    return Stage(label, run.wall_s, run.peak_rss, ok, run.summary, cpu)


def gate(db: Path) -> dict:
    """The warehouse gate (stages.validate_stage's call: new load batches, or every row when due)."""
    from warehouse.stages import gate_warehouse

    return gate_warehouse(db)


def stage(db: Path, releases: Path) -> dict:
    """Write-audit-publish, step 1 (stages.write_stage's call)."""
    from warehouse.release.publish import stage_release

    return stage_release(db, releases, warc_dir=db.parent / "warc").to_dict()


def audit(staged: dict) -> dict:
    """Step 2: the release gate and the Data Package audit on the staged files."""
    from warehouse.release.publish import StagedRelease, audit_release

    return audit_release(StagedRelease.from_dict(staged))


def publish(staged: dict) -> str:
    """Step 3: rename into place."""
    from warehouse.release.publish import StagedRelease, publish_release

    return str(publish_release(StagedRelease.from_dict(staged)).path)


def pipeline(label: str, db: Path, work: Path, releases: Path, full: bool, load: tuple) -> list[Stage]:
    """load → dbt → gate → stage → audit → publish; stops at the first failed stage."""
    print(f"\n{label}:", flush=True)
    stages: list[Stage] = []
    steps = [
        ("load", lambda: measured("load (synthetic log into raw)", *load)),
        ("dbt", lambda: (dbt_stage("dbt build" + (" --full-refresh" if full else ""), full, db, work), None)),
        ("gate", lambda: measured("gate (raw observation log)", gate, db)),
        ("stage", lambda: measured("stage (write the release)", stage, db, releases)),
        ("audit", lambda: measured("audit (release gate + Data Package)", audit, staged)),
        ("publish", lambda: measured("publish", publish, staged)),
    ]  # fmt: skip
    staged = None
    for name, step in steps:
        result, value = step()
        stages.append(result)
        if not result.ok:
            break
        if name == "stage":
            staged = value
    total, cpu = sum(s.wall_s for s in stages), sum(s.cpu_s for s in stages)
    peak = max(s.peak_rss for s in stages)
    print(line("total", total, cpu, peak))
    return stages


def time_recipes(db: Path) -> list[tuple[str, float, int]]:
    """Each journalists' recipe on the warehouse, read-only as `guichets query` opens it: (question, s, rows)."""
    out = []
    config = {"enable_external_access": False, "lock_configuration": True}
    with duckdb.connect(str(db), read_only=True, config=config) as con:
        for question, sql in examples():
            started = time.perf_counter()
            try:
                rows = len(con.execute(sql).fetchall())
            except duckdb.Error as exc:
                rows = -1
                print(f"    error: {str(exc).splitlines()[0]}")
            out.append((question, time.perf_counter() - started, rows))
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 1 if a stage fails or a target is missed."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--counters", type=int, default=20_000)
    ap.add_argument("--weeks", type=int, default=400)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work", type=Path, help="working folder (default: a new one under the temp directory)")
    ap.add_argument("--keep", action="store_true", help="keep the working folder")
    args = ap.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # progress as it comes, also into a file
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db, dbt_work, releases = work / "warehouse" / "guichets.duckdb", work / "dbt", work / "releases"
    db.parent.mkdir()
    dbt_work.mkdir()
    print(f"{args.counters:,d} counters x {args.weeks} weeks, in {work}; {os.cpu_count()} CPUs")
    print(f"load average before: {os.getloadavg()}")
    print(speed_line("before"))
    try:
        full = pipeline(
            "full pipeline (a new warehouse)", db, dbt_work, releases, True,
            (generate, db, args.counters, args.weeks, args.seed),
        )  # fmt: skip
        week = []
        if all(s.ok for s in full):
            week = pipeline(
                "one new week (incremental)", db, dbt_work, releases, False,
                (append_week, db, args.weeks, args.counters, args.seed),
            )  # fmt: skip
        recipes = time_recipes(db) if all(s.ok for s in full + week) else []
        print("\njournalists' recipes (docs/journalists.md) on the warehouse:")
        for n, (question, seconds, rows) in enumerate(recipes, start=1):
            print(f"  {n:2d}. {seconds:6.2f} s {rows:8d} rows  {question[:80]}")
        print(f"\nload average after: {os.getloadavg()}")
        print(speed_line("after"))
        return summary(full, week, recipes)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def summary(full: list[Stage], week: list[Stage], recipes: list[tuple[str, float, int]]) -> int:
    """Print the targets and whether each is met; 0 when all are."""

    def find(stages: list[Stage], prefix: str) -> Stage | None:
        return next((s for s in stages if s.label.startswith(prefix)), None)

    ok_runs = bool(full) and all(s.ok for s in full + week) and bool(week)
    full_s, full_rss = sum(s.wall_s for s in full), max((s.peak_rss for s in full), default=0)
    week_s = sum(s.wall_s for s in week)
    gates = [s for s in (find(full, "gate"), find(week, "gate")) if s]
    audits = [s for s in (find(full, "audit"), find(week, "audit")) if s]
    checks = [
        ("every stage ran", ok_runs, ""),
        ("full pipeline <= 5 min", full_s <= FULL_MAX_S, f"{full_s:.1f} s"),
        ("full pipeline <= 4 GiB", full_rss <= FULL_MAX_RSS, gib(full_rss)),
        ("one new week <= 90 s", bool(week) and week_s <= WEEK_MAX_S, f"{week_s:.1f} s"),
        ("gate <= 30 s", bool(gates) and all(g.wall_s <= GATE_MAX_S for g in gates),
         ", ".join(f"{g.wall_s:.1f} s" for g in gates)),
        ("gate <= 2 GiB", bool(gates) and all(g.peak_rss <= GATE_MAX_RSS for g in gates),
         ", ".join(gib(g.peak_rss) for g in gates)),
        ("audit <= 30 s", bool(audits) and all(a.wall_s <= AUDIT_MAX_S for a in audits),
         ", ".join(f"{a.wall_s:.1f} s" for a in audits)),
        ("every recipe < 1 s", bool(recipes) and all(0 <= rows and s < RECIPE_MAX_S for _q, s, rows in recipes),
         f"slowest {max((s for _q, s, _r in recipes), default=0):.2f} s"),
    ]  # fmt: skip
    print("\ntargets:")
    for name, ok, value in checks:
        print(f"  {name:28s} {value:24s} {verdict(ok)}")
    cpus = os.cpu_count() or 1
    print(f"\nCPU floor (each run's CPU time spread over the {cpus} CPUs with no wait; wall time cannot be less):")
    for name, stages, target in (("full pipeline", full, FULL_MAX_S), ("one new week", week, WEEK_MAX_S)):
        if stages:
            print("  " + cpu_floor(name, sum(s.cpu_s for s in stages), cpus, target))
    return 0 if all(ok for _n, ok, _v in checks) else 1


def cpu_floor(name: str, cpu_s: float, cpus: int, target_s: float) -> str:
    """A run's CPU time as the least wall time it can take on this machine, against its target.

    A floor above the target means no scheduling or overlap of the same work can meet it here:
    only less work (or faster cores) can.
    """
    floor = cpu_s / cpus
    reach = "within reach" if floor <= target_s else "out of reach without less work"
    return f"{name:28s} {cpu_s:6.1f} CPU-s / {cpus} = {floor:6.1f} s  (target {target_s:.0f} s: {reach})"


if __name__ == "__main__":
    sys.exit(main())
