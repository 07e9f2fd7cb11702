"""Read opening-hours text (one office block, line by line) into slots, closures and flags.

Every layout ends up here: a table row is read as the line "Lundi : 9h00 - 12h00", a
definition-list entry as "Maandag : 9u - 12u30", a paragraph as itself. A :class:`Reader` keeps
what one line says about the next ones (a "Permanence téléphonique :" label turns the following
hours into phone hours, a "Lundi :" label gives its day to a following "9h-12h").

Within a sentence, tokens (see :mod:`timetext`) are grouped into *day sets* ("du lundi au
vendredi", "lu, ma et je"), *ranges* ("de 9h à 12h", "9u-12u30") and *modifiers* (appointment,
closed, phone line, exceptions...). Day sets and ranges form *statements* (days + ranges, in
either order). A modifier applies, in this order of preference, to the ranges right after it
("sur rendez-vous : 13h-16h", "fermé de 12h à 13h30"), to the range right before it
("12h-13h30 fermé", "13h-16h (sur rendez-vous)"), to the statement it introduces ("fermé le
mercredi", "uniquement sur rendez-vous le jeudi de 9h à 12h"), to the statement before it
("Mercredi : fermé"), and otherwise to the whole office ("Uniquement sur rendez-vous.",
"Ce bureau est définitivement fermé depuis le 1er mars 2023.").

Statements that are not the regular week (a season, public holidays, a dated period, "le
premier samedi du mois", a one-day notice) never give normal-week slots: they become regimes and
exceptions of their own (see :mod:`scrapers.hours.regimes`), kept beside the normal week.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scrapers.hours import regimes as rg
from scrapers.hours import timetext as tt
from scrapers.hours.calendar import MIN_CALENDAR_DAYS, DatedDay, WeeklyPattern, weekday_of, weekly_pattern
from scrapers.hours.grammar import (
    ACCESS,
    AFTER_WORD,
    ALSO,
    AND,
    ANNUAL_LEAVE,
    BASE_CONFIDENCE,
    CHANNEL,
    CLOSING,
    DAY_FILLERS,
    DAY_PREFIX,
    DAYISH,
    DAYPARTS,
    DEICTIC,
    EFFECTS,
    FOR_A_WHILE,
    FOR_SOME,
    FOUR_DAYS,
    HOURS_WORDS,
    LONG_CLOSURE_DAYS,
    ONE_OFF,
    ONGOING,
    OR,
    OUTAGE,
    OUTSIDE_HOURS,
    PENALTY,
    REOPENING,
    SEASON_KINDS,
    SHUT_ACT,
    SHUT_STATE,
    STARTING,
    STATE_AFTER,
    THEN,
    TIMEISH,
    UNTIL,
    UNTIL_WORDS,
    WE,
    WHEN,
    WORKS,
    Atom,
    Statement,
    abbr_context,
    abbreviation_dot,
    about_a_procedure,
    about_days,
    blank,
    carve_slots,
    day_group,
    excepted_appointment,
    group_statements,
    is_day_label,
    join_evidence,
    make_slot,
    mark_irregular,
    merge_slots,
    money,
    new_column,
    news_day,
    no_effect,
    number_then_hours,
    on_ranges,
    on_statements,
    open_ended_closure,
    season_label,
    tight,
    time_range,
)
from scrapers.hours.model import (
    ACCESS_APPOINTMENT,
    ACCESS_WALK_IN,
    CHANNEL_COUNTER,
    CHANNEL_PHONE,
    DAYS,
    EXCEPTION_KINDS,
    CounterSchedule,
    Regime,
    Slot,
)


@dataclass(slots=True)
class Draft:
    """One interval read from the text, before closures and office-wide rules are applied."""

    day: int
    opens: int
    closes: int
    access: str | None  # None: not stated (walk-in unless the office is appointment-only)
    channel: str
    layout: str
    number: str | None = None  # a phone line's hours: the number last given before them


@dataclass(slots=True)
class _RegimeDraft:
    """What the text says about one regime (summer, holidays, a monthly rule...)."""

    pieces: list[tuple[tuple[int, ...] | None, int, int, str | None]] = field(default_factory=list)
    closed: bool = False
    evidence: list[str] = field(default_factory=list)


class Reader:
    """Reads the hours text of one office block, one line (or paragraph, or table row) at a time."""

    def __init__(self, language: str) -> None:
        if language not in tt.LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(tt.LANGUAGES)}, not {language!r}")
        self.language = language
        self.drafts: list[Draft] = []
        self.closures: list[tuple[tuple[int, ...] | None, int, int]] = []  # counter time taken out
        self.untils: list[tuple[tuple[int, ...], int, str]] = []  # days whose hours end at another time, layout
        self._until_penalties: dict[str, int] = {}
        self.access_rules: list[tuple[tuple[int, ...] | None, str | None, str]] = []  # days, daypart, access
        self.appointment_only = False
        self.closed: str | None = None
        self.closed_reason: str | None = None
        self.penalties: dict[str, int] = {}
        self.evidence: dict[tuple[str, str], list[str]] = {}
        self.flag_evidence: list[str] = []
        self.flag_layout: str | None = None
        self.seen = False  # anything hours-like at all (days, times, appointment, closure)
        self.appointment_said = False  # the text speaks of appointments somewhere
        self.hours_mentions: list[str] = []  # sentences that name the hours ("Heures d'ouverture : voir PDF")
        self.regimes: dict[rg.RegimeKey, _RegimeDraft] = {}
        self.valid_from: str | None = None
        self.valid_until: str | None = None
        self.phone_only = False
        self.unparsed: list[str] = []
        self._topic: rg.RegimeKey | None = None  # a season a paragraph is about (reset at each line)
        # Dated days ("dinsdag 3 januari 2017 van 9 tot 12 uur"), for a calendar's weekly pattern.
        self.dated: list[tuple[DatedDay, str]] = []
        self._number: str | None = None  # the last phone number given ("bellen met 0294 491 391")
        self._pattern: WeeklyPattern | None = None
        self._channel = CHANNEL_COUNTER
        self._access_ctx: str | None = None  # set by an access label ("Horaires sur rendez-vous :")
        self._irregular = False
        self._regime_ctx: rg.RegimeKey | None = None
        self._carry_days: tuple[int, ...] | None = None
        self._carry_mark = 0  # how many drafts there were when the day label was read
        self._sentence_now = ""
        self._line, self._s0 = "", 0  # the text being fed (atom offsets point into it), the sentence's start
        self.reopened = False  # the text says a closure is over ("c'en est fini", "weer open")
        # "Les bureaux sont fermés": closure statements kept until the whole text is read, and
        # whether the text names days, dates, seasons or hours (then they are about those).
        self._state_closures: list[tuple[str, str]] = []
        self._one_off = False
        # "ma-vr 8u30-12u zonder afspraak; 13u-16u op afspraak": the days of the previous
        # sentence of the same line go on after a semicolon.
        self._line_days: tuple[int, ...] | None = None
        self._after_semicolon = False
        self._clause_key: rg.RegimeKey | None = None  # the regime of the sentence before, for one after ";"
        # "Juillet & août : lundi [...] 08h00-12h00. Le jeudi de 7 à 13h.": a season label that opens
        # a line is the regime of the line's later sentences too.
        self._line_key: rg.RegimeKey | None = None
        self._set_apart: tuple[int, ...] | None = None  # the days the sentence before excepted
        self._bare_days: tuple[int, ...] | None = None  # days said without hours, for the line's hours next
        self._bare_penalty: tuple[str, str] | None = None  # (layout, sentence) penalized for them
        self._phone_only_from: str | None = None  # a sentence saying the service goes phone-only from a date
        self._four_days = False  # "four days a week": five days read means one closed day was missed
        self._ongoing: str | None = None  # the sentence of an ongoing closure ("Depuis le [...] est fermée")

    # -- feeding -------------------------------------------------------------------------------

    def feed(
        self, text: str, layout: str = "text", *, heading: bool = False, row: bool = False, channel: str | None = None
    ) -> None:
        """Read one line of ``layout`` ("table", "dl" or "text").

        ``heading``: the line is a sub-heading of the block ("Heures d'ouverture", "Par
        téléphone"): it sets the context of the lines after it. ``row``: a table row or
        definition-list entry, where "Lundi" with an empty cell is simply no hours. ``channel``:
        the page says what the line is about (a telephone link), for that line only.
        """
        if channel is not None:
            before, self._channel = self._channel, channel
            try:
                self.feed(text, layout, heading=heading, row=row)
            finally:
                self._channel = before
            return
        text = tt.clean(text)
        if not text:
            return
        if heading:
            self._carry_days = None
        toks = tt.tokenize(text, self.language)
        first, prev_end, line_start = 0, 0, True
        self._line_days, self._after_semicolon, self._line_key, self._bare_days = None, False, None, None
        self._topic = None  # a season the paragraph is about ("De zomerregeling is van kracht. Dat is open op ...")
        if "." in text and any(t.value == "." for t in toks):  # (a dot token needs a dot in the text)
            toks = [t for k, t in enumerate(toks) if t.value != "." or not abbreviation_dot(toks, k, text)]
        for i in [k for k, t in enumerate(toks) if t.kind == tt.SEP] + [len(toks)]:  # each sentence's end
            end = toks[i].start if i < len(toks) else len(text)
            line_end = i == len(toks) or toks[i].value == "\n"
            if first < i:
                self._sentence(toks, first, i, text, prev_end, end, layout, heading, line_start and line_end, row)
            if i < len(toks):
                first, prev_end, line_start = i + 1, toks[i].end, toks[i].value == "\n"
                self._after_semicolon = toks[i].value == ";"
                if line_start:
                    self._line_days = self._line_key = self._bare_days = None

    def start_structure(self) -> None:
        """A day table or list starts: a dated line above it ("Samedi 17 septembre à 10 h", an
        event) is not the date of its rows."""
        if self._regime_ctx is not None and self._regime_ctx.kind == "date":
            self._irregular, self._regime_ctx = False, None
        self._carry_days = None

    # -- one sentence --------------------------------------------------------------------------

    def _sentence(
        self, toks: list[tt.Token], a: int, b: int, text: str, s0: int, s1: int, layout: str, heading: bool,
        whole_line: bool, row: bool,
    ) -> None:  # fmt: skip
        sentence = self._sentence_now = text[s0:s1].strip()
        low = sentence.lower()  # for the cue patterns, which read lower-cased text as the lexer does
        self._line, self._s0 = text, s0
        tok_kinds = {t.kind for t in toks[a:b]}  # (one pass, for the tests below)
        has_number = tt.PHONENUM in tok_kinds
        if has_number:
            self._number = next(text[t.start : t.end] for t in toks[a:b] if t.kind == tt.PHONENUM)
        day_context = row or self._carry_days is not None or not tok_kinds.isdisjoint(DAYISH)
        self._bracket_until: str | None = None
        atoms = self._atoms(toks, a, b, text, day_context, row or heading)
        if not atoms:
            return
        # What the sentence holds, gathered once for the tests below (day atoms have no mod).
        mods = {x.mod for x in atoms}
        kinds = {x.kind for x in atoms}
        if tt.PAST in mods:
            self.seen = True
            return  # the hours that were ("Voorheen waren de vestigingen open van 10 tot 13 uur")
        if "R" not in kinds and "D" in kinds:
            # "Die Gemeinde bestätigte am Donnerstag", "a acté mardi la fermeture": the day of the news,
            # no day of the week without its hours
            atoms = [x for k, x in enumerate(atoms) if x.kind != "D" or not news_day(atoms, k, text, False)]
            if not atoms:
                return
            kinds = {x.kind for x in atoms}
        values = {x.value for x in atoms if x.kind == "M"}  # ("hours", "reopened", "number"...)
        stmts = group_statements(atoms)
        if number_then_hours(toks, a, b, text):
            for st in stmts:
                st.channel = CHANNEL_PHONE
        key, excepted = mark_irregular(atoms, stmts, text)
        if key is None and self._bracket_until is not None:
            # Hours given with their own end date in brackets are a passing period, not the normal week.
            key = rg.RegimeKey("period", date_to=self._bracket_until)
            for st in stmts:
                if st.ranges:
                    st.irregular, st.regime = True, key
        if key is None and "R" in kinds and not mods & CLOSING and FOR_A_WHILE.search(low):
            # "Vanaf 16 juni zullen wij tijdelijk elke donderdag van 15:00 tot 19:00 uur extra geopend
            # zijn": hours for a while are a passing period, not the normal week.
            key = rg.RegimeKey("period")
            for st in stmts:
                if st.ranges:
                    st.irregular, st.regime = True, key
        if excepted:
            self._topic = None  # "Hors congés scolaires : ...": the rest of the year
        if key is None and self._topic is not None and stmts and not (mods & {tt.USUAL, tt.COUNTER_LABEL, tt.PHONE}):
            # The paragraph's season goes on ("Sinds gisteren is de zomerregeling van kracht. Dat is open op...").
            key = self._topic
            for st in stmts:
                st.irregular, st.regime = True, key
        elif mods & {tt.USUAL}:
            self._topic = None
        if (
            key is None
            and (
                (self._after_semicolon and self._clause_key is not None)
                or (self._line_key is not None and not excepted)  # ("Hors congés scolaires : ...": the rest)
            )
            and stmts
            and not (mods & {tt.USUAL, tt.COUNTER_LABEL, tt.PHONE})
        ):
            # "en été, elle est ouverte du mardi au jeudi de 9h à 13h ; le vendredi de 14h à 18h": the same season
            key = self._clause_key if self._after_semicolon and self._clause_key is not None else self._line_key
            for st in stmts:
                st.irregular, st.regime = True, key
        self._clause_key = key
        if key is not None and key.kind in SEASON_KINDS and season_label(toks, a, b):
            self._line_key = key
        has_hours = "D" in kinds or "R" in kinds
        label = not has_hours and (
            heading
            or toks[b - 1].kind == tt.COLON
            or (
                whole_line
                # a season's (or the normal week's) line without hours is a label up to twice as
                # long: "Horaire estival (jusqu'au 3 septembre 2016*)"
                and len(sentence) <= (80 if (key is not None and not stmts) or tt.USUAL in mods else 40)
                and not has_number
            )
        )
        if label and (heading or mods & {tt.COUNTER_LABEL, tt.USUAL, tt.PHONE, tt.PHONE_LABEL}):
            self._topic = None  # "Horaires sur rendez-vous :": a label that sets the context of its own
        elif not label and (
            key is not None
            and key.kind in ("summer", "school_holidays", "christmas", "winter")
            and not stmts
            and not excepted
            and not (mods & CLOSING)
            and not ANNUAL_LEAVE.search(sentence)  # closed then: not the topic of the lines after
        ):
            self._topic = key  # a sentence about a season, with no hours of its own
        special = key is not None
        if "hours" in values and len(self.hours_mentions) < 3:
            self.hours_mentions.append(sentence)
        if (
            has_hours
            or "X" in kinds
            or "hours" in values
            or any(x.mod in HOURS_WORDS and x.value != "number" for x in atoms)
        ):
            self.seen = True
        elif tt.OPEN in mods and tt.DAYPART in mods:
            self.seen = True  # "Ouvert le matin": about hours, though none can be read
        # "Horaires sur rendez-vous uniquement :" above its day lines: the access of the lines below.
        access_label = (
            label
            and not stmts
            and bool(mods & {tt.APPT, tt.WALKIN})
            and (heading or toks[b - 1].kind == tt.COLON or "hours" in values)
        )
        for idx, atom in enumerate(atoms):
            if atom.value == "again" and not self.appointment_said:
                continue  # "ils sont possibles" with no appointments named before: not about them
            if atom.kind == "M" and atom.mod in EFFECTS and not (access_label and atom.mod in ACCESS):
                self._modifier(atoms, idx, stmts, sentence, text, key, layout)
        if (tt.APPT in mods or tt.BOOKING in mods) and any(
            (x.mod == tt.APPT and not excepted_appointment(atoms, k, text)) or x.mod == tt.BOOKING
            for k, x in enumerate(atoms)
        ):
            self.appointment_said = True
        if "reopened" in values:
            self.reopened = True
        if not self._one_off and (about_days(atoms, text, dated_ok=False) or mods & ONE_OFF):
            self._one_off = True
        if tt.PHONE in mods and tt.APPT not in mods and rg.PHONE_ONLY.search(sentence):
            self.phone_only = True
            since = (
                t.kind == tt.SINCE or (t.kind == tt.FROM and text[t.start : t.end].lower() in STARTING)
                for t in toks[a:b]
            )
            if any(since) and any(t.kind == tt.DATE for t in toks[a:b]) and not has_hours and tt.OPEN not in mods:
                # "vinden onze sociale permanenties vanaf maandag 16 maart 2020 alleen telefonisch plaats":
                # from that day nobody is received at the counter (a change, not a phone-only service)
                self._phone_only_from = sentence
        for kind in excepted:  # "sauf les jours fériés": the counter is closed on them
            self._regime(rg.RegimeKey(kind), sentence).closed = True
        if key is not None and not stmts and (mods & CLOSING or ANNUAL_LEAVE.search(sentence)):
            self._regime(key, sentence).closed = True  # "Fermé les jours fériés", "Fermé en août"
        if label:
            self._set_context(atoms, heading, key, has_number)
            self._access_ctx = next((ACCESS[x.mod] for x in atoms if x.mod in ACCESS), None) if access_label else None
        if not special and "X" in kinds:
            self._penalize(layout)
        carried = whole_line and is_day_label(stmts)
        monthly_label = key is not None and key.kind == "monthly" and "X" not in kinds
        if carried and key is not None and ((key.kind == "date" and key.date_from) or monthly_label):
            # a calendar row's date above its hours, "Les 1er et 3e jeudis du mois" above its hours
            self._irregular, self._regime_ctx = True, key
        elif carried and self._regime_ctx is not None and self._regime_ctx.kind in ("date", "monthly"):
            self._irregular, self._regime_ctx = False, None  # a day without a date ends the calendar row
        before = len(self.drafts)
        # (the days of an ongoing closure, "Depuis le jeudi 15 juin et jusqu'à mardi matin", need no hours)
        quiet = row or carried or self._ongoing == sentence
        self._four_days = self._four_days or bool(FOUR_DAYS.search(low))
        self._emit(new_column(stmts, sentence), layout, sentence, quiet)
        if len(self.drafts) > before and FOR_A_WHILE.search(low):
            self._penalize(layout)  # "zullen wij tijdelijk elke donderdag ... geopend zijn": maybe a passing regime
        if carried:
            self._carry_days, self._carry_mark = stmts[0].days, len(self.drafts)
        elif any(st.days is not None for st in stmts):
            self._carry_days = None
        with_days = [st.days for st in stmts if st.days is not None and not st.irregular]
        self._line_days = with_days[-1] if with_days else self._line_days
        # "elke dag [...], behalve dinsdag. Dan zijn de openingsuren van 17 tot 20 uur": the day set apart.
        self._set_apart = next(
            (ex for st in reversed(stmts) for ex, part in reversed(st.excepts) if part is None), None
        )

    def _atoms(self, toks: list[tt.Token], a: int, b: int, text: str, day_context: bool, alone_ok: bool) -> list[Atom]:
        atoms: list[Atom] = []
        i = a
        while i < b:
            t = toks[i]
            kind = t.kind
            if (
                kind in DAYISH
                and i > a
                and toks[i - 1].kind == tt.TO
                and i + 1 < b
                and toks[i + 1].kind == tt.DATE
                and not (i > a + 1 and toks[i - 2].kind in (tt.DATE, tt.NUM))  # ("du samedi 8 au samedi 15 juillet")
            ):
                # "(voorlopig) tot en met vrijdag 3 april 2020": the end of a validity, no weekly day.
                self.valid_until = rg.iso_date(text[toks[i + 1].start : toks[i + 1].end]) or self.valid_until
                i += 2
                continue
            if kind == tt.DAY and DEICTIC.search(text, max(a and toks[a - 1].end, t.start - 12), t.start):
                if not any(x.kind in CLOSING for x in toks[a:b]):
                    # "présenté ce lundi soir", "afgelopen maandag": the day of the news, no weekly day
                    self._one_off = True
                    i = day_group(toks, i, b, text)[0]
                    continue
            if kind in DAYISH:
                j, atom, count, abbr_only = day_group(toks, i, b, text)
                if not abbr_only or count > 1 or abbr_context(toks, i, j, a, b, text, alone_ok):
                    atoms.append(atom)
                i = j
                continue
            if t.value == "instead" and i + 1 < b and toks[i + 1].kind in DAYISH:
                i = day_group(toks, i + 1, b, text)[0]  # the old days: neither open nor closed now
                continue
            if kind in (tt.FROM, tt.SINCE) and i + 1 < b and toks[i + 1].kind in DAYISH:
                j, _atom, count, _abbr = day_group(toks, i + 1, b, text)
                starting = kind == tt.SINCE or text[t.start : t.end].lower() in STARTING
                # "from Friday 1 January to Monday 4 January": a period, read below, not a start.
                period = j + 1 < b and toks[j].kind == tt.DATE and toks[j + 1].kind == tt.TO
                # "vanaf woensdag tot en met 3 april": from that day until a date, no weekly day either.
                until = j + 1 < b and toks[j].kind == tt.TO and toks[j + 1].kind == tt.DATE
                if starting and count == 1 and not period and (j >= b or toks[j].kind != tt.TO or until):
                    # "vanaf maandag 16 maart", "ab Montag, 27. April": when the hours start, no weekly day
                    if j + 1 < b and toks[j].kind == tt.AND and toks[j + 1].kind == tt.DATE:
                        j += 1
                    if j < b and toks[j].kind == tt.DATE:
                        self.valid_from = rg.iso_date(text[toks[j].start : toks[j].end]) or self.valid_from
                        j += 1
                    i = j
                    continue
                if kind == tt.FROM:
                    i += 1  # "du lundi", "van maandag": the day group follows
                    continue
            if kind in TIMEISH or kind == tt.FROM:
                j, ranged = time_range(toks, i, b, text, day_context)
                if ranged is not None:
                    atoms.append(ranged)
                    i = j
                    continue
                if kind in (tt.TIME, tt.NOON) and not money(text, t.start, t.end):
                    atoms.append(Atom("X", t.start, t.end))
                    atoms[-1].opens = t.value  # (a later "tot 14.00 uur" may close it)
                i += 1
                continue
            if kind in (tt.AND, tt.COLON):
                atoms.append(Atom("J", t.start, t.end, kind))
            elif kind == tt.DATE:
                # "du 1er au 15 juillet", "van woensdag 14 augustus tot en met zondag 18 augustus"
                last = i + 2 if i + 2 < b and toks[i + 2].kind in DAYISH else i + 1
                if last + 1 < b and toks[i + 1].kind == tt.TO and toks[last + 1].kind == tt.DATE:
                    to_date = toks[last + 1]
                    atom = Atom("M", t.start, to_date.end, tt.PERIOD)
                    atom.value = (rg.iso_date(text[t.start : t.end]), rg.iso_date(text[to_date.start : to_date.end]))
                    if (
                        atoms
                        and atoms[-1].kind == "D"
                        and len(atoms[-1].days) == 1
                        and blank(text, atoms[-1].end, t.start)
                    ):
                        atoms.pop()  # "van maandag 20 september tot ...": the weekday of the first date
                    atoms.append(atom)
                    i = last + 2
                    continue
                between = i > a + 2 and toks[i - 1].kind == tt.AND and toks[i - 3].value == "between"
                if i > a + 1 and (toks[i - 1].kind == tt.TO or between) and toks[i - 2].kind == tt.NUM:
                    # "du 6 au 29 septembre", "tussen 4 en 18 december": the first day takes the month
                    # of the second date.
                    second = text[t.start : t.end]
                    first_day = rg.iso_date(text[toks[i - 2].start : toks[i - 2].end] + DAY_PREFIX.sub(" ", second))
                    if first_day is not None and (last_day := rg.iso_date(second)) is not None and first_day < last_day:
                        atom = Atom("M", toks[i - 2].start, t.end, tt.PERIOD)
                        atom.value = (first_day, last_day)
                        if between and atoms and atoms[-1].kind == "J":
                            atoms.pop()  # the "en" of "tussen 4 en 18 december"
                        atoms.append(atom)
                        i += 1
                        continue
                if AFTER_WORD.search(text, max(0, t.start - 12), t.start):
                    pass  # "Na 28 juli 2015 vervalt ...": the hours that follow hold after it, no one-off day
                elif i > a and toks[i - 1].kind == tt.SINCE:  # "depuis le 1er mars 2023": validity
                    self.valid_from = rg.iso_date(text[t.start : t.end]) or self.valid_from
                elif i > a + 1 and toks[i - 1].kind == tt.TO and toks[i - 2].kind == tt.SINCE:
                    pass  # "depuis la mi-avril 2024": since about then, neither an end nor a one-off day
                elif (
                    i > a
                    and toks[i - 1].kind == tt.TO
                    and not (i > a + 1 and toks[i - 2].kind == tt.DATE)
                    and not text[toks[i - 1].start - 1 : toks[i - 1].start].isalpha()  # "mi-avril": no "until"
                ):
                    until_date = rg.iso_date(text[t.start : t.end])
                    if until_date and text[: toks[i - 1].start].endswith("(") and any(x.kind == "R" for x in atoms):
                        # "Dimanche : 13 h à 16 h (jusqu'au 4 septembre)": that line only
                        self._bracket_until = until_date
                    elif not any(x.kind == tt.SEASON for x in toks[a:b]):
                        # (a season's label, "Horaire estival (jusqu'au 3 septembre 2016)": the season ends)
                        self.valid_until = until_date or self.valid_until  # "jusqu'au 30 juin"
                elif i > a and toks[i - 1].kind == tt.FROM:
                    if text[toks[i - 1].start : toks[i - 1].end].lower() in ("vanaf", "ab", "from"):
                        self.valid_from = rg.iso_date(text[t.start : t.end]) or self.valid_from
                elif REOPENING.search(self._sentence_now):
                    # "openen op 11 mei opnieuw de deuren": when the (new) hours start
                    self.valid_from = rg.iso_date(text[t.start : t.end]) or self.valid_from
                else:
                    atoms.append(Atom("M", t.start, t.end, tt.DATE))
            elif (
                kind == tt.MONTH
                and i > a
                and (toks[i - 1].kind == tt.SINCE or text[toks[i - 1].start : toks[i - 1].end].lower() in STARTING)
                and not (i + 1 < b and toks[i + 1].kind == tt.TO)
            ):
                pass  # "ab Dezember nur noch mit Termin", "dès janvier": when the hours start, no season
            elif kind == tt.DAYPART:
                atom = Atom("M", t.start, t.end, tt.DAYPART)
                atom.part = t.value
                atoms.append(atom)
            elif (
                kind == tt.TO
                and text[t.start : t.end].lower().startswith(UNTIL_WORDS)  # not "à 10 h": at ten
                and i + 1 < b
                and toks[i + 1].kind == tt.TIME
                and blank(text, t.end, toks[i + 1].start)
                and not (i + 2 < b and toks[i + 2].kind == tt.TO)
                and not (atoms and atoms[-1].kind == "R" and blank(text, atoms[-1].end, t.start))
                and not (atoms and atoms[-1].kind == "R" and "(" in text[atoms[-1].end : t.start])  # a remark
            ):
                # "Dinsdag zelfs tot 18.30 uur", "le mardi jusqu'à 19h": the day's hours end then
                atom = Atom("R", t.start, toks[i + 1].end)
                atom.opens, atom.closes = UNTIL, toks[i + 1].value
                # "op zaterdag al om 09.00 uur terecht en tot 14.00 uur blijven": from one to the other
                k = len(atoms) - 2 if len(atoms) > 1 and atoms[-1].kind == "J" else len(atoms) - 1
                if k >= 0 and atoms[k].kind == "X" and 0 <= atoms[k].opens < atom.closes:
                    atom.start, atom.opens = atoms[k].start, atoms[k].opens
                    del atoms[k:]
                atoms.append(atom)
                i += 1
            elif kind not in (tt.TO, tt.SINCE, tt.PHONENUM):
                atom = Atom("M", t.start, t.end, kind)
                atom.value = t.value
                atoms.append(atom)
            i += 1
        return atoms

    def _modifier(
        self, atoms: list[Atom], idx: int, stmts: list[Statement], sentence: str, line: str,
        key: rg.RegimeKey | None, layout: str,
    ) -> None:  # fmt: skip
        """Apply the modifier ``atoms[idx]`` to the ranges, statements or office it speaks about
        (atom offsets are into ``line``, the text fed)."""
        mod = atoms[idx].mod
        if mod is None:  # (a modifier atom always names its modifier)
            return
        if mod == tt.CLOSED and self._ongoing_closure(atoms, idx, sentence, layout):
            return
        joiner = atoms[idx - 1] if idx and atoms[idx - 1].kind == "J" else None
        said = line[joiner.start : joiner.end].lower() if joiner is not None else ""
        if mod == tt.PHONE and said in OR:
            return  # "de 9h à 12h ou par téléphone au 02/...": another way in, not the hours' channel
        if (
            mod == tt.APPT
            and (said in AND or said in OR)
            and said != "|"  # a table's next cell ("| Reservatie |") says the row's access
            and any(x.kind == "R" for x in atoms[:idx])
            and not any(x.kind in "DR" for x in atoms[idx + 1 :])
        ):
            return  # "Mo-Do 8:30-16:30 | and by appointment", "und nach Vereinbarung": besides these hours
        if mod == tt.APPT and FOR_SOME.match(line, atoms[idx].end):
            return  # "enkel op afspraak toegankelijk voor erkenningen": some procedures, not the hours
        if mod == tt.APPT and excepted_appointment(atoms, idx, line):
            return  # "toutes les mairies sont fermées à l'exception de celle des Guillemins, [...] sur rendez-vous"
        if mod == tt.APPT and OUTSIDE_HOURS.match(line, atoms[idx].end):
            return  # "alleen beschikbaar op afspraak na de normale openingsuren": besides the hours
        if (
            mod == tt.APPT
            and idx + 2 < len(atoms)
            and atoms[idx + 1].kind == "J"
            and line[atoms[idx + 1].start : atoms[idx + 1].end].lower() in AND
            and atoms[idx + 2].kind == "D"
            and not any(x.kind == "R" for x in atoms)
        ):
            self._penalize(layout)  # "Permanence sur rendez-vous et le lundi matin": and walk-in then, hours unsaid
            return
        if mod == tt.CLOSED and open_ended_closure(atoms, idx, line, self._s0):
            # "the Dundas Branch will be closed beginning 5:00pm on Saturday, September 3 until it
            # reopens": closed from then on, with no end: a temporary closure of the office.
            self.closed, self.closed_reason = "temporary", sentence
            self.flag_evidence.append(sentence)
            self.flag_layout = self.flag_layout or layout
            return
        if atoms[idx].value == "number":
            prev = atoms[idx - 1] if idx else None
            if prev is not None and prev.kind == "R" and tight(line, prev, atoms[idx]):
                on_ranges(mod, [prev])  # "de 8h30 à 16h) au 082/69.90.49": that line's hours
            return
        part = next((x.part for x in atoms[idx + 1 : idx + 2] if x.mod == tt.DAYPART), None)
        if part is None and idx and atoms[idx - 1].mod == tt.DAYPART and tight(line, atoms[idx - 1], atoms[idx]):
            part = atoms[idx - 1].part
        n = idx + 1
        # What may stand between a modifier and what it speaks of: "Contact center : 078 15 15 15, du
        # lundi...", "Phone line open 9:00-12:00".
        skip = (tt.COLON, tt.DAYPART, tt.FROM, tt.OPEN, *((tt.AND,) if mod in (tt.PHONE, tt.PHONE_LABEL) else ()))
        while n < len(atoms) and (atoms[n].mod in skip or atoms[n].value == "number"):
            n += 1
        nxt = atoms[n] if n < len(atoms) else None
        prev = atoms[idx - 1] if idx else None
        # A day that dates the news or an announced closure ("fermera ses portes ce vendredi 13 août",
        # "wie die Gemeinde am Sonntag mitteilt") is not a day the closure is about.
        news_ok = mod == tt.CLOSED_PERM
        tight_prev = prev is not None and prev.kind == "R" and tight(line, prev, atoms[idx])
        if tight_prev and mod in CLOSING and nxt is not None and nxt.kind == "D":
            # "10h-17h (fermé le lundi)": the closure is about the day named after it.
            tight_prev = line[atoms[idx].end : nxt.start].strip().lower() not in DAY_FILLERS
        if nxt is not None and nxt.kind == "R":
            group = [nxt]
            for x in atoms[n + 1 :]:
                if x.kind == "R" and (x.stmt == nxt.stmt or mod == tt.PHONE):
                    group.append(x)
                elif mod == tt.PHONE and x.mod not in (tt.COUNTER_LABEL, *ACCESS):
                    continue  # "The telephone Contact Centre is open 8:30am-5pm Mon-Thu, and 8:30am-4:30pm on Fridays"
                elif x.kind != "J":
                    break
            on_ranges(mod, group)
        elif tight_prev and prev is not None and mod == tt.PHONE:
            # "du lundi au vendredi de 9h à 12h et de 13h à 17h par téléphone": every range of the run
            run = [prev]
            for x in reversed(atoms[: idx - 1]):
                if x.kind == "R" and x.stmt == prev.stmt:
                    run.append(x)
                elif x.kind != "J":
                    break
            on_ranges(mod, run)
        elif (
            tight_prev
            and prev is not None
            and (mod not in (tt.PHONE_LABEL, tt.COUNTER_LABEL) or "(" in line[prev.end : atoms[idx].start])
        ):
            on_ranges(mod, [prev])
        elif (
            nxt is not None
            and nxt.kind == "D"
            and nxt.stmt is not None
            and not (mod in CLOSING and news_day(atoms, n, line, news_ok))
        ):
            first = stmts[nxt.stmt]
            on_statements(mod, stmts[nxt.stmt :] if mod in ACCESS or mod in CHANNEL else [first], part)
        elif mod not in (tt.PHONE_LABEL, tt.COUNTER_LABEL):
            before = next(
                (
                    x
                    for k, x in reversed(list(enumerate(atoms[:idx])))
                    if x.kind == "R" or (x.kind == "D" and not (mod in CLOSING and news_day(atoms, k, line, news_ok)))
                ),
                None,
            )
            if before is None:
                self._office_wide(atoms[idx], part, sentence, key, atoms, layout)
            elif before.stmt is not None:  # (days and ranges always belong to a statement)
                on_statements(mod, [stmts[before.stmt]], part)

    def _ongoing_closure(self, atoms: list[Atom], idx: int, sentence: str, layout: str) -> bool:
        """ "Depuis le jeudi 15 juin et jusqu'à mardi matin, l'agence [...] est fermée": the office is
        closed now, since a day already past. Days after the verb would be weekly ("est fermée le
        samedi"), hours would be the day's: then it is no closure."""
        atom, line = atoms[idx], self._line
        before = line[self._s0 : atom.start]
        if not (
            ONGOING.match(sentence)
            and tt.OFFICE_NOUN.search(before)
            and SHUT_STATE.search(before)
            and not any(x.kind in "RX" or (x.kind == "D" and x.start > atom.start) for x in atoms)
            and not any(x.mod in (tt.CONDITIONAL, tt.NEG) for x in atoms)
            and not WHEN.search(before)
        ):
            return False
        self.closed, self.closed_reason, self._ongoing = "temporary", sentence, sentence
        self.flag_evidence.append(sentence)
        self.flag_layout = self.flag_layout or layout
        return True

    def _office_wide(
        self, atom: Atom, part: str | None, sentence: str, key: rg.RegimeKey | None, atoms: list[Atom], layout: str
    ) -> None:
        """A modifier with no days or hours around it speaks about the whole office."""
        mod, special = atom.mod, key is not None
        line = self._line
        if mod in CLOSING and OUTAGE.search(sentence):
            return  # "Vanwege de internetstoring is de gemeente [...] niet bereikbaar": an outage, no closure
        statement = None
        if mod == tt.CLOSED and not part and self._carry_days is None and self._regime_ctx is None:
            # "Les bureaux sont fermés", "bleibt das Rathaus bis zum 19.04. geschlossen", "heeft de
            # gemeente de loketten gesloten": a statement about the office, in the press's words.
            before = line[max(self._s0, atom.start - 120) : atom.start]
            if (tt.OFFICE_NOUN.search(before) or WE.search(before)) and not WHEN.search(before):
                if SHUT_ACT.search(before):
                    statement = tt.CLOSED_PERM
                elif SHUT_STATE.search(before) or STATE_AFTER.match(line, atom.end):
                    statement = tt.CLOSED_TEMP
        # "tijdelijke sluitingsperiode van 20 september tot 20 oktober": a dated closure, read as announced.
        dated_closure = mod == tt.CLOSED_TEMP and key is not None and key.kind == "period"
        if atom.value == "announce" or statement is not None or dated_closure:
            # "L'office postal va fermer le 21 mars", "sluit halfweg juli zijn vestiging": an announced
            # closure, dated or not; never when the sentence names days, hours or a season (weekly
            # hours, holidays: "ferme ses portes le lundi"), nor a short while ("fermé du 24 décembre
            # au 2 janvier", "fermé le 11 novembre": a holiday, an exception).
            mod = statement or mod
            permanent = mod == tt.CLOSED_PERM and not any(x.mod == tt.INDEFINITE for x in atoms)
            if part or about_days(atoms, line, dated_ok=permanent) or any(x.mod == tt.CONDITIONAL for x in atoms):
                return  # (with a daypart, "la fermeture du commissariat la nuit": part of the day)
            if key is not None and (
                key.kind not in ("date", "period")
                or (key.kind == "date" and not permanent)
                or (
                    key.kind == "period"
                    and (rg.period_days(key) or LONG_CLOSURE_DAYS) < LONG_CLOSURE_DAYS
                    and not WORKS.search(sentence)
                )
            ):
                return
            special = False
            if mod == tt.CLOSED_PERM and not permanent or (key is not None and key.kind == "period"):
                mod = tt.CLOSED_TEMP  # "fermera ses portes du 6 au 29 septembre": for a while
            works_period = key is not None and key.kind == "period" and bool(WORKS.search(sentence))
            if statement == tt.CLOSED_TEMP and not works_period:
                # (a period of works, "sera fermée du 4 au 30 septembre pour travaux", closes the
                # office whatever hours the page gives for before and after it.)
                # Only when nothing else in the text names days, dates or hours: "Alle diensten zijn
                # gans de dag gesloten" after "op donderdag 17 mei" is that day's closure.
                self._state_closures.append((sentence, layout))
                return
        # "Aucun guichet ne sera définitivement fermé", "niet tijdelijk gesloten": no closure; a
        # negation later in the sentence is about something else ("gesloten, terwijl dat niet mocht").
        negated = any(x.mod == tt.NEG and x.end <= atom.start and "," not in line[x.end : atom.start] for x in atoms)
        if mod == tt.APPT and not special and about_a_procedure(line[self._s0 : atom.start]):
            return  # "Verklaring van wettelijke samenwoning op afspraak": that procedure, not the office
        if mod == tt.APPT and not special:
            if part:
                self.access_rules.append((None, part, ACCESS_APPOINTMENT))
            else:
                self.appointment_only = True
        elif mod == tt.CLOSED_PERM and not negated:
            self.closed, self.closed_reason = "permanent", sentence
        elif mod in CLOSING and not special and self.closed != "permanent":
            if part:
                # "MAANDAG / Van 8.30 tot 12 uur / GESLOTEN tijdens de namiddag": the day the block is about.
                self.closures.append((self._carry_days, *DAYPARTS[part]))
            elif (mod == tt.CLOSED_TEMP or any(x.mod == tt.INDEFINITE for x in atoms)) and not negated:
                self.closed, self.closed_reason = "temporary", sentence
            else:
                # A bare "fermé" / "gesloten" says nothing about the office as a whole (a closed
                # cell of a flattened table, "fermé aujourd'hui", a closed day named elsewhere):
                # only a closure statement ("temporairement fermé", "tijdelijk gesloten") closes it.
                ctx = self._regime_ctx
                if ctx is not None and ctx.kind == "date" and ctx.date_from and self._carry_days is not None:
                    # a calendar row: "maandag 2 januari 2017 / gesloten"
                    self._regime(ctx, sentence).closed = True
                    if len(self._carry_days) == 1:
                        self.dated.append((DatedDay(ctx.date_from, self._carry_days[0], ()), layout))
                elif self._carry_days is None:
                    if not REOPENING.search(sentence):  # ("Fermées depuis le 16 mars, les agences rouvriront")
                        self._penalize(layout)
                elif all(x is atom or x.kind == "J" for x in atoms) and len(self.drafts) == self._carry_mark:
                    # "Mardi |" right above "Fermé |": the day of the label is closed (after its hours,
                    # "Lundi / 08:15 – 12:00 / Fermé", a closed afternoon cell)
                    self.closures.append((self._carry_days, *DAYPARTS[None]))
                return
        else:
            return
        self.flag_evidence.append(sentence)
        self.flag_layout = self.flag_layout or layout

    def _set_context(self, atoms: list[Atom], heading: bool, key: rg.RegimeKey | None, number: bool) -> None:
        """A label line ("Permanence téléphonique :", "Horaire d'été") sets how later lines read.
        ``number``: the line gives a phone number ("Téléphone : 069 33 22 81"), a contact detail."""
        mods = {x.mod for x in atoms}
        if (tt.PHONE in mods or tt.PHONE_LABEL in mods) and not number:
            self._channel = CHANNEL_PHONE
        elif tt.COUNTER_LABEL in mods or tt.USUAL in mods or heading:
            self._channel = CHANNEL_COUNTER
        dated_day = key is not None and key.kind == "date" and tt.DATE in mods and any(x.kind == "D" for x in atoms)
        leave = ANNUAL_LEAVE.search(self._sentence_now)  # a closed season, not the lines' regime
        if (mods & {tt.SEASON, tt.MONTH, tt.PERIOD} and tt.USUAL not in mods and not leave) or dated_day:
            # "Horaire d'été", or a calendar row's date "maandag 2 januari 2017" above its hours
            # ("Horaire normal (de septembre à mai)" is the normal week, whatever its months)
            self._irregular, self._regime_ctx = True, key
        elif heading or mods & {tt.PHONE, tt.PHONE_LABEL, tt.COUNTER_LABEL, tt.USUAL}:
            self._irregular, self._regime_ctx = False, None  # "Horaire régulier :": the normal week again
        elif self._regime_ctx is not None and self._regime_ctx.kind == "date" and any(x.kind == "D" for x in atoms):
            self._irregular, self._regime_ctx = False, None  # the next day of a calendar has no date

    def _emit(self, stmts: list[Statement], layout: str, sentence: str, quiet: bool) -> None:
        """Turn statements into drafts, closures and access rules; ``quiet``: days without hours
        are expected (a table row with an empty cell, a "Lundi :" label line)."""
        produced_in: set[str] = set()
        for st in stmts:
            if st.irregular or self._irregular:
                key = st.regime or self._regime_ctx
                if key is None or (st.monthly and not st.ranges):
                    self._penalize(layout)  # a rule we cannot place ("tot 12 uur, de tweede zaterdag")
                if key is not None:
                    self._emit_regime(st, key, sentence, layout)
                continue
            days = st.days if st.days is not None else self._carry_days
            if days is None and st.ranges and (self._after_semicolon or ALSO.search(sentence)):
                days = self._line_days  # "Het is ook in de namiddag van 13.30 uur tot 16.30 uur open": the same days
            if days is None and st.ranges and self._set_apart is not None and THEN.match(sentence):
                days = self._set_apart
            if days is None and st.ranges and self._bare_days is not None:
                # "will continue to open four days a week. From 13th May the new times will be 10am
                # until 12noon": the days of the sentence before, which had no hours (understood now)
                days, self._bare_days = self._bare_days, None
                if self._bare_penalty is not None:
                    self._unpenalize(*self._bare_penalty)
            if st.days is not None and not st.ranges and no_effect(st) and not quiet:
                self._bare_days, self._bare_penalty = st.days, (layout, sentence)
            elif st.ranges:
                self._bare_days = None
            if days is None:
                for r in st.ranges:
                    if r.closed:
                        self.closures.append((None, r.opens, r.closes))
                        produced_in.add(CHANNEL_COUNTER)
                    else:
                        self._penalize(layout)
                continue
            for ex_days, ex_part in st.excepts:
                if ex_part:
                    self.closures.append((ex_days, *DAYPARTS[ex_part]))
                else:
                    days = tuple(d for d in days if d not in ex_days)
            for r in st.ranges:
                channel = r.channel or st.channel or self._channel
                produced_in.add(channel)
                if r.opens == UNTIL and not r.closed:
                    if channel == CHANNEL_COUNTER:
                        self.untils.append((days, r.closes, layout))
                    continue
                if r.closed:
                    if channel == CHANNEL_COUNTER:
                        self.closures.append((days, r.opens, r.closes))
                    continue
                for d in days:
                    number = self._number if channel == CHANNEL_PHONE else None
                    self.drafts.append(
                        Draft(d, r.opens, r.closes, r.access or self._access_ctx, channel, layout, number)
                    )
            if st.day_closed and self._access_ctx is None:
                # (under "Horaires sur rendez-vous :", "Vendredi : Fermé" only says there are no appointments)
                self.closures.append((days, *DAYPARTS[None if st.day_closed == "all" else st.day_closed]))
                produced_in.add(CHANNEL_COUNTER)
            if st.day_access:
                self.access_rules.append((days, st.access_part, st.day_access))
                produced_in.add(CHANNEL_COUNTER)
            if not st.ranges and no_effect(st) and not quiet:
                self._penalize(layout)
        for channel in produced_in:
            self.evidence.setdefault((layout, channel), []).append(sentence)

    def _regime(self, key: rg.RegimeKey, sentence: str) -> _RegimeDraft:
        draft = self.regimes.setdefault(key, _RegimeDraft())
        if sentence not in draft.evidence:
            draft.evidence.append(sentence)
        return draft

    def _emit_regime(self, st: Statement, key: rg.RegimeKey, sentence: str, layout: str) -> None:
        """Hours (or a closure) of a statement that is not the normal week, into its regime."""
        draft = self._regime(key, sentence)
        days = st.days if st.days is not None else self._carry_days
        if days is not None:
            days = tuple(d for d in days if not any(d in ex for ex, part in st.excepts if part is None))
        opening = [
            r
            for r in st.ranges
            if not r.closed and r.opens != UNTIL and (r.channel or st.channel or self._channel) == CHANNEL_COUNTER
        ]
        if key.kind == "date" and key.date_from and (opening or st.day_closed == "all"):
            weekday = days[0] if days is not None and len(days) == 1 else weekday_of(key.date_from)
            if weekday is not None and (days is None or days == (weekday,)):
                intervals = tuple((r.opens, r.closes, r.access) for r in opening)
                last = self.dated[-1][0] if self.dated else None
                if last is not None and (last.date, last.weekday) == (key.date_from, weekday) and last.intervals:
                    # "van 9 u. tot 12 u." / "en" / "van 13 u. tot 17 u.": one date's row over several lines
                    self.dated.pop()
                    intervals = last.intervals + intervals
                self.dated.append((DatedDay(key.date_from, weekday, intervals), layout))
        for r in opening:
            draft.pieces.append((days, r.opens, r.closes, r.access))
        if st.day_closed == "all" and not opening:
            draft.closed = True

    def _unpenalize(self, layout: str, sentence: str) -> None:
        """Take back the penalty of a sentence that a later one made sense of."""
        if self.penalties.get(layout):
            self.penalties[layout] -= 1
            if sentence in self.unparsed:
                self.unparsed.remove(sentence)

    def _penalize(self, layout: str) -> None:
        self.penalties[layout] = self.penalties.get(layout, 0) + 1
        if self._sentence_now and self._sentence_now not in self.unparsed:
            self.unparsed.append(self._sentence_now)

    # -- results -------------------------------------------------------------------------------

    def confidence(self, layout: str) -> float:
        """How much to trust what was read from ``layout`` (see BASE_CONFIDENCE)."""
        missed = self.penalties.get(layout, 0) + self._until_penalties.get(layout, 0)
        # Hours said to hold only until a date ("jusqu'au 1er juillet") may be a passing regime, not the week.
        missed += self.valid_until is not None and any(d.layout == layout for d in self.drafts)
        value = BASE_CONFIDENCE.get(layout, 0.9) * PENALTY**missed
        return round(max(value, 0.1), 2)

    def calendar(self) -> WeeklyPattern | None:
        """The weekly pattern of the dated days read, when there are enough of them to be a
        calendar (MIN_CALENDAR_DAYS); its hours join the normal week (once)."""
        if self._pattern is None and len({d.date for d, _ in self.dated}) >= MIN_CALENDAR_DAYS:
            self._pattern = weekly_pattern([d for d, _ in self.dated])
            layout = self.dated[0][1]
            self.drafts += [Draft(d, o, c, acc, CHANNEL_COUNTER, layout) for d, o, c, acc in self._pattern.weekly]
        return self._pattern

    def schedules(
        self, name: str | None, address: str | None, layouts: tuple[str, ...] = ("table", "dl", "text")
    ) -> list[CounterSchedule]:
        """The counter schedule and phone line read so far; counter hours come from the first of
        ``layouts`` that has any (a day table wins over the same hours repeated in prose)."""
        self.calendar()
        out: list[CounterSchedule] = []
        if self._state_closures and not self._one_off and self.closed is None:
            sentence, layout = self._state_closures[0]
            self.closed, self.closed_reason = "temporary", sentence
            self.flag_evidence.append(sentence)
            self.flag_layout = self.flag_layout or layout
            self._state_closures = []
        if self.closed == "temporary" and self.reopened:
            # "« Fermé jusqu'à nouvel avis. » [...] Depuis le 24 avril, c'en est fini": over.
            self.closed, self.closed_reason = None, None
            self._penalize(self.flag_layout or "text")
        if (
            self._phone_only_from is not None
            and self.closed is None
            and not any(d.channel == CHANNEL_COUNTER for d in self.drafts)
        ):
            self.closed, self.closed_reason = "temporary", self._phone_only_from
            self.flag_evidence.append(self._phone_only_from)
        if self.closed == "temporary" and (self.appointment_only or self.appointment_said):
            # "Les bureaux sont fermés au public ... sur rendez-vous pour les urgences": no walk-in,
            # but people are still received: appointment-only, not a closure.
            self.closed, self.closed_reason, self.appointment_only = None, None, True
        counter = [d for d in self.drafts if d.channel == CHANNEL_COUNTER]
        counter_layouts = {d.layout for d in counter}
        chosen = next((lay for lay in layouts if lay in counter_layouts), None)
        slots = self._finish([d for d in counter if d.layout == chosen])
        if self.closed == "permanent":
            slots = []
        if len({s.day for s in slots}) == 5 and self._four_days:
            self._penalize(chosen or "text")  # "four days a week" and no day taken out: which four?
        # Flags alone (appointment only, closed) make a schedule only when the office has no
        # hours at all (hours in a layout not asked for must not read as "no hours"), except a
        # permanent closure, which makes any published hours moot.
        flagged = (self.appointment_only or self.closed) and (chosen or not counter)
        if slots or flagged or self.closed == "permanent":
            layout = chosen or self.flag_layout or "text"
            evidence = self.evidence.get((chosen, CHANNEL_COUNTER), []) if chosen else []
            appointment_only = bool(slots) and all(s.access == ACCESS_APPOINTMENT for s in slots)
            schedule = CounterSchedule(
                name=name,
                address=address,
                slots=slots,
                # (an office closed for good receives nobody: "heeft de deuren gesloten [...] zitdagen op afspraak")
                appointment_only=(appointment_only or (self.appointment_only and not slots))
                and self.closed != "permanent",
                closed=self.closed,
                closed_reason=self.closed_reason,
                layout=layout,
                evidence=join_evidence([*evidence, *self.flag_evidence]),
                confidence=self.confidence(layout),
            )
            self.complete(schedule)
            out.append(schedule)
        phone = [d for d in self.drafts if d.channel == CHANNEL_PHONE]
        phone_layouts = {d.layout for d in phone}
        phone_layout = next((lay for lay in (*layouts, *BASE_CONFIDENCE) if lay in phone_layouts), None)
        if phone_layout is not None:
            drafts = [d for d in phone if d.layout == phone_layout]
            # Two numbers, each with its hours ("... bellen met 14 020, maandag tot en met vrijdag van
            # 08.00 tot 18.00 uur. Voor Weesp kunt u bellen met 0294 491 391, ... van 08.30 tot 17.00
            # uur"): two phone lines, the later ones named by their number.
            numbers = list(dict.fromkeys(d.number for d in drafts))
            for number in numbers:
                line = [d for d in drafts if d.number == number or len(numbers) == 1]
                label = name if number is None or number == numbers[0] else f"{name} ({number})" if name else number
                out.append(
                    CounterSchedule(
                        name=label,
                        address=address,
                        slots=self._finish(line, counter=False),
                        channel=CHANNEL_PHONE,
                        layout=phone_layout,
                        evidence=join_evidence(self.evidence.get((phone_layout, CHANNEL_PHONE), [])),
                        confidence=self.confidence(phone_layout),
                    )
                )
                if len(numbers) == 1:
                    break
        return out

    def complete(self, schedule: CounterSchedule) -> None:
        """Give a counter schedule what was read beside its normal week: regimes, exceptions,
        validity, the phone-only flag and the sentences not fully understood."""
        normal_days = tuple(sorted({DAYS.index(s.day) for s in schedule.slots})) or tt.WEEKDAYS
        pattern = self.calendar()
        if pattern is not None:
            schedule.exceptions += pattern.exceptions
            schedule.confidence = min(schedule.confidence, pattern.confidence)
        for key, draft in self.regimes.items():
            if pattern is not None and key.kind == "date":
                continue  # the calendar's days: its weekly pattern and its exceptions above
            pieces: set[tuple[int, int, int, str]] = set()
            for days, o, c, access in draft.pieces:
                if access is None:
                    access = ACCESS_APPOINTMENT if self.appointment_only else ACCESS_WALK_IN
                pieces.update((d, o, c, access) for d in (days if days is not None else normal_days))
            slots = [make_slot(d, o, c, acc) for d, o, c, acc in merge_slots(sorted(pieces))]
            regime = Regime(
                kind=key.kind,
                evidence=join_evidence(draft.evidence),
                slots=slots,
                closed=draft.closed and not slots,
                months=list(key.months),
                nth=list(key.nth),
                date_from=key.date_from,
                date_to=key.date_to,
            )
            if not slots and not regime.closed:
                continue  # a season named with no hours and no closure says nothing we can use
            (schedule.exceptions if key.kind in EXCEPTION_KINDS else schedule.regimes).append(regime)
        schedule.valid_from, schedule.valid_until = self.valid_from, self.valid_until
        schedule.phone_only = self.phone_only and not schedule.slots
        schedule.unparsed = list(self.unparsed)

    def _until_penalty(self, layout: str) -> None:
        # (kept apart from self.penalties: the slots may be finished more than once)
        self._until_penalties[layout] = self._until_penalties.get(layout, 0) + 1

    def _until(self, pieces: list[tuple[int, int, int, str | None]]) -> list[tuple[int, int, int, str | None]]:
        """Move the end of each day's last hours to the time a "jusqu'à 19h" gives. A morning
        followed by a later end is an afternoon like the other days' ("tous les matins de 8h30 à 12h,
        les lundis et mardis après-midis de 13h30 à 16h30, le jeudi jusque 18h")."""
        self._until_penalties = {}
        for days, until, layout in self.untils:
            for day in days:
                mine = [p for p in pieces if p[0] == day and p[1] < until]
                if not mine:
                    self._until_penalty(layout)  # an end for a day with no hours read
                    continue
                last = max(mine, key=lambda p: p[1])
                afternoons = [p[1] for p in pieces if p[0] != day and 12 * 60 <= p[1] < until and p[2] > 13 * 60]
                if last[2] <= 13 * 60 and until >= 15 * 60:
                    if afternoons:
                        pieces.append((day, max(set(afternoons), key=afternoons.count), until, last[3]))
                        continue
                    self._until_penalty(layout)  # through the lunch break, or an afternoon whose start is unsaid
                pieces[pieces.index(last)] = (day, last[1], until, last[3])
        return pieces

    def _finish(self, drafts: list[Draft], *, counter: bool = True) -> list[Slot]:
        """Apply closures, access rules and appointment-only to ``drafts``; merge overlaps."""
        pieces: list[tuple[int, int, int, str | None]] = [(d.day, d.opens, d.closes, d.access) for d in drafts]
        if counter:
            for days, c_open, c_close in self.closures:
                kept = []
                afternoon = (c_open, c_close) == DAYPARTS["pm"]
                for day, o, c, acc in pieces:
                    if (days is not None and day not in days) or c_close <= o or c_open >= c:
                        kept.append((day, o, c, acc))
                        continue
                    if afternoon and o < c_open and c <= c_open + 60:
                        kept.append((day, o, c, acc))  # "fermé l'après-midi" leaves a 9h-12h30 morning whole
                        continue
                    if o < c_open:
                        kept.append((day, o, c_open, acc))
                    if c_close < c:
                        kept.append((day, c_close, c, acc))
                pieces = kept
            pieces = self._until(pieces)
        slots: set[tuple[int, int, int, str]] = set()
        for day, o, c, acc in pieces:
            if counter and acc is None:
                for days, part, rule_access in self.access_rules:
                    if (days is None or day in days) and (part is None or DAYPARTS[part][0] <= o < DAYPARTS[part][1]):
                        acc = rule_access
                if acc is None and self.appointment_only:
                    acc = ACCESS_APPOINTMENT
            slots.add((day, o, c, acc or ACCESS_WALK_IN))
        return [make_slot(d, o, c, acc) for d, o, c, acc in merge_slots(carve_slots(slots))]
