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
    return _written_in_another_language(value)


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


# Arabic script's vowel marks go, and its letters written two ways (Persian and Arabic yeh and kaf, alef maqsura)
# are read as one, so that a month is found however it is spelt.
_ARABIC_SPELLING = str.maketrans({**dict.fromkeys(map(chr, range(0x064B, 0x0653))), "ی": "ي", "ى": "ي", "ک": "ك"})


def _month_key(name: str) -> str:
    return name.lower().translate(_ARABIC_SPELLING)


# Months as news in other languages names them: French, Spanish, German, Italian, Russian (both cases), Turkish,
# Arabic (the Egyptian and Gulf names and the Levantine ones, often written together: "أيار/مايو"), and Persian's
# names for the Gregorian months; lower case, with the accentless spellings in use.
_FOREIGN_MONTHS = {
    _month_key(name): i + 1
    for names in (
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
        "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre",
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
        "januar februar märz april mai juni juli august september oktober november dezember",
        "jänner februar maerz april mai juni juli august september oktober november dezember",
        "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
        "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
        "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь",
        "ocak şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık",
        "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر",
        "يناير فبراير مارس ابريل مايو يونيه يوليه اغسطس سبتمبر اكتوبر نوفمبر ديسمبر",
        "كانون_الثاني شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين_الأول تشرين_الثاني كانون_الأول",
        "ژانویه فوریه مارس آوریل مه ژوئن ژوئیه اوت سپتامبر اکتبر نوامبر دسامبر",
    )
    for i, name in enumerate(names.split())
}
# The Persian (solar hijri) calendar's months, the calendar of Iran's news.
_PERSIAN_MONTHS = "فروردین اردیبهشت خرداد تیر مرداد شهریور مهر آبان آذر دی بهمن اسفند"
# The Islamic (lunar hijri) calendar's months, beside the Gregorian date in Gulf and Saudi news ("24 رجب 1436 هـ"),
# in their Arabic and Persian spellings; a two-word name is joined by "_" before the match ("ذو_الحجة").
_HIJRI_MONTHS = (
    "محرم",
    "صفر",
    "ربيع_الأول ربيع_الاول ربيع_أول",
    "ربيع_الآخر ربيع_الاخر ربيع_الثاني ربيع_ثاني",
    "جمادى_الأولى جمادى_الاولى جمادى_الأول جمادى_الاول",
    "جمادى_الآخرة جمادى_الاخرة جمادى_الثانية جمادى_الآخر جمادى_الثاني",
    "رجب",
    "شعبان",
    "رمضان",
    "شوال",
    "ذو_القعدة ذي_القعدة",
    "ذو_الحجة ذي_الحجة",
)
#: Arabic-Indic and Persian digits as ASCII ones, one character each (offsets are kept).
ASCII_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Day, month, year.
_WRITTEN = re.compile(r"(\d{1,2})\.?\s+(?:de\s+)?([^\W\d]+)(?:/[^\W\d_]+)?,?\s+(?:de\s+)?(\d{4})")
# The first word of a two-word month name, as _ARABIC_SPELLING spells it: Levantine ("كانون الأول") and lunar
# hijri ("ذو الحجة", "ربیع‌الاول").
_TWO_WORD_MONTH = re.compile(r"(كانون|تشرين|ربيع|جمادي|ذو|ذي)(?:\s+|\u200c)")


def _written_in_another_language(value: str) -> str | None:
    """A date written day, month, year in another language ("12 mai 2015", "١٢ أيار/مايو ٢٠١٥"), or in the Persian
    or the Islamic calendar ("۲۲ اردیبهشت ۱۳۹۴", "24 رجب 1436 هـ"), as ISO. A Gregorian date is preferred: news
    giving both writes the Islamic one first, and the arithmetic calendar can miss a sighted month by a day."""
    text = _TWO_WORD_MONTH.sub(r"\1_", value.translate(ASCII_DIGITS).translate(_ARABIC_SPELLING))
    other: str | None = None
    for m in _WRITTEN.finditer(text):
        day, month, year = int(m.group(1)), m.group(2).lower(), int(m.group(3))  # spelt as _month_key spells
        if month in _FOREIGN_MONTHS:
            return _iso(year, _FOREIGN_MONTHS[month], day)
        if month in _OTHER_CALENDARS and year < 1700 and other is None:
            to_gregorian, number, longest = _OTHER_CALENDARS[month]
            other = _iso(*to_gregorian(year, number, day)) if 1 <= day <= longest else None
    return other


def hijri_to_gregorian(year: int, month: int, day: int) -> tuple[int, int, int]:
    """A date of the Islamic (lunar hijri) calendar in the Gregorian one, by the arithmetic calendar, which agrees
    with Saudi Arabia's Umm al-Qura to a day: 24 Rajab 1436 is 13 May 2015."""
    epoch = 227014  # the day before 1 Muharram 1 (16 July 622, Julian), counted as date.toordinal counts
    days = epoch + (year - 1) * 354 + (3 + 11 * year) // 30 + 29 * (month - 1) + month // 2 + day
    found = date.fromordinal(days)
    return found.year, found.month, found.day


def persian_to_gregorian(year: int, month: int, day: int) -> tuple[int, int, int]:
    """A date of the Persian (solar hijri) calendar in the Gregorian one: 1 Farvardin 1394 is 21 March 2015."""
    days = (
        -355668
        + 365 * (year + 1595)
        + (year + 1595) // 33 * 8
        + ((year + 1595) % 33 + 3) // 4
        + day
        + ((month - 1) * 31 if month < 7 else (month - 7) * 30 + 186)
    )
    gy = 400 * (days // 146097)
    days %= 146097
    if days > 36524:
        days -= 1
        gy += 100 * (days // 36524)
        days %= 36524
        if days >= 365:
            days += 1
    gy += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        gy += (days - 1) // 365
        days = (days - 1) % 365
    leap = gy % 4 == 0 and (gy % 100 != 0 or gy % 400 == 0)
    lengths = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    gd, gm = days + 1, 0
    while gd > lengths[gm]:
        gd -= lengths[gm]
        gm += 1
    return gy, gm + 1, gd


#: Month name (as ``_month_key`` spells it) -> the calendar's conversion, the month's number, its longest length.
_OTHER_CALENDARS = {
    **{
        _month_key(name): (persian_to_gregorian, i + 1, 31 if i < 6 else 30)
        for i, name in enumerate(_PERSIAN_MONTHS.split())
    },
    **{
        _month_key(name): (hijri_to_gregorian, i + 1, 30)
        for i, names in enumerate(_HIJRI_MONTHS)
        for name in names.split()
    },
}


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
