"""A self-contained HTML report: the article with claims highlighted by verdict, the evidence under each.

No scripts and no external resources. Every piece of article and evidence text is escaped: it is untrusted.
"""

from __future__ import annotations

import re
from html import escape

from ..types import Claim, ClaimVerdict, Evidence, Report, Verdict
from . import VERDICT_LABELS

_CSS = """
:root{--ink:#1d232a;--muted:#5b6570;--line:#dde2e7;--bg:#fbfbfa;--ok:#1f7a45;--one:#9a6b00;--bad:#b3261e;
--mixed:#7b3fa0;--none:#6b7280;font:17px/1.6 Georgia,'Iowan Old Style',serif;color:var(--ink);background:var(--bg)}
body{margin:0}main{max-width:46rem;margin:0 auto;padding:1.5rem 1rem 4rem}
h1{font-size:1.7rem;line-height:1.25;margin:.2rem 0}h2{font:600 1.1rem system-ui,sans-serif;margin:2.2rem 0 .6rem}
.meta,.small,summary,.bar,.ev-head{font-family:system-ui,sans-serif;font-size:.85rem;color:var(--muted)}
.bar{display:flex;flex-wrap:wrap;gap:.4rem;margin:1rem 0}.pill{border-radius:1rem;padding:.15rem .6rem;color:#fff}
.v-corroborated{--c:var(--ok)}.v-single-source{--c:var(--one)}.v-contradicted{--c:var(--bad)}
.v-disputed{--c:var(--mixed)}.v-no-evidence{--c:var(--none)}.pill{background:var(--c)}
mark{background:color-mix(in srgb,var(--c) 16%,transparent);border-bottom:2px solid var(--c);color:inherit;
padding:0 .1em}
mark a{color:inherit;text-decoration:none}mark a:focus{outline:2px solid var(--c)}
.k-opinion,.k-prediction{border-bottom:1px dotted var(--muted)}
.claim{border-left:4px solid var(--c);padding:.2rem 0 .2rem .9rem;margin:1.2rem 0}
.claim h3{font:600 .95rem system-ui,sans-serif;margin:0;color:var(--c)}.claim blockquote{margin:.3rem 0}
.ev{border-top:1px solid var(--line);padding:.5rem 0}.ev p{margin:.2rem 0;font-size:.92rem}
.s-supports{color:var(--ok)}.s-refutes{color:var(--bad)}.s-discusses{color:var(--muted)}
.num{font-family:system-ui,sans-serif;font-size:.85rem;background:#f0f2f4;padding:.2rem .4rem;border-radius:.3rem}
ul.plain{padding-left:1.1rem}@media (max-width:34rem){:root{font-size:16px}h1{font-size:1.4rem}}
"""


def render_html(report: Report, links: tuple[tuple[str, str], ...] = ()) -> str:
    """Return the report as one HTML document with inline styles and no scripts.

    ``links`` (label, same-site URL) go in a bar at the top: ``serve`` puts its downloads there.
    """
    a = report.article
    checked = [v for v in report.verdicts if v.verdict is not Verdict.NOT_CHECKED]
    numbers = {id(v.claim): n for n, v in enumerate(checked, start=1)}
    meta = " · ".join(escape(x) for x in (a.outlet, a.author, a.published or "", a.url) if x)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>twosource: {escape(a.title or 'report')}</title><style>{_CSS}</style></head><body><main>",
        f"<p class='meta'>twosource report · {escape(report.created)} · schema {escape(report.schema_version)}</p>",
        _links(links),
        f"<h1>{escape(a.title or '(untitled article)')}</h1><p class='meta'>{meta}</p>",
        *(f"<p class='small'><strong>Note:</strong> {escape(note)}</p>" for note in report.notes),
        _summary(report),
        "<h2>The article</h2>",
        "<p class='small'>Highlighted: checked claims in their verdict's colour (the number leads to the evidence);"
        " dotted: opinions and predictions, listed but never checked.</p>",
        _article(report, numbers),
        "<h2>Checked claims</h2>",
        *(_claim_block(n, v) for n, v in enumerate(checked, start=1)),
        _named_sources(report),
        _removed(report),
        "</main></body></html>",
    ]
    return "\n".join(parts)


def _links(links: tuple[tuple[str, str], ...]) -> str:
    if not links:
        return ""
    anchors = " · ".join(f"<a href='{escape(url)}'>{escape(label)}</a>" for label, url in links)
    return f"<nav class='meta' aria-label='downloads'>{anchors}</nav>"


def _summary(report: Report) -> str:
    s = report.summary
    pills = "".join(
        f"<span class='pill v-{v.value}'>{s.counts[v.value]} {escape(VERDICT_LABELS[v].lower())}</span>"
        for v in Verdict
        if v is not Verdict.NOT_CHECKED
    )
    outlets = ", ".join(escape(o) for o in s.independent_outlets) or "none"
    return (
        f"<div class='bar' aria-label='summary'>{pills}</div><p class='small'>{s.checkworthy} check-worthy "
        f"claims among {s.claims_total} sentences. Independent outlets found: {outlets}.</p>"
    )


