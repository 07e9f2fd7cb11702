"""robots.txt, read once per host and respected for every live request."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser


class RobotsCache:
    """Per-host robots.txt rules; a missing robots.txt (4xx) allows everything, as RFC 9309 says."""

    def __init__(self, get: Callable, user_agent: str) -> None:
        self._get = get  # the fetcher's own GET, so robots.txt requests are polite and guarded too
        self._agent = user_agent.split("/")[0]
        self._rules: dict[str, RobotFileParser | None] = {}

    def allowed(self, url: str) -> bool:
        """Whether our user agent may fetch ``url``."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._rules:
            self._rules[origin] = self._load(origin)
        rules = self._rules[origin]
        return True if rules is None else rules.can_fetch(self._agent, url)

    def _load(self, origin: str) -> RobotFileParser | None:
        result = self._get(f"{origin}/robots.txt")
        parser = RobotFileParser()
        if result.status == 200:
            parser.parse(result.content.decode("utf-8", errors="replace").splitlines())
            return parser
        if result.status is not None and 400 <= result.status < 500:
            return None
        # Unreachable robots.txt (5xx, network error): RFC 9309 says assume complete disallow.
        parser.parse(["User-agent: *", "Disallow: /"])
        return parser
