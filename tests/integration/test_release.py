"""Releases built from the dbt fixture warehouse: content, validation, reproducibility, refusals, CLI.

One warehouse is built with dbt per module (the fixture scenario of tests/helpers/dbt_fixture.py, with
the full procedure taxonomy so that the real release gate applies unchanged); variants of it
are copies whose raw data or marts are changed, each published into its own releases folder.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from expectations.published_schema import table_doc
from scrapers.procedures.taxonomy import load_taxonomy
from tests.helpers.dbt_fixture import create_raw_fixture
from tests.helpers.duckdb_cli import cli_query
from warehouse.release.layout import latest_release, list_releases, load_metadata, sha256, verify_release
from warehouse.release.publish import ReleaseRefused, audit_release, publish, publish_release, stage_release
from warehouse.settings import DEFAULT_RELEASE_BASE_URL, get_settings
from warehouse.transform import dbt_build

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FIRST = "sample-2023.02.01"  # the fixture's last successful capture
SECOND = "sample-2023.03.01"


def build_warehouse(data_dir: Path, change=None):
    """The fixture's raw schema (plus the taxonomy, as the loader writes it), optionally changed, then dbt."""
    settings = get_settings(data_dir)
    create_raw_fixture(settings.duckdb_path)
    with duckdb.connect(str(settings.duckdb_path)) as con:
        have = {r[0] for r in con.execute("SELECT procedure_key FROM raw.registry_procedures").fetchall()}
        con.executemany(
            "INSERT INTO raw.registry_procedures VALUES (?, ?, ?, ?, ?)",
            [(e.key, e.label_fr, e.label_nl, e.label_de, e.label_en) for e in load_taxonomy().entries
             if e.key not in have],
        )  # fmt: skip
        if change:
            change(con)
        warcs = [
            r[0]
            for r in con.execute("SELECT DISTINCT warc_file FROM raw.captures WHERE warc_file IS NOT NULL").fetchall()
        ]
    for rel in warcs:  # composed stand-ins for the evidence store's WARC files: the release copies them
        (settings.data_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings.data_dir / rel).write_bytes(f"composed stand-in for the WARC file {rel}\n".encode())
    dbt_build(settings)
    return settings


def copy_warehouse(settings, data_dir: Path, sql: str):
    """A copy of a built warehouse whose marts are edited by ``sql`` (no dbt: the gate sees it as is)."""
    target = get_settings(data_dir)
    target.duckdb_path.parent.mkdir(parents=True)
    shutil.copy(settings.duckdb_path, target.duckdb_path)
    with duckdb.connect(str(target.duckdb_path)) as con:
        con.execute(sql)
    return target


def tree(path: Path) -> dict[str, str]:
    """Every file and symlink under ``path``: content hash or link target (to prove nothing moved)."""
    out = {}
    for p in sorted(path.rglob("*")):
        rel = p.relative_to(path).as_posix()
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_file():
            out[rel] = sha256(p)
    return out


