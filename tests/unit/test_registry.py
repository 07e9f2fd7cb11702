import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from scrapers.registry import RegistryError, json_schema, load_registry
from tests.helpers.cli_run import REPO, guichets_cli

GOOD = """
registry: test
illustrative: true
administrations:
  - {id: commune-x, name_fr: Commune X, level: commune, region: wallonia, nis_code: 62063}
sources:
  - id: commune-x-population
    administration: commune-x
    kind: opening_hours
    urls: [https://www.x.be/population]
    language: fr
    counters:
      - {id: ctr-x-pop, name: Service Population, match: [population]}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_registry_loads(tmp_path):
    reg = load_registry(write(tmp_path, GOOD))
    assert reg.illustrative
    src = reg.source("commune-x-population")
    assert src.parser == "auto" and src.rate_limit_per_s == 1.0
    assert [c.id for c in reg.counters()] == ["ctr-x-pop"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("kind: opening_hours", "kind: hours", "sources[0] (commune-x-population): field 'kind' is 'hours'"),
        ("administration: commune-x\n", "administration: nowhere\n", "'nowhere', which is not declared"),
        (
            "urls: [https://www.x.be/population]",
            "urls: [ftp://x.be]",
            "field 'urls[0]' is 'ftp://x.be'; expected an http(s) URL",
        ),
        ("id: ctr-x-pop", "id: Ctr X", "counters[0]: field 'id' is 'Ctr X'"),
        ("language: fr", "language: xx", "field 'language' is 'xx'"),
        ("nis_code: 62063", "nis_code: 12", "field 'nis_code' is 12"),
    ],
)
def test_errors_name_file_entry_and_field(tmp_path, old, new, message):
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(RegistryError) as err:
        load_registry(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_duplicate_ids_are_refused(tmp_path):
    dup = (
        GOOD
        + """
  - id: commune-x-population
    administration: commune-x
    kind: opening_hours
    urls: [https://www.x.be/other]
    language: fr
"""
    )
    with pytest.raises(RegistryError, match="duplicate id 'commune-x-population'"):
        load_registry(write(tmp_path, dup))


def test_invalid_yaml_is_reported(tmp_path):
    with pytest.raises(RegistryError, match="not valid YAML"):
        load_registry(write(tmp_path, "sources: [\n"))


def test_shipped_registries_load():
    root = Path(__file__).resolve().parents[2] / "scrapers" / "registries"
    files = sorted(root.glob("*.yaml"))
    assert files, "no registry shipped"
    for path in files:
        load_registry(path)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first occurrence of ``needle`` in ``text``."""
    return text[: text.index(needle)].count("\n") + 1


COUNTER = "      - {id: ctr-x-pop, name: Service Population, match: [population]}"
# (old text, new text, the entry and field the message must name, the text of the line it must point at)
BAD_INPUTS = [
    ("    language: fr\n", "    language: fr\n    rate_limt_per_s: 5\n",
     "sources[0] (commune-x-population): unknown field 'rate_limt_per_s' (did you mean 'rate_limit_per_s'?",
     "rate_limt_per_s"),
    ("    counters:\n", "    countres:\n",
     "sources[0] (commune-x-population): unknown field 'countres' (did you mean 'counters'?", "countres"),
    ("    language: fr\n", "    language: fr\n    rate_limit_per_s: 50\n",
     "field 'rate_limit_per_s' is 50; expected a number in (0, 10] (the politeness ceiling is 10 requests/s)",
     "rate_limit_per_s"),
    ("    language: fr\n", "    language: fr\n    rate_limit_per_s: '2'\n",
     "field 'rate_limit_per_s' is \"2\" (a string); expected a number", "rate_limit_per_s"),
    ("    language: fr\n", "    language: fr\n    rate_limit_per_s: true\n",
     "field 'rate_limit_per_s' is true (true or false); expected a number", "rate_limit_per_s"),
    ("illustrative: true", "illustrative: 'false'",
     "top level: field 'illustrative' is \"false\" (a string); expected true or false", "illustrative"),
    ("sources:\n", "sorces:\n", "top level: unknown field 'sorces' (did you mean 'sources'?", "sorces"),
    ("nis_code: 62063", "nis_code: 12345",
     "administrations[0] (commune-x): field 'nis_code' is 12345, which is not a Belgian commune's NIS code",
     "nis_code: 12345"),
    ("nis_code: 62063", "nis_code: '62063'",
     "administrations[0] (commune-x): field 'nis_code' is \"62063\" (a string); expected an integer", "nis_code"),
    (", nis_code: 62063}", "}",
     "administrations[0] (commune-x): field 'nis_code' is required for a commune administration", "commune-x"),
    (COUNTER, COUNTER[:-1] + ", nis_code: 99999}",
     "sources[0] (commune-x-population).counters[0] (ctr-x-pop): field 'nis_code' is 99999, which is not",
     "ctr-x-pop"),
    (COUNTER, COUNTER + "\n" + COUNTER.replace("population]", "accueil]"),
     "counters: duplicate id 'ctr-x-pop' (first on line 13)", "accueil"),
    ("    kind: opening_hours\n", "    kind: opening_hours\n    kind: procedures\n",
     "sources[0]: key 'kind' is repeated (first on line 9)", "kind: procedures"),
    ("  - id: commune-x-population", "  - id: 42",
     "sources[0]: field 'id' is 42 (an integer); expected a string", "id: 42"),
    (COUNTER, "        match: [population]", "sources[0] (commune-x-population): field 'counters' is {",
     "counters:"),
    (COUNTER, "      - population", "counters[0]: must be a mapping of fields, not \"population\" (a string)",
     "- population"),
    (COUNTER, "      - {id: ctr-x-pop, name: Service Population, match: []}",
     "counters[0] (ctr-x-pop): field 'match' must list at least 1 item(s)", "match: []"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message", "line_text"), BAD_INPUTS, ids=lambda v: str(v)[:30])
def test_schema_errors_name_file_line_entry_and_field(tmp_path, old, new, message, line_text):
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    path = write(tmp_path, text)
    with pytest.raises(RegistryError) as err:
        load_registry(path)
    assert str(err.value).startswith(f"{path}:{line_of(text, line_text)}: "), str(err.value)
    assert message in str(err.value)


def test_published_schema_is_the_loaders_schema():
    """docs/registry-schema.json is generated from the loader's own table (one definition)."""
    published = json.loads((REPO / "docs" / "registry-schema.json").read_text(encoding="utf-8"))
    assert published == json_schema(), "regenerate: python -m scrapers.registry --schema > docs/registry-schema.json"


@pytest.mark.parametrize("path", sorted((REPO / "scrapers" / "registries").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_registries_pass_the_published_schema(path):
    schema = json.loads((REPO / "docs" / "registry-schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
    load_registry(path)


@pytest.mark.parametrize(("old", "new", "message", "line_text"), BAD_INPUTS[:7], ids=lambda v: str(v)[:30])
def test_published_schema_refuses_what_the_loader_refuses(old, new, message, line_text):
    """Other tools validating a registry with the published JSON Schema refuse the same typos and types."""
    schema = json.loads((REPO / "docs" / "registry-schema.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load(GOOD.replace(old, new, 1)), schema)


def test_cli_refuses_a_malformed_registry_with_exit_2_and_no_traceback(tmp_path):
    text = GOOD.replace("    language: fr\n", "    language: fr\n    rate_limt_per_s: 5\n", 1)
    path = write(tmp_path, text)
    for args in (
        ("collect", "--registry", str(path), "--data-dir", str(tmp_path / "out")),
        ("backfill", "--registry", str(path), "--cdx", "http://127.0.0.1:9/cdx", "--from", "2020-01-01",
         "--to", "2020-12-31", "--data-dir", str(tmp_path / "out")),
        ("reparse", "--warc", str(tmp_path), "--registry", str(path), "--data-dir", str(tmp_path / "out")),
    ):  # fmt: skip
        proc = guichets_cli(*args)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert proc.stderr.strip().splitlines() == [
            f"error: {path}:{line_of(text, 'rate_limt_per_s')}: sources[0] (commune-x-population): unknown field "
            "'rate_limt_per_s' (did you mean 'rate_limit_per_s'? a source has: id, administration, kind, urls, url, "
            "language, parser, cadence, rate_limit_per_s, counters)"
        ]
        assert "Traceback" not in proc.stderr


def test_the_registry_checker_command(tmp_path):
    shipped = [str(p) for p in sorted((REPO / "scrapers" / "registries").glob("*.yaml"))]
    ok = subprocess.run(
        [sys.executable, "-m", "scrapers.registry", *shipped], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert ok.returncode == 0 and ok.stdout.count(": ok (") == 2, ok.stderr
    bad = write(tmp_path, GOOD.replace("nis_code: 62063", "nis_code: 12345"))
    proc = subprocess.run(
        [sys.executable, "-m", "scrapers.registry", str(bad)], capture_output=True, text=True, cwd=REPO
    )
    assert proc.returncode == 2 and "12345, which is not a Belgian commune's NIS code" in proc.stderr
