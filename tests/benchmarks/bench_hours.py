"""Benchmark of free-text hours reading: ``read_hours_text`` strings per second on one core.

Usage: .venv/bin/python -m tests.benchmarks.bench_hours [--strings 2400] [--passes 5] [--seed 20240501]

Not a pytest test: pytest collects ``test_*.py`` only. ``--strings`` texts per pass are generated
from templates of days, times, appointment, closure and phone-line phrases in French, Dutch,
German and English (a seeded random mix, a quarter per language), and the texts of
``tests/fixtures/hours_corpus/*.jsonl`` (when present) are spread over the timed passes. One
warm-up pass, then ``--passes`` timed passes; the figure is the median pass.

Every string is distinct across the warm-up and all the passes, so no cache can answer a string
it has seen before: what is measured is reading new text. The reader does keep caches of pieces
that recur from text to text, and the warm-up fills them as any long run would: the lexer's
compiled patterns per three-letter start, slots per (day, times, access) and "HH:MM" → minutes,
and the validator's answer per OSM ``opening_hours`` string (few strings recur here: weekly
hours are recognised as valid without the validator). The process is pinned to one CPU where
the OS allows it.

Target (issue #17): median >= 20,000 strings/s (an earlier issue asked 5,000). Exits 1 if it is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

TARGET = 20_000  # strings/s
CORPUS = Path(__file__).parent.parent / "fixtures" / "hours_corpus"
LANGUAGES = ("fr", "nl", "de", "en")

# Per language: day expressions (whole phrase), how a time is written, range forms, and the
# sentences that change what the hours mean. "{a}"/"{b}" are the opening and closing times.
DAYS = {
    "fr": {
        "names": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
        "abbr": ("lu", "ma", "me", "je", "ve", "sa", "di"),
        "range": ("Du {0} au {1}", "{0}-{1}", "{0} au {1}", "De {0} à {1}"),
        "one": ("Le {0}", "{0}", "Chaque {0}", "Les {0}s"),
        "two": ("Le {0} et le {1}", "{0} et {1}", "{0}, {1}"),
    },
    "nl": {
        "names": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
        "abbr": ("ma", "di", "wo", "do", "vr", "za", "zo"),
        "range": ("Van {0} tot {1}", "{0}-{1}", "{0} t.e.m. {1}", "{0} tot en met {1}"),
        "one": ("Op {0}", "{0}", "Elke {0}", "Iedere {0}"),
        "two": ("Op {0} en {1}", "{0} en {1}", "{0}, {1}"),
    },
    "de": {
        "names": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
        "abbr": ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."),
        "range": ("Von {0} bis {1}", "{0}-{1}", "{0} bis {1}"),
        "one": ("Am {0}", "{0}", "{0}s", "Jeden {0}"),
        "two": ("Am {0} und {1}", "{0} und {1}", "{0}, {1}"),
    },
    "en": {
        "names": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "abbr": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        "range": ("{0} to {1}", "{0}-{1}", "From {0} to {1}", "{0} through {1}"),
        "one": ("On {0}", "{0}", "Every {0}", "{0}s"),
        "two": ("{0} and {1}", "On {0} and {1}", "{0}, {1}"),
    },
}
RANGES = {
    "fr": ("de {a} à {b}", "{a}-{b}", "{a} - {b}", "entre {a} et {b}"),
    "nl": ("van {a} tot {b}", "{a}-{b}", "{a} - {b}", "tussen {a} en {b}"),
    "de": ("von {a} bis {b}", "{a}-{b}", "{a} - {b}", "zwischen {a} und {b}"),
    "en": ("from {a} to {b}", "{a}-{b}", "{a} - {b}", "between {a} and {b}"),
}
AND = {"fr": " et ", "nl": " en ", "de": " und ", "en": " and "}
APPOINTMENT = {
    "fr": ("Uniquement sur rendez-vous.", "Sur rendez-vous.", "Rendez-vous obligatoire."),
    "nl": ("Enkel op afspraak.", "Uitsluitend op afspraak.", "Afspraak verplicht."),
    "de": ("Nur nach Terminvereinbarung.", "Nur mit Termin.", "Termin erforderlich."),
    "en": ("By appointment only.", "Appointments only.", "Appointment required."),
}
CLOSURE = {
    "fr": ("Fermé les jours fériés.", "Fermé le {d}.", "Temporairement fermé pour travaux."),
    "nl": ("Gesloten op feestdagen.", "Gesloten op {d}.", "Tijdelijk gesloten wegens werken."),
    "de": ("An Feiertagen geschlossen.", "Am {d} geschlossen.", "Vorübergehend geschlossen."),
    "en": ("Closed on public holidays.", "Closed on {d}.", "Temporarily closed."),
}
PHONE = {
    "fr": "Permanence téléphonique {days} {hours}",
    "nl": "Telefonisch bereikbaar {days} {hours}",
    "de": "Telefonisch erreichbar {days} {hours}",
    "en": "Phone line {days} {hours}",
}


def clock(style: int, lang: str, minutes: int) -> str:
    """One time of day, written in one of three ways pages in ``lang`` write it (``style`` 0-2)."""
    h, m = divmod(minutes, 60)
    if lang == "fr":
        forms = (f"{h}h{m:02d}" if m else f"{h}h", f"{h:02d}:{m:02d}", f"{h} h {m:02d}" if m else f"{h} h")
    elif lang == "nl":
        forms = (f"{h}u{m:02d}" if m else f"{h}u", f"{h}.{m:02d} uur", f"{h:02d}:{m:02d}")
    elif lang == "de":
        forms = (f"{h}:{m:02d} Uhr", f"{h}.{m:02d} Uhr", f"{h:02d}:{m:02d}")
    else:
        twelve = f"{(h - 1) % 12 + 1}" + (f":{m:02d}" if m else "")
        forms = (f"{twelve}{'am' if h < 12 else 'pm'}", f"{twelve} {'a.m.' if h < 12 else 'p.m.'}", f"{h:02d}:{m:02d}")
    return forms[style]


def days_phrase(rng: random.Random, lang: str) -> str:
    """A day, two days or a range of days, full names or abbreviations."""
    table = DAYS[lang]
    names = table["abbr"] if rng.random() < 0.35 else table["names"]
    kind = rng.random()
    if kind < 0.5:
        first = rng.randrange(0, 3)
        return rng.choice(table["range"]).format(names[first], names[rng.randrange(first + 2, 6)])
    if kind < 0.8:  # a single day is written in full ("Les lundis", "Montags")
        return rng.choice(table["one"]).format(table["names"][rng.randrange(0, 6)])
    first, second = sorted(rng.sample(range(6), 2))
    return rng.choice(table["two"]).format(names[first], names[second])


def hours_phrase(rng: random.Random, lang: str, style: int) -> str:
    """One or two time ranges: a morning, sometimes an afternoon too."""
    opens = rng.randrange(7 * 4, 11 * 4) * 15
    closes = opens + rng.randrange(8, 21) * 15
    form = rng.choice(RANGES[lang])
    text = form.format(a=clock(style, lang, opens), b=clock(style, lang, min(closes, 13 * 60)))
    if rng.random() < 0.5:
        opens2 = rng.randrange(13 * 4, 15 * 4) * 15
        closes2 = opens2 + rng.randrange(6, 17) * 15
        text += AND[lang] + form.format(a=clock(style, lang, opens2), b=clock(style, lang, closes2))
    return text


def hours_text(rng: random.Random, lang: str) -> str:
    """One realistic opening-hours text: one to three lines of days and hours, maybe a notice."""
    style = rng.randrange(3)  # one way of writing times per text, as on a real page
    # Mostly one line, as in the hours corpus: generated texts average ~75 characters, the corpus ~70.
    lines = [
        _sentence(f"{days_phrase(rng, lang)} {hours_phrase(rng, lang, style)}") for _ in range(rng.choice((1, 1, 1, 2)))
    ]
    extra = rng.random()
    if extra < 0.2:
        lines.append(rng.choice(APPOINTMENT[lang]))
    elif extra < 0.35:
        lines.append(rng.choice(CLOSURE[lang]).format(d=rng.choice(DAYS[lang]["names"])))
    elif extra < 0.5:
        days = days_phrase(rng, lang)
        if not days.startswith(DAYS[lang]["names"] + DAYS[lang]["abbr"]):  # "Phone line every Monday"
            days = days[0].lower() + days[1:]
        lines.append(_sentence(PHONE[lang].format(days=days, hours=hours_phrase(rng, lang, style))))
    return rng.choice((" ", "\n")).join(lines)


def _sentence(text: str) -> str:
    return text if text.endswith(".") else text + "."


def generated(n_per_language: int, n_sets: int, seed: int) -> list[list[tuple[str, str]]]:
    """``n_sets`` lists of (language, text), no text appearing twice in or across the lists."""
    rng = random.Random(seed)
    seen: set[str] = set()
    sets: list[list[tuple[str, str]]] = [[] for _ in range(n_sets)]
    for lang in LANGUAGES:
        for strings in sets:
            count = 0
            while count < n_per_language:
                text = hours_text(rng, lang)
                if text not in seen:
                    seen.add(text)
                    strings.append((lang, text))
                    count += 1
    for strings in sets:
        rng.shuffle(strings)  # a mix of languages, in a fixed order
    return sets


def corpus_texts(exclude: set[str]) -> list[tuple[str, str]]:
    """(language, text) of the hours corpus, without texts the generator also produced."""
    out: dict[str, str] = {}
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                text = case["text"]
                if text not in exclude:
                    out.setdefault(text, case.get("lang") or path.stem)
    return [(lang, text) for text, lang in out.items()]


def pin_to_one_cpu() -> str:
    """Pin the process to its first allowed CPU, where the OS supports it."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def run_pass(strings: list[tuple[str, str]], read, no_schedule) -> tuple[float, dict[str, float], int]:
    """(wall seconds, seconds per language, texts without hours) of one pass over ``strings``."""
    per_lang = dict.fromkeys(LANGUAGES, 0.0)
    empty = 0
    clock_ns = time.perf_counter_ns
    started = clock_ns()
    for lang, text in strings:
        t0 = clock_ns()
        try:
            read(text, lang)
        except no_schedule:
            empty += 1
        per_lang[lang] += clock_ns() - t0
    wall = (clock_ns() - started) / 1e9
    return wall, {lang: ns / 1e9 for lang, ns in per_lang.items()}, empty


