"""The names a country goes by in other languages, from the Unicode CLDR (Babel's locale data), so that a figure
counted "in Lebanon" meets one counted "au Liban", "в Ливане" or "في لبنان", and no other."""

from __future__ import annotations

import functools

#: English names in common use that CLDR writes otherwise ("Türkiye", "United Kingdom").
_ENGLISH_ALIASES = {"Turkey": "TR", "Britain": "GB", "America": "US", "Palestine": "PS", "Burma": "MM"}
#: A name ending in one of these is declined, or spelt with another ending, in running text ("Сирия" -> "в Сирии",
#: "Иордания" -> "из Иордании", "سوريا" -> "سورية"): it is matched without its last letter.
_INFLECTED_ENDINGS = "aeiouyаеиоуыэюяіїєәıöüاةهى"


@functools.cache
def _country_codes() -> dict[str, str]:
    from babel import Locale  # 0.1 s, and only for a passage in another language against a place

    return {name: code for code, name in Locale("en").territories.items() if code.isalpha()} | _ENGLISH_ALIASES


@functools.cache
def place_names(place: str, language: str) -> tuple[str, ...]:
    """``place`` as a text in ``language`` may write it: itself, and the country's name in ``language`` when
    ``place`` is a country's English name ("Lebanon", "fr" -> "Lebanon", "Liban")."""
    code = _country_codes().get(place)
    if code is None:
        return (place,)
    from babel import Locale, UnknownLocaleError

    try:
        local = Locale.parse(language).territories.get(code)
    except (UnknownLocaleError, ValueError):
        return (place,)
    return (place, local) if local and local != place else (place,)


def names_place(text: str, place: str, language: str) -> bool:
    """Whether ``text``, in ``language``, names ``place`` (an English name, as a claim gives it)."""
    if language == "en":
        return place in text
    lowered = text.lower()
    for name in place_names(place, language):
        name = name.lower()
        stem = name[:-1] if len(name) >= 5 and name[-1] in _INFLECTED_ENDINGS else name
        if stem in lowered:
            return True
    return False
