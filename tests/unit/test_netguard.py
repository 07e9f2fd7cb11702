"""The address guard against the bypass family, on real servers on the loopback addresses.

Every URL below reaches a local server (127.0.0.1 or ::1) however it is spelled. Each must be
refused (``unsafe_url``, a message naming the URL) when local addresses are not allowed, before
the server sees a request, and fetched when the test allows that server's address. The same
holds on a redirect hop and from a registry URL; and the connected socket itself is checked
(the second line of defence, for whatever a parser or a DNS answer gets wrong).
"""

from __future__ import annotations

import json

import pytest
import requests

from scrapers.collect import collect_many
from scrapers.fetch.client import Fetcher
from scrapers.fetch.netguard import AddressGuard, UnsafeURL, host_key, parse_target
from scrapers.fetch.transport import open_session
from scrapers.registry import Source
from tests.conftest import LocalServer, reply

# Spellings of 127.0.0.1:{port} (the path the server sees is /p, or / when the rest is not a path).
LOOPBACK_V4 = {
    "backslash-at": "http://127.0.0.1:{port}\\@8.8.8.8/p",  # urllib.parse alone reads 8.8.8.8
    "double-backslash-at": "http://127.0.0.1:{port}\\\\@8.8.8.8/p",
    "fragment-at": "http://127.0.0.1:{port}#@8.8.8.8/p",
    "query-at": "http://127.0.0.1:{port}?@8.8.8.8/p",
    "userinfo": "http://user:pass@127.0.0.1:{port}/p",
    "userinfo-public-address": "http://8.8.8.8:80@127.0.0.1:{port}/p",
    "percent-encoded-host": "http://%31%32%37%2e0%2e0%2e1:{port}/p",
    "decimal": "http://2130706433:{port}/p",
    "octal": "http://0177.0.0.1:{port}/p",
    "octal-whole": "http://017700000001:{port}/p",
    "hex": "http://0x7f.1:{port}/p",
    "hex-whole": "http://0x7f000001:{port}/p",
    "short": "http://127.1:{port}/p",
    "localhost-uppercase": "http://LOCALHOST:{port}/p",
    "ipv4-mapped-ipv6": "http://[::ffff:127.0.0.1]:{port}/p",
    "ipv4-mapped-ipv6-hex": "http://[::ffff:7f00:1]:{port}/p",
}
# Spellings of [::1]:{port}.
LOOPBACK_V6 = {
    "ipv6-loopback": "http://[::1]:{port}/p",
    "ipv6-loopback-long": "http://[0:0:0:0:0:0:0:1]:{port}/p",
}
# Confusable Unicode spellings of localhost / 127.0.0.1: Python's resolver maps them to 127.0.0.1
# (IDNA 2003), requests cannot connect to them at all; the guard reads them as requests does.
IDNA = {
    "idna-fullwidth": "http://ｌｏｃａｌｈｏｓｔ:{port}/p",
    "idna-circled": "http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ:{port}/p",
    "idna-ideographic-dots": "http://127。0。0。1:{port}/p",
}


def serve_everywhere(server: LocalServer) -> None:
    for path in ("/p", "/", "/%5C@8.8.8.8/p", "/%5C%5C@8.8.8.8/p"):  # the backslash stays in the path
        server.routes[path] = reply(200, b"<html>local</html>", {"Content-Type": "text/html"})


def fetcher(allow_private=False) -> Fetcher:
    return Fetcher(timeout=(2, 2), max_retries=0, respect_robots=False, allow_private=allow_private)


def cases(server: LocalServer, spellings: dict[str, str]) -> list[tuple[str, str]]:
    return [(name, template.format(port=server.port)) for name, template in spellings.items()]


@pytest.mark.parametrize("name", [*LOOPBACK_V4, *IDNA])
def test_loopback_spellings_are_refused_by_default(local_server, name):
    serve_everywhere(local_server)
    url = {**LOOPBACK_V4, **IDNA}[name].format(port=local_server.port)
    res = fetcher().get(url, rate_per_s=100)
    assert (res.status, res.error_class) == (None, "unsafe_url"), res.error_message
    assert res.error_message.startswith(f"{url}: ")  # names the URL as it was given
    expected = "not a valid URL" if name in IDNA else "non-public address 127.0.0.1"
    assert expected in res.error_message
    assert local_server.hits == {}  # refused before any request reached the server


@pytest.mark.parametrize("name", list(LOOPBACK_V6))
def test_ipv6_loopback_spellings_are_refused_by_default(local_server_v6, name):
    serve_everywhere(local_server_v6)
    url = LOOPBACK_V6[name].format(port=local_server_v6.port)
    res = fetcher().get(url, rate_per_s=100)
    assert res.error_class == "unsafe_url" and res.error_message.startswith(f"{url}: ")
    assert "non-public address ::1" in res.error_message
    assert local_server_v6.hits == {}


@pytest.mark.parametrize("name", list(LOOPBACK_V4))
def test_loopback_spellings_reach_the_allowed_server(local_server, name):
    # The allowance is by address: every spelling of 127.0.0.1:PORT reaches it, and only it.
    serve_everywhere(local_server)
    url = LOOPBACK_V4[name].format(port=local_server.port)
    res = fetcher(allow_private={local_server.host_port}).get(url, rate_per_s=100)
    assert res.status == 200 and res.content == b"<html>local</html>", res.error_message
    assert sum(local_server.hits.values()) == 1


