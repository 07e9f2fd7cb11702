"""The standing fault-injection suite: every fault and bad input in one catalogue, driven through
``guichets collect`` (a real subprocess running the CLI's own code) against real servers on 127.0.0.1.

The catalogue (:data:`COLLECTION_FAULTS`, :data:`REFUSED_INPUTS`) says, for each fault, how it is
served or given and what must come of it:

* **held**: the run goes on and the page's new capture is a failed capture (unknown, never a
  closure) whose ``error_class`` / ``parse_status`` and message name the reason, or a page read
  as it should be despite the fault;
* **refused**: the command exits 2 with one line naming the bad input, and writes nothing.

Every scenario starts from a data directory filled by a first, healthy collection of the same
sources; whatever happens next, those earlier capture files and their WARC evidence are unchanged
(append-only evidence: nothing already collected is lost). The servers are the fault routes of
tests/unit/test_collect_faults.py plus the few faults they lack (header drip, bad gzip, empty page,
binary garbage, a charset that lies, robots.txt answered 503 or by a redirect).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import LocalServer
from tests.helpers.cli_run import guichets_cli
from tests.integration.test_cli_validation import fill, tmpfs
from tests.unit.test_collect_faults import ETAT_CIVIL_1252, POPULATION, ROBOTS, Faults, send

TIMEOUT_S = 2  # --timeout: the deadline of one attempt
RETRIES = 1  # --retries


@dataclass(frozen=True)
class Fault:
    """One fault served to the collector, and what must come of it (the capture of its page)."""

    name: str
    kind: str  # transport, content
    path: str  # on the fault server; on the robots-5xx server when ``host`` is "robots-5xx"
    http_status: int | None
    error_class: str | None
    parse_status: str
    reason: str  # in the capture's parse_message (alternatives separated by " | ")
    host: str = "faults"


COLLECTION_FAULTS = (
    # A host that refuses connections cannot give its robots.txt either: RFC 9309's "unreachable".
    Fault("connection refused", "transport", "http://127.0.0.1:9/", None, "robots_disallowed", "not_parsed",
          "its robots.txt could not be read (connection_error)", host="closed-port"),
    Fault("connection reset", "transport", "/reset", None, "connection_error", "not_parsed", "onnection"),
    Fault("connection reset mid-body", "transport", "/reset-en-cours", None, "connection_error", "not_parsed",
          "onnection"),
    Fault("HTTP 500", "transport", "/erreur-500", 500, None, "not_parsed", "HTTP 500: not parsed"),
    Fault("HTTP 503 with Retry-After, then 200", "transport", "/surcharge-503", 200, None, "ok", ""),
    Fault("HTTP 429, then 200", "transport", "/trop-vite-429", 200, None, "ok", ""),
    Fault("header drip", "transport", "/entetes-goutte", None, "timeout", "not_parsed",
          f"no complete response within the total deadline of {TIMEOUT_S} s: the status line and headers"),
    Fault("body drip past the deadline", "transport", "/goutte-a-goutte", None, "timeout", "not_parsed",
          "the body was not complete (slow drip)"),
    # The read timeout and the attempt's deadline are both 2 s: whichever fires first names it.
    Fault("no answer", "transport", "/muet", None, "timeout", "not_parsed",
          f"timed out | no complete response within the total deadline of {TIMEOUT_S} s"),
    Fault("oversized body", "transport", "/tres-enorme", None, "body_too_large", "not_parsed",
          "body exceeds 5000000 bytes"),
    Fault("gzip bomb", "transport", "/bombe", None, "body_too_large", "not_parsed", "compression bomb"),
    Fault("bad gzip", "transport", "/gzip-casse", None, "decode_error", "not_parsed", "cannot decode gzip body"),
    Fault("redirect loop", "transport", "/boucle/a", None, "redirect_loop", "not_parsed", "loop"),
    Fault("redirect to the cloud metadata address", "transport", "/vers-prive", None, "unsafe_url", "not_parsed",
          "non-public address 169.254.169.254"),
    Fault("redirect to a private network", "transport", "/vers-reseau-interne", None, "unsafe_url", "not_parsed",
          "non-public address 10.0.0.1"),
    Fault("robots.txt behind a redirect, page disallowed", "transport", "/interdit/horaires", None,
          "robots_disallowed", "not_parsed", "robots.txt disallows"),
    Fault("robots.txt answered 503", "transport", "/horaires", None, "robots_disallowed", "not_parsed",
          "its robots.txt could not be read (HTTP 503)", host="robots-5xx"),
    Fault("maintenance page answered 200", "content", "/maintenance", 200, None, "unavailable",
          "the page stands in for the site"),
    Fault("empty page", "content", "/vide", 200, None, "parse_error", "empty page: no HTML to read"),
    Fault("binary garbage as text/html", "content", "/binaire", 200, None, "no_data", "no opening hours found"),
    Fault("binary file (application/octet-stream)", "content", "/fichier", 200, None, "not_parsed",
          "is neither HTML nor JSON"),
    Fault("windows-1252 without a charset", "content", "/windows-1252", 200, None, "ok", ""),
    Fault("windows-1252 declared as UTF-8", "content", "/charset-menteur", 200, None, "ok", ""),
)  # fmt: skip

# Pages whose fault still gives the page's hours: (fault, the office read).
READ_DESPITE_THE_FAULT = {
    "HTTP 503 with Retry-After, then 200": "Service Population",
    "HTTP 429, then 200": "Service Population",
    "windows-1252 without a charset": "Service État civil",
    "windows-1252 declared as UTF-8": "Service État civil",
}

GARBAGE = hashlib.sha512(b"guichets").digest() * 64  # 4 KB of bytes that are no text in any charset


def extra_fault_routes(faults: Faults) -> None:
    """The faults tests/unit/test_collect_faults.py does not serve, on the same server."""

    @faults.route("/robots.txt")
    def robots_redirect(h):
        send(h, 301, b"", None, {"Location": "/regles/robots.txt"})  # RFC 9309: followed, and its rules apply

    @faults.route("/regles/robots.txt")
    def robots_rules(h):
        send(h, 200, ROBOTS, "text/plain")

    @faults.route("/entetes-goutte")
    def header_drip(h):
        # The status line, then one header byte every 0.2 s: the headers never end.
        h.close_connection = True
        h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Goutte: ")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            time.sleep(0.2)
            h.wfile.write(b"x")

    @faults.route("/muet")
    def silent(h):
        time.sleep(TIMEOUT_S + 1)  # not a byte before the attempt's deadline
        h.close_connection = True

    @faults.route("/tres-enorme")
    def oversized(h):
        # 6 MB announced and sent in 64 KB chunks: more than the CLI's 5 MB cap (test_collect_faults's
        # 300 KB page is oversized only for its smaller cap).
        h.close_connection = True
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(6_000_000))
        h.end_headers()
        for _ in range(6_000_000 // 65_536 + 1):
            h.wfile.write(b" " * 65_536)

    @faults.route("/gzip-casse")
    def bad_gzip(h):
        send(h, 200, b"\x1f\x8b\x08\x00" + GARBAGE[:500], "text/html", {"Content-Encoding": "gzip"})

    @faults.route("/vide")
    def empty(h):
        send(h, 200, b"", "text/html; charset=utf-8")

    @faults.route("/binaire")
    def garbage(h):
        send(h, 200, GARBAGE, "text/html")

    @faults.route("/fichier")
    def binary_file(h):
        send(h, 200, GARBAGE, "application/octet-stream")

    @faults.route("/charset-menteur")
    def lying_charset(h):
        send(h, 200, ETAT_CIVIL_1252, "text/html; charset=utf-8")


class Servers:
    """The fault server and a server whose robots.txt answers 503, each healthy or faulty."""

    def __init__(self) -> None:
        self.faults_server = LocalServer()
        faults = Faults(self.faults_server)
        faults.install()
        extra_fault_routes(faults)
        self.fault_routes = dict(self.faults_server.routes)
        self.robots_server = LocalServer()
        self.healthy()

    def healthy(self) -> None:
        """Every page answers its office's hours; robots.txt as in the faulty mode but readable."""

        def ok(h):
            send(h, 200, POPULATION, "text/html; charset=utf-8")

        self.faults_server.routes = {
            path: (self.fault_routes[path] if "robots" in path else ok) for path in self.fault_routes
        }
        self.robots_server.routes = {"/horaires": ok}  # robots.txt: 404, everything allowed

    def faulty(self) -> None:
        """Every page answers its fault."""
        self.faults_server.routes = dict(self.fault_routes)

        def busy(h):
            send(h, 503, b"<html>Service indisponible</html>", "text/html", {"Retry-After": "1"})

        self.robots_server.routes = {"/robots.txt": busy, "/horaires": self.robots_server.routes["/horaires"]}

    def url(self, fault: Fault) -> str:
        if fault.host == "closed-port":
            return fault.path
        server = self.robots_server if fault.host == "robots-5xx" else self.faults_server
        return f"{server.base}{fault.path}"

    def allowed(self) -> list[str]:
        args = []
        for server in (self.faults_server, self.robots_server):
            args += ["--allow-private", server.host_port]
        return [*args, "--allow-private", "127.0.0.1:9"]

    def close(self) -> None:
        self.faults_server.close()
        self.robots_server.close()


