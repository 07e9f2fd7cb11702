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
:func:`scrapers.hours.jsonld.schedules_from_data` reads exactly as it reads JSON-LD.
"""

from __future__ import annotations

import re

from lxml import etree

from scrapers.hours import regimes as rg
from scrapers.hours.dom import squash, tag

# Where an itemprop's value is, by element (https://html.spec.whatwg.org/#values).
_URL_ATTRS = {"a": "href", "area": "href", "link": "href", "audio": "src", "img": "src", "source": "src",
              "video": "src", "iframe": "src", "embed": "src", "object": "data"}  # fmt: skip


def microdata_items(root: etree._Element) -> list[dict]:
    """Every top-level microdata item of the page, as a dict."""
    # (found by XPath, in document order: no Python test of every element of the page)
    return [_item(el) for el in root.xpath("descendant-or-self::*[@itemscope and not(@itemprop)]")]


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
    if el.get("resource") is not None or el.get("datetime") is not None:  # RDFa
        return el.get("resource") or el.get("datetime", "")
    return squash(" ".join(el.itertext()))


def _add(item: dict, prop: str, value: object) -> None:
    """Repeated properties become lists, as in JSON-LD."""
    if prop not in item:
        item[prop] = value
    elif isinstance(item[prop], list):
        item[prop].append(value)
    else:
        item[prop] = [item[prop], value]


# ---- RDFa (``vocab``/``typeof``/``property``) -------------------------------------------------

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def rdfa_items(root: etree._Element) -> list[dict]:
    """schema.org RDFa items of the page as dicts, like :func:`microdata_items`.

    Calendar widgets (e.g. Ghent's opening-hours platform) publish one
    ``OpeningHoursSpecification`` per *date* with no enclosing office item: such orphan
    specifications are grouped by their ``vocab`` container into one office named by the label
    just before it ("Balie", "Op afspraak"). Every specification keeps its visible text
    (``@text``: "op afspraak", "gesloten") and the date it is for (``validFrom``/``validThrough``
    from a ``datetime`` attribute inside it, when no proper property gives one).
    """
    if not root.xpath("boolean(//*[@typeof])"):
        return []
    top: list[dict] = []
    # (container, office): the container element is kept alive, so lxml hands back the same proxy.
    groups: list[tuple[etree._Element, dict]] = []

    def walk(el: etree._Element, item: dict | None) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            prop, typeof = child.get("property"), child.get("typeof")
            if typeof is not None:
                new = {"@type": typeof.split()[0].rstrip("/").rsplit("/", 1)[-1]}
                if new["@type"] == "OpeningHoursSpecification":
                    _spec_extras(child, new)
                if item is not None and prop:
                    for name in prop.split():
                        _add(item, name, new)
                elif new["@type"] == "OpeningHoursSpecification":
                    _orphan(child, new, top, groups)
                else:
                    label = _label_before(child)
                    if label:
                        new["@label"] = label
                    top.append(new)
                walk(child, new)
                if "name" not in new and new.get("@label"):
                    new["name"] = new["@label"]
            else:
                if item is not None and prop:
                    for name in prop.split():
                        _add(item, name, _value(child))
                walk(child, item)

    walk(root, None)
    _unmarked_twins(groups, top)
    return top


def _unmarked_twins(groups: list[tuple[etree._Element, dict]], top: list[dict]) -> None:
    """Labelled ``vocab`` containers the widget rendered like a marked one, without its RDFa
    ("Tele-service" after "Balie"): their days, found where the marked container has its
    specifications (the same path of tags), read from the visible date and ``<time>`` values."""
    if not groups:
        return
    container, office = groups[0]
    first = next((el for el in container.iter() if el.get("typeof") is not None), None)
    if first is None:
        return
    path = [
        tag(a) for a in reversed(list(first.iterancestors())) if a is not container and container in a.iterancestors()
    ]
    xpath = "./" + "/".join([*path, tag(first)])
    marked = {id(c) for c, _ in groups}
    for twin in container.getparent().iter() if container.getparent() is not None else ():
        if twin.get("vocab") is None or id(twin) in marked or twin.xpath("boolean(.//*[@typeof])"):
            continue
        label = _label_before(twin)
        specs = [spec for el in twin.xpath(xpath) if (spec := _visible_spec(el)) is not None]
        if label and specs:
            twin_office = {"@type": office.get("@type", "Place"), "name": label, "@label": label}
            top.append({**twin_office, "openingHoursSpecification": specs})


def _visible_spec(el: etree._Element) -> dict | None:
    """A calendar day from what it shows: its date and its ``<time datetime>`` pairs."""
    text = squash(" ".join(el.itertext()))
    date = rg.iso_date(text)
    if date is None or not _ISO_DATE.match(date):
        return None
    times = [t.get("datetime", "").strip() for t in el.iter("time")]
    spec: dict = {"@type": "OpeningHoursSpecification", "@text": text, "@date": date}
    if times and len(times) % 2 == 0:
        spec["opens"], spec["closes"] = times[0::2], times[1::2]
    return spec


def _orphan(el: etree._Element, spec: dict, top: list[dict], groups: list[tuple[etree._Element, dict]]) -> None:
    """A specification with no office item around it joins its ``vocab`` container's office."""
    container = next((a for a in el.iterancestors() if a.get("vocab") is not None), None)
    if container is None:
        office: dict = {"@type": "Place", "openingHoursSpecification": [spec]}
        top.append(office)
        return
    office = next((o for c, o in groups if c is container), None)
    if office is None:
        office = {"@type": "Place", "openingHoursSpecification": []}
        groups.append((container, office))
        label = _label_before(container)
        if label:
            office["name"] = label
        top.append(office)
    office["openingHoursSpecification"].append(spec)


def _spec_extras(el: etree._Element, spec: dict) -> None:
    spec["@text"] = squash(" ".join(el.itertext()))
    dated = [
        d.get("datetime", "") for d in el.iter() if isinstance(d.tag, str) and _ISO_DATE.match(d.get("datetime", ""))
    ]
    if dated:
        spec["@date"] = dated[0][:10]


def _label_before(el: etree._Element) -> str | None:
    """The short label an element follows ("Balie", "Op afspraak"): its previous element sibling."""
    prev = el.getprevious()
    while prev is not None and not isinstance(prev.tag, str):
        prev = prev.getprevious()
    if prev is None or prev.get("typeof") is not None or prev.get("property") is not None:
        return None
    text = squash(" ".join(prev.itertext()))
    return text if 0 < len(text) <= 60 else None
