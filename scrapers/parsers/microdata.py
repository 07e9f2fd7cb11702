"""schema.org microdata (``itemscope``/``itemprop`` attributes) as the same objects as JSON-LD.

Many CMS themes mark an office up inline instead of in a JSON-LD block::

    <div itemscope itemtype="https://schema.org/GovernmentOffice">
      <h2 itemprop="name">Bureau de Namur</h2>
      <meta itemprop="openingHours" content="Mo-Fr 09:00-12:00">
      <div itemprop="openingHoursSpecification" itemscope itemtype="https://schema.org/OpeningHoursSpecification">
        <link itemprop="dayOfWeek" href="https://schema.org/Saturday">
        <meta itemprop="opens" content="09:00"><meta itemprop="closes" content="12:00">
      </div>
    </div>

Each top-level item becomes a JSON-LD-like dict (``@type``, properties, nested items), which
:func:`scrapers.parsers.jsonld.schedules_from_data` reads exactly as it reads JSON-LD.
"""

from __future__ import annotations

from lxml import etree

from scrapers.parsers.dom import squash, tag

# Where an itemprop's value is, by element (https://html.spec.whatwg.org/#values).
_URL_ATTRS = {"a": "href", "area": "href", "link": "href", "audio": "src", "img": "src", "source": "src",
              "video": "src", "iframe": "src", "embed": "src", "object": "data"}  # fmt: skip


def microdata_items(root: etree._Element) -> list[dict]:
    """Every top-level microdata item of the page, as a dict."""
    return [_item(el) for el in root.iter() if el.get("itemscope") is not None and el.get("itemprop") is None]


def _item(scope: etree._Element) -> dict:
    item: dict = {}
    if scope.get("itemtype"):
        item["@type"] = scope.get("itemtype", "").split()[0].rstrip("/").rsplit("/", 1)[-1]
    for el, name in _properties(scope):
        value = _item(el) if el.get("itemscope") is not None else _value(el)
        for prop in name.split():
            _add(item, prop, value)
    return item


def _properties(scope: etree._Element) -> list[tuple[etree._Element, str]]:
    """The itemprop elements that belong to ``scope`` (not to an item nested in it)."""
    found: list[tuple[etree._Element, str]] = []
    stack = list(scope)
    while stack:
        el = stack.pop(0)
        if not isinstance(el.tag, str):
            continue
        name = el.get("itemprop")
        if name:
            found.append((el, name))
        if el.get("itemscope") is None:
            stack[0:0] = list(el)
    return found


def _value(el: etree._Element) -> str:
    if el.get("content") is not None:
        return el.get("content", "")
    name = tag(el)
    if name in _URL_ATTRS:
        return el.get(_URL_ATTRS[name], "")
    if name in ("time", "data", "meter") and el.get("datetime" if name == "time" else "value") is not None:
        return el.get("datetime" if name == "time" else "value", "")
    return squash(" ".join(el.itertext()))


def _add(item: dict, prop: str, value: object) -> None:
    """Repeated properties become lists, as in JSON-LD."""
    if prop not in item:
        item[prop] = value
    elif isinstance(item[prop], list):
        item[prop].append(value)
    else:
        item[prop] = [item[prop], value]
