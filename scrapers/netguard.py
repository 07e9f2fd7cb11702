"""Refuse URLs that would make the collector reach inside a network (SSRF protection).

Checked on the first URL and again on every redirect hop, after DNS resolution: a public
name can resolve to a private address. Only http(s) is allowed. The local sample archive on
127.0.0.1 is reachable only when the caller says so explicitly (sample and test modes).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Collection
from urllib.parse import urlsplit


class UnsafeURL(ValueError):
    """The URL's scheme or resolved address is not allowed; the message says which."""


def check_url(url: str, *, allow_private: bool | Collection[str] = False) -> None:
    """Raise :class:`UnsafeURL` unless ``url`` is http(s) to public addresses only.

    ``allow_private`` lists the ``host:port`` that may be private (the sample archive on
    127.0.0.1), or is True to allow any (tests of the fetcher itself).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL(f"{url}: scheme {parts.scheme!r} is not allowed (http and https only)")
    host = parts.hostname
    if not host:
        raise UnsafeURL(f"{url}: no host")
    if allow_private is True or (allow_private and parts.netloc in allow_private):
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise UnsafeURL(f"{url}: cannot resolve {host!r}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            raise UnsafeURL(f"{url}: {host!r} resolves to non-public address {address}")
