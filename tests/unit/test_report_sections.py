"""Existing fact-checks and encyclopedic background in every rendering: JSON (and its schema), HTML, terminal."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources

import jsonschema
import pytest

from twosource.report import render
from twosource.schema import SCHEMA_VERSION, report_from_dict, report_to_dict
from twosource.types import ArticleSource, Background, FactCheck, Report

from .test_report_html import CLAIMS, Node, by_id, parse, sample_report

SCHEMA = json.loads(resources.files("twosource.report").joinpath("report.schema.json").read_text())

REVIEW = FactCheck(
    claim_text="Forty rebels were killed near Aleppo",
    claimant="Syrian army",
    claim_date="2015-05-09",
    publisher="Misbar",
    publisher_site="misbar.com",
    url="https://misbar.com/factcheck/aleppo-40",
    title="Were 40 rebels killed near Aleppo?",
    rating="Misleading",
    review_date="2015-05-12",
)
HOSTILE_REVIEW = FactCheck(
    claim_text="<script>alert(1)</script>",
    claimant="<b>nobody</b>",
    claim_date=None,
    publisher="<svg onload=alert(1)>",
    publisher_site="",
    url="javascript:alert(1)",
    title="<script>alert(2)</script>",
    rating="<img src=x onerror=alert(1)>",
    review_date=None,
)
ALEPPO = Background(
    source="Wikipedia",
    title="Aleppo",
    url="https://en.wikipedia.org/wiki/Aleppo",
    text="Aleppo is a city in Syria, the capital of the Aleppo Governorate. " * 6,
    similarity=0.71,
)
HOSTILE_BACKGROUND = Background("Wikipedia", "<script>alert(3)</script>", "javascript:alert(3)", "<img src=x>", 0.5)


def report_with_sections() -> Report:
    """The HTML tests' sample report, its first claim with two fact-checks (one hostile) and two background
    passages (one hostile), with an id and schema version a stored report has."""
    report = sample_report()
    first = replace(report.verdicts[0], fact_checks=(REVIEW, HOSTILE_REVIEW), background=(ALEPPO, HOSTILE_BACKGROUND))
    return replace(report, id="0123456789abcdef", verdicts=(first, *report.verdicts[1:]), schema_version=SCHEMA_VERSION)


def test_the_sections_survive_the_json_round_trip_and_follow_the_schema():
    report = report_with_sections()
    document = report_to_dict(report)
    jsonschema.validate(document, SCHEMA)
    assert document["schema_version"] == "1.5"
    claim = document["claims"][0]
    assert claim["fact_checks"][0]["rating"] == "Misleading" and claim["background"][0]["similarity"] == 0.71
    assert document["claims"][1]["fact_checks"] == [] and document["claims"][1]["background"] == []
    # Passage ids are not in the schema, so the document, not the report, comes back exactly.
    rebuilt = report_from_dict(json.loads(render(report, "json")))
    assert report_to_dict(rebuilt) == document
    assert [(v.fact_checks, v.background) for v in rebuilt.verdicts] == [
        (v.fact_checks, v.background) for v in report.verdicts
    ]


def test_a_1_0_document_still_loads_and_becomes_a_valid_current_one():
    document = report_to_dict(report_with_sections())
    for claim in document["claims"]:
        del claim["fact_checks"], claim["background"]
    document["schema_version"] = "1.0"
    report = report_from_dict(document)
    assert all(v.fact_checks == () and v.background == () for v in report.verdicts)
    assert report.schema_version == SCHEMA_VERSION
    jsonschema.validate(report_to_dict(report), SCHEMA)


def test_a_document_of_another_major_version_is_refused():
    document = report_to_dict(report_with_sections()) | {"schema_version": "2.0"}
    with pytest.raises(ValueError, match=r"schema 2\.0"):
        report_from_dict(document)


def test_the_schema_rejects_a_fact_check_missing_its_rating():
    document = report_to_dict(report_with_sections())
    del document["claims"][0]["fact_checks"][0]["rating"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA)


def section(content: Node, label: str) -> Node:
    (found,) = content.find_all("section", **{"aria-label": label})
    return found


def test_html_shows_fact_checks_and_background_inside_the_claims_closed_evidence():
    page = render(report_with_sections(), "html")
    root = parse(page)
    content = by_id(root, "claim-1")
    assert any(a.tag == "details" and "open" not in a.attrs for a in content.ancestors())
    reviews = section(content, "existing fact-checks")
    assert "Existing fact-checks" in reviews.text() and "not part of the verdict" in reviews.text()
    ratings = [n.text() for n in reviews.find_all("span", class_="rating")]
    assert ratings == ["Misleading", HOSTILE_REVIEW.rating]  # the hostile one as text, in its badge
    (link,) = reviews.find_all("a")  # the hostile review's javascript: URL is not a link
    assert link.attrs["href"] == REVIEW.url and link.text() == REVIEW.title
    for shown in ("Misbar", "misbar.com", "Syrian army", "2015-05-09", "reviewed 2015-05-12", REVIEW.claim_text):
        assert shown in reviews.text(), shown
    background = section(content, "background")
    assert "Background — encyclopedic, not counted as a source" in background.text()
    assert [(a.attrs["href"], a.text()) for a in background.find_all("a")] == [(ALEPPO.url, "Aleppo")]
    assert "capital of the Aleppo Governorate" in background.text()
    # After the evidence, and only under the claim that has them.
    kinds = [n.attrs.get("class", "") for n in content.children if isinstance(n, Node)]
    assert kinds.index("aside") > max(i for i, k in enumerate(kinds) if k.startswith("ev "))
    assert not by_id(root, "claim-2").find_all("section")


def test_html_counts_fact_checks_in_the_summary_and_on_the_claim():
    root = parse(render(report_with_sections(), "html"))
    (overview,) = root.find_all("section", class_="overview")
    assert "2 existing fact-checks found for 1 claim" in overview.text()
    counts = [n.text() for n in root.find_all("span", class_="count")]
    assert counts == ["Evidence (2): 1 supports, 1 refutes · 2 fact-checks", "Evidence (3): 1 supports, 2 discuss"]
    plain = parse(render(sample_report(), "html"))
    assert "fact-check" not in plain.text()


def test_html_escapes_what_the_services_sent():
    page = render(report_with_sections(), "html")
    for raw in ("<script>alert(1)", "<script>alert(2)", "<script>alert(3)", "<img src=x", "<svg onload", "<b>nobody"):
        assert raw not in page, raw
    assert "javascript:" not in "".join(a.attrs.get("href", "") for a in parse(page).find_all("a"))
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the hostile rating shows as text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page  # the unlinked title too


def test_terminal_lists_fact_checks_and_background_under_the_claim():
    text = render(report_with_sections(), "terminal", color=False, width=100)
    first, second = text.index("1. Disputed"), text.index("2. Corroborated")
    claim = text[first:second]
    assert "Existing fact-checks" in claim and "Background (Wikipedia, not counted)" in claim
    assert "Misbar: “Misleading”" in claim and "reviewed 2015-05-12" in claim
    assert REVIEW.title in claim and REVIEW.url in claim
    assert "https://en.wikipedia.org/wiki/Aleppo" in claim and "Aleppo: Aleppo is a city in Syria" in claim
    assert "…" in claim and ALEPPO.text.strip() not in claim  # an excerpt, not the passage
    # Listed after the evidence.
    assert claim.index("Existing fact-checks") > claim.index(CLAIMS[0][0][:40]) > 0
    assert claim.index("Existing fact-checks") > claim.index("reuters")
    assert "Existing fact-checks" not in text[second:] and "Background" not in text[second:]


def test_the_terminal_report_carries_no_control_characters_from_untrusted_text():
    # An escape sequence in fetched or indexed text (here: clear the screen, retitle the window) must not reach
    # the terminal; only the renderer's own colour codes may.
    report = report_with_sections()
    hostile = replace(REVIEW, title="Clean\x1b[2J\x1b]0;pwned\x07 title", rating="Mis\x9bleading")
    first = replace(report.verdicts[0], fact_checks=(hostile,))
    report = replace(report, verdicts=(first, *report.verdicts[1:]), notes=("a note\x1b[31m in red",))
    plain = render(report, "terminal", color=False, width=100)
    coloured = render(report, "terminal", color=True, width=100)
    assert "\x1b" not in plain and "\x07" not in plain and "\x9b" not in plain
    assert "Clean[2J]0;pwned title" in plain and "a note[31m in red" in plain
    assert "\x1b[2J" not in coloured and "\x1b]0;" not in coloured and "\x1b[" in coloured  # its own colours stay


def report_with_a_source() -> Report:
    """The sample report with a text the article rewords: its passage among the first claim's evidence, as the
    article's source, and the note the verdict makes of it; one sentence pair carries hostile markup."""
    report = report_with_sections()
    first = report.verdicts[0]
    own = replace(first.evidence[0], source=True)
    note = "Only the article's own source supports it: <b>wire</b>, whose sentences the article rewords."
    first = replace(first, evidence=(own, *first.evidence[1:]), note=note)
    source = ArticleSource(
        own.passage.article_id,
        own.passage.cluster_id,
        "<b>wire</b>",
        "The army's statement",
        "javascript:alert(4)",
        "2015-05-12",
        ((CLAIMS[0][0], "The army said forty rebels died."), ("<script>alert(5)</script>", "Later, <i>more</i>.")),
    )
    summary = replace(report.summary, sources=(source,))
    return replace(report, verdicts=(first, *report.verdicts[1:]), summary=summary)


