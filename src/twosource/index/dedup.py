"""Copy detection: which texts are one text, however the web republishes it.

An excerpt (a lead, a teaser, a "continue reading" stub), a truncation, a light rewrite (another headline, tense or
number style, a paragraph dropped, added or moved) or a reprint in other page furniture is the same text for
independence, and so is the checked article's own copy in the index. Two steps find them:

candidates    Winnowed fingerprints (Schleimer, Wilkerson & Aiken, SIGMOD 2003: the scheme of MOSS). Every run of
              ``GUARANTEE`` or more content words that two texts share gives them a fingerprint in common, so an
              excerpt is found however small a part of its original it is. (MinHash LSH, tuned to Jaccard
              resemblance, missed exactly these: a 300-word excerpt of a 1,600-word article has Jaccard 0.19.)
              Looking a text up costs the same whatever the index's size: one B-tree seek per fingerprint, each
              posting list read to at most ``POSTINGS`` entries (oldest first, so that the original of a story
              syndicated thousands of times is still among them), and only the ``CONFIRM`` candidates sharing the
              most fingerprints are compared.
confirmation  What the shorter text shares with the longer, in content words covered by shingles both hold, but
              for what one of them quotes and the other states (an article quoting a sentence of another is not a
              copy of it). A copy when (a) most of the shorter text lies in the longer (an excerpt, a reprint, a
              rewrite, a teaser), or (b) one long block of it does, outside quotation marks, or (c) a large part,
              and in both cases what surrounds it is about something else (an excerpt inside a page of other
              stories' teasers, cookie notices, promotions). Two reports of one event share facts and quoted
              statements, scattered or short, and the rest of each is about the same event: none of these.

Words are compared as content words, lightly stemmed, with figures in one style ("1,000" and "1000", "5%" and
"five percent"), so that a change of tense or of number style does not hide a copy. The thresholds were chosen on
the development half of ``twosource eval copies``.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from ..words import STOPWORDS, stem

#: Content words per shingle, and shingles per winnowing window: a shared run of SHINGLE + WINDOW - 1 content
#: words (about 20 words of running text) always gives a shared fingerprint.
SHINGLE = 5
WINDOW = 8
GUARANTEE = SHINGLE + WINDOW - 1
#: Postings read per fingerprint, and candidates compared per text.
POSTINGS = 64
CONFIRM = 16
#: A candidate must share at least this many fingerprints to be compared.
MIN_COMMON_FINGERPRINTS = 2
#: (a) Most of the shorter text: this share of its content words, and at least this many (about 45 words of running
#: text); a short text (a one-sentence teaser) needs a larger share.
MIN_COVERAGE = 0.5
MIN_SHARED_WORDS = 25
SHORT_COVERAGE = 0.8
MIN_SHORT_WORDS = 8
#: (b) One block: this many content words outside quotation marks in a row (about 55 words of running text), at
#: least this share of the shorter text, and the rest of it sharing at most this share of its words with the longer.
MIN_BLOCK_WORDS = 30
MIN_BLOCK_COVERAGE = 0.15
MAX_REST_RELATED = 0.25
#: Uncovered words a block may hold and still be one block (a word changed in a rewrite).
BLOCK_GAP = 2
#: Shingles in a row that one text quotes and the other states, to be a quotation rather than a copy.
QUOTATION_SHINGLES = 6
#: (c) Or a large part of the shorter text, when all the rest of it is about something else.
MIN_PART_COVERAGE = 0.3
MAX_PART_REST_RELATED = 0.2
#: Two texts of one outlet are one text only when the shorter lies whole in the longer: what else they share is the
#: outlet's own furniture and stock paragraphs (most of a page, when a reader keeps its furniture), and independence
#: counts an outlet once anyway.
SAME_OUTLET_COVERAGE = 0.95

_WORD = re.compile(r"\w+")
# "1,000", "1.000", "1 000" (thin or no-break space) and "1'000" are one number.
_THOUSANDS = re.compile(r"(?<=\d)[,.'’\u00a0\u2009\u202f ](?=\d{3}(?!\d))")
_PERCENT = re.compile(r"%|\bper\s+cent\b", re.I)
_SMALL_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty"
)
_TENS = {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90"}
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(_SMALL_NUMBERS.split(" "))} | _TENS
# A quotation: an opening mark, then a closing one within the paragraph, or the ellipsis that cuts a teaser short.
_QUOTATION = re.compile(
    r"(?:^|(?<=[\s(\[—–-]))(?:[\"“]|[‘'](?=\w))[^\"“”\n]{2,1500}?"
    r"(?:”|(?<=[\w.,!?])[\"’'](?=[\s.,;:)!?—–-]|$)|(?=\s*(?:…|\.\.\.|\[…\])\s*$))",
    re.M,
)
# A mark left open to the paragraph's end: a quotation an excerpt cut short, a quotation running on into the next
# paragraph, or a stray mark (scraped text drops and doubles them). Its words are neither quoted nor stated: a wrong
# guess either way would hide a whole copy.
_OPEN_QUOTATION = re.compile(r"(?:^|(?<=[\s(\[—–-]))[\"“][^\"“”\n]{2,}$", re.M)


def content_hash(text: str) -> str:
    """Return the hash that identifies an article's text, blind to case, spacing and punctuation."""
    squashed = re.sub(r"[\W_]+", " ", text.lower()).strip()
    return hashlib.sha256(squashed.encode()).hexdigest()


