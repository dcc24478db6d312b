"""HTML pages to article text and metadata, with trafilatura."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ExtractError
from ..settings import MIN_ARTICLE_WORDS
from .language import count_words

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
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html, url=url or None, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception as exc:  # trafilatura raises assorted lxml errors on broken markup
        raise ExtractError(origin, f"cannot parse the HTML ({type(exc).__name__})") from exc
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
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
