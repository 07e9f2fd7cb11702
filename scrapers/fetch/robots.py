"""robots.txt, read once per host and respected for every live request."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.robotparser import RobotFileParser

from scrapers.fetch.netguard import Target

if TYPE_CHECKING:
    from scrapers.fetch.client import FetchResult


class RobotsCache:
    """Per-origin robots.txt rules, as RFC 9309 reads them.

    The robots.txt request follows up to five redirects (the fetcher's ``max_redirects``, each hop
    address-checked): a site that moved to https or to ``www.`` keeps its rules. What ends it:
    200, the rules; 4xx, "unavailable", everything allowed; anything else (5xx, network error,
    a hop refused by the address guard, a redirect loop or a longer chain), "unreachable",
    everything disallowed.
    """

    def __init__(self, get: Callable[[str, float], FetchResult], user_agent: str) -> None:
        self._get = get  # the fetcher's own GET, so robots.txt requests are polite and guarded too
        self._agent = user_agent.split("/")[0]
        self._rules: dict[str, RobotFileParser | None] = {}
        self._unreachable: dict[str, str] = {}  # origin -> why its robots.txt could not be read

    def unreadable(self, target: Target) -> str | None:
        """Why the robots.txt of ``target``'s host could not be read (so everything is disallowed), if so."""
        return self._unreachable.get(target.origin)

    def allowed(self, target: Target, rate_per_s: float) -> bool:
        """Whether our user agent may fetch ``target`` (a URL read by ``netguard.parse_target``).

        robots.txt is requested at the host's rate, ``rate_per_s``, like the pages themselves.
        """
        origin = target.origin
        if origin not in self._rules:
            rules, final = self._load(origin, rate_per_s)
            if not final:
                return False  # not read in time (host deadline): disallowed now, asked again next time
            self._rules[origin] = rules
        rules = self._rules[origin]
        return True if rules is None else rules.can_fetch(self._agent, target.url)

    def _load(self, origin: str, rate_per_s: float) -> tuple[RobotFileParser | None, bool]:
        """The rules (None: everything allowed) and whether they may be cached."""
        self._unreachable.pop(origin, None)
        result = self._get(f"{origin}/robots.txt", rate_per_s)
        parser = RobotFileParser()
        if result.status == 200:
            parser.parse(result.content.decode("utf-8", errors="replace").splitlines())
            return parser, True
        if result.status is not None and 400 <= result.status < 500:
            return None, True
        # Unreachable robots.txt (5xx, network error): RFC 9309 says assume complete disallow.
        parser.parse(["User-agent: *", "Disallow: /"])
        failure = f"HTTP {result.status}" if result.status is not None else result.error_class or "no answer"
        self._unreachable[origin] = f"its robots.txt could not be read ({failure}): everything is disallowed then"
        return parser, result.error_class != "host_deadline"
