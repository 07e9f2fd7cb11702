import gzip
import time

from scrapers.archive.warc import iter_responses, write_evidence
from scrapers.capture import CaptureKey
from scrapers.fetch.client import Fetcher
from scrapers.fetch.decoding import decode_html
from tests.conftest import reply


def fast_fetcher(**kw) -> Fetcher:
    """A fetcher allowed to reach the local test server (production refuses 127.0.0.1)."""
    kw.setdefault("allow_private", True)
    kw.setdefault("respect_robots", False)
    return Fetcher(timeout=(2, 2), backoff_s=0.01, **kw)


def test_ok_page_and_user_agent(local_server):
    seen = {}

    def handler(h):
        seen["ua"] = h.headers["User-Agent"]
        reply(200, b"<html>ok</html>", {"Content-Type": "text/html; charset=utf-8"})(h)

    local_server.routes["/p"] = handler
    res = fast_fetcher().get(f"{local_server.base}/p", rate_per_s=100)
    assert res.status == 200 and res.content == b"<html>ok</html>"
    assert "guichets" in seen["ua"] and "+https://" in seen["ua"]


def test_transient_503_is_retried_with_retry_after(local_server):
    calls = []

    def flaky(h):
        calls.append(time.monotonic())
        if len(calls) == 1:
            reply(503, b"busy", {"Retry-After": "1"})(h)
        else:
            reply(200, b"fine", {"Content-Type": "text/html"})(h)

    local_server.routes["/p"] = flaky
    res = fast_fetcher().get(f"{local_server.base}/p", rate_per_s=100)
    assert res.status == 200 and res.attempts == 2
    assert calls[1] - calls[0] >= 0.95  # Retry-After honoured


def test_archived_5xx_is_a_fact_not_retried(local_server):
    local_server.routes["/p"] = reply(500, b"boom", {"Memento-Datetime": "Wed, 01 Jan 2020 10:00:00 GMT"})
    res = fast_fetcher().get(f"{local_server.base}/p", rate_per_s=100)
    assert res.status == 500 and res.attempts == 1 and local_server.hits["/p"] == 1


def test_redirect_is_not_followed(local_server):
    local_server.routes["/old"] = reply(301, b"", {"Location": "/new"})
    res = fast_fetcher().get(f"{local_server.base}/old", rate_per_s=100)
    assert res.status == 301 and res.header("location") == "/new"


def test_oversized_body_is_refused(local_server):
    local_server.routes["/big"] = reply(200, b"x" * 200_000, {"Content-Type": "text/html"})
    res = fast_fetcher(max_bytes=100_000).get(f"{local_server.base}/big", rate_per_s=100)
    assert res.status is None and res.error_class == "body_too_large"


def test_gzip_bomb_is_refused(local_server):
    bomb = gzip.compress(b"\0" * 50_000_000)  # ~50 KB on the wire, 50 MB decoded
    local_server.routes["/bomb"] = reply(200, bomb, {"Content-Type": "text/html", "Content-Encoding": "gzip"})
    res = fast_fetcher(max_bytes=1_000_000).get(f"{local_server.base}/bomb", rate_per_s=100)
    assert res.error_class == "body_too_large"


def test_connection_refused_is_an_outcome(local_server):
    url = f"{local_server.base}/p"
    local_server.close()
    res = fast_fetcher(max_retries=1).get(url, rate_per_s=100)
    assert res.status is None and res.error_class == "connection_error" and res.attempts == 2


def test_per_host_rate_limit(local_server):
    local_server.routes["/p"] = reply(200, b"x", {"Content-Type": "text/html"})
    fetcher = fast_fetcher()
    start = time.monotonic()
    for _ in range(4):
        fetcher.get(f"{local_server.base}/p", rate_per_s=5)
    assert time.monotonic() - start >= 0.6  # 4 requests at 5/s: at least 3 intervals of 0.2 s


def test_interval_counts_from_when_the_request_is_sent(local_server):
    """A thread held between its turn and the moment its bytes go out (a loaded machine: here a
    requests auth hook that takes 0.15 s on the first request) moves the next request with it: the
    server never sees two requests closer than 1/rate."""
    arrivals: list[float] = []

    def handler(h):
        arrivals.append(time.monotonic())
        reply(200, b"x", {"Content-Type": "text/html"})(h)

    held = [0.15]

    def slow_first(request):
        if held:
            time.sleep(held.pop())
        return request

    local_server.routes["/p"] = handler
    fetcher = fast_fetcher()
    fetcher.session.auth = slow_first
    for _ in range(3):
        assert fetcher.get(f"{local_server.base}/p", rate_per_s=5).status == 200
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    assert min(gaps) >= 0.19, gaps  # 0.2 s at 5/s (timer resolution aside); 0.05 s if counted from the turn


