"""Belgian public holidays for any year: the ten legal holidays and the three community holidays.

The one definition of the holiday calendar: the load step writes it to ``raw.public_holidays``
(:func:`holiday_rows`) for dbt's ``fct_counter_calendar``, and ``guichets find`` names holidays
from the same table in a release. Easter is computed with the anonymous Gregorian computus
(Meeus/Jones/Butcher); Ascension and Whit Monday follow it.

Legal holidays (loi du 4 janvier 1974) close public counters; community holidays (11 July,
27 September, 15 November) close only some of them, so they are named but never read as a
closure (an office reported closed when it is open is the worst error the project can make).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

LEGAL = "legal"
COMMUNITY = "community"


@dataclass(frozen=True)
class Holiday:
    """One holiday on one date, with its names and whether it is a legal (national) holiday."""

    date: date
    key: str
    scope: str  # LEGAL or COMMUNITY
    name_fr: str
    name_nl: str
    name_de: str
    name_en: str

    def name(self, language: str) -> str:
        """The holiday's name in ``language`` (fr, nl, de, en)."""
        return getattr(self, f"name_{language}")


# key, (month, day) or days after Easter Sunday, scope, FR, NL, DE, EN
_HOLIDAYS: tuple[tuple[str, tuple[int, int] | int, str, str, str, str, str], ...] = (
    ("new_year", (1, 1), LEGAL, "Nouvel An", "Nieuwjaar", "Neujahr", "New Year's Day"),
    ("easter_monday", 1, LEGAL, "Lundi de Pâques", "Paasmaandag", "Ostermontag", "Easter Monday"),
    ("labour_day", (5, 1), LEGAL, "Fête du Travail", "Dag van de Arbeid", "Tag der Arbeit", "Labour Day"),
    ("ascension", 39, LEGAL, "Ascension", "Onze-Lieve-Heer-Hemelvaart", "Christi Himmelfahrt", "Ascension Day"),
    ("whit_monday", 50, LEGAL, "Lundi de Pentecôte", "Pinkstermaandag", "Pfingstmontag", "Whit Monday"),
    ("flemish_community", (7, 11), COMMUNITY, "Fête de la Communauté flamande",
     "Feest van de Vlaamse Gemeenschap", "Fest der Flämischen Gemeinschaft", "Flemish Community Day"),
    ("national_day", (7, 21), LEGAL, "Fête nationale", "Nationale feestdag", "Nationalfeiertag",
     "Belgian National Day"),
    ("assumption", (8, 15), LEGAL, "Assomption", "Onze-Lieve-Vrouw-Hemelvaart", "Mariä Himmelfahrt", "Assumption"),
    ("french_community", (9, 27), COMMUNITY, "Fête de la Fédération Wallonie-Bruxelles",
     "Feest van de Franse Gemeenschap", "Fest der Französischen Gemeinschaft", "French Community Day"),
    ("all_saints", (11, 1), LEGAL, "Toussaint", "Allerheiligen", "Allerheiligen", "All Saints' Day"),
    ("armistice", (11, 11), LEGAL, "Armistice", "Wapenstilstand", "Waffenstillstand", "Armistice Day"),
    ("german_community", (11, 15), COMMUNITY, "Fête de la Communauté germanophone",
     "Feest van de Duitstalige Gemeenschap", "Fest der Deutschsprachigen Gemeinschaft",
     "German-speaking Community Day"),
    ("christmas", (12, 25), LEGAL, "Noël", "Kerstmis", "Weihnachten", "Christmas Day"),
)  # fmt: skip


def easter_sunday(year: int) -> date:
    """Easter Sunday of a Gregorian year (anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def holidays(year: int) -> list[Holiday]:
    """The year's holidays, in date order."""
    easter = easter_sunday(year)
    out = [
        Holiday(easter + timedelta(days=when) if isinstance(when, int) else date(year, *when), key, scope, *names)
        for key, when, scope, *names in _HOLIDAYS
    ]
    return sorted(out, key=lambda h: h.date)


def holiday_rows(first_year: int, last_year: int) -> list[dict]:
    """Rows of ``raw.public_holidays`` for the years ``first_year`` to ``last_year`` inclusive."""
    return [
        {"holiday_date": h.date, "holiday_key": h.key, "is_legal": h.scope == LEGAL, "name_fr": h.name_fr,
         "name_nl": h.name_nl, "name_de": h.name_de, "name_en": h.name_en}
        for year in range(first_year, last_year + 1)
        for h in holidays(year)
    ]  # fmt: skip