def cli(*args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUICHETS")}
    if data_dir is not None:
        env["GUICHETS_DATA_DIR"] = str(data_dir)
    cmd = [sys.executable, "-m", "warehouse.cli.release", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=300)


def later_capture(con) -> None:
    """A new capture of the CAPAC page on 2023-03-01 (Namur by appointment again) and a new registry counter."""
    old, new = "capac-offices@2022-06-01", "capac-offices@2023-03-01"
    con.execute(
        "INSERT INTO raw.captures SELECT * REPLACE (? AS capture_id, TIMESTAMP '2023-03-01 09:00:00' AS observed_at, "
        "TIMESTAMP '2023-03-01 09:00:02' AS fetched_at, sha256(?) AS record_sha256, 2 AS load_batch) "
        "FROM raw.captures WHERE capture_id = ?",
        [new, new, old],
    )
    con.execute(
        "INSERT INTO raw.schedules SELECT * REPLACE (? AS capture_id, TIMESTAMP '2023-03-01 09:00:00' AS observed_at) "
        "FROM raw.schedules WHERE capture_id = ?",
        [new, old],
    )
    con.execute(
        "INSERT INTO raw.schedule_slots SELECT * REPLACE (? AS capture_id) FROM raw.schedule_slots "
        "WHERE capture_id = ?",
        [new, old],
    )
    con.execute(
        "INSERT INTO raw.registry_counters (counter_id, source_id, name, address, nis_code) VALUES "
        "('capac-charleroi', 'capac-offices', 'CAPAC Charleroi', 'Boulevard Tirou 1, 6000 Charleroi', 52011)"
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("w1"))


@pytest.fixture(scope="module")
def first(warehouse, tmp_path_factory):
    """The first release of the fixture warehouse, in a releases folder of its own."""
    releases = tmp_path_factory.mktemp("a") / "releases"
    return publish(warehouse.duckdb_path, releases)


@pytest.fixture(scope="module")
def second(warehouse, first, tmp_path_factory):
    """A second release after new raw data, on top of a copy of the first release's folder."""
    changed = build_warehouse(tmp_path_factory.mktemp("w3"), later_capture)
    data = tmp_path_factory.mktemp("a2")
    shutil.copytree(first.path.parent, data / "releases", symlinks=True)
    return publish(changed.duckdb_path, data / "releases")


def test_release_holds_every_content_file(first):
    r = first.path
    assert first.version == FIRST and first.created
    for name in ("README.md", "LICENSE", "CHANGELOG.md", "CITATION.cff", ".zenodo.json", "metadata.json",
                 "datapackage.json", "dcat.jsonld", "SHA256SUMS", "guichets.duckdb", "validation/index.html",
                 "validation/results.json", "indicators.md"):  # fmt: skip
        assert (r / name).is_file(), name
    meta = load_metadata(r)
    tables = {t["table"] for t in meta["tables"]}
    assert {"marts.dim_counter", "marts.fct_counter_events", "delta.counter_changes", "delta.counter_ids"} <= tables
    for t in meta["tables"]:
        assert (r / t["path"]).is_file() and (r / t["csv"]).is_file()
        assert t["path"].endswith(".parquet") and sha256(r / t["path"]) == t["sha256"]
    with duckdb.connect() as con:
        codec = con.execute(
            f"SELECT DISTINCT compression FROM parquet_metadata('{r}/data/fct_counter_events.parquet')"
        ).fetchall()
    assert codec == [("ZSTD",)]
    assert (r.parent / "latest").resolve() == r


def test_everything_says_it_is_illustrative(first):
    r = first.path
    assert "ILLUSTRATIVE SAMPLE DATA" in (r / "README.md").read_text().split("\n\n")[1]  # the banner, at the top
    meta = load_metadata(r)
    assert meta["illustrative"] is True and "ILLUSTRATIVE" in meta["notice"] and meta["title"].startswith("ILLUS")
    assert yaml.safe_load((r / "CITATION.cff").read_text())["title"].startswith("ILLUSTRATIVE SAMPLE")
    assert "ILLUSTRATIVE SAMPLE DATA" in json.loads((r / ".zenodo.json").read_text())["description"]
    assert "ILLUSTRATIVE SAMPLE DATA" in (r / "LICENSE").read_text()
    dcat = json.loads((r / "dcat.jsonld").read_text())
    descriptions = {d["@language"]: d["@value"] for d in dcat["dct:description"]}
    assert "ILLUSTRATIVE" in descriptions["en"] and "ILLUSTRATIV" in descriptions["fr"] + descriptions["nl"]
    with duckdb.connect() as con:
        kv = con.execute(f"SELECT value FROM parquet_kv_metadata('{r}/data/dim_counter.parquet')").fetchall()
    assert kv == [(b"true",)]


def test_dcat_describes_the_dataset_and_every_file(first):
    r = first.path
    dcat = json.loads((r / "dcat.jsonld").read_text())
    meta = load_metadata(r)
    assert dcat["@type"] == "dcat:Dataset"
    assert {t["@language"] for t in dcat["dct:title"]} == {"fr", "nl", "en"}
    assert dcat["dct:license"]["@id"] == "http://creativecommons.org/licenses/by/4.0/"
    assert dcat["dct:issued"] == {"@value": meta["data_as_of"], "@type": "xsd:date"}
    assert dcat["dct:publisher"]["foaf:name"]
    landing = f"{DEFAULT_RELEASE_BASE_URL}{FIRST}/"  # absolute, under the configured base URL
    assert dcat["@id"] == landing and dcat["dcat:landingPage"] == {"@id": landing}
    assert dcat["dcat:contactPoint"]["vcard:fn"] and dcat["dcat:contactPoint"]["vcard:hasURL"]["@id"].startswith(
        "https"
    )
    assert dcat["dct:accrualPeriodicity"]["@id"].endswith("/frequency/IRREG")
    assert {k["@language"] for k in dcat["dcat:keyword"]} == {"fr", "nl", "en"}
    assert {"guichets", "loketten"} <= {k["@value"] for k in dcat["dcat:keyword"]}
    urls = {d["dcat:downloadURL"]["@id"].removeprefix(landing): d for d in dcat["dcat:distribution"]}
    for t in meta["tables"]:
        assert t["path"] in urls and t["csv"] in urls
    assert "guichets.duckdb" in urls and "datapackage.json" in urls and "WARC_SHA256SUMS" in urls
    for url, d in urls.items():
        assert not url.startswith(("/", "http")) and (r / url).is_file(), url  # under the landing page, and there
        assert d["dcat:mediaType"]["@id"].startswith("https://www.iana.org/assignments/media-types/")
        if url != "SHA256SUMS":
            assert d["spdx:checksum"]["spdx:checksumValue"] == sha256(r / url)
    assert urls["data/dim_counter.parquet"]["dcat:mediaType"]["@id"].endswith("application/vnd.apache.parquet")


def test_dcat_is_rdf_with_the_dcat_ap_mandatory_properties(first):
    # Read as RDF (rdflib's JSON-LD parser; the context is inline, nothing is fetched): the graph,
    # not the JSON, must carry DCAT-AP. Its IRIs are absolute, under the release's landing page.
    from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCAT, DCTERMS

    spdx = Namespace("http://spdx.org/rdf/terms#")
    r = first.path
    base = f"{DEFAULT_RELEASE_BASE_URL}{FIRST}/"
    g = Graph().parse(data=(r / "dcat.jsonld").read_text(encoding="utf-8"), format="json-ld")
    [dataset] = list(g.subjects(RDF.type, DCAT.Dataset))
    assert dataset == URIRef(base)
    # DCAT-AP 3: a Dataset has dct:title and dct:description (mandatory); we give them in fr, nl, en
    for prop in (DCTERMS.title, DCTERMS.description):
        assert {o.language for o in g.objects(dataset, prop)} == {"fr", "nl", "en"}, prop
    for prop in (
        DCAT.contactPoint,
        DCAT.landingPage,
        DCTERMS.accrualPeriodicity,
        DCAT.distribution,
        DCAT.keyword,
        DCTERMS.publisher,
        DCTERMS.spatial,
        DCTERMS.temporal,
        DCAT.theme,
        DCTERMS.issued,
        DCTERMS.license,
    ):  # recommended ones
        assert g.value(dataset, prop) is not None, prop  # fmt: skip
    issued = g.value(dataset, DCTERMS.issued)
    assert isinstance(issued, Literal) and issued.datatype == XSD.date and isinstance(issued.toPython(), date)
    distributions = list(g.objects(dataset, DCAT.distribution))
    assert len(distributions) == len(json.loads((r / "dcat.jsonld").read_text())["dcat:distribution"])
    for dist in distributions:
        assert (dist, RDF.type, DCAT.Distribution) in g
        url = g.value(dist, DCAT.accessURL)  # mandatory for a Distribution
        assert isinstance(url, URIRef) and url.startswith(base), url
        path = r / url.removeprefix(base)
        assert path.is_file(), url
        if path.name != "SHA256SUMS":
            assert int(g.value(dist, DCAT.byteSize)) == path.stat().st_size
            checksum = g.value(dist, spdx.checksum)
            assert str(g.value(checksum, spdx.checksumValue)) == sha256(path)


def test_readme_dictionary_and_duckdb_comments_come_from_the_dbt_docs(first):
    r = first.path
    readme = (r / "README.md").read_text()
    meta = load_metadata(r)
    for t in meta["tables"]:
        doc = table_doc(t["table"])
        assert f"### {t['table']}" in readme
        assert [c["name"] for c in t["columns"]] == list(doc.columns)  # every documented column, in order
        for column in doc.columns:
            assert f"| `{column}` |" in readme, (t["table"], column)
    assert "DuckDB 1.0.0 or later" in readme
    data = (r / "guichets.duckdb").read_bytes()
    assert data[8:12] == b"DUCK" and int.from_bytes(data[12:20], "little") == 64  # the storage DuckDB 1.0 reads
    with duckdb.connect(str(r / "guichets.duckdb"), read_only=True) as con:
        comment = con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'dim_counter'").fetchone()[0]
        col = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE table_name = 'dim_counter' AND column_name = 'current_state'"
        ).fetchone()[0]
        assert con.execute("SELECT count(*) FROM delta.counter_ids").fetchone()[0] == 4
    assert comment == table_doc("marts.dim_counter").description
    assert col == table_doc("marts.dim_counter").columns["current_state"]