def copy_words(text: str) -> tuple[list[str], list[bool | None]]:
    """Return the words of ``text`` as copy detection compares them (content words, stemmed, figures in one style),
    and for each whether it stands inside quotation marks (None: after a mark left open, so unknown)."""
    text = _PERCENT.sub(" percent ", _THOUSANDS.sub("", text))
    closed = _Spans(_QUOTATION.finditer(text))
    left_open = _Spans(_OPEN_QUOTATION.finditer(text))
    words: list[str] = []
    quoted: list[bool | None] = []
    for match in _WORD.finditer(text.casefold()):
        word = match.group(0)
        number = _NUMBER_WORDS.get(word)
        if not number and word in STOPWORDS:
            continue
        words.append(number or stem(word))
        quoted.append(True if closed.holds(match.start()) else None if left_open.holds(match.start()) else False)
    return words, quoted


class _Spans:
    """Spans of a text, asked in increasing order of position whether one holds it."""

    def __init__(self, matches: Iterable[re.Match[str]]) -> None:
        self._spans = [m.span() for m in matches]
        self._next = 0

    def holds(self, position: int) -> bool:
        while self._next < len(self._spans) and self._spans[self._next][1] <= position:
            self._next += 1
        return self._next < len(self._spans) and self._spans[self._next][0] <= position


@dataclass(frozen=True)
class CopyText:
    """What copy detection knows of a text: its words, its shingles' hashes in order, and the fingerprints chosen
    among them to look it up by."""

    words: tuple[str, ...]
    quoted: tuple[bool | None, ...]  # per word: inside quotation marks (None: unknown)
    shingles: tuple[int, ...]
    fingerprints: frozenset[int]

    @property
    def empty(self) -> bool:
        return not self.shingles

    @functools.cached_property
    def shingle_set(self) -> frozenset[int]:
        return frozenset(self.shingles)

    @functools.cached_property
    def quoting(self) -> dict[int, bool | None]:
        """Whether each shingle stands inside quotation marks (as its first word does; None: unknown)."""
        return dict(zip(self.shingles, self.quoted, strict=False))


def copy_text(text: str) -> CopyText:
    """Return what copy detection compares of ``text``."""
    words, quoted = copy_words(text)
    if not words:
        return CopyText((), (), (), frozenset())
    grams = [" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))]
    hashes = tuple(_hash(g) for g in grams)
    return CopyText(tuple(words), tuple(quoted), hashes, frozenset(_winnow(hashes)))


def _hash(shingle: str) -> int:
    # Stable across processes and machines (Python's own hash() is salted per process), and fits SQLite's INTEGER.
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "little", signed=True)


def _winnow(hashes: tuple[int, ...]) -> set[int]:
    # The smallest hash of every window of WINDOW consecutive shingles, as robust winnowing does.
    if len(hashes) <= WINDOW:
        return {min(hashes)}
    return {min(hashes[start : start + WINDOW]) for start in range(len(hashes) - WINDOW + 1)}


