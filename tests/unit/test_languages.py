"""Reading other languages: the language, sentences, figures and dates of short news sentences.

The sentences are written after the wording of the news services' own reports on the Syrian war in 2015 (AFP's
Arabic and French stock paragraph on the toll, RIA Novosti's, Anadolu's, IRNA's, EFE's, dpa's, ANSA's), in
their usual forms: Arabic-Indic and Persian digits, spaces and dots between thousands, scale words.
"""

from __future__ import annotations

import pytest

from twosource.claims.figures import find_figures
from twosource.claims.quantities import comparable, find_quantities
from twosource.dates import hijri_to_gregorian, parse_date, persian_to_gregorian
from twosource.read.language import detect_language
from twosource.sentences import split_sentences
from twosource.stance import compare_figures
from twosource.types import Claim, ClaimKind, Passage

FIGURES = [
    ("ar", "أودى النزاع في سوريا بحياة أكثر من 220 ألف شخص منذ آذار/مارس 2011.", 220_000, "deaths", "min"),
    ("ar", "وثّق المرصد مقتل ٢٣٠٬٦١٨ شخصاً منذ بدء النزاع.", 230_618, "deaths", "exact"),
    ("ar", "ونزح نحو 7.6 مليون شخص داخل البلاد.", 7_600_000, "displaced", "approx"),
    ("ar", "ولجأ أكثر من أربعة ملايين سوري، بينهم مليون لاجئ في لبنان.", 1_000_000, "refugees", "exact"),
    ("fr", "Le conflit a fait plus de 230 000 morts depuis mars 2011.", 230_000, "deaths", "min"),
    ("fr", "L'OSDH a recensé 230.618 morts, dont 11 964 enfants.", 230_618, "deaths", "exact"),
    ("fr", "Quelque 7,6 millions de personnes ont été déplacées.", 7_600_000, "displaced", "approx"),
    ("ru", "По данным правозащитников, в Сирии погибли более 230 тысяч человек.", 230_000, "deaths", "min"),
    ("ru", "Около 4 млн сирийцев стали беженцами.", 4_000_000, "refugees", "approx"),
    ("tr", "Suriye'deki iç savaşta 230 binden fazla kişi hayatını kaybetti.", 230_000, "deaths", "min"),
    ("tr", "Yaklaşık 4 milyon Suriyeli mülteci komşu ülkelere sığındı.", 4_000_000, "refugees", "approx"),
    ("fa", "در جنگ داخلی سوریه بیش از ۲۳۰ هزار نفر کشته شده‌اند.", 230_000, "deaths", "min"),
    ("es", "La guerra ha causado más de 230.000 muertos desde 2011.", 230_000, "deaths", "min"),
    ("de", "In dem Bürgerkrieg wurden mehr als 230.000 Menschen getötet.", 230_000, "deaths", "min"),
    ("it", "Il conflitto ha causato oltre 230mila morti.", 230_000, "deaths", "min"),
]


@pytest.mark.parametrize(("language", "sentence", "value", "kind", "bound"), FIGURES)
def test_a_figure_in_another_language_reads_as_an_english_one(language, sentence, value, kind, bound):
    found = [q for q in find_figures(sentence, language) if q.value == value]
    assert [(q.kind, q.bound) for q in found] == [(kind, bound)]
    assert found[0].text in sentence  # the words as written, digits and all


def test_a_figure_compares_across_languages():
    (english,) = find_quantities("More than 220,000 people have been killed in Syria since March 2011.")
    for language, sentence, *_ in FIGURES[:1] + FIGURES[4:5] + FIGURES[7:8] + FIGURES[9:10] + FIGURES[11:12]:
        (theirs,) = [q for q in find_figures(sentence, language) if q.kind == "deaths"]
        assert comparable(english, theirs), language


def test_years_dates_and_languages_it_does_not_know_state_no_figure():
    assert find_figures("Le conflit a commencé en mars 2011.", "fr") == []
    assert find_figures("Savaş 2011 yılında başladı.", "tr") == []
    assert find_figures("戦争で23万人以上が死亡した。", "ja") == []


MONTHLY = "About 6,000 people were killed in Syria last month."
PERIODS = [
    ("fr", "Plus de 6 000 personnes ont été tuées le mois dernier en Syrie.", "month"),
    ("ar", "قتل أكثر من 6 آلاف شخص في سوريا خلال الشهر الماضي.", "month"),
    ("ru", "В прошлом месяце в Сирии погибли более 6 тысяч человек.", "month"),
    ("tr", "Suriye'de geçen ay 6 binden fazla kişi hayatını kaybetti.", "month"),
    ("fa", "ماه گذشته بیش از ۶ هزار نفر در سوریه کشته شدند.", "month"),
    ("es", "Más de 6.000 personas murieron el mes pasado en Siria.", "month"),
    ("de", "Im vergangenen Jahr wurden mehr als 6.000 Menschen getötet.", "year"),
    ("it", "Oltre 6.000 morti dall’inizio del conflitto.", "running total"),
    ("fr", "Le conflit a fait 6 000 morts depuis mars 2011.", "running total"),
]


@pytest.mark.parametrize(("language", "sentence", "period"), PERIODS)
def test_a_figure_for_a_month_compares_only_with_a_month_in_any_language(language, sentence, period):
    claim = Claim(MONTHLY, 0, len(MONTHLY), ClaimKind.QUANTITY, True, 1.0, tuple(find_quantities(MONTHLY)))
    passage = Passage(1, 1, "An outlet", "2015-05-12", "", "", sentence, 1, language=language)
    figures = compare_figures(claim, passage)
    # The month's dead meet the month's dead; a year's, or the war's so far, are another count.
    assert (figures is not None and figures.agrees) == (period == "month")


