"""The self-description of a release, all written from one metadata dict and the dbt docs.

``metadata.json`` (the facts), ``datapackage.json`` (Frictionless Data Package: a typed table
schema per CSV file, with keys and foreign keys), ``dcat.jsonld`` (DCAT-AP, for data.gov.be
and data.europa.eu), ``CITATION.cff`` and ``.zenodo.json`` (citation and DOI deposit), the
README with the data dictionary, and the LICENSE. Dates are the data's as-of date, never the
wall clock; an illustrative release says so in every one of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from expectations.published_schema import table_doc
from scrapers.vocabulary import REPORT_LANGUAGES
from warehouse.release.layout import (
    DATAPACKAGE,
    DUCKDB_FILE,
    METADATA,
    SUMS,
    VALIDATION_DIR,
    WARC_MISSING,
    WARC_STORE,
    WARC_SUMS,
    sha256,
)

SAMPLE_BANNER = (
    "ILLUSTRATIVE SAMPLE DATA: built from the bundled sample web archive. The administrations are real, "
    "but the pages, hours and events are invented for demonstration. Do not cite these numbers as facts "
    "about real administrations."
)
LICENSE_ID = "CC-BY-4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_URI = "http://creativecommons.org/licenses/by/4.0/"  # the form DCAT-AP harvesters match on
PUBLISHER = "guichets — open-data observatory of physical access to Belgian public services"
AUTHORS = "guichets contributors"
TITLES = {
    "en": "Physical access to public services in Belgium: counters, opening hours and procedure channels, "
    "as published by the administrations",
    "fr": "Accès physique aux services publics en Belgique : guichets, heures d'ouverture et canaux des "
    "démarches, tels que publiés par les administrations",
    "nl": "Fysieke toegang tot openbare diensten in België: loketten, openingsuren en kanalen van procedures, "
    "zoals gepubliceerd door de administraties",
}
DESCRIPTIONS = {
    "en": "A validated, versioned history of the opening hours of the counters of Belgian administrations and "
    "of the channels (counter, telephone, post, online) through which their procedures can be done, read from "
    "archived copies of the pages they publish. Every state and event is traceable to an archived capture; a "
    "page that could not be fetched or read is unknown, never a closure.",
    "fr": "Un historique validé et versionné des heures d'ouverture des guichets des administrations belges et "
    "des canaux (guichet, téléphone, courrier, en ligne) par lesquels leurs démarches peuvent être faites, lu "
    "dans des copies archivées des pages qu'elles publient. Chaque état et chaque événement renvoie à une "
    "capture archivée ; une page qui n'a pu être lue est inconnue, jamais une fermeture.",
    "nl": "Een gevalideerde, geversioneerde geschiedenis van de openingsuren van de loketten van Belgische "
    "administraties en van de kanalen (loket, telefoon, post, online) waarlangs hun procedures kunnen worden "
    "afgehandeld, gelezen uit gearchiveerde kopieën van de pagina's die ze publiceren. Elke toestand en elke "
    "gebeurtenis verwijst naar een gearchiveerde opname; een pagina die niet kon worden gelezen is onbekend, "
    "nooit een sluiting.",
}
SAMPLE_PREFIX = {"en": "ILLUSTRATIVE SAMPLE — ", "fr": "ÉCHANTILLON ILLUSTRATIF — ", "nl": "ILLUSTRATIEF VOORBEELD — "}
SAMPLE_NOTICE = {
    "en": SAMPLE_BANNER,
    "fr": "DONNÉES D'ÉCHANTILLON ILLUSTRATIVES : construites à partir de l'archive web d'exemple fournie avec le "
    "logiciel. Les administrations sont réelles, mais les pages, les heures et les événements sont inventés. Ne "
    "citez pas ces chiffres comme des faits sur des administrations réelles.",
    "nl": "ILLUSTRATIEVE VOORBEELDGEGEVENS: gebouwd uit het voorbeeld-webarchief dat met de software wordt "
    "meegeleverd. De administraties bestaan echt, maar de pagina's, uren en gebeurtenissen zijn verzonnen. "
    "Citeer deze cijfers niet als feiten over echte administraties.",
}
KEYWORDS = ["public services", "counters", "opening hours", "digital exclusion", "Belgium", "e-government",
            "guichets", "loketten", "open data"]  # fmt: skip
# DCAT keywords per language (data.gov.be is searched in French and Dutch).
KEYWORDS_BY_LANG = {
    "fr": ["services publics", "guichets", "heures d'ouverture", "exclusion numérique", "Belgique",
           "administration en ligne", "démarches administratives", "données ouvertes"],
    "nl": ["openbare diensten", "loketten", "openingsuren", "digitale uitsluiting", "België",
           "e-government", "administratieve procedures", "open data"],
    "en": KEYWORDS,
}  # fmt: skip
# Releases are published when the pipeline runs with new data, not on a calendar.
PERIODICITY = "IRREG"
# The CSV files' encoding: UTF-8 with a byte order mark (spreadsheets then read the accents right).
CSV_ENCODING = "utf-8-sig"
TABLE_SCHEMA_TYPES = {
    "VARCHAR": "string",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "DOUBLE": "number",
    "FLOAT": "number",
    "TIME": "time",
}
MEDIA_TYPES = {
    ".parquet": ("application/vnd.apache.parquet", "PARQUET"),
    ".csv": ("text/csv", "CSV"),
    ".json": ("application/json", "JSON"),
    ".jsonld": ("application/ld+json", "JSON_LD"),
    ".md": ("text/markdown", "MD"),
    ".cff": ("application/yaml", "YAML"),
    ".html": ("text/html", "HTML"),
    ".duckdb": ("application/octet-stream", "BIN"),
    "": ("text/plain", "TXT"),
}
DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "adms": "http://www.w3.org/ns/adms#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "spdx": "http://spdx.org/rdf/terms#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
}
EU = "http://publications.europa.eu/resource/authority"


def release_url(base_url: str, version: str, rel: str = "") -> str:
    """The absolute URL of a release (its landing page) or of one of its files: ``<base>/<version>/<rel>``."""
    return f"{base_url.rstrip('/')}/{version}/{rel}"


def _base(meta: dict) -> str:
    # Releases staged before the base URL was recorded are read with the default.
    from warehouse.settings import DEFAULT_RELEASE_BASE_URL

    return meta.get("base_url") or DEFAULT_RELEASE_BASE_URL


def title(meta: dict, lang: str = "en") -> str:
    """The dataset's title in ``lang`` (fr, nl or en), prefixed when the release is illustrative."""
    return (SAMPLE_PREFIX[lang] if meta["illustrative"] else "") + TITLES[lang]


