"""check(): read -> claims -> retrieve -> independence -> stance -> verdict, wired together; no logic of its own."""

from __future__ import annotations

import json
import secrets
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .claims import claims_to_check
from .independence import OutletNames, Own, article_source, identify_own, independent
from .index.base import Index, Riders
from .models import embed
from .outlets import Outlets
from .retrieve import Query, claim_query_text, crosslingual_queries, crosslingual_similarity, search
from .schema import SCHEMA_VERSION, report_to_dict
from .settings import DEFAULT_MAX_CLAIMS
from .stance import judge_stances
from .types import Article, Claim, ClaimVerdict, Evidence, LiveContext, Passage, Progress, Report
from .verdict import decide_verdict, summarize

if TYPE_CHECKING:
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
    are listed as not checked, and the report says so. ``live``: which live providers to ask as well (the news
    they list is cached into the index before the search; fact-checks and background go beside the evidence); None
    asks none. ``outlets``: the outlets declared one outlet under several hosts or names
    (``outlets.load_outlets``); None declares none."""
    step = progress or (lambda stage, done, total: None)
    step("finding claims", 0, 0)
    found_claims = claims_to_check(article, max_claims)
    to_check, notes = found_claims.chosen, list(found_claims.notes)
    vectors = embed([c.text for c in to_check])
    translated = crosslingual_queries(index, [c.text for c in to_check])
    context = LiveContext()
    if live:
        from .live.gather import ask_providers

        context = ask_providers(to_check, vectors, article, index, live, step)
        notes += context.notes
    step("searching", 0, len(to_check))
    names = OutletNames(outlets or Outlets())
    found: list[list[Passage]] = []
    for claim, vector, crosslingual in zip(to_check, vectors, translated, strict=True):
        query = Query(claim_query_text(claim), vector, article.published, claim.quantities, crosslingual)
        found.append(search(index, query, candidates))
        step("searching", len(found), len(to_check))
    own, rewordings = identify_own(article, index, found, names)
    checked: dict[int, ClaimVerdict] = {}
    step("checking claims", 0, len(to_check))
    for claim, vector, crosslingual, passages in zip(to_check, vectors, translated, found, strict=True):
        query = Query(claim.text, vector, article.published, crosslingual=crosslingual)
        verdict = _judged(claim, query, passages, index, own, names)
        checked[claim.start] = replace(
            verdict,
            fact_checks=context.fact_checks.get(claim.start, ()),
            background=context.background.get(claim.start, ()),
        )
        step("checking claims", len(checked), len(to_check))
    step("writing the report", len(to_check), len(to_check))
    notes += _unknowns(article, index)
    verdicts = [checked.get(c.start) or decide_verdict(c, [], over_budget=c.checkworthy) for c in found_claims.claims]
    sources = tuple(article_source(r, names) for r in rewordings)
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


def _judged(
    claim: Claim, query: Query, passages: list[Passage], index: Index, own: Own, names: OutletNames
) -> ClaimVerdict:
    """The verdict on one claim: its independent passages judged, the excluded ones said why."""
    counted, excluded = independent(passages, index, own=own, names=names)
    ids = [c.passage.passage_id for c in counted]
    judged = judge_stances(
        claim,
        query.vector,
        [c.passage for c in counted],
        index.passage_vectors(ids),
        claim_date=query.date,
        crosslingual=crosslingual_similarity(index, query, ids),
    )
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
    if index.is_empty():  # not stats(): its counts scan the whole index
        notes.append("The index is empty: no claim could find evidence (run twosource ingest).")
    return notes


def store_report(report: Report, index: Riders) -> dict[str, Any]:
    """Save the report's JSON in the index, where ``serve`` finds it by id; return that JSON."""
    document = report_to_dict(report)
    index.save_report(report.id, json.dumps(document, ensure_ascii=False))
    return document
