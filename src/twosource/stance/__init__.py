"""The stance stage: does a passage support, refute or merely discuss a claim?

Figures are compared explicitly first: a related passage stating the same kind of figure, about the same
thing and on the same scale, supports the claim within tolerance and refutes it outside, whatever the text
model says; both figures travel to the report. Otherwise the trained stance model (``stance.model``) reads the
pair. Rules of news sense temper what it reads. FNC-1 taught it on bodies about the very story of the headline,
so it takes a passage on the same subject for one about the same event: its "agree" or "disagree" counts only
when it is sure (``SURE_FROM``) and the passage is close to the claim (``SAME_EVENT_FROM``). A quote is confirmed
only by a passage naming its speaker, and a passage from months away reports another moment.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..claims.figures import figures_in, period_cues
from ..claims.places import names_place
from ..claims.quantities import comparable
from ..claims.shares import Share, find_shares
from ..dates import MONTH_NAMES, days_between
from ..read.language import language_name
from ..sentences import split_sentences
from ..types import Claim, ClaimKind, ClaimPart, NumericComparison, PartStance, Passage, Quantity, Stance
from ..words import content_words, words
from .features import analyse
from .model import Pair, StanceModel, default_model

#: Relative difference within which two figures agree; doubled when either side is approximate.
TOLERANCE = 0.10
#: Evidence more than this far in time from the article reports another moment: it discusses, it does not
#: confirm; and tallies (deaths, refugees) that grow over time are only held against each other inside it.
WINDOW_DAYS = 120
_TALLIES = frozenset({"deaths", "injured", "displaced", "refugees", "detained", "casualties"})
#: What says a figure counts over a stretch of time rather than all of it: a figure for a month never confirms or
#: contradicts a running total, nor one for a year.
_RUNNING_TOTAL = re.compile(
    r"\b(since|so far|to date|in total|altogether|began|begun|started|erupted|broke out|outbreak)\b", re.I
)
_PERIODS = (
    ("day", re.compile(r"\b(?:per|a|each) day\b|\bdaily\b", re.I)),
    ("week", re.compile(r"\b(?:last|this|past|previous|per|a|each) week\b|\bweekly\b", re.I)),
    (
        "month",
        re.compile(
            rf"\b(?:last|this|past|previous|per|a|each|deadliest) month\b|\bmonthly\b"
            rf"|\b(?:in|during|throughout) (?:the month of )?{MONTH_NAMES}\b(?!\s+\d{{1,2}}\b)",
            re.I,
        ),
    ),
    ("year", re.compile(r"\b(?:last|this|past|previous|per|a|each) year\b|\bannually\b|\bin \d{4} alone\b", re.I)),
)
#: A place named right after a figure, within two words ("1.5 million in Lebanon", "40 people in Aleppo"): the
#: figure counts there only, and compares only with a figure whose sentence names the same place. A month name
#: is a time, not a place.
_PLACE = re.compile(rf"\s+(?:[a-z]+\s+){{0,2}}?in\s+(?:the\s+)?(?!{MONTH_NAMES}\b)([A-Z][\w-]+)")
#: Least probability of the model's "agree" or "disagree" for it to count; below, the passage only discusses.
SURE_FROM = 0.5
#: Least claim–passage cosine (all-MiniLM-L6-v2) for a passage to confirm or contradict in words: below it,
#: passages are on the subject but about another event. Set by reading FA-KES passages against the seed's claims.
SAME_EVENT_FROM = 0.62
#: A passage not in English is about the claim from this similarity (multilingual-e5-small's, on MiniLM's scale,
#: ``retrieve.CROSSLINGUAL_SCALE``): over FNC-1 pairs of the first half of the train headlines, unrelated ones
#: average 0.13 and related ones 0.45 on it (bench/crosslingual_scale.py).
FOREIGN_RELATED_FROM = 0.3
#: Two tallies further apart than this ratio are of different events: the share of one says nothing of the other.
SAME_TALLY = 1.5
_STANCES = {
    "agree": Stance.SUPPORTS,
    "disagree": Stance.REFUTES,
    "discuss": Stance.DISCUSSES,
    "unrelated": Stance.UNRELATED,
}
_READINGS = {
    Stance.SUPPORTS: "states the same thing",
    Stance.REFUTES: "contradicts it",
    Stance.DISCUSSES: "reports on it without taking a side",
    Stance.UNRELATED: "is about something else",
}
_VERBS = {Stance.SUPPORTS: "confirm", Stance.REFUTES: "contradict"}

#: A passage's stance toward the whole claim: the stance, its score, the figures compared, and why.
WholeStance = tuple[Stance, float, NumericComparison | None, str]
#: A passage's stance toward a claim, its score, the figures compared, why, and its stances toward the claim's
#: parts (when it has them).
StanceResult = tuple[Stance, float, NumericComparison | None, str, tuple[PartStance, ...]]


def judge_stances(
    claim: Claim,
    claim_vector: np.ndarray,
    passages: Sequence[Passage],
    passage_vectors: np.ndarray,
    *,
    claim_date: str | None = None,
    model: StanceModel | None = None,
    crosslingual: dict[int, float] | None = None,
) -> list[StanceResult]:
    """Return (stance, score, numeric comparison, reason, part stances) for each passage, in order.

    ``claim_vector`` and ``passage_vectors`` are the all-MiniLM-L6-v2 embeddings the index already holds;
    ``score`` is the stance model's probability of its reading, or the figures' weight when they decide. A passage
    that contradicts one part of a compound claim contradicts the claim, whatever it says of the rest.

    A passage not in English is not read by the stance model, which reads English only: its figures decide, or it
    only discusses the claim (or is unrelated, by ``crosslingual``: its similarity to the claim, by passage id).
    """
    if not passages:
        return []
    model = model or default_model()
    english = [i for i, p in enumerate(passages) if p.language == "en"]  # the only ones the model can read
    claim_view = analyse(claim.text)
    pairs = [Pair(claim_view, claim_vector, analyse(passages[i].text), passage_vectors[i : i + 1]) for i in english]
    readings = dict(zip(english, model.judge(pairs) if pairs else [], strict=True))
    cosines = passage_vectors @ claim_vector
    results = []
    for row, (passage, cosine) in enumerate(zip(passages, cosines, strict=True)):
        if row not in readings:
            similarity = (crosslingual or {}).get(passage.passage_id, float(cosine))
            results.append((*_decide_unread(claim, passage, similarity, claim_date), ()))
            continue
        label, probability = readings[row]
        whole = _decide(claim, passage, _STANCES[label], round(probability, 3), float(cosine), claim_date)
        parts = judge_parts(claim, passage, whole, float(cosine), claim_date)
        stance, score, numeric, reason = whole
        refuted = next((i for i, p in enumerate(parts) if p.stance is Stance.REFUTES), None)
        if refuted is not None and stance is not Stance.REFUTES:
            stance, score = Stance.REFUTES, max(score, 0.5)
            reason = f"contradicts a part of it, “{claim.parts[refuted].text}”: {parts[refuted].reason}"
        results.append((stance, score, numeric, reason, parts))
    return results


def judge_parts(
    claim: Claim,
    passage: Passage,
    whole: WholeStance,
    cosine: float,
    claim_date: str | None,
) -> tuple[PartStance, ...]:
    """The passage's stance toward each part of a compound claim (none for a claim of one part), given its stance
    toward the whole: a part's own figures and shares decide; a part without either takes the whole's stance when
    the text model read the whole, and is backed only by its own words when a figure of another part decided."""
    stance, _, numeric, reason = whole
    if not claim.parts:
        return ()
    if stance is Stance.UNRELATED:
        return tuple(PartStance(stance, reason) for _ in claim.parts)
    gap = days_between(claim_date, passage.published)
    judged = []
    for part in claim.parts:
        own = tuple(q for q in claim.quantities if q.text in part.text)
        figures = compare_figures(replace(claim, quantities=own), passage, gap) if own else None
        if figures is not None:
            agree = Stance.SUPPORTS if figures.agrees else Stance.REFUTES
            judged.append(
                PartStance(Stance.DISCUSSES, figures.note) if figures.note else PartStance(agree, _said(figures))
            )
            continue
        shares = compare_shares(claim, part, passage, cosine)
        if shares is not None:
            judged.append(shares)
        elif numeric is None:
            judged.append(PartStance(stance, reason))
        elif stance is Stance.SUPPORTS and _covered(part.text, passage.text):
            judged.append(PartStance(Stance.SUPPORTS, "its words are in the passage, whose figures agree"))
        else:
            judged.append(PartStance(Stance.DISCUSSES, "the passage does not speak to this part"))
    return tuple(judged)


def compare_shares(claim: Claim, part: ClaimPart, passage: Passage, cosine: float) -> PartStance | None:
    """The passage's stance toward a share the part states ("most of them civilians"), from the shares of the
    same tally the passage states: of the same group, of a group inside it, or of the other side. None when the
    part states no share."""
    stated = [s for s in _shares_in(claim.text) if s.text in part.text]
    if not stated:
        return None
    found = [s for start, end in _sentence_spans(passage.text) for s in _shares_in(passage.text[start:end])]
    verdicts = []
    for mine in stated:
        for theirs in found:
            if mine.tally and theirs.tally:
                if max(mine.tally, theirs.tally) > SAME_TALLY * min(mine.tally, theirs.tally):
                    continue  # the share of another tally: another event's dead
            elif cosine < SAME_EVENT_FROM:
                continue
            stance = _share_stance(mine, theirs)
            if stance is not None:
                verb = "agree" if stance is Stance.SUPPORTS else "differ"
                verdicts.append(PartStance(stance, f"shares {verb}: “{mine.text}” vs {_share_said(theirs)}"))
    refuting = [v for v in verdicts if v.stance is Stance.REFUTES]
    if refuting or verdicts:
        return (refuting or verdicts)[0]
    # The passage may name the group without saying what share of the tally it is: that backs nothing.
    return PartStance(Stance.DISCUSSES, f"it does not say what share were {stated[0].group}")


def _share_said(share: Share) -> str:
    """A share as the report quotes it: "“some 87000 civilians” of 300,000 (29 %)" when it is counted."""
    if share.high - share.low >= 0.5 or not share.tally:  # in words: "most of them fighters"
        return f"“{share.text}”"
    middle = (share.low + share.high) / 2 if share.high < 1 else share.low
    return f"“{share.text}” of {share.tally:,.0f} ({middle:.0%})"


def _share_stance(mine: Share, theirs: Share) -> Stance | None:
    if theirs.side != mine.side:  # the other side's share leaves this side at most the rest
        return Stance.REFUTES if 1 - theirs.low <= mine.low else None
    if theirs.group == mine.group:
        if theirs.high < mine.low or theirs.low > mine.high:
            return Stance.REFUTES
        return Stance.SUPPORTS if mine.low <= theirs.low and theirs.high <= mine.high else None
    if mine.group == mine.side:  # a group inside the claim's: its share is at least the claim's part
        return Stance.SUPPORTS if theirs.low >= mine.low else None
    return None


def _covered(part: str, passage: str) -> bool:
    """Whether the passage holds at least half of the part's content words."""
    wanted = set(content_words(words(part)))
    return bool(wanted) and len(wanted & set(content_words(words(passage)))) >= len(wanted) / 2


