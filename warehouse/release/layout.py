"""The release directory: its layout, the published releases, checksums and verification.

A release is an immutable directory ``<releases>/<version>/``; ``<releases>/latest`` is a
symlink to the newest. Directories whose names start with a dot are work in progress (staged
or refused releases) and are never listed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from warehouse.settings import LATEST

DATA_DIR = "data"  # one parquet and one CSV file per published table (dbt marts)
DELTA_DIR = "delta"  # the same for the delta tables computed against the previous release
DUCKDB_FILE = "guichets.duckdb"
VALIDATION_DIR = "validation"  # GX Data Docs and results.json
METADATA = "metadata.json"
DATAPACKAGE = "datapackage.json"
SUMS = "SHA256SUMS"
# The WARC files a release's captures cite are published beside the releases, in one store shared
# by all of them (``<releases>/warc/<source>/<file>.warc.gz``: a WARC file never changes once
# written); each release lists the ones it cites, with their SHA-256, in WARC_SUMS (sha256sum
# format, paths relative to the store: ``cd warc && sha256sum -c ../<version>/WARC_SHA256SUMS``).
WARC_STORE = "warc"
WARC_SUMS = "WARC_SHA256SUMS"
# The cited WARC files the evidence store does not hold (one path per line, sorted; empty when none):
# a file of its own, not a list in metadata.json, which every release step and every listing of the
# releases reads (1.6 M names made it 88 MB at national scale when the store was empty).
WARC_MISSING = "WARC_MISSING"
# Built from a published release afterwards (`guichets report`), so not in its checksums: verify
# leaves this folder alone; the report itself names the release version it was built from.
DERIVED_DIR = "report"
# The static website of the release (`guichets site`, built when the release is published).
SITE_DIR = "site"
DERIVED_PREFIXES = (f"{DERIVED_DIR}/", f"{SITE_DIR}/")
SCHEMA_DIRS = {"marts": DATA_DIR, "delta": DELTA_DIR}
_VERSION = re.compile(r"^(?:sample-)?(\d{4})\.(\d{2})\.(\d{2})(?:-(\d+))?$")


@dataclass(frozen=True)
class PublishedRelease:
    """A release directory and its metadata."""

    version: str
    path: Path
    metadata: dict

    @property
    def sort_key(self) -> tuple:
        """Chronological order: data as-of date, then same-day suffix."""
        return version_sort_key(self.version)


def version_sort_key(version: str) -> tuple:
    """``sample-2023.02.01-2`` -> ``("2023.02.01", 2, version)``; unparsable names sort first."""
    m = _VERSION.match(version)
    if not m:
        return ("", 0, version)
    return (f"{m[1]}.{m[2]}.{m[3]}", int(m[4] or 1), version)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks (once per file inside :func:`remembered_digests`)."""
    memo = _memo.digests
    if memo is not None:
        st = path.stat()
        key = (os.path.abspath(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        with _memo.lock:
            if key in memo:
                return memo[key]
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    digest = h.hexdigest()
    if memo is not None:
        with _memo.lock:
            memo[key] = digest
    return digest


class _Memo:
    digests: dict[tuple, str] | None = None
    lock = threading.Lock()
    depth = 0


_memo = _Memo()


@contextmanager
def remembered_digests() -> Iterator[None]:
    """Within this block (all threads), :func:`sha256` reads a file once and then answers from memory.

    For one step that writes or audits a release and states the same files' digests in several
    places (``metadata.json``, ``datapackage.json``, DCAT, ``SHA256SUMS``, the audit's record):
    a national release is gigabytes, read once instead of four times. A file is read again when
    its size, times or inode change. Verification (``guichets verify``) never runs inside it.
    """
    with _memo.lock:
        if _memo.depth == 0:
            _memo.digests = {}
        _memo.depth += 1
    try:
        yield
    finally:
        with _memo.lock:
            _memo.depth -= 1
            if _memo.depth == 0:
                _memo.digests = None


def save_remembered_digests(out: Path, under: Path) -> None:
    """Write the digests :func:`remembered_digests` holds of the files under ``under`` to ``out``, for
    a later step to trust while those files are unchanged (:func:`trust_remembered_digests`).

    Each is kept with the file's size, modification and change times and inode: writing a file,
    even one that keeps its size and has its modification time set back, changes its change time.
    """
    root = os.path.join(os.path.abspath(under), "")
    with _memo.lock:
        entries = sorted([*key, digest] for key, digest in (_memo.digests or {}).items() if key[0].startswith(root))
    out.write_text(json.dumps(entries), "utf-8")


def trust_remembered_digests(record: Path) -> None:
    """Inside :func:`remembered_digests`, take the digests :func:`save_remembered_digests` wrote to
    ``record`` as known: :func:`sha256` answers them while a file's path, size, times and inode
    are the recorded ones, and reads any other file. A missing or unreadable record is ignored.
    """
    if _memo.digests is None:
        raise RuntimeError("trust_remembered_digests is only meaningful inside remembered_digests()")
    try:
        entries = json.loads(record.read_text("utf-8"))
    except (OSError, ValueError):
        return
    known = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, list) and len(entry) == 6 and isinstance(entry[0], str) and isinstance(entry[5], str):
            known[tuple(entry[:5])] = entry[5]
    with _memo.lock:
        _memo.digests.update(known)


def table_path(release_dir: Path, table: str, ext: str = "parquet") -> Path:
    """Where a table (``marts.x`` or ``delta.y``) lives in a release: ``data/x.parquet``, ``delta/y.csv``..."""
    schema, name = table.split(".", 1)
    return release_dir / SCHEMA_DIRS[schema] / f"{name}.{ext}"


def release_tables(release_dir: Path) -> dict[str, Path]:
    """Every table of a release directory: ``schema.table`` -> parquet file, sorted."""
    out = {}
    for schema, folder in SCHEMA_DIRS.items():
        for path in sorted((release_dir / folder).glob("*.parquet")):
            out[f"{schema}.{path.stem}"] = path
    return out


def load_metadata(release_dir: Path) -> dict:
    """A release's ``metadata.json``."""
    return json.loads((release_dir / METADATA).read_text("utf-8"))


def list_releases(releases_dir: Path) -> list[PublishedRelease]:
    """Published releases, oldest first (dot directories and ``latest`` are not releases)."""
    out = []
    if not releases_dir.is_dir():
        return out
    for path in releases_dir.iterdir():
        if path.name.startswith(".") or path.is_symlink() or not (path / METADATA).is_file():
            continue
        out.append(PublishedRelease(path.name, path, load_metadata(path)))
    return sorted(out, key=lambda r: r.sort_key)


def latest_release(releases_dir: Path) -> PublishedRelease | None:
    """The release ``latest`` points at, else the newest one, else None."""
    link = releases_dir / LATEST
    if link.is_symlink() and (link / METADATA).is_file():
        target = link.resolve()
        return PublishedRelease(target.name, target, load_metadata(target))
    releases = list_releases(releases_dir)
    return releases[-1] if releases else None


def point_latest(releases_dir: Path, version: str) -> None:
    """Point ``latest`` at ``version`` atomically (a new symlink renamed over the old one)."""
    tmp = releases_dir / ".latest.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(version)
    os.replace(tmp, releases_dir / LATEST)


def write_checksums(release_dir: Path) -> None:
    """``SHA256SUMS`` of every file of the release (``sha256sum -c`` format), sorted by path."""
    files = sorted(
        p
        for p in release_dir.rglob("*")
        if p.is_file() and p.name != SUMS and not p.relative_to(release_dir).as_posix().startswith(DERIVED_PREFIXES)
    )
    (release_dir / SUMS).write_text(
        "".join(f"{sha256(p)}  {p.relative_to(release_dir).as_posix()}\n" for p in files), "utf-8"
    )


def check_checksums(release_dir: Path) -> tuple[dict[str, str], list[str]]:
    """Recompute ``SHA256SUMS``: (status per listed file: ok / mismatch / missing, problems).

    Files present but not listed are problems too: a release holds exactly what it lists.
    """
    sums = release_dir / SUMS
    if not sums.is_file():
        return {}, [f"{sums}: missing"]
    status: dict[str, str] = {}
    problems = []
    for number, line in enumerate(sums.read_text("utf-8").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or not re.fullmatch(r"[0-9a-f]{64}", digest):
            problems.append(f"{sums}:{number}: malformed line {line!r}")
            continue
        path = release_dir / name
        if not path.is_file():
            status[name] = "missing"
            problems.append(f"{path}: listed in {SUMS} but missing")
        elif sha256(path) != digest:
            status[name] = "mismatch"
            problems.append(f"{path}: SHA-256 does not match {SUMS}")
        else:
            status[name] = "ok"
    listed = set(status)
    for path in sorted(p for p in release_dir.rglob("*") if p.is_file() and p.name != SUMS):
        rel = path.relative_to(release_dir).as_posix()
        if rel.startswith(DERIVED_PREFIXES):
            continue  # trend reports and the website, built from the release (guichets report, site)
        if rel not in listed:
            problems.append(f"{path}: not listed in {SUMS}")
    return status, problems


REQUIRED_METADATA = ("name", "version", "title", "illustrative", "data_as_of", "license", "tables", "validation")


def check_metadata(release_dir: Path) -> list[str]:
    """The release's ``metadata.json`` is complete and agrees with the directory it describes."""
    path = release_dir / METADATA
    if not path.is_file():
        return [f"{path}: missing"]
    try:
        meta = load_metadata(release_dir)
    except ValueError as exc:
        return [f"{path}: not valid JSON: {exc}"]
    problems = [f"{path}: no {key!r}" for key in REQUIRED_METADATA if key not in meta]
    if problems:
        return problems
    # The version is the one metadata.json states (a copy may live in a folder of any name); every
    # other file of the release that names it must name the same one.
    for rel, stated in _stated_versions(release_dir).items():
        if stated != meta["version"]:
            problems.append(f"{release_dir / rel}: version {stated!r} but {METADATA} says {meta['version']!r}")
    for table in meta["tables"]:
        for key in ("path", "csv"):
            if key in table and not (release_dir / table[key]).is_file():
                problems.append(f"{release_dir / table[key]}: listed in {METADATA} but missing")
        if "path" in table and "sha256" in table and (release_dir / table["path"]).is_file():
            if sha256(release_dir / table["path"]) != table["sha256"]:
                problems.append(f"{release_dir / table['path']}: SHA-256 differs from {METADATA}")
    validation = meta["validation"] or {}
    if validation.get("failed"):
        problems.append(f"{path}: records {validation['failed']} failed expectations")
    if meta["illustrative"]:
        readme = release_dir / "README.md"
        if not readme.is_file() or "ILLUSTRATIVE SAMPLE DATA" not in readme.read_text("utf-8"):
            problems.append(f"{readme}: an illustrative release must say so in its README banner")
    return problems


def _stated_versions(release_dir: Path) -> dict[str, str]:
    """The version each self-describing file of a release states (files absent are skipped)."""
    import yaml

    out = {}
    for rel, key in ((DATAPACKAGE, "version"), ("dcat.jsonld", "owl:versionInfo"), ("CITATION.cff", "version")):
        path = release_dir / rel
        if path.is_file():
            try:
                text = path.read_text("utf-8")
                doc = yaml.safe_load(text) if rel.endswith(".cff") else json.loads(text)
            except (yaml.YAMLError, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
                doc = None
            out[rel] = str(doc.get(key)) if isinstance(doc, dict) else "unreadable"
    return out


def check_warcs(release_dir: Path) -> tuple[dict[str, int], list[str]]:
    """The WARC files the release cites, in the store beside it: (counts ok / mismatch / missing, problems).

    A copy of a release kept without the store (no ``warc/`` folder beside it) has nothing to
    check: the counts say so (all ``absent``) and it is no problem. When the store is there, a
    listed file missing from it or whose SHA-256 differs is.
    """
    counts = {"ok": 0, "mismatch": 0, "missing": 0, "absent": 0}
    sums = release_dir / WARC_SUMS
    if not sums.is_file():
        return counts, []
    store = release_dir.parent / WARC_STORE
    problems = []
    for line in sums.read_text("utf-8").splitlines():
        digest, _sep, name = line.partition("  ")
        path = store / name
        if not store.is_dir():
            counts["absent"] += 1
        elif not path.is_file():
            counts["missing"] += 1
            problems.append(f"{path}: listed in {WARC_SUMS} but missing from the WARC store")
        elif sha256(path) != digest:
            counts["mismatch"] += 1
            problems.append(f"{path}: SHA-256 does not match {WARC_SUMS}")
        else:
            counts["ok"] += 1
    return counts, problems


def verify_release(release_dir: Path, version: str | None = None) -> list[str]:
    """Every problem of a release directory: checksums, Data Package, metadata, the WARC files beside it.

    ``version``, when given, is the version the release must be (its ``metadata.json`` says which
    it is, whatever the folder's name). Empty when it verifies.
    """
    _status, problems = check_checksums(release_dir)
    problems += check_metadata(release_dir)
    if version is not None and (release_dir / METADATA).is_file():
        stated = load_metadata(release_dir).get("version")
        if stated != version:
            problems.append(f"{release_dir / METADATA}: the release is version {stated!r}, not {version!r}")
    problems += check_warcs(release_dir)[1]
    from warehouse.release.audit import validate_datapackage  # imports this module

    problems += validate_datapackage(release_dir)
    return problems
