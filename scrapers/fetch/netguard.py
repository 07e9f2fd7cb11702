"""Refuse URLs that would make the collector reach inside a network (SSRF protection).

Two checks, which must agree on the host:

1. **Before connecting** (:meth:`AddressGuard.check_url`): the URL is read by :func:`parse_target`,
   the one URL parser of the collector. It prepares the URL with requests' own
   ``PreparedRequest.prepare_url`` (urllib3's parser, IDNA, percent-decoding of the host) and
   splits the prepared URL the way requests' adapter does to choose the host it connects to.
   So ``http://127.0.0.1:8080\\@8.8.8.8/`` is read as host ``127.0.0.1``, as the connection
   reads it, not ``8.8.8.8`` as ``urllib.parse`` alone would. The host is then resolved and
   every address must be public.
2. **After connecting** (:meth:`AddressGuard.check_peer`, called by ``scrapers.fetch.transport`` on
   every new socket, for every request and redirect hop): the address the socket is actually
   connected to must be public too. This holds whatever a parser or a DNS answer (rebinding
   between the two resolutions) did; the socket is closed before a byte is sent.

Only http(s) is allowed. Sample and test modes name the ``host:port`` they may reach on a
private address (the local archive on 127.0.0.1); the allowance is by address, so any
spelling of that address (``2130706433``, ``0x7f.1``, ``localhost``) reaches it and nothing else.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeURL(ValueError):
    """The URL's scheme, form or address is not allowed; the message names the URL and says why."""


@dataclass(frozen=True)
class Target:
    """Where a URL leads, as the HTTP connection will read it."""

    url: str  # as prepared by requests (what is sent): IDNA host, percent-quoted path
    scheme: str
    host: str  # the name or address the connection resolves (no brackets, no userinfo)
    port: int

    @property
    def host_port(self) -> str:
        """``host:port`` (port always written): the key of per-host politeness and batching."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def origin(self) -> str:
        """``scheme://host[:port]`` (default port left out), where robots.txt lives."""
        if self.port == DEFAULT_PORTS[self.scheme]:
            return f"{self.scheme}://{'[' + self.host + ']' if ':' in self.host else self.host}"
        return f"{self.scheme}://{self.host_port}"


def parse_target(url: str) -> Target:
    """Read ``url`` exactly as requests will connect to it; raise :class:`UnsafeURL` if it cannot.

    This is the collector's one URL parser: the fetcher's address check, per-host rate limit,
    robots.txt origin and host batching all use it.
    """
    prepared = requests.PreparedRequest()
    try:
        prepared.prepare_url(url, None)
    except (requests.RequestException, ValueError) as exc:
        raise UnsafeURL(f"{url}: not a valid URL: {exc}") from exc
    # requests' adapter splits the prepared URL with urllib.parse to pick the host it connects to:
    # splitting it the same way here is what makes the check and the connection agree.
    parts = urlsplit(prepared.url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UnsafeURL(f"{url}: scheme {parts.scheme!r} is not allowed (http and https only)")
    if not parts.hostname:
        raise UnsafeURL(f"{url}: no host")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise UnsafeURL(f"{url}: not a valid URL: {exc}") from exc
    return Target(url=prepared.url, scheme=scheme, host=parts.hostname, port=port)


def host_key(url: str) -> str:
    """The host a URL's requests go to (``host:port``), for grouping sources by host.

    A URL the guard cannot read keeps its raw network location: it still gets a batch, and its
    fetch then fails as ``unsafe_url`` with the reason.
    """
    try:
        return parse_target(url).host_port
    except UnsafeURL:
        return urlsplit(url).netloc


class AddressGuard:
    """Which addresses the collector may connect to: public ones, plus the allowed local endpoints.

    ``allow_private`` lists the ``host:port`` that may be private (the sample archive on
    127.0.0.1; a missing port means 80 and 443), or is True to allow any address (tests of the
    fetcher itself).
    """

    def __init__(self, allow_private: bool | Collection[str] = False) -> None:
        self.allow_any = allow_private is True
        entries = () if isinstance(allow_private, bool) or not allow_private else tuple(allow_private)
        self._allowed = _endpoints(entries)

    def check_url(self, url: str) -> Target:
        """Parse ``url`` and resolve its host; raise :class:`UnsafeURL` unless every address is allowed."""
        target = parse_target(url)
        if self.allow_any:
            return target
        try:
            infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise UnsafeURL(f"{url}: cannot resolve {target.host!r}: {exc}") from exc
        for info in infos:
            address = _address(info[4][0])
            if not self._allows(address, target.port):
                raise UnsafeURL(f"{url}: {target.host!r} resolves to non-public address {address}{_ALLOWED_HINT}")
        return target

    def check_peer(self, address: str, port: int, host: str) -> None:
        """Raise :class:`UnsafeURL` unless the connected socket's peer ``address:port`` is allowed.

        ``host`` is the name the connection was made to, for the message (the caller adds the URL).
        """
        peer = _address(address)
        if not self.allow_any and not self._allows(peer, port):
            raise UnsafeURL(f"connected to non-public address {peer} (host {host!r}); closed before sending anything")

    def _allows(self, address: IPAddress, port: int) -> bool:
        if address.is_global and not address.is_multicast:
            return True
        return (address, port) in self._allowed


def _endpoints(entries: Collection[str]) -> frozenset[tuple[IPAddress, int]]:
    """The addresses and ports of allowed ``host:port`` entries, resolved once (local names or literals)."""
    allowed: set[tuple[IPAddress, int]] = set()
    for entry in entries:
        try:
            parts = urlsplit(f"//{entry}")
            ports = [parts.port] if parts.port else list(DEFAULT_PORTS.values())
            infos = socket.getaddrinfo(parts.hostname, None, type=socket.SOCK_STREAM)
        except (ValueError, socket.gaierror) as exc:
            raise UnsafeURL(f"allowed local endpoint {entry!r} is not a resolvable host:port: {exc}") from exc
        allowed.update((_address(info[4][0]), port) for info in infos for port in ports)
    return frozenset(allowed)


_ALLOWED_HINT = " (only public addresses, and the host:port a sample or test run names, may be reached)"


def _address(text: str) -> IPAddress:
    """An IP address as the kernel routes it: zone dropped, IPv4-mapped IPv6 read as IPv4."""
    address = ipaddress.ip_address(text.split("%")[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
