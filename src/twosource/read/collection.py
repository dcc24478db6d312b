"""Files, folders, CSV and JSON(L) collections to articles, one rejection per bad item.

A bad file or row is reported with its reason and skipped; the rest of the batch still lands.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import FormatError, SourceError
from ..settings import ReadLimits
from ..types import Article, Rejection
from .article import article_from_text, read_file
from .decode import decode_bytes, holds_controls
from .warc import WARC_SUFFIXES, warc_articles, warc_responses

ARTICLE_SUFFIXES = (".txt", ".text", ".html", ".htm", ".html.gz", ".htm.gz")
RECORD_SUFFIXES = (".csv", ".json", ".jsonl", ".ndjson", *WARC_SUFFIXES)
#: What ``--format`` (and the API's ``format``) may name: "auto" tells each file's by its name and content.
FORMATS = ("auto", "text", "html", "csv", "json", "jsonl", "warc")
#: A collection file (CSV, JSONL) may be far larger than one article.
MAX_COLLECTION_BYTES = 2_000_000_000

# Column names tried, in order, when no mapping is given.
_GUESSES = {
    "text": ("text", "article_content", "content", "body", "articleBody", "article", "maintext"),
    "title": ("title", "article_title", "headline"),
    "outlet": ("outlet", "source", "publisher", "source_domain", "site"),
    "date": ("date", "published", "date_publish", "publish_date", "pubdate"),
    "url": ("url", "link"),
    "author": ("author", "authors", "byline"),
}


@dataclass(frozen=True)
class Columns:
    """Which record field holds what; None means guess from common names."""

    # Each field's "holds" says what it is: the CLI's --*-column options and the API's *_column fields read it.
    text: str | None = field(default=None, metadata={"holds": "the article text"})
    title: str | None = field(default=None, metadata={"holds": "the title"})
    outlet: str | None = field(default=None, metadata={"holds": "the outlet"})
    date: str | None = field(default=None, metadata={"holds": "the publication date"})
    url: str | None = field(default=None, metadata={"holds": "the URL"})
    author: str | None = field(default=None, metadata={"holds": "the author"})


#: The column options, in order: (field name, what it holds).
COLUMNS = tuple((f.name, f.metadata["holds"]) for f in fields(Columns))


def iter_articles(
    paths: list[str | Path],
    *,
    fmt: str = "auto",
    columns: Columns | None = None,
    outlet: str = "",
    encoding: str | None = None,
    limits: ReadLimits | None = None,
    records: range | None = None,
) -> Iterator[Article | Rejection]:
    """Yield an Article or a Rejection for every article file and record under ``paths`` (folders recursively).
    ``records``: of each collection (CSV, JSON(L), WARC), only the records at these ordinals (``count_records``
    numbers them), so that several workers share one large file."""
    limits = limits or ReadLimits.from_env()
    columns = columns or Columns()
    for path in input_files(paths, fmt):
        kind = file_kind(path, fmt)
        try:
            if kind in ("csv", "json", "jsonl"):
                yield from _records(path, kind, columns, outlet, encoding, limits, records)
            elif kind == "warc":
                yield from warc_articles(path, limits, records)
            else:
                html = {"html": True, "text": False}.get(kind)
                yield read_file(path, outlet=outlet, encoding=encoding, html=html, limits=limits)
        except SourceError as exc:
            yield Rejection(exc.origin, exc.message)


def input_files(paths: list[str | Path], fmt: str = "auto") -> Iterator[Path]:
    """The files ``iter_articles`` reads under ``paths``, in the order it reads them."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if fmt != "auto" or child.name.lower().endswith(ARTICLE_SUFFIXES + RECORD_SUFFIXES):
                    yield child
        else:
            yield path  # a missing file is rejected by its reader, naming it


def file_kind(path: Path, fmt: str = "auto") -> str:
    """How ``iter_articles`` reads ``path``: csv, json, jsonl, warc, or (an article file) text, html or file."""
    if fmt != "auto":
        return fmt
    name = path.name.lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith(".json"):
        return "json"
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    return "file"


def count_records(path: Path, kind: str, encoding: str | None = None) -> int:
    """The number of records of a collection file that ``iter_articles`` yields an item for (for a WARC archive,
    its responses); 0 for a file it cannot read as one."""
    try:
        if kind == "warc":
            return sum(1 for _ in warc_responses(path))
        return len(_entries(path, kind, encoding))
    except SourceError:
        return 0


def _entries(path: Path, kind: str, encoding: str | None) -> list[Entry]:
    origin = str(path)
    if not path.is_file():
        raise FormatError(origin, "no such file")
    text = decode_bytes(path.read_bytes(), origin, encoding=encoding, max_bytes=MAX_COLLECTION_BYTES, records=True)
    return _csv_entries(text, origin) if kind == "csv" else _json_entries(text, origin, kind)


