"""Live evidence: GDELT, Google Fact Check Tools and Wikipedia, replayed by a loopback server in the shapes
``../shared/docs/live-sources.md`` records (normal, empty, error, 429, slow, malformed). Nothing leaves the
machine: every service URL points at loopback, reached through the fetcher's ``allow``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from twosource import check, open_index
from twosource.fetch import FetchPolicy
from twosource.live import LiveSources, ServiceError, gdelt_window, key_terms
from twosource.live.services import fact_checks, gdelt_articles, wikipedia_pages
from twosource.read import article_from_text

from ..loopback import loopback
from .test_web import PAGES, aeb_page

STORY = (
    "Rescue workers said on Tuesday that at least 43 people were killed when a car bomb exploded near a "
    "crowded market in the Syrian city of Aleppo. The Syrian Observatory for Human Rights said the toll "
    "was likely to rise, and that dozens more were wounded in the blast. Residents said the explosion "
    "destroyed several shops and damaged a nearby mosque. No group has claimed responsibility for the attack."
)
WIKI_TEXT = (
    "Aleppo is a city in northern Syria and the capital of the Aleppo Governorate.\n"
    "During the Syrian civil war, car bombs exploded in crowded markets of Aleppo, killing dozens of people, "
    "and the Syrian Observatory for Human Rights counted the dead of each attack.\n"
    "The old city of Aleppo is a UNESCO World Heritage Site with souks and a citadel from the Middle Ages."
)
FACT_CHECKS = {
    "claims": [
        {
            "text": "43 people killed by a car bomb in an Aleppo market",
            "claimant": "Social media posts",
            "claimDate": "2016-05-01T00:00:00Z",
            "claimReview": [
                {
                    "publisher": {"name": "Example Check", "site": "check.example"},
                    "url": "https://check.example/aleppo-bomb",
                    "title": "Did a car bomb kill 43 in Aleppo?",
                    "reviewDate": "2016-05-03T00:00:00Z",
                    "textualRating": "Mostly true",
                    "languageCode": "en",
                }
            ],
        }
    ]
}


class _Services(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict]] = []
    base: ClassVar[str] = ""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        _Services.seen.append({"path": parts.path, **query})
        service, _, mode = parts.path.strip("/").partition("/")
        if service == "story":
            _, html, _ = aeb_page(PAGES[int(mode)])
            return self._send(200, "text/html", html)
        if mode == "slow":
            time.sleep(2)
        answers = {
            "429": (429, "text/plain", b"Please limit requests to one every 5 seconds"),
            "error": (200, "text/html", b"<html>The specified phrase is too short.</html>"),
            "malformed": (200, "application/json", b'{"articles": "not a list"'),
            "shape": (200, "application/json", b'{"articles": "not a list"}'),
            "empty": (200, "application/json", b"{}"),
        }
        if mode in answers:
            return self._send(*answers[mode])
        if service == "gdelt":
            articles = [
                {"url": f"{_Services.base}/story/{n}", "title": f"Story {n}", "seendate": "20191119T081500Z"}
                for n in range(2)
            ]
            body = {"articles": [*articles, {"url": "javascript:alert(1)", "title": "not a web address"}]}
        elif service == "factcheck":
            body = FACT_CHECKS
        elif query.get("list") == "search":
            body = {
                "query": {"searchinfo": {"totalhits": 1}, "search": [{"ns": 0, "title": "Aleppo", "pageid": 159244}]}
            }
        else:
            body = {"query": {"pages": {"159244": {"pageid": 159244, "title": "Aleppo", "extract": WIKI_TEXT}}}}
        self._send(200, "application/json", json.dumps(body).encode())

    def _send(self, status: int, kind: str, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the slow answer: the client gave up waiting, as it should

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def services() -> Iterator[str]:
    with loopback(_Services) as port:
        _Services.base = f"http://127.0.0.1:{port}"
        yield _Services.base


def live(base: str, mode: str = "normal", **changes) -> LiveSources:
    """The services at ``base``, all answering in ``mode``; the article's date counts as recent."""
    sources = LiveSources(
        gdelt_url=f"{base}/gdelt/{mode}",
        factcheck_url=f"{base}/factcheck/{mode}",
        wikipedia_url=f"{base}/wiki/{mode}",
        factcheck_key="test-key",
        policy=FetchPolicy(allow=("127.0.0.1/32",), max_seconds=1),
        gdelt_spacing=0,
        today=lambda: date(2019, 11, 20),
    )
    return replace(sources, **changes)


@pytest.fixture(scope="module")
def story():
    from twosource.claims import find_claims

    article = article_from_text(STORY, "story", outlet="Example Wire", date="2019-11-19")
    claims = [c for c in find_claims(article) if c.checkworthy]
    assert claims
    return article, claims