@dataclass(frozen=True)
class CopyMatch:
    """What the shorter of two texts shares with the longer."""

    shared_words: int  # content words of the shorter text inside shingles both hold
    coverage: float  # their share of the shorter text
    longer_coverage: float  # the share of the longer text inside shingles both hold
    block: int  # the longest block of them in a row, counting words outside quotation marks
    rest_related: float  # the share of the shorter text's other words that the longer text also uses
    contained: bool  # whether the first text compared is the shorter one
    same_outlet: bool = False  # whether the two texts come from one outlet

    @property
    def is_copy(self) -> bool:
        if self.same_outlet:
            return self.coverage >= SAME_OUTLET_COVERAGE and self.shared_words >= MIN_SHORT_WORDS
        if self.mostly:
            return True
        if self.block >= MIN_BLOCK_WORDS and self.coverage >= MIN_BLOCK_COVERAGE:
            return self.rest_related <= MAX_REST_RELATED  # (b) one long block, amid text about something else
        return (  # (c) a large part, amid text about something else
            self.coverage >= MIN_PART_COVERAGE
            and self.shared_words >= MIN_SHARED_WORDS
            and self.rest_related <= MAX_PART_REST_RELATED
        )

    @property
    def mostly(self) -> bool:
        """(a) Most of the shorter text lies in the longer (nearly all of it, for a short text)."""
        return (self.coverage >= MIN_COVERAGE and self.shared_words >= MIN_SHARED_WORDS) or (
            self.coverage >= SHORT_COVERAGE and self.shared_words >= MIN_SHORT_WORDS
        )


def compare(a: CopyText, b: CopyText, *, same_outlet: bool = False) -> CopyMatch:
    """Return what the shorter of ``a`` and ``b`` shares with the other."""
    contained = len(a.words) <= len(b.words)
    if a.empty or b.empty:
        return CopyMatch(0, 0.0, 0.0, 0, 1.0, contained, same_outlet)
    shorter, longer = (a, b) if contained else (b, a)
    common = shorter.shingle_set & longer.shingle_set
    covered = _covered(shorter, common, longer.quoting)
    shared = sum(covered)
    rest = {w for w, c in zip(shorter.words, covered, strict=True) if not c and not w.isdigit()}
    related = len(rest & set(longer.words)) / len(rest) if rest else 1.0
    coverage = round(shared / len(shorter.words), 4)
    longer_coverage = round(sum(_covered(longer, common, shorter.quoting)) / len(longer.words), 4)
    block = _block(covered, shorter.quoted)
    return CopyMatch(shared, coverage, longer_coverage, block, round(related, 4), contained, same_outlet)


def _covered(text: CopyText, common: frozenset[int], other_quoting: dict[int, bool | None]) -> list[bool]:
    # Which of the text's words lie inside a shingle both texts hold, but for a quotation: a run of shingles one
    # text quotes and the other states (an article quoting a sentence of another) is not a copy. A short run is
    # kept: where a teaser is cut inside a quotation, its last words stand outside the marks.
    shared = [h in common for h in text.shingles]
    quoted_apart = [
        s and q is not None and other_quoting[h] not in (None, q)
        for s, h, q in zip(shared, text.shingles, text.quoted, strict=False)
    ]
    covered = [False] * len(text.words)
    run = 0
    for i in range(len(shared) + 1):
        if i < len(shared) and quoted_apart[i]:
            run += 1
            continue
        if 0 < run < QUOTATION_SHINGLES:  # too short to be a quotation: count it as shared after all
            for j in range(i - run, i):
                covered[j : j + SHINGLE] = [True] * len(covered[j : j + SHINGLE])
        run = 0
        if i < len(shared) and shared[i]:
            covered[i : i + SHINGLE] = [True] * len(covered[i : i + SHINGLE])
    return covered


def shares_block(passage: str, text: CopyText) -> bool:
    """Whether ``passage`` shares with ``text`` a block of narrative (outside quotation marks) word for word, of at
    least MIN_BLOCK_WORDS content words: a stretch one of them copied, not a statement both quote."""
    # Only the passage's side is measured: this runs for every passage retrieved for every claim.
    mine = _passage_copy_text(passage)
    if mine.empty:
        return False
    return _block(_covered(mine, mine.shingle_set & text.shingle_set, text.quoting), mine.quoted) >= MIN_BLOCK_WORDS


