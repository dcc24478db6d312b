"""What a check asks the live services, claim by claim, and what it does with the answers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..index.base import Index
from ..types import Article, Background, Claim, FactCheck
from . import GDELT_WINDOW_DAYS, LiveSources, ServiceError, Spacing, gdelt_window, key_terms
from .services import fact_checks, gdelt_articles, wikipedia_pages

#: A Wikipedia paragraph shown as background must be at least this close to the claim (cosine).
MIN_BACKGROUND_SIMILARITY = 0.35
BACKGROUND_PER_CLAIM = 2
#: Paragraphs of a Wikipedia article compared with the claim: the lead and the first sections.
PARAGRAPHS_PER_PAGE = 60


@dataclass
class ClaimContext:
    """Per claim (by its start offset): existing fact-checks and background; and the notes for the report."""

    fact_checks: dict[int, tuple[FactCheck, ...]] = field(default_factory=dict)
    background: dict[int, tuple[Background, ...]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def most_checkworthy(claims: list[Claim], live: LiveSources) -> list[Claim]:
    return sorted(claims, key=lambda c: -c.score)[: live.max_claims]


def cache_news(claims: list[Claim], article: Article, index: Index, live: LiveSources) -> list[str]:
    """Ask GDELT for news on the most check-worthy claims and add the articles it lists to the index, where the
    check's retrieval then finds them like any other; return the notes for the report."""
    from ..ingestion import ingest_links
    from ..ingestion.courtesy import Courtesy

    if not live.gdelt or not claims:
        return []
    window = gdelt_window(article.published, live.today())
    if window is None:
        return [f"GDELT was not asked: it covers the last {GDELT_WINDOW_DAYS} days, and the article is older."]
    spacing, links = Spacing(live.gdelt_spacing), []
    try:
        for claim in most_checkworthy(claims, live):
            terms = key_terms(claim)
            if terms:
                spacing.wait()
                links += gdelt_articles(terms, window, live)
    except ServiceError as exc:
        if not links:
            return [f"GDELT was unavailable: it {exc.message}. The evidence comes from the index alone."]
        failure = f" (then it {exc.message})"
    else:
        failure = ""
    summary = ingest_links(links, index, policy=live.policy, courtesy=Courtesy(live.policy))
    return [
        f"GDELT listed {len(links)} articles{failure}: {summary.added} added to the index, "
        f"{summary.duplicates} already there, {len(summary.rejected)} could not be read."
    ]


def claim_context(claims: list[Claim], vectors: np.ndarray, live: LiveSources) -> ClaimContext:
    """Existing fact-checks and Wikipedia background for the most check-worthy claims. A service that fails
    is not asked again in this check, and says so in a note."""
    context = ClaimContext()
    asking = {"fact-checks": bool(live.factcheck_key), "Wikipedia": live.wikipedia}
    # Claims about the same things make the same query: its pages are fetched and embedded once.
    paragraphs_for: dict[str, tuple[list[tuple[str, str, str]], np.ndarray]] = {}
    vector_of = {c.start: v for c, v in zip(claims, vectors, strict=True)}
    for claim in most_checkworthy(claims, live):
        if asking["fact-checks"]:
            try:
                found = fact_checks(claim.text, live)
            except ServiceError as exc:
                asking["fact-checks"] = False
                context.notes.append(f"Google Fact Check Tools was unavailable: it {exc.message}.")
            else:
                if found:
                    context.fact_checks[claim.start] = tuple(found)
        query = " ".join(key_terms(claim, 3))
        if not asking["Wikipedia"] or not query:
            continue
        if query not in paragraphs_for:
            try:
                paragraphs_for[query] = _wikipedia_paragraphs(query, live)
            except ServiceError as exc:
                asking["Wikipedia"] = False
                context.notes.append(f"Wikipedia was unavailable: it {exc.message}.")
                continue
        paragraphs, paragraph_vectors = paragraphs_for[query]
        if paragraphs:
            similarity = paragraph_vectors @ vector_of[claim.start]
            best = np.argsort(-similarity)[:BACKGROUND_PER_CLAIM]
            context.background[claim.start] = tuple(
                Background("Wikipedia", *paragraphs[i], float(similarity[i]))
                for i in best
                if similarity[i] >= MIN_BACKGROUND_SIMILARITY
            )
    return context


def _wikipedia_paragraphs(query: str, live: LiveSources) -> tuple[list[tuple[str, str, str]], np.ndarray]:
    """The substantial paragraphs of the pages Wikipedia finds for ``query`` as (title, URL, text), embedded."""
    from ..models import embed

    paragraphs = [
        (title, url, p.strip())
        for title, url, text in wikipedia_pages(query, live)
        for p in text.split("\n")[:PARAGRAPHS_PER_PAGE]
        if len(p.split()) >= 12
    ]
    return paragraphs, embed([p for _, _, p in paragraphs])
