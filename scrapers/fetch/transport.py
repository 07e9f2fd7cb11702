"""The connection layer under :class:`scrapers.fetch.client.Fetcher`: guarded sockets and total deadlines.

requests gives a connect timeout and a read timeout *between two reads*: a server that drips
its status line or headers one byte a second never trips either. Here:

- **every socket is checked after connect** (:class:`GuardedAdapter`): its peer address must
  pass the :class:`~scrapers.fetch.netguard.AddressGuard`, or the socket is closed before a byte is
  sent (:class:`~scrapers.fetch.netguard.UnsafeURL` propagates to the fetcher);
- **every HTTP attempt runs under a** :func:`deadline`: the sockets it uses (new or reused
  from the pool) are registered with it, and one watchdog thread shuts them down when the
  deadline passes, which ends any blocked read at once, in the connect, TLS, status line,
  headers or body phase alike. The fetcher then reads ``Deadline.expired``, not the
  exception the cut produced.

Proxies from the environment are not used: the guard must see the address really connected to.
"""

from __future__ import annotations

import heapq
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from scrapers.fetch.netguard import AddressGuard, UnsafeURL


class Deadline:
    """The end of one HTTP attempt: the sockets registered with it are shut down when it passes.

    ``before_send()`` is called right before each request of the attempt is written (it may
    block: a rate limiter's gate), and ``on_sent(new_connection)`` each time one has been written
    to its socket: the server has it from then on, whatever kept this thread between its turn and
    the write (a busy machine), so a rate limiter counting its interval from there never lets two
    requests reach a server closer than that interval. ``new_connection`` says the request opened
    its connection: a server reads such a request only after accepting the connection, which a
    busy one does late, so it may read the next request, on the open connection, sooner after it.
    """

    def __init__(
        self,
        seconds: float,
        on_sent: Callable[[bool], None] | None = None,
        before_send: Callable[[], None] | None = None,
    ) -> None:
        self.seconds = seconds
        self.on_sent = on_sent
        self.before_send = before_send
        self.at = time.monotonic() + seconds
        self.expired = False  # set by the watchdog: the attempt was cut, whatever it raised
        self.connected = False  # a socket was registered: the connection (new or pooled) was made
        self.new_connection = False  # the attempt opened a connection (none from the pool)
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._done = False

    def remaining(self) -> float:
        """Seconds left (0 when passed)."""
        return max(0.0, self.at - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        """Register a socket the attempt reads from (shut down at once if the deadline has passed)."""
        try:
            # A duplicate descriptor of the same socket: shutting it down ends reads on the original,
            # even once TLS wrapping has detached the original object, and it can never be a reused
            # descriptor number belonging to another thread's connection.
            dup = socket.socket(fileno=os.dup(sock.fileno()))
        except OSError:
            return
        self.connected = True
        with self._lock:
            if not self._done and not self.expired:
                self._socks.append(dup)
                return
            cut = self.expired and not self._done
        if cut:
            _shutdown(dup)
        dup.close()

    def expire(self) -> None:
        """Mark the deadline passed and shut down the attempt's sockets (the watchdog calls this)."""
        with self._lock:
            if self._done:
                return
            self.expired = True
            for s in self._socks:
                _shutdown(s)

    def release(self) -> None:
        """The attempt is over: forget its sockets (closing only the duplicates)."""
        with self._lock:
            self._done = True
            socks, self._socks = self._socks, []
        for s in socks:
            s.close()


class _Watchdog:
    """One daemon thread for the whole process: expires deadlines in time order."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Deadline]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: Deadline) -> None:
        with self._cond:
            heapq.heappush(self._heap, (deadline.at, next(self._seq), deadline))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="guichets-deadlines", daemon=True)
                self._thread.start()
            # Woken only when this deadline comes first: attempts of one length arrive in deadline
            # order, and waking the watchdog at each of them (hundreds a second in a national crawl)
            # had the request threads queue on this lock while it waited for the GIL.
            if self._heap[0][2] is deadline:
                self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                at, _, deadline = self._heap[0]
                delay = at - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                heapq.heappop(self._heap)
            deadline.expire()  # a released deadline ignores this


_WATCHDOG = _Watchdog()
_current: ContextVar[Deadline | None] = ContextVar("guichets_attempt_deadline", default=None)


@contextmanager
def deadline(
    seconds: float,
    on_sent: Callable[[bool], None] | None = None,
    before_send: Callable[[], None] | None = None,
) -> Iterator[Deadline]:
    """Run one HTTP attempt of the current thread under a total deadline of ``seconds``
    (``on_sent``, ``before_send``: see :class:`Deadline`)."""
    d = Deadline(seconds, on_sent, before_send)
    token = _current.set(d)
    _WATCHDOG.arm(d)
    try:
        yield d
    finally:
        _current.reset(token)
        d.release()


def _watch(sock: socket.socket | None) -> None:
    d = _current.get()
    if d is not None and sock is not None:
        d.watch(sock)


def _opened() -> None:
    d = _current.get()
    if d is not None:
        d.new_connection = True


def _sending() -> None:
    """The current attempt's request is about to be written: its ``before_send`` may hold it."""
    d = _current.get()
    if d is not None and d.before_send is not None:
        d.before_send()


def _sent() -> None:
    """The current attempt's request has been written: tell its ``on_sent``."""
    d = _current.get()
    if d is not None and d.on_sent is not None:
        d.on_sent(d.new_connection)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed or never connected: nothing left to cut


class _GuardedConnection:
    """Mixed into urllib3's connections: peer check after connect, deadline registration."""

    guard: AddressGuard
    host: str
    sock: socket.socket | None

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        try:
            peer = sock.getpeername()
            self.guard.check_peer(peer[0], peer[1], self.host)
        except (UnsafeURL, OSError):
            sock.close()
            raise
        _watch(sock)
        _opened()
        return sock

    def request(self, *args, **kwargs) -> None:
        # A keep-alive connection reused from the pool was registered by an earlier attempt:
        # register it with this one too (a new connection registers itself in _new_conn).
        _watch(self.sock)
        try:
            _sending()
            return super().request(*args, **kwargs)  # type: ignore[misc]
        finally:
            _sent()  # (written, or failed while connecting or writing: either way the turn is used)


class GuardedAdapter(HTTPAdapter):
    """requests' adapter whose connections are checked by ``guard`` and watched by :func:`deadline`."""

    def __init__(self, guard: AddressGuard) -> None:
        # Classes bound to this guard: urllib3 builds connections from the pool's ConnectionCls.
        attrs = {"guard": guard}
        http_conn = type("GuardedHTTPConnection", (_GuardedConnection, HTTPConnection), attrs)
        https_conn = type("GuardedHTTPSConnection", (_GuardedConnection, HTTPSConnection), attrs)
        self._pool_classes = {
            "http": type("GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        """Build the pool manager, then make its pools use the guarded connections."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pool_classes


def open_session(guard: AddressGuard, headers: dict[str, str]) -> requests.Session:
    """A requests session whose every connection goes through ``guard`` (no environment proxies)."""
    session = requests.Session()
    session.trust_env = False  # a proxy would be the peer: the guard could not see the real address
    adapter = GuardedAdapter(guard)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update(headers)
    return session
