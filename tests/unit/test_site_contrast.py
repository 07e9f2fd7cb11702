"""Colour contrast of the website, computed from its style sheet (warehouse/site/assets/site.css)
with the WCAG 2.1 formula: text at least 4.5:1 on its background, the focus outline at least
3:1 against the page (a non-text indicator, WCAG 1.4.11)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "warehouse" / "site" / "assets" / "site.css"
TEXT_MIN, INDICATOR_MIN = 4.5, 3.0


def rules() -> dict[str, dict[str, str]]:
    """Each selector of the style sheet with its declarations (a rule's selectors share them)."""
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text("utf-8"), flags=re.S)
    out: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", text):
        decls = dict((k.strip(), v.strip()) for k, v in (d.split(":", 1) for d in body.split(";") if ":" in d))
        for sel in selectors.split(","):
            out.setdefault(sel.strip(), {}).update(decls)
    return out


def colour(value: str) -> tuple[float, float, float]:
    """The first #rgb or #rrggbb colour of a declaration's value, as 0-1 channels."""
    hexa = re.search(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b", value)[1]
    if len(hexa) == 3:
        hexa = "".join(ch * 2 for ch in hexa)
    return tuple(int(hexa[i : i + 2], 16) / 255 for i in (0, 2, 4))


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance of an sRGB colour."""
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS colours (1 to 21)."""
    hi, lo = sorted((luminance(colour(a)), luminance(colour(b))), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_formula_gives_the_known_extremes():
    assert contrast("#000", "#fff") == pytest.approx(21.0)
    assert contrast("#777", "#fff") == pytest.approx(4.48, abs=0.01)


def test_text_colours_have_at_least_4_5_to_1_on_their_backgrounds():
    css = rules()
    page_bg, page_text = css["html"]["background"], css["html"]["color"]
    pairs = {
        "text": (page_text, page_bg),
        "links": (css["a"]["color"], page_bg),
        "notes and details": (css[".detail"]["color"], page_bg),
        "footer": (css["footer"]["color"], page_bg),
        "banner text": (css[".banner"]["color"], css[".banner"]["background"]),
        "a link in the banner": (css["a"]["color"], css[".banner"]["background"]),
        "search button": (css["form#search button"]["color"], css["form#search button"]["background"]),
        "table headers": (page_text, css["thead th"]["background"]),
        "links in table headers": (css["a"]["color"], css["thead th"]["background"]),
        "skip link": (css["a"]["color"], css[".skip"]["background"]),
    }
    ratios = {name: round(contrast(fg, bg), 2) for name, (fg, bg) in pairs.items()}
    print(ratios)
    assert {name: r for name, r in ratios.items() if r < TEXT_MIN} == {}


def test_keyboard_focus_is_visible():
    css = rules()
    focus = css["a:focus-visible"]["outline"]
    assert css["input:focus-visible"]["outline"] == css["button:focus-visible"]["outline"] == focus
    assert re.match(r"\d+px solid #", focus) and int(focus.split("px")[0]) >= 2
    page_bg = css["html"]["background"]
    assert contrast(focus, page_bg) >= INDICATOR_MIN
    assert contrast(focus, css[".banner"]["background"]) >= INDICATOR_MIN
    assert contrast(css["svg.map a:focus path"]["stroke"], page_bg) >= INDICATOR_MIN
