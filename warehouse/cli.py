"""The ``guichets`` command-line tool.

Start-up stays light: heavy packages (Airflow, dbt, GX, DuckDB) are imported inside the
commands that need them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="guichets: an observatory of physical access to public services.", no_args_is_help=True)


@app.callback()
def _root() -> None:
    """guichets: collect, archive, parse, load, validate and publish data on public counters."""


DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Data directory (default: $GUICHETS_DATA_DIR or ./data).")
]


@app.command()
def run(
    mode: Annotated[str, typer.Option(help="sample: the bundled archive; live: the real web.")] = "sample",
    data_dir: DataDir = None,
    registry: Annotated[
        Path | None, typer.Option(help="Sources registry (default: sample.yaml in sample mode, else production.yaml).")
    ] = None,
) -> None:
    """Run the whole Airflow pipeline once, in-process, and print where the results are."""
    from warehouse.airflow_local import DagRunFailed, run_dag
    from warehouse.settings import get_settings

    if mode not in ("sample", "live"):
        typer.echo(f"error: --mode must be sample or live, not {mode!r}", err=True)
        raise typer.Exit(2)
    settings = get_settings(data_dir, registry, mode=mode)
    try:
        run_dag(settings, {"mode": mode})
    except DagRunFailed as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    _print_outputs(settings)


SourcesFile = Annotated[Path, typer.Option("--sources", help="Sources registry YAML file.")]
OutDir = Annotated[Path | None, typer.Option("--out", help="Data directory to write into (default: ./data).")]


@app.command()
def collect(sources: SourcesFile, out: OutDir = None) -> None:
    """Fetch every source of a registry from the live web, politely; keep WARC evidence."""
    from scrapers.collect import collect_many
    from scrapers.registry import load_registry
    from warehouse.settings import get_settings

    registry = _registry_or_exit(sources, load_registry)
    settings = get_settings(out, sources)
    summaries = collect_many(registry.sources, settings.data_dir)
    _echo_summaries(summaries)


@app.command()
def backfill(
    sources: SourcesFile,
    cdx: Annotated[str, typer.Option("--cdx", help="CDX API URL (web.archive.org's, or a local pywb's).")],
    date_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    date_to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    replay: Annotated[str | None, typer.Option(help="Base of raw replay URLs (derived from --cdx if absent).")] = None,
    out: OutDir = None,
    allow_local: Annotated[
        bool, typer.Option(help="Allow the archive's own host even if private, e.g. 127.0.0.1 (sample/test mode).")
    ] = False,
) -> None:
    """List and fetch a web archive's captures of every source URL, parse them as of capture time."""
    from datetime import date

    from scrapers.collect import WAYBACK, WebArchive, collect_from_archive, replay_base_for
    from scrapers.fetch import Fetcher
    from scrapers.registry import load_registry
    from warehouse.settings import get_settings

    registry = _registry_or_exit(sources, load_registry)
    try:
        start, end = date.fromisoformat(date_from), date.fromisoformat(date_to)
    except ValueError as exc:
        typer.echo(f"error: --from/--to must be YYYY-MM-DD: {exc}", err=True)
        raise typer.Exit(2) from exc
    settings = get_settings(out, sources)
    page_size = WAYBACK["page_size"] if cdx == WAYBACK["cdx_url"] else None
    # A local archive (sample/test) is ours: politeness limits are for other people's servers.
    rate = 50.0 if allow_local else 1.0
    archive = WebArchive(cdx, replay or replay_base_for(cdx), rate_per_s=rate, page_size=page_size)
    from urllib.parse import urlsplit

    fetcher = Fetcher(allow_private={urlsplit(cdx).netloc} if allow_local else False, respect_robots=False)
    summaries = [
        collect_from_archive(s, archive, settings.data_dir, fetcher=fetcher, date_from=start, date_to=end)
        for s in registry.sources
    ]
    _echo_summaries(summaries)


@app.command("replay")
def replay_cmd(
    warc: Annotated[list[Path], typer.Option("--warc", help="WARC file(s) or folder(s) to replay.")],
    sources: Annotated[Path | None, typer.Option("--sources", help="Registry (default: the sample one).")] = None,
    out: OutDir = None,
) -> None:
    """Re-parse captures from WARC files without the network (after a parser improvement)."""
    from scrapers.registry import load_registry
    from scrapers.replay import ReplayError, replay_warcs
    from warehouse.settings import get_settings

    settings = get_settings(out, sources)
    registry = _registry_or_exit(settings.registry, load_registry)
    paths = sorted({f for p in warc for f in (p.rglob("*.warc.gz") if p.is_dir() else [p])})
    try:
        result = replay_warcs(paths, registry, settings.data_dir)
    except ReplayError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    _echo_summaries(result["sources"])
    for line in result["skipped"]:
        typer.echo(f"skipped: {line}", err=True)


