"""The content of each page of the website, per language: headings, facts and :class:`Table` s.

Links are relative (``href`` from the page's own folder), so the site works from any folder,
from ``file://`` as well as from a web server.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import urlsplit

from scrapers.vocabulary import ACTIVE_STATES, AVAILABLE
from warehouse.report.evidence import safe_href
from warehouse.report.render import Formatter
from warehouse.site.site_data import SiteData
from warehouse.site.tables import Cell, Table

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
CHANNELS = ("online", "online_digital_identity", "counter_walk_in", "counter_appointment", "phone", "post",
            "intermediary")  # fmt: skip
# The channel status that means the channel is offered (fct_procedure_channel_history).
OFFERED = (AVAILABLE,)


def slug(value: str) -> str:
    """A file name for an ID (administration, procedure): unsafe characters become ``_``."""
    return _UNSAFE_NAME.sub("_", value).strip("_") or "_"


def commune_name(commune: dict, lang: str) -> str:
    """A commune's name as shown in ``lang``: its French or Dutch name; in English its own
    language's (German in the German-speaking communes, both in Brussels)."""
    fr, nl, de = commune.get("name_fr"), commune.get("name_nl"), commune.get("name_de")
    if lang == "fr":
        return fr or nl or commune["nis_code"]
    if lang == "nl":
        return nl or fr or commune["nis_code"]
    if commune.get("is_german_speaking") and de:
        return de
    if commune.get("region") == "brussels" and fr and nl and fr != nl:
        return f"{fr} / {nl}"
    return (nl if commune.get("region") == "flanders" else fr) or nl or commune["nis_code"]


def german_name(commune: dict) -> str:
    """The commune's German name where it is neither its French nor its Dutch one ("Lüttich",
    "Kelmis"), without the qualifier REFNIS adds to tell homonyms apart ("Hove (Antwerpen)"); else ""."""
    de = re.sub(r" \(.*\)$", "", commune.get("name_de") or "")
    return "" if de in (commune.get("name_fr"), commune.get("name_nl")) else de


def all_names(commune: dict) -> list[str]:
    """Every distinct name of a commune (FR, NL, DE)."""
    return list(dict.fromkeys(n for n in (commune.get("name_fr"), commune.get("name_nl"), commune.get("name_de")) if n))


def admin_name(admin: dict | None, lang: str, fallback: str = "") -> str:
    """An administration's name in ``lang`` (Dutch for nl, else French), or ``fallback``."""
    if not admin:
        return fallback
    name = admin.get("administration_name_nl") if lang == "nl" else None
    return name or admin.get("administration_name_fr") or admin.get("administration_name_nl") or fallback


def procedure_label(proc: dict, lang: str) -> str:
    """A procedure's label in ``lang`` (French when missing)."""
    return proc.get(f"procedure_label_{lang}") or proc.get("procedure_label_fr") or proc["procedure_key"]