def host_speed(strings: int = 1200, passes: int = 3, seed: int = 20240501) -> float:
    """Median strings/s of ``read_hours_text`` on one pinned core, generated strings only: a yardstick
    of the host's speed for other benchmarks (``bench_pipeline`` prints it). Pins the calling
    process: run it in a child process."""
    pin_to_one_cpu()
    warmup, *timed = generated(max(1, strings // len(LANGUAGES)), passes + 1, seed)
    from scrapers.hours import NoScheduleFound, read_hours_text

    run_pass(warmup, read_hours_text, NoScheduleFound)
    return statistics.median(len(s) / run_pass(s, read_hours_text, NoScheduleFound)[0] for s in timed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--strings", type=int, default=2400, help="generated strings per pass (all languages)")
    ap.add_argument("--passes", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20240501)
    args = ap.parse_args(argv)

    pinned = pin_to_one_cpu()
    per_language = max(1, args.strings // len(LANGUAGES))
    warmup, *passes = generated(per_language, args.passes + 1, args.seed)
    corpus = corpus_texts({text for strings in (warmup, *passes) for _, text in strings})
    for i, item in enumerate(corpus):  # each corpus text in exactly one timed pass
        passes[i % args.passes].append(item)

    # Imported after the strings are built: generation is not what is measured.
    from scrapers.hours import NoScheduleFound, read_hours_text

    all_texts = [text for strings in (warmup, *passes) for _, text in strings]
    assert len(set(all_texts)) == len(all_texts), "a string repeats: the figure would be a cache artefact"

    warm_wall, _, _ = run_pass(warmup, read_hours_text, NoScheduleFound)
    results = [run_pass(strings, read_hours_text, NoScheduleFound) for strings in passes]

    print(
        f"read_hours_text, one core ({pinned}), Python {platform.python_version()}; seed {args.seed}\n"
        f"{per_language * len(LANGUAGES)} generated strings per pass ({per_language} per language) "
        f"+ {len(corpus)} hours-corpus texts spread over the {args.passes} passes"
    )
    print(
        f"all {len(all_texts)} strings are distinct across the warm-up and the timed passes: "
        "no cache can serve a string seen before"
    )
    generated_mean = statistics.mean(len(t) for _, t in warmup)
    corpus_mean = f"{statistics.mean(len(t) for _, t in corpus):.0f}" if corpus else "-"
    print(f"mean length: generated {generated_mean:.0f} characters, corpus {corpus_mean} characters")
    print(f"warm-up                {len(warmup):6d} strings {warm_wall:7.2f} s")
    rates = []
    for i, (strings, (wall, _, empty)) in enumerate(zip(passes, results, strict=True), start=1):
        rates.append(len(strings) / wall)
        print(
            f"pass {i}                 {len(strings):6d} strings {wall:7.2f} s {rates[-1]:8.0f} strings/s"
            f"  ({empty} without hours)"
        )
    median = statistics.median(rates)
    verdict = "OK" if median >= TARGET else "MISSED"
    print(f"median of {args.passes} passes      {median:8.0f} strings/s  (target >= {TARGET}: {verdict})")
    print("per language (median of passes):")
    for lang in LANGUAGES:
        counts = [sum(1 for lg, _ in strings if lg == lang) for strings in passes]
        lang_rates = [n / r[1][lang] for n, r in zip(counts, results, strict=True) if r[1][lang]]
        mean_len = statistics.mean(len(t) for strings in passes for lg, t in strings if lg == lang)
        print(
            f"  {lang}  {statistics.median(counts):6.0f} strings/pass  {statistics.median(lang_rates):8.0f} strings/s"
            f"  (mean {mean_len:.0f} characters)"
        )
    return 0 if median >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