def test_the_warehouse_has_the_release_schema_names_and_comments(warehouse, first):
    """One layout: the same schema.table names, and the same comments (dbt persist_docs), in both files."""

    def layout(path: Path) -> dict:
        with duckdb.connect(str(path), read_only=True) as con:  # a mart may be a view in the warehouse
            return {
                (s, t): c
                for s, t, c in con.execute(
                    "SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE schema_name = 'marts' "
                    "UNION ALL SELECT schema_name, view_name, comment FROM duckdb_views() WHERE schema_name = 'marts'"
                ).fetchall()
            }

    in_warehouse, in_release = layout(warehouse.duckdb_path), layout(first.path / "guichets.duckdb")
    assert in_release and set(in_release) <= set(in_warehouse)
    # The same text (YAML's folded descriptions end in a newline in dbt's comments).
    assert {k: (in_warehouse[k] or "").strip() for k in in_release} == {k: v.strip() for k, v in in_release.items()}
    with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as con:
        col = con.execute(
            "SELECT comment FROM duckdb_columns() "
            "WHERE schema_name = 'marts' AND table_name = 'captures' AND column_name = 'replay_url'"
        ).fetchone()[0]
    assert col.strip() == table_doc("marts.captures").columns["replay_url"].strip()


def test_the_release_file_opens_with_the_registry_duckdb_cli(first):
    sql = (
        "SELECT (SELECT count(*) FROM marts.captures) AS captures, (SELECT comment FROM duckdb_tables() "
        "WHERE schema_name = 'marts' AND table_name = 'dim_counter') AS comment"
    )
    [row] = cli_query(first.path / "guichets.duckdb", sql)
    assert row["captures"] == load_metadata(first.path)["reproducibility"]["inputs"]["captures"] > 0
    assert row["comment"] == table_doc("marts.dim_counter").description


