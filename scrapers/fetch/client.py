"""Polite HTTP fetching with requests.

One :class:`Fetcher` per process: an honest User-Agent, connect/read timeouts and a total
deadline per attempt covering connect, status line, headers and body (a server that drips bytes
cannot hold a worker forever; ``scrapers.fetch.transport``), a per-host deadline for a batch of work
(:meth:`Fetcher.host_deadline`: one stalled host cannot hold a run), a per-host minimum interval
between requests, bounded retries with exponential backoff and jitter on connection errors, 429
and 5xx (honouring ``Retry-After``), conditional GET, a size cap on the body as sent and as
decoded (gzip bombs), robots.txt (its own redirects followed), public addresses only (checked
on the URL after DNS resolution and on the connected socket, on every redirect hop;
``scrapers.fetch.netguard``), and a bound on redirects.

Archived statuses are facts, not failures: a web-archive replay of a capture that was a 500
carries a ``Memento-Datetime`` header and is never retried.

Every attempt (retries and redirect hops included) is kept in ``FetchResult.attempt_log``:
that is the fetch log.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urljoin

import requests
import urllib3.exceptions

from scrapers.fetch import transport
from scrapers.fetch.netguard import AddressGuard, UnsafeURL
from scrapers.fetch.robots import RobotsCache

USER_AGENT = "guichets-observatory/0.1 (+https://github.com/guichets/guichets; open-data research on public counters)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_S = 300.0
# A live host's batch gets this much wall time, plus HOST_DEADLINE_INTERVALS politeness intervals
# per page (see host_deadline_for): a healthy host needs about one interval per page.
HOST_DEADLINE_BASE_S = 600.0
HOST_DEADLINE_INTERVALS = 5
# Default cap on a body, as sent and as decoded (replay applies it to WARC records too).
MAX_BODY_BYTES = 5_000_000


@dataclass
class FetchResult:
    """Everything we keep about one fetch (the body only if one was received)."""

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
    attempt_log: list[dict] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup."""
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None


# Added to a host's interval counted from a request's write: what lies between our write and the
# server's reading of it (its event loop, the network) varies by a few milliseconds, and a server
# counting arrivals would otherwise see two requests a hair closer than 1/rate (measured: 0.992 s
# at 1/s with 256 hosts). 1 % of a 1-s interval.
SEND_JITTER_S = 0.01
# Added once more after a request that opened its connection: a server reads it only once it has
# accepted the connection, which a busy server does late (measured: up to 17 ms with 256 hosts
# connecting at once), and reads the next request, on the open connection, without that delay.
ACCEPT_JITTER_S = 0.05


def write_gap(interval: float, new_connection: bool) -> float:
    """Seconds between a request's write and the next one's to the same host, at ``interval``."""
    return interval + SEND_JITTER_S + (ACCEPT_JITTER_S if new_connection else 0.0)


class HostRateLimiter:
    """Spaces one process's requests to each host (thread-safe), in two steps.

    - :meth:`wait` gives a request its turn: slots ``1/rate`` apart on the host's own cadence,
      counted from request start, as a rate is (a server answering in 300 ms is asked again
      1/rate after the previous request began, not after it answered).
    - :meth:`before_write` and :meth:`sent` are the guarantee: a request's bytes are written at
      least :func:`write_gap` after the previous request's were, whatever held a thread between
      its turn and its write (a busy machine). The gate is checked right before the write, so a
      late request delays only itself: when each late write also moved the next turn, a busy
      machine's delays added up over a host's pages (50 ms a page, 5 % of a crawl, measured at 256
      hosts).

    Requests to one host never overlap: a host's sources are fetched one after another by one
    thread (``collect.collect_many``), so its gate is never raced.
    """

    def __init__(self) -> None:
        self._next: dict[str, float] = {}
        self._gate: dict[str, float] = {}  # the earliest time of the host's next write
        self._lock = threading.Lock()

    def wait(self, host: str, rate_per_s: float, until: float | None = None) -> bool:
        """Block until a request to ``host`` may start, and reserve that slot.

        Returns False at once, reserving nothing, if the slot would come at or after ``until``
        (a ``time.monotonic()`` value: the host's deadline).
        """
        interval = 1.0 / rate_per_s
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, now))
            if until is not None and start >= until:
                return False
            self._next[host] = start + interval
        if start > now:
            time.sleep(start - now)
        return True

    def before_write(self, host: str) -> None:
        """Block until a request to ``host`` may be written (see :meth:`sent`)."""
        with self._lock:
            gate = self._gate.get(host, 0.0)
        if (delay := gate - time.monotonic()) > 0:
            time.sleep(delay)

    def sent(self, host: str, interval: float, new_connection: bool) -> None:
        """A request to ``host`` has just been written: the next may be written :func:`write_gap` from now."""
        with self._lock:
            self._gate[host] = time.monotonic() + write_gap(interval, new_connection)

    def defer(self, host: str, seconds: float) -> None:
        """Push the host's next slot back (after a 429 or 503 with ``Retry-After``)."""
        with self._lock:
            self._next[host] = max(self._next.get(host, 0.0), time.monotonic() + seconds)


