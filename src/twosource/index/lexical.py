"""Lexical search over an SQLite index's passages and articles: BM25 in word indexes (tantivy) beside the database.

FTS5 scores every row holding any of a query's words, so a claim's search grew with the index: 0.65 s over 1M
passages. tantivy's block-max WAND skips the rows that cannot reach the top: 6 ms over the same passages.

The database stays the truth, as for the passage graph (``vectors.py``). Rows are added to a table's word index once
committed, by whichever process finds them missing (the writer, just after its commit), under the same file lock as
graph folds. When a word index is first read, its last row is checked against the database (id, text checksum,
rows up to it); one that does not match is rebuilt. So a crash between the two commits costs a catch-up, and a
torn, stale or foreign word index costs a rebuild, never a wrong answer. A folder that cannot be written (or an
in-memory database) keeps its word indexes in memory, built from the database.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
import threading
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .sql import query_words
from .vectors import held_lock

log = logging.getLogger(__name__)

#: Rows read from the database at a time while adding them.
CHUNK = 4096
#: The writer's memory, in bytes, before it writes a segment.
WRITER_HEAP = 64_000_000
_TOKENIZER = "news"


@dataclass(frozen=True)
class Table:
    """A table searched by its words: its text columns, each with its weight in the score."""

    name: str
    columns: tuple[tuple[str, float], ...]


#: An article's title counts twice its text: a title states the story in the fewest words.
PASSAGES = Table("passages", (("text", 1.0),))
ARTICLES = Table("articles", (("title", 2.0), ("text", 1.0)))

#: Reads up to ``limit`` rows ``(id, *columns)`` of a table with an id above ``after``, in id order.
RowsAfter = Callable[[Table, int, int], list[tuple[Any, ...]]]
#: The table's last id (0 when empty), and the number of its rows with an id up to the one given.
LastId = Callable[[Table], int]
CountThrough = Callable[[Table, int], int]


class WordIndex:
    """One table's word index, searched by BM25 and kept in step with the database; shared by threads."""

    def __init__(
        self,
        folder: Path | None,
        table: Table,
        *,
        rows_after: RowsAfter,
        last_id: LastId,
        count_through: CountThrough,
    ) -> None:
        self.folder = folder  # None: in memory
        self.table = table
        self._rows_after, self._last_id, self._count_through = rows_after, last_id, count_through
        self._lock = threading.Lock()
        self._index: Any = None
        self._covered = -1  # every row up to this id is in the word index; -1 before the first look

    def search(self, query: str, limit: int) -> list[tuple[int, float]]:
        """BM25 of the rows holding any of the query's words, best first, as ``(id, score)``; ties by id."""
        with self._lock:
            self._catch_up()
            index = self._index
        import tantivy

        analyzer = _analyzer()
        tokens = list(dict.fromkeys(t for word in query_words(query) for t in analyzer.analyze(word)))
        if not tokens:
            return []
        schema = index.schema
        clauses = []
        for column, weight in self.table.columns:
            for token in tokens:
                term = tantivy.Query.term_query(schema, column, token)
                clauses.append(
                    (tantivy.Occur.Should, term if weight == 1.0 else tantivy.Query.boost_query(term, weight))
                )
        searcher = index.searcher()
        # count=False: counting every match would visit every match, which is what the skipping avoids.
        hits = searcher.search(tantivy.Query.boolean_query(clauses), limit, count=False).hits
        ids = searcher.fast_field_values("id", [address for _, address in hits])
        found = [(int(i), float(score)) for (score, _), i in zip(hits, ids, strict=True)]
        found.sort(key=lambda hit: (-hit[1], hit[0]))
        return found

    def catch_up(self) -> None:
        """After a write: add the rows committed since."""
        with self._lock:
            self._catch_up()

    def problems(self) -> list[str]:
        """What differs between the word index and the database's rows (empty when it holds them all)."""
        with self._lock:
            self._catch_up()
            held, stored = self._index.searcher().num_docs, self._count_through(self.table, self._covered)
        if held != stored or self._covered != self._last_id(self.table):
            return [f"the {self.table.name} word index holds {held} rows, the database {stored}"]
        return []

    # -- keeping in step ------------------------------------------------------------------------------
    def _catch_up(self) -> None:
        last = self._last_id(self.table)
        if last == self._covered:
            return
        try:
            covered = self._look()
            if covered != last:
                with self._writing():
                    covered = self._look()  # another process may have caught up meanwhile
                    if covered < 0 or covered > last:
                        self._index = self._new(self.folder, fresh=True)
                        covered = 0
                    covered = self._add_after(covered)
        except OSError as exc:  # a read-only folder or a full disk: keep the word index in memory
            log.warning("%s: cannot write the word index (%s); keeping it in memory", self.folder, exc)
            self.folder = None
            self._index = self._new(None)
            covered = self._add_after(0)
        self._covered = covered

    def _look(self) -> int:
        """Open or reload the word index; the last id it holds, or -1 when it is broken, foreign or stale."""
        if self._index is None:
            try:
                self._index = self._new(self.folder)
            except ValueError as exc:  # not a tantivy index, or another schema's
                log.warning("%s: %s; rebuilding the word index", self.folder, exc)
                return -1
        else:
            self._index.reload()
        return self._held()

    def _held(self) -> int:
        """The last id the word index holds, once the database is seen to hold the same rows up to it; -1 if not."""
        searcher = self._index.searcher()
        if not searcher.num_docs:
            return 0
        import tantivy

        (last, address), *_ = searcher.search(tantivy.Query.all_query(), 1, count=False, order_by_field="id").hits
        if last == self._covered:
            return int(last)  # as this process last checked or wrote it: no other process added to it since
        checksum = searcher.fast_field_values("checksum", [address])[0]
        row = self._rows_after(self.table, int(last) - 1, 1)
        if (
            not row
            or row[0][0] != last
            or _checksum(row[0]) != checksum
            or self._count_through(self.table, int(last)) != searcher.num_docs
        ):
            log.warning(
                "%s: the word index does not hold this database's %s; rebuilding it", self.folder, self.table.name
            )
            return -1
        return int(last)

    def _add_after(self, covered: int) -> int:
        import tantivy

        writer = self._index.writer(WRITER_HEAP, 1)
        while rows := self._rows_after(self.table, covered, CHUNK):
            for row in rows:
                document = tantivy.Document()
                document.add_unsigned("id", row[0])
                document.add_unsigned("checksum", _checksum(row))
                for (column, _), text in zip(self.table.columns, row[1:], strict=True):
                    document.add_text(column, text)
                writer.add_document(document)
            covered = rows[-1][0]
        writer.commit()
        writer.wait_merging_threads()
        self._index.reload()
        return covered

    def _writing(self) -> AbstractContextManager[None]:
        if self.folder is None:
            return nullcontext()
        return held_lock(self.folder.with_name(self.folder.name + ".lock"), fcntl.LOCK_EX)

    def _new(self, folder: Path | None, *, fresh: bool = False) -> Any:
        """The word index in ``folder`` (a new one when ``fresh``), or a new one in memory."""
        import tantivy

        if folder is not None:
            if fresh:
                shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
        builder = tantivy.SchemaBuilder()
        builder.add_unsigned_field("id", fast=True)
        builder.add_unsigned_field("checksum", fast=True)
        for column, _ in self.table.columns:
            builder.add_text_field(column, tokenizer_name=_TOKENIZER, index_option="freq")
        index = tantivy.Index(builder.build(), path=None if folder is None else str(folder), reuse=True)
        index.register_tokenizer(_TOKENIZER, _analyzer())
        return index


def words_folder_for(index_path: str) -> Path:
    """Where the word indexes of the SQLite file ``index_path`` lie: beside it, as its graph does."""
    return Path(index_path).expanduser().with_name(Path(index_path).name + "-words")


def discard_words(index_path: str) -> None:
    """Remove word indexes left beside a new database (its old file's): they cannot be this one's."""
    shutil.rmtree(words_folder_for(index_path), ignore_errors=True)


def _checksum(row: tuple[Any, ...]) -> int:
    return zlib.crc32("\x00".join(row[1:]).encode("utf-8", "surrogatepass"))


_analyzers = threading.local()


def _analyzer() -> Any:
    """Words as FTS5's ``porter unicode61 remove_diacritics 2`` read them: split at what is not a letter or digit,
    lowercased, accents folded, stemmed (Snowball English)."""
    analyzer = getattr(_analyzers, "analyzer", None)
    if analyzer is None:
        import tantivy

        analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stemmer("english"))
            .build()
        )
        _analyzers.analyzer = analyzer
    return analyzer
