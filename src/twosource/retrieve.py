"""The retrieve stage: candidate passages for a claim, from lexical (BM25) and dense (MiniLM) search, fused.

Scores are fused per article: the article's BM25 over title and text, its best passage's BM25 (both scaled to
[0, 1] within the query), its best passage's cosine similarity and its lead passage's, weighted. Articles dated
near the checked article's date rank higher. Each article is represented by its best passage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .claims.figures import figures_in
from .claims.quantities import comparable
from .dates import days_between
from .index.base import Search
from .types import Claim, Passage, Quantity

#: Fusion and feedback weights, swept together on the first half of the FNC-1 train headlines (eval retrieval);
#: re-sweep them together. The landscape is flat: nearby values score within 0.002 MAP.
WEIGHT_ARTICLE_BM25 = 0.35
WEIGHT_PASSAGE_BM25 = 0.08
WEIGHT_LEXICAL = WEIGHT_ARTICLE_BM25 + WEIGHT_PASSAGE_BM25
WEIGHT_DENSE = 0.3
#: The lead passage states what the story is about, so its similarity marks articles about the claim's event
#: rather than ones mentioning it in passing.
WEIGHT_LEAD = 0.4
#: How much the date counts, and over how long its weight halves: a story a year away keeps 85% of its score.
DATE_WEIGHT = 0.3
DATE_HALF_LIFE_DAYS = 365
#: How many hits each search contributes before fusion.
POOL = 200
#: Pseudo-relevance feedback: the best first-round articles, and the weight of similarity to them.
FEEDBACK_ARTICLES = 5
FEEDBACK_WEIGHT = 1.0


#: A claim stating a figure prefers articles stating a comparable one (same kind, same scale): those are the
#: passages that can confirm or contradict it. Looked for in the best FIGURE_ARTICLES first-round articles.
WEIGHT_FIGURE = 0.3
FIGURE_ARTICLES = 100

#: Passages not in English are scored by multilingual-e5-small's cosine instead of MiniLM's, both sides less their
#: language's centre (``centres``), put on MiniLM's scale by a line fitted over 700 FNC-1 headline–passage pairs of
#: the first half of the train headlines, the same English texts under both models (correlation 0.88; unrelated
#: pairs 0.11 MiniLM, 0.13 rescaled; related 0.50 and 0.45), after scaling up by what a change of language costs:
#: an English sentence's cosine to itself is 1.35 times its cosine to its translation (the mean over Tatoeba's 11
#: public halves, 1.23 Russian to 1.58 Hebrew), while unrelated sentences, centred, lie near 0 in either language.
#: bench/crosslingual_scale.py measures both.
CROSSLINGUAL_SCALE = 1.190
CROSSLINGUAL_SHIFT = 0.027
CROSSLINGUAL_GAIN = 1.350


@dataclass(frozen=True)
class Query:
    text: str
    vector: np.ndarray
    date: str | None = None
    figures: tuple[Quantity, ...] = ()
    #: The claim's cross-lingual embedding (``models.embed_crosslingual``), when the index holds passages not in
    #: English.
    crosslingual: np.ndarray | None = None


# Figures are reported in other words: "200,000 dead" elsewhere reads "killed more than 220,000".
_KIND_WORDS = {
    "deaths": "killed deaths death toll died",
    "injured": "injured wounded",
    "displaced": "displaced internally homes",
    "refugees": "refugees fled",
    "detained": "detained arrested",
    "casualties": "casualties killed wounded",
    "percent": "percent",
}


def claim_query_text(claim: Claim) -> str:
    """Return the search text for a claim: the sentence, full names for people named by surname, and the
    usual words for the kinds of figure it states."""
    extra = [e.normalized for e in claim.entities if e.normalized.lower() not in claim.text.lower()]
    extra += list(dict.fromkeys(_KIND_WORDS[q.kind] for q in claim.quantities if q.kind in _KIND_WORDS))
    return " ".join([claim.text, *extra])


def search(index: Search, query: Query, limit: int = 20) -> list[Passage]:
    """Return up to ``limit`` passages, one per article, best first."""
    article_bm25 = dict(index.lexical_articles(query.text, POOL))
    passage_bm25 = dict(index.lexical_passages(query.text, POOL))
    dense = dict(index.dense_passages(query.vector, POOL))
    if query.crosslingual is not None:
        dense |= dict(index.crosslingual_passages(query.crosslingual, POOL))
    articles = set(article_bm25) | {p.article_id for p in index.passages(list(set(passage_bm25) | set(dense))).values()}
    # Every passage of every candidate article is scored densely: cheap, and the best passage may lie outside the pools.
    by_article = index.article_passages(sorted(articles))
    if not by_article:
        return []
    article_ids = list(by_article)
    pids = [pid for aid in article_ids for pid in by_article[aid]]
    vectors = index.passage_vectors(pids)
    cosines = vectors @ query.vector
    similarity = crosslingual_similarity(index, query, pids)
    translated = {row: similarity[pid] for row, pid in enumerate(pids) if pid in similarity}
    for row, cosine in translated.items():
        cosines[row] = cosine
    top_article = max(article_bm25.values(), default=0.0) or 1.0
    top_passage = max(passage_bm25.values(), default=0.0) or 1.0
    lexical = np.zeros(len(article_ids))
    dense_score = np.zeros(len(article_ids))
    best = np.zeros(len(article_ids), dtype=np.int64)
    foreign = np.zeros(len(article_ids), dtype=bool)
    dense_best = np.zeros(len(article_ids))
    centroids = np.zeros((len(article_ids), vectors.shape[1]), dtype=np.float32)
    offset = 0
    for i, aid in enumerate(article_ids):
        n = len(by_article[aid])
        rows = slice(offset, offset + n)
        passage_lex = np.array([passage_bm25.get(pid, 0.0) for pid in by_article[aid]]) / top_passage
        lexical[i] = (
            WEIGHT_ARTICLE_BM25 * article_bm25.get(aid, 0.0) / top_article + WEIGHT_PASSAGE_BM25 * passage_lex.max()
        )
        # Passages are stored in text order, so an article's first passage is its lead.
        dense_score[i] = WEIGHT_DENSE * max(0.0, float(cosines[rows].max())) + WEIGHT_LEAD * max(
            0.0, float(cosines[offset])
        )
        best[i] = by_article[aid][int(np.argmax(cosines[rows] + passage_lex))]
        centroids[i] = vectors[rows].mean(axis=0)
        foreign[i] = offset in translated  # an article's passages are all in its language
        dense_best[i] = float(cosines[rows].max())
        offset += n
    # Across scripts lexical search has nothing to match: an article not in English scores, in its place, its
    # similarity scaled as BM25 is, against the query's best.
    lexical[foreign] = WEIGHT_LEXICAL * np.maximum(0.0, dense_best[foreign]) / max(float(dense_best.max()), 1e-9)
    first = lexical + dense_score
    final = first + FEEDBACK_WEIGHT * np.maximum(0.0, _resembling_the_best(centroids, first, foreign, dense_best))
    if query.figures:
        _prefer_figures(
            index,
            query,
            by_article,
            article_ids,
            np.argsort(-final)[:FIGURE_ARTICLES],
            dict(zip(pids, cosines.tolist(), strict=True)),
            final,
            best,
        )
    order = np.argsort(-final)[: limit * 3 if query.date else limit]
    found = index.passages([int(best[i]) for i in order])
    results = []
    for i in order:
        passage = found[int(best[i])]
        value = float(final[i]) * _date_factor(query.date, passage.published)
        results.append(
            replace(
                passage,
                score=round(value, 4),
                lexical=round(float(lexical[i]), 4),
                dense=round(float(dense_score[i]), 4),
            )
        )
    results.sort(key=lambda p: -p.score)
    return results[:limit]


def _prefer_figures(
    index: Search,
    query: Query,
    by_article: dict[int, list[int]],
    article_ids: list[int],
    candidates: np.ndarray,
    cosine: dict[int, float],
    final: np.ndarray,
    best: np.ndarray,
) -> None:
    # Raise articles with a passage stating a comparable figure, and make that passage the one quoted.
    texts = index.passages([pid for i in candidates for pid in by_article[article_ids[i]]])
    for i in candidates:
        hits = [pid for pid in by_article[article_ids[i]] if pid in texts and _states_figure(texts[pid], query)]
        if hits:
            final[i] += WEIGHT_FIGURE
            best[i] = max(hits, key=lambda pid: cosine[pid])


def _resembling_the_best(
    centroids: np.ndarray, first: np.ndarray, foreign: np.ndarray, dense_best: np.ndarray
) -> np.ndarray:
    """Pseudo-relevance feedback: how close each article is to the best first-round ones. Stories about one event
    resemble each other, so this finds reports of the event that share few words with the claim."""
    centroids = centroids / (np.linalg.norm(centroids, axis=1, keepdims=True) + 1e-9)
    # The best articles in English only: MiniLM's centroid of one in another language says little of its event.
    english = np.flatnonzero(~foreign)
    top = english[np.argsort(-first[english])][:FEEDBACK_ARTICLES]
    feedback = (centroids[top] * first[top, None]).sum(axis=0)
    feedback /= np.linalg.norm(feedback) + 1e-9
    resembling = centroids @ feedback
    # An article not in English is taken to resemble them as much as its closest passage resembles the claim.
    resembling[foreign] = dense_best[foreign]
    return resembling


def crosslingual_queries(index: Search, texts: list[str]) -> list[np.ndarray | None]:
    """The claims' cross-lingual embeddings (``Query.crosslingual``) when the index holds passages not in English
    to find by them; else None for each, and the model is not loaded."""
    if not index.crosslingual_size():
        return [None] * len(texts)
    from .centres import QUERY, centre
    from .models import embed_crosslingual

    return list(centre(embed_crosslingual(texts, query=True), QUERY))


def crosslingual_similarity(index: Search, query: Query, pids: list[int]) -> dict[int, float]:
    """The passages among ``pids`` not in English, and their similarity to the claim by multilingual-e5-small, on
    MiniLM's scale."""
    if query.crosslingual is None:
        return {}
    found = index.crosslingual_vectors(pids)
    return {
        pid: CROSSLINGUAL_SCALE * CROSSLINGUAL_GAIN * float(v @ query.crosslingual) + CROSSLINGUAL_SHIFT
        for pid, v in found.items()
    }


def _states_figure(passage: Passage, query: Query) -> bool:
    return any(comparable(q, e) for e in figures_in(passage.text, passage.language) for q in query.figures)


def _date_factor(reference: str | None, published: str | None) -> float:
    gap = days_between(reference, published)
    if gap is None:
        return 1.0 - DATE_WEIGHT / 2  # undated evidence sits between near and far
    return 1.0 - DATE_WEIGHT + DATE_WEIGHT * math.pow(0.5, gap / DATE_HALF_LIFE_DAYS)