def _article(report: Report, numbers: dict[int, int]) -> str:
    text = report.article.text
    claims = sorted((v for v in report.verdicts), key=lambda v: v.claim.start)
    out, cursor = [], 0
    for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text):
        para_start, para_end = m.span()
        pieces = []
        cursor = para_start
        for v in claims:
            c = v.claim
            if c.start < para_start or c.end > para_end:
                continue
            pieces.append(escape(text[cursor : c.start]))
            pieces.append(_highlight(v, numbers.get(id(c))))
            cursor = c.end
        pieces.append(escape(text[cursor:para_end]))
        out.append(f"<p>{''.join(pieces)}</p>")
    return "\n".join(out)


def _highlight(v: ClaimVerdict, number: int | None) -> str:
    sentence = escape(v.claim.text)
    if number is None:
        kind = v.claim.kind.value
        return f"<span class='k-{kind}' title='{kind}, not checked'>{sentence}</span>"
    label = escape(VERDICT_LABELS[v.verdict])
    return (
        f"<mark class='v-{v.verdict.value}' title='{label}'><a href='#claim-{number}'>{sentence}"
        f"<sup>{number}</sup></a></mark>"
    )


def _claim_block(n: int, v: ClaimVerdict) -> str:
    c = v.claim
    evidence = "".join(_evidence(e) for e in v.evidence) or "<p class='small'>No related passage found.</p>"
    excluded = ""
    if v.excluded:
        items = "".join(f"<li>{escape(x)}</li>" for x in v.excluded)
        excluded = (
            f"<details><summary>{len(v.excluded)} passages set aside</summary>"
            f"<ul class='plain small'>{items}</ul></details>"
        )
    return (
        f"<section class='claim v-{v.verdict.value}' id='claim-{n}'>"
        f"<h3>{n}. {escape(VERDICT_LABELS[v.verdict])} · confidence {v.confidence:.2f}</h3>"
        f"<blockquote>{escape(c.text)}</blockquote><p class='small'>{_facts(c)}</p>"
        f"<details open><summary>Evidence ({len(v.evidence)})</summary>{evidence}</details>{excluded}</section>"
    )


def _facts(c: Claim) -> str:
    facts = [escape(c.kind.value)]
    if c.speaker:
        facts.append(f"speaker: {escape(c.speaker)}")
    facts += [f"{escape(q.text)} = {q.value:,.0f} {escape(q.kind)}" for q in c.quantities]
    facts += [f"date: {escape(d.value)}" for d in c.dates]
    return " · ".join(facts)


def _evidence(e: Evidence) -> str:
    p = e.passage
    title = escape(p.title or "untitled")
    if p.url.startswith(("http://", "https://")):
        title = f"<a href='{escape(p.url, quote=True)}' rel='noopener noreferrer'>{title}</a>"
    counted = f" (counted as {escape(e.independent_outlet)})" if e.independent_outlet != p.outlet else ""
    numeric = ""
    if e.numeric:
        n = e.numeric
        verdict = "agree" if n.agrees else "differ"
        numeric = (
            f"<p class='num'>Claim: {escape(n.claim_figure)} · evidence: {escape(n.evidence_figure)} · "
            f"{escape(n.kind)} {verdict} (difference {n.relative_difference:.0%}, tolerance {n.tolerance:.0%})"
            f"{' · ' + escape(n.note) if n.note else ''}</p>"
        )
    return (
        f"<div class='ev'><p class='ev-head'><strong class='s-{e.stance.value}'>{escape(e.stance.value)}</strong>"
        f" · {escape(p.outlet)}{counted} · {escape(p.published or 'undated')} · {title}</p>"
        f"<p class='small'>{escape(e.reason)}</p>{numeric}<p>“{escape(p.text)}”</p></div>"
    )


def _named_sources(report: Report) -> str:
    named = report.summary.named_sources
    if not named:
        return "<h2>Sources the article names</h2><p class='small'>None.</p>"
    items = "".join(
        f"<li>{escape(s.name)} <span class='small'>({escape(s.how)}) — "
        f"{'found among the evidence' if s.found_in_evidence else 'not among the evidence'}</span></li>"
        for s in named
    )
    return f"<h2>Sources the article names</h2><ul class='plain'>{items}</ul>"


def _removed(report: Report) -> str:
    items = "".join(
        f"<li><span class='small'>{escape(r.reason)}:</span> {escape(r.text[:200])}</li>"
        for r in report.summary.removed
    )
    return (
        f"<h2>Stripped from the page</h2><details><summary>{len(report.summary.removed)} lines of page "
        f"furniture</summary><ul class='plain'>{items}</ul></details>"
    )
