"""Figures in Arabic, French, Russian, Turkish, Persian, Spanish, German and Italian text, normalised as English
ones are (value, what is counted, bound), so that a passage's figure compares with an English claim's.

"أودى النزاع بحياة أكثر من 220 ألف شخص" -> 220,000 deaths (min); "plus de 220 000 morts" -> the same;
"٢٣٠٬٦١٨ قتيلا" -> 230,618 deaths. Arabic-Indic and Persian digits and separators are read as ASCII ones; a
thousands separator may be a space (plain, no-break, thin), a dot (where a comma marks decimals) or a comma.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..dates import ASCII_DIGITS
from ..types import Quantity
from .quantities import find_quantities

#: Arabic-Indic and Persian digits, the Arabic decimal and thousands separators: one ASCII character each, so
#: that offsets in the translated text are offsets in the original.
_DIGITS = ASCII_DIGITS | str.maketrans("٫٬", ".,")
_SPACES = " \u00a0\u202f\u2009"


@dataclass(frozen=True)
class Cues:
    """How a language writes figures: its decimal mark, its words for thousands and millions, the words around a
    figure that say what it counts (stems, matched within words: Arabic attaches its articles and conjunctions),
    and those that say it is a floor, a ceiling or an estimate."""

    decimal_comma: bool
    scales: dict[str, float]
    kinds: tuple[tuple[str, str], ...]
    more: str
    less: str
    about: str
    #: A scale word alone, no digits, that states a figure ("مليون لاجئ", "un million de réfugiés").
    lone: dict[str, float] | None = None
    #: Words after the figure making it a floor ("220 binden fazla").
    more_after: str = ""
    #: Words making a figure a running total ("depuis mars 2011", "منذ"), and those making it a day's, a week's, a
    #: month's or a year's ("le mois dernier", "العام الماضي"), as ``stance`` reads English ones.
    since: str = ""
    periods: tuple[tuple[str, str], ...] = ()


_THOUSAND, _MILLION, _BILLION = 1e3, 1e6, 1e9

LANGUAGES: dict[str, Cues] = {
    "ar": Cues(
        decimal_comma=False,
        scales={"ألف": _THOUSAND, "آلاف": _THOUSAND, "الف": _THOUSAND, "مليون": _MILLION, "ملايين": _MILLION}
        | {"مليار": _BILLION, "مليارات": _BILLION},
        kinds=(
            ("deaths", "قتيل|قتلى|قتل|مقتل|شهيد|شهداء|وفاة|وفيات|حتفهم|بحياة|ضحية|ضحايا|لقوا|لقي"),
            ("injured", "جريح|جرحى|إصابة|مصاب"),
            ("displaced", "نازح|نزوح|نزح|مهجر|تهجير"),
            ("refugees", "لاجئ|لجوء|لجأ|فروا"),
            ("detained", "معتقل|اعتقال|أسير|أسرى|محتجز"),
        ),
        more="أكثر من|ما يزيد عن|ما يزيد على|ما لا يقل عن|أزيد من|يزيد على|يتجاوز|تجاوز",
        less="أقل من",
        about="نحو|حوالي|حوالى|قرابة|زهاء|ما يقارب|ما يناهز|تقريبا",
        lone={"مليون": _MILLION, "مليار": _BILLION},
        since="منذ|حتى الآن|حتى اليوم|إجمالي|الإجمالي|بدء|بداية|اندلاع",
        periods=(
            ("day", "يوميا|يومياً|في اليوم|كل يوم"),
            ("week", "الأسبوع الماضي|هذا الأسبوع|الأسبوع الفائت|أسبوعيا|في الأسبوع"),
            ("month", "الشهر الماضي|هذا الشهر|الشهر الفائت|الشهر الجاري|شهريا|في الشهر|خلال شهر"),
            ("year", "العام الماضي|السنة الماضية|هذا العام|العام الجاري|العام الفائت|سنويا|في العام|خلال عام"),
        ),
    ),
    "fa": Cues(
        decimal_comma=False,
        scales={"هزار": _THOUSAND, "میلیون": _MILLION, "ميليون": _MILLION, "میلیارد": _BILLION},
        kinds=(
            ("deaths", "کشته|جان باخت|جان خود را از دست|قربانی|کشتار"),
            ("injured", "زخمی|مجروح"),
            ("displaced", "آواره|بی‌خانمان"),
            ("refugees", "پناهجو|پناهنده"),
            ("detained", "بازداشت|زندانی"),
        ),
        more="بیش از|بالغ بر|دست‌کم|دستکم|حداقل",
        less="کمتر از",
        about="حدود|نزدیک به|تقریبا|تقریباً",
        lone={"یک میلیون": _MILLION},
        since="از آغاز|از ابتدای|از شروع|از زمان|تاکنون|تا کنون|تا به حال|مجموع",
        periods=(
            ("day", "روزانه|در روز|هر روز"),
            ("week", "هفته گذشته|هفته پیش|این هفته|هفتگی|در هفته"),
            ("month", "ماه گذشته|ماه پیش|این ماه|ماهانه|در ماه"),
            ("year", "سال گذشته|سال پیش|امسال|سالانه|در سال"),
        ),
    ),
    "fr": Cues(
        decimal_comma=True,
        scales={"mille": _THOUSAND, "millions": _MILLION, "million": _MILLION, "milliards": _BILLION}
        | {"milliard": _BILLION},
        kinds=(
            ("deaths", "morts|mort |tués|tuées|tué |décès|victimes|ont péri|bilan|trouvé la mort"),
            ("injured", "blessés|blessé"),
            ("displaced", "déplacés|déplacées|déplacé"),
            ("refugees", "réfugiés|réfugié|exilés"),
            ("detained", "détenus|arrêtés|arrêtées|prisonniers|interpellés"),
        ),
        more="plus de|au moins|au-delà de|dépassant",
        less="moins de|jusqu'à",
        about="environ|près de|quelque|presque|approximativement|autour de",
        lone={"un million": _MILLION, "un milliard": _BILLION},
        since="depuis|jusqu'ici|jusqu'à présent|à ce jour|au total|en tout|au début|le début",
        periods=(
            ("day", "par jour|chaque jour|quotidiennement"),
            ("week", "la semaine|cette semaine|par semaine|chaque semaine|hebdomadaire"),
            (
                "month",
                "le mois dernier|ce mois|au cours du mois|durant le mois|pendant le mois|par mois|chaque mois|mensuel",
            ),
            ("year", "l'année dernière|l'an dernier|l'an passé|cette année|par an|chaque année|annuel"),
        ),
    ),
    "ru": Cues(
        decimal_comma=True,
        scales={"тысяч": _THOUSAND, "тысячи": _THOUSAND, "тысяча": _THOUSAND, "тыс.": _THOUSAND, "тыс": _THOUSAND}
        | {"миллиона": _MILLION, "миллионов": _MILLION, "миллион": _MILLION, "млн": _MILLION}
        | {"миллиарда": _BILLION, "миллиардов": _BILLION, "млрд": _BILLION},
        kinds=(
            ("deaths", "погиб|убит|жертв|смерт|гибел"),
            ("injured", "ранен|пострадавш"),
            ("displaced", "переселен|перемещ|лишились крова"),
            ("refugees", "беженц|бежали"),
            ("detained", "задержан|арестован|пленн|заключенн"),
        ),
        more="более|свыше|больше|не менее|по меньшей мере|как минимум",
        less="менее|меньше|не более",
        about="около|почти|примерно|порядка|приблизительно|до",
        lone={"миллион": _MILLION},
        since=r"с начала|с момента|с \d{4}|всего|в общей сложности|за (?:все|всё) время|на сегодняшний день"
        r"|к настоящему времени",
        periods=(
            ("day", "в день|ежедневно|каждый день|за сутки"),
            ("week", "(?:на|за) (?:прошлой|этой) неделе|за неделю|в неделю|еженедельно"),
            ("month", "(?:в|за) (?:прошлом|этом) месяце|за (?:прошлый )?месяц|в месяц|ежемесячно"),
            ("year", "(?:в|за) (?:прошлом|этом) году|за (?:прошлый )?год|в год|ежегодно"),
        ),
    ),
    "tr": Cues(
        decimal_comma=True,
        scales={"bin": _THOUSAND, "milyon": _MILLION, "milyar": _BILLION},
        kinds=(
            ("deaths", "öldü|ölü|öldürül|hayatını kaybet|can verdi|yaşamını yitir|ölüm"),
            ("injured", "yaralı|yaralan"),
            ("displaced", "yerinden edil|yurtlarından|evlerini terk"),
            ("refugees", "mülteci|sığınmacı|kaçtı"),
            ("detained", "gözaltı|tutukla|esir"),
        ),
        more="en az|asgari",
        less="en fazla",
        about="yaklaşık|tahminen|kabaca",
        lone={"bir milyon": _MILLION},
        more_after="fazla|aşkın|üzerinde",
        since="beri|bu yana|itibaren|başından|başlangıcından|toplam|şimdiye kadar|bugüne kadar",
        periods=(
            ("day", "günde|her gün|günlük"),
            ("week", "geçen hafta|bu hafta|haftada|her hafta|haftalık"),
            ("month", "geçen ay|bu ay|ayda|her ay|aylık"),
            ("year", "geçen yıl|bu yıl|geçen sene|bu sene|yılda|her yıl|yıllık"),
        ),
    ),
    "es": Cues(
        decimal_comma=True,
        scales={"mil": _THOUSAND, "millones": _MILLION, "millón": _MILLION, "millardos": _BILLION},
        kinds=(
            ("deaths", "muertos|muertes|murieron|han muerto|fallecid|víctimas mortales|asesinad|perdieron la vida"),
            ("injured", "heridos|herido"),
            ("displaced", "desplazados|desplazadas"),
            ("refugees", "refugiados|exiliados"),
            ("detained", "detenidos|arrestados|presos"),
        ),
        more="más de|al menos|por lo menos",
        less="menos de|hasta",
        about="unos|unas|cerca de|alrededor de|casi|aproximadamente",
        lone={"un millón": _MILLION},
        since="desde|hasta ahora|hasta la fecha|en total|el inicio|el comienzo",
        periods=(
            ("day", "al día|por día|cada día|diarios|diarias"),
            ("week", "la semana pasada|esta semana|por semana|cada semana|semanal"),
            ("month", "el mes pasado|este mes|durante el mes|al mes|por mes|cada mes|mensual"),
            ("year", "el año pasado|este año|al año|por año|cada año|anual"),
        ),
    ),
    "de": Cues(
        decimal_comma=True,
        scales={"tausend": _THOUSAND, "millionen": _MILLION, "million": _MILLION, "mio.": _MILLION}
        | {"milliarden": _BILLION, "milliarde": _BILLION, "mrd.": _BILLION},
        kinds=(
            ("deaths", "tote|getötet|ums leben|starben|opfer"),
            ("injured", "verletzt"),
            ("displaced", "vertrieben|binnenflüchtling"),
            ("refugees", "flüchtling|geflüchtet|geflohen"),
            ("detained", "festgenommen|inhaftiert|gefangen"),
        ),
        more="mehr als|über|mindestens",
        less="weniger als|bis zu",
        about="rund|etwa|fast|knapp|ungefähr|nahezu",
        lone={"eine million": _MILLION},
        since="seit|bisher|bislang|insgesamt|beginn",
        periods=(
            ("day", "pro tag|täglich|am tag"),
            ("week", "(?:letzten|vergangenen|dieser|diese) woche|pro woche|wöchentlich"),
            ("month", "(?:letzten|vergangenen|diesem|diesen) monat|im monat|pro monat|monatlich"),
            ("year", "(?:letzten|vergangenen|diesem|dieses) jahr|pro jahr|jährlich"),
        ),
    ),
    "it": Cues(
        decimal_comma=True,
        scales={"mila": _THOUSAND, "milioni": _MILLION, "milione": _MILLION, "miliardi": _BILLION},
        kinds=(
            ("deaths", "morti|uccis|vittime|decessi|hanno perso la vita"),
            ("injured", "feriti|ferito"),
            ("displaced", "sfollati|sfollate"),
            ("refugees", "rifugiati|profughi"),
            ("detained", "arrestati|detenuti|prigionieri"),
        ),
        more="più di|oltre|almeno",
        less="meno di|fino a",
        about="circa|quasi|intorno a|pressoché",
        lone={"un milione": _MILLION},
        since=r"dall'inizio|dal \d{4}|da quando|finora|fino ad oggi|in totale|complessivamente",
        periods=(
            ("day", "al giorno|ogni giorno|quotidian"),
            ("week", "la settimana scorsa|questa settimana|a settimana|ogni settimana|settimanal"),
            ("month", "il mese scorso|lo scorso mese|questo mese|al mese|ogni mese|mensil"),
            ("year", "l'anno scorso|lo scorso anno|quest'anno|all'anno|ogni anno|annual"),
        ),
    ),
}


def find_figures(text: str, language: str) -> list[Quantity]:
    """Return the figures ``text`` states, as ``claims.quantities`` finds them in English: in ``language``'s words
    where twosource knows them (``LANGUAGES``), none in a language it does not."""
    if language == "en":
        return find_quantities(text)
    cues = LANGUAGES.get(language)
    if cues is None:
        return []
    plain = text.translate(_DIGITS)
    found = []
    for m in _pattern(language).finditer(plain):
        quantity = _quantity(text, plain, m, cues)
        if quantity is not None:
            found.append(quantity)
    return found


#: The figures of a passage in any language, found once however many claims' searches and stances read it
#: (callers do not change the list).
figures_in = functools.lru_cache(maxsize=4096)(find_figures)


@functools.cache
def period_cues(language: str) -> tuple[re.Pattern[str], tuple[tuple[str, re.Pattern[str]], ...]] | None:
    """``language``'s words for a running total and for a day's, week's, month's or year's figure, compiled; None for
    a language twosource reads no figures in."""
    cues = LANGUAGES.get(language)
    if cues is None:
        return None
    edge = "" if language == "ar" else r"(?<!\w)"  # Arabic attaches its conjunctions and prepositions: "ومنذ"

    def compiled(words: str) -> re.Pattern[str]:
        return re.compile(rf"{edge}(?:{words})", re.I)

    return compiled(cues.since), tuple((name, compiled(words)) for name, words in cues.periods)


@functools.cache
def _pattern(language: str) -> re.Pattern[str]:
    cues = LANGUAGES[language]
    if cues.decimal_comma:
        number = rf"\d{{1,3}}(?:[{_SPACES}.]\d{{3}})+(?:,\d+)?(?![\d.])|\d+(?:,\d+)?"
    else:
        number = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d+(?:\.\d+)?"
    scales = "|".join(re.escape(w) for w in sorted(cues.scales, key=len, reverse=True))
    suffix = r"\w*" if language == "tr" else ""  # Turkish suffixes its words: "binden", "milyonu"
    lone = "|".join(re.escape(w) for w in sorted(cues.lone or {}, key=len, reverse=True))
    return re.compile(
        rf"(?<![\w.,])(?P<num>{number})(?:\s*(?P<scale>{scales}){suffix}(?!\w))?"
        + (rf"|(?<!\w)(?P<lone>{lone})(?!\w)" if lone else ""),
        re.I,
    )


def _quantity(text: str, plain: str, m: re.Match[str], cues: Cues) -> Quantity | None:
    if m.group("lone"):
        value = (cues.lone or {})[m.group("lone").lower()]
    else:
        raw, scale = m.group("num"), m.group("scale")
        value = _as_number(raw, cues)
        if not scale and raw.isdigit() and 1900 <= value <= 2100:
            return None  # a year
        if scale:
            value *= cues.scales[scale.lower()]
    before, after = plain[max(0, m.start() - 60) : m.start()], plain[m.end() : m.end() + 60]
    kind = _kind(after, before, cues)
    if kind is None:
        return None  # only a figure whose kind is known compares with a claim's
    bound = "exact"
    for name, cue in (("min", cues.more), ("max", cues.less), ("approx", cues.about)):
        if re.search(rf"(?:{cue})\s*$", before[-40:], re.I):
            bound = name
            break
    if bound == "exact" and cues.more_after and re.match(rf"\w*\s+(?:{cues.more_after})", plain[m.end() :], re.I):
        bound = "min"
    return Quantity(value=value, kind=kind, text=text[m.start() : m.end()].strip(), bound=bound)


def _as_number(raw: str, cues: Cues) -> float:
    """The value of digits with the language's separators: spaces and (where a comma marks decimals) dots group
    thousands, else commas do."""
    digits = raw
    for space in _SPACES:
        digits = digits.replace(space, "")
    return float(digits.replace(".", "").replace(",", ".") if cues.decimal_comma else digits.replace(",", ""))


def _kind(after: str, before: str, cues: Cues) -> str | None:
    # The words right after the figure first, then those before it ("أودى بحياة أكثر من 220 ألف شخص"), each up to
    # a comma or a bracket: what the figure counts, not the rest of the sentence.
    texts = (re.split(r"[;,،()]", after, maxsplit=1)[0], re.split(r"[;()،.]", before)[-1])
    for text in texts:
        for kind, stems in cues.kinds:
            if re.search(stems, text, re.I):
                return kind
    return None
