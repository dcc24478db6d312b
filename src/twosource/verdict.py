"""The verdict stage: evidence to a verdict per claim, and the article's summary.

corroborated   two or more independent outlets support, none refutes
single-source  exactly one independent outlet supports, none refutes; or only the article's own source does
contradicted   independent outlets refute, none supports
disputed       some independent outlets support and others refute
partly-        a compound claim ("200,000 dead, most of them civilians") one part of which independent outlets
contradicted   contradict while another is supported: each part is judged on its own (``claims.parts``)
no-evidence    nothing related found that counts: no confidence (0), but a note of how much was searched and how
               close the nearest passage came

The article's own source (a text it rewords, DESIGN.md rule 5) is shown with the evidence but never counts as an
independent outlet in support: a claim it alone supports rests on one source, and the verdict says so. Its
refutation does count: an article contradicted by the text it rewords has misread it.
"""

from __future__ import annotations

from collections import Counter

from .sentences import split_sentences
from .sources import match_sources, named_sources
from .stance import SAME_EVENT_FROM
from .types import Article, ArticleSource, Claim, ClaimVerdict, Evidence, PartVerdict, Stance, Summary, Verdict
from .words import content_words, plural, words

#: Evidence shown per claim (unrelated passages are never shown).
SHOWN = 6


def decide_verdict(
    claim: Claim, evidence: list[Evidence], excluded: list[str] | None = None, *, over_budget: bool = False
) -> ClaimVerdict:
    """Return the verdict on one claim from its (already independence-filtered) evidence; ``over_budget``: a
    check-worthy claim left unchecked because more check-worthy claims were checked (its note says so)."""
    if over_budget:
        note = "Not checked: more check-worthy claims of this article came first (raise --max-claims)."
        return ClaimVerdict(claim=claim, verdict=Verdict.NOT_CHECKED, confidence=0.0, note=note)
    if not claim.checkworthy:
        return ClaimVerdict(claim=claim, verdict=Verdict.NOT_CHECKED, confidence=0.0)
    related = sorted((e for e in evidence if e.stance is not Stance.UNRELATED), key=_rank)
    support = _outlets([e for e in related if not e.source], Stance.SUPPORTS)
    refute = _outlets(related, Stance.REFUTES)
    from_source = _outlets([e for e in related if e.source], Stance.SUPPORTS)
    note = ""
    if from_source and not support:
        note = (
            f"Only the article's own source supports it: {', '.join(from_source)}, whose sentences the article "
            "rewords. No independent outlet does."
        )
    elif from_source:
        note = f"{', '.join(from_source)}, the article's own source, supports it too; it is not counted."
    parts = _part_verdicts(claim, related)
    contradicted = [p for p in parts if p.verdict is Verdict.CONTRADICTED]
    backed = [p for p in parts if p.verdict in (Verdict.CORROBORATED, Verdict.SINGLE_SOURCE)]
    verdict = _verdict(support, refute, bool(from_source))
    if contradicted and backed:
        # Corroborated only when every part is: a part contradicted with the rest supported is neither a
        # confirmation nor a contradiction of the claim.
        verdict = Verdict.PARTLY_CONTRADICTED
        support = sorted({o for p in backed for o in p.supporting_outlets})
        refute = sorted({o for p in contradicted for o in p.refuting_outlets})
        note = " ".join([*(_part_note(p) for p in parts), note]).strip()
    if verdict is Verdict.DISPUTED:
        confidence = 0.5 + 0.1 * min(3, abs(len(support) - len(refute)))
    elif verdict is Verdict.CORROBORATED:
        confidence = min(0.95, 0.55 + 0.1 * (len(support) - 2) + 0.3 * _mean_score(related, Stance.SUPPORTS))
    elif verdict is Verdict.SINGLE_SOURCE:
        confidence = 0.35 + 0.3 * _mean_score(related, Stance.SUPPORTS)
    elif verdict in (Verdict.CONTRADICTED, Verdict.PARTLY_CONTRADICTED):
        confidence = min(0.9, 0.45 + 0.1 * (len(refute) - 1) + 0.3 * _mean_score(related, Stance.REFUTES))
    else:
        confidence = 0.0  # nothing to be sure of: the note says how much was searched and how close it came
        note = _nothing_found(evidence, excluded or [])
    return ClaimVerdict(
        claim=claim,
        verdict=verdict,
        confidence=round(confidence, 3),
        evidence=_shown(related),
        supporting_outlets=tuple(support),
        refuting_outlets=tuple(refute),
        excluded=tuple(excluded or ()),
        note=note,
        parts=parts,
        unbacked_words=_unbacked_words(claim, related) if verdict in _BACKED else (),
    )


#: Verdicts that say the claim is backed, in whole or in part: the words its backing passages leave out are shown.
_BACKED = frozenset({Verdict.CORROBORATED, Verdict.SINGLE_SOURCE, Verdict.PARTLY_CONTRADICTED})


def _verdict(support: list[str], refute: list[str], from_source: bool = False) -> Verdict:
    """The verdict independent outlets supporting and refuting give; ``from_source``: the article's own source
    supports it too."""
    if support and refute:
        return Verdict.DISPUTED
    if len(support) >= 2:
        return Verdict.CORROBORATED
    if support or from_source:
        return Verdict.SINGLE_SOURCE
    return Verdict.CONTRADICTED if refute else Verdict.NO_EVIDENCE


