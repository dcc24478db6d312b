"""What a check does with the live providers: ask each about the most check-worthy claims, cache the news they
list into the index, and gather their fact-checks, background and notes for the report."""

from __future__ import annotations

import numpy as np

from ..index.base import Archive
from ..types import Article, Claim, LiveContext, Progress
from .providers import Answer, providers
from .sources import LiveSources


def ask_providers(
    claims: list[Claim], vectors: np.ndarray, article: Article, index: Archive, live: LiveSources, progress: Progress
) -> LiveContext:
    """Ask every provider ``live`` turns on about the ``live.max_claims`` most check-worthy of ``claims``; the
    news they list goes into ``index`` before the check searches it."""
    context = LiveContext()
    chosen = sorted(range(len(claims)), key=lambda i: -claims[i].score)[: live.max_claims]
    if not chosen:
        return context
    for provider in providers(live):
        progress(f"asking {provider.name}", 0, 0)
        answer = provider.ask([claims[i] for i in chosen], vectors[chosen], article)
        context.notes += answer.notes
        if answer.news:
            context.notes.append(_cache_news(provider.name, answer, index, live))
        for start, found in answer.fact_checks.items():
            context.fact_checks[start] = context.fact_checks.get(start, ()) + found
        for start, found in answer.background.items():
            context.background[start] = context.background.get(start, ()) + found
    return context


def _cache_news(name: str, answer: Answer, index: Archive, live: LiveSources) -> str:
    """Fetch and add the articles a provider listed; return the note that says how that went."""
    from ..ingestion import ingest_links
    from ..ingestion.courtesy import Courtesy

    summary = ingest_links(answer.news, index, policy=live.policy, courtesy=Courtesy(live.policy))
    failure = f" (then it {answer.news_failure})" if answer.news_failure else ""
    return (
        f"{name} listed {len(answer.news)} articles{failure}: {summary.added} added to the index, "
        f"{summary.duplicates} already there, {len(summary.rejected)} could not be read."
    )
