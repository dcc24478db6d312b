"""Evidence in other languages: an English claim checked against Arabic and French reports of its figure.

The reports are short, written after the stock paragraph AFP's Arabic and French services ran on the Syrian war's
toll in May 2015 ("more than 220,000 killed since March 2011", by the Syrian Observatory for Human Rights), each
under its own outlet, beside real English coverage (FA-KES).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from twosource import check, ingest, open_index, read_article, render
from twosource.centres import centre
from twosource.claims import claims_to_check
from twosource.errors import LanguageError
from twosource.ingestion.batch import ingest_articles
from twosource.models import embed, embed_crosslingual
from twosource.read import article_from_text
from twosource.stance import judge_stances
from twosource.types import Passage, Stance, Verdict

from ..conftest import SEED, fakes_rows, write_fakes_slice

ARABIC = (
    "قال المرصد السوري لحقوق الإنسان يوم الثلاثاء إن النزاع في سوريا أودى بحياة أكثر من 220 ألف شخص منذ "
    "اندلاعه في منتصف آذار/مارس 2011، بينهم عشرات الآلاف من المدنيين.\n\n"
    "وتدور معارك عنيفة في منطقة القلمون الجبلية على الحدود مع لبنان بين حزب الله اللبناني والجيش السوري من جهة، "
    "ومقاتلي جبهة النصرة وفصائل معارضة أخرى من جهة ثانية، بحسب المرصد."
)
FRENCH = (
    "Le conflit en Syrie a fait plus de 220 000 morts depuis son déclenchement en mars 2011, selon l'Observatoire "
    "syrien des droits de l'homme (OSDH), une ONG qui s'appuie sur un large réseau de sources dans le pays.\n\n"
    "Dans la région montagneuse du Qalamoun, à la frontière libanaise, le Hezbollah et l'armée syrienne mènent "
    "depuis plusieurs jours une offensive contre le Front al-Nosra et d'autres groupes rebelles."
)


def reports() -> list:
    """The Arabic and French reports, as read from their pages."""
    return [
        article_from_text(text, name, outlet=outlet, url=url, date="2015-05-12")
        for name, text, outlet, url in (
            ("ar.txt", ARABIC, "France 24 Arabic", "https://www.france24.com/ar/20150512-syria"),
            ("fr.txt", FRENCH, "Le Monde", "https://www.lemonde.fr/proche-orient/2015/05/12/syrie"),
        )
    ]


@pytest.fixture(scope="module")
def index_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crosslingual")
    path = folder / "index.sqlite"
    with open_index(path) as index:
        ingest([write_fakes_slice(folder / "fakes.csv", fakes_rows()[:40])], index, encoding="latin-1")
        for article in reports():
            summary = ingest_articles([article], index)
            assert summary.added == 1, summary.line()
    return path


def test_articles_in_other_languages_are_indexed_with_their_language(index_path: Path):
    with open_index(index_path, create=False) as index:
        articles = [a for a in map(index.article, index.article_ids()) if a]
        assert {a.language for a in articles} == {"en", "ar", "fr"}
        foreign = index.article_passages([a.id for a in articles if a.language != "en"])
        # Each passage of the two articles not in English, and no other, has a cross-lingual embedding.
        assert index.crosslingual_size() == sum(map(len, foreign.values())) >= 2
        assert set(index.crosslingual_vectors(index.article_passages(index.article_ids())[1])) == set()
        # Stored as the model gives them, searched less their language's centre.
        french = next(a for a in articles if a.language == "fr")
        first = foreign[french.id][0]
        (text,) = [p.text for p in index.passages([first]).values()]
        expected = centre(embed_crosslingual([text], query=False), "fr")[0]
        assert index.crosslingual_vectors([first])[first] == pytest.approx(expected, abs=2e-3)
        (stored,) = sqlite3.connect(index_path).execute(
            "SELECT vector FROM crosslingual WHERE passage_id = ?", (first,)
        )
        raw = np.frombuffer(stored[0], dtype=np.float16).astype(np.float32)
        assert raw == pytest.approx(embed_crosslingual([text], query=False)[0], abs=2e-3)


def test_an_english_claim_is_corroborated_by_arabic_and_french_reports_of_its_figure(index_path: Path):
    with open_index(index_path, create=False) as index:
        report = check(read_article(SEED), index)
    toll = next(v for v in report.verdicts if "200,000" in v.claim.text)
    foreign = {e.passage.language: e for e in toll.evidence if e.passage.language != "en"}
    assert set(foreign) == {"ar", "fr"}
    for evidence in foreign.values():
        assert evidence.stance is Stance.SUPPORTS
        assert evidence.numeric is not None and evidence.numeric.evidence_value == 220_000
        assert evidence.numeric.kind == "deaths"
        assert "does not read" in evidence.reason  # the figures decide, not a model reading English
    # Two independent outlets back it; English coverage stating other tallies (230,000) may also dispute it.
    assert {"France 24 Arabic", "Le Monde"} <= set(toll.supporting_outlets)
    assert not {"France 24 Arabic", "Le Monde"} & set(toll.refuting_outlets)
    assert toll.verdict in (Verdict.CORROBORATED, Verdict.DISPUTED)


def test_a_passage_the_stance_model_cannot_read_is_judged_by_its_figures_or_only_discusses():
    claims = claims_to_check(read_article(SEED), 64).chosen
    toll = next(c for c in claims if "200,000" in c.text)
    battle = next(c for c in claims if c.text.startswith("Hezbollah and the Syrian Army"))
    french = Passage(1, 7, "Le Monde", "2015-05-12", "Syrie", "", FRENCH, 1, language="fr")
    arabic = Passage(2, 8, "France 24 Arabic", "2015-05-12", "سوريا", "", ARABIC, 2, language="ar")
    vectors = embed([french.text, arabic.text])

    def judged(claim, similarity):
        return judge_stances(
            claim, embed([claim.text])[0], [french, arabic], vectors, crosslingual={7: similarity, 8: similarity}
        )

    for stance, _, numeric, _, _ in judged(toll, 0.45):
        assert stance is Stance.SUPPORTS and numeric is not None and numeric.evidence_value == 220_000
    # The battle in Qalamoun: on the subject, no figure to compare; never a reading the model cannot make.
    for stance, _, numeric, reason, _ in judged(battle, 0.45):
        assert (stance, numeric) == (Stance.DISCUSSES, None)
        assert "does not read" in reason and "only figures could decide" in reason
    for stance, *_ in judged(battle, 0.05):
        assert stance is Stance.UNRELATED
    # A tally of another order (the civilians among the dead), unread, is no contradiction: it only discusses.
    civilians = replace(arabic, passage_id=9, text="وثق المرصد مقتل 100 ألف مدني في سوريا.")
    ((stance, _, numeric, reason, _),) = judge_stances(
        toll, embed([toll.text])[0], [civilians], embed([civilians.text]), crosslingual={9: 0.45}
    )
    assert (stance, numeric.evidence_value) == (Stance.DISCUSSES, 100_000)
    assert "far apart" in reason and "does not read" in reason


def test_the_reports_name_the_language_and_mark_right_to_left_text(index_path: Path):
    with open_index(index_path, create=False) as index:
        report = check(read_article(SEED), index)
    page = render(report, "html")
    assert "lang='ar' dir='rtl'" in page and "lang='fr'>" in page
    assert "Arabic" in page and "French" in page
    document = json.loads(render(report, "json"))
    languages = {e["language"] for v in document["claims"] for e in v["evidence"]}
    assert {"ar", "fr", "en"} <= languages
    assert document["summary"]["outlets_by_language"]["ar"] >= 1


def test_an_article_not_in_english_is_indexed_but_not_checked(index_path: Path):
    french = article_from_text(FRENCH, "fr.txt")
    assert french.language == "fr"
    with open_index(index_path, create=False) as index, pytest.raises(LanguageError, match="French, not English"):
        check(french, index)


def test_english_evidence_is_unchanged_by_passages_in_other_languages(index_path: Path, tmp_path: Path):
    english_only = tmp_path / "en.sqlite"
    with open_index(english_only) as index:
        ingest([write_fakes_slice(tmp_path / "fakes.csv", fakes_rows()[:40])], index, encoding="latin-1")
        alone = check(read_article(SEED), index)
    with open_index(index_path, create=False) as index:
        beside = check(read_article(SEED), index)
    for a, b in zip(alone.verdicts, beside.verdicts, strict=True):
        english = [e for e in b.evidence if e.passage.language == "en"]
        assert {e.passage.url for e in english} <= {e.passage.url for e in a.evidence}
        if len(english) == len(b.evidence):
            assert (a.verdict, [e.stance for e in a.evidence]) == (b.verdict, [e.stance for e in english])


def test_an_index_of_schema_3_is_upgraded_its_articles_english(tmp_path: Path):
    path = tmp_path / "index.sqlite"
    with open_index(path) as index:
        ingest([write_fakes_slice(tmp_path / "fakes.csv", fakes_rows()[:3])], index, encoding="latin-1")
    db = sqlite3.connect(path)
    db.execute("DROP TABLE crosslingual")
    db.execute("ALTER TABLE articles DROP COLUMN language")
    db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with open_index(path, create=False) as index:
        assert {index.article(i).language for i in index.article_ids()} == {"en"}
        assert index.crosslingual_size() == 0
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("4",)
    db.close()


@pytest.mark.parametrize(
    ("language", "text", "furniture"),
    [
        (
            "ar",
            ARABIC,
            ["اقرأ أيضا: معارك القلمون تتواصل", "12 تعليقات", "جميع الحقوق محفوظة © 2015"],
        ),
        (
            "fr",
            FRENCH,
            ["Lire aussi : Au Qalamoun, le Hezbollah en première ligne", "Commentaires", "Tous droits réservés"],
        ),
    ],
)
def test_a_page_in_another_language_loses_its_furniture_and_keeps_its_sentences(language, text, furniture):
    first, second = text.split("\n\n")
    page = "\n".join([first, furniture[0], second, *furniture[1:]])
    article = article_from_text(page, f"{language}.txt")
    assert article.language == language
    assert [r.text for r in article.removed] == furniture
    assert article.text.split() == text.split()


def test_postgresql_holds_and_searches_the_cross_lingual_embeddings_as_sqlite_does(postgres_url: str, tmp_path: Path):
    claim = "More than 220,000 people have been killed in the Syrian war since March 2011."
    query = embed_crosslingual([claim], query=True)[0]
    with open_index(postgres_url) as pg, open_index(tmp_path / "index.sqlite") as lite:
        for index in (pg, lite):
            ingest([write_fakes_slice(tmp_path / "fakes.csv", fakes_rows()[:5])], index, encoding="latin-1")
            ingest_articles(reports(), index)
        assert pg.crosslingual_size() == lite.crosslingual_size() >= 2
        found = [
            [(index.passages([pid])[pid].text, round(score, 3)) for pid, score in index.crosslingual_passages(query, 5)]
            for index in (pg, lite)
        ]
        assert found[0] == found[1]
        assert {pg.passages([pid])[pid].language for pid, _ in pg.crosslingual_passages(query, 5)} == {"ar", "fr"}


def test_copies_are_found_within_a_language_and_a_translation_is_no_copy(tmp_path: Path):
    arabic, french = reports()
    excerpt = article_from_text(
        "نقلا عن وكالة الصحافة الفرنسية\n\n" + ARABIC.split("\n\n")[0], "excerpt.txt", outlet="Al-Ahed", url=""
    )
    with open_index(tmp_path / "index.sqlite") as index:
        assert ingest_articles([arabic, french], index).copies == 0  # the same story in two languages
        assert ingest_articles([excerpt], index).copies == 1  # an Arabic excerpt of the Arabic report