def test_the_articles_sources_survive_the_json_round_trip_and_follow_the_schema():
    report = report_with_a_source()
    document = report_to_dict(report)
    jsonschema.validate(document, SCHEMA)
    assert document["summary"]["sources"][0]["sentences"][1] == {
        "article": "<script>alert(5)</script>",
        "source": "Later, <i>more</i>.",
    }
    assert [e["role"] for e in document["claims"][0]["evidence"]] == ["article-source", "independent"]
    assert document["claims"][0]["note"].startswith("Only the article's own source")
    rebuilt = report_from_dict(json.loads(render(report, "json")))
    assert report_to_dict(rebuilt) == document
    # A 1.1 document has none of them, and reads with them empty.
    old = {
        **document,
        "schema_version": "1.1",
        "summary": {k: v for k, v in document["summary"].items() if k != "sources"},
    }
    old["claims"] = [
        {k: v for k, v in c.items() if k != "note"}
        | {"evidence": [{k: v for k, v in e.items() if k != "role"} for e in c["evidence"]]}
        for c in document["claims"]
    ]
    again = report_to_dict(report_from_dict(old))
    assert again["summary"]["sources"] == [] and again["claims"][0]["note"] == ""
    assert {e["role"] for c in again["claims"] for e in c["evidence"]} == {"independent"}


def test_html_and_terminal_show_the_articles_source_apart_and_escaped():
    report = report_with_a_source()
    page = render(report, "html")
    for raw in ("<script>alert(5)", "<b>wire</b>", "<i>more</i>"):
        assert raw not in page, raw
    assert "Where the article's wording comes from" in page and "2 sentences reworded in order" in page
    assert "the article's own source: not counted as independent" in page
    assert "javascript:" not in "".join(a.attrs.get("href", "") for a in parse(page).find_all("a"))
    text = render(report, "terminal", color=False, width=100)
    assert "Where the article's wording comes from" in text and "2 sentences reworded in order" in text
    claim = text[text.index("1. Disputed") : text.index("2. Corroborated")]
    assert "the article's source" in claim and "Only the article's own source supports it" in claim
