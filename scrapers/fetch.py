"""Polite HTTP fetching with requests.

One :class:`Fetcher` per process: an honest User-Agent, connect/read timeouts, a per-host
minimum interval between requests, bounded retries with exponential backoff and jitter on
connection errors, 429 and 5xx (honouring ``Retry-After``), a response size cap, and no
automatic redirect following (a redirect is itself an observation: the page moved).

Archived statuses are facts, not failures: a web-archive replay of a capture that was a 500
carries a ``Memento-Datetime`` header and is never retried.
"""

from __future__ import annotations

import random
import threading
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests

from scrapers.netguard import UnsafeURL, check_url
from scrapers.robots import RobotsCache

USER_AGENT = "guichets-observatory/0.1 (+https://github.com/guichets/guichets; open-data research on public counters)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class FetchResult:
    """Everything we keep about one HTTP attempt (the body only if one was received)."""

    url: str
    status: int | None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""  # as received on the wire (still content-encoded): what the WARC keeps
    content: bytes = b""  # decoded (gzip/deflate removed): what parsers read
    reason: str = ""
    http_version: str = "HTTP/1.1"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    error_class: str | None = None
    error_message: str | None = None
    elapsed_ms: int = 0
    attempts: int = 0
    redirects: list[str] = field(default_factory=list)  # URLs left by redirects, in order

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup."""
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None


class HostRateLimiter:
    """Keeps at least ``1/rate`` seconds between two requests to the same host (thread-safe)."""

    def __init__(self) -> None:
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, rate_per_s: float) -> None:
        """Block until a request to ``host`` is allowed, and reserve that slot."""
        interval = 1.0 / rate_per_s
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + interval
        if start > now:
            time.sleep(start - now)


class Fetcher:
    """A polite HTTP client for one process."""

    def __init__(
        self,
        *,
        timeout: tuple[float, float] = (10.0, 30.0),
        max_bytes: int = 5_000_000,
        max_retries: int = 3,
        backoff_s: float = 1.0,
        user_agent: str = USER_AGENT,
        allow_private: bool = False,
        respect_robots: bool = True,
        max_redirects: int = 5,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": user_agent, "Accept": "text/html,application/xhtml+xml,*/*"})
        self.limiter = HostRateLimiter()
        self.user_agent = user_agent
        # Only sample and test modes reach 127.0.0.1; production refuses private networks.
        self.allow_private = allow_private
        self.max_redirects = max_redirects
        self.robots = RobotsCache(self._plain_get, user_agent) if respect_robots else None

    def get(self, url: str, *, rate_per_s: float = 1.0, follow_redirects: bool = False) -> FetchResult:
        """GET ``url`` politely, retrying transient failures; never raises for HTTP outcomes.

        With ``follow_redirects`` (live pages), up to ``max_redirects`` hops are followed, each
        checked again against private addresses and robots.txt; otherwise a 3xx is returned as
        it is (a web archive's captured redirect is an observation: the page moved).
        """
        seen: list[str] = []
        while True:
            result = self._get_one(url, rate_per_s)
            result.redirects = seen
            location = result.header("Location") if result.status and 300 <= result.status < 400 else None
            if not follow_redirects or not location:
                return result
            seen = [*seen, url]
            url = urljoin(url, location)
            if url in seen:
                return self._error(url, "redirect_loop", f"redirect loop through {seen}", time.monotonic(), seen)
            if len(seen) > self.max_redirects:
                return self._error(url, "too_many_redirects", f"more than {self.max_redirects}", time.monotonic(), seen)

    def _plain_get(self, url: str) -> FetchResult:
        return self._get_one(url, 1.0, check_robots=False)

    def _get_one(self, url: str, rate_per_s: float, check_robots: bool = True) -> FetchResult:
        try:
            check_url(url, allow_private=self.allow_private)
        except UnsafeURL as exc:
            return self._error(url, "unsafe_url", str(exc), time.monotonic())
        if check_robots and self.robots is not None and not self.robots.allowed(url):
            return self._error(url, "robots_disallowed", f"robots.txt disallows {url}", time.monotonic())
        host = urlsplit(url).netloc
        attempt = 0
        while True:
            attempt += 1
            self.limiter.wait(host, rate_per_s)
            result = self._attempt(url)
            result.attempts = attempt
            if attempt > self.max_retries or not self._should_retry(result):
                return result
            time.sleep(self._delay(attempt, result))

    def _attempt(self, url: str) -> FetchResult:
        started = time.monotonic()
        try:
            with self.session.get(url, timeout=self.timeout, allow_redirects=False, stream=True) as resp:
                body = self._read_capped(resp)
                content = self._decode(body, resp.headers.get("Content-Encoding", ""))
                raw_version = getattr(resp.raw, "version", 11)
                return FetchResult(
                    url=url,
                    status=resp.status_code,
                    reason=resp.reason or "",
                    http_version="HTTP/1.0" if raw_version == 10 else "HTTP/1.1",
                    headers=list(resp.raw.headers.items()),
                    request_headers=list(resp.request.headers.items()),
                    body=body,
                    content=content,
                    elapsed_ms=int((time.monotonic() - started) * 1000),
                )
        except _BodyTooLarge as exc:
            return self._error(url, "body_too_large", str(exc), started)
        except requests.Timeout as exc:
            return self._error(url, "timeout", str(exc), started)
        except requests.ConnectionError as exc:
            return self._error(url, "connection_error", str(exc), started)
        except requests.RequestException as exc:
            return self._error(url, "request_error", str(exc), started)

    def _read_capped(self, resp: requests.Response) -> bytes:
        # Raw bytes, not requests' decoded stream: the WARC must hold what the server sent.
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.raw.stream(64 * 1024, decode_content=False):
            size += len(chunk)
            if size > self.max_bytes:
                raise _BodyTooLarge(f"body exceeds {self.max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def _decode(self, body: bytes, encoding: str) -> bytes:
        encoding = encoding.strip().lower()
        if encoding not in ("gzip", "x-gzip", "deflate"):
            return body
        wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
        # Bounded decompression: a small gzip bomb must not exhaust memory.
        decoder = zlib.decompressobj(wbits)
        try:
            out = decoder.decompress(body, self.max_bytes + 1)
        except zlib.error as exc:
            raise requests.exceptions.ContentDecodingError(f"cannot decode {encoding} body: {exc}") from exc
        if len(out) > self.max_bytes or decoder.unconsumed_tail:
            raise _BodyTooLarge(f"decoded body exceeds {self.max_bytes} bytes")
        return out

    @staticmethod
    def _error(url: str, error_class: str, message: str, started: float, redirects=None) -> FetchResult:
        return FetchResult(
            url=url,
            status=None,
            error_class=error_class,
            error_message=message[:500],
            elapsed_ms=int((time.monotonic() - started) * 1000),
            redirects=list(redirects or []),
        )

    @staticmethod
    def _should_retry(result: FetchResult) -> bool:
        if result.error_class in ("timeout", "connection_error"):
            return True
        if result.status in RETRY_STATUSES:
            # An archived 5xx replayed by a web archive is the observation itself.
            return result.header("Memento-Datetime") is None
        return False

    def _delay(self, attempt: int, result: FetchResult) -> float:
        retry_after = result.header("Retry-After")
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), 300.0)
        return self.backoff_s * (2 ** (attempt - 1)) * (1 + random.random() * 0.5)


class _BodyTooLarge(Exception):
    pass