def test_windows_1252_without_charset():
    body = "<html><p>Ouvert du lundi au vendredi, 9h–12h. Fermé l’été</p></html>".encode("windows-1252")
    text, enc = decode_html(body, "text/html")
    assert enc == "windows-1252" and "Fermé l’été" in text
    text, enc = decode_html('<meta charset="iso-8859-1"><p>été</p>'.encode("latin-1"), None)
    assert "été" in text


def test_evidence_warc_roundtrip(local_server, tmp_path):
    from datetime import UTC, datetime

    local_server.routes["/p"] = reply(200, b"<html>evidence</html>", {"Content-Type": "text/html"})
    res = fast_fetcher().get(f"{local_server.base}/p", rate_per_s=100)
    path = tmp_path / "e.warc.gz"
    key = CaptureKey("s", f"{local_server.base}/p", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    rid = write_evidence(path, res, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), key=key)
    (rec_headers, http_headers, body), *_ = list(iter_responses(path))
    assert rec_headers.get_header("WARC-Record-ID") == rid
    assert rec_headers.get_header("WARC-Date") == "2026-01-02T03:04:05Z"
    assert http_headers.get_statuscode() == "200" and body == b"<html>evidence</html>"
    # Record IDs are a function of the capture and its bytes; an existing file is never rewritten.
    before = path.read_bytes()
    assert write_evidence(path, res, datetime(2027, 1, 1, tzinfo=UTC), key=key) == rid
    assert path.read_bytes() == before


def test_private_addresses_are_refused_by_default(local_server):
    local_server.routes["/p"] = reply(200, b"x")
    res = Fetcher(respect_robots=False).get(f"{local_server.base}/p")
    assert res.error_class == "unsafe_url" and "non-public address 127.0.0.1" in res.error_message
    assert "/p" not in local_server.hits
    assert Fetcher().get("file:///etc/passwd").error_class == "unsafe_url"


def test_redirect_to_private_address_is_refused_on_the_hop(local_server):
    # Only the local server's own host:port is allowed; the redirect hop is checked again.
    local_server.routes["/p"] = reply(302, b"", {"Location": "http://169.254.169.254/latest/meta-data"})
    local_server.routes["/q"] = reply(302, b"", {"Location": "http://127.0.0.1:9/admin"})
    fetcher = Fetcher(allow_private={f"127.0.0.1:{local_server.port}"}, respect_robots=False, timeout=(2, 2))
    assert fetcher.get(f"{local_server.base}/p", rate_per_s=100).status == 302  # not followed unless asked
    for path in ("/p", "/q"):
        res = fetcher.get(f"{local_server.base}{path}", rate_per_s=100, follow_redirects=True)
        assert res.error_class == "unsafe_url" and "non-public address" in res.error_message
        assert [row["error_class"] for row in res.attempt_log] == [None, "unsafe_url"]


def test_redirect_loop_and_bound(local_server):
    local_server.routes["/a"] = reply(302, b"", {"Location": "/b"})
    local_server.routes["/b"] = reply(302, b"", {"Location": "/a"})
    res = fast_fetcher().get(f"{local_server.base}/a", rate_per_s=100, follow_redirects=True)
    assert res.error_class == "redirect_loop"
    for i in range(10):
        local_server.routes[f"/r{i}"] = reply(301, b"", {"Location": f"/r{i + 1}"})
    res = fast_fetcher(max_redirects=3).get(f"{local_server.base}/r0", rate_per_s=100, follow_redirects=True)
    assert res.error_class == "too_many_redirects"


def test_redirect_followed_to_the_moved_page(local_server):
    local_server.routes["/old"] = reply(301, b"", {"Location": "/new"})
    local_server.routes["/new"] = reply(200, b"<html>new</html>", {"Content-Type": "text/html"})
    res = fast_fetcher().get(f"{local_server.base}/old", rate_per_s=100, follow_redirects=True)
    assert res.status == 200 and res.url.endswith("/new") and res.redirects == [f"{local_server.base}/old"]


def test_robots_txt_disallow_is_respected(local_server):
    local_server.routes["/robots.txt"] = reply(200, b"User-agent: *\nDisallow: /private\n")
    local_server.routes["/private/page"] = reply(200, b"secret")
    local_server.routes["/public"] = reply(200, b"ok")
    fetcher = fast_fetcher(respect_robots=True)
    assert fetcher.get(f"{local_server.base}/private/page", rate_per_s=100).error_class == "robots_disallowed"
    assert "/private/page" not in local_server.hits
    assert fetcher.get(f"{local_server.base}/public", rate_per_s=100).status == 200
    assert local_server.hits["/robots.txt"] == 1  # read once per host
