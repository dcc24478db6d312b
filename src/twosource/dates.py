"""Dates: parse the forms found in metadata and normalise the ones written in sentences."""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
MONTH_NAMES = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
# "May 6th, 2015", "May 6", "6 May 2015", "March 2015", "March"
MENTION = re.compile(
    rf"\b(?:{MONTH_NAMES}\.?\s+{_DAY}(?:,?\s+(\d{{4}}))?(?!\d)"
    rf"|{_DAY}\s+{MONTH_NAMES}\.?(?:,?\s+(\d{{4}}))?"
    rf"|{MONTH_NAMES}\.?(?:\s+(?:of\s+)?(\d{{4}}))?)\b"
)
_YEAR = re.compile(r"\b(?:in|since|by|until|of|during)\s+((?:19|20)\d{2})\b")


def parse_date(value: str | None) -> str | None:
    """Return ``value`` as an ISO date (YYYY-MM-DD), or None when it is not a recognisable date.

    Accepts ISO (with or without time), US M/D/YYYY (FA-KES), and written forms such as "13 May 2015".
    """
    if not value or not value.strip():
        return None
    value = value.strip()
    for pattern, order in ((_ISO, "ymd"), (_US, "mdy")):
        m = pattern.search(value)
        if m:
            parts = dict(zip(order, (int(g) for g in m.groups()), strict=True))
            return _iso(parts["y"], parts["m"], parts["d"])
    m = MENTION.search(value)
    if m:
        mention = normalize_mention(m.group(0), None)
        if mention and len(mention) == 10:
            return mention
    return None


def given_date(value: str) -> str:
    """Return a date a person gave (``--date``, a form's date) as YYYY-MM-DD; ValueError, in one line, when the
    value is not such a date. Stricter than ``parse_date``: a typing slip is said, never dropped or mended."""
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{value!r} is not a date of the calendar") from None
    raise ValueError(f"{value!r} is not a date written YYYY-MM-DD")


def normalize_mention(text: str, reference: str | None) -> str | None:
    """Return a date written in a sentence as ISO (``2015-05-06``) or a partial (``2015-03``).

    A missing year is taken from ``reference`` (the article's date), choosing the latest such
    date not after it: "In March" in a May 2015 article is March 2015.
    """
    words = re.findall(r"[A-Za-z]+|\d+", text)
    month = next((_MONTHS[w.lower()] for w in words if w.lower() in _MONTHS), None)
    numbers = [int(w) for w in words if w.isdigit()]
    year = next((n for n in numbers if n > 31), None)
    day = next((n for n in numbers if n <= 31), None)
    if month is None:
        return str(year) if year else None
    if year is None:
        if not reference:
            return None
        ref = date.fromisoformat(reference)
        year = ref.year if (month, day or 1) <= (ref.month, ref.day) else ref.year - 1
    if day is None:
        return f"{year:04d}-{month:02d}"
    return _iso(year, month, day)


def find_years(text: str) -> list[tuple[str, str]]:
    """Return bare years introduced by a preposition ("since 2013"), as (text, year)."""
    return [(m.group(0), m.group(1)) for m in _YEAR.finditer(text)]


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def days_between(a: str | None, b: str | None) -> int | None:
    """Return the absolute number of days between two ISO dates (partial dates count from their start)."""
    if not a or not b:
        return None
    return abs((_start(a) - _start(b)).days)


def _start(value: str) -> date:
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2])