def description(meta: dict, lang: str = "en") -> str:
    """The dataset's description in ``lang``, the illustrative notice first when there is one."""
    notice = SAMPLE_NOTICE[lang] + " " if meta["illustrative"] else ""
    return notice + DESCRIPTIONS[lang]


def write_json(path: Path, obj) -> None:
    """JSON as every release file is written: UTF-8, indented, keys in the order given."""
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", "utf-8")


def table_entry(table: str, release_dir: Path, paths: dict[str, str], rows: int, key, references, columns) -> dict:
    """The ``metadata.json`` entry of one published table (``columns``: [(name, type)])."""
    doc = table_doc(table)
    entry = {"name": doc.name, "table": table, "description": doc.description}
    for kind, rel in paths.items():
        entry[kind] = rel
        entry[f"{kind}_sha256" if kind != "path" else "sha256"] = sha256(release_dir / rel)
    entry["rows"] = rows
    entry["primary_key"] = list(key)
    entry["foreign_keys"] = {col: target for col, target in sorted(references.items())}
    entry["columns"] = [{"name": n, "type": t, "description": doc.columns.get(n, "")} for n, t in columns]
    return entry


def datapackage(meta: dict, release_dir: Path) -> dict:
    """A Frictionless Data Package: a typed tabular resource per CSV file, the other files as file resources."""
    names = {t["table"]: t["name"] for t in meta["tables"]}
    resources = []
    for t in meta["tables"]:
        fields = [
            {"name": c["name"], "type": _table_schema_type(c["type"]), "description": c["description"]}
            for c in t["columns"]
        ]
        schema: dict = {"fields": fields, "missingValues": [""]}
        if t["primary_key"]:
            schema["primaryKey"] = t["primary_key"]
        fks = [
            {"fields": col, "reference": {"resource": names[".".join(target.split(".")[:2])],
                                          "fields": target.split(".")[2]}}
            for col, target in t["foreign_keys"].items()
            if ".".join(target.split(".")[:2]) in names
        ]  # fmt: skip
        if fks:
            schema["foreignKeys"] = fks
        resources.append(
            {
                "name": t["name"],
                "path": t["csv"],
                "profile": "tabular-data-resource",
                "title": t["table"],
                "description": t["description"],
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": CSV_ENCODING,
                "dialect": {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True},
                "hash": f"sha256:{t['csv_sha256']}",
                "bytes": (release_dir / t["csv"]).stat().st_size,
                "schema": schema,
            }
        )
    for t in meta["tables"]:
        resources.append(_file_resource(release_dir, t["path"], f"{t['name']}-parquet", f"{t['table']} (parquet)"))
    resources.append(_file_resource(release_dir, DUCKDB_FILE, "guichets-duckdb", "DuckDB database of every table"))
    return {
        "profile": "data-package",
        "name": "guichets-sample" if meta["illustrative"] else "guichets",
        "id": meta["version"],
        "title": title(meta),
        "description": description(meta),
        "version": meta["version"],
        "homepage": "README.md",
        "licenses": [{"name": LICENSE_ID, "path": LICENSE_URL, "title": "Creative Commons Attribution 4.0"}],
        "contributors": [{"title": AUTHORS, "role": "author"}],
        "keywords": KEYWORDS,
        "sources": [{"title": "Pages published by Belgian administrations, as archived (WARC files, web archives)"}],
        "illustrative": meta["illustrative"],
        "resources": resources,
    }


