"""check(): read -> claims -> retrieve -> independence -> stance -> verdict, wired together; no logic of its own."""

from __future__ import annotations

import json
import secrets
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .claims import find_claims
from .independence import OutletNames, Own, copy_reason, independent, own_outlets
from .index.base import Index
from .index.dedup import copy_text
from .models import embed
from .outlets import Outlets
from .provenance import Rewording, find_rewordings
from .retrieve import Query, claim_query_text, search
from .schema import SCHEMA_VERSION, report_to_dict
from .settings import DEFAULT_MAX_CLAIMS
from .stance import judge_stances
from .types import Article, ArticleSource, Claim, ClaimVerdict, Evidence, Passage, Progress, Report
from .verdict import decide_verdict, summarize

if TYPE_CHECKING:
    import numpy as np

    from .live import LiveSources

#: Candidate passages retrieved per claim before independence and stance.
CANDIDATES = 20


def check(
    article: Article,
    index: Index,
    *,
    candidates: int = CANDIDATES,
    max_claims: int = DEFAULT_MAX_CLAIMS,
    progress: Progress | None = None,
    live: LiveSources | None = None,
    outlets: Outlets | None = None,
) -> Report:
    """Return the corroboration report for ``article`` against ``index``; ``progress(stage, done, total)``
    is called as it goes. ``max_claims``: the check-worthy claims checked, the most check-worthy first; the others
    are listed as not checked, and the report says so. ``live``: the live services to ask as well (GDELT's
    articles are cached into the index first; fact-checks and Wikipedia background go beside the evidence); None
    asks none. ``outlets``: the outlets declared one outlet under several hosts or names
    (``outlets.load_outlets``); None declares none."""
    step = progress or (lambda stage, done, total: None)
    step("finding claims", 0, 0)
    claims, to_check, notes = _claims_to_check(article, max_claims)
    if live and live.gdelt:
        from .live.gather import cache_news

        step("asking GDELT for news", 0, 0)
        notes += cache_news(to_check, article, index, live)
    step("searching", 0, len(to_check))
    vectors = embed([c.text for c in to_check])
    names = OutletNames(outlets or Outlets())
    found: list[list[Passage]] = []
    for claim, vector in zip(to_check, vectors, strict=True):
        query = Query(claim_query_text(claim), vector, article.published, claim.quantities)
        found.append(search(index, query, candidates))
        step("searching", len(found), len(to_check))
    own, rewordings = _own(article, index, found, names)
    checked: dict[int, ClaimVerdict] = {}
    step("checking claims", 0, len(to_check))
    for claim, vector, passages in zip(to_check, vectors, found, strict=True):
        checked[claim.start] = _judged(claim, vector, passages, index, own, names, article.published)
        step("checking claims", len(checked), len(to_check))
    if live and (live.wikipedia or live.factcheck_key):
        from .live.gather import claim_context

        step("asking for fact-checks and background", 0, 0)
        context = claim_context(to_check, vectors, live)
        for start, verdict in checked.items():
            checked[start] = replace(
                verdict, fact_checks=context.fact_checks.get(start, ()), background=context.background.get(start, ())
            )
        notes += context.notes
    step("writing the report", len(to_check), len(to_check))
    notes += _unknowns(article, index)
    verdicts = [checked.get(c.start) or decide_verdict(c, [], over_budget=c.checkworthy) for c in claims]
    sources = tuple(_article_source(r, names) for r in rewordings)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    return Report(
        id=secrets.token_hex(8),  # random: the same text checked twice in one second gets two reports
        article=article,
        verdicts=tuple(verdicts),
        summary=summarize(article, verdicts, sources),
        index=index.location,
        created=created,
        schema_version=SCHEMA_VERSION,
        notes=tuple(notes),
    )


def _claims_to_check(article: Article, max_claims: int) -> tuple[list[Claim], list[Claim], list[str]]:
    """All the article's claims, the check-worthy ones within budget (in text order), and notes on what was cut."""
    read = _claims_read(article.text)
    claims = find_claims(replace(article, text=article.text[:read]))
    worthy = [c for c in claims if c.checkworthy]
    chosen = {c.start for c in sorted(worthy, key=lambda c: -c.score)[:max_claims]}
    notes = []
    if read < len(article.text):
        notes.append(
            f"Claims were looked for in the first {read:,} of the text's {len(article.text):,} characters only "
            f"(about {CLAIMS_READ_CHARS // 6:,} words; a longer text costs more than a check should)."
        )
    if len(worthy) > max_claims:
        notes.append(
            f"{len(worthy) - max_claims:,} of {len(worthy):,} check-worthy claims were not checked: only the "
            f"{max_claims:,} most check-worthy are (raise --max-claims to check more)."
        )
    return claims, [c for c in worthy if c.start in chosen], notes


