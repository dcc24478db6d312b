"""The claims stage on the seed article: the check-worthy claims, their kinds and normalised values."""

from __future__ import annotations

import pytest

from twosource.claims import find_claims
from twosource.claims.quantities import find_quantities
from twosource.read import read_article
from twosource.types import Article, ClaimKind

from ..conftest import SEED


@pytest.fixture(scope="module")
def claims():
    return find_claims(read_article(SEED))


def claim_with(claims, words: str):
    found = [c for c in claims if words in c.text]
    assert len(found) == 1, f"{len(found)} claims contain {words!r}"
    return found[0]


def figures(claim) -> dict[str, tuple[float, str]]:
    return {q.kind: (q.value, q.bound) for q in claim.quantities}


def test_death_toll(claims):
    c = claim_with(claims, "number of dead in the Syrian War is 200,000")
    assert c.checkworthy and c.kind is ClaimKind.QUANTITY
    assert figures(c)["deaths"][0] == 200_000


def test_displaced_and_refugees(claims):
    c = claim_with(claims, "6.5 million Syrian civilians")
    assert c.checkworthy and c.kind is ClaimKind.QUANTITY
    values = [(q.value, q.kind) for q in c.quantities]
    assert values == [(6_500_000, "displaced"), (3_500_000, "refugees"), (1_500_000, "refugees")]
    assert c.quantities[0].bound == "approx"  # "About 6.5 million"
    assert "Lebanon" in {e.normalized for e in c.entities}


def test_missile_arsenal_percentage(claims):
    c = claim_with(claims, "80 percent of the Syrian army")
    assert c.checkworthy and c.kind is ClaimKind.QUANTITY
    q = c.quantities[0]
    assert (q.value, q.kind, q.unit, q.bound) == (80, "percent", "%", "min")


def test_kahwagi_quotes_name_the_speaker(claims):
    quotes = [
        claim_with(claims, "will not slip into any war"),
        claim_with(claims, "ready to confront any assault"),
        claim_with(claims, "two sides of the same coin"),
    ]
    for c in quotes:
        assert c.checkworthy and c.kind is ClaimKind.QUOTE
        assert c.speaker == "Jean Kahwagi"
    assert [d.value for d in quotes[2].dates] == ["2015-05-06"]  # "declared on May 6th", in a May 2015 article


def test_seven_factions_since_march_2015(claims):
    c = claim_with(claims, "Army of conquest’")
    assert c.checkworthy and c.kind is ClaimKind.EVENT
    assert figures(c)["armed groups"][0] == 7
    assert [d.value for d in c.dates] == ["2015-03"]
    assert {"al-Nusra Front", "Jund al-Aqsa"} <= {e.normalized for e in c.entities}


def test_iran_march_offensives(claims):
    c = claim_with(claims, "In March Iran organized major operations")
    assert c.checkworthy and c.kind is ClaimKind.EVENT
    assert [d.value for d in c.dates] == ["2015-03"]
    assert {"Iran", "Syria"} <= {e.normalized for e in c.entities}


def test_hezbollah_backed_troops_take_hills(claims):
    c = claim_with(claims, "Hezbollah-backed Syrian troops took over large hills in the Qalamoun area")
    assert c.checkworthy and c.kind is ClaimKind.EVENT


@pytest.mark.parametrize(
    "words",
    [
        "as a lone hero",
        "wise enough to recognize ISIL",
        "mad dogs of ISIL",
        "I wonder what kind of horror",
        "Make no mistake",
    ],
)
def test_opinions_are_never_checked(claims, words):
    c = claim_with(claims, words)
    assert c.kind is ClaimKind.OPINION and not c.checkworthy


def test_predictions_are_listed_not_checked(claims):
    c = claim_with(claims, "the Islamist takfiris will be back")
    assert c.kind is ClaimKind.PREDICTION and not c.checkworthy


def test_page_headings_and_source_lists_are_not_claims(claims):
    assert not [c for c in claims if c.text.startswith(("Sources", "Lebanese Daily Star"))]


def test_spans_point_into_the_article(claims):
    text = read_article(SEED).text
    assert all(text[c.start : c.end] == c.text for c in claims)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The death toll from the bomb attack reached at least 112 people.", [(112, "deaths", "min")]),
        ("The war has killed more than 220,000 people, the UN says.", [(220_000, "deaths", "min")]),
        ("Profits slumped 27% to $284m.", [(27, "percent", "exact"), (284_000_000, "money", "exact")]),
        ("Nearly four million refugees have fled Syria since 2011.", [(4_000_000, "refugees", "approx")]),
        ("Terrorism and Israel are two sides of the same coin.", []),
    ],
)
def test_quantities_are_normalised(sentence, expected):
    assert [(q.value, q.kind, q.bound) for q in find_quantities(sentence)] == expected


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        # A sentence that opens inside a quote begun in the previous one.
        ('I had to stay calm and trust my training," said the driver.', ClaimKind.QUOTE),
        ("According to analysts, aircraft dropped more than 1000 bombs on the city last week.", ClaimKind.QUOTE),
        ("Victims include eight children, the monitoring group says.", ClaimKind.QUOTE),
        # A short quoted word is not a quote, and its closing mark does not open one.
        ('Officials called the talks a "success" on Monday after the ministers met in Geneva.', ClaimKind.EVENT),
        # A casualty report is a quantity whatever caused the deaths.
        ("Three people were killed on Wednesday due to rocket fire on the old city.", ClaimKind.QUANTITY),
        ("Strong demand for copper helped boost exports in the second half of the year.", ClaimKind.CAUSAL),
        ("Confirmed cases rose in the north of the country during the spring.", ClaimKind.EVENT),
    ],
)
def test_kinds_of_single_sentences(sentence, kind):
    (claim,) = find_claims(Article(text=sentence))
    assert claim.kind is kind, claim.cues
