"""Procedures and the channels each one still has, read from what administrations publish.

``parse_procedures(html, language=...)`` returns one :class:`ProcedureObservation` per procedure
found on a page (procedure catalogues, service pages, FAQ pages) or raises
:class:`NoProcedureFound`; it never returns an empty list. Each observation names the procedure
(its title, and its key in the taxonomy, ``taxonomy.yaml``), and the status of each of the
:data:`CHANNELS` (:data:`STATUSES`: available, not_available, not_stated) with the sentence that
says so, and the fee when stated. The contract is docs/procedures.md.
"""

from __future__ import annotations

from scrapers.procedures.model import CHANNELS, STATUSES, ChannelStatus, ProcedureObservation
from scrapers.procedures.parser import NoProcedureFound, parse_procedures, read_channels
from scrapers.procedures.taxonomy import TaxonomyError, load_taxonomy, match_procedure

__all__ = [
    "CHANNELS",
    "STATUSES",
    "ChannelStatus",
    "NoProcedureFound",
    "ProcedureObservation",
    "TaxonomyError",
    "load_taxonomy",
    "match_procedure",
    "parse_procedures",
    "read_channels",
]