def source_id(fault: Fault) -> str:
    return "fault-" + "".join(c if c.isalnum() else "-" for c in fault.name.lower()).strip("-").replace("--", "-")


def registry(servers: Servers) -> dict:
    return {
        "registry": "fault-suite",
        "illustrative": True,
        "administrations": [
            {"id": "commune-x", "name_fr": "Commune X", "level": "commune", "region": "wallonia", "nis_code": 62063}
        ],
        "sources": [
            {"id": source_id(f), "administration": "commune-x", "kind": "opening_hours", "urls": [servers.url(f)],
             "language": "fr", "rate_limit_per_s": 10}
            for f in COLLECTION_FAULTS
        ],
    }  # fmt: skip


def collect(registry_file: Path, out: Path, servers: Servers, *extra: str) -> subprocess.CompletedProcess:
    return guichets_cli(
        "collect", "--registry", str(registry_file), "--data-dir", str(out), *servers.allowed(),
        "--timeout", str(TIMEOUT_S), "--retries", str(RETRIES), *extra, timeout=240,
    )  # fmt: skip


def snapshot(directory: Path) -> dict[str, str]:
    """Every file under ``directory`` and the sha256 of its bytes."""
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def captures(out: Path, sid: str) -> list[dict]:
    return [json.loads(p.read_text("utf-8")) for p in sorted((out / "collected" / sid).glob("*.json"))]


