"""Shared fixtures: a real HTTP server on 127.0.0.1 whose routes each test declares."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

Route = Callable[[BaseHTTPRequestHandler], None]


class LocalServer:
    """A threaded HTTP server on a loopback address; ``routes`` maps a path to a handler function,
    ``fallback`` takes the rest."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.fallback: Route | None = None
        self.hits: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                path = self.path
                server.hits[path] = server.hits.get(path, 0) + 1
                route = server.routes.get(path) or server.routes.get(path.split("?")[0]) or server.fallback
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                route(self)

            def log_message(self, *args) -> None:
                pass

        server_class = ThreadingHTTPServer
        if ":" in host:  # IPv6 loopback (::1)

            class server_class(ThreadingHTTPServer):  # noqa: N801 (a local variant of the class above)
                address_family = socket.AF_INET6

        self.httpd = server_class((host, 0), Handler)
        self.port = self.httpd.server_address[1]
        self.host_port = f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"
        self.base = f"http://{self.host_port}"
        # A short poll interval: shutdown() waits for it, and every test stops a server.
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop serving and release the port."""
        self.httpd.shutdown()
        self.httpd.server_close()


def reply(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Route:
    """A route answering with a fixed status, body and headers."""

    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return handler


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A fresh local HTTP server for one test."""
    server = LocalServer()
    yield server
    server.close()


@pytest.fixture
def local_server_v6() -> Iterator[LocalServer]:
    """A fresh local HTTP server on the IPv6 loopback address ::1."""
    server = LocalServer("::1")
    yield server
    server.close()
