"""Headless Chromium, run as a plain subprocess: print a report to PDF, dump its DOM, screenshot it.

Every run gets a fresh profile (``--user-data-dir`` in a temporary directory) and the flags that
keep a headless browser from phoning home (background networking, component updates, sync).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scrapers import children

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BASE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
)


class ChromiumError(RuntimeError):
    """Chromium is missing or did not produce what was asked; the message says which."""


def find_chromium() -> str | None:
    """The Chromium executable: ``$GUICHETS_CHROMIUM``, else the first of :data:`CANDIDATES` on PATH."""
    explicit = os.environ.get("GUICHETS_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def run_chromium(args: list[str], *, timeout: float = 120.0) -> subprocess.CompletedProcess:
    """Run headless Chromium with :data:`BASE_FLAGS`, a fresh profile and ``args``."""
    binary = find_chromium()
    if binary is None:
        raise ChromiumError(
            "Chromium not found (looked for $GUICHETS_CHROMIUM, " + ", ".join(CANDIDATES) + "); "
            "on Debian: apt-get install -y chromium"
        )
    with chromium_profile() as profile:
        cmd = [binary, *BASE_FLAGS, f"--user-data-dir={profile}", *args]
        try:
            proc = start_chromium(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            raise ChromiumError(f"cannot run {binary}: {exc}") from exc
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise ChromiumError(f"Chromium did not finish in {timeout:.0f} s: {' '.join(cmd)}") from exc
        finally:
            stop_chromium(proc)
        return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)


def start_chromium(cmd: list[str], **popen: object) -> subprocess.Popen:
    """Start Chromium in its own process group under a keeper (:func:`scrapers.children.spawn`):
    :func:`stop_chromium` reaches its helpers, and none outlives the process that started it."""
    return children.spawn(cmd, **popen)


def stop_chromium(proc: subprocess.Popen, *, grace: float = 10.0) -> None:
    """Stop a Chromium started by :func:`start_chromium`: the browser, then every helper it forked.

    The browser process can exit while its utility processes still write into the profile; the
    whole tree is stopped here so that the profile can then be removed.
    """
    children.stop(proc, grace_s=grace)


@contextmanager
def chromium_profile() -> Iterator[str]:
    """A fresh ``--user-data-dir``, removed once Chromium has been stopped."""
    profile = tempfile.mkdtemp(prefix="guichets-chromium-")
    try:
        yield profile
    finally:
        # A killed helper may still be flushing for a moment: retry briefly, then leave the
        # leftovers to the system's temporary-file cleanup rather than fail the caller.
        deadline = time.monotonic() + 5
        while True:
            try:
                shutil.rmtree(profile)
                break
            except FileNotFoundError:
                break
            except OSError:
                if time.monotonic() > deadline:
                    shutil.rmtree(profile, ignore_errors=True)
                    break
                time.sleep(0.1)


def print_pdf(html: Path, pdf: Path, *, timeout: float = 120.0) -> Path:
    """Print the HTML file ``html`` to ``pdf`` (A4 and margins come from the page's @page rules)."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    tmp = pdf.with_suffix(".pdf.tmp")
    tmp.unlink(missing_ok=True)
    proc = run_chromium(
        # The page's own @page margin boxes carry the running banner and page numbers, so
        # Chromium's default header (date, file URL) is switched off.
        ["--no-pdf-header-footer", f"--print-to-pdf={tmp}", html.resolve().as_uri()],
        timeout=timeout,
    )
    if proc.returncode != 0 or not tmp.is_file() or not tmp.read_bytes()[:5] == b"%PDF-":
        tmp.unlink(missing_ok=True)
        tail = proc.stderr.decode("utf-8", "replace")[-1500:]
        raise ChromiumError(f"Chromium could not print {html} to PDF (exit {proc.returncode}):\n{tail}")
    os.replace(tmp, pdf)
    return pdf
