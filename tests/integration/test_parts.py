"""Compound claims judged part by part: who the dead were, against real FA-KES reports, and the seed's toll."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from twosource import check, ingest, open_index, read_article, render, report_to_dict
from twosource.claims import find_claims
from twosource.claims.parts import split_parts
from twosource.claims.shares import find_shares
from twosource.models import embed
from twosource.report.claimreview import claim_reviews
from twosource.schema import report_from_dict
from twosource.stance import judge_stances
from twosource.types import Article, Claim, ClaimVerdict, Evidence, Passage, Report, Stance, Verdict
from twosource.verdict import decide_verdict

from ..conftest import SEED, fakes_rows, write_fakes_slice

SEED_TOLL = "Unofficially the number of dead in the Syrian War is 200,000, most of them civilians."


def _fakes(opening: str) -> tuple[str, str, str]:
    """Every FA-KES sentence that starts with ``opening``: (sentence, outlet, ISO date), one per row."""
    found = []
    for row in fakes_rows():
        text = row["article_content"]
        if opening in text:
            start = text.index(opening)
            month, day, year = row["date"].split("/")
            found.append(
                (text[start : text.index(".", start) + 1], row["source"], f"{year}-{int(month):02d}-{int(day):02d}")
            )
    return found


def _claim(text: str, published: str) -> Claim:
    (claim,) = [c for c in find_claims(Article(text=text, published=published)) if c.text == text]
    return replace(claim, checkworthy=True)


def test_a_compound_claim_is_cut_into_parts_with_their_offsets():
    parts = split_parts(SEED_TOLL)
    assert [p.text for p in parts] == [
        "Unofficially the number of dead in the Syrian War is 200,000",
        "most of them civilians",
    ]
    assert all(SEED_TOLL[p.start : p.end] == p.text for p in parts)
    claim = _claim(SEED_TOLL, "2015-05-13")
    assert claim.parts == parts
    assert _claim("The army said it had retaken the town.", "2015-05-13").parts == ()


def test_quotations_asides_and_slight_pieces_stay_whole():
    fought, said = _claim_text("Hezbollah and the Syrian Army"), _claim_text("“Terrorism and Israel")
    # "Hezbollah" alone is too slight to check; the bracketed list of jihadi groups is one aside.
    assert [p.text for p in split_parts(fought)] == [
        "Hezbollah and the Syrian Army have been engaged in fierce battle with Syrian rebels",
        "jihadis (mainly Al Nussra front and Ahrar El Sham) near the eastern Lebanese/Syrian borders in the "
        "Qalamoun hills",
    ]
    # The quotation is the general's whole sentence: never cut at its "and".
    assert split_parts(said)[0].text.startswith("“Terrorism and Israel are two sides of the same coin”")


def _claim_text(opening: str) -> str:
    """The seed's sentence that starts with ``opening``."""
    text = read_article(SEED).text
    start = text.index(opening)
    return text[start : text.index(".", start) + 1]


@pytest.mark.parametrize(
    ("opening", "group", "low", "high"),
    [
        ("A string of bombings near the shrine in February left 134 people dead", "civilians", 0.5, 1.0),
        ("Russian and regime air strikes killed 47 people most of them civilians", "civilians", 0.5, 1.0),
        # Two groups of one side: most were civilians, not most were women.
        ("At least 13 civilians mostly women and children were killed", "civilians", 0.5, 1.0),
    ],
)
def test_who_the_dead_were_is_read_from_real_reports(opening: str, group: str, low: float, high: float):
    sentence, _, _ = _fakes(opening)[0]
    (share,) = find_shares(sentence)
    assert (share.group, share.low, share.high) == (group, low, high)


