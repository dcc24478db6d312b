"""The claims stage: an article's sentences, each typed, scored for check-worthiness and normalised.

The trained detector (``detector``) scores how check-worthy each sentence is; rules (``kinds``) type it.
Only sentences of a checkable kind (quantity, quote, event, causal) can be check-worthy: a report lists
predictions and opinions as such, without evidence. ``claims_to_check`` picks what a check looks at: a long text
is read up to a budget, and the most check-worthy claims come first.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..dates import MENTION, find_years, normalize_mention
from ..models import spacy_pipeline
from ..read.language import require_english
from ..sentences import split_sentences
from ..types import CHECKABLE_KINDS, Article, Claim, ClaimKind, DateMention, Entity
from .entities import KEPT_LABELS, find_speaker, normalize_entity, resolve_people
from .kinds import SPEECH, Features, classify, has_direct_quote, outside_quotes
from .parts import split_parts
from .quantities import find_quantities

__all__ = ["CHECKWORTHY_FROM", "ClaimsToCheck", "claims_to_check", "find_claims"]

_NOT_PROSE = re.compile(r"^\s*(sources?|references|read more|related|tags)\s*:", re.I)
#: A quote's speaker may be named up to this many sentences earlier ("The chief declared ...").
_SPEAKER_REACH = 3
#: A checkable sentence is check-worthy when the detector's probability of CFS is at least this.
CHECKWORTHY_FROM = 0.5


def find_claims(article: Article) -> list[Claim]:
    """Return one Claim per sentence of ``article`` that has a verb, in order."""
    text = article.text
    sentences = split_sentences(text)
    known_people: dict[str, str] = {}
    last_speaker, last_speaker_at = "", -_SPEAKER_REACH - 1
    claims: list[Claim] = []
    for number, ((start, end), (tokens, ents)) in enumerate(zip(sentences, _parsed(text, sentences), strict=True)):
        sentence = text[start:end]
        tags = [t.tag_ for t in tokens]
        if _NOT_PROSE.match(sentence) or not any(t.pos_ in ("VERB", "AUX") for t in tokens):
            continue
        named = [Entity(name, label, normalize_entity(name)) for name, label, _ in ents]
        entities = resolve_people(named, known_people)
        spans = [span for _, _, span in ents]
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


#: Characters spaCy parses at once (its parser needs about 1 GB per 100,000; it refuses 1,000,000 and more):
#: a long text is parsed in pieces of whole sentences.
_PIECE_CHARS = 100_000
#: A "sentence" longer than this is a table or a scrape without punctuation, not a claim anyone checks.
LONGEST_SENTENCE = 3_000

#: A sentence's kept named entities: (text, label, (start, end) in the article's text).
Named = tuple[str, str, tuple[int, int]]


def _parsed(text: str, sentences: list[tuple[int, int]]) -> Iterator[tuple[Sequence[Any], list[Named]]]:
    """Yield, for each sentence span, its spaCy tokens and its named entities of ``KEPT_LABELS``."""
    pieces: list[list[tuple[int, int]]] = []
    for start, end in sentences:
        if not pieces or end - pieces[-1][0][0] > _PIECE_CHARS:
            pieces.append([])
        pieces[-1].append((start, end))
    nlp = spacy_pipeline()
    fits = [p[-1][1] - p[0][0] <= nlp.max_length for p in pieces]  # a piece of one sentence may still be too long
    docs = nlp.pipe(text[p[0][0] : p[-1][1]] for p, fit in zip(pieces, fits, strict=True) if fit)
    for piece, fit in zip(pieces, fits, strict=True):
        doc, offset = next(docs) if fit else None, piece[0][0]
        starts = [t.idx for t in doc] if doc is not None else []
        ents = [e for e in doc.ents if e.label_ in KEPT_LABELS] if doc is not None else []
        ent_starts = [e.start_char for e in ents]
        for start, end in piece:
            if doc is None or end - start > LONGEST_SENTENCE:
                yield (), []
                continue
            a, b = start - offset, end - offset
            inside = ents[bisect.bisect_left(ent_starts, a) : bisect.bisect_left(ent_starts, b)]
            named = [
                (e.text, e.label_, (offset + e.start_char, offset + e.end_char)) for e in inside if e.end_char <= b
            ]
            yield doc[bisect.bisect_left(starts, a) : bisect.bisect_left(starts, b)], named


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


#: Characters of an article the claims stage reads: about 50,000 words, ten times a long feature; spaCy and the
#: detector read every sentence, so a 5 MB text would otherwise take many minutes before any claim is checked.
CLAIMS_READ_CHARS = 300_000


@dataclass(frozen=True)
class ClaimsToCheck:
    claims: list[Claim]  # all the claims found, in text order
    chosen: list[Claim]  # the check-worthy ones within budget, in text order
    notes: list[str]  # what was cut, for the report


def claims_to_check(article: Article, max_claims: int) -> ClaimsToCheck:
    """All the article's claims, the ``max_claims`` most check-worthy of them, and notes on what was cut. An
    article not in English is refused (LanguageError): the claims stage reads English only."""
    require_english(article.language, article.origin)
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
    return ClaimsToCheck(claims, [c for c in worthy if c.start in chosen], notes)


def _claims_read(text: str) -> int:
    """How much of ``text`` the claims stage reads: all of it, or up to the paragraph (else the sentence) that
    ends last within ``CLAIMS_READ_CHARS``."""
    if len(text) <= CLAIMS_READ_CHARS:
        return len(text)
    cut = max(text.rfind("\n", 0, CLAIMS_READ_CHARS), text.rfind(". ", 0, CLAIMS_READ_CHARS) + 1)
    return cut if cut > 0 else CLAIMS_READ_CHARS
