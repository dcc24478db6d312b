"""The index interface: the one stateful part of twosource, in four parts; SQLite implements them all."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

    from ..types import Article, Passage
    from .dedup import CopyMatch, CopyText, Lookup


@dataclass(frozen=True)
class StoredArticle:
    id: int
    url: str
    outlet: str
    title: str
    author: str
    published: str | None
    text: str
    content_hash: str
    cluster_id: int
    origin: str
    credit: str = ""  # the outlet the text says it is taken from ("Originally published by ..."), if any
    language: str = "en"  # ISO 639-1


@dataclass
class PreparedArticle:
    """An article with everything the index stores for it, computed before the write transaction."""

    article: Article
    content_hash: str
    passage_spans: list[tuple[int, int]]
    embeddings: np.ndarray  # one unit row per passage
    copy: CopyText  # what copy detection compares
    #: An article not in English: its passages' cross-lingual embeddings (``models.embed_crosslingual``), one
    #: unit row per passage, which an English claim's search finds them by.
    crosslingual: np.ndarray | None = None
    #: The content hashes of the stored texts whose copy clusters it joins, when found before the write (batch
    #: ingest's distributed join); None: found by the index as it is added.
    joins: list[str] | None = None


@dataclass
class AddResult:
    added: int = 0
    duplicates: int = 0
    copies: int = 0
    ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class IndexStats:
    location: str
    articles: int
    passages: int
    outlets: dict[str, int]
    clusters: int
    multi_article_clusters: int
    earliest: str | None
    latest: str | None
    undated: int
    size_bytes: int
    reports: int


class Archive(Protocol):
    """What the index is: articles and their passages, added in batches, read back by id."""

    location: str

    def contains(self, content_hash: str) -> bool: ...
    def has_url(self, url: str) -> bool: ...
    def add_batch(self, batch: list[PreparedArticle]) -> AddResult: ...
    def article(self, article_id: int) -> StoredArticle | None: ...
    def article_ids(self) -> list[int]: ...
    def is_empty(self) -> bool: ...
    def stats(self) -> IndexStats: ...
    def check_integrity(self) -> list[str]: ...
    def close(self) -> None: ...
    def __enter__(self) -> Archive: ...
    def __exit__(self, *_: object) -> None: ...


class Search(Protocol):
    """Finding passages and articles for a query, lexical (BM25) and dense, and reading the passages found."""

    def lexical_passages(self, query: str, limit: int) -> list[tuple[int, float]]: ...
    def lexical_articles(self, query: str, limit: int) -> list[tuple[int, float]]: ...
    def dense_passages(self, vector: np.ndarray, limit: int) -> list[tuple[int, float]]: ...
    def passages(self, ids: list[int]) -> dict[int, Passage]: ...
    def article_passages(self, article_ids: list[int]) -> dict[int, list[int]]: ...  # in text order
    def passage_vectors(self, ids: list[int]) -> np.ndarray: ...
    # Passages not in English, by their cross-lingual embeddings.
    def crosslingual_size(self) -> int: ...
    def crosslingual_passages(self, vector: np.ndarray, limit: int) -> list[tuple[int, float]]: ...
    def crosslingual_vectors(self, ids: list[int]) -> dict[int, np.ndarray]: ...


class Copies(Protocol):
    """Copy clusters: the texts that are one text, however republished."""

    def cluster(self, cluster_id: int) -> list[StoredArticle]: ...
    def find_copies(self, text: str, outlet: str = "", url: str = "") -> list[tuple[StoredArticle, CopyMatch]]: ...
    def look_up(self, copy: CopyText, outlet: str = "", url: str = "") -> Lookup: ...


class Riders(Protocol):
    """What rides along in the same store: checked reports, and the validators of watched feeds."""

    def save_report(self, report_id: str, document: str) -> None: ...
    def load_report(self, report_id: str) -> str | None: ...
    def feed_validators(self, url: str) -> tuple[str, str]: ...  # a watched feed's (ETag, Last-Modified)
    def save_feed_validators(self, url: str, etag: str, last_modified: str) -> None: ...


class Index(Archive, Search, Copies, Riders, Protocol):
    """The whole interface a backend implements (SQLite today; PostgreSQL next)."""
