"""The read stage: a file, HTML page, URL, bytes or stdin to an :class:`~twosource.types.Article`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..settings import ReadLimits
from ..types import Article
from .article import article_from_text, gunzip, read_bytes, read_file
from .web import is_url, read_url

if TYPE_CHECKING:
    from ..fetch import FetchPolicy

__all__ = ["article_from_text", "gunzip", "read_article", "read_bytes", "read_file", "read_url"]


def read_article(
    source: str | Path,
    *,
    outlet: str = "",
    url: str = "",
    date: str | None = None,
    encoding: str | None = None,
    html: bool | None = None,
    limits: ReadLimits | None = None,
    policy: FetchPolicy | None = None,
) -> Article:
    """Return the article read from a path, a URL (fetched under ``policy``), or stdin when ``source`` is ``"-"``.

    HTML (by ``html``, else by extension or content) goes through trafilatura; plain text through the
    furniture rules. Explicit ``outlet``, ``url`` and ``date`` override what is found in the page.
    """
    limits = limits or ReadLimits.from_env()
    if is_url(str(source)):
        from ..fetch import FetchPolicy

        return read_url(str(source), outlet=outlet, date=date, policy=policy or FetchPolicy(max_bytes=limits.max_bytes))
    return read_file(source, outlet=outlet, url=url, date=date, encoding=encoding, html=html, limits=limits)