hours_app = typer.Typer(help="Read opening-hours texts and pages the way the collector does.", no_args_is_help=True)
app.add_typer(hours_app, name="hours")

HOURS_LANGUAGES = ("auto", "fr", "nl", "de", "en")
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
    from scrapers.parsers import NoScheduleFound, ParseError

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
    from scrapers.parsers import read_hours_text
    from scrapers.parsers.language import detect_language

    result = read_hours_text(text, detect_language(text) if lang == "auto" else lang)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, sort_keys=False))
    else:
        typer.echo("\n".join(_hours_summary(result)))


def _hours_file(path: Path, lang: str, as_json: bool) -> None:
    from scrapers.parsers import parse_page
    from scrapers.parsers.language import language_of_html

    try:
        data = path.read_bytes()
    except OSError as exc:
        typer.echo(f"error: cannot read --file {path}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from exc
    html = _decode(data)
    language = language_of_html(html) if lang == "auto" else lang
    schedules = parse_page(html, language=language)
    for i, schedule in enumerate(schedules):
        result = {"language": language, **schedule.to_dict()}
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, sort_keys=False))
        else:
            if i:
                typer.echo("")
            typer.echo("\n".join(_hours_summary(result)))


def _hours_batch(source: str, lang: str) -> None:
    """One JSON object per input line, in order; a line without hours is reported and skipped over.

    Blank lines are ignored. Malformed JSONL lines are reported the same way and make the command
    exit 1 once every line is done.
    """
    from contextlib import nullcontext

    from scrapers.parsers import NoScheduleFound, ParseError, read_hours_text
    from scrapers.parsers.language import detect_language

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
    from scrapers.decoding import decode_html

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
app.add_typer(procedures_app, name="procedures")


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
    from scrapers.parsers.language import language_of_html
    from scrapers.procedures import NoProcedureFound, parse_procedures
    from scrapers.schedule import ParseError

    try:
        data = file.read_bytes()
    except OSError as exc:
        typer.echo(f"error: cannot read --file {file}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from exc
    html = _decode(data)
    language = language_of_html(html) if lang == "auto" else lang
    try:
        procedures = parse_procedures(html, language=language)
    except (NoProcedureFound, ParseError) as exc:
        typer.echo(f"error: {type(exc).__name__} in {file}: {exc}", err=True)
        raise typer.Exit(1) from exc
    for i, procedure in enumerate(procedures):
        result = {"language": language, **procedure.to_dict()}
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, sort_keys=False))
        else:
            if i:
                typer.echo("")
            typer.echo("\n".join(_procedure_summary(result)))


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


def _registry_or_exit(path: Path, loader):
    from scrapers.registry import RegistryError

    try:
        return loader(path)
    except RegistryError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def _echo_summaries(summaries: list[dict]) -> None:
    for s in summaries:
        typer.echo(
            f"{s['source_id']:<40} captures={s['captures']:<4} parsed={s['parsed']:<4} "
            f"not_parsed={s['not_parsed']:<4} failed={s['failed']}"
        )


def _print_outputs(settings) -> None:
    import duckdb

    latest = settings.releases_dir / "latest"
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        counts = con.execute(
            "SELECT source_id, count(*) AS captures, count(*) FILTER (parse_status = 'ok') AS parsed "
            "FROM raw.captures GROUP BY 1 ORDER BY 1"
        ).fetchall()
        illustrative = con.execute("SELECT value FROM raw.dataset_info WHERE key = 'illustrative'").fetchone()
    if illustrative and illustrative[0] == "true":
        typer.echo("*** ILLUSTRATIVE SAMPLE DATA: invented pages of real administrations; not facts. ***")
    typer.echo(f"{len(counts)} sources, {sum(c[1] for c in counts)} captures ({sum(c[2] for c in counts)} parsed)")
    typer.echo(f"DuckDB database: {settings.duckdb_path}")
    typer.echo(f"Release:         {latest.resolve()} (latest -> {latest.readlink() if latest.is_symlink() else '?'})")
    meta = json.loads((latest / "metadata.json").read_text("utf-8"))
    for t in meta["tables"]:
        typer.echo(f"  {t['path']:<40} {t['rows']:>6} rows")


def main() -> None:
    """Entry point of the ``guichets`` script."""
    app(prog_name="guichets")


if __name__ == "__main__":
    sys.exit(main())
