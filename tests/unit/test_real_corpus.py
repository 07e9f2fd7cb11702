"""The real corpus (tests/fixtures/real/): published material read by the readers, scored.

Every case is copied from a real page, article, repository file or dataset, with its provenance
and a hand-checked answer (tests/fixtures/real/README.md). These tests check that the corpus is
what it claims to be, and guard the scores measured on it: a change that makes a reader worse on
real text fails here. ``python -m tests.real_corpus`` prints the full table and every miss.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from scrapers.procedures import CHANNELS
from tests.real_corpus import (
    STRUCTURED_FAMILIES,
    THRESHOLD,
    all_scores,
    hours_cases,
    page_cases,
    procedure_cases,
    reliability,
)

SLOT = re.compile(r"^(mo|tu|we|th|fr|sa|su) \d\d:\d\d-\d\d:\d\d( appointment)?$")
# Floors: the scores measured when they were last raised (closing notes say when). A reader change
# may raise them; it may not lower them.
FLOORS = {"hours": 0.97, "pages": 0.96, "markup": 1.0, "procedures": 0.76}
FIELD_FLOOR = 0.95


@pytest.fixture(scope="module")
def scores():
    return all_scores()


def test_the_corpus_is_large_enough_and_covers_the_languages():
    hours, pages, procedures = hours_cases(), page_cases(), procedure_cases()
    assert len(hours) >= 400 and len(pages) >= 80 and len(procedures) >= 150
    langs = Counter([c["lang"] for c in hours + procedures] + [c["language"] for c in pages])
    total = sum(langs.values())
    assert langs["fr"] / total >= 0.40, langs
    assert langs["de"] and langs["en"], langs


def test_every_case_is_real_and_says_where_it_comes_from():
    ids = []
    for case in hours_cases() + procedure_cases() + page_cases():
        source = case["source"]
        assert source.get("url") and source.get("kind") in (
            "administration page", "press article", "repository file", "open dataset"
        ), case["where"]  # fmt: skip
        assert source.get("licence"), case["where"]
        ids.append(case["id"])
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]


def test_expected_answers_are_well_formed():
    for case in hours_cases():
        want = case["expect"]
        if not want.get("no_schedule"):
            assert {"slots", "appointment_only", "closed"} <= set(want), case["where"]
        for key in ("slots", "phone_slots"):
            assert all(SLOT.match(s) for s in want.get(key, [])), case["where"]
        assert want.get("closed") in (None, "temporary", "permanent"), case["where"]
    for case in procedure_cases():
        assert set(case["expect"]) <= set(CHANNELS), case["where"]
        assert set(case["expect"].values()) <= {"available", "not_available"}, case["where"]
    for case in page_cases():
        assert case["family"] in ("html", *STRUCTURED_FAMILIES), case["where"]
        for schedule in case["schedules"]:
            assert all(SLOT.match(s) for s in schedule.get("slots", [])), case["where"]


def test_scores_do_not_fall(scores):
    shares = {key: score.share for key, score in scores.items()}
    assert all(shares[key] >= floor for key, floor in FLOORS.items()), shares
    procedures = scores["procedures"]
    assert procedures.fields_right / procedures.fields_total >= FIELD_FLOOR


def test_no_false_closure(scores):
    """No closure where the text or page announces none, at any confidence: a false closure cited
    to a minister is the worst thing the observatory can publish."""
    false = {r.id for key in ("hours", "pages") for r in scores[key].false_closures}
    assert not false, sorted(false)


def test_confidence_means_something(scores):
    """Readings that assert something (hours, appointment-only, a closure) are much more often right
    at or above the event threshold (dbt var min_reading_confidence) than below it."""
    results = [r for r in scores["hours"].results + scores["pages"].results if r.claims and r.confidence is not None]
    above = [r.right for r in results if r.confidence >= THRESHOLD]
    # Below the threshold many readings are "right" only because they abstain on a text whose answer
    # is itself unsure: the gap is measured on the readings right or wrong on their own merit.
    below = [r.right for r in results if r.confidence < THRESHOLD and not r.abstained]
    share_above, share_below = sum(above) / len(above), sum(below) / len(below)
    # Readings that can make events must be right nine times in ten, and clearly more often than
    # those below (the gap narrows as the reader learns formats: wrong readings it used to doubt
    # become right and sure). The share right must also rise with the confidence band (bands with
    # at least 20 readings; a band may sit 2 points under the one before: noise).
    assert share_above >= 0.9 and share_above - share_below >= 0.05, (share_above, share_below)
    populated = [share for _, n, share in reliability(results) if n >= 20]
    assert all(b >= a - 0.02 for a, b in zip(populated, populated[1:], strict=False)), populated
    assert sum(n for _, n, _ in reliability(results)) == len(results)