@dataclass
class Scenario:
    servers: Servers
    registry_file: Path
    out: Path
    before: dict[str, str]  # the healthy run's files
    proc: subprocess.CompletedProcess  # the faulty run
    seconds: float


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Scenario:
    tmp = tmp_path_factory.mktemp("fault-suite")
    servers = Servers()
    try:
        registry_file = tmp / "sources.yaml"
        registry_file.write_text(yaml.safe_dump(registry(servers), sort_keys=False), encoding="utf-8")
        out = tmp / "data"
        healthy = collect(registry_file, out, servers)
        assert healthy.returncode == 0, healthy.stdout + healthy.stderr
        before = snapshot(out)
        servers.faulty()
        started = time.monotonic()
        proc = collect(registry_file, out, servers)
        seconds = time.monotonic() - started
    finally:
        servers.close()
    return Scenario(servers, registry_file, out, before, proc, seconds)


def test_the_healthy_run_read_every_page_robots_allows(scenario):
    for fault in COLLECTION_FAULTS:
        (first, *_) = captures(scenario.out, source_id(fault))
        disallowed = fault.path.startswith("/interdit/") or fault.host == "closed-port"
        expected = "robots_disallowed" if disallowed else None
        assert first["capture"]["error_class"] == expected, fault.name


def test_the_faulty_run_completes_and_says_so_per_source(scenario):
    assert scenario.proc.returncode == 0, scenario.proc.stdout + scenario.proc.stderr
    assert "Traceback" not in scenario.proc.stderr
    for fault in COLLECTION_FAULTS:
        assert f"{source_id(fault):<40} captures=1" in scenario.proc.stdout, fault.name
    assert scenario.seconds < 90


