from pathlib import Path

import pytest

from scrapers.registry import RegistryError, load_registry

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
        ("urls: [https://www.x.be/population]", "urls: [ftp://x.be]", "field 'urls' must list"),
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
    root = Path(__file__).resolve().parent.parent / "scrapers" / "registries"
    files = sorted(root.glob("*.yaml"))
    assert files, "no registry shipped"
    for path in files:
        load_registry(path)
