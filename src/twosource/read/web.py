"""An article read from its URL, through the one fetcher (``twosource.fetch``): only public addresses, capped."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..errors import SourceError
from ..types import Article

if TYPE_CHECKING:
    from ..fetch import FetchPolicy

#: What a page may be served as to be read as an article (others are refused, e.g. a PDF or an image).
READABLE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")


def read_url(url: str, *, outlet: str = "", date: str | None = None, policy: FetchPolicy | None = None) -> Article:
    """Fetch ``url`` and read the article on it: title, author, date and outlet from the page, the outlet
    failing that from the URL's host. Explicit ``outlet`` and ``date`` override the page's.

    The encoding is detected from the bytes (BOM, meta charset, UTF-8, statistics), not taken from the HTTP
    header, which often names ISO-8859-1 for UTF-8 pages and would turn them into mojibake.
    """
    from ..fetch import FetchPolicy, fetch_page
    from .article import read_bytes

    policy = policy or FetchPolicy()
    page = fetch_page(url, policy)
    if page.content_type not in READABLE_TYPES:
        raise SourceError(url, f"not a web page: {page.content_type}")
    html = page.content_type != "text/plain"
    article = read_bytes(page.body, url, outlet=outlet, url=page.url, date=date, html=html, max_bytes=policy.max_bytes)
    return with_outlet(article)


def with_outlet(article: Article) -> Article:
    """Return ``article``, its outlet taken from its URL's host when the page named none."""
    return article if article.outlet or not article.url else replace(article, outlet=outlet_of(article.url))


def is_url(source: str) -> bool:
    """Whether ``source`` is written as a URL (scheme://…), not a path."""
    return bool(re.match(r"^[a-z][a-z0-9+.-]*://", source, re.I))


def outlet_of(url: str) -> str:
    """Return the outlet a URL's host names: ``https://www.bbc.co.uk/news/x`` -> ``bbc.co.uk``."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.").removeprefix("m.").removeprefix("amp.")
