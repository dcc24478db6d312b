"""Articles from WARC archives (``.warc``, ``.warc.gz``; e.g. CC-NEWS), streamed record by record with warcio.

An archive of thousands of pages is never loaded whole: one record's body at a time, capped at the article size
limit. Only HTTP 200 HTML responses are articles; request and metadata records pass by unremarked, any other
response is a rejection with its reason.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import FormatError, SourceError
from ..settings import ReadLimits
from ..types import Article, Rejection

_HTML_TYPES = ("text/html", "application/xhtml+xml")


WARC_SUFFIXES = (".warc", ".warc.gz")
TRUNCATED = "not a readable WARC file: a record is truncated or malformed"
#: warcio's own ways to fail on a truncated record.
_TRUNCATED = (AttributeError, ValueError, EOFError, zlib.error)


def is_warc(path: str | Path) -> bool:
    return str(path).lower().endswith(WARC_SUFFIXES)


def warc_articles(
    path: str | Path, limits: ReadLimits | None = None, records: range | None = None
) -> Iterator[Article | Rejection]:
    """Yield each article in the archive at ``path``, or why a response could not be read as one; ``records``: only
    the responses at these ordinals (the archive is still read from its start: a gzip stream has no index)."""
    from .article import read_bytes
    from .web import with_outlet

    limits = limits or ReadLimits.from_env()
    try:
        for number, record in enumerate(warc_responses(path)):
            if records is not None and number not in records:
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI") or f"{path}: a record without a URI"
            status = record.http_headers.get_statuscode()
            kind = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
            if status != "200":
                yield Rejection(uri, f"the archived response is {status}")
            elif kind not in _HTML_TYPES:
                yield Rejection(uri, f"not a web page: {kind or 'no content type'}")
            else:
                body = record.content_stream().read(limits.max_bytes + 1)
                try:
                    article = read_bytes(body, uri, url=uri, html=True, max_bytes=limits.max_bytes)
                except SourceError as exc:
                    yield Rejection(uri, exc.message)
                else:
                    yield with_outlet(article)
    except FormatError as exc:
        yield Rejection(exc.origin, exc.message)
    except _TRUNCATED:  # a body cut short, found as it is read
        yield Rejection(str(path), TRUNCATED)


def warc_responses(path: str | Path) -> Iterator[Any]:
    """Yield each HTTP response record of the archive at ``path``, in order (request and metadata records pass by);
    raise FormatError where the file stops being a readable WARC archive."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    records = 0
    try:
        with open(path, "rb") as stream:
            records_in = ArchiveIterator(stream)
            records_in.INC_RECORD = ""  # else warcio writes a malformed record's whole remainder to standard error
            for record in records_in:
                records += record.format == "warc" and bool(record.rec_type)  # not blank, not read as old ARC
                if record.rec_type == "response" and record.http_headers is not None:
                    yield record
    except (ArchiveLoadFailed, OSError) as exc:
        # warcio quotes the file's first line, which in a binary file is noise: the reason's first words suffice.
        reason = " ".join(str(exc).split()).split(",")[0]
        raise FormatError(str(path), f"not a readable WARC file: {reason}") from None
    except _TRUNCATED:
        raise FormatError(str(path), TRUNCATED) from None
    if not records:
        raise FormatError(str(path), "not a WARC file: no WARC record in it")