@pytest.mark.parametrize("fault", COLLECTION_FAULTS, ids=lambda f: f.name)
def test_each_fault_is_held_as_its_documented_outcome(scenario, fault):
    first, last = captures(scenario.out, source_id(fault))
    cap = last["capture"]
    assert (cap["http_status"], cap["error_class"], cap["parse_status"]) == (
        fault.http_status,
        fault.error_class,
        fault.parse_status,
    ), cap
    assert any(r in (cap["parse_message"] or "") for r in fault.reason.split(" | ")), cap["parse_message"]
    if fault.name in READ_DESPITE_THE_FAULT:
        (schedule,) = last["schedules"]
        assert schedule["name"] == READ_DESPITE_THE_FAULT[fault.name]
        assert [s["day"] for s in schedule["slots"]] == ["mo", "tu", "we", "th", "fr"]
    else:
        assert last["schedules"] == [], "a faulty page is unknown, never a closure"
        assert cap["parse_message"], "a failed capture says why"
    assert cap["attempts"] and cap["attempts"][-1]["error_class"] == cap["error_class"]


def test_nothing_collected_before_the_faults_is_lost(scenario):
    after = snapshot(scenario.out)
    assert {p: after.get(p) for p in scenario.before} == scenario.before


# Bad input given to `guichets collect`: (name, how the registry text is changed or the arguments, message).
REFUSED_INPUTS = (
    ("registry: unknown field", ("  language: fr\n", "  language: fr\n  langage: fr\n"),
     "unknown field 'langage' (did you mean 'language'?"),
    ("registry: NIS code not a Belgian commune", ("nis_code: 62063", "nis_code: 12345"),
     "field 'nis_code' is 12345"),
    ("registry: duplicate source id", "duplicate", "duplicate id 'fault-connection-refused' (first on line"),
    ("argument: --allow-private without a port", ("--allow-private", "127.0.0.1"),
     "--allow-private '127.0.0.1' is not a HOST:PORT"),
    ("argument: --timeout 0", ("--timeout", "0"), "--timeout 0 is not a positive number of seconds"),
    ("argument: --source unknown", ("--source", "fault-nope"), "--source 'fault-nope' is not a source of"),
)  # fmt: skip


@pytest.mark.parametrize(("name", "change", "message"), REFUSED_INPUTS, ids=[r[0] for r in REFUSED_INPUTS])
def test_bad_input_is_refused_with_exit_2_and_changes_nothing(scenario, tmp_path, name, change, message):
    text = scenario.registry_file.read_text("utf-8")
    extra: tuple[str, ...] = ()
    if change == "duplicate":
        entries = yaml.safe_load(text)
        entries["sources"].append(dict(entries["sources"][0]))
        text = yaml.safe_dump(entries, sort_keys=False)
    elif name.startswith("registry"):
        assert change[0] in text
        text = text.replace(change[0], change[1], 1)
    else:
        extra = change
    bad = tmp_path / "sources.yaml"
    bad.write_text(text, encoding="utf-8")
    before = snapshot(scenario.out)
    proc = collect(bad, scenario.out, scenario.servers, *extra)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and message in last, proc.stderr
    assert "Traceback" not in proc.stderr
    assert snapshot(scenario.out) == before


def test_an_unwritable_data_directory_is_refused_and_loses_nothing(tmp_path):
    """Storage faults: the data directory turned read-only, then full, after a first collection."""
    servers = Servers()
    try:
        reg = {**registry(servers), "sources": registry(servers)["sources"][3:4]}  # one healthy page
        registry_file = tmp_path / "sources.yaml"
        registry_file.write_text(yaml.safe_dump(reg, sort_keys=False), encoding="utf-8")
        with tmpfs(tmp_path / "disk", "size=4m") as disk:
            first = collect(registry_file, disk / "data", servers)
            assert first.returncode == 0, first.stderr
            before = snapshot(disk)
            subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
            proc = collect(registry_file, disk / "data", servers)
            assert proc.returncode == 2 and "the file system is read-only" in proc.stderr.splitlines()[-1], proc.stderr
            assert snapshot(disk) == before
            subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
            fill(disk)
            before = snapshot(disk)
            proc = collect(registry_file, disk / "data", servers)
            assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
            assert "the disk is full" in proc.stderr.strip().splitlines()[-1], proc.stderr
            kept = {p: h for p, h in before.items() if p != "filler"}  # the filler is what fills the disk
            after = snapshot(disk)
            assert {p: after.get(p) for p in kept} == kept
    finally:
        servers.close()
