"""The social workers' lookup: ``guichets find`` (warehouse.lookup, docs/social-workers.md)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from scrapers.vocabulary import LANGUAGES
from warehouse.cli.common import DataDir, app, usage_error


def resolve_release(spec: str | None, data_dir: Path | None) -> Path:
    """``latest`` (default), a version under the data directory's releases, or a release directory."""
    from warehouse.settings import get_settings

    settings = get_settings(data_dir)
    if spec in (None, "latest"):
        return settings.latest_release
    path = Path(spec)
    if (path / "metadata.json").is_file():
        return path
    return settings.releases_dir / spec


@app.command("find", help="Counters near a postcode, commune or point: this week's hours, closures, help points.")
def find_cmd(
    postcode: Annotated[
        str | None, typer.Option("--postcode", help="A Belgian postal code (1030): every commune it covers.")
    ] = None,
    commune: Annotated[str | None, typer.Option("--commune", help="A commune's name (FR/NL/DE) or NIS code.")] = None,
    near: Annotated[str | None, typer.Option("--near", help="LAT,LON (WGS 84).")] = None,
    this_week: Annotated[bool, typer.Option("--this-week", help="This week, Monday to Sunday (the default).")] = False,
    day: Annotated[str | None, typer.Option("--date", help="One date, YYYY-MM-DD.")] = None,
    procedure: Annotated[
        str | None, typer.Option("--procedure", help="A procedure key (dim_procedure): its channels and help points.")
    ] = None,
    walk_in: Annotated[bool, typer.Option("--walk-in", help="Only counters with walk-in hours in the period.")] = False,
    lang: Annotated[str, typer.Option("--lang", help="fr, nl, de or en.")] = "fr",
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False,
    release: Annotated[
        str | None, typer.Option("--release", help="VERSION, latest (default) or a release directory.")
    ] = None,
    sheet: Annotated[
        Path | None, typer.Option("--sheet", help="Write a printable one-page sheet (HTML and PDF) into DIR.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Where can this person still go? Counters of the commune and its neighbours, by distance."""
    from warehouse.lookup import geo
    from warehouse.lookup.find import FindError, Query, find, query_for

    if sum(x is not None for x in (postcode, commune, near)) != 1:
        usage_error("give exactly one of --postcode, --commune, --near")
    if this_week and day:
        usage_error("give --this-week or --date, not both")
    if lang not in LANGUAGES:
        usage_error(f"--lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    try:
        when = date.fromisoformat(day) if day else None
    except ValueError:
        usage_error(f"--date {day!r} is not a date (YYYY-MM-DD)")
    try:
        if postcode is not None:
            # every commune of the postal code (a few codes cover several): none is picked
            places = geo.by_postcode(postcode)
        elif commune is not None:
            places = [geo.by_name_or_nis(commune)]
        else:
            try:
                lat, lon = (float(x) for x in near.split(","))
            except ValueError:
                usage_error(f"--near {near!r} is not LAT,LON")
            places = [geo.at_point(lat, lon)]
    except geo.PlaceError as exc:
        usage_error(str(exc))
    release_dir = resolve_release(release, data_dir)
    if not (release_dir / "metadata.json").is_file():
        typer.echo(f"error: no release at {release_dir} (run `guichets run` first, or give --release)", err=True)
        raise typer.Exit(1)
    options = {"postcode": postcode, "day": when, "procedure": procedure, "walk_in": walk_in, "lang": lang}
    if near is not None:
        q = Query(communes=tuple(places), origins=((lat, lon),), **options)
    else:
        q = query_for(places, **options)
    try:
        answer = find(release_dir, q, datetime.now(UTC).date())
    except FindError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    if sheet is not None:
        from warehouse.lookup.sheet import SheetError, write_sheet

        try:
            for path in write_sheet(answer, sheet, lang):
                typer.echo(f"sheet: {path}", err=True)
        except SheetError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(answer, ensure_ascii=False, indent=2))
    else:
        typer.echo(render_text(answer))


def render_text(answer: dict) -> str:
    """The answer as plain text for a terminal."""
    out = []
    if answer["illustrative"]:
        out.append("*** ILLUSTRATIVE SAMPLE DATA: not facts about any administration. ***")
    p = answer["place"]
    out.append(f"{p['name']} ({p['nis_code']}{', ' + p['postcode'] if p['postcode'] else ''}): "
               f"{answer['period']['from']} – {answer['period']['to']} (release {answer['release']})")  # fmt: skip
    if answer["note"]:
        out.append(f"note: {answer['note']}")
    for c in answer["counters"]:
        out.append("")
        out.append(f"{c['name']} — {_distance(c)}")
        for key in ("address", "phone", "booking_url"):
            if c[key]:
                out.append(f"  {c[key]}")
        out.extend(f"  {d['text']}" for d in c["days"])
        out.append(
            f"  last observed {c['last_observed_at'] or 'never'}: {c['evidence_url'] or c['evidence_warc'] or '-'}"
        )
    proc = answer.get("procedure")
    if proc:
        out += ["", f"{proc['label']} ({proc['key']})"]
        for cat in proc["catalogues"]:
            out.append(f"  {cat['source_id']}: {', '.join(cat['channels_available']) or '-'}"
                       f"{' (online only)' if cat['is_online_only'] else ''}")  # fmt: skip
        for h in proc["help_points"]:
            out.append(f"  help [{h['kind']}] {h['name']} — {_distance(h)}{': ' + h['note'] if h['note'] else ''}")
    if not answer["counters"]:
        out.append("no registered counter in this commune or its neighbours")
    return "\n".join(out)


def _distance(c: dict) -> str:
    # "~": measured to the commune's centroid, the counter's coordinates not being published
    if c["distance_km"] is None:
        return "? km"
    return f"{'~' if c['distance_from'] == 'commune_centroid' else ''}{c['distance_km']} km"
