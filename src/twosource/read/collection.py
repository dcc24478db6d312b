"""Files, folders, CSV and JSON(L) collections to articles, one rejection per bad item.

A bad file or row is reported with its reason and skipped; the rest of the batch still lands.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import FormatError, SourceError
from ..settings import ReadLimits
from ..types import Article
from . import article_from_text, read_article
from .decode import decode_bytes

ARTICLE_SUFFIXES = (".txt", ".text", ".html", ".htm", ".html.gz", ".htm.gz")
WARC_SUFFIXES = (".warc", ".warc.gz")
RECORD_SUFFIXES = (".csv", ".json", ".jsonl", ".ndjson", *WARC_SUFFIXES)
FORMATS = ("auto", "text", "html", "csv", "json", "jsonl")
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

    text: str | None = None
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    url: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class Rejection:
    origin: str
    reason: str


def iter_articles(
    paths: list[str | Path],
    *,
    fmt: str = "auto",
    columns: Columns | None = None,
    outlet: str = "",
    encoding: str | None = None,
    limits: ReadLimits | None = None,
) -> Iterator[Article | Rejection]:
    """Yield an Article or a Rejection for every article file and record under ``paths`` (folders recursively)."""
    limits = limits or ReadLimits.from_env()
    columns = columns or Columns()
    for path in _expand(paths, fmt):
        kind = fmt if fmt != "auto" else _kind(path)
        try:
            if kind in ("csv", "json", "jsonl"):
                yield from _records(path, kind, columns, outlet, encoding, limits)
            elif kind == "warc":
                from ..warc import warc_articles

                yield from warc_articles(path, limits)
            else:
                html = {"html": True, "text": False}.get(kind)
                yield read_article(path, outlet=outlet, encoding=encoding, html=html, limits=limits)
        except SourceError as exc:
            yield Rejection(exc.origin, exc.message)


def _expand(paths: list[str | Path], fmt: str) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if fmt != "auto" or child.name.lower().endswith(ARTICLE_SUFFIXES + RECORD_SUFFIXES):
                    yield child
        else:
            yield path  # a missing file is rejected by its reader, naming it


def _kind(path: Path) -> str:
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


def _records(
    path: Path, kind: str, columns: Columns, outlet: str, encoding: str | None, limits: ReadLimits
) -> Iterator[Article | Rejection]:
    origin = str(path)
    if not path.is_file():
        raise FormatError(origin, "no such file")
    text = decode_bytes(path.read_bytes(), origin, encoding=encoding, max_bytes=MAX_COLLECTION_BYTES)
    rows = _csv_rows(text, origin) if kind == "csv" else _json_rows(text, origin, kind)
    fields = _field_names(rows)
    mapping = _map_columns(columns, fields, origin)
    for number, row in enumerate(rows, start=1):
        row_origin = f"{origin}:{'row' if kind == 'csv' else 'record'} {number}"
        body = str(row.get(mapping["text"]) or "")
        if len(body.encode()) > limits.max_bytes:
            yield Rejection(row_origin, f"text is over the limit of {limits.max_bytes:,} bytes")
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


def _csv_rows(text: str, origin: str) -> list[dict[str, str]]:
    try:
        return list(csv.DictReader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise FormatError(origin, f"malformed CSV: {exc}") from exc


def _json_rows(text: str, origin: str, kind: str) -> list[dict]:
    try:
        if kind == "jsonl":
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            data = json.loads(text)
            rows = data if isinstance(data, list) else [data]
    except json.JSONDecodeError as exc:
        raise FormatError(origin, f"malformed JSON: {exc}") from exc
    if not all(isinstance(r, dict) for r in rows):
        raise FormatError(origin, "JSON records must be objects")
    return rows


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
    return str(value).strip() if value is not None else ""
