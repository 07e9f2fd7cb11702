"""Score the readers on the real corpus (tests/fixtures/real/): per family, closures, reliability.

``python -m tests.real_corpus`` prints the score table and the confidence reliability table
(confidence band → share of readings right); ``tests/unit/test_real_corpus.py`` asserts the floors.
The labelling rules and the provenance of every case are in tests/fixtures/real/README.md.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from scrapers.hours import MARKUP_TEXT_DISAGREE, parse_page, read_hours_text
from scrapers.hours.model import ACCESS_APPOINTMENT, CounterSchedule, NoScheduleFound, ParseError
from scrapers.hours.osm import schedule_document
from scrapers.procedures import CHANNELS, read_channels
from scrapers.text import fold
from warehouse.transform import dbt_vars

REAL = Path(__file__).parent / "fixtures" / "real"
HOURS_DIR, PAGES_DIR, PROCEDURES_DIR = REAL / "hours_texts", REAL / "pages", REAL / "procedure_sentences"
# The confidence below which a reading creates no closure and no downgrade (dbt var
# min_reading_confidence, dbt/dbt_project.yml): the same number, read from there.
THRESHOLD = float(dbt_vars()["min_reading_confidence"])
# Confidence bands of the reliability table: (low, high], the last one closed.
BANDS = ((0.0, 0.3), (0.3, 0.5), (0.5, 0.6), (0.6, 0.8), (0.8, 0.9), (0.9, 1.0))
STRUCTURED_FAMILIES = ("jsonld", "microdata", "rdfa", "cms-json", "osm")


def compact(slots: list[dict]) -> list[str]:
    """Slots as the corpus writes them: "mo 09:00-12:00" / "we 13:00-16:00 appointment"."""
    return [f"{s['day']} {s['opens']}-{s['closes']}" + (" appointment" if s["access"] == ACCESS_APPOINTMENT else "")
            for s in slots]  # fmt: skip


def _jsonl(directory: Path) -> list[dict]:
    cases = []
    for path in sorted(directory.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                case = json.loads(line)
                case["where"] = f"{path.relative_to(REAL)}:{n}"
                cases.append(case)
    return cases


def hours_cases() -> list[dict]:
    """Every real hours text with its expected reading."""
    return _jsonl(HOURS_DIR)


def procedure_cases() -> list[dict]:
    """Every real procedure sentence with the channels it states."""
    return _jsonl(PROCEDURES_DIR)


def page_cases() -> list[dict]:
    """Every real page: its HTML and its expected schedules (``NAME.expected.json``)."""
    cases = []
    for path in sorted(PAGES_DIR.glob("*.expected.json")):
        name = path.name.removesuffix(".expected.json")
        case = json.loads(path.read_text(encoding="utf-8"))
        case.update(id=name, where=f"pages/{path.name}", html=(PAGES_DIR / f"{name}.html").read_text(encoding="utf-8"))
        cases.append(case)
    return cases


@dataclass
class Result:
    """One reading scored against its hand-checked answer."""

    id: str
    family: str
    lang: str
    right: bool
    confidence: float | None = None
    false_closure: bool = False  # read closed where the answer is not closed
    missed_closure: bool = False  # the answer is closed, the reading is not
    detail: str = ""
    claims: bool = False  # the reading asserts something: hours, appointment-only or a closure
    abstained: bool = False  # right only by abstaining (low confidence on a text labelled unsure)


@dataclass
class Score:
    """Results of one family."""

    family: str
    results: list[Result] = field(default_factory=list)
    fields_right: int = 0  # procedures: channel fields
    fields_total: int = 0

    @property
    def share(self) -> float:
        return sum(r.right for r in self.results) / len(self.results) if self.results else 0.0

    @property
    def false_closures(self) -> list[Result]:
        return [r for r in self.results if r.false_closure]

    @property
    def missed_closures(self) -> list[Result]:
        return [r for r in self.results if r.missed_closure]


def score_hours(cases: list[dict]) -> Score:
    """Exact match on (slots, appointment_only, closed); an ambiguous text (``low_confidence``
    expected) is also right when the reader abstains (confidence below the event threshold, so the
    reading is unknown for events) without a wrong closure."""
    score = Score("hours texts")
    for case in cases:
        want = case["expect"]
        try:
            got = read_hours_text(case["text"], case["lang"])
        except NoScheduleFound:
            got = None
        if want.get("no_schedule"):
            right = got is None or (not got["slots"] and got["closed"] is None and not got["appointment_only"])
            closed = got["closed"] if got else None
            detail = "" if right else f"read {compact(got['slots'])} closed={closed}"
            confidence = got["confidence"] if got else None
            result = Result(
                case["id"], score.family, case["lang"], right, confidence, closed is not None, False, detail
            )
            score.results.append(result)
            continue
        if got is None:
            # "Nothing read" is the reading ([], False, None): right when that is the answer.
            right = (want["slots"], want["appointment_only"], want["closed"]) == ([], False, None)
            missed = want["closed"] is not None
            score.results.append(
                Result(case["id"], score.family, case["lang"], right, None, False, missed, "no schedule")
            )
            continue
        reading = (compact(got["slots"]), got["appointment_only"], got["closed"])
        expected = (want["slots"], want["appointment_only"], want["closed"])
        # Below the event threshold a reading is unknown for events: abstaining on an ambiguous text.
        abstained = want.get("low_confidence") and got["confidence"] < THRESHOLD and got["closed"] == want["closed"]
        right = reading == expected or bool(abstained)
        score.results.append(Result(
            case["id"], score.family, case["lang"], right, got["confidence"],
            false_closure=want["closed"] is None and got["closed"] is not None,
            missed_closure=want["closed"] is not None and got["closed"] != want["closed"],
            detail="" if right else f"read {reading}, expected {expected}",
            claims=bool(got["slots"] or got["closed"] or got["appointment_only"]),
            abstained=bool(abstained) and reading != expected,
        ))  # fmt: skip
    return score


def _page_row(schedule: CounterSchedule) -> dict:
    row = schedule_document(schedule)
    row["slots"] = compact(row["slots"])
    return row


def _matches(want: dict, got: dict) -> bool:
    if want.get("markup_text_disagree"):
        # Markup and visible text disagree: the reader must say so, not pick one.
        return got["closed"] == want.get("closed") and any(MARKUP_TEXT_DISAGREE in u for u in got["unparsed"])
    keys = [k for k in ("channel", "slots", "appointment_only", "closed") if k in want]
    if want.get("hours_not_published"):
        return (
            not got["slots"]
            and got["closed"] is None
            and got.get("channel", "counter") == want.get("channel", "counter")
        )
    return all(got.get(k) == want[k] for k in keys)


def _same_name(want: str | None, got: str | None) -> bool:
    if not want or not got:
        return False
    a, b = fold(want), fold(got)
    return a == b or a in b or b in a


def score_pages(cases: list[dict], families: tuple[str, ...] | None = None) -> Score:
    """A page is right when every office or phone line it states is read as stated (the keys given
    for it), and no other counter schedule with hours or a closure is read."""
    label = "pages (structured markup)" if families == STRUCTURED_FAMILIES else "pages"
    score = Score(label)
    for case in cases:
        if families is not None and case.get("family", "html") not in families:
            continue
        try:
            found = [_page_row(s) for s in parse_page(case["html"], language=case["language"])]
        except (NoScheduleFound, ParseError) as exc:
            right = case.get("expect_error") == type(exc).__name__ or not case["schedules"]
            missed = any(w.get("closed") for w in case["schedules"])
            score.results.append(Result(case["id"], label, case["language"], right, None, missed_closure=missed,
                                        detail="" if right else f"{type(exc).__name__}: {exc}"))  # fmt: skip
            continue
        wanted = list(case["schedules"])
        unmatched = list(range(len(found)))
        problems: list[str] = []
        false_closure = missed = False
        for want in wanted:
            pick = next((i for i in unmatched if _same_name(want.get("name"), found[i]["name"])
                         and found[i]["channel"] == want.get("channel", "counter")), None)  # fmt: skip
            if pick is None:
                pick = next((i for i in unmatched if found[i]["channel"] == want.get("channel", "counter")), None)
            if pick is None:
                problems.append(f"not read: {want.get('name')}")
                missed = missed or bool(want.get("closed"))
                continue
            unmatched.remove(pick)
            got = found[pick]
            false_closure = false_closure or (not want.get("closed") and got["closed"] is not None)
            missed = missed or (bool(want.get("closed")) and got["closed"] != want["closed"])
            if not _matches(want, got):
                problems.append(
                    f"{want.get('name')}: read {[got.get(k) for k in ('slots', 'appointment_only', 'closed')]}"
                )
        for i in unmatched:
            extra = found[i]
            if extra["slots"] or extra["closed"]:
                problems.append(
                    f"extra: {extra['name']} {extra['channel']} {extra['slots'][:3]} closed={extra['closed']}"
                )
                false_closure = false_closure or extra["closed"] is not None
        confidence = min((f["confidence"] for f in found), default=None)
        detail = "; ".join(problems)
        claims = any(f["slots"] or f["closed"] or f["appointment_only"] for f in found)
        result = Result(case["id"], label, case["language"], not problems, confidence, false_closure, missed, detail)
        result.claims = claims
        score.results.append(result)
    return score


def score_procedures(cases: list[dict]) -> Score:
    """Channel fields right (each of the seven per sentence; unstated ones are ``not_stated``)."""
    score = Score("procedure sentences")
    for case in cases:
        got = {k: v.status for k, v in read_channels(case["text"], case["lang"]).items()}
        want = case["expect"]
        wrong = [f"{c}: read {got.get(c, 'not_stated')}, expected {want.get(c, 'not_stated')}"
                 for c in CHANNELS if got.get(c, "not_stated") != want.get(c, "not_stated")]  # fmt: skip
        score.fields_total += len(CHANNELS)
        score.fields_right += len(CHANNELS) - len(wrong)
        score.results.append(Result(case["id"], score.family, case["lang"], not wrong, detail="; ".join(wrong)))
    return score


def reliability(results: list[Result]) -> list[tuple[str, int, float | None]]:
    """Confidence band → (readings, share right), over the readings that assert something (hours,
    appointment-only, a closure): what the confidence must predict before events are drawn."""
    rows = []
    for low, high in BANDS:
        inside = [r for r in results if r.claims and r.confidence is not None and low < r.confidence <= high]
        rows.append(
            (f"({low:.1f}, {high:.1f}]", len(inside), sum(r.right for r in inside) / len(inside) if inside else None)
        )
    return rows


def all_scores() -> dict[str, Score]:
    """Every family scored."""
    pages = page_cases()
    return {
        "hours": score_hours(hours_cases()),
        "pages": score_pages(pages),
        "markup": score_pages(pages, STRUCTURED_FAMILIES),
        "procedures": score_procedures(procedure_cases()),
    }


def main() -> None:
    """Print the scores, closures, reliability table and every miss (with --misses).

    The pages' reading speed is measured apart, on one core: ``python -m tests.benchmarks.bench_pages``.
    """
    scores = all_scores()
    print(f"{'family':<28}{'cases':>7}{'right':>8}{'share':>9}  false closures (≥{THRESHOLD}) / all, missed closures")
    for s in scores.values():
        high = [r for r in s.false_closures if r.confidence is None or r.confidence >= THRESHOLD]
        print(f"{s.family:<28}{len(s.results):>7}{sum(r.right for r in s.results):>8}{s.share:>9.1%}"
              f"  {len(high)} / {len(s.false_closures)}, {len(s.missed_closures)}")  # fmt: skip
    proc = scores["procedures"]
    if proc.fields_total:
        print(f"procedure channel fields right: {proc.fields_right}/{proc.fields_total} "
              f"({proc.fields_right / proc.fields_total:.1%})")  # fmt: skip
    by_lang: dict[str, list[Result]] = {}
    for r in scores["hours"].results:
        by_lang.setdefault(r.lang, []).append(r)
    print("hours texts by language: " + ", ".join(
        f"{lang} {sum(r.right for r in rs)}/{len(rs)}" for lang, rs in sorted(by_lang.items())))  # fmt: skip
    print("\nreliability (hours texts and pages, readings that assert hours, appointment-only or a closure):")
    print("  confidence band → readings, share right")
    for band, n, share in reliability(scores["hours"].results + scores["pages"].results):
        print(f"  {band:<12}{n:>6}  {'—' if share is None else f'{share:.1%}'}")
    if "--misses" in sys.argv:
        for s in scores.values():
            for r in s.results:
                if not r.right:
                    print(f"MISS {r.id} [{r.confidence}] {r.detail}")


if __name__ == "__main__":
    main()