class PageBuilder:
    """Builds the tables and facts of every page in one language."""

    def __init__(self, data: SiteData, lang: str, t: dict) -> None:
        self.data = data
        self.lang = lang
        self.t = t
        self.fmt = Formatter(lang, t)

    # -- cells --------------------------------------------------------------------------------
    def text(self, value: object) -> Cell:
        """A plain cell; unknown is shown as unknown, never as empty or zero."""
        if value is None or value == "":
            return Cell(None, self.t["unknown"])
        if isinstance(value, datetime | date):
            return Cell(value, self.fmt.date(value))
        return Cell(value, str(value))

    def hours(self, minutes: float | None) -> Cell:
        """Weekly minutes shown as hours."""
        if minutes is None:
            return Cell(None, self.t["unknown"])
        return Cell(minutes, self.fmt.hours(minutes, minutes=True))

    def state(self, state: str | None) -> Cell:
        """A counter state in words."""
        return Cell(state, self.t["states"].get(state or "", state or self.t["unknown"]))

    def evidence(self, capture_id: str | None) -> Cell:
        """The capture behind a fact: a link to its public archive copy when there is one, else the
        WARC file it is in (beside the release), named in the cell's tooltip."""
        if not capture_id:
            return Cell(None, "—")
        capture = self.data.captures.get(capture_id) or {}
        observed = self.fmt.date(capture.get("observed_at")) if capture.get("observed_at") else capture_id[:12]
        href = safe_href(capture.get("replay_url"))
        where = f"WARC {capture['warc_file']}" if capture.get("warc_file") else f"capture {capture_id}"
        return Cell(
            capture_id, observed if href else f"{observed} · WARC", href, f"{where} — {capture.get('page_url') or ''}"
        )

    def commune_link(self, nis: str | None, prefix: str) -> Cell:
        """A commune's name linking to its page."""
        commune = self.data.communes.get(nis or "")
        if commune is None:
            return self.text(nis)
        return Cell(nis, commune_name(commune, self.lang), f"{prefix}commune/{nis}.html")

    def admin_link(self, administration_id: str | None, prefix: str) -> Cell:
        """An administration's name linking to its page."""
        if not administration_id:
            return self.text(None)
        admin = self.data.administrations.get(administration_id)
        name = admin_name(admin, self.lang, administration_id)
        return Cell(administration_id, name, f"{prefix}administration/{slug(administration_id)}.html")

    # -- tables -------------------------------------------------------------------------------
    def counters_table(self, counters: list[dict], csv_name: str, prefix: str, *, by: str) -> Table:
        """Counters with their state and hours; ``by`` is the column that links elsewhere
        (``administration`` on a commune page, ``commune`` on an administration page)."""
        t = self.t
        columns = [("counter_name", t["counter"])]
        columns.append(
            ("administration_id", t["administration"]) if by == "administration" else ("nis_code", t["commune"])
        )
        columns += [("address", t["address"])]
        if self.data.published.get("phone"):
            columns.append(("phone", t["phone"]))
        if self.data.published.get("booking_url"):
            columns.append(("booking_url", t["booking"]))
        columns += [
            ("current_state", t["state"]),
            ("current_state_since", t["since"]),
            ("weekly_walk_in_minutes", t["walk_in_hours"]),
            ("weekly_appointment_minutes", t["appointment_hours"]),
            ("last_observed_at", t["last_observed"]),
            ("evidence_capture_id", t["evidence"]),
            ("counter_id", "ID"),
        ]
        table = Table(csv_name, t["counters_title"], columns)
        for c in counters:
            table.rows.append(self.counter_row(c, prefix))
        return table

    def counter_row(self, c: dict, prefix: str) -> dict[str, Cell]:
        """The cells of one counter (every column :meth:`counters_table` may show)."""
        t = self.t
        booking = booking_href(c.get("booking_url"))
        return {
            "counter_id": Cell(c["counter_id"], c["counter_id"]),
            "counter_name": self.text(c["counter_name"]),
            "administration_id": self.admin_link(c["administration_id"], prefix),
            "nis_code": self.commune_link(c["nis_code"], prefix),
            "address": self.text(c.get("counter_address")),
            "phone": self.text(c.get("phone")),
            "booking_url": Cell(c.get("booking_url"), t["booking"] if booking else "—", booking),
            "current_state": self.state(c["current_state"]),
            "current_state_since": self.text(c["current_state_since"]),
            "weekly_walk_in_minutes": self.hours(c["current_weekly_walk_in_minutes"]),
            "weekly_appointment_minutes": self.hours(c["current_weekly_appointment_minutes"]),
            "last_observed_at": self.text(c["last_observed_at"]),
            "evidence_capture_id": self.evidence(c["latest_capture_id"]),
        }

    def help_table(self, procedure_key: str, csv_name: str, prefix: str) -> Table:
        """The help points of a procedure (``dim_help_point``): who helps, what, and the counter."""
        t = self.t
        base = self.counters_table([], csv_name, prefix, by="commune")
        table = Table(
            csv_name, t["help_title"], [("help_kind", t["help_kind"]), ("help_note", t["help_note"]), *base.columns]
        )
        counters = {c["counter_id"]: c for c in self.data.counters}
        for h in self.data.help_points or []:
            if h["procedure_key"] != procedure_key or h["counter_id"] not in counters:
                continue
            kind = h["help_kind"]
            table.rows.append(
                {
                    "help_kind": Cell(kind, t["help_kinds"].get(kind or "", kind or t["unknown"])),
                    "help_note": Cell(h["help_note"], h["help_note"] or ""),
                    **self.counter_row(counters[h["counter_id"]], prefix),
                }
            )
        return table

    def hours_table(self, counters: list[dict], csv_name: str) -> tuple[Table, str]:
        """This week's hours of ``counters`` and the sentence introducing them: the calendar of the
        coming days when the release publishes one, else the usual weekly hours as published."""
        t = self.t
        if self.data.calendar is not None:
            # One sentence per counter and day, the way `guichets find` says it (holidays named).
            from warehouse.lookup.words import day_in_words

            table = Table(
                csv_name,
                t["hours_title"],
                [
                    ("counter_id", t["counter"]),
                    ("calendar_date", t["date"]),
                    ("day_status", t["day_hours"]),
                    ("walk_in_hours", t["walk_in"]),
                    ("appointment_hours", t["appointment"]),
                    ("closure_reason", t["reason"]),
                ],
            )
            for c in counters:
                for day in self._this_week(self.data.calendar.get(c["counter_id"], [])):
                    when = day["calendar_date"]
                    table.rows.append(
                        {
                            "counter_id": Cell(c["counter_id"], c["counter_name"] or c["counter_id"]),
                            "calendar_date": Cell(when, self.fmt.date(when)),
                            "day_status": Cell(day["day_status"], day_in_words(day, self.lang)),
                            "walk_in_hours": Cell(day["walk_in_hours"], day["walk_in_hours"] or "—"),
                            "appointment_hours": Cell(day["appointment_hours"], day["appointment_hours"] or "—"),
                            "closure_reason": Cell(day["closure_reason"], day["closure_reason"] or ""),
                        }
                    )
            return table, t["hours_calendar_intro"]
        table = Table(csv_name, t["hours_title"], [("counter_id", t["counter"]), ("published_hours", t["day_hours"])])
        for c in counters:
            published = self.data.hours.get(c["counter_id"])
            table.rows.append(
                {
                    "counter_id": Cell(c["counter_id"], c["counter_name"] or c["counter_id"]),
                    "published_hours": Cell(published, hours_in_words(published, t) or t["hours_none"]),
                }
            )
        return table, t["hours_regular_intro"]

    def _this_week(self, days: list[dict]) -> list[dict]:
        """The calendar days of the week of the release's as-of date (Monday to Sunday)."""
        try:
            as_of = date.fromisoformat(self.data.data_as_of)
        except ValueError:
            return days[:7]
        monday = date.fromordinal(as_of.toordinal() - as_of.weekday())
        sunday = date.fromordinal(monday.toordinal() + 6)
        return [d for d in days if isinstance(d["calendar_date"], date) and monday <= d["calendar_date"] <= sunday]

    def events_table(self, events: list[dict], csv_name: str, prefix: str) -> Table:
        """Events of counters, newest first, each with the capture that shows it."""
        t = self.t
        names = {c["counter_id"]: c["counter_name"] for c in self.data.counters}
        table = Table(
            csv_name,
            t["events_title"],
            [
                ("event_date", t["date"]),
                ("counter_id", t["counter"]),
                ("event_type", t["event"]),
                ("closure_reason", t["reason"]),
                ("weekly_minutes_before", "←"),
                ("weekly_minutes_after", "→"),
                ("after_capture_id", t["evidence"]),
            ],
        )
        for e in events:
            table.rows.append(
                {
                    "event_date": self.text(e["event_date"]),
                    "counter_id": Cell(e["counter_id"], names.get(e["counter_id"]) or e["counter_id"]),
                    "event_type": Cell(e["event_type"], t["events"].get(e["event_type"], e["event_type"])),
                    "closure_reason": Cell(e["closure_reason"], e["closure_reason"] or ""),
                    "weekly_minutes_before": self.hours(e["weekly_minutes_before"]),
                    "weekly_minutes_after": self.hours(e["weekly_minutes_after"]),
                    "after_capture_id": self.evidence(e["after_capture_id"]),
                }
            )
        return table

    def coverage_table(self, source_ids: list[str], csv_name: str) -> Table:
        """Collection of the source pages: share of successful captures, last success, drift."""
        t = self.t
        table = Table(
            csv_name,
            t["coverage_title"],
            [
                ("source_id", t["source"]),
                ("captures_total", "n"),
                ("success_share", t["success_share"]),
                ("last_successful_observed_at", t["last_success"]),
                ("layout_drift_flag", t["layout_drift"]),
            ],
        )
        for sid in source_ids:
            s = self.data.coverage.get(sid)
            if s is None:
                continue
            drift = s["layout_drift_flag"]
            table.rows.append(
                {
                    "source_id": Cell(sid, sid),
                    "captures_total": self.text(s["captures_total"]),
                    "success_share": Cell(s["success_share"], self.fmt.share(s["success_share"])),
                    "last_successful_observed_at": self.text(s["last_successful_observed_at"]),
                    "layout_drift_flag": Cell(
                        drift, self.t["unknown"] if drift is None else t["word_yes"] if drift else t["word_no"]
                    ),
                }
            )
        return table

    def trend_table(self, rows: list[dict], csv_name: str) -> Table:
        """Like-for-like change of weekly walk-in hours, month on month and chained since the first
        observation (:func:`~warehouse.site.site_data.chain_since_first_observation`)."""
        t = self.t
        table = Table(
            csv_name,
            t["trend_title"],
            [
                ("month_start", t["month"]),
                ("panel_counters", t["panel"]),
                ("walk_in_hours_per_week", t["hours_now"]),
                ("walk_in_hours_change", t["change_month"]),
                ("cumulative_change", t["change_total"]),
                ("is_indicative", t["indicative"]),
            ],
        )
        for r in rows:
            change = r["walk_in_hours_change"] if r["panel_counters"] else None
            table.rows.append(
                {
                    "month_start": Cell(r["month_start"], self.fmt.month(r["month_start"])),
                    "panel_counters": self.text(r["panel_counters"]),
                    "walk_in_hours_per_week": Cell(
                        r["walk_in_hours_per_week"], self.fmt.hours(r["walk_in_hours_per_week"])
                    ),
                    "walk_in_hours_change": Cell(change, _signed_hours(self.fmt, change)),
                    "cumulative_change": Cell(r["cumulative_change"], _signed_hours(self.fmt, r["cumulative_change"])),
                    "is_indicative": Cell(r["is_indicative"], t["indicative"] if r["is_indicative"] else ""),
                }
            )
        # The page shows the months where something moved (and the first and last); the CSV has all.
        table.csv_rows = table.rows
        shown = [
            row
            for i, (row, r) in enumerate(zip(table.rows, rows, strict=True))
            if i in (0, len(rows) - 1)
            or r["walk_in_hours_change"]
            or r["panel_counters"] != rows[i - 1]["panel_counters"]
        ]
        if len(shown) < len(rows):
            table.rows = shown
            table.note = t["trend_shown"]
        return table

    def channels_table(self, channels: list[dict], csv_name: str, prefix: str, *, by: str) -> Table:
        """Current channels of procedures; ``by`` is ``procedure`` or ``administration`` (what links)."""
        t = self.t
        first = ("procedure_key", t["procedure"]) if by == "procedure" else ("administration_id", t["administration"])
        table = Table(
            csv_name,
            t["channels"],
            [
                first,
                ("procedure_title", t["procedure"] + " (page)"),
                ("channels", t["channels"]),
                ("is_online_only", t["online_only"]),
                ("last_capture_id", t["evidence"]),
            ],
        )
        for ch in channels:
            offered = [k for k in CHANNELS if (ch.get(f"{k}_status") or "") in OFFERED]
            row = {
                "procedure_title": self.text(ch["procedure_title"]),
                "channels": Cell(" ".join(offered), ", ".join(t[f"channel_{k}"] for k in offered) or "—"),
                "is_online_only": Cell(ch["is_online_only"], t["online_only"] if ch["is_online_only"] else ""),
                "last_capture_id": self.evidence(ch["last_capture_id"]),
            }
            if by == "procedure":
                proc = self.data.procedures.get(ch["procedure_key"]) or {"procedure_key": ch["procedure_key"]}
                row["procedure_key"] = Cell(
                    ch["procedure_key"],
                    procedure_label(proc, self.lang),
                    f"{prefix}procedure/{slug(ch['procedure_key'])}.html",
                )
            else:
                row["administration_id"] = self.admin_link(ch["administration_id"], prefix)
            table.rows.append(row)
        return table

    def transitions_table(self, transitions: list[dict], csv_name: str, prefix: str) -> Table:
        """Changes of a procedure's channels, with evidence."""
        t = self.t
        table = Table(
            csv_name,
            t["transitions_title"],
            [
                ("event_date", t["date"]),
                ("administration_id", t["administration"]),
                ("event_type", t["event"]),
                ("after_capture_id", t["evidence"]),
            ],
        )
        for tr in transitions:
            table.rows.append(
                {
                    "event_date": self.text(tr["event_date"]),
                    "administration_id": self.admin_link(tr["administration_id"], prefix),
                    "event_type": Cell(tr["event_type"], t["procedure_events"].get(tr["event_type"], tr["event_type"])),
                    "after_capture_id": self.evidence(tr["after_capture_id"]),
                }
            )
        return table

    def active_count(self, nis: str) -> tuple[int, int]:
        """(counters tracked, counters active now) in a commune."""
        counters = self.data.counters_in(nis)
        return len(counters), sum(1 for c in counters if c["current_state"] in ACTIVE_STATES)