def test_guichets_query_reads_a_release_by_version_latest_or_path(first, tmp_path):
    """`guichets query --release` opens a release's DuckDB file read-only, with the warehouse's schema names."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUICHETS")}
    data_dir = first.path.parent.parent
    sql = "select count(*) as n from marts.dim_counter"
    copy = tmp_path / "downloaded"
    shutil.copytree(first.path, copy)
    for ref in (FIRST, "latest", str(copy)):
        proc = subprocess.run(
            [str(BIN / "guichets"), "query", "--data-dir", str(data_dir), "--release", ref, "--json", sql],
            capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout) == [{"n": first.tables["dim_counter"]}]
    write = subprocess.run(
        [str(BIN / "guichets"), "query", "--data-dir", str(data_dir), "--release", str(copy),
         "create table marts.x as select 1"],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
    )  # fmt: skip
    assert write.returncode == 1 and "read-only" in write.stderr.lower()
    unknown = subprocess.run(
        [str(BIN / "guichets"), "query", "--data-dir", str(data_dir), "--release", "1999.01.01", sql],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
    )  # fmt: skip
    assert unknown.returncode == 2 and "no release '1999.01.01'" in unknown.stderr


def test_frictionless_validates_the_data_package(first):
    import frictionless

    report = frictionless.validate(str(first.path / "datapackage.json"))
    assert report.valid, report.flatten(["taskNumber", "rowNumber", "fieldName", "type", "note"])[:10]
    package = json.loads((first.path / "datapackage.json").read_text())
    tabular = [r for r in package["resources"] if r.get("profile") == "tabular-data-resource"]
    assert len(tabular) == len(load_metadata(first.path)["tables"])
    events = next(r for r in tabular if r["name"] == "fct_counter_events")
    assert events["schema"]["primaryKey"] == ["event_id"]
    assert {"fields": "counter_id", "reference": {"resource": "dim_counter", "fields": "counter_id"}} in events[
        "schema"
    ]["foreignKeys"]
    types = {f["name"]: f["type"] for f in events["schema"]["fields"]}
    assert types["event_at"] == "datetime" and types["event_date"] == "date" and types["delta_minutes"] == "integer"
    proc = subprocess.run(
        [str(BIN / "frictionless"), "validate", "datapackage.json"], cwd=first.path, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_checksums_verify_and_tampering_is_named(first, tmp_path):
    assert verify_release(first.path) == []
    proc = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=first.path, capture_output=True)
    assert proc.returncode == 0
    copy = tmp_path / first.version
    shutil.copytree(first.path, copy)
    with (copy / "data" / "dim_counter.csv").open("a") as fh:
        fh.write("x\n")
    problems = verify_release(copy)
    assert any("data/dim_counter.csv: SHA-256 does not match SHA256SUMS" in p for p in problems), problems
    proc = cli("verify", str(copy))
    assert proc.returncode == 1 and "data/dim_counter.csv" in proc.stderr


def test_two_builds_from_the_same_inputs_are_byte_identical(first, tmp_path):
    """A second warehouse built from the same raw data, published elsewhere: every file is the same."""
    again = build_warehouse(tmp_path / "w2")
    release = publish(again.duckdb_path, tmp_path / "releases")
    assert release.version == first.version
    assert (release.path / "SHA256SUMS").read_text() == (first.path / "SHA256SUMS").read_text()
    reproducible = [ln for ln in (first.path / "SHA256SUMS").read_text().splitlines() if ".parquet" in ln]
    assert len(reproducible) == 23 and "guichets.duckdb" in (first.path / "SHA256SUMS").read_text()


def test_no_wall_clock_value_in_the_release(first):
    today = date.today()
    stamps = (f"{today:%Y-%m-%d}".encode(), f"{today:%Y%m%d}T".encode())  # the fixture's data ends in 2023
    for path in first.path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(s in data for s in stamps), path
    assert json.loads((first.path / ".zenodo.json").read_text())["publication_date"] == "2023-02-01"


def test_publishing_the_same_data_again_is_a_no_op(warehouse, first):
    before = tree(first.path.parent)
    again = publish(warehouse.duckdb_path, first.path.parent)
    assert again.version == first.version and not again.created
    assert tree(first.path.parent) == before


def test_second_release_has_a_changelog_and_deltas(first, second):
    r = second.path
    assert second.version == SECOND and [x.version for x in list_releases(r.parent)] == [FIRST, SECOND]
    assert latest_release(r.parent).version == SECOND
    meta = load_metadata(r)
    assert meta["previous_release"] == FIRST
    log = (r / "CHANGELOG.md").read_text()
    assert f"# Changes in {SECOND} (since {FIRST})" in log
    assert "- `capac-charleroi` CAPAC Charleroi" in log.split("## Counters added (1)")[1]
    assert "- `capac-namur`: open → appointment_only (since 2023-03-01)" in log
    assert "- 2023-03-01 `capac-namur` became_appointment_only (open → appointment_only)" in log
    assert "## New procedure events (0)" in log
    assert "| marts.dim_counter | 4 | 5 | +1 |" in log
    with duckdb.connect() as con:
        changes = con.execute(
            f"SELECT change, counter_id, event_type FROM '{r}/delta/counter_changes.parquet' ORDER BY ALL"
        ).fetchall()
        ids = con.execute(f"SELECT change, counter_id FROM '{r}/delta/counter_ids.parquet'").fetchall()
    assert ("downgraded", "capac-namur", "became_appointment_only") in changes
    assert all(c[1] == "capac-namur" for c in changes)  # only what is new since the first release
    assert ids == [("created", "capac-charleroi")]
    assert (first.path / "SHA256SUMS").read_text() == (r.parent / FIRST / "SHA256SUMS").read_text()
    assert verify_release(r) == []


def test_each_staging_has_a_folder_of_its_own_and_a_failed_write_leaves_none(warehouse, tmp_path):
    """Two runs staging the same version at once (both DAGs of a deployment) never write into one
    folder; a write that fails removes its own folder and nothing else."""
    releases = tmp_path / "releases"
    a = stage_release(warehouse.duckdb_path, releases)
    b = stage_release(warehouse.duckdb_path, releases)
    assert a.version == b.version == FIRST and a.path != b.path
    assert (a.path / "metadata.json").is_file() and (b.path / "metadata.json").is_file()
    bad = copy_warehouse(warehouse, tmp_path / "bad", "DROP TABLE marts.fct_counter_history")
    with pytest.raises(RuntimeError, match="published tables missing"):
        stage_release(bad.duckdb_path, releases)
    # (each staging's record of its files' digests sits beside it, for the audit)
    staged = [a.path.name, b.path.name]
    assert sorted(p.name for p in releases.iterdir()) == sorted([*staged, *(f"{n}.sha256.json" for n in staged)])


def rewrite_keeping_size_and_time(path: Path, body: bytes) -> None:
    """Write ``body`` (as long as the file) over ``path`` and set its modification time back: only the
    change time (and the bytes) say the file was rewritten."""
    st = path.stat()
    assert len(body) == st.st_size
    path.write_bytes(body)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)


def test_a_file_changed_after_the_audit_is_not_published_even_with_its_size_and_time_kept(warehouse, tmp_path):
    """Publish trusts the digests the audit read only for files left as they were: one rewritten
    with the same size and its modification time set back is read again, and refused."""
    releases = tmp_path / "releases"
    staged = stage_release(warehouse.duckdb_path, releases)
    audit_release(staged)
    record = releases / f"{staged.path.name}.sha256.json"
    assert record.is_file()
    parquet = staged.path / "data" / "dim_counter.parquet"
    body = bytearray(parquet.read_bytes())
    body[len(body) // 2] ^= 0xFF
    rewrite_keeping_size_and_time(parquet, bytes(body))
    with pytest.raises(RuntimeError, match=r"files changed after the audit: \['data/dim_counter.parquet'\]"):
        publish_release(staged)
    assert list_releases(releases) == []
    body[len(body) // 2] ^= 0xFF  # put back as audited: published, and the record goes
    parquet.write_bytes(bytes(body))
    release = publish_release(staged)
    assert release.version == FIRST and not record.exists()
    assert verify_release(release.path) == []


def test_a_file_changed_after_the_stage_is_refused_by_the_audit_even_with_its_size_and_time_kept(warehouse, tmp_path):
    """The audit trusts the digests the stage computed only for files left as they were: a CSV
    rewritten with the same size and its modification time set back is read again, and refused."""
    releases = tmp_path / "releases"
    staged = stage_release(warehouse.duckdb_path, releases)
    record = releases / f"{staged.path.name}.sha256.json"
    assert "data/dim_counter.csv" in record.read_text("utf-8")
    path = staged.path / "data" / "dim_counter.csv"
    body = path.read_bytes()
    i = body.index(b"capac")
    rewrite_keeping_size_and_time(path, body[:i] + b"k" + body[i + 1 :])  # "kapac"
    with pytest.raises(ReleaseRefused, match="dim_counter.csv: SHA-256 does not match the hash in datapackage.json"):
        audit_release(staged)
    assert list_releases(releases) == [] and not record.exists()


def test_a_corrupted_mart_is_refused_and_the_previous_release_stays_intact(warehouse, first, tmp_path):
    releases = tmp_path / "releases"
    shutil.copytree(first.path.parent, releases, symlinks=True)
    before = tree(releases)
    bad = copy_warehouse(
        warehouse,
        tmp_path / "bad",
        "UPDATE marts.fct_counter_history SET weekly_walk_in_minutes = 20000 WHERE counter_id = 'capac-liege'",
    )
    with pytest.raises(ReleaseRefused) as err:
        publish(bad.duckdb_path, releases)
    msg = str(err.value)
    assert f"release {FIRST}-2 refused: nothing was published and the latest release stays {FIRST}" in msg
    assert "marts.fct_counter_history.weekly_walk_in_minutes: expect_column_values_to_be_between failed" in msg
    assert "sample offending values: [20000, 20000]" in msg
    # the range, and walk-in minutes above the week's total (column_orders): both on that table only
    assert {(f.table, f.column) for f in err.value.report.failures} == {
        ("marts.fct_counter_history", "weekly_walk_in_minutes"),
        ("marts.fct_counter_history", "weekly_total_minutes"),
    }
    # Nothing published: the previous release and latest are byte for byte what they were.
    after = tree(releases)
    assert {k: v for k, v in after.items() if not k.startswith(".refused-")} == before
    assert (err.value.refused_dir / "validation" / "index.html").is_file()
    assert [r.version for r in list_releases(releases)] == [FIRST]
    assert "20000" in (err.value.refused_dir / "validation" / "results.json").read_text()
    # The offline summary of the refused release names the failed expectations and their table.
    page = (err.value.refused_dir / "validation" / "summary.html").read_text()
    assert "Expectations not passed" in page and "<code>marts.fct_counter_history</code>" in page


def test_the_validation_summary_opens_offline(first):
    """validation/summary.html: every table's expectations, no script and nothing fetched from the web."""
    import re

    page = (first.path / "validation" / "summary.html").read_text()
    results = json.loads((first.path / "validation" / "results.json").read_text())
    assert f"{results['evaluated']} expectations" in page and "Every expectation passed." in page
    for table in {e["table"] for e in results["expectations"]}:
        assert f"<code>{table}</code>" in page
    assert not re.search(r"(?i)https?:|//[a-z0-9]|<script|<link|<img|src=|@import|url\(", page)
    meta = load_metadata(first.path)
    assert meta["validation"]["summary_page"] == "validation/summary.html"
    assert "validation/summary.html" in (first.path / "SHA256SUMS").read_text()


