"""Answer "where can this person go?" from a release's files (never the working database).

Counters of the commune (every commune of a postal code that covers several) and of their
neighbouring communes (sharing a border: warehouse.lookup.geo), ordered by distance from the place
asked about (from the point given, else from the nearest centroid of the place's communes; to the
counter's published coordinates, else to its commune's centroid), with each day's hours from
``fct_counter_calendar``, phone, booking link, the last observation and its evidence
(``captures.replay_url`` where the capture is in a public web archive, and always its WARC file
and record in the release). For a procedure: its channels on every tracked catalogue
(``fct_procedure_channel_history``, current state) and the nearest help points (``dim_help_point``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from warehouse import db
from warehouse.lookup import geo
from warehouse.lookup.words import day_in_words
from warehouse.release.layout import load_metadata, table_path

CHANNELS = ("online", "online_digital_identity", "counter_walk_in", "counter_appointment", "phone", "post",
            "intermediary")  # fmt: skip
HELP_POINTS_SHOWN = 5  # the nearest ones: a sheet for one person, not a directory


class FindError(RuntimeError):
    """The release cannot answer (no calendar in it, a date outside it...); the message says why."""


@dataclass(frozen=True)
class Query:
    """What was asked: a place (its communes, and the points distances are measured from: the point
    given, or each commune's centroid), a period, filters and a language."""

    communes: tuple[geo.Commune, ...]
    origins: tuple[tuple[float, float], ...]
    postcode: str | None = None
    day: date | None = None  # one date; None: a week
    procedure: str | None = None
    walk_in: bool = False
    lang: str = "fr"


def _connect(release_dir: Path) -> duckdb.DuckDBPyConnection:
    con = db.memory()
    for name in ("dim_counter", "fct_counter_calendar", "captures", "dim_help_point", "dim_procedure",
                 "fct_procedure_channel_history"):  # fmt: skip
        path = table_path(release_dir, f"marts.{name}")
        if not path.is_file():
            raise FindError(f"{release_dir}: the release has no {name} table (built before guichets find existed?)")
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path.as_posix()}')")
    return con


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def period(con: duckdb.DuckDBPyConnection, day: date | None, today: date) -> tuple[date, date, str | None]:
    """The dates to show: ``day``, else the week (Monday to Sunday) of today, or of the calendar's
    first date when today lies outside the calendar; with a note saying so."""
    first, last = con.execute("SELECT min(calendar_date), max(calendar_date) FROM fct_counter_calendar").fetchone()
    if first is None:
        raise FindError("the release's calendar is empty")
    if day is not None:
        if not first <= day <= last:
            raise FindError(f"{day} is outside the release's calendar ({first} to {last})")
        return day, day, None
    ref, note = today, None
    if not first <= today <= last:
        ref = first
        note = f"today ({today}) is outside the release's calendar ({first} to {last}): showing the week of {first}"
    monday = ref - timedelta(days=ref.weekday())
    return max(monday, first), min(monday + timedelta(days=6), last), note


def _counter_rows(con: duckdb.DuckDBPyConnection, where: str, params: list) -> list[dict]:
    return _rows(
        con,
        f"""
        SELECT c.counter_id, c.counter_name, c.administration_name_fr, c.administration_name_nl,
               c.counter_address, c.postcode, c.nis_code, c.latitude, c.longitude, c.phone, c.booking_url,
               c.languages_served, c.procedure_keys, c.current_state, c.last_observed_at,
               cap.replay_url AS evidence_url,
               CASE WHEN cap.warc_file IS NOT NULL THEN cap.warc_file || '#' || cap.warc_record_id END AS evidence_warc
        FROM dim_counter AS c
        LEFT JOIN captures AS cap ON cap.capture_id = c.latest_capture_id
        WHERE {where}
        """,
        params,
    )


def query_for(communes: list[geo.Commune], **kwargs) -> Query:
    """A query about ``communes`` (one, or all of a postal code), measured from their centroids."""
    return Query(communes=tuple(communes), origins=tuple((c.lat, c.lon) for c in communes), **kwargs)


