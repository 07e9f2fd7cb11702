"""The `guichets` app object and what every command group shares: options and usage errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer

app = typer.Typer(help="guichets: an observatory of physical access to public services.", no_args_is_help=True)


@app.callback()
def _root() -> None:
    """guichets: collect, archive, parse, load, validate and publish data on public counters."""


DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Data directory (default: $GUICHETS_DATA_DIR or ./data).")
]


def registry_or_exit(path: Path, loader, option: str = "--registry"):
    """The registry loaded from ``path`` (given with ``option``), or exit 2 saying where it is wrong."""
    from scrapers.registry import RegistryError

    if not path.is_file():
        usage_error(f"{option} {path}: {'a directory, not' if path.is_dir() else 'no such'} registry file")
    try:
        return loader(path)
    except RegistryError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def usage_error(message: str) -> NoReturn:
    """Bad usage: one line on stderr naming the argument, exit 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def date_or_exit(value: str, option: str) -> date:
    """A YYYY-MM-DD date given to ``option``, or exit 2 naming it."""
    import re

    # Only YYYY-MM-DD: fromisoformat alone also takes 20210301 and 2021-W09-1.
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    usage_error(f"{option} {value!r} is not a date (expected YYYY-MM-DD, e.g. 2021-03-01)")


def http_url_or_exit(value: str, option: str) -> str:
    """An http(s) URL with a host given to ``option``, or exit 2 naming it."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number in 0..65535)
    except ValueError:
        ok = False
    if not ok:
        usage_error(f"{option} {value!r} is not an http(s) URL")
    return value


def writable_dir_or_exit(path: Path, option: str) -> Path:
    """The directory ``path``, created if missing, once a file could be written in it; else exit 2.

    The check writes a real (temporary) file rather than asking ``os.access``: as root, access
    says yes to everything, and neither it nor the mode bits know a read-only mount.
    """
    import tempfile

    from warehouse.settings import storage_problem

    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        usage_error(f"{option} {storage_problem(exc) or f'{path}: {exc.strerror or exc}'}")
    return path


@contextmanager
def storage_named(data_dir: Path) -> Iterator[None]:
    """Around a command's writes: a full disk or an unwritable directory ends it with one line
    naming the file (or else ``data_dir``) and the fault, exit 1 (the work failed)."""
    from warehouse.settings import storage_problem

    try:
        yield
    except OSError as exc:
        problem = storage_problem(exc, data_dir)
        if problem is None:
            raise
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(1) from exc


def sources_or_exit(registry, ids: list[str] | None) -> list:
    """The registry's sources named by ``--source`` (all when none is), or exit 2 naming an unknown ID."""
    if not ids:
        return list(registry.sources)
    known = {s.id: s for s in registry.sources}
    for sid in ids:
        if sid not in known:
            import difflib

            close = difflib.get_close_matches(sid, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            usage_error(f"--source {sid!r} is not a source of {registry.path}{hint}")
    return [known[sid] for sid in dict.fromkeys(ids)]
