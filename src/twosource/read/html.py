"""HTML pages to article text and metadata, with trafilatura."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import ExtractError
from ..settings import MIN_ARTICLE_WORDS, default_read_seconds
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


def extract_html(html: str, origin: str, url: str = "", *, max_seconds: float | None = None) -> ExtractedPage:
    """Return the main text and metadata of an HTML page; raise ExtractError when it holds no article, or when
    reading it takes over ``max_seconds`` (None: ``$TWOSOURCE_READ_SECONDS``, else 60)."""
    if len(html) <= READ_IN_PROCESS_CHARS:
        page = _page(html, url)
    else:
        page = _page_in_child(html, url, default_read_seconds() if max_seconds is None else max_seconds)
    if isinstance(page, str):
        raise ExtractError(origin, page)
    return page


#: Pages up to this size are read here (a few seconds at most: about 5 s a MB of markup on this machine's
#: pages); a larger one is read in a child process, stopped when it runs over the reading budget.
READ_IN_PROCESS_CHARS = 500_000


def _page(html: str, url: str) -> ExtractedPage | str:
    """Return the page's article and metadata, or why there is none."""
    try:
        doc = _bare_extraction(html, url)
    except Exception as exc:  # trafilatura raises assorted lxml errors on broken markup
        return f"cannot parse the HTML ({type(exc).__name__})"
    text = _text_of(doc)
    if count_words(text) < MIN_ARTICLE_WORDS:
        return "no article text found in the HTML (malformed or not an article page)"
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


def _page_in_child(html: str, url: str, seconds: float) -> ExtractedPage | str:
    """``_page`` in a child Python given ``seconds``: a thread cannot be stopped, a process can. The child is a
    fresh interpreter (not a fork, which would copy the locks a server's threads hold, nor multiprocessing's
    spawn, which re-imports the caller's main script)."""
    import json
    import subprocess
    import sys

    command = [sys.executable, "-c", "from twosource.read.html import page_from_stdin; page_from_stdin()"]
    try:
        done = subprocess.run(
            command, input=json.dumps({"html": html, "url": url}).encode(), capture_output=True, timeout=seconds
        )
        answer = json.loads(done.stdout)
    except subprocess.TimeoutExpired:
        return f"reading the page took over {seconds:g} s (the reading budget, $TWOSOURCE_READ_SECONDS)"
    except ValueError:
        return "the page's reader stopped without an answer"
    return ExtractedPage(**answer) if isinstance(answer, dict) else str(answer)


def page_from_stdin() -> None:
    """The child's side of ``_page_in_child``: {"html", "url"} as JSON in, the page (or why none) as JSON out."""
    import json
    import sys
    from dataclasses import asdict

    asked = json.load(sys.stdin.buffer)
    page = _page(asked["html"], asked["url"])
    json.dump(asdict(page) if isinstance(page, ExtractedPage) else page, sys.stdout)


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