def test_a_wrong_column_type_is_refused_naming_the_column(warehouse, first, tmp_path):
    releases = tmp_path / "releases"
    shutil.copytree(first.path.parent, releases, symlinks=True)
    bad = copy_warehouse(
        warehouse, tmp_path / "bad", "ALTER TABLE marts.dim_counter ALTER observation_count TYPE VARCHAR"
    )
    with pytest.raises(ReleaseRefused) as err:
        publish(bad.duckdb_path, releases)
    assert "marts.dim_counter.observation_count: column type failed: type VARCHAR, expected BIGINT" in str(err.value)


def test_drops_need_a_recorded_override_and_retired_ids_never_come_back(warehouse, first, tmp_path):
    releases = tmp_path / "releases"
    shutil.copytree(first.path.parent, releases, symlinks=True)
    # fct_counter_states_monthly is a view of intermediate.int_counter_months
    tables = (
        "marts.dim_counter",
        "marts.fct_counter_history",
        "marts.fct_counter_events",
        "marts.fct_counter_calendar",
        "intermediate.int_counter_months",
    )
    retired = copy_warehouse(
        warehouse,
        tmp_path / "retired",
        ";".join(f"DELETE FROM {t} WHERE counter_id = 'capac-mons'" for t in tables),
    )
    with pytest.raises(ReleaseRefused) as err:
        publish(retired.duckdb_path, releases)
    version = err.value.version
    checks = sorted(f.check for f in err.value.report.failures)
    checks_expected = ["dim_counter", "fct_counter_calendar", "fct_counter_states_monthly"]
    assert checks == [f"row_count_drop.{t}" for t in checks_expected]
    assert "marts.dim_counter: expect_table_row_count_to_be_between [row_count_drop.dim_counter] failed" in str(
        err.value
    )

    overrides = tmp_path / "release_overrides.yaml"
    overrides.write_text(
        yaml.safe_dump(
            {
                "overrides": [
                    {
                        "check": c,
                        "version": version,
                        "reason": "CAPAC Mons left the registry (merged)",
                        "who": "A. Test",
                    }
                    for c in checks
                ]
                + [{"check": "active_counters_drop", "version": "2099.01.01", "reason": "other", "who": "B"}]
            }
        )
    )
    release = publish(retired.duckdb_path, releases, overrides)
    assert release.created and release.version == version
    validation = load_metadata(release.path)["validation"]
    assert sorted(w["check"] for w in validation["waived"]) == checks
    assert [o["who"] for o in validation["overrides"]] == ["A. Test"] * len(checks_expected)  # only this version's
    assert "waived by A. Test: CAPAC Mons left the registry (merged)" in (release.path / "README.md").read_text()
    with duckdb.connect() as con:
        ids = con.execute(f"SELECT change, counter_id, last_release FROM '{release.path}/delta/counter_ids.parquet'")
        assert ids.fetchall() == [("retired", "capac-mons", FIRST)]

    # The counter comes back in a later release (with other changes): a retired ID is never reused.
    back = copy_warehouse(
        warehouse,
        tmp_path / "back",
        "UPDATE marts.dim_administration SET administration_name_fr = 'CAPAC' WHERE administration_id = 'capac'",
    )
    with pytest.raises(ReleaseRefused) as err:
        publish(back.duckdb_path, releases, overrides)
    assert [f.check for f in err.value.report.failures] == ["counter_id_reused"]
    assert "marts.dim_counter.counter_id: expect_column_values_to_not_be_in_set [counter_id_reused]" in str(err.value)
    assert "['capac-mons']" in str(err.value)


