"""Build the Belgian municipalities seed of the dbt project from the shared reference files.

Inputs (real, open data; provenance in ../shared/reference/geo/SOURCE.md):

- ``belgian_municipalities_2020.csv``: the 581 communes of 2020 with names, arrondissement,
  province, region and population on 1 January 2020 (Statbel);
- ``refnis.csv``: Statbel's REFNIS code list with validity periods (as of 2018, Windows-1252:
  its apostrophes are byte 0x92, which latin-1 would read as a control character).

Output: ``dbt/seeds/belgian_municipalities.csv``, one row per commune *code* with its validity
period: the 581 communes of 2020, plus the codes that ended on 31 December 2018 (communes merged
on 1 January 2019, and Hainaut communes renumbered when its arrondissements were redrawn that
day), with no 2020 population. Mergers of 1 January 2025 are not in the inputs; they are added
the same way (``valid_to`` on the old codes, new rows for the new ones) when Statbel's files
that list them are added. The output is sorted and byte-for-byte reproducible:
``python -m warehouse.reference.geo ../shared/reference/geo dbt/seeds/belgian_municipalities.csv``.
"""

from __future__ import annotations

import csv
import io
import sys
from datetime import date, datetime
from pathlib import Path

# Our registry's region codes, from Statbel's French region names.
REGIONS = {"Région flamande": "flanders", "Région wallonne": "wallonia", "Région de Bruxelles-Capitale": "brussels"}
POPULATION_DATE = "2020-01-01"
# The 2020 file's codes that REFNIS (2018) does not know were created on this day (mergers and
# the renumbering of Hainaut's arrondissements).
MERGERS_2019 = date(2019, 1, 1)
# The nine communes of the German-speaking Community (language area of the 1962 language law):
# Amel, Büllingen, Bütgenbach, Eupen, Kelmis, Lontzen, Raeren, Sankt Vith, Burg-Reuland.
GERMAN_SPEAKING = frozenset({"63001", "63012", "63013", "63023", "63040", "63048", "63061", "63067", "63087"})
COLUMNS = (
    "nis_code", "name_fr", "name_nl", "name_de", "arrondissement_fr", "arrondissement_nl", "province_fr",
    "province_nl", "region", "is_german_speaking", "population", "population_date", "valid_from", "valid_to",
)  # fmt: skip


def build_rows(geo_dir: Path) -> list[dict[str, str]]:
    """The seed's rows, sorted by NIS code then validity start."""
    with (geo_dir / "refnis.csv").open(encoding="cp1252", newline="") as f:
        refnis = [r for r in csv.DictReader(f, delimiter=";") if r["LVL_REFNIS"] == "4"]
    current_refnis = {r["CD_REFNIS"]: r for r in refnis if r["DT_VLDT_END"] == "31/12/9999"}
    with (geo_dir / "belgian_municipalities_2020.csv").open(encoding="utf-8", newline="") as f:
        communes_2020 = list(csv.DictReader(f))
    rows: list[dict[str, str]] = []
    codes_2020 = set()
    for c in communes_2020:
        code = c["NIS_code"].zfill(5)
        codes_2020.add(code)
        ref = current_refnis.get(code)
        rows.append(
            {
                "nis_code": code,
                "name_fr": c["municipality_FR"],
                "name_nl": c["municipality_NL"],
                "name_de": ref["TX_REFNIS_DE"] if ref else "",
                "arrondissement_fr": c["arrondissement_FR"],
                "arrondissement_nl": c["arrondissement_NL"],
                # Brussels belongs to no province: the source writes "0".
                "province_fr": "" if c["province_FR"] == "0" else c["province_FR"],
                "province_nl": "" if c["province_NL"] == "0" else c["province_NL"],
                "region": REGIONS[c["region_FR"]],
                "is_german_speaking": str(code in GERMAN_SPEAKING).lower(),
                "population": str(int(c["inhabitants"])),
                "population_date": POPULATION_DATE,
                "valid_from": _iso(ref["DT_VLDT_START"]) if ref else MERGERS_2019.isoformat(),
                "valid_to": "",
            }
        )
    by_code = {r["nis_code"]: r for r in rows}
    # Communes REFNIS still lists as current in 2018 but gone from the 2020 list: merged in 2019.
    for code, ref in sorted(current_refnis.items()):
        if code in codes_2020:
            continue
        sibling = next((r for k, r in by_code.items() if k[:2] == code[:2]), None)
        rows.append(
            {
                "nis_code": code,
                "name_fr": ref["TX_REFNIS_FR"],
                "name_nl": ref["TX_REFNIS_NL"],
                "name_de": ref["TX_REFNIS_DE"],
                "arrondissement_fr": sibling["arrondissement_fr"] if sibling else "",
                "arrondissement_nl": sibling["arrondissement_nl"] if sibling else "",
                "province_fr": sibling["province_fr"] if sibling else "",
                "province_nl": sibling["province_nl"] if sibling else "",
                "region": sibling["region"] if sibling else _region_of(code),
                "is_german_speaking": str(code in GERMAN_SPEAKING).lower(),
                "population": "",
                "population_date": "",
                "valid_from": _iso(ref["DT_VLDT_START"]),
                "valid_to": "2018-12-31",
            }
        )
    return sorted(rows, key=lambda r: (r["nis_code"], r["valid_from"]))


def write_seed(geo_dir: Path, out: Path) -> int:
    """Write the seed CSV (LF line ends, UTF-8); returns the number of rows."""
    rows = build_rows(geo_dir)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    out.write_text(buf.getvalue(), encoding="utf-8")
    return len(rows)


def _region_of(nis_code: str) -> str:
    """The region of a commune from its NIS code (provinces 1-4 and 7 Flemish, 21 Brussels)."""
    if nis_code.startswith("21"):
        return "brussels"
    return "flanders" if nis_code[0] in "12347" and not nis_code.startswith("25") else "wallonia"


def _iso(ddmmyyyy: str) -> str:
    return datetime.strptime(ddmmyyyy, "%d/%m/%Y").date().isoformat()


if __name__ == "__main__":
    n = write_seed(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{n} rows written to {sys.argv[2]}")
