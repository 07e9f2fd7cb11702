"""The model of a procedure observation: what one page says about one procedure and its channels.

The JSON form (:meth:`ProcedureObservation.to_dict`) is the contract between parsing and
loading, documented in docs/procedures.md: every channel key is always present, and a channel
the page says nothing about is ``not_stated``, never left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from scrapers.vocabulary import AVAILABLE, NOT_AVAILABLE, NOT_STATED
from scrapers.vocabulary import CHANNEL_STATUSES as STATUSES
from scrapers.vocabulary import PROCEDURE_CHANNELS as CHANNELS

__all__ = ["AVAILABLE", "CHANNELS", "NOT_AVAILABLE", "NOT_STATED", "STATUSES", "ChannelStatus", "ProcedureObservation"]
MAX_EVIDENCE = 300  # characters of evidence kept per channel and per procedure


@dataclass(frozen=True)
class ChannelStatus:
    """The status of one channel of one procedure, with the sentence that says so."""

    status: str = NOT_STATED
    evidence: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"channel status must be one of {', '.join(STATUSES)}, not {self.status!r}")
        if self.status == NOT_STATED and self.evidence is not None:
            raise ValueError("a channel that is not stated has no evidence")

    def to_dict(self) -> dict:
        """JSON-ready form: ``{"status": ..., "evidence": ...}``."""
        return {"status": self.status, "evidence": self.evidence}


_NOT_STATED = ChannelStatus()


@dataclass(frozen=True)
class ProcedureObservation:
    """One procedure found on a page: its title, taxonomy key, channels and fee.

    ``channels`` may be given partially; missing channels are filled in as ``not_stated`` and the
    mapping is kept in :data:`CHANNELS` order, read-only. ``layout`` (where the block was read:
    jsonld, table, dl, faq, text) is for people and logs; it is not part of the JSON contract.
    """

    title: str
    procedure_key: str | None
    match_rule: str
    channels: Mapping[str, ChannelStatus] = field(default_factory=dict)
    fee_text: str | None = None
    fee_eur: float | None = None
    evidence: str = ""
    confidence: float = 0.9
    layout: str = "text"

    def __post_init__(self) -> None:
        unknown = set(self.channels) - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown channel(s) {sorted(unknown)}; expected {', '.join(CHANNELS)}")
        complete = {key: self.channels.get(key, _NOT_STATED) for key in CHANNELS}
        # Frozen dataclass: the normalised mapping is set once here, read-only afterwards.
        object.__setattr__(self, "channels", MappingProxyType(complete))

    def status(self, channel: str) -> str:
        """The status of one channel (``available``, ``not_available`` or ``not_stated``)."""
        return self.channels[channel].status

    def to_dict(self) -> dict:
        """JSON-ready form, exactly the keys of docs/procedures.md; every channel key present."""
        return {
            "title": self.title,
            "procedure_key": self.procedure_key,
            "match_rule": self.match_rule,
            "channels": {key: self.channels[key].to_dict() for key in CHANNELS},
            "fee_text": self.fee_text,
            "fee_eur": self.fee_eur,
            "evidence": self.evidence,
            "confidence": self.confidence,
        }
