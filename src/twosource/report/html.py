"""A self-contained HTML report: the article with claims highlighted by verdict, the evidence under each.

No scripts and no external resources: a claim's evidence sits in a closed ``<details>``, and the claim's
highlight in the article links to an element inside it, which the browser opens on fragment navigation.
Every piece of article and evidence text is escaped: it is untrusted.
"""

from __future__ import annotations

import re
from collections import Counter
from html import escape

from ..read.language import RIGHT_TO_LEFT, language_name
from ..types import (
    ArticleSource,
    Background,
    Claim,
    ClaimVerdict,
    Evidence,
    FactCheck,
    NumericComparison,
    Report,
    Verdict,
)
from ..words import content_words, plural, words
from .labels import STANCE_VERBS, SURE_OF, VERDICT_LABELS, languages_line, part_outlets
from .timeline import timeline

_CSS = """
:root{--ink:#1d232a;--muted:#5b6570;--line:#dde2e7;--bg:#fbfbfa;--card:#fff;--focus:#1a5fb4;--ok:#1f7a45;
--one:#8a5d00;--bad:#b3261e;--mixed:#7b3fa0;--part:#a8420d;--none:#6b7280;--hit:#fff0a8;
--sans:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;
font:17px/1.6 Georgia,'Iowan Old Style','Times New Roman',serif;color:var(--ink);background:var(--bg)}
body{margin:0}main{max-width:46rem;margin:0 auto;padding:1.5rem 1rem 4rem;overflow-wrap:anywhere}
a{color:var(--focus)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px;border-radius:2px}
h1{font-size:1.75rem;line-height:1.25;margin:.3rem 0}
h2{font:650 .8rem var(--sans);text-transform:uppercase;letter-spacing:.06em;color:var(--muted);
margin:2.4rem 0 .7rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
.meta,.small,.bar,summary,.ev-head,.num,.legend{font-family:var(--sans);font-size:.85rem;color:var(--muted)}
.meta{margin:.2rem 0}
.v-corroborated{--c:var(--ok)}.v-single-source{--c:var(--one)}.v-contradicted{--c:var(--bad)}
.v-disputed{--c:var(--mixed)}.v-partly-contradicted{--c:var(--part)}.v-no-evidence{--c:var(--none)}
.parts{font-family:var(--sans);font-size:.85rem;margin:.3rem 0 .6rem;padding-left:1.1rem}
.parts .part-verdict{color:var(--c);font-weight:600}
.overview{background:var(--card);border:1px solid var(--line);border-radius:.6rem;padding:.9rem 1rem;margin:1.2rem 0}
.bar{display:flex;flex-wrap:wrap;gap:.4rem;margin:0 0 .6rem}
.pill{border-radius:1rem;padding:.15rem .65rem;color:#fff;background:var(--c);font-weight:600}
.pill.zero{background:none;color:var(--muted);box-shadow:inset 0 0 0 1px var(--line);font-weight:400}
.overview p{margin:.3rem 0}
.timeline{margin-top:.8rem}.timeline svg{display:block;width:100%;max-width:34rem;height:auto;margin:.2rem 0}
.timeline text{font:13px var(--sans);fill:var(--muted)}.timeline .axis{stroke:#9aa3ad;stroke-width:1}
.timeline line.article{stroke:var(--ink);stroke-width:1.5;stroke-dasharray:3 2}.timeline text.article{fill:var(--ink)}
.timeline circle{stroke:#fff;stroke-width:1;fill-opacity:.85}
circle.s-supports{fill:var(--ok)}circle.s-refutes{fill:var(--bad)}
circle.s-discusses,circle.s-unrelated{fill:#8b95a1}
.legend{display:flex;flex-wrap:wrap;gap:.2rem .9rem}.key::before{content:'';display:inline-block;width:.6rem;
height:.6rem;border-radius:50%;margin-right:.3rem;background:#8b95a1}
.key.s-supports::before{background:var(--ok)}.key.s-refutes::before{background:var(--bad)}
.key.article::before{width:0;height:.8rem;border-radius:0;border-left:2px dashed var(--ink);vertical-align:-.1rem}
.article-text mark{background:color-mix(in srgb,var(--c) 15%,transparent);border-bottom:2px solid var(--c);
color:inherit;padding:0 .1em;scroll-margin-top:6rem}
.article-text mark a{color:inherit;text-decoration:none}.article-text mark:hover{background:
color-mix(in srgb,var(--c) 28%,transparent)}.article-text mark:target{outline:2px solid var(--c);outline-offset:2px}
.article-text sup{font:700 .65rem var(--sans);color:var(--c);margin-left:.1em}
.k-opinion,.k-prediction{border-bottom:1px dotted var(--muted)}
.claim{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--c);border-radius:.5rem;
margin:.8rem 0}
.claim:has(:target){box-shadow:0 0 0 3px color-mix(in srgb,var(--c) 35%,transparent)}
.claim>details>summary{list-style:none;cursor:pointer;padding:.6rem .9rem;border-radius:.4rem}
.claim>details>summary::-webkit-details-marker{display:none}
.claim>details>summary:hover{background:color-mix(in srgb,var(--c) 6%,transparent)}
.claim h3{font:650 .95rem var(--sans);margin:0;color:var(--c)}.claim h3 .conf{color:var(--muted);font-weight:400}
.preview{font:1rem/1.5 Georgia,serif;color:var(--ink);margin:.2rem 0;display:-webkit-box;-webkit-line-clamp:2;
-webkit-box-orient:vertical;overflow:hidden}
details[open] .preview{display:none}
.count{color:var(--focus)}.count::before{content:'▸';display:inline-block;width:1rem;text-align:center;
transition:transform .15s}
details[open]>summary .count::before{transform:rotate(90deg)}
.claim-body{padding:0 .9rem .6rem;scroll-margin-top:5rem}
.claim blockquote{margin:.2rem 0 .4rem;font-size:1.02rem}
.ev{border-top:1px solid var(--line);padding:.6rem 0}.ev p{margin:.2rem 0}
.ev-title{font-size:.95rem;font-weight:600}.ev-title a{color:inherit}
.stance{display:inline-block;font-weight:650;padding:0 .45rem;border-radius:.3rem;margin-right:.3rem;
color:#fff;background:#6b7280}
.s-supports .stance{background:var(--ok)}.s-refutes .stance{background:var(--bad)}
.passage{margin:.3rem 0;padding-left:.7rem;border-left:3px solid var(--line);font-size:.95rem}
mark.hit{background:var(--hit);color:inherit;border-radius:2px;padding:0 .05em}
.num{background:#f1f3f5;padding:.25rem .5rem;border-radius:.3rem}
.num .agree{color:var(--ok)}.num .differ{color:var(--bad)}
.why{font-family:var(--sans);font-size:.8rem;color:var(--muted)}
ul.plain{padding-left:1.1rem}
.aside{border-top:1px solid var(--line);margin-top:.4rem;padding-top:.2rem}
.aside h4{font:650 .8rem var(--sans);text-transform:uppercase;letter-spacing:.05em;color:var(--muted);margin:.5rem 0 0}
.fc,.bg{padding:.4rem 0}.fc p,.bg p{margin:.2rem 0}
.rating{display:inline-block;font-weight:650;padding:0 .45rem;border-radius:.3rem;margin-right:.3rem;
box-shadow:inset 0 0 0 1px var(--muted);color:var(--ink)}
@media (max-width:34rem){:root{font-size:16px}main{padding:1rem .8rem 3rem}h1{font-size:1.4rem}
.overview{padding:.7rem}.timeline text{font-size:17px}.claim>details>summary{padding:.5rem .7rem}
.claim-body{padding:0 .7rem .5rem}}
"""

