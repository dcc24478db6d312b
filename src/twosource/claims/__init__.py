"""The claims stage: an article's sentences, each typed, scored for check-worthiness and normalised.

The trained detector (``detector``) scores how check-worthy each sentence is; rules (``kinds``) type it.
Only sentences of a checkable kind (quantity, quote, event, causal) can be check-worthy: a report lists
predictions and opinions as such, without evidence.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from ..dates import MENTION, find_years, normalize_mention
from ..models import spacy_pipeline
from ..sentences import split_sentences
from ..types import CHECKABLE_KINDS, Article, Claim, ClaimKind, DateMention, Entity
from .entities import KEPT_LABELS, find_speaker, normalize_entity, resolve_people
from .kinds import SPEECH, Features, classify, has_direct_quote, outside_quotes
from .parts import split_parts
from .quantities import find_quantities

__all__ = ["CHECKWORTHY_FROM", "find_claims"]

_NOT_PROSE = re.compile(r"^\s*(sources?|references|read more|related|tags)\s*:", re.I)
#: A quote's speaker may be named up to this many sentences earlier ("The chief declared ...").
_SPEAKER_REACH = 3
#: A checkable sentence is check-worthy when the detector's probability of CFS is at least this.
CHECKWORTHY_FROM = 0.5


def find_claims(article: Article) -> list[Claim]:
    """Return one Claim per sentence of ``article`` that has a verb, in order."""
    text = article.text
    doc = spacy_pipeline()(text)
    starts = [t.idx for t in doc]
    known_people: dict[str, str] = {}
    last_speaker, last_speaker_at = "", -_SPEAKER_REACH - 1
    claims: list[Claim] = []
    for number, (start, end) in enumerate(split_sentences(text)):
        sentence = text[start:end]
        tokens = doc[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]
        tags = [t.tag_ for t in tokens]
        if _NOT_PROSE.match(sentence) or not any(t.pos_ in ("VERB", "AUX") for t in tokens):
            continue
        ents = [e for e in doc.ents if start <= e.start_char and e.end_char <= end and e.label_ in KEPT_LABELS]
        entities = resolve_people([Entity(e.text, e.label_, normalize_entity(e.text)) for e in ents], known_people)
        spans = [(e.start_char, e.end_char) for e in ents]
        speaker = ""
        own_words = outside_quotes(sentence)
        if has_direct_quote(sentence) or SPEECH.search(own_words):
            speaker = find_speaker(own_words, entities, start, spans, "PERSON")
            if not speaker and number - last_speaker_at <= _SPEAKER_REACH:
                speaker = last_speaker  # "The Lebanese chief of army declared" = the general quoted just before
            speaker = speaker or find_speaker(own_words, entities, start, spans, "ORG")
            if speaker:
                last_speaker, last_speaker_at = speaker, number
        quantities = find_quantities(sentence)
        typed = classify(sentence, Features(quantities=quantities, speaker=speaker, tags=tags))
        claims.append(
            Claim(
                text=sentence,
                start=start,
                end=end,
                kind=typed.kind,
                checkworthy=False,
                score=0.0,
                quantities=tuple(quantities),
                dates=_dates(sentence, article.published),
                entities=tuple({e.normalized: e for e in entities if e.normalized}.values()),
                speaker=speaker if typed.kind is ClaimKind.QUOTE else "",
                cues=typed.cues,
                parts=parts if len(parts := split_parts(sentence)) > 1 else (),
            )
        )
    return _scored(claims)


def _scored(claims: list[Claim]) -> list[Claim]:
    """Return the claims with the detector's check-worthiness, all sentences read in one batch."""
    if not claims:
        return claims
    from .detector import LABELS, default_detector

    worthy = default_detector().predict_proba([c.text for c in claims])[:, LABELS.index("CFS")].tolist()
    return [
        replace(c, score=round(p, 3), checkworthy=c.kind in CHECKABLE_KINDS and p >= CHECKWORTHY_FROM)
        for c, p in zip(claims, worthy, strict=True)
    ]


def _dates(sentence: str, reference: str | None) -> tuple[DateMention, ...]:
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for m in MENTION.finditer(sentence):
        value = normalize_mention(m.group(0), reference)
        if value:
            found.append(DateMention(m.group(0), value))
            taken.append(m.span())
    for text, year in find_years(sentence):
        if not any(year in sentence[s:e] for s, e in taken):
            found.append(DateMention(text, year))
    return tuple(found)
