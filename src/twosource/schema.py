"""The report as JSON: the one place dataclasses become the versioned, documented schema.

The schema is described in ``docs/report-schema.md`` and, machine-readably, in
``report/report.schema.json``. Bump the major version on any change a reader would notice.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .types import Claim, ClaimVerdict, Evidence, Report

SCHEMA_VERSION = "1.0"


def report_to_dict(report: Report) -> dict[str, Any]:
    """Return the report as plain JSON-ready data."""
    a = report.article
    return {
        "schema_version": report.schema_version,
        "id": report.id,
        "created": report.created,
        "index": report.index,
        "article": {
            "title": a.title,
            "outlet": a.outlet,
            "author": a.author,
            "published": a.published,
            "url": a.url,
            "origin": a.origin,
            "text": a.text,
        },
        "summary": {
            "counts": report.summary.counts,
            "claims_total": report.summary.claims_total,
            "checkworthy": report.summary.checkworthy,
            "independent_outlets": list(report.summary.independent_outlets),
            "named_sources": [asdict(s) for s in report.summary.named_sources],
            "removed": [asdict(r) for r in report.summary.removed],
        },
        "claims": [_verdict(v) for v in report.verdicts],
        "notes": list(report.notes),
    }


def _claim(c: Claim) -> dict[str, Any]:
    return {
        "text": c.text,
        "start": c.start,
        "end": c.end,
        "kind": c.kind.value,
        "checkworthy": c.checkworthy,
        "score": c.score,
        "speaker": c.speaker or None,
        "quantities": [asdict(q) for q in c.quantities],
        "dates": [asdict(d) for d in c.dates],
        "entities": [asdict(e) for e in c.entities],
        "cues": list(c.cues),
    }


def _verdict(v: ClaimVerdict) -> dict[str, Any]:
    return {
        **_claim(v.claim),
        "verdict": v.verdict.value,
        "confidence": v.confidence,
        "supporting_outlets": list(v.supporting_outlets),
        "refuting_outlets": list(v.refuting_outlets),
        "evidence": [_evidence(e) for e in v.evidence],
        "excluded": list(v.excluded),
    }


def _evidence(e: Evidence) -> dict[str, Any]:
    p = e.passage
    return {
        "outlet": p.outlet,
        "counted_as": e.independent_outlet,
        "published": p.published,
        "title": p.title,
        "url": p.url or None,
        "article_id": p.article_id,
        "cluster_id": p.cluster_id,
        "passage": p.text,
        "stance": e.stance.value,
        "stance_score": e.stance_score,
        "reason": e.reason,
        "retrieval": {"score": p.score, "lexical": p.lexical, "dense": p.dense},
        "numeric": asdict(e.numeric) if e.numeric else None,
    }