def _table_schema_type(duckdb_type: str) -> str:
    if "INT" in duckdb_type:
        return "integer"
    if duckdb_type.startswith("TIMESTAMP"):
        return "datetime"
    if duckdb_type.startswith("DECIMAL"):
        return "number"
    return TABLE_SCHEMA_TYPES.get(duckdb_type, "any")


def _file_resource(release_dir: Path, rel: str, name: str, label: str) -> dict:
    path = release_dir / rel
    media, _fmt = _media(rel)
    return {
        "name": name,
        "path": rel,
        "type": "file",
        "title": label,
        "format": path.suffix.lstrip("."),
        "mediatype": media,
        "hash": f"sha256:{sha256(path)}",
        "bytes": path.stat().st_size,
    }


def _media(rel: str) -> tuple[str, str]:
    return MEDIA_TYPES.get(Path(rel).suffix, MEDIA_TYPES[""])


def dcat(meta: dict, release_dir: Path, files: list[str]) -> dict:
    """DCAT-AP metadata (JSON-LD): the dataset and one distribution per file, with absolute URLs
    under the release's landing page (``<base_url><version>/``)."""
    langs = REPORT_LANGUAGES
    base, version = _base(meta), meta["version"]
    landing = release_url(base, version)
    distributions = []
    for rel in files:
        media, fmt = _media(rel)
        path = release_dir / rel
        dist = {
            "@type": "dcat:Distribution",
            "dct:title": _describe_file(meta, rel),
            "dcat:accessURL": {"@id": release_url(base, version, rel)},
            "dcat:downloadURL": {"@id": release_url(base, version, rel)},
            "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{media}"},
            "dct:format": {"@id": f"{EU}/file-type/{fmt}"},
            "dct:license": {"@id": LICENSE_URI},
        }
        if path.is_file():
            dist["dcat:byteSize"] = {"@value": str(path.stat().st_size), "@type": "xsd:nonNegativeInteger"}
            dist["spdx:checksum"] = {
                "@type": "spdx:Checksum",
                "spdx:algorithm": {"@id": "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"},
                "spdx:checksumValue": sha256(path),
            }
        distributions.append(dist)
    as_of = {"@value": meta["data_as_of"], "@type": "xsd:date"}
    dataset = {
        "@context": DCAT_CONTEXT,
        "@id": landing,
        "@type": "dcat:Dataset",
        "dct:identifier": f"guichets-{meta['version']}",
        "dct:title": [{"@language": lang, "@value": title(meta, lang)} for lang in langs],
        "dct:description": [{"@language": lang, "@value": description(meta, lang)} for lang in langs],
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": PUBLISHER},
        "dct:creator": {"@type": "foaf:Agent", "foaf:name": AUTHORS},
        "dcat:contactPoint": {"@type": "vcard:Kind", "vcard:fn": AUTHORS, "vcard:hasURL": {"@id": base}},
        "dcat:landingPage": {"@id": landing},
        "dct:accrualPeriodicity": {"@id": f"{EU}/frequency/{PERIODICITY}"},
        "dct:license": {"@id": LICENSE_URI},
        "dct:accessRights": {"@id": f"{EU}/access-right/PUBLIC"},
        "dct:issued": as_of,
        "dct:modified": as_of,
        "owl:versionInfo": meta["version"],
        "adms:versionNotes": {"@language": "en", "@value": "See CHANGELOG.md in the release."},
        "dct:temporal": {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": {"@value": meta["data_observed_from"], "@type": "xsd:date"},
            "dcat:endDate": as_of,
        },
        "dct:spatial": {"@id": f"{EU}/country/BEL"},
        "dcat:theme": [{"@id": f"{EU}/data-theme/GOVE"}, {"@id": f"{EU}/data-theme/SOCI"}],
        "dct:language": [{"@id": f"{EU}/language/{code}"} for code in ("FRA", "NLD", "DEU", "ENG")],
        "dcat:keyword": [{"@language": lang, "@value": k} for lang in langs for k in KEYWORDS_BY_LANG[lang]],
        "dct:conformsTo": {"@id": "https://specs.frictionlessdata.io/data-package/"},
        "dcat:distribution": distributions,
    }
    if meta.get("previous_release"):  # DCAT 3 versioning: the previous release, next to this one
        dataset["dcat:previousVersion"] = {"@id": release_url(base, meta["previous_release"])}
    return dataset


