"""The index: the one stateful part of twosource, behind the :class:`Index` interface."""

from __future__ import annotations

from pathlib import Path

from ..errors import IndexStoreError
from ..types import Embedder
from .base import Index, IndexStats, StoredArticle

__all__ = ["Index", "IndexStats", "StoredArticle", "open_index"]


def open_index(path: str | Path | None = None, *, embedder: Embedder, create: bool = True) -> Index:
    """Return the index at ``path``, holding ``embedder``'s vectors (an index of another embedder's is refused):
    a ``postgresql://`` address, a SQLite file, or ``:memory:``; by default ``$TWOSOURCE_INDEX`` or the XDG data
    directory.

    With ``create=False`` a missing index is an error rather than a new empty one.
    """
    from ..settings import default_index_path, is_postgres_address

    where = path or default_index_path()
    if isinstance(where, str) and is_postgres_address(where):
        from .postgres import PostgresIndex

        return PostgresIndex(where, embedder, create=create)
    from .sqlite import SQLiteIndex

    location = Path(where).expanduser()
    if not create and str(location) != ":memory:" and not location.exists():
        raise IndexStoreError(f"no index at {location}; build one with `twosource ingest`")
    return SQLiteIndex(location, embedder)