def test_release_cli(first, second):
    data = second.path.parent.parent
    listed = cli("list", data_dir=data)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[1].startswith(FIRST) and "yes" in lines[1] and "latest" not in lines[1]
    assert lines[2].startswith(SECOND) and lines[2].endswith("<- latest")
    shown = cli("show", SECOND, data_dir=data)
    assert shown.returncode == 0, shown.stderr
    assert "ILLUSTRATIVE SAMPLE DATA" in shown.stdout and f"previous:     {FIRST}" in shown.stdout
    assert "checksums:    " in shown.stdout and ", 0 mismatch, 0 missing" in shown.stdout
    diff = cli("diff", FIRST, SECOND, data_dir=data)
    assert diff.returncode == 0, diff.stderr
    assert (
        "| marts.dim_counter | 4 | 5 | +1 |" in diff.stdout and "`capac-namur`: open → appointment_only" in diff.stdout
    )
    assert diff.stdout.strip() == (second.path / "CHANGELOG.md").read_text().strip()  # banner included
    verified = cli("verify", str(second.path))
    assert verified.returncode == 0 and "OK" in verified.stdout, verified.stderr
    assert cli("show", "9999.01.01", data_dir=data).returncode == 2
    assert cli("verify", str(data / "nowhere")).returncode == 2
    assert cli("diff", FIRST, data_dir=data).returncode == 2


def _capture_id_columns(path: Path) -> list[str]:
    with duckdb.connect() as con:
        return [
            r[0] for r in con.execute(f"DESCRIBE SELECT * FROM '{path}'").fetchall() if r[0].endswith("_capture_id")
        ]