def _decide(
    claim: Claim, passage: Passage, read: Stance, probability: float, cosine: float, claim_date: str | None
) -> WholeStance:
    said = f"the stance model reads it as {read.value} ({probability:.0%}): it {_READINGS[read]}"
    if read is Stance.UNRELATED:
        return read, probability, None, said
    gap = days_between(claim_date, passage.published)
    numeric = compare_figures(claim, passage, gap)
    if numeric is not None:
        if numeric.note:
            return Stance.DISCUSSES, probability, numeric, numeric.note
        stance = Stance.SUPPORTS if numeric.agrees else Stance.REFUTES
        reason = _said(numeric)
        if stance is not read:
            reason += f"; the figures decide, though {said}"
        return stance, max(probability, 0.5), numeric, reason
    if read in (Stance.SUPPORTS, Stance.REFUTES):
        if probability < SURE_FROM:
            return Stance.DISCUSSES, probability, None, f"{said}, but it is not sure"
        if cosine < SAME_EVENT_FROM:
            reason = f"{said}, but the passage is not close enough to the claim to {_VERBS[read]} it ({cosine:.2f})"
            return Stance.DISCUSSES, probability, None, reason
    if read is Stance.SUPPORTS:
        if claim.kind is ClaimKind.QUOTE and not _mentions(passage.text, claim.speaker):
            return Stance.DISCUSSES, probability, None, "on the same subject, but does not quote the speaker"
        if gap is not None and gap > WINDOW_DAYS:
            return Stance.DISCUSSES, probability, None, f"similar, but from {round(gap / 30)} months apart"
    return read, probability, None, said


