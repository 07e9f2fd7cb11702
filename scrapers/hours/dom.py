"""Small HTML helpers shared by the page parsers (lxml elements)."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from itertools import islice

from lxml import etree

from scrapers.hours.model import ParseError

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


# UTF-8 read as Windows-1252 ("BibliothÃ¨que", "Ã  15h", "lâ€™heure"): a lead byte (Â-ô) followed
# by continuation bytes as that code page shows them.
_CP1252_HIGH = bytes(b for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)).decode("cp1252")
_MOJIBAKE = re.compile(f"[\u00c2-\u00f4][\u0080-\u00bf{_CP1252_HIGH}]{{1,3}}")
# "Ã©", "Ã¨", "Ã ": accented letters; "â€“", "â\x80\x93": dashes and quotes
_MOJIBAKE_SURE = re.compile("\u00c3[\u00a0-\u00bf]|\u00e2(?:\u20ac|\u0080)[\u0080-\u00bf\u2018-\u201e\u0153\u2122]")
MOJIBAKE_MIN = 3  # so many double-encoded letters or dashes before a page is repaired
# Every sure mark starts with one of these: fewer of them than MOJIBAKE_MIN on a page, and the
# page has no mojibake to repair (two str.count calls instead of a regex scan of the whole page).
_MOJIBAKE_LEADS = ("\u00c3", "\u00e2")


class _ThreadParser(threading.local):
    """lxml's plain HTML parser, not lxml.html's: the same tree, but lxml.html looks up a Python
    class for every element the walkers touch, a sixth of a page's reading time. (No HtmlElement
    method is used on the tree: its text is read with itertext/xpath.)

    One parser per thread: a parser object shared by the collector threads is locked while one of
    them parses, so the others would wait for it."""

    def __init__(self) -> None:
        self.parser = etree.HTMLParser()


_PARSERS = _ThreadParser()


def _unmangle(match: re.Match[str]) -> str:
    run = match.group(0)
    for codec in ("cp1252", "latin-1"):
        try:
            return run.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return run


def repair_mojibake(text: str) -> str:
    """Text saved as UTF-8 twice ("BibliothÃ¨que") back to what was written ("Bibliothèque");
    text without that mark is returned as is."""
    if sum(text.count(lead) for lead in _MOJIBAKE_LEADS) < MOJIBAKE_MIN:
        return text
    if len(list(islice(_MOJIBAKE_SURE.finditer(text), MOJIBAKE_MIN))) < MOJIBAKE_MIN:
        return text
    return _MOJIBAKE.sub(_unmangle, text)


def parse_html(html: str) -> etree._Element:
    """The document root of ``html``; raises ParseError when it is empty or not HTML at all."""
    if not html or not html.strip():
        raise ParseError("empty page: no HTML to read")
    html = repair_mojibake(html)
    # lxml refuses str input that still carries an XML encoding declaration.
    html = _XML_DECLARATION.sub("", html, count=1)
    try:
        root = etree.fromstring(html, _PARSERS.parser)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"page is not readable HTML: {exc}") from exc
    if root is None:  # (lxml.html's document_fromstring raised "Document is empty" here)
        raise ParseError("page is not readable HTML: Document is empty")
    return root


def tag(el: etree._Element) -> str:
    """Lower-case tag name; "" for comments and processing instructions."""
    name = el.tag  # (lxml builds a new string at each access: read it once)
    return name.lower() if isinstance(name, str) else ""


def squash(text: str) -> str:
    """Collapse all whitespace runs to one space."""
    # (str.split and the regex \s agree on what whitespace is; split is several times faster)
    return " ".join(text.split())


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


def class_words(el: etree._Element) -> frozenset[str]:
    """Words of the ``class`` and ``id`` attributes, split on spaces, hyphens and underscores."""
    return _class_words(el.get("class"), el.get("id"))


_WORD_SEPARATORS = re.compile(r"[\s_-]+")


@lru_cache(maxsize=8192)  # a page repeats the same few class names on hundreds of elements
def _class_words(classes: str | None, ident: str | None) -> frozenset[str]:
    raw = f"{classes or ''} {ident or ''}".lower()
    return frozenset(_WORD_SEPARATORS.split(raw)) - {""} if raw.strip() else frozenset()


# ---- page structure: what the office and procedure walkers skip, split and treat as boilerplate ----
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object", "button", "select",
                       "option", "textarea", "input", "head", "title", "meta", "link", "map", "canvas"})  # fmt: skip
# Elements that start a new text line.
BLOCK_TAGS = frozenset({"p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "ul", "ol", "li",
                        "blockquote", "pre", "figure", "figcaption", "form", "fieldset", "details", "summary",
                        "center", "hr", "tr", "td", "th", "tbody", "thead", "tfoot", "caption", "table", "body",
                        "html", "dd", "dt", "dl", "hgroup", "legend", "address"})  # fmt: skip
HEADING_LEVELS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
SECTIONING_TAGS = frozenset({"main", "article", "section"})
_BOILER_TAGS = frozenset({"nav", "aside"})
_PAGE_EDGE_TAGS = frozenset({"header", "footer"})  # boilerplate unless inside main/article/section
_BOILER_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog"})
_BOILER_WORDS = frozenset({"nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "footer", "cookie",
                           "cookies", "sidebar", "social", "share", "sharing", "newsletter", "skip", "consent",
                           "pagination", "masthead", "topbar"})  # fmt: skip


def is_boilerplate(
    el: etree._Element, sectioned: bool, name: str | None = None, words: frozenset[str] | None = None
) -> bool:
    """Navigation, sidebars, cookie banners, and a page header or footer outside the main content
    (``sectioned``: inside main/article/section). ``name`` and ``words``: the element's tag and
    class words when the caller has them already (a page walker asks for every element)."""
    name = tag(el) if name is None else name
    return (
        name in _BOILER_TAGS
        or (name in _PAGE_EDGE_TAGS and not sectioned)
        or (el.get("role") or "").lower() in _BOILER_ROLES
        or (bool((class_words(el) if words is None else words) & _BOILER_WORDS) and not _holds_page_title(el))
    )


def _holds_page_title(el: etree._Element) -> bool:
    """A layout wrapper named for the sidebar beside it ("page-wrapper single-sidebar
    right-sidebar") holds the page's own title (``<h1>``) or main content: no sidebar does."""
    return bool(el.xpath(".//h1|.//main|.//*[@role='main']"))


def heading_level(el: etree._Element, name: str | None = None) -> int:
    """1-6 for h1-h6; for ``role="heading"`` its aria-level (2 when missing or not a number, as
    browsers do); 0 for anything else. ``name``: the element's tag, when the caller has it."""
    level = HEADING_LEVELS.get(tag(el) if name is None else name, 0)
    if level or (el.get("role") or "").lower() != "heading":
        return level
    aria = (el.get("aria-level") or "").strip()
    return int(aria) if aria.isdigit() and 0 < int(aria) < 10 else 2