def test_every_capture_id_of_every_table_resolves_in_captures(first, second):
    """Generic, by column name: every *_capture_id column of every published table, in every format."""
    for release in (first, second):
        r = release.path
        captures = r / "data" / "captures.parquet"
        checked = []
        with duckdb.connect() as con:
            ids = {row[0] for row in con.execute(f"SELECT capture_id FROM '{captures}'").fetchall()}
            for path in sorted(r.glob("*/*.parquet")):
                for column in _capture_id_columns(path):
                    values = {v for (v,) in con.execute(f"SELECT DISTINCT \"{column}\" FROM '{path}'").fetchall()}
                    assert values - {None} <= ids, (path.name, column, sorted(values - {None} - ids)[:5])
                    checked.append(f"{path.stem}.{column}")
        assert len(checked) >= 12 and "fct_counter_events.after_capture_id" in checked
        assert "counter_changes.after_capture_id" in checked  # the delta tables too
        with duckdb.connect(str(r / "guichets.duckdb"), read_only=True) as con:  # the DuckDB file has it
            assert con.execute("SELECT count(*) FROM marts.captures").fetchone()[0] == len(ids)
        with (r / "data" / "captures.csv").open(encoding="utf-8-sig") as fh:
            assert sum(1 for _ in fh) == len(ids) + 1
        package = json.loads((r / "datapackage.json").read_text())
        keys = {x["name"]: x.get("schema", {}).get("foreignKeys", []) for x in package["resources"]}
        # An event's evidence is its history rows' capture, and that one is a capture of `captures`.
        to_history = {"resource": "fct_counter_history", "fields": "first_capture_id"}
        assert {"fields": "after_capture_id", "reference": to_history} in keys["fct_counter_events"]
        to_captures = {"resource": "captures", "fields": "capture_id"}
        assert {"fields": "first_capture_id", "reference": to_captures} in keys["fct_counter_history"]


def test_captures_carry_their_evidence(first):
    r = first.path
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT capture_id, capture_origin, archive, page_url, observed_at, replay_url, warc_file, "
            f"warc_record_id, content_sha256, capture_outcome FROM '{r}/data/captures.parquet'"
        ).fetchall()
    assert len(rows) == 19  # every capture of the fixture, failed ones included
    outcomes = {row[0]: row[9] for row in rows}
    assert outcomes["capac-offices@2021-09-01"] == "http_error" and outcomes["ixelles-population@2023-02-15"] == (
        "fetch_error"
    )
    for cid, origin, archive, page_url, observed_at, replay_url, *_ in rows:
        # Wayback's replay of the capture, for web-archive captures only (the fixture's URLs need no escaping)
        wayback = origin == "web_archive" and archive == "wayback"
        expected = f"https://web.archive.org/web/{observed_at:%Y%m%d%H%M%S}/{page_url}" if wayback else None
        assert replay_url == expected, cid
    ixelles = next(row for row in rows if row[0] == "ixelles-population@2021-01-15")
    assert ixelles[5] == "https://web.archive.org/web/20210115100000/https://www.ixelles.be/site/population-horaires"
    capac = next(row for row in rows if row[0] == "capac-offices@2021-03-01")
    assert capac[5] is None and capac[6] == "capac-offices.warc.gz" and capac[7].startswith("<urn:uuid:")
    assert capac[8] == "sha256-capac-offices@2021-03-01"


def test_the_warc_files_are_published_beside_the_release(first):
    r = first.path
    store = r.parent / "warc"
    sums = (r / "WARC_SHA256SUMS").read_text()
    assert [ln.split("  ")[1] for ln in sums.splitlines()] == ["capac-offices.warc.gz", "ixelles-population.warc.gz"]
    proc = subprocess.run(["sha256sum", "-c", f"../{FIRST}/WARC_SHA256SUMS"], cwd=store, capture_output=True)
    assert proc.returncode == 0, proc.stdout
    warc = load_metadata(r)["warc"]
    assert warc["files"] == 2 and warc["missing"] == 0 and warc["store"] == "../warc/"
    assert (r / warc["missing_list"]).read_text() == ""  # every cited file is in the store
    assert "WARC_SHA256SUMS" in (r / "SHA256SUMS").read_text()  # pinned by the release's own checksums
    assert [x.version for x in list_releases(r.parent)] == [FIRST]  # the store is no release


def test_metadata_says_how_to_reproduce_the_release(first):
    from warehouse.transform import dbt_vars

    meta = load_metadata(first.path)
    repro = meta["reproducibility"]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True)
    assert repro["code_commit"] == (head.stdout.strip() if head.returncode == 0 else "unknown")
    assert repro["dbt_vars"] == dbt_vars() and repro["dbt_vars"]["closure_confirmations"] == 2
    # the fixture's warehouse was not written by the loader: it records no registry file, and says so
    assert repro["registry_sha256"] == {"registry": "unknown", "taxonomy": "unknown"}
    inputs = repro["inputs"]
    with duckdb.connect() as con:
        pairs = con.execute(
            f"SELECT capture_id, record_sha256 FROM '{first.path / inputs['path']}' ORDER BY capture_id"
        ).fetchall()
    lines = "".join(f"{cid} {digest}\n" for cid, digest in pairs)
    assert inputs["captures"] == len(pairs) == 19
    assert inputs["sha256"] == hashlib.sha256(lines.encode()).hexdigest()
    cff = yaml.safe_load((first.path / "CITATION.cff").read_text())
    assert cff["url"] == f"{DEFAULT_RELEASE_BASE_URL}{FIRST}/" and cff["repository"] == DEFAULT_RELEASE_BASE_URL
    assert meta["landing_page"] == cff["url"]