def test_a_share_is_only_read_where_it_is_one():
    # "most of the fighters ... were from Failaq al-Sham": the fighters are who is counted, not a share of a toll.
    sentence, _, _ = _fakes("Witnesses said most of the fighters killed in the attack")[0]
    assert find_shares(sentence) == []
    # "a civil war which pits overwhelmingly Sunni Muslim rebels against ...": who fights, not who died; and
    # "targeting mostly civilian areas" counts places.
    for opening in (
        "More than 170000 people have been killed in Syrias civil war which pits",
        "targeting mostly civilian",
    ):
        sentence, _, _ = _fakes(opening)[0]
        assert find_shares(sentence) == [], sentence
    seed = SEED.read_text(encoding="utf-8")
    fled = next(s for s in seed.split(";") if "mostly to neighboring countries" in s)
    assert find_shares(fled) == []
    # A count inside a tally is a share of it, about 30 % here, with its bound.
    (share,) = find_shares("The monitor says 220,000 people have been killed, including 67,000 civilians.")
    assert share.group == "civilians" and share.low < 0.31 < share.high < 0.34
    (floor,) = find_shares("The monitor says 220,000 people have been killed, including more than 67,000 civilians.")
    assert floor.high == 1.0


def _judge(claim: Claim, reports: list[tuple[str, str, str]]) -> list[Evidence]:
    passages = [Passage(i, i, outlet, date, "", "", text, i) for i, (text, outlet, date) in enumerate(reports)]
    vectors = embed([claim.text] + [p.text for p in passages])
    judged = judge_stances(claim, vectors[0], passages, vectors[1:], claim_date="2016-06-13")
    return [
        Evidence(p, stance, score, p.outlet, numeric, reason, parts=parts)
        for p, (stance, score, numeric, reason, parts) in zip(passages, judged, strict=True)
    ]


def test_the_toll_confirmed_and_who_died_contradicted_is_partly_contradicted():
    # FA-KES rows from TRT and Daily Sabah report the same bombings: 134 dead, most of them civilians.
    reports = _fakes("bombings near the shrine in February left 134 people dead most of them civilians")
    assert {outlet for _, outlet, _ in reports} == {"trt", "dailysabah"}
    fighters = _claim(
        "A string of bombings near the shrine in February left 134 people dead, most of them fighters.", "2016-06-13"
    )
    evidence = _judge(fighters, reports)
    for e in evidence:
        assert [p.stance for p in e.parts] == [Stance.SUPPORTS, Stance.REFUTES]
        assert e.stance is Stance.REFUTES and "most of them fighters" in e.reason
    verdict = decide_verdict(fighters, evidence)
    assert verdict.verdict is Verdict.PARTLY_CONTRADICTED
    toll, who = verdict.parts
    assert toll.verdict is Verdict.CORROBORATED and who.verdict is Verdict.CONTRADICTED
    assert who.refuting_outlets == ("dailysabah", "trt") and "contradicted by dailysabah, trt" in verdict.note
    # Worded as the reports word it, every part holds.
    civilians = _claim(
        "A string of bombings near the shrine in February left 134 people dead, most of them civilians.", "2016-06-13"
    )
    held = decide_verdict(civilians, _judge(civilians, reports))
    assert held.verdict is Verdict.CORROBORATED
    assert [p.verdict for p in held.parts] == [Verdict.CORROBORATED, Verdict.CORROBORATED]


def test_a_share_of_another_events_toll_says_nothing_of_this_one():
    # 47 dead in one town, most of them civilians, is not the share of a war's 200,000.
    claim = _claim(SEED_TOLL, "2015-05-13")
    (evidence,) = _judge(claim, _fakes("Russian and regime air strikes killed 47 people most of them civilians")[:1])
    assert all(p.stance is not Stance.SUPPORTS for p in evidence.parts[1:])


