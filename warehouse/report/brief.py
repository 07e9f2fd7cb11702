"""What a minister's office reads first and checks last: the report's front and back matter.

The tracked universe and period (first lines), the publication facts, three to five key messages
(each with its number, its coverage and its like-for-like panel), the limitations, the table per
commune (figures under the coverage threshold greyed with their reason) and the evidence
appendix (short references ``[E1]``... in the tables, the full reference once at the end).
Everything is read from the release (:class:`~warehouse.report.data.ReportData`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from warehouse.release.metadata import release_url
from warehouse.report.data import ReportData
from warehouse.report.evidence import Evidence

if TYPE_CHECKING:
    from warehouse.report.render import Formatter

COMMUNES_NAMED = 12  # communes named in the first lines; the rest are counted


@dataclass
class Message:
    """One key message: its text, its coverage lines, and why it is indicative (None: it is not)."""

    key: str
    text: str
    lines: list[str]
    indicative: str | None


def universe_line(data: ReportData, t: dict, fmt: Formatter) -> str:
    """The first line: how many counters of how many administrations, which communes, which period."""
    u = data.universe
    names = u.get(f"communes_{fmt.lang}") or u.get("communes_fr") or []
    shown = ", ".join(names[:COMMUNES_NAMED])
    if len(names) > COMMUNES_NAMED:
        shown += " " + t["brief"]["more_communes"].format(n=len(names) - COMMUNES_NAMED)
    return t["brief"]["universe"].format(
        counters=u.get("counters", 0),
        administrations=u.get("administrations", 0),
        communes=len(names),
        names=shown or "—",
        first=fmt.month(data.first_month),
        last=fmt.month(data.headline_month),
    )


def publication(data: ReportData, t: dict) -> list[tuple[str, str]]:
    """Publisher, publication date, version, contact and how to cite, as (label, value) pairs."""
    b, meta = t["brief"], data.meta
    contact = release_url(meta["base_url"], data.version) if meta.get("base_url") else "—"
    return [
        (b["publisher_label"], b["publisher"]),  # release.metadata.PUBLISHER, in the report's language
        (b["published_label"], str(meta.get("data_as_of") or "—")),
        (b["version_label"], data.version),
        (b["contact_label"], contact),
        (b["cite_label"], b["cite_text"]),
    ]


def key_messages(data: ReportData, t: dict, fmt: Formatter) -> list[Message]:
    """Three to five messages: like-for-like changes at the headline month, closures, online-only procedures."""
    b = t["brief"]
    threshold = float(data.thresholds["coverage_threshold"])
    month = fmt.month(data.headline_month)
    cell = next((r for r in data.belgium_series if r["month_start"] == data.headline_month), {})
    coverage = b["coverage_line"].format(
        share=fmt.share(cell.get("coverage_share")),
        fresh=cell.get("sources_fresh") or 0,
        tracked=cell.get("sources_tracked") or 0,
    )
    low_coverage = cell.get("coverage_share") is None or cell["coverage_share"] < threshold
    messages = []
    # The year-earlier comparison when the data reach that far back, else the series' first month.
    change = next(
        (c for kind in ("year_earlier", "series_start") for c in data.belgium_changes if c["comparison"] == kind),
        None,
    )
    if change is not None:
        panel = change["panel_counters"] or 0
        panel_line = b["panel_line"].format(
            panel=panel, tracked=change["counters_tracked"], panel_share=fmt.share(change["panel_share"])
        )
        reason = _reason(b, fmt, threshold, panel=panel, panel_share=change["panel_share"], low=low_coverage)
        base = fmt.month(change["base_month_start"])
        for key, now, before, delta, hours in (
            ("active", "active_counters", "base_active_counters", "active_counters_change", False),
            ("walk_in", "walk_in_hours_per_week", "base_walk_in_hours_per_week", "walk_in_hours_change", True),
            (
                "appointment",
                "appointment_only_counters",
                "base_appointment_only_counters",
                "appointment_only_counters_change",
                False,
            ),
        ):
            if change.get(now) is None:
                continue
            show = fmt.hours if hours else fmt.number
            text = b["messages"][key].format(
                now=show(change[now]),
                before=show(change[before]),
                change=_signed(fmt, change[delta], hours),
                panel=panel,
                month=month,
                base=base,
            )
            messages.append(Message(key, text, [panel_line, coverage], reason))
    messages.append(
        Message(
            "closures",
            b["messages"]["closures"].format(
                n=len(data.closures),  # closure events only (data.py)
                first=fmt.month(data.first_month),
                month=month,
                tracked=data.universe.get("counters", 0),
            ),
            [coverage],
            _reason(b, fmt, threshold, low=low_coverage) if low_coverage else None,
        )
    )
    online = next((h for h in data.headlines if h.key == "online_only_share"), None)
    if online is not None and online.value is not None:
        line = b["coverage_line"].format(
            share=fmt.share(online.coverage_share), fresh=online.sources_fresh or 0, tracked=online.sources_tracked or 0
        )
        low = online.is_indicative
        messages.append(
            Message(
                "online_only",
                b["messages"]["online_only"].format(
                    share=fmt.share(online.value), tracked=online.extra.get("tracked", 0), month=month
                ),
                [line],
                _reason(b, fmt, threshold, low=True) if low else None,
            )
        )
    return messages[:5]


def _reason(b: dict, fmt: Formatter, threshold: float, *, panel=None, panel_share=None, low=False) -> str | None:
    """Why a message is indicative, or None when it is not."""
    limit = fmt.share(threshold)
    if panel == 0:
        text = b["reasons"]["no_panel"]
    elif panel_share is not None and panel_share < threshold:
        text = b["reasons"]["low_panel"].format(panel_share=fmt.share(panel_share), threshold=limit)
    elif low:
        text = b["reasons"]["low_coverage"].format(threshold=limit)
    else:
        return None
    return b["indicative"].format(reason=text)


def _signed(fmt: Formatter, value: float | None, hours: bool) -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else "\u2212" if value < 0 else "±"
    return sign + (fmt.hours(abs(value)) if hours else fmt.number(abs(value)))


def limitations(data: ReportData, t: dict, fmt: Formatter) -> list[str]:
    """The limitations every figure of the report carries."""
    threshold = fmt.share(float(data.thresholds["coverage_threshold"]))
    counters = data.universe.get("counters", 0)
    return [text.format(threshold=threshold, counters=counters) for text in t["brief"]["limitations"]]


def commune_rows(data: ReportData, t: dict, fmt: Formatter) -> list[dict]:
    """One row per commune at the headline month; ``grey`` with the reason when not reliable."""
    b = t["brief"]
    threshold = float(data.thresholds["coverage_threshold"])
    limit = fmt.share(threshold)
    rows = []
    for r in data.communes:
        if not r.get("has_totals"):
            reason = b["reasons"]["no_totals"].format(threshold=limit)
        elif r.get("is_indicative"):
            reason = b["reasons"]["low_coverage"].format(threshold=limit)
        else:
            reason = None
        rows.append(
            {
                "commune": r.get("scope_name") or r["scope_id"],
                "tracked": r["counters_tracked"],
                "known": r["known_state_counters"],
                "active": fmt.number(r["active_counters"]),
                "appointment_only": fmt.number(r["appointment_only_counters"]),
                "closed": fmt.number(r["closed_counters"]),
                "walk_in_hours": fmt.hours(r["walk_in_hours_per_week"]),
                "coverage": fmt.share(r["coverage_share"]),
                "grey": reason is not None,
                "note": reason or "",  # the column is headed "note": the reason alone
            }
        )
    return rows


class EvidenceRefs:
    """Short references ``E1``, ``E2``... given to captures in the order the report first cites them."""

    def __init__(self) -> None:
        self._refs: dict[str, tuple[str, Evidence]] = {}

    def cite(self, items: list[tuple[str, Evidence]]) -> list[tuple[str, Evidence, str]]:
        """(role, evidence, reference) for each item, numbering captures not cited before."""
        out = []
        for role, ev in items:
            if ev.capture_id not in self._refs:
                self._refs[ev.capture_id] = (f"E{len(self._refs) + 1}", ev)
            out.append((role, ev, self._refs[ev.capture_id][0]))
        return out

    def appendix(self) -> list[tuple[str, Evidence]]:
        """Every cited capture once, in reference order."""
        return list(self._refs.values())
