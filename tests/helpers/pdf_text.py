"""The text of each page of a PDF printed by Chromium, without a PDF library.

Chromium (Skia) writes PDF 1.4 with plain ``N 0 obj`` objects, Flate-compressed content streams,
Type0 fonts with Identity-H encoding and a ``ToUnicode`` CMap per font: enough to read back
which text is on which page (e.g. that the running banner is on every one). Not a general PDF
reader: text order within a page follows the content stream, and spacing is approximate.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

_OBJ = re.compile(rb"(\d+)\s+0\s+obj\b(.*?)\bendobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_REF = rb"(\d+)\s+0\s+R"


def _objects(data: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in _OBJ.finditer(data)}


def _stream(obj: bytes) -> bytes:
    m = _STREAM.search(obj)
    if not m:
        return b""
    raw = m.group(1)
    head = obj[: m.start()]
    return zlib.decompress(raw) if b"/FlateDecode" in head else raw


def _dict_entry(obj: bytes, key: bytes, objects: dict[int, bytes]) -> bytes:
    """The value of ``/key`` in ``obj`` (following one indirect reference), as raw bytes."""
    m = re.search(rb"/" + key + rb"\s*(<<|\[|" + _REF + rb")", obj)
    if not m:
        return b""
    if m.group(1) == b"<<":
        return _balanced(obj, m.start(1), b"<<", b">>")
    if m.group(1) == b"[":
        return _balanced(obj, m.start(1), b"[", b"]")
    return objects.get(int(m.group(2)), b"")


def _balanced(data: bytes, start: int, open_: bytes, close: bytes) -> bytes:
    """``data[start:]`` up to the delimiter closing the one at ``start`` (nested ones included)."""
    depth, i = 0, start
    while i < len(data):
        if data.startswith(open_, i):
            depth, i = depth + 1, i + len(open_)
        elif data.startswith(close, i):
            depth, i = depth - 1, i + len(close)
            if depth == 0:
                return data[start:i]
        else:
            i += 1
    return data[start:]


def _cmap(data: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int.from_bytes(bytes.fromhex(dst.decode()), "big")
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(start + i)
    return out


def page_texts(path: Path) -> list[str]:
    """The text of every page of ``path``, in page order."""
    data = Path(path).read_bytes()
    objects = _objects(data)
    cmaps: dict[int, dict[int, str]] = {}

    def font_map(ref: int) -> dict[int, str]:
        if ref not in cmaps:
            tounicode = re.search(rb"/ToUnicode\s+" + _REF, objects.get(ref, b""))
            cmaps[ref] = _cmap(_stream(objects[int(tounicode.group(1))])) if tounicode else {}
        return cmaps[ref]

    # Pages in document order: follow the page tree from the catalog's /Pages.
    catalog = next(o for o in objects.values() if re.search(rb"/Type\s*/Catalog\b", o))
    order: list[int] = []

    def walk(num: int) -> None:
        obj = objects[num]
        if re.search(rb"/Type\s*/Pages\b", obj):
            kids = re.search(rb"/Kids\s*\[(.*?)\]", obj, re.S).group(1)
            for kid in re.findall(_REF, kids):
                walk(int(kid))
        else:
            order.append(num)

    walk(int(re.search(rb"/Pages\s+" + _REF, catalog).group(1)))
    texts = []
    for num in order:
        page = objects[num]
        resources = _dict_entry(page, b"Resources", objects)
        fonts = _dict_entry(resources, b"Font", objects)
        font_refs = {name: int(ref) for name, ref in re.findall(rb"/(\w+)\s+" + _REF, fonts)}
        contents = _dict_entry(page, b"Contents", objects)
        refs = [int(r) for r in re.findall(_REF, contents)] if contents.startswith(b"[") else None
        streams = [_stream(objects[r]) for r in refs] if refs else [_stream(contents)]
        chars: list[str] = []
        current: dict[int, str] = {}
        for stream in streams:
            for m in re.finditer(rb"/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>|\bET\b", stream):
                if m.group(1) is not None:
                    current = font_map(font_refs.get(m.group(1), -1)) if m.group(1) in font_refs else {}
                elif m.group(2) is not None:
                    hexes = m.group(2).decode()
                    chars.extend(current.get(int(hexes[i : i + 4], 16), "") for i in range(0, len(hexes), 4))
                else:
                    chars.append(" ")
        texts.append("".join(chars))
    return texts