@pytest.mark.parametrize("name", list(LOOPBACK_V6))
def test_ipv6_loopback_spellings_reach_the_allowed_server(local_server_v6, name):
    serve_everywhere(local_server_v6)
    url = LOOPBACK_V6[name].format(port=local_server_v6.port)
    res = fetcher(allow_private={local_server_v6.host_port}).get(url, rate_per_s=100)
    assert res.status == 200, res.error_message


@pytest.mark.parametrize("name", list(IDNA))
def test_confusable_idna_is_invalid_even_when_loopback_is_allowed(local_server, name):
    # requests itself cannot connect to these: the guard says so, and nothing is sent.
    serve_everywhere(local_server)
    url = IDNA[name].format(port=local_server.port)
    res = fetcher(allow_private=True).get(url, rate_per_s=100)
    assert res.error_class == "unsafe_url" and "not a valid URL" in res.error_message
    assert local_server.hits == {}


@pytest.mark.parametrize("name", [*LOOPBACK_V4, *LOOPBACK_V6])
def test_redirect_to_another_local_server_is_refused_on_the_hop(local_server, local_server_v6, name):
    # The first server is the allowed one; the redirect leads to a second, not allowed, server.
    other = local_server_v6 if name in LOOPBACK_V6 else LocalServer()
    try:
        serve_everywhere(other)
        target = {**LOOPBACK_V4, **LOOPBACK_V6}[name].format(port=other.port)
        local_server.routes["/hop"] = reply(302, b"", {"Location": target})
        res = fetcher(allow_private={local_server.host_port}).get(
            f"{local_server.base}/hop", rate_per_s=100, follow_redirects=True
        )
        assert res.error_class == "unsafe_url" and res.error_message.startswith(f"{target}: ")
        assert "non-public address" in res.error_message
        assert [row["error_class"] for row in res.attempt_log] == [None, "unsafe_url"]
        assert other.hits == {}
    finally:
        if other is not local_server_v6:
            other.close()


def test_bypass_url_in_a_registry_is_a_refused_capture(local_server, tmp_path):
    other = LocalServer()
    try:
        serve_everywhere(other)
        url = f"http://127.0.0.1:{other.port}\\@8.8.8.8/p"
        source = Source(id="bypass", administration="commune-x", kind="opening_hours", urls=(url,), language="fr")
        fetcher = Fetcher(allow_private={local_server.host_port}, max_retries=0)  # robots.txt on, as in production
        (summary,) = collect_many([source], tmp_path, fetcher=fetcher)
        (path,) = summary["files"]
        cap = json.loads(open(path, encoding="utf-8").read())["capture"]
        assert (cap["error_class"], cap["http_status"]) == ("unsafe_url", None)
        assert cap["parse_message"].startswith(f"{url}: ") and "non-public address 127.0.0.1" in cap["parse_message"]
        assert other.hits == {}
    finally:
        other.close()


def test_the_connected_socket_itself_is_checked(local_server, local_server_v6):
    # Below the URL check: a session of the transport layer refuses the peer address after connect,
    # before sending anything, whatever the URL check said (here it is skipped altogether).
    serve_everywhere(local_server)
    serve_everywhere(local_server_v6)
    for server in (local_server, local_server_v6):
        with pytest.raises(UnsafeURL, match="connected to non-public address"):
            open_session(AddressGuard(False), {}).get(f"{server.base}/p", timeout=2)
        assert server.hits == {}
    # Allowed by address and port: this server, not another port on the same address.
    session = open_session(AddressGuard({local_server.host_port}), {})
    assert session.get(f"http://2130706433:{local_server.port}/p", timeout=2).status_code == 200
    with pytest.raises(UnsafeURL):
        session.get(f"{local_server_v6.base}/p", timeout=2)


@pytest.mark.parametrize("url", [*LOOPBACK_V4.values(), *LOOPBACK_V6.values()])
def test_one_parser_the_guard_reads_what_requests_sends(url):
    url = url.format(port=8080)
    assert parse_target(url).url == requests.Request("GET", url).prepare().url


def test_host_key_groups_spellings_of_one_host():
    assert host_key("https://Example.be/a") == host_key("https://example.be:443/b") == "example.be:443"
    assert host_key("http://127.0.0.1:8080\\@8.8.8.8/") == "127.0.0.1:8080"
    assert host_key("http://[::1]:8080/") == "[::1]:8080"
    assert parse_target("https://example.be:443/x").origin == "https://example.be"
    assert parse_target("http://example.be:8080/x").origin == "http://example.be:8080"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "scheme 'file' is not allowed"),
        ("ftp://example.be/", "scheme 'ftp' is not allowed"),
        ("http://", "not a valid URL"),
        ("http://127.0.0.1:99999/", "not a valid URL"),
    ],
)
def test_malformed_urls_are_refused_with_the_reason(url, message):
    with pytest.raises(UnsafeURL, match=message):
        AddressGuard(True).check_url(url)
