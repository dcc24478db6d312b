"""An article from a file, stdin, bytes or decoded text: decoded, extracted (HTML), furniture stripped, checked."""

from __future__ import annotations

import gzip
import io
import re
import sys
import zlib
from pathlib import Path

from ..dates import parse_date
from ..errors import BinaryInputError, EmptyInputError, SourceError
from ..settings import MIN_ARTICLE_WORDS, ReadLimits
from ..types import Article
from .credits import find_credit
from .decode import check_size, decode_bytes
from .furniture import strip_furniture
from .html import extract_html, looks_like_html
from .language import count_words, detect_language

_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def read_file(
    source: str | Path,
    *,
    outlet: str = "",
    url: str = "",
    date: str | None = None,
    encoding: str | None = None,
    html: bool | None = None,
    limits: ReadLimits | None = None,
) -> Article:
    """Return the article read from a path (gzip too), or from stdin when ``source`` is ``"-"``."""
    limits = limits or ReadLimits.from_env()
    if str(source) == "-":
        data, origin, name = sys.stdin.buffer.read(limits.max_bytes + 1), "stdin", ""
    else:
        path = Path(source)
        origin, name = str(path), path.name
        if path.is_dir():
            raise SourceError(origin, "a folder, not an article (twosource ingest reads folders)")
        if not path.is_file():
            raise EmptyInputError(origin, "no such file")
        if not name.endswith(".gz"):
            check_size(path.stat().st_size, origin, limits.max_bytes)
        data = path.read_bytes()
        if name.endswith(".gz"):
            data = gunzip(data, origin, limits.max_bytes)
    if date is None and (m := _DATE_IN_NAME.search(name)):
        date = m.group(1)  # scraped files are often named by their date
    if html is None and name.endswith((".html", ".htm", ".html.gz", ".htm.gz")):
        html = True
    return read_bytes(
        data, origin, outlet=outlet, url=url, date=date, encoding=encoding, html=html, max_bytes=limits.max_bytes
    )


def read_bytes(
    data: bytes,
    origin: str,
    *,
    outlet: str = "",
    url: str = "",
    date: str | None = None,
    title: str = "",
    encoding: str | None = None,
    html: bool | None = None,
    max_bytes: int,
) -> Article:
    """Return the article in ``data``; ``html=None`` sniffs whether it is markup."""
    text = decode_bytes(data, origin, encoding=encoding, max_bytes=max_bytes)
    if html is None:
        html = looks_like_html(text)
    author = ""
    if html:
        page = extract_html(text, origin, url)
        text, author = page.text, page.author
        title = title or page.title
        outlet = outlet or page.outlet
        date = date or page.published
        url = url or page.url
    return article_from_text(text, origin, outlet=outlet, url=url, date=date, title=title, author=author)


def article_from_text(
    text: str,
    origin: str,
    *,
    outlet: str = "",
    url: str = "",
    date: str | None = None,
    title: str = "",
    author: str = "",
) -> Article:
    """Return an Article from decoded text: furniture stripped, title found unless given, language detected."""
    stripped = strip_furniture(text, find_title=not title, title=title, author=author)
    body = stripped.text
    if count_words(body) < MIN_ARTICLE_WORDS:
        raise EmptyInputError(
            origin, f"no article text: fewer than {MIN_ARTICLE_WORDS} words once page furniture is removed"
        )
    if not re.search(r"[^\W\d_]{2,}", body):
        raise BinaryInputError(origin, "input holds no words")
    return Article(
        text=body,
        title=title or stripped.title,
        outlet=outlet or stripped.outlet,
        author=stripped.author,
        published=parse_date(date),
        url=url,
        removed=tuple(stripped.removed),
        origin=origin,
        credit=find_credit(text),  # read before the furniture goes: a credit line can sit among it
        language=detect_language(body),
    )


def gunzip(data: bytes, origin: str, max_bytes: int) -> bytes:
    """Return the gzip ``data`` decompressed, refusing it (one line naming ``origin``) beyond ``max_bytes``."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
            out = f.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise BinaryInputError(origin, f"not a readable gzip file ({exc})") from exc
    check_size(len(out), origin, max_bytes)
    return out
