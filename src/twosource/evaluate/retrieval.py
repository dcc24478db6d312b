"""FNC-1 as a retrieval benchmark: each headline a query, all bodies the collection.

The bodies labelled agree, disagree or discuss for a headline are its relevant documents.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import FormatError
from ..index import open_index
from ..index.dedup import content_hash
from ..ingestion import ingest_articles
from ..read.language import detect_language
from ..retrieve import Query, crosslingual_queries, search
from ..stance.model import RELATED
from ..types import Article, Progress
from .files import read_csv_rows, write_csv_rows
from .metrics import average_precision, precision_at

#: Bodies ranked per headline: the predictions file holds the top 50, MAP is computed over them.
DEPTH = 50


@dataclass(frozen=True)
class RetrievalScores:
    queries: int
    map: float
    r_precision: float
    recall_at_10: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "queries": self.queries,
            "map": round(self.map, 4),
            "r_precision": round(self.r_precision, 4),
            "recall_at_10": round(self.recall_at_10, 4),
        }


def rank_bodies(
    bodies: list[dict[str, str]],
    headlines: list[str],
    *,
    index_address: str | None = None,
    progress: Progress | None = None,
) -> dict[str, list[tuple[str, float]]]:
    """Return, for each headline, the top body IDs with scores, from a fresh index of ``bodies``: a temporary
    SQLite file, or the empty index at ``index_address`` (a PostgreSQL database, to compare the backends)."""
    from ..models import EMBEDDER, embed

    by_hash: dict[str, list[str]] = {}
    for b in bodies:
        by_hash.setdefault(content_hash(b["articleBody"]), []).append(b["Body ID"])
    with tempfile.TemporaryDirectory() as tmp:
        index = open_index(index_address or Path(tmp) / "fnc.sqlite", embedder=EMBEDDER)
        if index.article_ids():
            index.close()
            raise FormatError(str(index_address), "the benchmark needs an empty index to hold its bodies")
        articles = [
            Article(text=b["articleBody"], origin=b["Body ID"], language=detect_language(b["articleBody"]))
            for b in bodies
            if b["articleBody"].strip()
        ]

        def advance(_: str, done: int, __: int) -> None:
            if progress:
                progress("indexing bodies", done, len(articles))

        ingest_articles(articles, index, progress=advance)
        # A body stored once stands for every Body ID with the same text.
        body_ids = {a.id: by_hash[a.content_hash] for a in map(index.article, index.article_ids())}
        vectors, translated = embed(headlines), crosslingual_queries(index, headlines)
        ranked: dict[str, list[tuple[str, float]]] = {}
        for n, (headline, vector, crosslingual) in enumerate(zip(headlines, vectors, translated, strict=True), start=1):
            ids: list[tuple[str, float]] = []
            for p in search(index, Query(headline, vector, crosslingual=crosslingual), limit=DEPTH):
                ids.extend((body, p.score) for body in body_ids[p.article_id])
            ranked[headline] = ids[:DEPTH]
            if progress:
                progress("ranking headlines", n, len(headlines))
        index.close()
    return ranked


def score(ranked: dict[str, list[tuple[str, float]]], relevant: dict[str, set[str]]) -> RetrievalScores:
    """Return MAP, R-precision and recall@10 over the headlines that have relevant bodies."""
    aps, rps, recalls = [], [], []
    for headline, rel in relevant.items():
        if not rel:
            continue
        hits = [b in rel for b, _ in ranked.get(headline, [])]
        aps.append(average_precision(hits, len(rel)))
        rps.append(precision_at(hits, len(rel)))
        recalls.append(sum(hits[:10]) / len(rel))
    n = len(aps) or 1
    return RetrievalScores(len(aps), sum(aps) / n, sum(rps) / n, sum(recalls) / n)


def evaluate_retrieval(
    bodies_path: str | Path,
    stances_path: str | Path,
    *,
    predictions: str | Path | None = None,
    index_address: str | None = None,
    progress: Progress | None = None,
) -> RetrievalScores | None:
    """Rank bodies for every headline; write predictions if asked; return scores when stances are labelled."""
    bodies = read_csv_rows(bodies_path, ("Body ID", "articleBody"))
    stances = read_csv_rows(stances_path, ("Headline", "Body ID"))
    headlines = list(dict.fromkeys(s["Headline"] for s in stances))
    ranked = rank_bodies(bodies, headlines, index_address=index_address, progress=progress)
    if predictions:
        rows = (
            [headline, body, rank, float(value)]
            for headline in headlines
            for rank, (body, value) in enumerate(ranked[headline], start=1)
        )
        write_csv_rows(predictions, ["Headline", "Body ID", "rank", "score"], rows)
    if not stances or "Stance" not in stances[0]:
        return None
    relevant: dict[str, set[str]] = {h: set() for h in headlines}
    for s in stances:
        if s["Stance"] in RELATED:
            relevant[s["Headline"]].add(s["Body ID"])
    return score(ranked, relevant)