def _decide_unread(claim: Claim, passage: Passage, similarity: float, claim_date: str | None) -> WholeStance:
    """The stance of a passage the stance model cannot read (not English): from its figures alone."""
    unread = f"in {language_name(passage.language)}, which the stance model does not read"
    if similarity < FOREIGN_RELATED_FROM:
        return Stance.UNRELATED, 0.5, None, f"{unread}; by meaning it is not about the claim ({similarity:.2f})"
    numeric = compare_figures(claim, passage, days_between(claim_date, passage.published))
    if numeric is not None and not numeric.agrees and _far_apart(numeric):
        # Unread, a tally of another order is as likely another place's or time's as a contradiction.
        said = f"figures far apart: {numeric.claim_figure} vs {numeric.evidence_figure} ({numeric.kind})"
        return Stance.DISCUSSES, 0.5, numeric, f"{said}, perhaps of another place or time; the passage is {unread}"
    if numeric is not None and not numeric.note:
        stance = Stance.SUPPORTS if numeric.agrees else Stance.REFUTES
        return stance, 0.5, numeric, f"{_said(numeric)}; the figures decide: the passage is {unread}"
    if numeric is not None:
        return Stance.DISCUSSES, 0.5, numeric, f"{numeric.note}; the passage is {unread}"
    return Stance.DISCUSSES, 0.5, None, f"on the subject ({similarity:.2f}), {unread}: only figures could decide"


