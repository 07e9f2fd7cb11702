"""Live collection against a real local server: conditional GET, moved pages, evidence."""

from __future__ import annotations

import json
import time

from scrapers.collect import collect_live
from scrapers.fetch.client import Fetcher
from scrapers.registry import Counter, Source

PAGE = (
    "<html lang='fr'><body><section class='office'><h2>Service Population</h2>"
    "<p>Du lundi au vendredi de 9h à 12h.</p></section></body></html>"
).encode()


def source(base: str, path: str = "/population") -> Source:
    return Source(
        id="commune-x-population",
        administration="commune-x",
        kind="opening_hours",
        urls=(f"{base}{path}",),
        language="fr",
        rate_limit_per_s=10,
        counters=(Counter("ctr-x-pop", "commune-x-population", "Service Population", ("population",)),),
    )


def records(out):
    return [json.loads(p.read_text()) for p in sorted((out / "collected").glob("*/*.json"))]


def test_unchanged_page_costs_a_304_and_is_still_an_observation(local_server, tmp_path):
    def handler(h):
        if h.headers.get("If-None-Match") == '"v1"':
            h.send_response(304)
            h.send_header("ETag", '"v1"')
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("ETag", '"v1"')
        h.send_header("Content-Length", str(len(PAGE)))
        h.end_headers()
        h.wfile.write(PAGE)

    local_server.routes["/population"] = handler
    fetcher = Fetcher(allow_private=True, respect_robots=False)
    src = source(local_server.base)
    collect_live(src, tmp_path, fetcher=fetcher)
    time.sleep(1.1)  # observation times have one-second resolution
    collect_live(src, tmp_path, fetcher=fetcher)
    first, second = records(tmp_path)
    assert first["capture"]["http_status"] == 200 and first["capture"]["etag"] == '"v1"'
    assert second["capture"]["parse_status"] == "ok" and "304 Not Modified" in second["capture"]["parse_message"]
    assert second["capture"]["observed_at"] > first["capture"]["observed_at"]
    assert second["schedules"] == first["schedules"] and second["schedules"][0]["counter_id"] == "ctr-x-pop"
    assert second["capture"]["attempts"][0]["http_status"] == 304


def test_moved_page_is_followed_and_recorded(local_server, tmp_path):
    local_server.routes["/old"] = lambda h: (
        h.send_response(301),
        h.send_header("Location", "/population"),
        h.send_header("Content-Length", "0"),
        h.end_headers(),
    )
    local_server.routes["/population"] = lambda h: (
        h.send_response(200),
        h.send_header("Content-Type", "text/html; charset=utf-8"),
        h.send_header("Content-Length", str(len(PAGE))),
        h.end_headers(),
        h.wfile.write(PAGE),
    )
    summary = collect_live(source(local_server.base, "/old"), tmp_path, fetcher=Fetcher(allow_private=True))
    (rec,) = records(tmp_path)
    assert summary["parsed"] == 1
    assert rec["capture"]["final_url"].endswith("/population") and rec["capture"]["url"].endswith("/old")
    assert [a["http_status"] for a in rec["capture"]["attempts"] if a["url"].endswith(("/old", "/population"))] == [
        301,
        200,
    ]
    assert (tmp_path / rec["capture"]["warc_file"]).exists()
