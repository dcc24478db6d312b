"""Where articles are listed: RSS/Atom feeds (feedparser) and sitemaps, news sitemaps and sitemap indexes (lxml).

Each yields :class:`Link`\\ s (URL, title, date) for ``ingest`` to fetch. A feed or sitemap is read from a URL
through the one fetcher, or from a file. Nothing here fetches on its own: feedparser is handed bytes, and the
XML parser resolves no entities and loads nothing from the network.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from ..dates import parse_date
from ..errors import SourceError
from ..read.web import is_url

if TYPE_CHECKING:
    from ..fetch import FetchPolicy

#: Nested sitemaps followed from one sitemap index, at most: a news site's index can list thousands.
MAX_SITEMAPS = 50


@dataclass(frozen=True)
class Link:
    url: str
    title: str = ""
    published: str | None = None  # YYYY-MM-DD, when the listing says


def feed_links(source: str, policy: FetchPolicy | None = None) -> list[Link]:
    """Return the entries of the RSS or Atom feed at ``source`` (a URL or a file), in the feed's order."""
    return parse_feed(_load(source, policy), source)


def parse_feed(data: bytes, source: str) -> list[Link]:
    """Return the entries of the RSS or Atom feed in ``data``; relative links resolve against ``source``."""
    import feedparser

    try:
        parsed = feedparser.parse(io.BytesIO(data))  # a stream: given a string, feedparser would fetch it itself
    except (UnicodeError, LookupError, ValueError):  # an encoding its XML declaration names that cannot be used
        raise SourceError(source, "not an RSS or Atom feed: its declared encoding cannot be read") from None
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        reason = getattr(parsed, "bozo_exception", None) or "no entries"
        raise SourceError(source, f"not an RSS or Atom feed: {' '.join(str(reason).split())}")
    links = []
    for entry in parsed.entries:
        url = _address(source, entry.get("link", ""))
        if url:
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            date = time.strftime("%Y-%m-%d", stamp) if stamp else None
            links.append(Link(url, " ".join(entry.get("title", "").split()), date))
    return links


def sitemap_links(source: str, policy: FetchPolicy | None = None) -> list[Link]:
    """Return the pages a sitemap at ``source`` lists, following a sitemap index to its sitemaps (up to
    ``MAX_SITEMAPS``); a Google News sitemap gives each page's title and publication date."""
    from ..fetch import FetchPolicy

    links: list[Link] = []
    pending, seen = [source], set()
    while pending and len(seen) < MAX_SITEMAPS:
        current = pending.pop(0)
        if current in seen:
            continue
        seen.add(current)
        pages, nested = _parse_sitemap(_load(current, policy), current, (policy or FetchPolicy()).max_bytes)
        links += pages
        pending += nested
    return links


def _parse_sitemap(data: bytes, source: str, max_bytes: int) -> tuple[list[Link], list[str]]:
    from lxml import etree

    from ..read import gunzip

    if data[:2] == b"\x1f\x8b":
        data = gunzip(data, source, max_bytes)  # sitemap.xml.gz
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise SourceError(source, f"not a sitemap: {' '.join(str(exc).split())}") from None
    if etree.QName(root).localname not in ("urlset", "sitemapindex"):
        raise SourceError(source, f"not a sitemap: its root is <{etree.QName(root).localname}>")
    pages, nested = [], []
    for item in root:
        if not isinstance(item.tag, str):
            continue  # a comment or a processing instruction
        fields = dict(_fields(item))
        url = _address(source, fields.get("loc", ""))
        if not url:
            continue
        if etree.QName(item).localname == "sitemap":
            nested.append(url)
        else:
            date = parse_date(fields.get("publication_date") or fields.get("lastmod"))
            pages.append(Link(url, fields.get("title", ""), date))
    return pages, nested


def _address(source: str, link: str) -> str:
    """Return ``link`` resolved against the listing at ``source``, or "" unless that is a web address: a listing
    names pages and sitemaps on the web, never files here, and a malformed link is skipped, not fatal."""
    try:
        url = urljoin(source if is_url(source) else "", link.strip())
    except ValueError:
        return ""
    return url if is_url(url) else ""


def _fields(element: Any) -> Iterator[tuple[str, str]]:
    """Each leaf under ``element`` as (local name, text): loc, lastmod, and news:news's title and date."""
    from lxml import etree

    for leaf in element.iter():
        if isinstance(leaf.tag, str) and len(leaf) == 0 and leaf.text and leaf is not element:
            yield etree.QName(leaf).localname, " ".join(leaf.text.split())


def _load(source: str, policy: FetchPolicy | None) -> bytes:
    from ..fetch import FetchPolicy, fetch_page
    from ..read.decode import check_size

    policy = policy or FetchPolicy()
    if is_url(source):
        return fetch_page(source, policy).body
    path = Path(source)
    try:
        if not path.is_file():
            raise SourceError(source, "no such file")
        check_size(path.stat().st_size, source, policy.max_bytes)
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(source, f"cannot be read ({exc.strerror})") from None