def _describe_file(meta: dict, rel: str) -> str:
    for t in meta["tables"]:
        if rel == t["path"]:
            return f"{t['table']} (parquet, zstd)"
        if rel == t.get("csv"):
            return f"{t['table']} (CSV, UTF-8 with BOM, formula-like text cells quoted)"
    return {
        DUCKDB_FILE: f"DuckDB database of every table, with comments; {meta['duckdb']['readable_by']}",
        DATAPACKAGE: "Frictionless Data Package descriptor (table schemas)",
        METADATA: "Release metadata",
        "README.md": "README and data dictionary",
        "CHANGELOG.md": "Changes since the previous release",
        "LICENSE": "Data license (CC BY 4.0)",
        "CITATION.cff": "Citation File Format metadata",
        ".zenodo.json": "Zenodo deposit metadata",
        f"{VALIDATION_DIR}/index.html": "Validation report (Great Expectations Data Docs)",
        f"{VALIDATION_DIR}/results.json": "Validation results, one record per expectation",
        SUMS: "SHA-256 checksums of every file",
        WARC_SUMS: f"SHA-256 of every WARC file the captures cite, published in {WARC_STORE}/ beside the release",
        WARC_MISSING: "WARC files the captures cite that the evidence store did not hold (empty when none)",
    }.get(rel, rel)


