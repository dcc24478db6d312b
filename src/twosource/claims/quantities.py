"""Figures in a sentence, normalised: value, what is counted, unit and bound.

"About 6.5 million Syrian civilians have been forced to leave their homes" -> 6,500,000 displaced (approx).
"""

from __future__ import annotations

import re

from ..dates import MENTION, MONTH_NAMES
from ..types import Quantity

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "hundreds": 100,
    "thousand": 1000,
    "thousands": 1000,
    "dozens": 24,
    "dozen": 12,
}
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
#: The largest figure read as one: beyond, digits are an identifier or noise, not a count.
LARGEST = 1e15
_FIGURE = re.compile(
    # Never from the middle of a run of digits: a run glued to letters ("999…9t") would otherwise be retried from
    # each of its digits, in quadratic time.
    rf"(?P<currency>[$£€])?(?<!\d)(?P<num>{_NUMBER})\s*(?P<scale>thousand|million|billion|trillion|bn|mn|m|k)?\b\s*"
    rf"(?P<pct>%|per\s*cent|percent)?"
    rf"|\b(?P<word>{'|'.join(_WORD_NUMBERS)})\b(?:\s+(?P<wscale>thousand|million|billion))?",
    re.I,
)
_BOUNDS = (
    (re.compile(r"(more than|over|at least|upwards of|in excess of|no fewer than|exceeding)\s*$", re.I), "min"),
    (re.compile(r"(less than|fewer than|under|up to|at most|no more than|below)\s*$", re.I), "max"),
    (
        re.compile(
            r"(about|around|nearly|almost|some|roughly|approximately|an estimated|estimated|close to)\s*$", re.I
        ),
        "approx",
    ),
)
# What is counted, from the words around the figure; the first listed cue that matches wins.
_KINDS = (
    ("deaths", r"dead|deaths?|killed|died|death toll|fatalities|lives|bodies|massacred|slain"),
    ("injured", r"injured|wounded|injuries"),
    ("displaced", r"displaced|forced to (?:leave|flee) their homes|homeless|uprooted|leave their homes"),
    ("refugees", r"refugees?|fled|asylum|sought refuge"),
    ("detained", r"detained|arrested|prisoners|detainees|abducted|kidnapped"),
    ("casualties", r"casualties"),
    ("airstrikes", r"air ?strikes|raids|sorties|strikes"),
    ("fighters", r"fighters|troops|soldiers|militants|rebels|jihadis"),
    ("people", r"people|civilians|persons|residents|children|women|men"),
)
_KIND_PATTERNS = [(kind, re.compile(rf"\b(?:{cues})\b", re.I)) for kind, cues in _KINDS]
_SPECIFIC = {"deaths", "injured", "displaced", "refugees", "detained", "casualties"}
_AFTER_MONTH = re.compile(rf"\b{MONTH_NAMES}\.?\s*$")
_HEDGE = re.compile(r"\b(unofficially|reportedly|estimated|estimates?|roughly)\b", re.I)
_GROUP_NOUNS = re.compile(
    r"\b(militias|factions|groups|brigades|battalions|organizations|organisations|parties|countries|states)\s*\(([^()]{10,})\)",
    re.I,
)


#: Figures further apart than this factor count different things (one attack's dead vs a war's).
SAME_SCALE = 3.0


def comparable(a: Quantity, b: Quantity) -> bool:
    """Return True when two figures count the same kind of thing on the same scale, so one can confirm the other."""
    low, high = sorted((abs(a.value), abs(b.value)))
    return (
        a.kind == b.kind and a.kind != "count" and not (a.derived or b.derived) and low > 0 and high / low <= SAME_SCALE
    )


def find_quantities(sentence: str) -> list[Quantity]:
    """Return the figures stated in ``sentence`` (dates and bare years excluded), in order."""
    date_spans = [m.span() for m in MENTION.finditer(sentence)]
    found: list[Quantity] = []
    for m in _FIGURE.finditer(sentence):
        if any(s <= m.start() < e for s, e in date_spans) or _AFTER_MONTH.search(_before(sentence, m.start(), 40)):
            continue  # part of a date, or digits glued to one ("Jan 202015")
        quantity = _quantity(sentence, m, found[-1] if found else None)
        if quantity is not None:
            found.append(quantity)
    found.extend(_enumerations(sentence))
    return found