#: A retrieved passage's copy text, found once however many claims retrieve it.
_passage_copy_text = functools.lru_cache(maxsize=4096)(copy_text)


def _block(covered: list[bool], quoted: tuple[bool | None, ...]) -> int:
    # The longest run of covered words, through gaps of at most BLOCK_GAP uncovered ones, counting all but the
    # quoted (a quotation both hold is a statement both report).
    best = run = gap = 0
    for is_covered, is_quoted in zip(covered, quoted, strict=True):
        if is_covered:
            run += 0 if is_quoted else 1
            gap = 0
        elif run:
            gap += 1
            if gap > BLOCK_GAP:
                best, run, gap = max(best, run), 0, 0
    return max(best, run)


#: ``postings(fingerprint)``: the ids of stored texts holding it, oldest first, at most POSTINGS of them.
Postings = Callable[[int], Iterable[int]]
#: ``texts(ids)``: the stored texts by id, each with its outlet's key (``outlets.name_key``; "" when unknown).
Texts = Callable[[list[int]], dict[int, tuple[str, str]]]
#: What names a text among those compared: an article id, or (batch ingest) a place in the input.
Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True)
class Lookup:
    """What looking a text up among stored ones found."""

    postings_read: dict[int, int]  # per fingerprint of the text, how many stored texts holding it were read
    compared: dict[int, int]  # the candidates compared, each with the number of fingerprints it shares
    copies: list[tuple[int, CopyMatch]]  # those of them that are copies, best candidates first


def look_up(text: CopyText, postings: Postings, texts: Texts, outlet: str = "") -> Lookup:
    """Look ``text`` (from the outlet keyed ``outlet``) up among stored texts: the ones it copies or that copy it.

    The one procedure behind copy clusters at ingest and the checked article's own copies at check time; a store
    only says which of its texts hold a fingerprint, what a text says and whose it is.
    """
    read: dict[int, int] = {}
    common: Counter[int] = Counter()
    for fingerprint in sorted(text.fingerprints):
        holders = list(postings(fingerprint))
        read[fingerprint] = len(holders)
        common.update(holders)
    compared = best_candidates(common)
    stored = texts(compared)
    found = []
    for article_id in compared:
        if article_id in stored:
            body, owner = stored[article_id]
            match = compare(text, copy_text(body), same_outlet=is_same_outlet(outlet, owner))
            if match.is_copy:
                found.append((article_id, match))
    return Lookup(read, {i: common[i] for i in compared}, found)


def find_copies(text: CopyText, postings: Postings, texts: Texts, outlet: str = "") -> list[tuple[int, CopyMatch]]:
    """Return the stored texts that ``text`` copies or that copy it, with what they share (see ``look_up``)."""
    return look_up(text, postings, texts, outlet).copies


def best_candidates(common: Mapping[Key, int]) -> list[Key]:
    """The CONFIRM candidates sharing the most fingerprints (at least MIN_COMMON_FINGERPRINTS), the oldest first
    among equals (keys order as the texts came in)."""
    ranked = sorted((-n, key) for key, n in common.items() if n >= MIN_COMMON_FINGERPRINTS)
    return [key for _, key in ranked[:CONFIRM]]


def is_same_outlet(outlet: str, owner: str) -> bool:
    """Whether texts from the outlets keyed ``outlet`` and ``owner`` are from one known outlet."""
    return bool(outlet) and owner == outlet


def clusters_to_join(found: list[tuple[Key, CopyMatch]]) -> list[Key]:
    """Return the ids, among a new text's copies, whose clusters it joins (and so merges).

    Every text that lies mostly inside the new one: they are parts of it, so one text (two excerpts of an article
    that came before it). Of the others, only the one sharing the most: a teaser made of a lead two stories share is
    in both, and a block two texts share with a third does not make them one.
    """
    parts = [i for i, match in found if not match.contained and match.mostly and not match.same_outlet]
    others = sorted((-match.shared_words, i) for i, match in found if i not in parts)
    return [*parts, others[0][1]] if others else parts
