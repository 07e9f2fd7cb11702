"""Headless Chromium, run as a plain subprocess: print a report to PDF, dump its DOM, screenshot it.

Every run gets a fresh profile (``--user-data-dir`` in a temporary directory) and the flags that
keep a headless browser from phoning home (background networking, component updates, sync).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

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
    with tempfile.TemporaryDirectory(prefix="guichets-chromium-") as profile:
        cmd = [binary, *BASE_FLAGS, f"--user-data-dir={profile}", *args]
        try:
            return subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ChromiumError(f"Chromium did not finish in {timeout:.0f} s: {' '.join(cmd)}") from exc
        except OSError as exc:
            raise ChromiumError(f"cannot run {binary}: {exc}") from exc


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
