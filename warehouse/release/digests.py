"""SHA-256 digests of the files of an append-only store, remembered between releases.

A national evidence store holds a WARC file per capture (1.6 M at 20,000 counters x 400 weeks):
hashing all of them for every release would read gigabytes that have not changed, since a WARC
file never changes once written. :class:`DigestCache` keeps each file's digest with the size and
modification time it had when hashed, in a tab-separated file beside the store (never inside
it: the release store is published as it is), and hashes again only a file that is new or whose
size or time differs. ``guichets verify`` does not use it: verification reads every byte.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from warehouse.release.layout import sha256


def is_store_name(name: str) -> bool:
    """Whether ``name`` is a plain path relative to a store: not absolute, no ``.``, ``..`` or empty
    part, no backslash (a WARC file's name comes from the captures table: it must not reach outside)."""
    return bool(name) and "\\" not in name and all(p not in ("", ".", "..") for p in name.split("/"))


class DigestCache:
    """Digests of the files under ``store`` (paths relative to it), cached in ``<parent>/.<name>-sha256.tsv``."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self._root = str(store)
        self._absent: set[str] = set()  # folders (relative to the store) found missing
        self.path = store.with_name(f".{store.name}-sha256.tsv")
        self._known: dict[str, tuple[int, int, str]] = {}
        self._changed = False
        try:
            lines = self.path.read_text("utf-8").splitlines()
        except FileNotFoundError:
            lines = []
        for line in lines:
            parts = line.split("\t")
            # (a torn line, cut by a crash or a full disk, is left out: its file is hashed again)
            if len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit() and len(parts[3]) == 64:
                self._known[parts[0]] = (int(parts[1]), int(parts[2]), parts[3])

    def lookup(self, name: str) -> tuple[str, int] | None:
        """The SHA-256 and size of ``store/name`` (from the cache if its size and time match), or
        None when no regular file of the store has that name.

        One ``stat`` per name, not a walk of the store: a week cites every file of a national
        store (1.6 M), and a walk plus a ``Path.stat`` each took 2 s per 160,000 files, against
        0.4 s for ``os.stat`` on the joined name. A name that is not :func:`is_store_name` is no file
        of the store, whatever it would reach.
        """
        folder = name.rpartition("/")[0]
        if folder in self._absent:  # (first: no file is there, whatever the name; 1.5 µs less per name)
            return None
        if not is_store_name(name):
            return None
        try:
            st = os.stat(f"{self._root}/{name}")
        except (FileNotFoundError, NotADirectoryError):
            # A folder found absent is not asked again: an empty or lost store costs one check per
            # folder, not one per cited file. (Publishing creates folders while it holds the cache,
            # but only to copy files it found absent, each named once.)
            if not os.path.isdir(f"{self._root}/{folder}"):
                self._absent.add(folder)
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        known = self._known.get(name)
        if known is not None and known[:2] == (st.st_size, st.st_mtime_ns):
            return known[2], st.st_size
        digest = sha256(self.store / name)
        self._known[name] = (st.st_size, st.st_mtime_ns, digest)
        self._changed = True
        return digest, st.st_size

    def save(self) -> None:
        """Write the cache back (to a temporary file renamed into place) if a digest was added."""
        if not self._changed:
            return
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text("".join(f"{n}\t{s}\t{m}\t{d}\n" for n, (s, m, d) in sorted(self._known.items())), "utf-8")
        os.replace(tmp, self.path)
        self._changed = False
