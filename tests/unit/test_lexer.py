"""The hours lexer (scrapers.hours.timetext) tries at each place only the phrases that can start
with the characters there: it must give exactly the tokens of one alternation of every phrase."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scrapers.hours import timetext as tt

FIXTURES = Path(__file__).parents[1] / "fixtures"


def _one_alternation(language: str) -> re.Pattern[str]:
    """The lexer as one regular expression, every alternative at every word start (slow)."""
    alternatives = [p if n == "NUMERIC" else f"(?:{p})(?P<{n}>)" for n, p in tt._alternatives(language)]
    return re.compile(r"(?:(?<!\w)|(?=[^\w ]))(?:" + "|".join(alternatives) + ")")


def _texts() -> list[str]:
    texts = []
    for path in sorted([*FIXTURES.glob("hours_corpus/*.jsonl"), *FIXTURES.glob("real/hours_texts/*.jsonl")]):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(tt.clean(json.loads(line)["text"]).lower())
    return texts


@pytest.mark.parametrize("language", tt.LANGUAGES)
def test_dispatching_lexer_matches_one_alternation(language: str) -> None:
    reference = _one_alternation(language)
    texts = _texts()
    assert len(texts) > 900
    for text in texts:
        want = [(m.lastgroup, m.span()) for m in reference.finditer(text)]
        got = [(m.lastgroup, m.span()) for m in tt._LEXERS[language].finditer(text)]
        assert got == want, text


@pytest.mark.parametrize("language", tt.LANGUAGES)
def test_dispatching_lexer_matches_one_alternation_on_altered_text(language: str) -> None:
    """Pieces of the corpus with characters changed, cut anywhere (a token's first characters at the
    very end of the text): what the lexer's prefix dispatch must get right too."""
    import random

    rng = random.Random(language)
    reference, texts = _one_alternation(language), _texts()
    alphabet = "abcdefghijklmnopqrstuvwxyzàéèçôüäöß0123456789 .,:;-/'()+&\n"
    for _ in range(300):
        text = rng.choice(texts)
        start = rng.randrange(len(text))
        chars = list(text[start : start + rng.randrange(1, 100)])
        for _ in range(rng.randrange(4)):
            chars[rng.randrange(len(chars))] = rng.choice(alphabet)
        piece = "".join(chars)
        want = [(m.lastgroup, m.span()) for m in reference.finditer(piece)]
        assert [(m.lastgroup, m.span()) for m in tt._LEXERS[language].finditer(piece)] == want, piece


def test_clean_runs_its_substitutions_wherever_they_change_something() -> None:
    """clean() tries each substitution only where a quick test finds what it changes: on altered
    corpus text (odd characters included), the result is that of trying every one always."""
    import random

    def always(text: str) -> str:
        text = tt._SPACES.sub(" ", text.translate(tt._CHAR_MAP))
        text = tt._GLUED_DAY.sub(r"\1 ", tt._GLUED_TO.sub(" ", tt._LINE_BREAKS.sub("\n", text)))
        return tt._SLASH_TIMES.sub(" / ", text).strip()

    rng = random.Random(7)
    raw = []
    for path in sorted([*FIXTURES.glob("hours_corpus/*.jsonl"), *FIXTURES.glob("real/hours_texts/*.jsonl")]):
        raw += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    odd = "0123456789àbistotLUNDIMaandagſKİı/ \t\r\n\u2013\u2019\u00a0\u202f`'-"
    for _ in range(3000):
        chars = list(rng.choice(raw)[:120])
        for _ in range(rng.randrange(6)):
            chars[rng.randrange(len(chars))] = rng.choice(odd)
        text = "".join(chars)
        assert tt.clean(text) == always(text), text