#: A word or a figure ("200,000", "6.5"): the stretches of a passage that can be marked.
_TOKEN = re.compile(r"\d[\d,.]*\d|\w+(?:['’]\w+)*")


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
        _summary(report, checked),
        "<h2>The article</h2>",
        "<p class='small'>Highlighted: checked claims in their verdict's colour; select one to open its evidence."
        " Dotted: opinions and predictions, listed but never checked.</p>",
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


def _summary(report: Report, checked: list[ClaimVerdict]) -> str:
    s = report.summary
    pills = "".join(
        f"<span class='pill v-{v.value}{'' if s.counts[v.value] else ' zero'}'>"
        f"{s.counts[v.value]} {escape(VERDICT_LABELS[v].lower())}</span>"
        for v in Verdict
        if v is not Verdict.NOT_CHECKED
    )
    outlets = ", ".join(escape(o) for o in s.independent_outlets) or "none"
    by_language = languages_line(s.outlets_by_language)
    if by_language:
        outlets += f" (by language: {escape(by_language)})"
    reviewed = [v for v in checked if v.fact_checks]
    fact_checks = (
        f"<p class='small'>{plural(sum(len(v.fact_checks) for v in reviewed), 'existing fact-check')} found for "
        f"{plural(len(reviewed), 'claim')}: beside the evidence, not counted in it.</p>"
        if reviewed
        else ""
    )
    return (
        f"<section class='overview' aria-label='summary'><div class='bar'>{pills}</div>"
        f"<p class='small'>{s.checkworthy} check-worthy claims among {s.claims_total} sentences.</p>"
        f"<p class='small'><strong>{plural(len(s.independent_outlets), 'independent outlet')} found:</strong> "
        f"{outlets}.</p>{fact_checks}{_article_sources(s.sources)}"
        f"{timeline(report.article.published, checked)}</section>"
    )


