"""The digest cache of an append-only store: a file is hashed once, and again only if it changed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from warehouse.release.digests import DigestCache


def _store(tmp_path: Path) -> Path:
    store = tmp_path / "warc"
    (store / "src").mkdir(parents=True)
    (store / "src" / "a.warc.gz").write_bytes(b"first capture")
    (store / "b.warc.gz").write_bytes(b"second capture")
    return store


def test_digests_are_right_and_remembered_beside_the_store(tmp_path: Path) -> None:
    store = _store(tmp_path)
    cache = DigestCache(store)
    assert cache.lookup("src/a.warc.gz") == (hashlib.sha256(b"first capture").hexdigest(), 13)
    cache.save()
    assert cache.path == tmp_path / ".warc-sha256.tsv"  # beside the store, never inside it
    assert DigestCache(store)._known["src/a.warc.gz"][2] == hashlib.sha256(b"first capture").hexdigest()


def test_an_unchanged_file_is_not_read_again_and_a_changed_one_is(tmp_path: Path) -> None:
    store = _store(tmp_path)
    first = DigestCache(store)
    first.lookup("b.warc.gz")
    first.save()
    target = store / "b.warc.gz"
    st = target.stat()
    # Other bytes of the same size, the time put back: the file is not read again (the digest
    # remembered stands), which is why `guichets verify` does not use the cache.
    target.write_bytes(b"SECOND CAPTURE")
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert DigestCache(store).lookup("b.warc.gz")[0] == hashlib.sha256(b"second capture").hexdigest()
    # Another size (or another time): hashed again.
    target.write_bytes(b"tampered capture!")
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert DigestCache(store).lookup("b.warc.gz")[0] == hashlib.sha256(b"tampered capture!").hexdigest()


def test_a_torn_cache_line_is_hashed_again(tmp_path: Path) -> None:
    store = _store(tmp_path)
    cache = DigestCache(store)
    cache.lookup("b.warc.gz")
    cache.save()
    cache.path.write_text(cache.path.read_text("utf-8")[:-20], "utf-8")  # cut mid-digest
    again = DigestCache(store)
    digest, _ = again.lookup("b.warc.gz")
    assert digest == hashlib.sha256(b"second capture").hexdigest()


def test_only_regular_files_inside_the_store_are_found(tmp_path: Path) -> None:
    store = _store(tmp_path)
    (tmp_path / "outside.warc.gz").write_bytes(b"not in the store")
    cache = DigestCache(store)
    assert cache.lookup("gone.warc.gz") is None  # absent
    assert cache.lookup("src") is None  # a folder
    assert cache.lookup("b.warc.gz/x") is None  # below a file
    for escape in ("../outside.warc.gz", "src/../../outside.warc.gz", str(tmp_path / "outside.warc.gz"),
                   "./b.warc.gz", "src//a.warc.gz", "src\\a.warc.gz", ""):  # fmt: skip
        assert cache.lookup(escape) is None, escape
    assert not cache._known  # nothing was hashed


def test_a_missing_store_or_folder_is_checked_once_not_per_file(tmp_path: Path) -> None:
    cache = DigestCache(tmp_path / "no-store")
    assert all(cache.lookup(f"src/{i}.warc.gz") is None for i in range(3))
    assert cache.lookup("top.warc.gz") is None
    assert cache._absent == {"src", ""}
    store = _store(tmp_path)
    cache = DigestCache(store)
    assert cache.lookup("gone/a.warc.gz") is None and cache.lookup("src/gone.warc.gz") is None
    assert cache._absent == {"gone"}  # src exists: only the file was missing
    assert cache.lookup("src/a.warc.gz") is not None


def test_cited_files_the_store_lacks_are_listed_apart_never_hashed(tmp_path: Path) -> None:
    import duckdb

    from warehouse.release.layout import WARC_MISSING, WARC_SUMS, table_path
    from warehouse.release.publish import _write_warc_sums

    store = _store(tmp_path)
    staging = tmp_path / "staging"
    captures = table_path(staging, "marts.captures")
    captures.parent.mkdir(parents=True)
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT * FROM (VALUES ('c1', 'src/a.warc.gz'), ('c2', 'gone/z.warc.gz'), ('c3', 'gone/y.warc.gz'),"
            f" ('c4', NULL)) AS t(capture_id, warc_file)) TO '{captures}' (FORMAT parquet)"
        )
    summary = _write_warc_sums(staging, store)
    # A count in metadata.json and the names in a file of their own: metadata stays small at any scale.
    assert summary == {"store": "../warc/", "sums": WARC_SUMS, "files": 1, "bytes": 13,
                       "missing": 2, "missing_list": WARC_MISSING}  # fmt: skip
    assert (staging / WARC_MISSING).read_text() == "gone/y.warc.gz\ngone/z.warc.gz\n"
    assert (staging / WARC_SUMS).read_text() == f"{hashlib.sha256(b'first capture').hexdigest()}  src/a.warc.gz\n"


def test_publish_refuses_a_listed_warc_name_outside_the_store(tmp_path: Path) -> None:
    from warehouse.release.layout import WARC_SUMS
    from warehouse.release.publish import StagedRelease, _publish_warcs

    evidence = _store(tmp_path)
    staging = tmp_path / "releases" / ".staging-x"
    staging.mkdir(parents=True)
    digest = hashlib.sha256(b"second capture").hexdigest()
    (staging / WARC_SUMS).write_text(f"{digest}  ../b.warc.gz\n", "utf-8")
    staged = StagedRelease("v", staging, staging.parent, False, evidence)
    with pytest.raises(RuntimeError, match=r"'\.\./b\.warc\.gz' is outside the WARC store"):
        _publish_warcs(staged)
    assert not (tmp_path / "releases" / "b.warc.gz").exists()  # where the name would have reached