def _from_place(q: Query, lat: float, lon: float) -> float:
    """Distance from the nearest of the place's origins (a postal code of several communes has several)."""
    return round(min(geo.distance_km(a, b, lat, lon) for a, b in q.origins), 1)


def _place(row: dict, q: Query) -> None:
    """Add the distance from the place asked about, and what it is measured from."""
    if row["latitude"] is not None:
        row["distance_km"] = _from_place(q, row["latitude"], row["longitude"])
        row["distance_from"] = "coordinates"
    elif row["nis_code"] in geo.communes():
        c = geo.communes()[row["nis_code"]]
        row["distance_km"] = _from_place(q, c.lat, c.lon)
        row["distance_from"] = "commune_centroid"
    else:
        row["distance_km"] = None
        row["distance_from"] = None


def _days(con: duckdb.DuckDBPyConnection, counter_id: str, start: date, end: date, lang: str) -> list[dict]:
    days = _rows(
        con,
        """
        SELECT calendar_date, day_status, closure_kind, closure_reason, is_legal_holiday, holiday_name_fr,
               holiday_name_nl, holiday_name_de, holiday_name_en, walk_in_hours, appointment_hours, hours_basis
        FROM fct_counter_calendar WHERE counter_id = ? AND calendar_date BETWEEN ? AND ? ORDER BY calendar_date
        """,
        [counter_id, start, end],
    )
    out = []
    for d in days:
        closed = d["day_status"] == "closed"
        holiday = d[f"holiday_name_{lang}"] or d["holiday_name_fr"]
        out.append(
            {
                "date": d["calendar_date"].isoformat(),
                "status": d["day_status"],
                "walk_in": d["walk_in_hours"],
                "appointment": d["appointment_hours"],
                "closure_kind": d["closure_kind"] if closed else None,
                "closure_reason": (holiday if d["closure_kind"] == "public_holiday" else d["closure_reason"])
                if closed
                else None,
                "hours_basis": d["hours_basis"],
                "text": day_in_words(d, lang),
            }
        )
    return out


def _name(commune: geo.Commune, lang: str) -> str:
    """The commune's name in ``lang`` (German where Statbel gives one), else French."""
    if lang == "nl":
        return commune.name_nl
    return (commune.name_de if lang == "de" else "") or commune.name_fr


def _counter_out(row: dict, days: list[dict], lang: str) -> dict:
    admin = row["administration_name_nl"] if lang == "nl" and row["administration_name_nl"] else (
        row["administration_name_fr"] or row["administration_name_nl"])  # fmt: skip
    commune = geo.communes().get(row["nis_code"])
    return {
        "counter_id": row["counter_id"],
        "name": row["counter_name"],
        "administration": admin,
        "address": row["counter_address"],
        "postcode": row["postcode"],
        "nis_code": row["nis_code"],
        "commune": _name(commune, lang) if commune else None,
        "distance_km": row["distance_km"],
        "distance_from": row["distance_from"],
        "phone": row["phone"],
        "booking_url": row["booking_url"],
        "languages": (row["languages_served"] or "").split() or None,
        "procedures": (row["procedure_keys"] or "").split() or None,
        "current_state": row["current_state"],
        "days": days,
        "closures": [{"date": d["date"], "kind": d["closure_kind"], "reason": d["closure_reason"]}
                     for d in days if d["status"] == "closed" and d["closure_kind"] != "no_hours_that_day"],
        "last_observed_at": row["last_observed_at"].isoformat(sep=" ") if row["last_observed_at"] else None,
        "evidence_url": row["evidence_url"],
        "evidence_warc": row["evidence_warc"],
    }  # fmt: skip


