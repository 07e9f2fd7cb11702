"""Check that a speed change leaves every reading as it was: record the outputs, change, compare.

Usage::

    .venv/bin/python -m tests.benchmarks.same_output record /tmp/before.jsonl
    # ... change the code ...
    .venv/bin/python -m tests.benchmarks.same_output check /tmp/before.jsonl

Not a pytest test (it compares two versions of the code, not the code with an answer). The
inputs: every text of ``tests/fixtures/real/hours_texts`` and ``tests/fixtures/hours_corpus`` read
in each of the four languages, the benchmark's generated strings (its default seed, the warm-up
and five passes of :mod:`tests.benchmarks.bench_hours`), and every page of
``tests/fixtures/real/pages`` through ``parse_page``. An output is ``read_hours_text``'s whole
dict (or the NoScheduleFound message), or every schedule's ``to_dict()`` of a page (or its error).
``check`` prints the first differences and exits 1 when any output differs.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.benchmarks import bench_hours

FIXTURES = Path(__file__).parent.parent / "fixtures"
TEXT_DIRS = (FIXTURES / "real" / "hours_texts", FIXTURES / "hours_corpus")
PAGES = FIXTURES / "real" / "pages"


def _texts() -> Iterator[tuple[str, str]]:
    """(language, text) of every input text, fixtures first, then the benchmark's strings."""
    seen: set[tuple[str, str]] = set()
    for directory in TEXT_DIRS:
        for path in sorted(directory.glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    text = json.loads(line)["text"]
                    for lang in bench_hours.LANGUAGES:
                        if (lang, text) not in seen:
                            seen.add((lang, text))
                            yield lang, text
    for strings in bench_hours.generated(2400 // len(bench_hours.LANGUAGES), 6, 20240501):
        yield from strings


def outputs() -> Iterator[tuple[str, object]]:
    """(input key, JSON-ready output) of every input."""
    from scrapers.hours import ParseError, parse_page, read_hours_text
    from scrapers.hours.model import NoScheduleFound
    from scrapers.hours.osm import schedule_document

    for lang, text in _texts():
        try:
            out: object = read_hours_text(text, lang)
        except NoScheduleFound as exc:
            out = {"NoScheduleFound": str(exc)}
        yield f"{lang}:{text}", out
    for path in sorted(PAGES.glob("*.expected.json")):
        name = path.name.removesuffix(".expected.json")
        expected = json.loads(path.read_text(encoding="utf-8"))
        html = (PAGES / f"{name}.html").read_text(encoding="utf-8")
        try:
            out = [schedule_document(s) for s in parse_page(html, language=expected["language"])]
        except ParseError as exc:
            out = {type(exc).__name__: str(exc)}
        yield f"page:{name}", out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in ("record", "check"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    command, path = args
    if command == "record":
        with open(path, "w", encoding="utf-8") as f:
            count = 0
            for key, out in outputs():
                f.write(json.dumps([key, out], ensure_ascii=False, sort_keys=True) + "\n")
                count += 1
        print(f"recorded {count} outputs in {path}")
        return 0
    recorded = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
    now = [json.loads(json.dumps([key, out], ensure_ascii=False, sort_keys=True)) for key, out in outputs()]
    differ = [(a, b) for a, b in zip(recorded, now, strict=False) if a != b]
    for (key, before), (_, after) in differ[:5]:
        print(f"DIFFERS {key!r}\n  before {json.dumps(before, ensure_ascii=False)[:600]}")
        print(f"  after  {json.dumps(after, ensure_ascii=False)[:600]}")
    if len(recorded) != len(now):
        print(f"{len(recorded)} outputs recorded, {len(now)} now")
        return 1
    print(f"{len(now) - len(differ)}/{len(now)} outputs identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