def _far_apart(figures: NumericComparison) -> bool:
    """Two tallies (deaths, refugees) too far apart to be two counts of one thing."""
    low, high = sorted((figures.claim_value, figures.evidence_value))
    return figures.kind in _TALLIES and high > SAME_TALLY * low


def compare_figures(claim: Claim, passage: Passage, gap_days: int | None = None) -> NumericComparison | None:
    """Return the comparison of a claim's figure with the closest comparable figure in the passage, if any."""
    stated = [q for q in claim.quantities if not q.derived and q.kind != "count"]
    if not stated:
        return None
    best: NumericComparison | None = None
    stating = figures_in(passage.text, passage.language)
    for q in stated:
        q_context, q_period, q_place = _context(claim.text, q), _period(claim.text, q), _place(claim.text, q)
        for e in stating:
            if not comparable(q, e):
                continue
            # A percentage compares only with a percentage of the same thing ("of the missile arsenal").
            if q.kind == "percent" and not (q_context & _context(passage.text, e)):
                continue
            if _period(passage.text, e, passage.language) != q_period:  # a month's dead are not the war's
                continue
            if q_place and not names_place(_sentence(passage.text, e), q_place, passage.language):
                continue  # Lebanon's refugees are not the region's (nor Turkey's, "en Turquie")
            comparison = _compare(q, e)
            if best is None or comparison.relative_difference < best.relative_difference:
                best = comparison
    if (
        best is not None
        and not best.agrees
        and best.kind in _TALLIES
        and gap_days is not None
        and gap_days > WINDOW_DAYS
    ):
        note = f"figures differ, but {round(gap_days / 30)} months apart, and tallies change over time"
        best = replace(best, note=note)
    return best


