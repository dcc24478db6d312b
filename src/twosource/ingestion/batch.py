"""Articles from files, collections and links into the index, in batches, resumably."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SourceError
from ..index.base import Archive, PreparedArticle
from ..index.dedup import content_hash, copy_text
from ..index.passages import split_passages
from ..models import embed, embed_crosslingual
from ..read.collection import Columns, iter_articles
from ..settings import DEFAULT_MAX_PASSAGES, ReadLimits, default_max_passages
from ..types import Article, Progress, Rejection

if TYPE_CHECKING:
    from ..fetch import FetchPolicy
    from .courtesy import Courtesy
    from .feeds import Link

#: Articles per transaction: an interrupted ingest loses at most one batch of work.
BATCH_SIZE = 32
#: Fetched pages per transaction: each costs a second or more to fetch politely.
FETCHED_BATCH_SIZE = 4


@dataclass
class IngestSummary:
    added: int = 0
    duplicates: int = 0
    copies: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    cut: int = 0  # articles indexed by their first passages only (over the passage budget)

    def merge(self, other: IngestSummary) -> None:
        self.added += other.added
        self.duplicates += other.duplicates
        self.copies += other.copies
        self.rejected += other.rejected
        self.cut += other.cut

    @property
    def seen(self) -> int:
        return self.added + self.duplicates + len(self.rejected)

    def line(self) -> str:
        reasons: dict[str, int] = {}
        for r in self.rejected:
            reasons[r.reason] = reasons.get(r.reason, 0) + 1
        why = "; ".join(f"{n} {reason}" for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]))
        rejected = f"{len(self.rejected)} rejected" + (f" ({why})" if why else "")
        cut = f"; {self.cut} too long to index whole (see --max-passages)" if self.cut else ""
        return (
            f"{self.added} added, {self.duplicates} duplicates, {self.copies} copies of indexed articles, "
            f"{rejected}{cut}"
        )


def prepare_batch(articles: list[Article], max_passages: int = DEFAULT_MAX_PASSAGES) -> list[PreparedArticle]:
    """Return what the index stores for each article; passages of the whole batch are embedded together. An
    article is searched by its first ``max_passages`` passages only (it is stored, and compared for copies, whole).
    The passages of an article not in English are embedded a second time, cross-lingually, for English claims."""
    spans = [(split_passages(a.text) or [(0, len(a.text))])[:max_passages] for a in articles]
    texts = [a.text[s:e] for a, sp in zip(articles, spans, strict=True) for s, e in sp]
    vectors = embed(texts)
    foreign = [a.text[s:e] for a, sp in zip(articles, spans, strict=True) if a.language != "en" for s, e in sp]
    crosslingual = embed_crosslingual(foreign, query=False) if foreign else None
    prepared, offset, foreign_offset = [], 0, 0
    for article, article_spans in zip(articles, spans, strict=True):
        translated = None
        if crosslingual is not None and article.language != "en":
            translated = crosslingual[foreign_offset : foreign_offset + len(article_spans)]
            foreign_offset += len(article_spans)
        prepared.append(
            PreparedArticle(
                article=article,
                content_hash=content_hash(article.text),
                passage_spans=article_spans,
                embeddings=vectors[offset : offset + len(article_spans)],
                copy=copy_text(article.text),
                crosslingual=translated,
            )
        )
        offset += len(article_spans)
    return prepared


def add_prepared(prepared: list[PreparedArticle], index: Archive, summary: IngestSummary, max_passages: int) -> None:
    """Add prepared articles to ``index`` in one transaction (those it already holds are skipped, by content hash),
    and count them into ``summary``."""
    at_budget = [p.article.text for p in prepared if len(p.passage_spans) == max_passages]
    summary.cut += sum(len(split_passages(text)) > max_passages for text in at_budget)
    result = index.add_batch(prepared)
    summary.added += result.added
    summary.duplicates += result.duplicates
    summary.copies += result.copies


def ingest_articles(
    items: Iterable[Article | Rejection],
    index: Archive,
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    max_passages: int = DEFAULT_MAX_PASSAGES,
) -> IngestSummary:
    """Add articles to ``index`` one transaction per batch; already indexed texts are counted, not embedded.
    ``max_passages``: an article is searched by this many passages at most (the summary counts those cut).
    ``progress("adding articles", handled, 0)`` as it goes: the items are a stream, their number unknown."""
    summary = IngestSummary()
    batch: list[Article] = []
    hashes: set[str] = set()
    handled = 0

    def advance(n: int) -> None:
        nonlocal handled
        handled += n
        if progress:
            progress("adding articles", handled, 0)

    def flush() -> None:
        if batch:
            add_prepared(prepare_batch(batch, max_passages), index, summary, max_passages)
            advance(len(batch))
            batch.clear()
            hashes.clear()

    for item in items:
        if isinstance(item, Rejection):
            summary.rejected.append(item)
            advance(1)
            continue
        digest = content_hash(item.text)
        if digest in hashes or index.contains(digest):
            summary.duplicates += 1
            advance(1)
            continue
        hashes.add(digest)
        batch.append(item)
        if len(batch) >= batch_size:
            flush()
    flush()
    return summary


def ingest(
    paths: list[str | Path],
    index: Archive,
    *,
    fmt: str = "auto",
    columns: Columns | None = None,
    outlet: str = "",
    encoding: str | None = None,
    limits: ReadLimits | None = None,
    feeds: Iterable[str] = (),
    sitemaps: Iterable[str] = (),
    policy: FetchPolicy | None = None,
    progress: Progress | None = None,
    max_passages: int | None = None,
) -> IngestSummary:
    """Read every article under ``paths`` (files, folders, collections, WARC archives, URLs) and in the listed
    ``feeds`` and ``sitemaps`` (URLs or files), and add it to ``index``; ``progress("ingesting", done, total)``
    is called as it goes (total 0: not known yet). Pages are fetched under ``policy``, politely (robots.txt, a
    pause per host).
    ``max_passages``: an article is searched by this many passages at most (None: ``$TWOSOURCE_MAX_PASSAGES``).
    """
    from ..fetch import FetchPolicy
    from ..read.warc import is_warc
    from ..read.web import is_url
    from .courtesy import Courtesy
    from .feeds import Link, feed_links, sitemap_links

    limits = limits or ReadLimits.from_env()
    max_passages = max_passages or default_max_passages()
    policy = policy or FetchPolicy(max_bytes=limits.max_bytes)
    files = [p for p in paths if not is_url(str(p))]
    links = [Link(str(p)) for p in paths if is_url(str(p))]
    unlisted: list[Rejection] = []
    for source, lister in [(f, feed_links) for f in feeds] + [(s, sitemap_links) for s in sitemaps]:
        try:
            links += lister(source, policy)
        except SourceError as exc:
            unlisted.append(Rejection(exc.origin, exc.message))
    read = iter_articles(files, fmt=fmt, columns=columns, outlet=outlet, encoding=encoding, limits=limits)
    # A WARC archive is streamed, never held whole, so how many articles it holds is not known up front.
    items = read if any(is_warc(p) for p in files) else list(read)
    total = len(items) + len(links) if isinstance(items, list) else 0

    read_count = 0  # items read from files so far; fetched links count after them

    def report(done: int) -> None:
        if progress:
            progress("ingesting", done, total)

    def report_read(_: str, done: int, __: int) -> None:
        nonlocal read_count
        read_count = done
        report(done)

    report(0)
    summary = ingest_articles(items, index, progress=report_read, max_passages=max_passages)
    if links:
        read_first = read_count
        fetched = ingest_links(
            links,
            index,
            outlet=outlet,
            policy=policy,
            courtesy=Courtesy(policy),
            progress=lambda _, done, __: report(read_first + done),
            max_passages=max_passages,
        )
        summary.merge(fetched)
    summary.rejected[:0] = unlisted
    return summary


def ingest_links(
    links: Iterable[Link],
    index: Archive,
    *,
    outlet: str = "",
    policy: FetchPolicy | None = None,
    courtesy: Courtesy | None = None,
    progress: Progress | None = None,
    max_passages: int | None = None,
) -> IngestSummary:
    """Fetch and add the article at each link; links already in the index (by URL) are counted, not fetched.
    ``courtesy`` (robots.txt, a pause per host) is asked before each fetch; ``max_passages`` as for ``ingest``.

    A page's own date and title come first, the listing's (a feed's, a sitemap's) when the page has none. A
    link that cannot be fetched or read is a rejection with its reason; the rest go in as they come.
    """
    from ..read.web import read_url

    unique = list({link.url: link for link in links}.values())
    todo = [link for link in unique if not index.has_url(link.url)]
    done = len(unique) - len(todo)

    def fetched() -> Iterator[Article | Rejection]:
        for link in todo:
            try:
                if courtesy:
                    courtesy.admit(link.url)
                article = read_url(link.url, outlet=outlet, policy=policy)
            except SourceError as exc:
                yield Rejection(link.url, exc.message)
                continue
            yield replace(article, published=article.published or link.published, title=article.title or link.title)

    def report(stage: str, handled: int, _: int) -> None:
        if progress:
            progress("fetching pages", done + handled, len(unique))

    report("", 0, 0)
    # Fetching, not embedding, is the slow part here: small batches show progress and commit pages as they come.
    summary = ingest_articles(
        fetched(),
        index,
        progress=report,
        batch_size=FETCHED_BATCH_SIZE,
        max_passages=max_passages or default_max_passages(),
    )
    summary.duplicates += len(unique) - len(todo)
    return summary