IN_LEBANON = "About 1.2 million refugees are in Lebanon."
PLACES = [
    ("fr", "Le Liban accueille 1,2 million de réfugiés syriens.", True),
    ("ar", "يستضيف لبنان نحو 1.2 مليون لاجئ سوري.", True),
    ("ru", "В Ливане находятся около 1,2 млн сирийских беженцев.", True),
    ("tr", "Lübnan'da yaklaşık 1,2 milyon Suriyeli mülteci yaşıyor.", True),
    ("fa", "حدود ۱٫۲ میلیون پناهجوی سوری در لبنان زندگی می‌کنند.", True),
    ("fr", "La Turquie accueille 1,2 million de réfugiés syriens.", False),
    ("ru", "В Турции находятся около 1,2 млн сирийских беженцев.", False),
    ("ar", "يستضيف الأردن نحو 1.2 مليون لاجئ سوري.", False),
]


@pytest.mark.parametrize(("language", "sentence", "in_lebanon"), PLACES)
def test_a_figure_for_a_country_compares_only_with_one_for_that_country_in_any_language(language, sentence, in_lebanon):
    claim = Claim(IN_LEBANON, 0, len(IN_LEBANON), ClaimKind.QUANTITY, True, 1.0, tuple(find_quantities(IN_LEBANON)))
    passage = Passage(1, 1, "An outlet", "2015-05-12", "", "", sentence, 1, language=language)
    figures = compare_figures(claim, passage)
    assert (figures is not None and figures.agrees) == in_lebanon


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("12 mai 2015", "2015-05-12"),
        ("12 de mayo de 2015", "2015-05-12"),
        ("12. Mai 2015", "2015-05-12"),
        ("12 maggio 2015", "2015-05-12"),
        ("12 мая 2015 г.", "2015-05-12"),
        ("12 Mayıs 2015", "2015-05-12"),
        ("١٢ أيار/مايو ٢٠١٥", "2015-05-12"),
        ("25 كانون الأول 2014", "2014-12-25"),
        ("۲۲ اردیبهشت ۱۳۹۴", "2015-05-12"),  # the Persian calendar
        ("الأربعاء 24 رجب 1436هـ", "2015-05-13"),  # the Islamic calendar, as Gulf papers date their pages
        ("10 ذي الحجة 1436 هـ", "2015-09-24"),  # two words, in the genitive
        ("۵ ربیع‌الاول ۱۴۳۶", "2014-12-27"),  # Persian spelling, the two words joined by a zero-width non-joiner
        ("12 جُمادى الآخِرة 1436", "2015-04-02"),  # with its vowel marks
        ("الأربعاء 24 رجب 1436 هـ - 14 مايو 2015 م", "2015-05-14"),  # the Gregorian date, when both are given
        ("31 رجب 1436", None),  # a lunar month has no 31st
    ],
)
def test_dates_written_in_other_languages_and_calendars(written, iso):
    assert parse_date(written) == iso


def test_the_persian_calendar_turns_at_nowruz_and_keeps_its_leap_years():
    assert persian_to_gregorian(1394, 1, 1) == (2015, 3, 21)
    assert persian_to_gregorian(1403, 12, 30) == (2025, 3, 20)  # 1403 is a leap year
    assert persian_to_gregorian(1394, 10, 11) == (2016, 1, 1)


def test_the_islamic_calendar_meets_umm_al_qura_on_its_new_years_and_ramadans():
    assert hijri_to_gregorian(1436, 1, 1) == (2014, 10, 25)
    assert hijri_to_gregorian(1436, 9, 1) == (2015, 6, 18)
    assert hijri_to_gregorian(1432, 9, 1) == (2011, 8, 1)  # the first Ramadan of the Syrian uprising
    assert hijri_to_gregorian(1447, 9, 1) == (2026, 2, 18)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("قال المرصد السوري لحقوق الإنسان إن المعارك مستمرة في منطقة القلمون على الحدود مع لبنان.", "ar"),
        ("Le Hezbollah et l'armée syrienne mènent une offensive dans la région du Qalamoun.", "fr"),
        ("Хезболла и сирийская армия ведут наступление в районе Каламун у ливанской границы.", "ru"),
        ("Hizbullah ve Suriye ordusu Lübnan sınırındaki Kalamun bölgesinde saldırı düzenliyor.", "tr"),
        ("حزب‌الله و ارتش سوریه در منطقه قلمون در مرز لبنان عملیات می‌کنند.", "fa"),
        ("Hezbollah and the Syrian army are fighting rebels in the Qalamoun region on the Lebanese border.", "en"),
    ],
)
def test_the_language_of_a_text(text, language):
    assert detect_language(text) == language


def test_sentences_split_in_scripts_without_capitals():
    arabic = "قال المرصد إن المعارك مستمرة. وأضاف أن الحصيلة ارتفعت؟ هذا ما أكده المرصد."
    russian = "Армия заявила о наступлении. Погибли более 230 тысяч человек."
    assert len(split_sentences(arabic)) == 3 and len(split_sentences(russian)) == 2
    # A stop before a lower-case word is an abbreviation's: the sentence goes on.
    assert len(split_sentences("Il y avait env. cinq mille combattants. Puis ils sont partis.")) == 2