def test_gdelt_lists_articles_in_the_window(services: str, story):
    _, claims = story
    links = gdelt_articles(key_terms(claims[0]), (date(2019, 11, 12), date(2019, 11, 20)), live(services))
    assert [link.url for link in links] == [f"{services}/story/0", f"{services}/story/1"]  # not javascript:
    assert links[0].published == "2019-11-19"
    asked = _Services.seen[-1]
    assert asked["mode"] == "artlist" and asked["format"] == "json" and asked["startdatetime"] == "20191112000000"
    assert gdelt_articles(["Aleppo"], (date(2019, 11, 12), date(2019, 11, 20)), live(services, "empty")) == []


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("429", "rate-limiting"),
        ("error", "did not answer in JSON: '<html>The specified phrase is too short.</html>'"),
        ("malformed", "did not answer in JSON"),
        ("shape", "other than a list of articles"),
        ("slow", "could not be reached (no answer within 1 s)"),
    ],
)
def test_gdelt_trouble_is_a_service_error(services: str, mode: str, says: str):
    with pytest.raises(ServiceError) as raised:
        gdelt_articles(["Aleppo"], (date(2019, 11, 12), date(2019, 11, 20)), live(services, mode))
    assert says in raised.value.message


def test_fact_checks_and_wikipedia_in_their_shapes(services: str):
    (found,) = fact_checks("car bomb Aleppo market", live(services))
    assert found.publisher == "Example Check" and found.rating == "Mostly true"
    assert found.review_date == "2016-05-03" and found.claim_date == "2016-05-01"
    assert _Services.seen[-1]["key"] == "test-key" and _Services.seen[-1]["query"] == "car bomb Aleppo market"
    assert fact_checks("anything", live(services, "empty")) == []
    ((title, url, text),) = wikipedia_pages("Aleppo", live(services))
    assert title == "Aleppo" and url == "https://en.wikipedia.org/wiki/Aleppo" and "UNESCO" in text


def test_gdelt_window_and_key_terms(story):
    assert gdelt_window("2019-11-19", date(2019, 11, 20)) == (date(2019, 11, 12), date(2019, 11, 20))
    assert gdelt_window("2015-05-13", date(2019, 11, 20)) is None  # beyond GDELT's three months
    assert gdelt_window(None, date(2019, 11, 20)) == (date(2019, 11, 13), date(2019, 11, 20))
    _, claims = story
    terms = key_terms(claims[0])
    assert terms and all(len(t) >= 3 for t in terms) and "said" not in terms


def test_a_check_with_live_sources(services: str, story, tmp_path: Path):
    article, _ = story
    index = open_index(tmp_path / "index.sqlite")
    report = check(article, index, live=live(services))
    # GDELT's articles were fetched, read and cached into the index.
    assert index.stats().articles == 2 and index.has_url(f"{services}/story/0")
    assert any(n.startswith("GDELT listed") and "2 added to the index" in n for n in report.notes), report.notes
    top = max((v for v in report.verdicts if v.claim.checkworthy), key=lambda v: v.claim.score)
    assert top.fact_checks and top.fact_checks[0].rating == "Mostly true"
    assert top.background and top.background[0].source == "Wikipedia" and top.background[0].similarity >= 0.35
    assert "car bombs exploded" in top.background[0].text
    # Never counted as outlets: fact-checks and Wikipedia stay out of the independent outlets.
    assert not {"Example Check", "Wikipedia"} & set(report.summary.independent_outlets)
    index.close()


@pytest.mark.parametrize("mode", ["429", "error", "slow", "malformed"])
def test_services_in_trouble_leave_notes_and_the_check_goes_on(services: str, story, tmp_path: Path, mode: str):
    article, _ = story
    index = open_index(tmp_path / "index.sqlite")
    report = check(article, index, live=live(services, mode))
    notes = " ".join(report.notes)
    assert "GDELT was unavailable" in notes and "Wikipedia was unavailable" in notes
    assert "Google Fact Check Tools was unavailable" in notes
    assert report.verdicts and all(not v.fact_checks and not v.background for v in report.verdicts)
    index.close()


def test_an_old_article_does_not_ask_gdelt(services: str, story, tmp_path: Path):
    article, _ = story
    index = open_index(tmp_path / "index.sqlite")
    before = len(_Services.seen)
    report = check(
        replace(article, published="2015-05-13"), index, live=live(services, wikipedia=False, factcheck_key="")
    )
    assert any("GDELT was not asked" in n for n in report.notes) and len(_Services.seen) == before
    index.close()