def _procedure(con: duckdb.DuckDBPyConnection, q: Query, start: date, end: date) -> dict:
    labels = _rows(con, "SELECT * FROM dim_procedure WHERE procedure_key = ?", [q.procedure])
    if not labels:
        raise FindError(f"{q.procedure!r} is not a procedure of the release (see dim_procedure)")
    label = labels[0].get(f"procedure_label_{q.lang}") or labels[0]["procedure_label_fr"]
    states = _rows(
        con,
        f"""
        SELECT source_id, administration_id, valid_from, last_observed_at, is_online_only,
               {", ".join(f"{c}_status" for c in CHANNELS)}
        FROM fct_procedure_channel_history WHERE procedure_key = ? AND is_current ORDER BY source_id
        """,
        [q.procedure],
    )
    catalogues = [
        {
            "source_id": s["source_id"],
            "administration_id": s["administration_id"],
            "since": s["valid_from"].date().isoformat() if s["valid_from"] else None,
            "last_observed_at": s["last_observed_at"].isoformat(sep=" ") if s["last_observed_at"] else None,
            "is_online_only": s["is_online_only"],
            "channels_available": [c for c in CHANNELS if s[f"{c}_status"] == "available"],
            "channels_not_available": [c for c in CHANNELS if s[f"{c}_status"] == "not_available"],
        }
        for s in states
    ]
    help_rows = _rows(con, "SELECT * FROM dim_help_point WHERE procedure_key = ?", [q.procedure])
    helpers = []
    for h in help_rows:
        rows = _counter_rows(con, "c.counter_id = ?", [h["counter_id"]])
        for r in rows:
            _place(r, q)
            out = _counter_out(r, _days(con, r["counter_id"], start, end, q.lang), q.lang)
            helpers.append({"kind": h["help_kind"], "note": h["help_note"], **out})
    helpers.sort(key=lambda h: (h["distance_km"] is None, h["distance_km"] or 0, h["counter_id"]))
    return {
        "key": q.procedure,
        "label": label,
        "catalogues": catalogues,
        "online_only_somewhere": any(c["is_online_only"] for c in catalogues),
        "help_points": helpers[:HELP_POINTS_SHOWN],
    }


def find(release_dir: Path, q: Query, today: date) -> dict:
    """The answer to ``q`` from the release in ``release_dir``, as a JSON-ready dict."""
    meta = load_metadata(release_dir)
    con = _connect(release_dir)
    try:
        start, end, note = period(con, q.day, today)
        own = [c.nis_code for c in q.communes]
        neighbours = sorted({n for c in q.communes for n in c.neighbours} - set(own))
        area = (*own, *neighbours)
        where = f"c.nis_code IN ({', '.join('?' * len(area))})"
        params: list = list(area)
        if q.procedure:
            where += " AND list_contains(string_split(coalesce(c.procedure_keys, ''), ' '), ?)"
            params.append(q.procedure)
        rows = _counter_rows(con, where, params)
        for r in rows:
            _place(r, q)
        rows.sort(key=lambda r: (r["distance_km"] is None, r["distance_km"] or 0, r["counter_id"]))
        counters = [_counter_out(r, _days(con, r["counter_id"], start, end, q.lang), q.lang) for r in rows]
        if q.walk_in:
            counters = [c for c in counters if any(d["walk_in"] and d["status"] == "open" for d in c["days"])]
        answer = {
            "illustrative": bool(meta.get("illustrative")),
            "notice": meta.get("notice"),
            "release": meta.get("version"),
            "place": {
                # the first commune (by NIS code); "communes" has every one of a postal code
                "nis_code": f"{own[0]:05d}",
                "name": " / ".join(_name(c, q.lang) for c in q.communes),
                "communes": [{"nis_code": f"{c.nis_code:05d}", "name": _name(c, q.lang)} for c in q.communes],
                "postcode": q.postcode,
                # one point when the place is one; none when distances come from several centroids
                "lat": round(q.origins[0][0], 5) if len(q.origins) == 1 else None,
                "lon": round(q.origins[0][1], 5) if len(q.origins) == 1 else None,
                "neighbours": [f"{n:05d}" for n in neighbours],
            },
            "period": {"from": start.isoformat(), "to": end.isoformat()},
            "note": note,
            "counters": counters,
        }
        if q.procedure:
            answer["procedure"] = _procedure(con, q, start, end)
        return answer
    finally:
        con.close()
