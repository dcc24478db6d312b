"""check end to end against a real FA-KES index: evidence, independence, and every report format."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from twosource import check, open_index, read_article, render, report_to_dict
from twosource.cli import cli
from twosource.independence import OutletNames, Own, independent
from twosource.outlets import Outlets
from twosource.read import article_from_text
from twosource.read.collection import iter_articles
from twosource.read.credits import find_credit
from twosource.retrieve import Query, search
from twosource.types import Article, Stance, Verdict

from ..conftest import FAKES, FAKES_CLI, SEED, fakes_rows


def fakes_article(row: int) -> Article:
    return next(
        a
        for a in iter_articles([FAKES], encoding="latin-1")
        if isinstance(a, Article) and a.origin.endswith(f":row {row}")
    )


@pytest.fixture(scope="module")
def seed_report(fakes_index_path: Path):
    index = open_index(fakes_index_path, create=False)
    report = check(read_article(SEED), index)
    index.close()
    return report


def test_checking_a_fakes_article_finds_other_outlets(fakes_index_path: Path):
    article = fakes_article(3)  # nna, 16 Apr 2017: the bombing of a bus convoy outside Aleppo
    index = open_index(fakes_index_path, create=False)
    report = check(article, index)
    evidence = [e for v in report.verdicts for e in v.evidence]
    assert evidence
    assert all(e.passage.outlet != "nna" and e.independent_outlet != "nna" for e in evidence)
    assert any(v.verdict is Verdict.CORROBORATED for v in report.verdicts)
    corroborated = next(v for v in report.verdicts if v.verdict is Verdict.CORROBORATED)
    assert len(corroborated.supporting_outlets) >= 2 and "nna" not in corroborated.supporting_outlets
    # The article itself is in the index and never its own evidence.
    own = next(a.cluster_id for a in map(index.article, range(1, 800)) if a and a.origin == article.origin)
    assert all(e.passage.cluster_id != own for e in evidence)
    index.close()


def test_a_copy_under_another_outlet_never_corroborates_the_original(tmp_path: Path, small_csv: Path):
    index_path = tmp_path / "index.sqlite"
    runner = CliRunner()
    runner.invoke(cli, ["ingest", str(small_csv), "--index", str(index_path), *FAKES_CLI])
    original = fakes_rows()[2]
    copy = tmp_path / "copy.txt"
    body = original["article_content"]
    half = len(body) // 2  # a truncated copy, re-paragraphed, under another title and furniture
    copy.write_text(
        f"Aleppo convoy blast\n\n12\n\n{body[:half]}\n\n{body[half : half * 3 // 2]}\n\nNext article: Markets\n"
    )
    result = runner.invoke(cli, ["ingest", str(copy), "--index", str(index_path), "--outlet", "copycat"])
    assert "1 added" in result.output and "1 copies" in result.output
    index = open_index(index_path, create=False)
    article = fakes_article(3)
    report = check(article, index)
    outlets = {e.passage.outlet for v in report.verdicts for e in v.evidence}
    assert "copycat" not in outlets
    assert not any("copycat" in v.supporting_outlets for v in report.verdicts)
    excluded = [x for v in report.verdicts for x in v.excluded]
    assert any(x.startswith("copycat") and "rule 3" in x for x in excluded)
    # Checked as the copy's own text, the original is never its evidence either.
    as_copy = check(article_from_text(copy.read_text(), "copy", outlet="copycat"), index)
    original_id = next(a.id for a in map(index.article, range(1, 50)) if a and a.origin.endswith(":row 3"))
    assert original_id not in {e.passage.article_id for v in as_copy.verdicts for e in v.evidence}
    assert "copycat" not in {e.passage.outlet for v in as_copy.verdicts for e in v.evidence}
    index.close()


@pytest.mark.parametrize("credited", [False, True])
def test_a_copy_cluster_counts_once_under_its_credited_or_earliest_outlet(fakes_index_path: Path, credited: bool):
    index = open_index(fakes_index_path, create=False)
    clusters = {}
    for article_id in range(1, 800):
        a = index.article(article_id)
        if a:
            clusters.setdefault(a.cluster_id, []).append(a)
    # FA-KES holds clusters of several outlets whose texts credit none, and ones with an nna text signed "--Reuters".
    members = next(
        m for m in clusters.values() if len({a.outlet for a in m}) > 1 and any(a.credit for a in m) == credited
    )
    cluster = index.cluster(members[0].cluster_id)
    expected = next((a.credit for a in cluster if a.credit), cluster[0].outlet)
    from twosource.models import embed

    found = search(index, Query(members[-1].text[:400], embed([members[-1].text[:400]])[0]), limit=30)
    same = [p for p in found if p.cluster_id == members[0].cluster_id]
    assert len(same) >= 1
    counted, _ = independent(found, index, own=Own(outlets=()), names=OutletNames(Outlets()))
    in_cluster = [c for c in counted if c.passage.cluster_id == members[0].cluster_id]
    assert len(in_cluster) == 1 and in_cluster[0].outlet == expected
    assert (expected == "Reuters") == credited
    index.close()


def test_the_seed_report_has_verdicts_and_fakes_evidence(seed_report):
    checked = [v for v in seed_report.verdicts if v.claim.checkworthy]
    assert len(checked) >= 10
    # Evidence counts under its outlet, or under the outlet its text credits (nna's texts are signed "--Reuters").
    rows = fakes_rows()
    fakes_outlets = {r["source"] for r in rows} | {find_credit(r["article_content"]) for r in rows}
    outlets = set(seed_report.summary.independent_outlets)
    assert outlets and outlets <= fakes_outlets
    assert any(v.verdict in (Verdict.CORROBORATED, Verdict.SINGLE_SOURCE) for v in checked)
    assert all(v.verdict is Verdict.NOT_CHECKED for v in seed_report.verdicts if not v.claim.checkworthy)
    named = {s.name for s in seed_report.summary.named_sources}
    assert {"Lebanese Daily Star", "Israeli Haaretz", "Al Jazeera English"} <= named
    assert len(seed_report.summary.removed) == 18


def test_figures_are_compared_explicitly(seed_report):
    numeric = [e for v in seed_report.verdicts for e in v.evidence if e.numeric]
    assert numeric
    for e in numeric:
        n = e.numeric
        assert n.claim_figure and n.evidence_figure and n.kind
        if not n.note:
            assert (e.stance is Stance.SUPPORTS) == n.agrees


def test_json_report_follows_the_schema(seed_report):
    schema = json.loads(resources.files("twosource.report").joinpath("report.schema.json").read_text())
    document = json.loads(render(seed_report, "json"))
    jsonschema.validate(document, schema)
    assert document == json.loads(json.dumps(report_to_dict(seed_report)))
    assert document["schema_version"] == "1.5"


def test_claimreview_is_schema_org(seed_report):
    reviews = json.loads(render(seed_report, "claimreview"))
    assert len(reviews) == sum(v.claim.checkworthy for v in seed_report.verdicts)
    for r in reviews:
        assert r["@context"] == "https://schema.org" and r["@type"] == "ClaimReview"
        assert 1 <= r["reviewRating"]["ratingValue"] <= 5 and r["reviewRating"]["alternateName"]
        assert r["itemReviewed"]["@type"] == "Claim"
    quote = next(r for r in reviews if "two sides of the same coin" in r["claimReviewed"])
    assert quote["itemReviewed"]["author"] == {"@type": "Person", "name": "Jean Kahwagi"}


def test_html_report_is_self_contained_and_escapes_article_text(fakes_index_path: Path):
    hostile = (
        "<script>alert('x')</script> The Syrian army said on Saturday that 40 rebels were killed near Aleppo "
        '<img src=x onerror=alert(1)> in clashes with government forces, according to <a href="javascript:alert(1)">'
        "state media</a>. The Syrian Observatory for Human Rights reported that at least 35 fighters died. "
        "<svg onload=alert(1)> Officials said the offensive would continue."
    )
    article = article_from_text(hostile, "hostile", title="<b onmouseover=alert(1)>Title</b>", outlet="<i>x</i>")
    index = open_index(fakes_index_path, create=False)
    page = render(check(article, index), "html")
    index.close()
    tags, attributes = _markup(page)
    assert tags <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "main",
        "p",
        "h1",
        "h2",
        "h3",
        "div",
        "span",
        "mark",
        "a",
        "sup",
        "section",
        "blockquote",
        "details",
        "summary",
        "ul",
        "li",
        "strong",
        "q",  # a compound claim's parts
        "svg",  # the evidence timeline: shapes and text only
        "line",
        "circle",
        "text",
    }
    assert not [name for name, _ in attributes if name.startswith("on")]
    assert all(value.startswith(("#", "https://", "http://")) for name, value in attributes if name in ("href", "src"))
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "date is unknown" in page  # the report says what it could not do


def _markup(page: str) -> tuple[set[str], list[tuple[str, str]]]:
    from html.parser import HTMLParser

    tags: set[str] = set()
    attributes: list[tuple[str, str]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.add(tag)
            attributes.extend((name, value or "") for name, value in attrs)

    Collector().feed(page)
    return tags, attributes


def test_html_report_highlights_claims_by_verdict(seed_report):
    page = render(seed_report, "html")
    checked = [v for v in seed_report.verdicts if v.claim.checkworthy]
    assert page.count("<mark class='v-") == len(checked)
    assert page.count("<section class='claim v-") == len(checked)
    assert "id='claim-1'" in page and "href='#claim-1'" in page


def test_cli_check_prints_a_report_and_writes_files(fakes_index_path: Path, tmp_path: Path):
    runner = CliRunner()
    result = runner.invoke(cli, ["check", str(SEED), "--index", str(fakes_index_path), "--offline"])
    assert result.exit_code == 0, result.output
    assert "check-worthy claims" in result.output and "Jean Kahwagi" in result.output
    out = tmp_path / "report.json"
    result = runner.invoke(
        cli,
        [
            "check",
            "-",
            "--offline",
            "--index",
            str(fakes_index_path),
            "--format",
            "json",
            "-o",
            str(out),
            "--outlet",
            "Veterans Today",
            "--date",
            "2015-05-13",
        ],
        input=SEED.read_bytes(),
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document["article"]["outlet"] == "Veterans Today" and document["article"]["origin"] == "stdin"


def test_cli_check_errors_are_one_line(tmp_path: Path, fakes_index_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = CliRunner().invoke(cli, ["check", str(empty), "--index", str(fakes_index_path)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {empty}: input is empty"
    result = CliRunner().invoke(cli, ["check", str(SEED), "--index", str(tmp_path / "missing.sqlite")])
    assert result.exit_code == 1 and "no index at" in result.output


def test_index_stats(fakes_index_path: Path):
    result = CliRunner().invoke(cli, ["index", "stats", "--index", str(fakes_index_path), "--json"])
    stats = json.loads(result.output)
    assert stats["articles"] == 785 and stats["earliest"] == "2011-02-02" and stats["size_bytes"] > 0


def test_importing_twosource_loads_no_heavy_library():
    code = (
        "import sys, twosource; heavy = [m for m in ('torch', 'spacy', 'sentence_transformers', 'transformers', "
        "'trafilatura', 'onnxruntime', 'onnx') if m in sys.modules]; print(heavy)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"