def booking_href(url: str | None) -> str | None:
    """A booking URL as a link when it is a plain http(s) address (never ``javascript:`` or the like)."""
    if not url or any(ord(ch) <= 0x20 or ch == "\\" for ch in url):
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def _signed_hours(fmt: Formatter, value: float | None) -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else "\u2212" if value < 0 else "±"
    return sign + fmt.hours(abs(value))


_SLOT = re.compile(r"^(?P<day>mo|tu|we|th|fr|sa|su)\s+(?P<from>\d{2}:\d{2})-(?P<to>\d{2}:\d{2})(?:\s+(?P<mode>\w+))?$")
_DAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")


def hours_in_words(published: str | None, t: dict) -> str | None:
    """``mo 09:00-12:00 walk_in; mo 13:30-16:30 walk_in; tu ...`` as
    "lundi 09:00–12:00, 13:30–16:30 (sans rendez-vous); mardi ...", day by day.

    A slot this does not recognise is shown as published, never dropped.
    """
    if not published:
        return None
    days: dict[str, list[tuple[str, str]]] = {}
    other = []
    for part in (p.strip() for p in published.split(";")):
        m = _SLOT.match(part)
        if not m:
            other.append(part)
            continue
        mode = {"walk_in": t["walk_in"], "appointment": t["appointment"]}.get(m["mode"] or "", m["mode"] or "")
        days.setdefault(m["day"], []).append((f"{m['from']}–{m['to']}", mode))
    out = []
    for code in sorted(days, key=_DAYS.index):
        slots = days[code]
        modes = {mode for _span, mode in slots}
        if len(modes) == 1:
            mode = modes.pop()
            text = ", ".join(span for span, _m in slots) + (f" ({mode})" if mode else "")
        else:
            text = ", ".join(f"{span} ({mode})" if mode else span for span, mode in slots)
        out.append(f"{t['days'][_DAYS.index(code)]} {text}")
    return "; ".join(out + other)
