"""Evidence and releases on object storage, through fsspec: ``file://`` (the data directory itself,
the default) or ``s3://bucket/prefix`` (any S3-compatible store) in production.

``GUICHETS_STORAGE_URL`` names the store. With the default, nothing is copied: the data directory
is the store, and ``make run`` needs no server. Otherwise, once a release is published,
:func:`store_run` copies under the URL what a remote worker or a reader elsewhere needs, with the
same relative paths as in the data directory:

- ``evidence/warc/...``: the WARC files (immutable once written: a file already stored with the
  same size is not sent again);
- ``collected/...``: the capture files (one JSON per capture, small; same rule);
- ``releases/<version>/...`` and ``releases/LATEST`` (the ``latest`` pointer as a one-line file:
  object stores have no symlinks).

Between tasks, the store is the channel: each collect task sends its capture files and their WARCs
as soon as they are written (:func:`push_captures`), and the load task fetches those it does not
hold (:func:`pull_captures`), so a collect worker on another machine needs no folder shared with
the warehouse machine.

S3 settings come from the environment as boto reads them (``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``) plus ``GUICHETS_S3_ENDPOINT_URL`` for a store other than AWS.
"""

from __future__ import annotations

import os
from pathlib import Path

from warehouse.settings import LATEST

STORAGE_URL_ENV = "GUICHETS_STORAGE_URL"
S3_ENDPOINT_ENV = "GUICHETS_S3_ENDPOINT_URL"


def storage_url(data_dir: Path) -> str:
    """The configured store's URL (no trailing slash); ``file://<data dir>`` by default."""
    return (os.environ.get(STORAGE_URL_ENV) or Path(data_dir).resolve().as_uri()).rstrip("/")


def filesystem(url: str):
    """The fsspec filesystem of ``url`` and the path within it."""
    import fsspec

    options: dict = {"auto_mkdir": True} if url.startswith("file://") else {}
    if url.startswith("s3://") and os.environ.get(S3_ENDPOINT_ENV):
        options["client_kwargs"] = {"endpoint_url": os.environ[S3_ENDPOINT_ENV]}
    fs, path = fsspec.core.url_to_fs(url, **options)
    return fs, path


def upload_tree(local: Path, url: str, *, skip_same_size: bool = True) -> int:
    """Copy every file under ``local`` to ``url`` (same relative paths); returns the files sent.

    With ``skip_same_size``, a file already stored with the same size is not sent again (for
    immutable files: WARCs, capture files, a published release).
    """
    fs, root = filesystem(url)
    existing: dict[str, int] = {}
    if skip_same_size and fs.exists(root):
        existing = {p: int(info.get("size") or 0) for p, info in fs.find(root, detail=True).items()}
    sent = 0
    for path in sorted(p for p in Path(local).rglob("*") if p.is_file()):
        target = f"{root}/{path.relative_to(local).as_posix()}"
        if existing.get(target.lstrip("/")) == path.stat().st_size or existing.get(target) == path.stat().st_size:
            continue
        fs.put_file(str(path), target)
        sent += 1
    return sent


def _store_of(data_dir: Path) -> str | None:
    """The configured store's URL, or None when the store is the data directory itself."""
    url = storage_url(data_dir)
    return None if url == Path(data_dir).resolve().as_uri().rstrip("/") else url


def _with_evidence(data_dir: Path, capture_files: list[str]) -> list[str]:
    """The capture files (relative to the data directory) and the WARC files they cite."""
    import json

    out = set(capture_files)
    for rel in capture_files:
        warc = json.loads((Path(data_dir) / rel).read_text(encoding="utf-8"))["capture"].get("warc_file")
        if warc:
            out.add(warc)
    return sorted(out)


def push_captures(data_dir: Path, capture_files: list[str]) -> int:
    """Send a collect task's capture files (relative to the data directory) and the WARC files
    they cite to the store, as soon as they are written: a worker on another machine hands its
    captures to the warehouse through the store, not through a shared folder. Files the store
    already holds with the same size are not sent again (they never change once written).
    Nothing to do when the store is the data directory. Returns the files sent."""
    url = _store_of(data_dir)
    if url is None:
        return 0
    fs, root = filesystem(url)
    sent = 0
    for rel in _with_evidence(data_dir, capture_files):
        local, target = Path(data_dir) / rel, f"{root}/{rel}"
        if fs.exists(target) and int(fs.info(target).get("size") or -1) == local.stat().st_size:
            continue
        fs.put_file(str(local), target)
        sent += 1
    return sent


def pull_captures(data_dir: Path, capture_files: list[str]) -> int:
    """Fetch from the store the capture files (relative to the data directory) that this machine
    does not hold, and the WARC files they cite: the warehouse machine's side of
    :func:`push_captures`, before the load. Nothing to do when the store is the data directory.
    Returns the files fetched."""
    url = _store_of(data_dir)
    if url is None:
        return 0
    fs, root = filesystem(url)

    def fetch(files: list[str]) -> list[str]:
        absent = [rel for rel in files if not (Path(data_dir) / rel).is_file()]
        for rel in absent:
            (Path(data_dir) / rel).parent.mkdir(parents=True, exist_ok=True)
            fs.get_file(f"{root}/{rel}", str(Path(data_dir) / rel))
        return absent

    captures = fetch(capture_files)
    # then the WARC files the fetched capture files cite (those of the others are already here)
    return len(captures) + len(fetch(_with_evidence(data_dir, captures)))


def store_run(data_dir: Path, warc_dir: Path, collected_dir: Path, release_dir: Path) -> dict[str, int]:
    """Copy the evidence, the capture files and the published release to the configured store;
    nothing when the store is the data directory itself. Returns the files sent per kind."""
    url = _store_of(data_dir)
    if url is None:
        return {}
    data_dir = Path(data_dir).resolve()
    release_dir = Path(release_dir).resolve()
    sent = {
        "warc": upload_tree(warc_dir, f"{url}/{Path(warc_dir).resolve().relative_to(data_dir).as_posix()}"),
        "collected": upload_tree(
            collected_dir, f"{url}/{Path(collected_dir).resolve().relative_to(data_dir).as_posix()}"
        ),
        "release": upload_tree(release_dir, f"{url}/releases/{release_dir.name}"),
    }
    fs, root = filesystem(f"{url}/releases/{LATEST.upper()}")
    fs.pipe_file(root, (release_dir.name + "\n").encode())  # written last: the release is whole
    return sent