def citation_cff(meta: dict) -> str:
    """CITATION.cff (Citation File Format 1.2.0) for the release as a dataset."""
    doc = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below (and the release version you used).",
        "type": "dataset",
        "title": f"{title(meta)} (release {meta['version']})",
        "version": meta["version"],
        "date-released": meta["data_as_of"],
        "url": release_url(_base(meta), meta["version"]),
        "repository": _base(meta),
        "license": LICENSE_ID,
        "authors": [{"name": AUTHORS}],
        "abstract": description(meta),
        "keywords": KEYWORDS,
    }
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=1000)


def zenodo(meta: dict) -> dict:
    """``.zenodo.json``: the metadata Zenodo uses for a deposit of the release (which mints its DOI)."""
    notice = f"<p><strong>{SAMPLE_BANNER}</strong></p>" if meta["illustrative"] else ""
    return {
        "title": f"{title(meta)} (release {meta['version']})",
        "upload_type": "dataset",
        "description": notice + f"<p>{DESCRIPTIONS['en']}</p><p>Data as of {meta['data_as_of']}.</p>",
        "creators": [{"name": AUTHORS}],
        "license": "cc-by-4.0",
        "access_right": "open",
        "version": meta["version"],
        "publication_date": meta["data_as_of"],
        "keywords": KEYWORDS,
        "language": "eng",
        "notes": SAMPLE_BANNER if meta["illustrative"] else "",
    }


def license_text(meta: dict) -> str:
    """The data license: a summary of CC BY 4.0 and where its full text is."""
    lines = [
        f"guichets release {meta['version']}: data license",
        "",
        f"The data in this release is licensed under the Creative Commons Attribution 4.0 International "
        f"license (CC BY 4.0): {LICENSE_URL} (full legal text: {LICENSE_URL}legalcode).",
        "",
        "You are free to share (copy and redistribute the material in any medium or format) and adapt",
        "(remix, transform and build upon the material) for any purpose, even commercially, as long as you",
        "give appropriate credit, provide a link to the license, and indicate if changes were made. You may",
        "not apply legal terms or technological measures that legally restrict others from doing anything",
        "the license permits.",
        "",
        f'Attribution: "{AUTHORS}, {title(meta)}, release {meta["version"]}" (see CITATION.cff).',
        "",
        "The opening hours and procedures are as published by the administrations on their websites; the",
        "names of the administrations are theirs. The software that builds this release is MIT-licensed.",
    ]
    if meta["illustrative"]:
        lines += ["", SAMPLE_BANNER]
    return "\n".join(lines) + "\n"