#: Characters around a figure read for its bound, hedge and noun: a clause, not the whole of a text-long "sentence"
#: (read whole for each figure, a run-on scrape full of figures took quadratic time).
_AROUND = 400


def _before(sentence: str, at: int, reach: int) -> str:
    """The text before ``at``, from the first word boundary within ``reach`` characters."""
    start = max(0, at - reach)
    space = sentence.find(" ", start, at) if start else -1
    return sentence[space + 1 if space >= 0 else start : at]


def _quantity(sentence: str, m: re.Match[str], previous: Quantity | None) -> Quantity | None:
    before, after = _before(sentence, m.start(), _AROUND), sentence[m.end() : m.end() + _AROUND]
    if m.group("word"):
        value = float(_WORD_NUMBERS[m.group("word").lower()])
        scale = _SCALES.get((m.group("wscale") or "").lower(), 1.0)
    else:
        raw = m.group("num").replace(",", "")
        value = float(raw)
        scale_word = (m.group("scale") or "").lower()
        # A lone "m"/"k" only scales money ("$5m"); elsewhere it is likely a unit such as metres.
        if scale_word in ("m", "k", "mn") and not m.group("currency"):
            scale_word = ""
        scale = _SCALES.get(scale_word, 1.0)
        if scale == 1.0 and not m.group("pct") and "." not in raw and "," not in raw and 1900 <= value <= 2100:
            return None  # a year
    value *= scale
    if value > LARGEST:
        return None  # hundreds of digits: no count anyone states (and no float holds it)
    text = m.group(0).strip()
    bound = "exact"
    for pattern, name in _BOUNDS:
        bm = pattern.search(before[-40:])
        if bm:
            bound, text = name, bm.group(1).split(",")[0].strip() + " " + text
            break
    if bound == "exact" and _HEDGE.search(before):
        bound = "approx"
    if m.group("pct"):
        return Quantity(value=value, kind="percent", text=text, unit="%", bound=bound)
    if m.group("currency"):
        return Quantity(value=value, kind="money", text=text, unit=m.group("currency"), bound=bound)
    kind = _kind(after[:80], before[-60:])
    if m.group("word") and kind not in _SPECIFIC and scale == 1.0:
        return None  # "two sides of the same coin", "four decades": words for numbers are rarely figures
    if kind is None:
        # "(1.5 million in Lebanon)": a figure with no noun of its own counts what the figure before it counted.
        if previous is not None and re.match(r"\s*(?:in|of them|of whom|to)\b", after):
            kind = previous.kind
        else:
            noun = re.match(r"\s*([a-z]+)", after)
            kind = noun.group(1).lower() if noun else "count"
    return Quantity(value=value, kind=kind, text=text, bound=bound)


def _kind(after: str, before: str) -> str | None:
    # The clause right after the figure ("... refugees have fled") is the best cue, then the words before it
    # ("the number of dead ... is 200,000"); a specific kind (deaths) anywhere beats a generic one (people).
    texts = (re.split(r"[;()]|,\s", after, maxsplit=1)[0], re.split(r"[;()]", before)[-1])
    for wanted in (_SPECIFIC, None):
        for text in texts:
            for kind, pattern in _KIND_PATTERNS:
                if (wanted is None or kind in wanted) and pattern.search(text):
                    return kind
    return None


def _enumerations(sentence: str) -> list[Quantity]:
    # "all the militias (A, B, C and D)": the list counts them even though no number is written.
    out = []
    for m in _GROUP_NOUNS.finditer(sentence):
        items = [i for i in re.split(r",\s*|\s+and\s+", m.group(2)) if i.strip()]
        if len(items) >= 3 and all(i.strip()[:1].isupper() or i.strip()[:2].islower() for i in items):
            out.append(
                Quantity(
                    value=float(len(items)),
                    kind="armed groups"
                    if m.group(1).lower() in ("militias", "factions", "groups", "brigades", "battalions")
                    else m.group(1).lower(),
                    text=m.group(0),
                    bound="exact",
                    derived=True,
                )
            )
    return out
