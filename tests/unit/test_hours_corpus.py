"""The opening-hours corpus: ≥ 200 texts in French, Dutch, German and English with their meaning.

Every case of ``tests/fixtures/hours_corpus/*.jsonl`` (format: README.md there) goes through
``read_hours_text`` — what ``guichets hours parse --json`` prints. A case marked ``"xfail"``
carries the reason the parser still gets it wrong; it is reported, never hidden, and the share
of exact matches on (slots, appointment_only, closed) must stay ≥ 95% over the whole corpus.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scrapers.hours import read_hours_text
from scrapers.hours.model import ACCESS_APPOINTMENT, NoScheduleFound

CORPUS = Path(__file__).parents[1] / "fixtures" / "hours_corpus"
SLOT = re.compile(r"^(mo|tu|we|th|fr|sa|su) \d\d:\d\d-\d\d:\d\d( appointment)?$")
KEYS = {"slots", "appointment_only", "closed", "phone_slots", "low_confidence", "no_schedule", "regimes",
        "exceptions", "valid_from"}  # fmt: skip


def _cases() -> list[dict]:
    cases = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                case = json.loads(line)
                case["where"] = f"{path.name}:{n}"
                cases.append(case)
    return cases


CASES = _cases()


def compact(slots: list[dict]) -> list[str]:
    """Slots as the corpus writes them: "mo 09:00-12:00" / "we 13:00-16:00 appointment"."""
    return [f"{s['day']} {s['opens']}-{s['closes']}" + (" appointment" if s["access"] == ACCESS_APPOINTMENT else "")
            for s in slots]  # fmt: skip


def reading_of(case: dict) -> dict | None:
    """What the parser reads (None for "no schedule"), in the corpus's terms."""
    try:
        got = read_hours_text(case["text"], case["lang"])
    except NoScheduleFound:
        return None
    return {
        "slots": compact(got["slots"]),
        "appointment_only": got["appointment_only"],
        "closed": got["closed"],
        "phone_slots": compact(got["phone_slots"]),
        "low_confidence": got["confidence"] <= 0.5,
        "no_schedule": False,
        "regimes": [{"kind": r["kind"], "slots": compact(r["slots"]), "closed": r["closed"]} for r in got["regimes"]],
        "exceptions": [{"kind": r["kind"], "slots": compact(r["slots"])} for r in got["exceptions"]],
        "valid_from": got["valid_from"],
    }


def _core(reading: dict | None) -> tuple | None:
    if reading is None:
        return None
    return (reading["slots"], reading["appointment_only"], reading["closed"])


def _expected_core(expect: dict) -> tuple | None:
    if expect.get("no_schedule"):
        return None
    return (expect["slots"], expect["appointment_only"], expect["closed"])


def test_corpus_is_large_well_formed_and_covers_four_languages() -> None:
    assert len(CASES) >= 200
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    assert {c["lang"] for c in CASES} == {"fr", "nl", "de", "en"}
    for case in CASES:
        expect = case["expect"]
        assert set(expect) <= KEYS, case["where"]
        assert expect.get("no_schedule") or {"slots", "appointment_only", "closed"} <= set(expect), case["where"]
        for slot in expect.get("slots", []) + expect.get("phone_slots", []):
            assert SLOT.match(slot), f"{case['where']}: {slot!r}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_corpus_case(case: dict) -> None:
    if case.get("xfail"):
        pytest.xfail(case["xfail"])
    expect = case["expect"]
    got = reading_of(case)
    if expect.get("no_schedule"):
        assert got is None, f"{case['where']}: expected no schedule, got {got}"
        return
    assert got is not None, f"{case['where']}: NoScheduleFound for {case['text']!r}"
    for key, want in expect.items():
        if key == "low_confidence":
            assert got[key] == want, f"{case['where']}: low_confidence expected {want}"
        else:
            assert got[key] == want, f"{case['where']} {key}: {case['text']!r}"


def test_exact_match_on_slots_appointment_and_closure_is_at_least_95_percent() -> None:
    matches = [_core(reading_of(c)) == _expected_core(c["expect"]) for c in CASES]
    share = sum(matches) / len(matches)
    misses = [c["id"] for c, ok in zip(CASES, matches, strict=True) if not ok]
    assert share >= 0.95, f"exact match {share:.1%}; misses: {misses}"
    marked = {c["id"] for c in CASES if c.get("xfail")}
    assert set(misses) <= marked, f"cases that fail without an xfail reason: {sorted(set(misses) - marked)}"