def readme(meta: dict) -> str:
    """The release README: what it is, its files, how to cite and verify it, and the data dictionary."""
    v = meta["version"]
    lines = [f"# guichets release {v}", ""]
    if meta["illustrative"]:
        lines += [f"> **{SAMPLE_BANNER}**", ""]
    prev = meta.get("previous_release")
    lines += [
        title(meta) + ".",
        "",
        description(meta),
        "",
        f"- **Version**: `{v}` (from the data's as-of date; a version never changes meaning)",
        f"- **Data as of**: {meta['data_as_of']} (date of the latest successfully parsed observation; "
        f"observations from {meta['data_observed_from']}, the last one at {meta['data_last_observed_at']})",
        f"- **Previous release**: {f'`{prev}` (see CHANGELOG.md)' if prev else 'none (first release)'}",
        f"- **License**: CC BY 4.0 ({LICENSE_URL}), see LICENSE",
        "",
        "Opening hours are as published by the administrations, not as experienced. A page that could not be "
        "fetched or read is *unknown*, never a closure.",
        "",
        "## Files",
        "",
        "| path | what |",
        "|---|---|",
        "| `data/<table>.parquet` | one file per table, zstd-compressed, rows sorted |",
        "| `data/<table>.csv` | the same rows as CSV (UTF-8 with BOM) with a header (empty field = null); a text "
        "cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return has a `'` in front (not in parquet) |",
        "| `data/captures.*` | the evidence: every capture, its page, time, archive, replay URL, WARC file and "
        "record; every `*_capture_id` is one of its `capture_id` |",
        "| `delta/<table>.parquet`, `.csv` | what changed since the previous release (see the dictionary) |",
        f"| `{DUCKDB_FILE}` | every table in one DuckDB database, with table and column comments |",
        f"| `{DATAPACKAGE}` | Frictionless Data Package: a typed schema, key and foreign keys per CSV file |",
        "| `dcat.jsonld` | DCAT-AP metadata (JSON-LD) for open-data portals |",
        f"| `{METADATA}` | the facts of the release: version, dates, tables, rows, checksums, validation |",
        "| `CHANGELOG.md` | counters added, removed or changed, new events and procedure transitions |",
        "| `CITATION.cff`, `.zenodo.json` | how to cite the release; Zenodo deposit metadata (DOI) |",
        f"| `{VALIDATION_DIR}/` | the validation results: `summary.html` (offline), `results.json`, GX Data Docs |",
        f"| `{SUMS}` | SHA-256 of every file |",
        f"| `{WARC_SUMS}` | SHA-256 of every WARC file the captures cite, published in `../{WARC_STORE}/` |",
        f"| `{WARC_MISSING}` | the cited WARC files the evidence store did not hold, one per line (empty when none) |",
        "",
        "## How to cite",
        "",
        f'{AUTHORS}, "{title(meta)}", release {v} (data as of {meta["data_as_of"]}), CC BY 4.0. '
        "Cite the release version: its files never change. CITATION.cff has the same in machine-readable form; "
        "a release deposited on Zenodo (from `.zenodo.json`) gets a DOI.",
        "",
        "## How to verify",
        "",
        f"- `sha256sum -c {SUMS}` checks every file;",
        "- `guichets release verify DIR` also validates the Data Package with Frictionless and checks the metadata;",
        f"- `frictionless validate {DATAPACKAGE}` validates every CSV against its schema, keys and foreign keys;",
        f"- `cd ../{WARC_STORE} && sha256sum -c ../{v}/{WARC_SUMS}` checks the archived pages themselves.",
        "",
        "Rebuilt from the same inputs, the data files (parquet, CSV and the DuckDB file) are byte-identical.",
        "",
        "## Reading the DuckDB file",
        "",
        f"`{DUCKDB_FILE}` is readable by {meta['duckdb']['readable_by']}. Parquet and CSV are the durable formats.",
        "",
        "## Validation",
        "",
    ]
    val = meta["validation"]
    lines.append(
        f"{val['evaluated']} expectations (Great Expectations {val['great_expectations']}) passed on this "
        f"release's own files before it was published; `{val['summary_page']}` "
        f"sums them up in a page that opens offline, `{VALIDATION_DIR}/index.html` is GX's Data Docs "
        "(their styles and scripts come from the web)."
    )
    if val["waived"]:
        lines += ["", "Checks that failed and were waived by a recorded override:", ""]
        for w in val["waived"]:
            o = w["override"]
            lines.append(f"- `{w['check']}` on {w['table']}: {w['detail']} — waived by {o['who']}: {o['reason']}")
    lines += ["", "## Data dictionary", ""]
    for t in meta["tables"]:
        key = ", ".join(f"`{k}`" for k in t["primary_key"]) or "none"
        lines += [
            f"### {t['table']}",
            "",
            t["description"],
            "",
            f"Files: `{t['path']}`, `{t['csv']}`. Rows: {t['rows']}. Key: {key}.",
            "",
            "| column | type | description |",
            "|---|---|---|",
        ]
        lines += [f"| `{c['name']}` | {c['type']} | {c['description'].replace('|', '/')} |" for c in t["columns"]]
        lines.append("")
    return "\n".join(lines)
