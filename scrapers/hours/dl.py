"""Definition lists: ``<dl>`` with a ``<dt>`` day and one or more ``<dd>`` hours per entry."""

from __future__ import annotations

from lxml import etree

from scrapers.hours.dom import tag, text_of
from scrapers.hours.timetext import starts_with_day


def dl_lines(dl: etree._Element, language: str) -> tuple[list[str], bool]:
    """The entries of ``dl`` as "term : description" lines, and whether its terms name days.

    A list whose terms are not days ("Adresse", "Heures d'ouverture") is still returned: its
    lines are read as free text.
    """
    entries: list[tuple[str, list[str]]] = []
    # HTML allows <div> wrappers around dt/dd groups.
    for el in dl.xpath("./dt|./dd|./div/dt|./div/dd"):
        text = text_of(el, br=", ")
        if tag(el) == "dt":
            entries.append((text, []))
        elif entries:
            entries[-1][1].append(text)
        elif text:
            entries.append(("", [text]))
    lines = [f"{term} : {', '.join(d for d in descs if d)}".strip(" :") for term, descs in entries]
    return [line for line in lines if line], any(starts_with_day(term, language) for term, _ in entries)
