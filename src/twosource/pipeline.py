"""check(): read -> claims -> retrieve -> independence -> stance -> verdict, wired together; no logic of its own."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .claims import find_claims
from .independence import independent
from .index.base import Index
from .index.dedup import content_hash
from .models import embed
from .retrieve import Query, claim_query_text, search
from .schema import SCHEMA_VERSION, report_to_dict
from .stance import judge_stances
from .types import Article, ClaimVerdict, Evidence, Report
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
    progress: Callable[[str, int, int], None] | None = None,
    live: LiveSources | None = None,
) -> Report:
    """Return the corroboration report for ``article`` against ``index``; ``progress(stage, done, total)``
    is called as it goes. ``live``: the live services to ask as well (GDELT's articles are cached into the
    index first; fact-checks and Wikipedia background go beside the evidence); None asks none."""
    step = progress or (lambda stage, done, total: None)
    step("finding claims", 0, 0)
    claims = find_claims(article)
    to_check = [c for c in claims if c.checkworthy]
    notes = []
    if live and live.gdelt:
        from .live.gather import cache_news

        step("asking GDELT for news", 0, 0)
        notes += cache_news(to_check, article, index, live)
    step("checking claims", 0, len(to_check))
    vectors = embed([c.text for c in to_check])
    # The checked article, or any copy of it in the index, is never its own evidence (independence rule 3).
    copies = [stored for stored, _ in index.find_copies(article.text)]
    own_articles = {c.id for c in copies}
    own_clusters = {c.cluster_id for c in copies}
    checked: dict[int, ClaimVerdict] = {}
    for claim, vector in zip(to_check, vectors, strict=True):
        query = Query(claim_query_text(claim), vector, article.published, claim.quantities)
        found = search(index, query, candidates)
        counted, excluded = independent(
            found, index, own_outlet=article.outlet, own_articles=own_articles, own_clusters=own_clusters
        )
        passage_vectors = index.passage_vectors([c.passage.passage_id for c in counted])
        judged = judge_stances(
            claim, vector, [c.passage for c in counted], passage_vectors, claim_date=article.published
        )
        evidence = [
            Evidence(item.passage, stance, score, item.outlet, numeric, reason)
            for item, (stance, score, numeric, reason) in zip(counted, judged, strict=True)
        ]
        checked[claim.start] = decide_verdict(claim, evidence, excluded)
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
    if not article.outlet:
        notes.append("The article's outlet is unknown, so its own outlet could not be excluded (give --outlet).")
    if not article.published:
        notes.append("The article's date is unknown, so evidence was not weighted by date (give --date).")
    if not index.stats().articles:
        notes.append("The index is empty: no claim could find evidence (run twosource ingest).")
    verdicts = [checked.get(c.start) or decide_verdict(c, []) for c in claims]
    created = datetime.now(UTC).isoformat(timespec="seconds")
    report_id = hashlib.sha256(f"{content_hash(article.text)} {index.location} {created}".encode()).hexdigest()[:16]
    return Report(
        id=report_id,
        article=article,
        verdicts=tuple(verdicts),
        summary=summarize(article, verdicts),
        index=index.location,
        created=created,
        schema_version=SCHEMA_VERSION,
        notes=tuple(notes),
    )


def store_report(report: Report, index: Index) -> dict[str, Any]:
    """Save the report's JSON in the index, where ``serve`` finds it by id; return that JSON."""
    document = report_to_dict(report)
    index.save_report(report.id, json.dumps(document, ensure_ascii=False))
    return document
