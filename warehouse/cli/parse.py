"""Commands that read one text or page the way the collector does: hours parse, procedures parse."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from scrapers.vocabulary import LANGUAGES

hours_app = typer.Typer(help="Read opening-hours texts and pages the way the collector does.", no_args_is_help=True)


HOURS_LANGUAGES = ("auto", *LANGUAGES)  # "auto" detects the language


_DAY_LABELS = {"mo": "Mo", "tu": "Tu", "we": "We", "th": "Th", "fr": "Fr", "sa": "Sa", "su": "Su"}


@hours_app.callback()
def _hours() -> None:
    """Read opening-hours texts and pages the way the collector does."""


@hours_app.command("parse")
def hours_parse(
    text: Annotated[str | None, typer.Argument(help='One opening-hours text, e.g. "lundi 9h-12h".')] = None,
    file: Annotated[Path | None, typer.Option("--file", help="An HTML page: one result per counter found.")] = None,
    batch: Annotated[
        str | None,
        typer.Option("--batch", help='One text per line, or JSONL with "text" (and optional "lang"); - for stdin.'),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="auto|fr|nl|de|en; auto detects it (from <html lang> for --file).")
    ] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line (always so with --batch).")] = False,
) -> None:
    """Normalize opening hours: a TEXT, a page (--file) or many texts (--batch)."""
    given = [name for name, value in (("TEXT", text), ("--file", file), ("--batch", batch)) if value is not None]
    if len(given) != 1:
        what = "none" if not given else " and ".join(given)
        typer.echo(f"error: give exactly one of TEXT, --file PAGE or --batch FILE (got {what})", err=True)
        raise typer.Exit(2)
    if lang not in HOURS_LANGUAGES:
        typer.echo(f"error: --lang must be one of {'|'.join(HOURS_LANGUAGES)}, not {lang!r}", err=True)
        raise typer.Exit(2)
    # Imported here, not at the top: the parsers pull in lxml, and `guichets --help` must stay fast.
    from scrapers.hours import NoScheduleFound, ParseError

    try:
        if batch is not None:
            _hours_batch(batch, lang)
        elif file is not None:
            _hours_file(file, lang, as_json)
        else:
            _hours_text(text, lang, as_json)
    except (NoScheduleFound, ParseError) as exc:
        where = f"in {file}" if file is not None else "in the text"
        typer.echo(f"error: {type(exc).__name__} {where}: {exc}", err=True)
        raise typer.Exit(1) from exc


def _hours_text(text: str, lang: str, as_json: bool) -> None:
    from scrapers.hours import read_hours_text
    from scrapers.hours.language import detect_language

    result = read_hours_text(text, detect_language(text) if lang == "auto" else lang)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, sort_keys=False))
    else:
        typer.echo("\n".join(_hours_summary(result)))


def _hours_file(path: Path, lang: str, as_json: bool) -> None:
    from scrapers.hours import parse_page
    from scrapers.hours.osm import schedule_document

    html, language = _read_page(path, lang)
    found = [schedule_document(s) for s in parse_page(html, language=language)]
    _echo_results(language, found, as_json, _hours_summary)


def _read_page(path: Path, lang: str) -> tuple[str, str]:
    """The text of an HTML page given with ``--file`` and its language (``auto``: from the page)."""
    from scrapers.hours.language import language_of_html

    try:
        data = path.read_bytes()
    except OSError as exc:
        typer.echo(f"error: cannot read --file {path}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from exc
    html = _decode(data)
    return html, language_of_html(html) if lang == "auto" else lang


def _echo_results(language: str, found: list[dict], as_json: bool, summary: Callable[[dict], list[str]]) -> None:
    """One JSON line per result (its JSON document), or each result's summary lines with a blank
    line between."""
    for i, item in enumerate(found):
        result = {"language": language, **item}
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, sort_keys=False))
        else:
            if i:
                typer.echo("")
            typer.echo("\n".join(summary(result)))


def _hours_batch(source: str, lang: str) -> None:
    """One JSON object per input line, in order; a line without hours is reported and skipped over.

    Blank lines are ignored. Malformed JSONL lines are reported the same way and make the command
    exit 1 once every line is done.
    """
    from contextlib import nullcontext

    from scrapers.hours import NoScheduleFound, ParseError, read_hours_text
    from scrapers.hours.language import detect_language

    try:
        # Read as bytes line by line: a big batch streams, and each line gets the same decoding as --file.
        stream = nullcontext(sys.stdin.buffer) if source == "-" else Path(source).open("rb")
    except OSError as exc:
        typer.echo(f"error: cannot read --batch {source}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from exc
    malformed = 0
    with stream as lines:
        for number, raw in enumerate(lines, start=1):
            line = _decode(raw).strip()
            if not line:
                continue
            text, line_lang, problem = _batch_item(line, lang)
            if problem:
                malformed += 1
                out = {"text": line, "language": None, "error": "BadInput", "message": f"line {number}: {problem}"}
            else:
                language = detect_language(text) if line_lang == "auto" else line_lang
                try:
                    out = read_hours_text(text, language)
                except (NoScheduleFound, ParseError) as exc:
                    out = {"text": text, "language": language, "error": type(exc).__name__, "message": str(exc)}
            typer.echo(json.dumps(out, ensure_ascii=False, sort_keys=False))
    if malformed:
        typer.echo(f"error: {malformed} malformed line(s) in --batch {source}", err=True)
        raise typer.Exit(1)


def _batch_item(line: str, default_lang: str) -> tuple[str, str, str | None]:
    """(text, language or "auto", problem) of one batch line: plain text, or a JSON object."""
    if not line.startswith("{"):
        return line, default_lang, None
    try:
        item = json.loads(line)
    except ValueError as exc:
        return "", "", f"not valid JSON ({exc})"
    text, line_lang = item.get("text"), item.get("lang") or default_lang
    if not isinstance(text, str):
        return "", "", 'a JSON line needs a "text" string'
    if line_lang not in HOURS_LANGUAGES:
        return "", "", f'"lang" must be one of {"|".join(HOURS_LANGUAGES)}, not {line_lang!r}'
    return text, line_lang, None


def _decode(data: bytes) -> str:
    """A page or batch line as text, decoded as collection decodes pages (meta charset, UTF-8,
    else windows-1252)."""
    from scrapers.fetch.decoding import decode_html

    return decode_html(data, None)[0].removeprefix("\ufeff")


def _hours_summary(result: dict) -> list[str]:
    """Human-readable lines for one reading (``read_hours_text``'s dict or a schedule's)."""
    title = " — ".join(p for p in (result.get("name"), result.get("address")) if p)
    lines = [title] if title else []
    if result.get("channel") == "phone":
        lines.append("phone line")
    lines.append(f"language:         {result['language']}")
    slots = result.get("slots") or []
    lines.append(f"counter slots:    {len(slots)}" if slots else "counter slots:    none")
    lines += [f"  {_slot_label(s)}" for s in slots]
    lines.append(f"appointment only: {'yes' if result.get('appointment_only') else 'no'}")
    closed = result.get("closed")
    reason = f" ({result['closed_reason']})" if closed and result.get("closed_reason") else ""
    lines.append(f"closed:           {closed + reason if closed else 'no'}")
    if "phone_slots" in result:
        phone = result["phone_slots"]
        lines.append(f"phone hours:      {len(phone)}" if phone else "phone hours:      none")
        lines += [f"  {_slot_label(s)}" for s in phone]
    lines.append(f"confidence:       {result.get('confidence', 0):.2f}")
    if result.get("osm_opening_hours"):
        lines.append(f"OSM:              {result['osm_opening_hours']}")
    return lines


def _slot_label(slot: dict) -> str:
    """``{"day": "mo", "opens": "09:00", ...}`` → "Mo 09:00–12:00 (appointment)"."""
    access = "" if slot.get("access", "walk_in") == "walk_in" else f" ({slot['access']})"
    return f"{_DAY_LABELS.get(slot['day'], slot['day'])} {slot['opens']}–{slot['closes']}{access}"


procedures_app = typer.Typer(
    help="Read procedure pages (catalogues, service pages, FAQs) the way the collector does.", no_args_is_help=True
)


@procedures_app.callback()
def _procedures() -> None:
    """Read procedure pages (catalogues, service pages, FAQs) the way the collector does."""


@procedures_app.command("parse")
def procedures_parse(
    file: Annotated[Path, typer.Option("--file", help="An HTML page: one result per procedure found.")],
    lang: Annotated[
        str, typer.Option("--lang", help="auto|fr|nl|de|en; auto reads <html lang> or detects it.")
    ] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per procedure per line.")] = False,
) -> None:
    """List the procedures of a page with the status of each channel (online, counter, phone, post...)."""
    if lang not in HOURS_LANGUAGES:
        typer.echo(f"error: --lang must be one of {'|'.join(HOURS_LANGUAGES)}, not {lang!r}", err=True)
        raise typer.Exit(2)
    # Imported here, not at the top: the parsers pull in lxml, and `guichets --help` must stay fast.
    from scrapers.hours.model import ParseError
    from scrapers.procedures import NoProcedureFound, parse_procedures

    html, language = _read_page(file, lang)
    try:
        procedures = parse_procedures(html, language=language)
    except (NoProcedureFound, ParseError) as exc:
        typer.echo(f"error: {type(exc).__name__} in {file}: {exc}", err=True)
        raise typer.Exit(1) from exc
    _echo_results(language, [p.to_dict() for p in procedures], as_json, _procedure_summary)


def _procedure_summary(result: dict) -> list[str]:
    """Human-readable lines for one procedure: title, key, each channel's status and the fee."""
    lines = [result["title"]]
    lines.append(f"  key:        {result['procedure_key'] or '(unmatched)'}  [{result['match_rule']}]")
    for channel, status in result["channels"].items():
        evidence = f"  «{status['evidence']}»" if status["evidence"] else ""
        lines.append(f"  {channel:<24} {status['status']:<14}{evidence}".rstrip())
    if result["fee_text"] is not None:
        euros = "" if result["fee_eur"] is None else f" ({result['fee_eur']:.2f} EUR)"
        lines.append(f"  fee:        {result['fee_text']}{euros}")
    lines.append(f"  confidence: {result['confidence']:.2f}")
    return lines
