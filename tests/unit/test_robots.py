"""robots.txt answered by redirects (RFC 9309: follow at least five), on real servers on 127.0.0.1.

Each hop of the robots.txt request goes through the address guard like any other request.
"""

from __future__ import annotations

import time

from scrapers.fetch.client import Fetcher
from tests.conftest import LocalServer, reply

RULES = b"User-agent: *\nDisallow: /private\n"


def fetcher(*servers: LocalServer, max_redirects: int = 5) -> Fetcher:
    allowed = {s.host_port for s in servers}
    return Fetcher(timeout=(2, 2), max_retries=0, allow_private=allowed, max_redirects=max_redirects)


def pages(server: LocalServer) -> None:
    server.routes["/private/page"] = reply(200, b"secret", {"Content-Type": "text/html"})
    server.routes["/public"] = reply(200, b"ok", {"Content-Type": "text/html"})


def outcomes(f: Fetcher, server: LocalServer) -> tuple:
    private = f.get(f"{server.base}/private/page", rate_per_s=100)
    public = f.get(f"{server.base}/public", rate_per_s=100)
    return private.error_class or private.status, public.error_class or public.status


def chain(server: LocalServer, hops: int, end: str) -> None:
    """/robots.txt -> /r1 -> ... -> /r{hops-1} -> ``end`` (hops redirects in all)."""
    names = ["/robots.txt", *[f"/r{i}" for i in range(1, hops)]]
    for here, there in zip(names, [*names[1:], end], strict=True):
        server.routes[here] = reply(301, b"", {"Location": there})


def test_robots_txt_behind_a_redirect_is_read_and_respected(local_server):
    pages(local_server)
    local_server.routes["/robots.txt"] = reply(301, b"", {"Location": "/robots-moved.txt"})
    local_server.routes["/robots-moved.txt"] = reply(200, RULES, {"Content-Type": "text/plain"})
    assert outcomes(fetcher(local_server), local_server) == ("robots_disallowed", 200)
    assert "/private/page" not in local_server.hits
    assert local_server.hits["/robots.txt"] == local_server.hits["/robots-moved.txt"] == 1  # read once


def test_five_redirects_are_followed(local_server):
    pages(local_server)
    chain(local_server, 5, "/robots-final.txt")
    local_server.routes["/robots-final.txt"] = reply(200, RULES)
    assert outcomes(fetcher(local_server), local_server) == ("robots_disallowed", 200)
    assert local_server.hits["/robots-final.txt"] == 1


def test_robots_txt_on_another_allowed_host_gives_the_rules(local_server):
    # Across authorities too (a site that moved to www. or https); the rules are the first host's.
    other = LocalServer()
    try:
        pages(local_server)
        local_server.routes["/robots.txt"] = reply(302, b"", {"Location": f"{other.base}/robots.txt"})
        other.routes["/robots.txt"] = reply(200, RULES)
        assert outcomes(fetcher(local_server, other), local_server) == ("robots_disallowed", 200)
    finally:
        other.close()


def test_robots_txt_redirected_to_a_missing_file_allows_everything(local_server):
    pages(local_server)
    local_server.routes["/robots.txt"] = reply(301, b"", {"Location": "/nowhere.txt"})  # 404 there
    assert outcomes(fetcher(local_server), local_server) == (200, 200)


def test_more_than_five_redirects_or_a_loop_disallow_everything(local_server):
    pages(local_server)
    chain(local_server, 6, "/robots-final.txt")
    local_server.routes["/robots-final.txt"] = reply(200, b"User-agent: *\nAllow: /\n")
    assert outcomes(fetcher(local_server), local_server) == ("robots_disallowed", "robots_disallowed")
    assert "/robots-final.txt" not in local_server.hits  # the sixth hop is never requested
    loop = LocalServer()
    try:
        pages(loop)
        loop.routes["/robots.txt"] = reply(302, b"", {"Location": "/robots-b.txt"})
        loop.routes["/robots-b.txt"] = reply(302, b"", {"Location": "/robots.txt"})
        assert outcomes(fetcher(loop), loop) == ("robots_disallowed", "robots_disallowed")
    finally:
        loop.close()


def test_a_robots_redirect_to_a_refused_address_is_not_followed(local_server):
    # The hop leads to another local server (not allowed), spelled to slip past a naive parser.
    other = LocalServer()
    try:
        pages(local_server)
        other.routes["/robots.txt"] = reply(200, b"User-agent: *\nAllow: /\n")
        sneaky = f"http://127.0.0.1:{other.port}\\@8.8.8.8/robots.txt"
        local_server.routes["/robots.txt"] = reply(302, b"", {"Location": sneaky})
        # Unreachable robots.txt: everything disallowed (RFC 9309), and the other server never asked.
        assert outcomes(fetcher(local_server), local_server) == ("robots_disallowed", "robots_disallowed")
        assert other.hits == {}
    finally:
        other.close()


def test_robots_txt_is_requested_at_the_hosts_rate(local_server):
    # Not at a fixed 1 request/s: at 100/s, robots.txt, its hop and the page take well under a second.
    pages(local_server)
    local_server.routes["/robots.txt"] = reply(301, b"", {"Location": "/robots-moved.txt"})
    local_server.routes["/robots-moved.txt"] = reply(200, RULES)
    started = time.monotonic()
    assert fetcher(local_server).get(f"{local_server.base}/public", rate_per_s=100).status == 200
    assert time.monotonic() - started < 0.5
