"""Which live services a check asks and how politely, and the helpers their queries share."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..errors import SourceError
from ..fetch import FetchPolicy
from ..types import Claim
from ..words import STOPWORDS

#: How far back GDELT's DOC API searches.
GDELT_WINDOW_DAYS = 90


class ServiceError(SourceError):
    """A live service that could not be used this time: down, slow, rate-limiting, or answering garbage."""


@dataclass(frozen=True)
class LiveSources:
    """Which live services a check asks, where they are, and how politely."""

    gdelt: bool = True
    wikipedia: bool = True
    factcheck_key: str = ""  # Google Fact Check Tools needs a key; without one it is off
    gdelt_url: str = "https://api.gdeltproject.org/api/v2/doc/doc"
    wikipedia_url: str = "https://en.wikipedia.org/w/api.php"
    factcheck_url: str = "https://factchecktools.googleapis.com/v1alpha1/claims:search"
    policy: FetchPolicy = field(default_factory=lambda: FetchPolicy(max_seconds=15.0))
    max_claims: int = 5  # the most check-worthy claims asked about, per service
    gdelt_records: int = 10  # articles per GDELT query
    gdelt_spacing: float = 6.0  # seconds between GDELT requests: it asks for one per 5 s
    today: Callable[[], date] = date.today

    @property
    def any(self) -> bool:
        return self.gdelt or self.wikipedia or bool(self.factcheck_key)


class Spacing:
    """Keeps at least ``seconds`` between calls (a service's rate limit)."""

    def __init__(self, seconds: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.seconds, self._sleep, self._last = seconds, sleep, float("-inf")

    def wait(self) -> None:
        pause = self._last + self.seconds - time.monotonic()
        if pause > 0:
            self._sleep(pause)
        self._last = time.monotonic()


def key_terms(claim: Claim, limit: int = 6) -> list[str]:
    """The words a search engine needs for a claim: its named entities (as phrases), then its longest content
    words; figures and stop words are left out (GDELT rejects very short keywords)."""
    terms = list(dict.fromkeys(e.normalized for e in claim.entities if len(e.normalized) >= 3))[:3]
    named = " ".join(terms).lower()
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]{3,}", claim.text) if w.lower() not in STOPWORDS]
    words = [w for w in dict.fromkeys(words) if w.lower() not in named]
    terms += sorted(words, key=len, reverse=True)[: max(0, limit - len(terms))]
    return terms


def gdelt_window(published: str | None, today: date) -> tuple[date, date] | None:
    """The dates to search GDELT over: a fortnight around the article's date, or the last week when it is not
    known; None when the article is older than GDELT's window."""
    if not published:
        return today - timedelta(days=7), today
    day = date.fromisoformat(published)
    if day < today - timedelta(days=GDELT_WINDOW_DAYS):
        return None
    return day - timedelta(days=7), min(today, day + timedelta(days=7))
