"""The live providers: each a service a check asks about its most check-worthy claims, behind one interface.

A provider answers with news to cache into the index (where retrieval finds it like any other passage, under the
same independence rules), existing fact-checks, background, and notes for the report. A provider that fails says
so in a note and is not asked again in that check; it never fails the check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol

import numpy as np

from ..types import Article, Background, Claim, LiveContext
from .services import fact_checks, gdelt_articles, wikipedia_pages
from .sources import GDELT_WINDOW_DAYS, LiveSources, ServiceError, Spacing, gdelt_window, key_terms

if TYPE_CHECKING:
    from ..ingestion.feeds import Link

#: A Wikipedia paragraph shown as background must be at least this close to the claim (cosine).
MIN_BACKGROUND_SIMILARITY = 0.35
BACKGROUND_PER_CLAIM = 2
#: Paragraphs of a Wikipedia article compared with the claim: the lead and the first sections.
PARAGRAPHS_PER_PAGE = 60


@dataclass
class Answer(LiveContext):
    """What a provider found for a check's claims: what goes beside the evidence, and news for the index."""

    news: list[Link] = field(default_factory=list)  # articles to fetch and add to the index
    news_failure: str = ""  # what went wrong after some news was listed, in words that follow the provider's name


class Provider(Protocol):
    """A live service asked at check time."""

    name: str  # as the report's notes and the progress name it

    def ask(self, claims: list[Claim], vectors: np.ndarray, article: Article) -> Answer:
        """Answer for ``claims`` (the most check-worthy, embedded as ``vectors``) of ``article``."""
        ...


def providers(live: LiveSources) -> list[Provider]:
    """The providers ``live`` turns on, in the order a check asks them: news first, so the search finds it."""
    found: list[Provider] = []
    if live.gdelt:
        found.append(Gdelt(live))
    if live.factcheck_key:
        found.append(FactCheckTools(live))
    if live.wikipedia:
        found.append(Wikipedia(live))
    return found


@dataclass(frozen=True)
class Gdelt:
    """GDELT's DOC API: news articles on each claim's key terms, around the article's date."""

    live: LiveSources
    name: ClassVar[str] = "GDELT"

    def ask(self, claims: list[Claim], vectors: np.ndarray, article: Article) -> Answer:
        window = gdelt_window(article.published, self.live.today())
        if window is None:
            older = f"GDELT was not asked: it covers the last {GDELT_WINDOW_DAYS} days, and the article is older."
            return Answer(notes=[older])
        spacing, answer = Spacing(self.live.gdelt_spacing), Answer()
        try:
            for claim in claims:
                terms = key_terms(claim)
                if terms:
                    spacing.wait()
                    answer.news += gdelt_articles(terms, window, self.live)
        except ServiceError as exc:
            if not answer.news:
                down = f"GDELT was unavailable: it {exc.message}. The evidence comes from the index alone."
                return Answer(notes=[down])
            answer.news_failure = exc.message
        return answer


@dataclass(frozen=True)
class FactCheckTools:
    """Google Fact Check Tools: published fact-checks of claims like each one."""

    live: LiveSources
    name: ClassVar[str] = "Google Fact Check Tools"

    def ask(self, claims: list[Claim], vectors: np.ndarray, article: Article) -> Answer:
        answer = Answer()
        for claim in claims:
            try:
                found = fact_checks(claim.text, self.live)
            except ServiceError as exc:
                answer.notes.append(f"Google Fact Check Tools was unavailable: it {exc.message}.")
                break
            if found:
                answer.fact_checks[claim.start] = tuple(found)
        return answer


@dataclass(frozen=True)
class Wikipedia:
    """Wikipedia: the paragraphs of the pages found for a claim's key terms that are closest to it, as background."""

    live: LiveSources
    name: ClassVar[str] = "Wikipedia"

    def ask(self, claims: list[Claim], vectors: np.ndarray, article: Article) -> Answer:
        answer = Answer()
        # Claims about the same things make the same query: its pages are fetched and embedded once.
        paragraphs_for: dict[str, tuple[list[tuple[str, str, str]], np.ndarray]] = {}
        for claim, vector in zip(claims, vectors, strict=True):
            query = " ".join(key_terms(claim, 3))
            if not query:
                continue
            if query not in paragraphs_for:
                try:
                    paragraphs_for[query] = self._paragraphs(query)
                except ServiceError as exc:
                    answer.notes.append(f"Wikipedia was unavailable: it {exc.message}.")
                    break
            paragraphs, paragraph_vectors = paragraphs_for[query]
            if paragraphs:
                similarity = paragraph_vectors @ vector
                best = np.argsort(-similarity)[:BACKGROUND_PER_CLAIM]
                answer.background[claim.start] = tuple(
                    Background("Wikipedia", *paragraphs[i], float(similarity[i]))
                    for i in best
                    if similarity[i] >= MIN_BACKGROUND_SIMILARITY
                )
        return answer

    def _paragraphs(self, query: str) -> tuple[list[tuple[str, str, str]], np.ndarray]:
        """The substantial paragraphs of the pages Wikipedia finds for ``query`` as (title, URL, text), embedded."""
        from ..models import embed

        paragraphs = [
            (title, url, p.strip())
            for title, url, text in wikipedia_pages(query, self.live)
            for p in text.split("\n")[:PARAGRAPHS_PER_PAGE]
            if len(p.split()) >= 12
        ]
        return paragraphs, embed([p for _, _, p in paragraphs])
