"""Small HTML helpers shared by the page parsers (lxml elements)."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from scrapers.schedule import ParseError

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


def parse_html(html: str) -> etree._Element:
    """The document root of ``html``; raises ParseError when it is empty or not HTML at all."""
    if not html or not html.strip():
        raise ParseError("empty page: no HTML to read")
    # lxml refuses str input that still carries an XML encoding declaration.
    html = _XML_DECLARATION.sub("", html, count=1)
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"page is not readable HTML: {exc}") from exc


def tag(el: etree._Element) -> str:
    """Lower-case tag name; "" for comments and processing instructions."""
    return el.tag.lower() if isinstance(el.tag, str) else ""


def squash(text: str) -> str:
    """Collapse all whitespace runs to one space."""
    return _WHITESPACE.sub(" ", text).strip()


def text_of(el: etree._Element, br: str = " ") -> str:
    """Visible text of ``el`` with whitespace collapsed; line breaks (``<br>``, paragraphs,
    list items inside it) become ``br``."""
    lines: list[list[str]] = [[]]
    _collect(el, lines)
    return br.join(text for text in (squash("".join(parts)) for parts in lines) if text)


def _collect(el: etree._Element, lines: list[list[str]]) -> None:
    name = tag(el)
    if name in ("script", "style", "template", "noscript"):
        return
    if name == "br":
        lines.append([])
    elif name and el.text:
        lines[-1].append(el.text)
    for child in el:
        _collect(child, lines)
        if child.tail:
            lines[-1].append(child.tail)
    if name in ("p", "div", "li", "tr", "dd", "dt"):
        lines.append([])


def class_words(el: etree._Element) -> set[str]:
    """Words of the ``class`` and ``id`` attributes, split on spaces, hyphens and underscores."""
    raw = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return set(re.split(r"[\s_-]+", raw)) - {""} if raw.strip() else set()
