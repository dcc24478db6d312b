"""Visiting other people's sites politely.

:class:`Courtesy` reads each host's robots.txt (RFC 9309: a 4xx means no rules, a 5xx or no answer means keep
out) and leaves at least ``delay`` seconds, or the host's Crawl-delay, between requests to one host.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from ..errors import SourceError
from ..fetch import FetchPolicy, fetch

#: The name robots.txt rules address twosource by.
ROBOTS_AGENT = "twosource"


class Courtesy:
    """Asked before each request to a site: may it be fetched (robots.txt), and has its host had its pause."""

    def __init__(
        self,
        policy: FetchPolicy,
        delay: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.policy, self.delay, self._clock, self._sleep = policy, delay, clock, sleep
        self._rules: dict[str, RobotFileParser | str] = {}  # per origin: its rules, or why to keep out
        self._last: dict[str, float] = {}

    def admit(self, url: str) -> None:
        """Return when ``url`` may be fetched; raise SourceError when the site's robots.txt says no."""
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise SourceError(url, f"not a valid URL ({exc})") from None
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._rules:
            self._rules[origin] = self._robots(origin)
        rules = self._rules[origin]
        if isinstance(rules, str):
            raise SourceError(url, rules)
        if not rules.can_fetch(ROBOTS_AGENT, url):
            raise SourceError(url, "the site's robots.txt disallows it")
        self._pause(origin, float(rules.crawl_delay(ROBOTS_AGENT) or 0))

    def _robots(self, origin: str) -> RobotFileParser | str:
        self._pause(origin, 0)
        try:
            page = fetch(f"{origin}/robots.txt", self.policy)
        except SourceError as exc:
            return exc.message  # the site's pages would fail the same way
        if page.status >= 500:
            return f"the site's robots.txt answered {page.status}, so twosource keeps out"
        rules = RobotFileParser()
        rules.parse(page.body.decode("utf-8", "replace").splitlines() if page.status == 200 else [])
        return rules

    def _pause(self, origin: str, crawl_delay: float) -> None:
        wait = self._last.get(origin, float("-inf")) + max(self.delay, crawl_delay) - self._clock()
        if wait > 0:
            self._sleep(wait)
        self._last[origin] = self._clock()