def test_the_base_url_is_configurable(first):
    from warehouse.release import metadata as rm

    meta = {**load_metadata(first.path), "base_url": "https://data.example.org/guichets"}
    dcat = rm.dcat(meta, first.path, ["README.md"])
    assert dcat["@id"] == f"https://data.example.org/guichets/{FIRST}/"
    assert (
        dcat["dcat:distribution"][0]["dcat:downloadURL"]["@id"]
        == f"https://data.example.org/guichets/{FIRST}/README.md"
    )
    assert yaml.safe_load(rm.citation_cff(meta))["url"] == f"https://data.example.org/guichets/{FIRST}/"


def test_verify_checks_the_version_in_metadata_not_the_folder_name(first, tmp_path):
    renamed = tmp_path / "my-copy"
    shutil.copytree(first.path, renamed)
    assert verify_release(renamed) == []
    proc = cli("verify", str(renamed))
    assert proc.returncode == 0 and f"OK, release {FIRST}" in proc.stdout, proc.stderr
    shown = cli("show", str(renamed))
    assert shown.returncode == 0 and f"release:      {FIRST}" in shown.stdout
    assert "no WARC store beside this copy" in shown.stdout

    # By version and as latest, from the data directory: the same release.
    data = first.path.parent.parent
    for ref in (FIRST, "latest"):
        proc = cli("verify", ref, data_dir=data)
        assert proc.returncode == 0 and f"OK, release {FIRST}" in proc.stdout, proc.stderr
    # A copy whose metadata was edited to claim another version, checksums recomputed to match:
    # the other files still name the real version.
    tampered = tmp_path / "tampered"
    shutil.copytree(first.path, tampered)
    meta = load_metadata(tampered)
    meta["version"] = "sample-2023.03.01"
    (tampered / "metadata.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    from warehouse.release.layout import write_checksums

    write_checksums(tampered)
    problems = verify_release(tampered)
    assert any("datapackage.json: version 'sample-2023.02.01' but metadata.json says" in p for p in problems), problems
    proc = cli("verify", str(tampered))
    assert proc.returncode == 1 and "CITATION.cff" in proc.stderr
    # A release folder of the releases directory must hold the version it is named after.
    releases = tmp_path / "releases"
    releases.mkdir()
    shutil.copytree(first.path, releases / "sample-2023.03.01")
    proc = cli("verify", "sample-2023.03.01", data_dir=tmp_path)
    assert proc.returncode == 1 and f"the release is version '{FIRST}', not 'sample-2023.03.01'" in proc.stderr


def test_a_tampered_warc_file_fails_verification(first, tmp_path):
    releases = tmp_path / "releases"
    shutil.copytree(first.path.parent, releases, symlinks=True)
    with (releases / "warc" / "capac-offices.warc.gz").open("ab") as fh:
        fh.write(b"x")
    problems = verify_release(releases / FIRST)
    assert problems == [f"{releases / 'warc' / 'capac-offices.warc.gz'}: SHA-256 does not match WARC_SHA256SUMS"]


FORMULA = '=HYPERLINK("http://x","y")'


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(warehouse, first, tmp_path):
    """Page text that looks like a formula: quoted in CSV, exact in parquet and DuckDB; numbers untouched."""
    releases = tmp_path / "releases"
    shutil.copytree(first.path.parent, releases, symlinks=True)
    phone = "+32 2 515 61 11"
    changed = copy_warehouse(
        warehouse,
        tmp_path / "formula",
        "UPDATE marts.fct_counter_match_review SET schedule_name = CASE schedule_name "
        f"WHEN 'Antenne Huy' THEN '{FORMULA}' WHEN 'Antenne Flagey' THEN '{phone}' ELSE schedule_name END",
    )
    (changed.data_dir / "evidence").symlink_to(warehouse.data_dir / "evidence")
    release = publish(changed.duckdb_path, releases)
    r = release.path
    raw = (r / "data" / "fct_counter_match_review.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfreview_id,")  # UTF-8 with BOM
    with (r / "data" / "fct_counter_match_review.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    in_csv = {row["schedule_name"] for row in rows}
    assert "'" + FORMULA in in_csv and "'" + phone in in_csv and FORMULA not in in_csv
    with duckdb.connect() as con:
        in_parquet = {
            v
            for (v,) in con.execute(f"SELECT schedule_name FROM '{r}/data/fct_counter_match_review.parquet'").fetchall()
        }
        negative = con.execute(
            f"SELECT event_id, delta_minutes FROM '{r}/data/fct_counter_events.parquet' WHERE delta_minutes < 0"
        ).fetchall()
    with duckdb.connect(str(r / "guichets.duckdb"), read_only=True) as con:
        in_duckdb = {v for (v,) in con.execute("SELECT schedule_name FROM marts.fct_counter_match_review").fetchall()}
    assert FORMULA in in_parquet and phone in in_parquet and in_duckdb == in_parquet
    # a negative number is a number, never neutralised
    assert negative
    with (r / "data" / "fct_counter_events.csv").open(encoding="utf-8-sig", newline="") as fh:
        events = {row["event_id"]: row["delta_minutes"] for row in csv.DictReader(fh)}
    for event_id, minutes in negative:
        assert events[event_id] == str(minutes)
    assert verify_release(r) == []  # Frictionless reads the BOM and the quoted cells as the schema says
