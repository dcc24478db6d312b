"""``watch``: an index kept current from a list of feeds.

It polls feeds with conditional GETs (ETag, Last-Modified, kept in the index) and ingests what is new; an
interrupted round is resumed by the next, since a feed's validators are saved only once its entries are in.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ..errors import SourceError
from ..fetch import fetch
from ..index.base import Index
from ..read.web import is_url
from .batch import ingest_links
from .courtesy import Courtesy
from .feeds import Link, parse_feed

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|m|h)?$")


def seconds(duration: str) -> float:
    """``"90"``, ``"30s"``, ``"15m"``, ``"1h"`` -> seconds."""
    m = _DURATION.match(duration.strip().lower())
    if not m:
        raise SourceError(duration, "not a duration; write e.g. 30s, 15m or 1h")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[m.group(2) or "s"]


def read_feed_list(path: str | Path) -> list[str]:
    """Return the feed URLs in a file: one a line; blank lines and ``#`` comments are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(str(path), f"cannot read the feed list ({exc})") from None
    feeds = []
    for number, line in enumerate(lines, start=1):
        entry = line.split("#", 1)[0].strip()
        if entry and not is_url(entry):
            raise SourceError(f"{path}:{number}", f"not a feed URL: {entry!r}")
        if entry:
            feeds.append(entry)
    if not feeds:
        raise SourceError(str(path), "no feed URLs in the list")
    return feeds


def watch_round(feeds: list[str], index: Index, courtesy: Courtesy) -> str:
    """Poll each feed once and ingest its new entries; return the round's log line."""
    links: list[Link] = []
    validators: list[tuple[str, str, str]] = []
    unchanged, failed = 0, []
    for url in feeds:
        etag, modified = index.feed_validators(url)
        conditions = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", modified)) if v}
        try:
            courtesy.admit(url)
            page = fetch(url, courtesy.policy, headers=conditions)
            if page.status == 304:
                unchanged += 1
                continue
            if page.status != 200:
                raise SourceError(url, f"the server answered {page.status}")
            links += parse_feed(page.body, url)
        except SourceError as exc:
            failed.append(str(exc))
            continue
        validators.append((url, page.headers.get("etag", ""), page.headers.get("last-modified", "")))
    summary = ingest_links(links, index, policy=courtesy.policy, courtesy=courtesy)
    for url, etag, modified in validators:  # only now: an interrupted round fetches these feeds again
        index.save_feed_validators(url, etag, modified)
    problems = "".join(f"; {problem}" for problem in failed)
    return f"{len(feeds)} feeds ({unchanged} unchanged, {len(failed)} failed): {summary.line()}{problems}"


def watch(
    feeds: list[str],
    index: Index,
    *,
    every: float,
    rounds: int | None = None,
    courtesy: Courtesy,
    log: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Run ``watch_round`` every ``every`` seconds (``rounds`` times, or until interrupted), logging each."""
    done = 0
    while rounds is None or done < rounds:
        started = time.monotonic()
        line = watch_round(feeds, index, courtesy)
        done += 1
        log(f"{datetime.now(UTC).isoformat(timespec='seconds')} round {done}: {line}")
        if rounds is None or done < rounds:
            sleep(max(0.0, every - (time.monotonic() - started)))
