"""HTML pages to article text and metadata, with trafilatura."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import ExtractError
from ..settings import MIN_ARTICLE_WORDS
from .language import count_words

#: Below this many words, trafilatura's precision mode may have kept a fragment (a reprints notice instead of
#: the body); its balanced mode is tried too and wins when it finds at least twice as many words.
#: Not higher: on a page whose article is a short teaser, balanced mode adds the page's lists of other stories.
FRAGMENT_WORDS = 50
_LOOKS_LIKE_HTML = re.compile(r"<(!doctype html|html|head|body|article|div|p)[\s>]", re.I)


@dataclass(frozen=True)
class ExtractedPage:
    text: str
    title: str
    author: str
    published: str | None
    outlet: str
    url: str


def looks_like_html(text: str) -> bool:
    """Return True when ``text`` starts out as markup rather than prose."""
    head = text[:2048].lstrip()
    return head.startswith("<") and bool(_LOOKS_LIKE_HTML.search(head))


def extract_html(html: str, origin: str, url: str = "") -> ExtractedPage:
    """Return the main text and metadata of an HTML page; raise ExtractError when it holds no article."""
    try:
        doc = _bare_extraction(html, url)
    except Exception as exc:  # trafilatura raises assorted lxml errors on broken markup
        raise ExtractError(origin, f"cannot parse the HTML ({type(exc).__name__})") from exc
    text = _text_of(doc)
    if count_words(text) < MIN_ARTICLE_WORDS:
        raise ExtractError(origin, "no article text found in the HTML (malformed or not an article page)")
    # trafilatura puts one paragraph a line; the rest of twosource separates paragraphs by blank lines.
    text = "\n\n".join(line.strip() for line in text.split("\n") if line.strip())
    return ExtractedPage(
        text=text,
        title=doc.title or "",
        author=doc.author or "",
        published=doc.date or None,
        outlet=doc.sitename or doc.hostname or "",
        url=doc.url or url,
    )


def _bare_extraction(html: str, url: str) -> Any:
    """Return trafilatura's document for the page: its precision mode, unless that kept only a fragment.

    Tables are kept: they hold article content (results, figures) more often than layout on news pages.
    """
    import trafilatura

    options: dict[str, Any] = dict(url=url or None, with_metadata=True, include_comments=False, include_tables=True)
    doc = trafilatura.bare_extraction(html, favor_precision=True, **options)
    precise_words = count_words(_text_of(doc))
    if precise_words < FRAGMENT_WORDS:
        balanced = trafilatura.bare_extraction(html, **options)
        if count_words(_text_of(balanced)) > 2 * precise_words:
            return balanced
    return doc


def _text_of(doc: Any) -> str:
    return (getattr(doc, "text", None) or "").strip() if doc is not None else ""