@dataclass(frozen=True)
class _HostDeadline:
    """The end of a batch of work on one host (see :meth:`Fetcher.host_deadline`)."""

    at: float  # time.monotonic()
    seconds: float
    label: str

    def left(self) -> float:
        return self.at - time.monotonic()

    def passed(self) -> bool:
        return self.left() <= 0

    def says(self, what: str) -> str:
        return f"host deadline of {self.seconds:g} s for {self.label} passed {what}"


# Per thread (each host's batch runs in its own thread): the deadline of the batch running now.
_host_deadline: ContextVar[_HostDeadline | None] = ContextVar("guichets_host_deadline", default=None)


class Fetcher:
    """A polite HTTP client for one process (thread-safe: hosts can be fetched concurrently)."""

    def __init__(
        self,
        *,
        timeout: tuple[float, float] = (10.0, 30.0),
        total_timeout_s: float = 120.0,
        max_bytes: int = MAX_BODY_BYTES,
        max_retries: int = 3,
        backoff_s: float = 1.0,
        user_agent: str = USER_AGENT,
        allow_private: bool | Collection[str] = False,
        respect_robots: bool = True,
        max_redirects: int = 5,
    ) -> None:
        self.timeout = timeout
        self.total_timeout_s = total_timeout_s
        self.max_bytes = max_bytes
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.user_agent = user_agent
        # Production refuses private networks; sample mode names the one local archive it may reach.
        self.guard = AddressGuard(allow_private)
        self.max_redirects = max_redirects
        self.limiter = HostRateLimiter()
        self._local = threading.local()
        self.robots = RobotsCache(self._robots_get, user_agent) if respect_robots else None

    def __getstate__(self) -> dict:
        """What a worker process needs to rebuild this fetcher (``collect_many`` with processes): its
        settings, and its limiter if that one is shared between processes. Sessions, thread-locals,
        the robots cache and a per-process limiter are rebuilt there: each host is fetched by one
        process only, so a process's own limiter keeps its hosts' rates."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("_local", "robots", "limiter")}
        state["limiter"] = None if isinstance(self.limiter, HostRateLimiter) else self.limiter
        state["respect_robots"] = self.robots is not None
        return state

    def __setstate__(self, state: dict) -> None:
        """Rebuild a fetcher from :meth:`__getstate__` in a worker process."""
        state = dict(state)
        respect_robots = state.pop("respect_robots")
        self.__dict__.update(state)
        self.limiter = self.limiter or HostRateLimiter()
        self._local = threading.local()
        self.robots = RobotsCache(self._robots_get, self.user_agent) if respect_robots else None

    @property
    def session(self) -> requests.Session:
        """One requests session per thread (sessions are not thread-safe), its sockets guarded."""
        if not hasattr(self._local, "session"):
            headers = {"User-Agent": self.user_agent, "Accept": "text/html,application/xhtml+xml,*/*"}
            self._local.session = transport.open_session(self.guard, headers)
        return self._local.session

    @contextmanager
    def host_deadline(self, seconds: float, label: str) -> Iterator[None]:
        """Bound everything the current thread fetches inside the block to ``seconds`` from now.

        For one host's batch of sources (``label`` names it in messages): a request in flight
        when the deadline passes is cut (``error_class`` ``host_deadline``), and every later
        request fails at once the same way, without being sent, so the batch still ends with a
        capture per source, in time. Retries and rate-limit waits that would end past the
        deadline are not started. Nested blocks keep the earlier deadline.
        """
        outer = _host_deadline.get()
        mine = _HostDeadline(time.monotonic() + seconds, seconds, label)
        token = _host_deadline.set(mine if outer is None or mine.at < outer.at else outer)
        try:
            yield
        finally:
            _host_deadline.reset(token)

    def get(
        self,
        url: str,
        *,
        rate_per_s: float = 1.0,
        follow_redirects: bool = False,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        """GET ``url`` politely, retrying transient failures; never raises for HTTP outcomes.

        With ``follow_redirects`` (live pages), up to ``max_redirects`` hops are followed, each
        checked again against private addresses and robots.txt; otherwise a 3xx is returned as
        it is (a web archive's captured redirect is an observation: the page moved).
        ``etag``/``last_modified`` make the request conditional: an unchanged page answers 304.
        """
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        return self._follow(url, rate_per_s, conditional, follow_redirects=follow_redirects, check_robots=True)

    def _follow(
        self, url: str, rate_per_s: float, headers: dict, *, follow_redirects: bool, check_robots: bool
    ) -> FetchResult:
        seen: list[str] = []
        log: list[dict] = []
        while True:
            result = self._get_one(url, rate_per_s, log, headers, check_robots)
            result.redirects, result.attempt_log = seen, log
            location = result.header("Location") if result.status and 300 <= result.status < 400 else None
            if not follow_redirects or not location or result.status == 304:
                return result
            seen = [*seen, url]
            url = urljoin(url, location)
            if url in seen:
                return self._fail(url, "redirect_loop", f"redirect loop through {seen}", log, seen)
            if len(seen) > self.max_redirects:
                return self._fail(url, "too_many_redirects", f"more than {self.max_redirects} redirects", log, seen)

    def _robots_get(self, url: str, rate_per_s: float) -> FetchResult:
        # RFC 9309: follow at least five redirects for robots.txt; each hop is address-checked.
        return self._follow(url, rate_per_s, {}, follow_redirects=True, check_robots=False)

    def _get_one(
        self, url: str, rate_per_s: float, log: list[dict], headers: dict, check_robots: bool = True
    ) -> FetchResult:
        batch = _host_deadline.get()
        if batch is not None and batch.passed():
            return self._fail(url, "host_deadline", batch.says(f"before {url} was requested"), log)
        try:
            target = self.guard.check_url(url)
        except UnsafeURL as exc:
            return self._fail(url, "unsafe_url", str(exc), log)
        if check_robots and self.robots is not None and not self.robots.allowed(target, rate_per_s):
            if batch is not None and batch.passed():  # robots.txt itself could not be read in time
                return self._fail(url, "host_deadline", batch.says(f"while reading robots.txt for {url}"), log)
            why = self.robots.unreadable(target)
            return self._fail(
                url, "robots_disallowed", f"robots.txt disallows {url}" + (f": {why}" if why else ""), log
            )
        host = target.host_port
        attempt = 0
        while True:
            attempt += 1
            if not self.limiter.wait(host, rate_per_s, until=batch.at if batch else None):
                assert batch is not None  # only a host deadline makes the limiter give up
                return self._fail(url, "host_deadline", batch.says(f"before {url} could be requested"), log)
            # The turn counts from request starts; the write waits for the host's gate and sets the
            # next one (see HostRateLimiter): the server never sees two requests closer than 1/rate.
            # Counting from the response's end would add the server's latency to each interval.
            on_sent = partial(self.limiter.sent, host, 1.0 / rate_per_s)
            result = self._attempt(url, headers, batch, partial(self.limiter.before_write, host), on_sent)
            result.attempts = attempt
            log.append(_log_row(result, attempt))
            if attempt > self.max_retries or not self._should_retry(result):
                return result
            delay, from_server = self._delay(attempt, result)
            if from_server:
                self.limiter.defer(host, delay)  # the whole host asked us to wait, not just this URL
            if batch is not None and batch.left() <= delay:
                return result  # no time left for another attempt: this one is the outcome
            time.sleep(delay)

    def _attempt(
        self,
        url: str,
        headers: dict,
        batch: _HostDeadline | None,
        before_send: Callable[[], None] | None = None,
        on_sent: Callable[[bool], None] | None = None,
    ) -> FetchResult:
        started = time.monotonic()
        budget = self.total_timeout_s
        if batch is not None and batch.left() < budget:
            budget = max(batch.left(), 0.001)  # a zero timeout would make requests' sockets non-blocking
        connect_s, read_s = self.timeout
        got_headers = False
        with transport.deadline(budget, on_sent, before_send) as cut:
            try:
                with self.session.get(
                    url,
                    headers=headers,
                    timeout=(min(connect_s, budget), min(read_s, budget)),
                    allow_redirects=False,
                    stream=True,
                ) as resp:
                    # A cut in the headers ends them early and http.client takes what came as complete:
                    # if the deadline has already passed, the headers did not arrive in time.
                    got_headers = not cut.expired
                    body = self._read_capped(resp, cut)
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
                        elapsed_ms=_ms_since(started),
                    )
            except UnsafeURL as exc:  # the connected peer failed the address check
                return _error(url, "unsafe_url", f"{url}: {exc}", started)
            except _BodyTooLarge as exc:
                return _error(url, "body_too_large", str(exc), started)
            except (_TooSlow, requests.RequestException, urllib3.exceptions.HTTPError) as exc:
                if cut.expired or isinstance(exc, _TooSlow):
                    # Whatever the cut socket raised, the reason is the deadline.
                    return self._too_slow(url, budget, batch, cut.connected, got_headers, started)
                return _error(url, _error_class(exc), str(exc), started)

    def _too_slow(
        self, url: str, budget: float, batch: _HostDeadline | None, connected: bool, got_headers: bool, started: float
    ) -> FetchResult:
        if got_headers:
            phase = "the body was not complete (slow drip)"
        elif connected:
            phase = "the status line and headers were not complete"
        else:
            phase = "no connection was made"
        if budget < self.total_timeout_s and batch is not None:
            return _error(url, "host_deadline", batch.says(f"while fetching {url}: {phase}"), started)
        message = f"{url}: no complete response within the total deadline of {budget:g} s: {phase}"
        return _error(url, "timeout", message, started)

    def _read_capped(self, resp: requests.Response, cut: transport.Deadline) -> bytes:
        # Raw bytes, not requests' decoded stream: the WARC must hold what the server sent.
        # read1 returns whatever has arrived (one recv); the watchdog ends a blocked read at the deadline.
        chunks: list[bytes] = []
        size = 0
        while chunk := resp.raw.read1(16 * 1024, decode_content=False):
            size += len(chunk)
            if size > self.max_bytes:
                raise _BodyTooLarge(f"body exceeds {self.max_bytes} bytes")
            if cut.expired or cut.remaining() <= 0:
                raise _TooSlow
            chunks.append(chunk)
        if cut.expired:  # the end of the body may be the watchdog's shutdown, not the server's
            raise _TooSlow
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
            raise _BodyTooLarge(f"decoded body exceeds {self.max_bytes} bytes (compression bomb?)")
        return out

    def _fail(self, url: str, error_class: str, message: str, log: list[dict], redirects=None) -> FetchResult:
        result = _error(url, error_class, message, time.monotonic())
        result.redirects = list(redirects or [])
        log.append(_log_row(result, 0))
        result.attempt_log = log
        return result

    @staticmethod
    def _should_retry(result: FetchResult) -> bool:
        if result.error_class in ("timeout", "connection_error"):
            return True
        if result.status in RETRY_STATUSES:
            # An archived 5xx replayed by a web archive is the observation itself.
            return result.header("Memento-Datetime") is None
        return False

    def _delay(self, attempt: int, result: FetchResult) -> tuple[float, bool]:
        """Seconds to wait before the next attempt, and whether the server asked for them."""
        retry_after = parse_retry_after(result.header("Retry-After"))
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER_S), True
        return self.backoff_s * (2 ** (attempt - 1)) * (1 + random.random() * 0.5), False


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def host_deadline_for(rates_per_s: Iterable[float]) -> float:
    """The deadline of a live batch on one host whose pages are fetched at ``rates_per_s`` (one per page).

    Ten minutes for robots.txt, redirects and a slow but working server, plus five politeness
    intervals per page: a healthy host needs about one.
    """
    return HOST_DEADLINE_BASE_S + HOST_DEADLINE_INTERVALS * sum(1.0 / r for r in rates_per_s)


def _error_class(exc: Exception) -> str:
    """The fetch log's class for a requests/urllib3 exception that was not a deadline cut."""
    if isinstance(exc, requests.Timeout | urllib3.exceptions.ReadTimeoutError):
        return "timeout"
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return "decode_error"
    # Errors while reading the body from resp.raw are urllib3's own: requests does not wrap them.
    if isinstance(exc, requests.ConnectionError | urllib3.exceptions.ProtocolError | urllib3.exceptions.IncompleteRead):
        return "connection_error"
    return "request_error"


def _error(url: str, error_class: str, message: str, started: float) -> FetchResult:
    return FetchResult(
        url=url, status=None, error_class=error_class, error_message=message[:500], elapsed_ms=_ms_since(started)
    )


def _log_row(result: FetchResult, attempt: int) -> dict:
    return {
        "attempt": attempt,
        "url": result.url,
        "http_status": result.status,
        "error_class": result.error_class,
        "elapsed_ms": result.elapsed_ms,
        "bytes": len(result.body),
    }


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


class _BodyTooLarge(Exception):
    """The body exceeds ``max_bytes`` as sent or as decoded."""


class _TooSlow(Exception):
    """The attempt's total deadline passed (the message is built by ``Fetcher._too_slow``)."""