def _compare(claim: Quantity, evidence: Quantity) -> NumericComparison:
    tolerance = TOLERANCE * (2 if "approx" in (claim.bound, evidence.bound) else 1)
    a, b = claim.value, evidence.value
    difference = abs(a - b) / max(abs(a), abs(b), 1e-9)
    note = ""
    if evidence.bound in ("min", "max") and claim.bound == evidence.bound:
        # Two floors (or two ceilings) never contradict each other; the evidence's proves the claim's only when it
        # is at least as high (as low).
        agrees = b >= a * (1 - TOLERANCE) if claim.bound == "min" else b <= a * (1 + TOLERANCE)
        if not agrees:
            note = f"both are bounds ({claim.text} vs {evidence.text}): the evidence's falls short of the claim's"
    elif evidence.bound in ("min", "max"):
        # "More than 230,000": the count has passed it, whatever the claim's hedge. A floor well under the claim's
        # figure is consistent with it but confirms nothing (a ceiling well over it, likewise).
        floor = evidence.bound == "min"
        agrees = a >= b * (1 - TOLERANCE) if floor else a <= b * (1 + TOLERANCE)
        if agrees and (a > b * (1 + tolerance) if floor else a < b * (1 - tolerance)):
            note = f"consistent, not confirming: {evidence.text} is a bound far from the claim's {claim.text}"
    elif claim.bound == "min":  # "more than 80 percent": any figure at or above it agrees
        agrees = b >= a * (1 - tolerance)
    elif claim.bound == "max":
        agrees = b <= a * (1 + tolerance)
    else:
        agrees = difference <= tolerance
    return NumericComparison(
        kind=claim.kind,
        claim_figure=claim.text,
        evidence_figure=evidence.text,
        claim_value=a,
        evidence_value=b,
        agrees=agrees,
        relative_difference=round(difference, 4),
        tolerance=tolerance,
        note=note,
    )


def _said(figures: NumericComparison) -> str:
    verb = "agree" if figures.agrees else "differ"
    return f"figures {verb}: {figures.claim_figure} vs {figures.evidence_figure} ({figures.kind})"


def _context(text: str, q: Quantity) -> set[str]:
    at = text.find(q.text)
    after = text[at + len(q.text) : at + len(q.text) + 60] if at >= 0 else ""
    return {w for w in content_words(words(after)[:6]) if len(w) > 2}


def _sentence(text: str, q: Quantity) -> str:
    """The sentence of ``text`` that states ``q``."""
    at = text.find(q.text)
    return next((text[s:e] for s, e in _sentence_spans(text) if s <= at < e), text)


def _place(text: str, q: Quantity) -> str:
    """The place a figure is counted in, when the words right after it name one ("1.5 million in Lebanon",
    "40 people in Aleppo"); "" when they do not."""
    at = text.find(q.text)
    named = _PLACE.match(text[at + len(q.text) :]) if at >= 0 else None
    return named.group(1) if named else ""


def _period(text: str, q: Quantity, language: str = "en") -> str:
    """The stretch of time a figure counts over: "" for a running total (or when nothing says), else a day, week,
    month or year ("killed last month", "1,200 a month", "in September"; "le mois dernier", "العام الماضي")."""
    cues = (_RUNNING_TOTAL, _PERIODS) if language == "en" else period_cues(language)
    if cues is None:
        return ""
    running_total, periods = cues
    sentence = _sentence(text, q).replace("’", "'")
    if running_total.search(sentence):  # "since 2014", "so far", "which began in March 2011": a running total
        return ""
    return next((name for name, cue in periods if cue.search(sentence)), "")


#: A passage's sentences, split once however many of its figures are compared; its shares, and the claim's,
#: found once however many parts of the claim are judged against it.
_sentence_spans = functools.lru_cache(maxsize=256)(split_sentences)
_shares_in = functools.lru_cache(maxsize=1024)(find_shares)


def _mentions(text: str, name: str) -> bool:
    return bool(name) and name.split()[-1].lower() in text.lower()