def _article_sources(sources: tuple[ArticleSource, ...]) -> str:
    """The texts the article rewords: where its wording comes from, with the sentences side by side."""
    if not sources:
        return ""
    items = []
    for x in sources:
        rows = "".join(
            f"<li><span class='small'>article:</span> {escape(mine)}<br><span class='small'>source:</span> "
            f"{escape(theirs)}</li>"
            for mine, theirs in x.pairs
        )
        items.append(
            f"<li><strong>{escape(x.outlet or 'unknown outlet')}</strong> · {escape(x.published or 'undated')} · "
            f"{web_link(x.title or 'untitled', x.url)}<details><summary>{plural(len(x.pairs), 'sentence')} "
            f"reworded in order</summary><ul class='plain small'>{rows}</ul></details></li>"
        )
    return (
        "<section class='aside' aria-label='the article&#x27;s sources'><h4>Where the article's wording comes from"
        "</h4><p class='small'>Texts the article rewords sentence after sentence: its own sources. Their passages "
        f"are shown with the evidence and never count as independent.</p><ul class='plain'>{''.join(items)}</ul>"
        "</section>"
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
    return f"<div class='article-text'>{''.join(out)}</div>"


def _highlight(v: ClaimVerdict, number: int | None) -> str:
    sentence = escape(v.claim.text)
    if number is None:
        kind = v.claim.kind.value
        return f"<span class='k-{kind}' title='{kind}, not checked'>{sentence}</span>"
    label = escape(VERDICT_LABELS[v.verdict])
    return (
        f"<mark class='v-{v.verdict.value}' id='sentence-{number}' title='{label}'><a href='#claim-{number}'>"
        f"{sentence}<sup>{number}</sup></a></mark>"
    )


def _claim_block(n: int, v: ClaimVerdict) -> str:
    c = v.claim
    evidence = "".join(_evidence(e, c.text) for e in v.evidence) or "<p class='small'>No related passage found.</p>"
    excluded = ""
    if v.excluded:
        items = "".join(f"<li>{escape(x)}</li>" for x in v.excluded)
        excluded = (
            f"<details><summary>{plural(len(v.excluded), 'passage')} set aside as not independent</summary>"
            f"<ul class='plain small'>{items}</ul></details>"
        )
    note = f"<p class='why'><strong>{escape(v.note)}</strong></p>" if v.note else ""
    note += _parts(v)
    confidence = f" <span class='conf'>· confidence {v.confidence:.2f}</span>" if v.verdict in SURE_OF else ""
    facts = _facts(c)
    count = _evidence_count(v.evidence) + (f" · {plural(len(v.fact_checks), 'fact-check')}" if v.fact_checks else "")
    # The claim text shows in the summary while closed; once open it leads the content, which is where the
    # article's link lands, so the claim is on screen after the jump.
    return (
        f"<section class='claim v-{v.verdict.value}'><details><summary>"
        f"<h3>{n}. {escape(VERDICT_LABELS[v.verdict])}{confidence}</h3>"
        f"<span class='preview'>{escape(c.text)}</span><span class='count'>{count}</span>"
        f"</summary><div class='claim-body' id='claim-{n}'><blockquote>{escape(c.text)}</blockquote>"
        f"<p class='small'>{facts} · <a href='#sentence-{n}'>back to the article</a></p>{note}"
        f"{evidence}{excluded}{_fact_checks(v.fact_checks)}{_background(v.background, c.text)}"
        "</div></details></section>"
    )


def _parts(v: ClaimVerdict) -> str:
    """A compound claim's parts with their own verdicts, and the words no supporting passage repeats."""
    items = "".join(
        f"<li class='v-{p.verdict.value}'><q>{escape(p.part.text)}</q> — "
        f"<span class='part-verdict'>{escape(VERDICT_LABELS[p.verdict])}</span>{escape(part_outlets(p))}</li>"
        for p in v.parts
    )
    listed = f"<p class='small'>Its parts, judged one by one:</p><ul class='parts'>{items}</ul>" if items else ""
    if v.unbacked_words:
        listed += f"<p class='small'>Words no supporting passage repeats: {escape(', '.join(v.unbacked_words))}</p>"
    return listed


def _evidence_count(evidence: tuple[Evidence, ...]) -> str:
    if not evidence:
        return "Evidence (0): no related passage found"
    counts = Counter(e.stance for e in evidence)
    parts = ", ".join(f"{counts[s]} {verbs[counts[s] != 1]}" for s, verbs in STANCE_VERBS.items() if counts[s])
    return f"Evidence ({len(evidence)}): {parts}"


def _facts(c: Claim) -> str:
    facts = [escape(c.kind.value)]
    if c.speaker:
        facts.append(f"speaker: {escape(c.speaker)}")
    facts += [f"{escape(q.text)} = {q.value:,.0f} {escape(q.kind)}" for q in c.quantities]
    facts += [f"date: {escape(d.value)}" for d in c.dates]
    return " · ".join(facts)


def _evidence(e: Evidence, claim_text: str) -> str:
    p = e.passage
    counted = f" (counted as {escape(e.independent_outlet)})" if e.independent_outlet != p.outlet else ""
    if e.source:
        counted = " (the article's own source: not counted as independent)"
    numeric = _figures(e.numeric) if e.numeric else ""
    reason = f"<p class='why'>{escape(e.reason)}</p>" if e.reason else ""
    language, shared = "", claim_text
    if p.language != "en":
        # Shown as written, in its language; what it shares with the claim is its names and the figure compared.
        language = f" · in {escape(language_name(p.language))}"
        shared += f" {e.numeric.evidence_figure}" if e.numeric else ""
    direction = " dir='rtl'" if p.language in RIGHT_TO_LEFT else ""
    return (
        f"<div class='ev s-{e.stance.value}'><p class='ev-head'><span class='stance'>{escape(e.stance.value)}</span>"
        f"<strong>{escape(p.outlet)}</strong>{counted} · {escape(p.published or 'undated')}{language}</p>"
        f"<p class='ev-title' lang='{escape(p.language)}'{direction}>{web_link(p.title or 'untitled', p.url)}</p>"
        f"<blockquote class='passage' lang='{escape(p.language)}'{direction}>{_marked(p.text, shared)}</blockquote>"
        f"{numeric}{reason}</div>"
    )


def web_link(text: str, url: str) -> str:
    """Return ``text`` escaped, linked to ``url`` only when that is a web address: a ``javascript:`` or
    ``data:`` URL in untrusted text stays text."""
    shown = escape(text)
    if url.lower().startswith(("http://", "https://")):
        return f"<a href='{escape(url, quote=True)}' rel='noopener noreferrer'>{shown}</a>"
    return shown


def _fact_checks(found: tuple[FactCheck, ...]) -> str:
    if not found:
        return ""
    items = "".join(_fact_check(f) for f in found)
    return (
        "<section class='aside' aria-label='existing fact-checks'><h4>Existing fact-checks</h4>"
        "<p class='why'>Published reviews of similar claims by fact-checkers: not counted as sources, "
        f"not part of the verdict.</p>{items}</section>"
    )


def _fact_check(f: FactCheck) -> str:
    publisher = escape(f.publisher or f.publisher_site or "unknown publisher")
    site = (
        f" ({escape(f.publisher_site)})" if f.publisher and f.publisher_site and f.publisher_site != f.publisher else ""
    )
    claimant = f" — {escape(f.claimant)}" if f.claimant else ""
    claimed = f", {escape(f.claim_date)}" if f.claim_date else ""
    reviewed = f" · reviewed {escape(f.review_date)}" if f.review_date else ""
    return (
        f"<div class='fc'><p class='ev-head'><span class='rating'>{escape(f.rating or 'no rating')}</span>"
        f"<strong>{publisher}</strong>{site}{reviewed}</p>"
        f"<p class='ev-title'>{web_link(f.title or 'untitled', f.url)}</p>"
        f"<p class='small'>Claim reviewed: “{escape(f.claim_text)}”{claimant}{claimed}</p></div>"
    )


def _background(found: tuple[Background, ...], claim_text: str) -> str:
    if not found:
        return ""
    items = "".join(
        f"<div class='bg'><p class='ev-title'>{web_link(b.title or 'untitled', b.url)} <span class='small'>"
        f"{escape(b.source)}</span></p><blockquote class='passage'>{_marked(b.text, claim_text)}</blockquote></div>"
        for b in found
    )
    return (
        "<section class='aside' aria-label='background'><h4>Background — encyclopedic, not counted as a source</h4>"
        f"{items}</section>"
    )


def _figures(n: NumericComparison) -> str:
    outcome = (
        f"<strong class='agree'>agree</strong> ({n.relative_difference:.0%} apart, tolerance {n.tolerance:.0%})"
        if n.agrees
        else f"<strong class='differ'>differ by {n.relative_difference:.0%}</strong> (tolerance {n.tolerance:.0%})"
    )
    note = f" · {escape(n.note)}" if n.note else ""
    return (
        f"<p class='num'>Figures ({escape(n.kind)}): claim {escape(n.claim_figure)} · "
        f"evidence {escape(n.evidence_figure)} · {outcome}{note}</p>"
    )


def _marked(passage: str, claim: str) -> str:
    """Return ``passage`` escaped, with the content words and figures it shares with ``claim`` marked."""

    def terms(token: str) -> set[str]:
        # Figures compare without their thousands separators; words as the stance model compares them.
        return {token.replace(",", "")} if token[0].isdigit() else set(content_words(words(token)))

    shared = {t for m in _TOKEN.finditer(claim) for t in terms(m.group())}
    out, cursor = [], 0
    for m in _TOKEN.finditer(passage):
        if terms(m.group()) & shared:
            out.append(f"{escape(passage[cursor : m.start()])}<mark class='hit'>{escape(m.group())}</mark>")
            cursor = m.end()
    out.append(escape(passage[cursor:]))
    return "".join(out)


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
