"""The read stage on the seed article and on bad input."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from twosource.claims import claims_to_check
from twosource.errors import (
    BinaryInputError,
    DecodeError,
    EmptyInputError,
    ExtractError,
    LanguageError,
    SourceError,
    TooLargeError,
)
from twosource.read import read_article, read_bytes
from twosource.settings import ReadLimits

from ..conftest import FAKES, SEED


@pytest.fixture(scope="module")
def seed():
    return read_article(SEED)


def test_seed_metadata(seed):
    assert seed.title == "Qalamoun; the Battle Assad can’t afford to lose"
    assert seed.author == "Ashraf Ezzat"
    assert seed.outlet == "VT"
    assert seed.published == "2015-05-13"


def test_seed_furniture_is_removed_and_reported(seed):
    lines = [line.strip() for line in seed.text.split("\n") if line.strip()]
    assert "0" not in lines and "1972" not in lines
    for caption in (
        "Lebanese army commander gen, jean kahwagi.",
        "Qalamoun mountains along the Lebanese-Syrian border.",
        "Syrian army forces are seen in the Qalamoun mountains north of Damascus",
    ):
        assert caption not in seed.text
    for furniture in (
        "ATTENTION READERS",
        "seek corroboration",
        "cannot guarantee absolute validity",
        "Previous article",
        "Next article",
        "Egyptian born in Cairo",
        "Report by",
    ):
        assert furniture not in seed.text
    reasons = {r.reason for r in seed.removed}
    assert {
        "counter (a lone number)",
        "image caption (printed twice)",
        "byline",
        "author bio",
        "link to another article",
        "site notice or disclaimer",
    } <= reasons
    assert sum(r.reason == "image caption (printed twice)" for r in seed.removed) == 6
    # The article itself survives, first to last paragraph, and the Sources line stays as part of it.
    assert seed.text.startswith("“The Lebanese Army will not slip into any war")
    assert "Unofficially the number of dead in the Syrian War is 200,000" in seed.text
    assert "there’s a lot hanging in the balance as we approach this foreboding Qalamoun battle." in seed.text
    assert "Lebanese Daily Star – Israeli Haaretz" in seed.text


def test_html_is_extracted(tmp_path: Path):
    page = tmp_path / "page.html"
    body = "".join(f"<p>{p}</p>" for p in read_article(SEED).paragraphs)
    page.write_text(
        f"<html><head><title>Qalamoun</title></head><body><nav>Home | News</nav><article>{body}"
        "</article><footer>Copyright 2015</footer></body></html>",
        encoding="utf-8",
    )
    article = read_article(page)
    assert "Unofficially the number of dead in the Syrian War is 200,000" in article.text
    assert "Home | News" not in article.text


def test_malformed_html_with_no_text_is_rejected(tmp_path: Path):
    page = tmp_path / "broken.html"
    page.write_text("<html><body><div><p><b>unclosed <i><table><tr><td>", encoding="utf-8")
    with pytest.raises(ExtractError, match=r"broken\.html"):
        read_article(page)


def test_empty_binary_and_oversized_inputs_are_rejected(tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n\n ")
    with pytest.raises(EmptyInputError, match=r"empty\.txt"):
        read_article(empty)
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(BinaryInputError):
        read_article(binary)
    with pytest.raises(TooLargeError, match="over the limit"):
        read_article(SEED, limits=ReadLimits(max_bytes=1000))


def test_other_languages_are_read_with_their_language_and_refused_by_the_claims_stage():
    german = (
        "Die Armee hat am Samstag die Stadt eingenommen und die Regierung hat erklärt, dass der Krieg bald "
        "vorbei sein werde. Viele Menschen sind aus ihren Häusern geflohen und warten auf Hilfe aus dem Ausland, "
        "aber die Lage bleibt schwierig und niemand weiß, wie es weitergeht."
    )
    article = read_bytes(german.encode(), "de.txt", max_bytes=10**6)
    assert article.language == "de"
    with pytest.raises(LanguageError, match=r"de\.txt.*German, not English"):
        claims_to_check(article, 10)


def test_encodings_are_detected_not_turned_into_mojibake():
    text = read_article(SEED).text
    for encoded in (text.encode("utf-16"), codecs.BOM_UTF8 + text.encode("utf-8")):
        assert read_bytes(encoded, "x", max_bytes=10**7).text == text
    # Windows-1252 curly quotes and dashes, with no declaration: detected, not mojibake.
    cp1252 = text.encode("cp1252", errors="replace")
    decoded = read_bytes(cp1252, "cp1252.txt", max_bytes=10**7).text
    assert "“Terrorism and Israel are two sides of the same coin”" in decoded
    assert "â€" not in decoded


def test_a_wrong_encoding_named_explicitly_is_an_error():
    with pytest.raises(DecodeError, match="cannot decode as utf-8"):
        read_bytes(FAKES.read_bytes(), "fakes.csv", encoding="utf-8", max_bytes=10**7)


def test_urls_go_through_the_fetcher_and_its_refusals():
    # An address literal resolves without DNS: refused before any connection.
    with pytest.raises(SourceError, match=r"10\.0\.0\.1 is a private address"):
        read_article("http://10.0.0.1/story")