def _part_verdicts(claim: Claim, related: list[Evidence]) -> tuple[PartVerdict, ...]:
    """The verdict on each part of a compound claim from the passages' stances toward it."""
    if not claim.parts or not related:
        return ()
    verdicts = []
    for i, part in enumerate(claim.parts):
        toward = [(e, e.parts[i].stance) for e in related if len(e.parts) == len(claim.parts)]
        support = sorted({e.independent_outlet for e, s in toward if s is Stance.SUPPORTS and not e.source})
        refute = sorted({e.independent_outlet for e, s in toward if s is Stance.REFUTES})
        verdicts.append(PartVerdict(part, _verdict(support, refute), tuple(support), tuple(refute)))
    # Parts nothing speaks to tell the reader nothing the claim's own verdict does not.
    return tuple(verdicts) if any(p.verdict is not Verdict.NO_EVIDENCE for p in verdicts) else ()


def _part_note(part: PartVerdict) -> str:
    if part.verdict is Verdict.CONTRADICTED:
        return f"“{part.part.text}” is contradicted by {', '.join(part.refuting_outlets)}."
    if part.verdict is Verdict.DISPUTED:
        return (
            f"“{part.part.text}” is disputed: supported by {', '.join(part.supporting_outlets)}, contradicted by "
            f"{', '.join(part.refuting_outlets)}."
        )
    if part.supporting_outlets:
        return f"“{part.part.text}” is supported by {', '.join(part.supporting_outlets)}."
    return f"Nothing found speaks to “{part.part.text}”."


def _unbacked_words(claim: Claim, related: list[Evidence]) -> tuple[str, ...]:
    """The words of the claim that no independent supporting passage backs (the word judge, ``support``) nor
    repeats, each once."""
    from .stance.support import claim_words, unsupported_words, word_form

    passages = [e.passage.text for e in related if e.stance is Stance.SUPPORTS and not e.source]
    if not passages:
        return ()
    sentences = [text[start:end] for text in passages for start, end in split_sentences(text)]
    repeated = {word_form(w) for s in sentences for w in claim_words(s.casefold())}
    # Function words and marks take their neighbours' reading, and a word a passage repeats is not said to be
    # missing, whatever the judge reads of where it stands: the words shown carry meaning and are nowhere.
    return tuple(
        dict.fromkeys(
            w
            for w in unsupported_words(claim.text, sentences)
            if content_words(words(w)) and word_form(w.casefold()) not in repeated
        )
    )


def summarize(article: Article, verdicts: list[ClaimVerdict], sources: tuple[ArticleSource, ...] = ()) -> Summary:
    """Return the article-level summary: counts per verdict, independent outlets found, stripped furniture, named
    sources, and the texts the article rewords."""
    counts = {v.value: 0 for v in Verdict}
    for cv in verdicts:
        counts[cv.verdict.value] += 1
    evidence = [e for cv in verdicts for e in cv.evidence]
    counted = {(e.independent_outlet, e.passage.language) for e in evidence if e.independent_outlet and not e.source}
    outlets = sorted({outlet for outlet, _ in counted})
    by_language = Counter(language for _, language in counted)
    return Summary(
        counts=counts,
        claims_total=len(verdicts),
        checkworthy=sum(cv.claim.checkworthy for cv in verdicts),
        independent_outlets=tuple(outlets),
        named_sources=tuple(match_sources(named_sources(article.text), evidence)),
        removed=article.removed,
        sources=sources,
        outlets_by_language=dict(by_language.most_common()),
    )


def _nothing_found(evidence: list[Evidence], excluded: list[str]) -> str:
    """How much was searched for a claim nothing supports or refutes, and how close the nearest passage came."""
    set_aside = f"; {plural(len(excluded), 'passage')} set aside as not independent" if excluded else ""
    if not evidence:
        return f"Nothing in the index came close enough to read{set_aside}."
    nearest = max(evidence, key=lambda e: e.passage.dense)
    articles = len({e.passage.article_id for e in evidence})
    title = f", “{nearest.passage.title}”" if nearest.passage.title else ""
    where = f"{nearest.independent_outlet or 'an unnamed outlet'}{title}"
    return (
        f"Nothing found supports or contradicts it: {plural(len(evidence), 'passage')} from "
        f"{plural(articles, 'article')} read{set_aside}. The nearest ({where}) came to a closeness of "
        f"{nearest.passage.dense:.2f} with the claim; a passage confirms or contradicts a claim in words from "
        f"{SAME_EVENT_FROM:.2f}."
    )


def _shown(related: list[Evidence]) -> tuple[Evidence, ...]:
    """The SHOWN passages to quote: the best of each outlet that supports or refutes the claim or a part of it, in
    rank order, then the best of the rest; every outlet a verdict names is quoted, and first."""
    firsts: dict[tuple[str, Stance], Evidence] = {}
    for e in related:
        for stance in {e.stance, *(p.stance for p in e.parts)} & {Stance.SUPPORTS, Stance.REFUTES}:
            firsts.setdefault((e.independent_outlet, stance), e)
    return tuple(dict.fromkeys([*firsts.values(), *related]))[:SHOWN]


def _rank(e: Evidence) -> tuple[int, float]:
    order = {Stance.REFUTES: 0, Stance.SUPPORTS: 0, Stance.DISCUSSES: 1, Stance.UNRELATED: 2}
    return order[e.stance], -e.passage.score


def _outlets(evidence: list[Evidence], stance: Stance) -> list[str]:
    return sorted({e.independent_outlet for e in evidence if e.stance is stance})


def _mean_score(evidence: list[Evidence], stance: Stance) -> float:
    scores = [e.stance_score for e in evidence if e.stance is stance]
    return sum(scores) / len(scores) if scores else 0.0
