import json

import pytest

from scrapers.archive.cdx import CdxCapture, CdxError, fetch_plan, list_captures, parse_cdx
from scrapers.fetch.client import Fetcher
from tests.conftest import reply

IA = json.dumps(
    [
        ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"],
        ["be,x)/a", "20200101000000", "https://x.be/a", "text/html", "200", "AAA", "10"],
        ["be,x)/a", "20210101000000", "https://x.be/a", "text/html", "200", "AAA", "10"],
        ["be,x)/a", "20220101000000", "https://x.be/a", "text/html", "503", "BBB", "10"],
        ["be,x)/a", "20230101000000", "https://x.be/a", "text/html", "200", "AAA", "10"],
    ]
)
PYWB = "\n".join(
    json.dumps({"urlkey": "be,x)/a", "timestamp": ts, "url": "https://x.be/a", "status": st, "digest": d})
    for ts, st, d in [("20200101000000", "200", "AAA"), ("20210101000000", "301", "CCC")]
)


def test_reads_internet_archive_and_pywb_forms():
    ia = parse_cdx(IA, "ia")
    assert [c.status for c in ia] == ["200", "200", "503", "200"]
    pw = parse_cdx(PYWB, "pywb")
    assert pw[1] == CdxCapture("20210101000000", "https://x.be/a", "301", "CCC")
    assert parse_cdx("", "empty") == []


def test_duplicates_are_observations_not_fetches():
    plan = fetch_plan(parse_cdx(IA, "ia"))
    # 2021 repeats 2020 (not fetched again, still observed); 2023 follows a 503 so it is fetched.
    assert [(c.timestamp[:4], dup.timestamp[:4] if dup else None) for c, dup in plan] == [
        ("2020", None),
        ("2021", "2020"),
        ("2022", None),
        ("2023", None),
    ]


def test_garbage_answer_names_the_url():
    with pytest.raises(CdxError, match="from somewhere"):
        parse_cdx("<html>not json</html>", "somewhere")


def test_list_captures_over_http(local_server):
    local_server.routes["/cdx"] = reply(200, PYWB.encode(), {"Content-Type": "text/x-ndjson"})
    caps = list_captures(
        Fetcher(allow_private=True, respect_robots=False), f"{local_server.base}/cdx", "https://x.be/a", rate_per_s=100
    )
    assert [c.timestamp for c in caps] == ["20200101000000", "20210101000000"]


def test_cdx_server_error_is_an_error(local_server):
    local_server.routes["/cdx"] = reply(404, b"")
    with pytest.raises(CdxError, match="failed: 404"):
        list_captures(
            Fetcher(max_retries=0, allow_private=True, respect_robots=False),
            f"{local_server.base}/cdx",
            "https://x.be/a",
            rate_per_s=100,
        )


def test_internet_archive_paging_by_resume_key(local_server):
    header = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
    page1 = [header, ["be,x)/a", "20200101000000", "https://x.be/a", "text/html", "200", "AAA", "1"], [], ["KEY 1"]]
    page2 = [header, ["be,x)/a", "20210101000000", "https://x.be/a", "text/html", "200", "BBB", "1"]]
    seen = []

    def handler(h):
        seen.append(h.path)
        body = page2 if "resumeKey=KEY%201" in h.path else page1
        reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})(h)

    local_server.routes["/cdx"] = handler
    fetcher = Fetcher(allow_private=True, respect_robots=False)
    caps = list_captures(fetcher, f"{local_server.base}/cdx", "https://x.be/a", rate_per_s=100, page_size=1)
    assert [c.digest for c in caps] == ["AAA", "BBB"]
    assert len(seen) == 2 and "limit=1" in seen[0] and "showResumeKey=true" in seen[0]


def test_revisit_records_are_duplicates_of_what_they_revisit():
    caps = [
        CdxCapture("20200101000000", "https://x.be/a", "200", "AAA", "text/html"),
        CdxCapture("20200601000000", "https://x.be/a", "-", "AAA", "warc/revisit"),
    ]
    assert [dup.timestamp if dup else None for _, dup in fetch_plan(caps)] == [None, "20200101000000"]


def test_cdx_429_is_retried_with_backoff(local_server):
    calls = []

    def handler(h):
        calls.append(1)
        if len(calls) == 1:
            reply(429, b"slow down", {"Retry-After": "1"})(h)
        else:
            reply(200, PYWB.encode(), {"Content-Type": "text/x-ndjson"})(h)

    local_server.routes["/cdx"] = handler
    fetcher = Fetcher(allow_private=True, respect_robots=False)
    caps = list_captures(fetcher, f"{local_server.base}/cdx", "https://x.be/a", rate_per_s=100)
    assert len(caps) == 2 and len(calls) == 2


HEADER = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("null", "neither a JSON array nor one JSON object per line"),
        ("42", "neither a JSON array nor one JSON object per line"),
        ('{"a": 1}', "lacks field 'timestamp'"),
        ("[1, 2, 3]", "not an array of rows"),
        (json.dumps([HEADER, ["be,x)/a", "20200101000000"]]), "lacks field 'url'"),
        (json.dumps([HEADER, ["be,x)/a", "2020", "https://x.be/a", "text/html", "200", "A", "1"]]), "not 14 digits"),
        (json.dumps([HEADER, ["be,x)/a", "20201399000000", "https://x.be/a", "text/html", "200", "A", "1"]]),
         "is not a time"),
        (json.dumps([HEADER, ["be,x)/a", "20200101000000", "https://x.be/a", "text/html", "200", None, "1"]]),
         "url and digest must be strings"),
        ('{"timestamp": "20200101000000", "url": "https://x.be/a"}\n[1]', "neither a JSON array"),
    ],
)  # fmt: skip
def test_every_unreadable_answer_is_a_cdx_error_naming_the_url(answer, message):
    with pytest.raises(CdxError, match="from somewhere") as err:
        parse_cdx(answer, "somewhere")
    assert message in str(err.value)


def test_a_non_utf8_answer_is_a_cdx_error(local_server):
    local_server.routes["/cdx"] = reply(200, b"\xff\xfe garbage", {"Content-Type": "text/plain"})
    with pytest.raises(CdxError, match=f"CDX answer from {local_server.base}/cdx.* is not UTF-8"):
        list_captures(
            Fetcher(allow_private=True, respect_robots=False),
            f"{local_server.base}/cdx",
            "https://x.be/a",
            rate_per_s=100,
        )
