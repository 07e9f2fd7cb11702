"""Headless Chromium for tests: plain subprocess runs, and a small DevTools-protocol client.

The plain runs (``--dump-dom``, ``--screenshot``, console messages on stderr) need nothing but
Chromium. :class:`DevTools` drives one page over the DevTools protocol with the ``websockets``
package (a locked dependency of Airflow): console and exception events with their level, script
dialogs (an ``alert()`` that ran), layout boxes and screenshots of one element.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path

from warehouse.report.chromium import (
    BASE_FLAGS,
    chromium_profile,
    find_chromium,
    run_chromium,
    start_chromium,
    stop_chromium,
)

# Chromium logs each console message of a page as `...:INFO:CONSOLE(<line>)] "<text>", source: ...`.
CONSOLE_LINE = re.compile(r":CONSOLE(?::|\()\d*\)?\]\s*(.*)")


def chromium_or_skip() -> str:
    """The Chromium binary, or skip the test when it is missing or cannot start here."""
    import pytest

    binary = find_chromium()
    if binary is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    proc = run_chromium(["--dump-dom", "data:text/html,<p>ok</p>"], timeout=60)
    if proc.returncode != 0 or b"<p>ok</p>" not in proc.stdout:
        pytest.skip(f"Chromium cannot run here: {proc.stderr.decode('utf-8', 'replace')[-500:]}")
    return binary


def dump_dom(url: str, *, width: int = 1280, height: int = 1600) -> tuple[str, list[str]]:
    """(DOM after load, console messages) of ``url``, from a plain ``--dump-dom`` run."""
    proc = run_chromium(
        ["--enable-logging=stderr", "--v=0", f"--window-size={width},{height}", "--dump-dom", url], timeout=120
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-2000:]
    return proc.stdout.decode("utf-8"), console_messages(proc.stderr.decode("utf-8", "replace"))


def screenshot(url: str, path: Path, *, width: int = 1280, height: int = 2000) -> list[str]:
    """Save a PNG of the top ``width`` x ``height`` of ``url``; returns the console messages."""
    path.parent.mkdir(parents=True, exist_ok=True)
    proc = run_chromium(
        ["--enable-logging=stderr", "--v=0", f"--window-size={width},{height}", f"--screenshot={path}", url],
        timeout=120,
    )
    assert proc.returncode == 0 and path.is_file(), proc.stderr.decode("utf-8", "replace")[-2000:]
    return console_messages(proc.stderr.decode("utf-8", "replace"))


def console_messages(stderr: str) -> list[str]:
    """The page's console messages in a Chromium stderr log."""
    return [m.group(1) for line in stderr.splitlines() if (m := CONSOLE_LINE.search(line))]


class DevTools:
    """One headless Chromium and one page, driven over the DevTools protocol."""

    def __init__(self, width: int = 1280, height: int = 1000) -> None:
        from websockets.sync.client import connect

        binary = find_chromium()
        if binary is None:
            raise RuntimeError("Chromium not found")
        self._cleanup = ExitStack()
        profile = self._cleanup.enter_context(chromium_profile())
        self._log = open(Path(profile) / "stderr.log", "wb")  # noqa: SIM115 (closed in close())
        self.proc = start_chromium(
            [binary, *BASE_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        port_file = Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.is_file() and len(port_file.read_text().split()) >= 2):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.05)
        port, path = port_file.read_text().split()[:2]
        self.ws = connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=30)
        self._id = 0
        self.events: list[dict] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable", session=True)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )

    def call(self, method: str, params: dict | None = None, *, session: bool = False, timeout: float = 60) -> dict:
        """Send one command and wait for its answer, keeping the events received meanwhile."""
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            reply = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._event(reply)

    def _event(self, event: dict) -> None:
        self.events.append(event)
        if event.get("method") == "Page.javascriptDialogOpening":
            # Dismiss it, or the page would hang; the event stays recorded as a failure.
            self.ws.send(
                json.dumps(
                    {
                        "id": 10**9 + len(self.events),
                        "method": "Page.handleJavaScriptDialog",
                        "params": {"accept": False},
                        "sessionId": self.session,
                    }
                )
            )

    def open(self, url: str, timeout: float = 60) -> None:
        """Navigate and wait for the load event."""
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            self._event(json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic()))))

    def evaluate(self, expression: str):
        """The JSON value of a JavaScript expression evaluated in the page."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions, log errors and script dialogs seen."""
        out = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                out.append(f"console.{params['type']}: {[a.get('value') for a in params.get('args', [])]}")
            elif method == "Runtime.exceptionThrown":
                out.append(f"exception: {params.get('exceptionDetails', {}).get('text')}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                out.append(f"log: {params['entry'].get('text')}")
            elif method == "Page.javascriptDialogOpening":
                out.append(f"dialog: {params.get('type')} {params.get('message')!r}")
        return out

    def screenshot(self, path: Path, selector: str | None = None, *, max_height: int = 2400) -> Path:
        """PNG of the element ``selector`` (its top ``max_height`` pixels), or of the viewport."""
        params: dict = {"format": "png"}
        if selector:
            box = self.evaluate(
                f"(() => {{ const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect();"
                " return {x: r.left + window.scrollX, y: r.top + window.scrollY, w: r.width, h: r.height}; })()"
            )
            params["clip"] = {
                "x": box["x"],
                "y": box["y"],
                "width": box["w"],
                "height": min(box["h"], max_height),
                "scale": 1,
            }
            params["captureBeyondViewport"] = True
        data = self.call("Page.captureScreenshot", params, session=True)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        """Stop this browser (the process started here and its helpers) and remove its profile."""
        ws = getattr(self, "ws", None)
        if ws is not None:
            ws.close()
        stop_chromium(self.proc)
        self._log.close()
        self._cleanup.close()

    def __enter__(self) -> DevTools:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def artefacts_dir(tmp: Path) -> list[Path]:
    """Where screenshots go: a pytest tmp dir, and ``$GUICHETS_ARTEFACTS`` when set."""
    dirs = [tmp]
    if os.environ.get("GUICHETS_ARTEFACTS"):
        dirs.append(Path(os.environ["GUICHETS_ARTEFACTS"]))
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
    return dirs