def _own(article: Article, index: Index, found: list[list[Passage]], names: OutletNames) -> tuple[Own, list[Rewording]]:
    """What counts as the article itself: its outlet, its copies in the index, and the texts it rewords."""
    # The checked article, or any copy of it in the index, is never its own evidence (independence rule 3).
    copies = index.find_copies(article.text, article.outlet, article.url)
    # The texts the article rewords are its sources, never independent corroboration (rule 5).
    rewordings = _rewordings(article, found, index, {stored.cluster_id for stored, _ in copies})
    own = Own(
        outlets=own_outlets(article, names),
        articles=frozenset(stored.id for stored, _ in copies),
        clusters=frozenset(stored.cluster_id for stored, _ in copies),
        copy_reasons={stored.id: copy_reason(match) for stored, match in copies},
        sources=frozenset(r.article.cluster_id for r in rewordings),
        text=copy_text(article.text),
    )
    return own, rewordings


def _judged(
    claim: Claim,
    vector: np.ndarray,
    passages: list[Passage],
    index: Index,
    own: Own,
    names: OutletNames,
    published: str | None,
) -> ClaimVerdict:
    """The verdict on one claim: its independent passages judged, the excluded ones said why."""
    counted, excluded = independent(passages, index, own=own, names=names)
    passage_vectors = index.passage_vectors([c.passage.passage_id for c in counted])
    judged = judge_stances(claim, vector, [c.passage for c in counted], passage_vectors, claim_date=published)
    evidence = [
        Evidence(item.passage, stance, score, item.outlet, numeric, reason, source=item.source, parts=parts)
        for item, (stance, score, numeric, reason, parts) in zip(counted, judged, strict=True)
    ]
    return decide_verdict(claim, evidence, excluded)


def _unknowns(article: Article, index: Index) -> list[str]:
    """Notes on what the check could not take into account."""
    notes = []
    if not article.outlet:
        notes.append("The article's outlet is unknown, so its own outlet could not be excluded (give --outlet).")
    if not article.published:
        notes.append("The article's date is unknown, so evidence was not weighted by date (give --date).")
    if not index.stats().articles:
        notes.append("The index is empty: no claim could find evidence (run twosource ingest).")
    return notes


#: Indexed articles retrieved for at least this many claims, the most often retrieved first and at most
#: SOURCE_CANDIDATES of them, are compared with the article for rewording: a text it follows sentence after
#: sentence is found for claim after claim.
SOURCE_RETRIEVALS = 2
SOURCE_CANDIDATES = 10


#: Characters of an article the claims stage reads: about 50,000 words, ten times a long feature; spaCy and the
#: detector read every sentence, so a 5 MB text would otherwise take many minutes before any claim is checked.
CLAIMS_READ_CHARS = 300_000


def _claims_read(text: str) -> int:
    """How much of ``text`` the claims stage reads: all of it, or up to the paragraph (else the sentence) that
    ends last within ``CLAIMS_READ_CHARS``."""
    if len(text) <= CLAIMS_READ_CHARS:
        return len(text)
    cut = max(text.rfind("\n", 0, CLAIMS_READ_CHARS), text.rfind(". ", 0, CLAIMS_READ_CHARS) + 1)
    return cut if cut > 0 else CLAIMS_READ_CHARS


def _rewordings(article: Article, found: list[list[Passage]], index: Index, copies: set[int]) -> list[Rewording]:
    retrieved = Counter(p.article_id for passages in found for p in passages if p.cluster_id not in copies)
    ids = [i for i, n in retrieved.most_common(SOURCE_CANDIDATES) if n >= SOURCE_RETRIEVALS]
    return find_rewordings(article.text, [a for a in map(index.article, ids) if a is not None])


def _article_source(rewording: Rewording, names: OutletNames) -> ArticleSource:
    a = rewording.article
    outlet = names.identify(a.outlet, a.url, a.credit)
    return ArticleSource(a.id, a.cluster_id, outlet.name or a.outlet, a.title, a.url, a.published, rewording.pairs)


def store_report(report: Report, index: Index) -> dict[str, Any]:
    """Save the report's JSON in the index, where ``serve`` finds it by id; return that JSON."""
    document = report_to_dict(report)
    index.save_report(report.id, json.dumps(document, ensure_ascii=False))
    return document
