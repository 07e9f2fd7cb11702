"""What the words that are not the normal week mean: seasons, holidays, dates, "le premier samedi".

:mod:`scrapers.hours.reader` finds the markers (tokens of kinds SEASON, MONTH, DATE, PERIOD,
MONTHLY, ORDINAL); this module turns their text into a regime key — kind, months, weeks of the
month, dates — so that summer or holiday hours become a :class:`~scrapers.hours.model.Regime` of
their own instead of being lost or, worse, read as the normal week.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

_MONTH_NUMBERS: dict[str, int] = {}
for _n, _names in enumerate(
    (
        ("janvier", "januari", "januar", "january", "jan"),
        ("février", "fevrier", "februari", "februar", "february", "feb", "fév", "fev"),
        ("mars", "maart", "märz", "marz", "march", "mrt"),
        ("avril", "april", "apr", "avr"),
        ("mai", "mei", "may"),
        ("juin", "juni", "june", "jun"),
        ("juillet", "juli", "july", "jul", "juil"),
        ("août", "aout", "augustus", "august", "aug"),
        ("septembre", "september", "sept", "sep"),
        ("octobre", "oktober", "october", "oct", "okt"),
        ("novembre", "november", "nov"),
        ("décembre", "decembre", "december", "dezember", "dec", "dez", "déc"),
    ),
    1,
):
    for _name in _names:
        _MONTH_NUMBERS[_name] = _n

_MONTH_WORD = re.compile(r"[a-zäéèûô]+")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)$")
_DAY_NUMBER = re.compile(r"(?<!\d)(\d{1,2})(?:er|re|ère|e|ème|de|ste|st|nd|rd|th|\.)?(?!\d)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")

# Season words → regime kind (checked in this order; the first that matches wins).
_SEASON_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bf[ée]ri[ée]|feestdag|feiertag|holiday(?!s? season)"), "public_holidays"),
    (re.compile(r"no[ëe]l|kerst|weihnacht|christmas|nouvel an|nieuwjaar|neujahr"), "christmas"),
    # (Québec: "de la Saint-Jean-Baptiste à la Fête du travail")
    (re.compile(r"zomer|sommer|summer|[ée]t[ée]|estival|saint-jean[\w-]* (?:à|au|jusqu'à) (?:la )?f[êe]te"), "summer"),
    (re.compile(r"hiver|winter"), "winter"),
    (
        re.compile(
            r"vacances|cong[ée]s|vakantie|ferien|p[âa]ques|pasen|ostern|easter|toussaint|allerheiligen"
            r"|carnaval|krokus"
        ),
        "school_holidays",
    ),  # fmt: skip
    (re.compile(r"exceptionnel|uitzonderlijk|ausnahm|exceptional"), "exceptional"),
)
_ORDINALS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^(?:premi|1|eerste|erste|first)"), 1),
    (re.compile(r"^(?:deuxi|2|tweede|zweite|second)"), 2),
    (re.compile(r"^(?:troisi|3|derde|dritte|third)"), 3),
    (re.compile(r"^(?:quatri|4|vierde|vierte|fourth)"), 4),
    (re.compile(r"^(?:derni|laatste|letzte|last)"), -1),
)
# "uniquement par téléphone", "enkel telefonisch", "nur telefonisch", "only by phone".
PHONE_ONLY = re.compile(
    r"(?<!\w)(?:uniquement|seulement|exclusivement|enkel|alleen|uitsluitend|nur|ausschlie(?:ß|ss)lich|only)"
    r"(?:\s+[\w']+){0,3}?\s+(?:t[ée]l[ée]phon|telefo|phone)",
    re.IGNORECASE,
)


class RegimeKey(NamedTuple):
    """Which regime a statement belongs to: statements with equal keys share one Regime."""

    kind: str
    months: tuple[int, ...] = ()
    nth: tuple[int, ...] = ()
    date_from: str | None = None
    date_to: str | None = None


def season_kind(text: str) -> str | None:
    """The regime kind a season word names ("jours fériés" → "public_holidays"), or None."""
    low = text.lower()
    for pattern, kind in _SEASON_KINDS:
        if pattern.search(low):
            return kind
    return None


def month_number(text: str) -> int | None:
    """ "juillet" → 7; None when the text is not a month name."""
    return _MONTH_NUMBERS.get(text.lower().strip(" ."))


def nth_of(text: str) -> int | None:
    """ "premier" → 1, "tweede" → 2, "letzten" → -1; None for other words."""
    low = text.lower().strip()
    for pattern, value in _ORDINALS:
        if pattern.match(low):
            return value
    return None


def iso_date(text: str) -> str | None:
    """A date as written on Belgian pages, as an ISO date, or "--MM-DD" when no year is given.

    "15 mars 2024" → "2024-03-15", "1er septembre" → "--09-01", "12/03/2024" → "2024-03-12",
    "mars 2024" → "2024-03-01"... None when the text holds no date.
    """
    low = text.lower().strip()
    m = _ISO_DATE.match(low)
    if m:
        return _checked(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _NUMERIC_DATE.match(low)
    if m:
        year = int(m.group(3))
        return _checked(year + 2000 if year < 100 else year, int(m.group(2)), int(m.group(1)))
    month = next((n for w in _MONTH_WORD.findall(low) if (n := _MONTH_NUMBERS.get(w))), None)
    if month is None:
        return None
    year_m = _YEAR.search(low)
    rest = _YEAR.sub(" ", low)
    day_m = _DAY_NUMBER.search(rest)
    day = int(day_m.group(1)) if day_m else 1
    return _checked(int(year_m.group(1)) if year_m else None, month, day)


def _checked(year: int | None, month: int, day: int) -> str | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def months_between(first: int, last: int) -> tuple[int, ...]:
    """Months from ``first`` to ``last`` inclusive, over the new year if need be."""
    if first <= last:
        return tuple(range(first, last + 1))
    return tuple(range(first, 13)) + tuple(range(1, last + 1))


def kind_for_months(months: tuple[int, ...]) -> str:
    """Months alone name a regime: July and August are the summer regime, others a period."""
    return "summer" if months and set(months) <= {6, 7, 8, 9} and set(months) & {7, 8} else "period"


def period_days(key: RegimeKey) -> int | None:
    """How many days a period lasts ("du 24 décembre au 2 janvier" → 10), over the new year when
    the dates give no year; None when either end is unknown."""
    if not key.date_from or not key.date_to:
        return None
    start, end = key.date_from, key.date_to
    year_a = int(start[:4]) if not start.startswith("--") else None
    year_b = int(end[:4]) if not end.startswith("--") else None
    a_month, a_day = int(start[-5:-3]), int(start[-2:])
    b_month, b_day = int(end[-5:-3]), int(end[-2:])
    year_a = year_a or year_b or 2001  # any non-leap year: only the length matters
    if year_b is None:
        year_b = year_a + (1 if (b_month, b_day) < (a_month, a_day) else 0)
    try:
        return (date(year_b, b_month, b_day) - date(year_a, a_month, a_day)).days + 1
    except ValueError:
        return None
