"""The report as JSON: the one place dataclasses become the versioned, documented schema.

The schema is described in ``docs/report-schema.md`` and, machine-readably, in
``report/report.schema.json``. The major version changes on any change a reader would notice (a field
removed or renamed, a meaning changed); adding a field bumps the minor version. ``report_from_dict`` reads
every minor version of its major one: a field an older document lacks reads as empty.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .types import (
    Article,
    ArticleSource,
    Background,
    Claim,
    ClaimKind,
    ClaimPart,
    ClaimVerdict,
    DateMention,
    Entity,
    Evidence,
    FactCheck,
    NamedSource,
    NumericComparison,
    PartStance,
    PartVerdict,
    Passage,
    Quantity,
    Removal,
    Report,
    Stance,
    Summary,
    Verdict,
)

SCHEMA_VERSION = "1.5"
#: The major version ``report_from_dict`` reads, any minor one of it.
_READABLE_MAJOR = SCHEMA_VERSION.split(".")[0]


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
            "outlets_by_language": report.summary.outlets_by_language,
            "named_sources": [asdict(s) for s in report.summary.named_sources],
            "removed": [asdict(r) for r in report.summary.removed],
            "sources": [_source(x) for x in report.summary.sources],
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
        "fact_checks": [asdict(f) for f in v.fact_checks],
        "background": [asdict(b) for b in v.background],
        "note": v.note,
        "parts": _parts(v),
        "unbacked_words": list(v.unbacked_words),
    }


def _parts(v: ClaimVerdict) -> list[dict[str, Any]]:
    """A compound claim's parts, each with its verdict when it was judged."""
    judged = {p.part: p for p in v.parts}
    rows = []
    for part in v.claim.parts:
        verdict = judged.get(part)
        rows.append(
            {
                **asdict(part),
                "verdict": verdict.verdict.value if verdict else None,
                "supporting_outlets": list(verdict.supporting_outlets) if verdict else [],
                "refuting_outlets": list(verdict.refuting_outlets) if verdict else [],
            }
        )
    return rows


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
        "language": p.language,
        "stance": e.stance.value,
        "stance_score": e.stance_score,
        "reason": e.reason,
        "retrieval": {"score": p.score, "lexical": p.lexical, "dense": p.dense},
        "numeric": asdict(e.numeric) if e.numeric else None,
        "role": "article-source" if e.source else "independent",
        "parts": [asdict(p) for p in e.parts],
    }


def _source(x: ArticleSource) -> dict[str, Any]:
    return {
        "outlet": x.outlet,
        "title": x.title,
        "url": x.url or None,
        "published": x.published,
        "article_id": x.article_id,
        "cluster_id": x.cluster_id,
        "sentences": [{"article": mine, "source": theirs} for mine, theirs in x.pairs],
    }


def report_from_dict(data: dict[str, Any]) -> Report:
    """Return the Report a stored report's JSON describes (the inverse of ``report_to_dict``).

    Passage ids are not in the schema; rebuilt passages carry 0. A document of an earlier minor version is
    read as the current one (minor versions only add fields): its report carries ``SCHEMA_VERSION`` and empty
    values for the fields it lacks, so it serialises back to a valid current document.
    """
    version = data["schema_version"]
    if version.split(".")[0] != _READABLE_MAJOR:
        raise ValueError(f"report schema {version} is not readable: this twosource reads {_READABLE_MAJOR}.x")
    a, s = data["article"], data["summary"]
    removed = tuple(Removal(**r) for r in s["removed"])
    return Report(
        id=data["id"],
        article=Article(
            text=a["text"],
            title=a["title"],
            outlet=a["outlet"],
            author=a["author"],
            published=a["published"],
            url=a["url"],
            removed=removed,
            origin=a["origin"],
        ),
        verdicts=tuple(_verdict_from(v) for v in data["claims"]),
        summary=Summary(
            counts=s["counts"],
            claims_total=s["claims_total"],
            checkworthy=s["checkworthy"],
            independent_outlets=tuple(s["independent_outlets"]),
            named_sources=tuple(NamedSource(**n) for n in s["named_sources"]),
            removed=removed,
            sources=tuple(_source_from(x) for x in s.get("sources", ())),  # not in 1.0 and 1.1 documents
            outlets_by_language=s.get("outlets_by_language", {}),  # not before 1.5
        ),
        index=data["index"],
        created=data["created"],
        schema_version=SCHEMA_VERSION,
        notes=tuple(data["notes"]),
    )


def _verdict_from(v: dict[str, Any]) -> ClaimVerdict:
    claim = Claim(
        text=v["text"],
        start=v["start"],
        end=v["end"],
        kind=ClaimKind(v["kind"]),
        checkworthy=v["checkworthy"],
        score=v["score"],
        quantities=tuple(Quantity(**q) for q in v["quantities"]),
        dates=tuple(DateMention(**d) for d in v["dates"]),
        entities=tuple(Entity(**e) for e in v["entities"]),
        speaker=v["speaker"] or "",
        cues=tuple(v["cues"]),
        parts=tuple(ClaimPart(p["text"], p["start"], p["end"]) for p in v.get("parts", ())),  # not before 1.4
    )
    return ClaimVerdict(
        claim=claim,
        verdict=Verdict(v["verdict"]),
        confidence=v["confidence"],
        evidence=tuple(_evidence_from(e) for e in v["evidence"]),
        supporting_outlets=tuple(v["supporting_outlets"]),
        refuting_outlets=tuple(v["refuting_outlets"]),
        excluded=tuple(v["excluded"]),
        # Not in 1.0 documents.
        fact_checks=tuple(FactCheck(**f) for f in v.get("fact_checks", ())),
        background=tuple(Background(**b) for b in v.get("background", ())),
        note=v.get("note", ""),  # not in 1.0 and 1.1 documents
        parts=tuple(
            PartVerdict(part, Verdict(p["verdict"]), tuple(p["supporting_outlets"]), tuple(p["refuting_outlets"]))
            for part, p in zip(claim.parts, v.get("parts", ()), strict=True)
            if p["verdict"]
        ),
        unbacked_words=tuple(v.get("unbacked_words", ())),
    )


def _evidence_from(e: dict[str, Any]) -> Evidence:
    passage = Passage(
        article_id=e["article_id"],
        passage_id=0,
        outlet=e["outlet"],
        published=e["published"],
        title=e["title"],
        url=e["url"] or "",
        text=e["passage"],
        cluster_id=e["cluster_id"],
        language=e.get("language", "en"),  # not before 1.5
        **e["retrieval"],
    )
    numeric = NumericComparison(**e["numeric"]) if e["numeric"] else None
    source = e.get("role") == "article-source"  # not in 1.0 and 1.1 documents
    parts = tuple(PartStance(Stance(p["stance"]), p["reason"]) for p in e.get("parts", ()))  # not before 1.4
    return Evidence(
        passage, Stance(e["stance"]), e["stance_score"], e["counted_as"], numeric, e["reason"], source, parts
    )


def _source_from(x: dict[str, Any]) -> ArticleSource:
    pairs = tuple((p["article"], p["source"]) for p in x["sentences"])
    return ArticleSource(
        x["article_id"], x["cluster_id"], x["outlet"], x["title"], x["url"] or "", x["published"], pairs
    )
