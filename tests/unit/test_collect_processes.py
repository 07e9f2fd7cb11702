"""``collect_many`` over worker processes: the same captures, summaries and progress as one process.

Three real HTTP servers on 127.0.0.1 (three hosts, so two processes each get some); every
page is fetched, kept as WARC evidence and parsed in the worker processes (spawned, as in
production), and the results come back sorted by source.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scrapers.collect import collect_many
from scrapers.fetch.client import Fetcher
from scrapers.registry import Source
from tests.conftest import LocalServer, reply

HOURS = (
    "Du lundi au vendredi de 9h à 12h.",
    "Le mardi de 13h30 à 16h.",
    "Uniquement sur rendez-vous le jeudi de 9h à 11h.",
)


@pytest.fixture
def hosts():
    servers = [LocalServer() for _ in range(3)]
    for n, server in enumerate(servers):
        for p in range(2):
            body = (
                f"<html lang='fr'><body><main><h1>Service {n}-{p}</h1><p>{HOURS[(n + p) % 3]}</p></main></body></html>"
            )
            server.routes[f"/page-{p}"] = reply(200, body.encode(), {"Content-Type": "text/html; charset=utf-8"})
    yield servers
    for server in servers:
        server.close()


def sources(servers: list[LocalServer]) -> list[Source]:
    return [
        Source(
            id=f"host{n}-page{p}",
            administration="commune-test",
            urls=(f"{server.base}/page-{p}",),
            kind="opening_hours",
            language="fr",
            parser="auto",
            rate_limit_per_s=20,
        )
        for n, server in enumerate(servers)
        for p in range(2)
    ]


def slots(out: Path) -> dict[str, list]:
    """Each source's parsed counter slots, from the capture files written."""
    found = {}
    for path in sorted((out / "collected").rglob("*.json")):
        record = json.loads(path.read_text("utf-8"))
        found[record["capture"]["source_id"]] = [s["slots"] for s in record["schedules"]]
    return found


def test_processes_give_the_same_captures_and_progress(hosts, tmp_path: Path) -> None:
    allowed = {s.host_port for s in hosts}
    runs = {}
    for processes in (1, 2):
        progress: list[str] = []
        fetcher = Fetcher(allow_private=allowed, respect_robots=False, timeout=(2, 2))
        out = tmp_path / f"p{processes}"
        summaries = collect_many(
            sources(hosts),
            out,
            fetcher=fetcher,
            processes=processes,
            on_done=lambda s, seen=progress: seen.append(s["source_id"]),
        )
        runs[processes] = (summaries, sorted(progress), slots(out))
    one, two = runs[1], runs[2]
    ids = sorted(s.id for s in sources(hosts))
    assert [s["source_id"] for s in two[0]] == ids  # sorted by source, every source once
    assert two[1] == ids  # progress relayed from the workers, once per source
    assert all(s["parsed"] == 1 for s in two[0])
    assert [{k: v for k, v in s.items() if k != "files"} for s in two[0]] == [
        {k: v for k, v in s.items() if k != "files"} for s in one[0]
    ]
    assert two[2] == one[2] and all(two[2].values())  # the same slots read in both runs
    assert sum(server.hits.get(f"/page-{p}", 0) for server in hosts for p in range(2)) == 12  # 6 pages x 2 runs


def test_processes_follow_the_number_of_hosts() -> None:
    from scrapers.collect import HOSTS_PER_PROCESS, processes_for

    assert processes_for(3, 2) == 1  # a few hosts: no process to start
    assert processes_for(HOSTS_PER_PROCESS + 1, 2) == 2
    assert processes_for(1000, 2) == 2  # never more than the cores given
    assert processes_for(0, 4) == 1


def test_a_full_record_backlog_holds_fetching_until_answers_are_recorded(hosts, tmp_path: Path, monkeypatch) -> None:
    """With room for one answer only, host threads wait for the recorder between fetches: every
    page is still fetched once, recorded and parsed, and the run ends (no thread waits forever)."""
    import threading

    import scrapers.collect as collect

    monkeypatch.setattr(collect, "RECORD_BACKLOG_BYTES", 1)
    recorded_on: set[str] = set()
    fetcher = Fetcher(allow_private={s.host_port for s in hosts}, respect_robots=False, timeout=(2, 2))
    result: list[list[dict]] = []
    run = threading.Thread(
        target=lambda: result.append(
            collect_many(
                sources(hosts),
                tmp_path,
                fetcher=fetcher,
                on_done=lambda s: recorded_on.add(threading.current_thread().name),
            )
        ),
        daemon=True,
    )
    run.start()
    run.join(timeout=60)
    assert not run.is_alive(), "collect_many never ended: host threads left waiting for room"
    summaries = result[0]
    assert [s["parsed"] for s in summaries] == [1] * 6
    assert sum(server.hits.get(f"/page-{p}", 0) for server in hosts for p in range(2)) == 6
    # Archiving, parsing and storing ran on the process's one recorder thread, not on host threads.
    assert len(recorded_on) == 1 and next(iter(recorded_on)).startswith("collect-record")
    assert all(slots(tmp_path).values())