def _records(
    path: Path,
    kind: str,
    columns: Columns,
    outlet: str,
    encoding: str | None,
    limits: ReadLimits,
    records: range | None,
) -> Iterator[Article | Rejection]:
    origin = str(path)
    entries = _entries(path, kind, encoding)
    rows = [row for _, row in entries if isinstance(row, dict)]
    # The columns are told from the whole file's records, whichever of them this call reads.
    mapping = _map_columns(columns, _field_names(rows), origin) if rows else {}
    for number, (row_origin, row) in enumerate(entries):
        if records is not None and number not in records:
            continue
        if isinstance(row, str):  # the reason this record could not be read
            yield Rejection(row_origin, row)
            continue
        body = _text(row.get(mapping["text"]) or "")
        if len(body.encode()) > limits.max_bytes:
            yield Rejection(row_origin, f"text is over the limit of {limits.max_bytes:,} bytes")
            continue
        if holds_controls(body):
            yield Rejection(row_origin, "text holds undecodable bytes; name its encoding with --encoding")
            continue
        try:
            yield article_from_text(
                body,
                row_origin,
                title=_get(row, mapping["title"]),
                outlet=outlet or _get(row, mapping["outlet"]),
                date=_get(row, mapping["date"]) or None,
                url=_get(row, mapping["url"]),
                author=_get(row, mapping["author"]),
            )
        except SourceError as exc:
            yield Rejection(exc.origin, exc.message)


#: A record's origin and either the record or why it could not be read: one bad record never costs the others.
Entry = tuple[str, dict | str]


def _csv_entries(text: str, origin: str) -> list[Entry]:
    # The largest cell the csv module takes is a process-wide setting; a record's own size limit applies later.
    csv.field_size_limit(MAX_COLLECTION_BYTES)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    entries: list[Entry] = []
    while True:
        number = len(entries) + 1
        try:
            row = next(reader)
        except StopIteration:
            return entries
        except csv.Error as exc:
            if number == 1:  # the header itself
                raise FormatError(origin, f"malformed CSV: {exc}") from exc
            row = f"malformed CSV: {exc}"
        entries.append((f"{origin}:row {number}", row))


def _json_entries(text: str, origin: str, kind: str) -> list[Entry]:
    if kind == "jsonl":
        # Lines end at "\n" only: a record may hold U+2028 or a form feed inside a string, which splitlines cuts at.
        lines = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
        return [(f"{origin}:line {n}", _record(*_parsed(line))) for n, line in lines]
    data, reason = _parsed(text)
    if reason:
        raise FormatError(origin, reason)
    items = data if isinstance(data, list) else [data]
    return [(f"{origin}:record {n}", _record(item, "")) for n, item in enumerate(items, start=1)]


def _parsed(text: str) -> tuple[Any, str]:
    """Return the JSON value in ``text`` and "", or None and why it is not JSON."""
    try:
        return json.loads(text), ""
    except json.JSONDecodeError as exc:
        return None, f"malformed JSON: {exc}"
    except RecursionError:
        return None, "malformed JSON: nested too deeply"
    except ValueError as exc:  # a number of thousands of digits
        return None, f"malformed JSON: {exc}"


def _record(value: Any, reason: str) -> dict | str:
    return reason or (value if isinstance(value, dict) else "a JSON record must be an object")


def _field_names(rows: list[dict]) -> list[str]:
    names: dict[str, None] = {}
    for row in rows[:100]:
        names.update(dict.fromkeys(k for k in row if k is not None))
    return list(names)


def _map_columns(columns: Columns, fields: list[str], origin: str) -> dict[str, str | None]:
    mapping: dict[str, str | None] = {}
    for role, guesses in _GUESSES.items():
        chosen = getattr(columns, role)
        if chosen is not None and chosen not in fields:
            raise FormatError(origin, f"no column {chosen!r} (columns: {', '.join(fields)})")
        mapping[role] = chosen or next((g for g in guesses if g in fields), None)
    if mapping["text"] is None:
        raise FormatError(origin, f"no text column found; name it with --text-column (columns: {', '.join(fields)})")
    return mapping


def _get(row: dict, key: str | None) -> str:
    value = row.get(key) if key else None
    if isinstance(value, list):
        value = ", ".join(map(str, value))
    return _text(value).strip() if value is not None else ""


def _text(value: object) -> str:
    # JSON may escape a lone surrogate ("\ud800"), which no encoding can store: it becomes "?".
    return str(value).encode("utf-8", "replace").decode("utf-8")