def _check_seed(tmp_path: Path, tolls: tuple[str, ...]) -> Report:
    """The seed checked against the real FA-KES reports giving ``tolls``, and one monitor's count of who the dead
    were, written for this test after the shape of such reports (an agency's "including N civilians")."""
    rows = fakes_rows()
    reports = [r for r in rows if any(t in r["article_content"] for t in tolls)]
    count = dict(
        rows[0],
        unit_id="monitor-count",
        article_title="Syria death toll tops 220,000, monitor says",
        article_content=(
            "BEIRUT The Syrian Observatory for Human Rights said on Thursday that more than 220,000 people have "
            "been killed in Syria since the conflict began in March 2011, including about 67,000 civilians. The "
            "Britain-based monitor said the rest were rebel and jihadist fighters and members of the army and "
            "its allied militias. It relies on a network of sources on the ground across the country."
        ),
        source="monitor-wire",
        date="4/16/2015",
    )
    index = open_index(tmp_path / "index.sqlite")
    ingest([write_fakes_slice(tmp_path / "tolls.csv", [*reports, count])], index, encoding="latin-1")
    report = check(read_article(SEED), index)
    index.close()
    return report


#: Al-Ahram's tolls of February 2015, three months before the seed; and of July, seven weeks after it.
BEFORE = ("More than 210000 people", "says 200000 people")
AFTER = ("More than 230000 people",)


@pytest.fixture(scope="module")
def seed_toll_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _check_seed(tmp_path_factory.mktemp("before"), BEFORE)


def _toll(report: Report) -> ClaimVerdict:
    (toll,) = [v for v in report.verdicts if v.claim.text == SEED_TOLL]
    return toll


def test_the_seed_toll_holds_and_its_civilians_do_not(seed_toll_report: Report):
    toll = _toll(seed_toll_report)
    assert toll.verdict is Verdict.PARTLY_CONTRADICTED, (toll.verdict, toll.note)
    count, who = toll.parts
    assert count.verdict is Verdict.CORROBORATED and {"ahram", "monitor-wire"} <= set(count.supporting_outlets)
    assert who.verdict is Verdict.CONTRADICTED and who.refuting_outlets == ("monitor-wire",)
    assert "“most of them civilians” is contradicted by monitor-wire" in toll.note
    # "Unofficially" is the article's own hedge; the sources write the toll "200000", which is the same figure.
    assert "Unofficially" in toll.unbacked_words and "200,000" not in toll.unbacked_words


def test_a_tally_passed_later_disputes_the_count(tmp_path: Path):
    # Seven weeks on, the toll had passed 230,000: as a count of the same war, 200,000 no longer holds, so the
    # count is disputed between the reports before and after, and no longer confirmed.
    toll = _toll(_check_seed(tmp_path, BEFORE + AFTER))
    later = [e for e in toll.evidence if "230000" in e.passage.text]
    assert later and all(e.parts[0].stance is Stance.REFUTES and e.stance is Stance.REFUTES for e in later)
    assert toll.parts[0].verdict is Verdict.DISPUTED and toll.verdict is Verdict.DISPUTED


def test_every_format_carries_the_parts(seed_toll_report: Report):
    document = report_to_dict(seed_toll_report)
    schema = json.loads(resources.files("twosource.report").joinpath("report.schema.json").read_text())
    jsonschema.validate(document, schema)
    (toll,) = [c for c in document["claims"] if c["text"] == SEED_TOLL]
    assert toll["verdict"] == "partly-contradicted" and document["summary"]["counts"]["partly-contradicted"] == 1
    assert [p["verdict"] for p in toll["parts"]][1] == "contradicted"
    assert any(e["parts"] for e in toll["evidence"])
    assert report_to_dict(report_from_dict(document)) == document
    html = render(seed_toll_report, "html")
    assert "v-partly-contradicted" in html and "<q>most of them civilians</q> — " in html
    terminal = render(seed_toll_report, "terminal", width=120)
    assert "Partly contradicted" in terminal and "“most of them civilians”: Contradicted" in terminal
    (review,) = [r for r in claim_reviews(seed_toll_report) if r["claimReviewed"] == SEED_TOLL]
    assert review["reviewRating"]["alternateName"] == "Partly contradicted"
