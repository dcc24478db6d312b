"""Reading and ingesting from the web: articles by URL, RSS/Atom feeds, sitemaps, WARC archives.

Real pages from ../shared/data/aeb, served by a loopback server under made-up names (news.test) that a test
resolver answers; nothing leaves the machine.
"""

from __future__ import annotations

import gzip
import io
import itertools
import json
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest

from twosource import open_index
from twosource.errors import SourceError
from twosource.fetch import FetchPolicy
from twosource.ingestion import ingest_articles, ingest_links
from twosource.ingestion.courtesy import Courtesy
from twosource.ingestion.feeds import Link, feed_links, sitemap_links
from twosource.ingestion.watch import read_feed_list, seconds, watch
from twosource.read.warc import warc_articles
from twosource.read.web import read_url
from twosource.types import Article, Rejection

from ..conftest import DATA
from ..loopback import loopback

AEB = DATA / "aeb"
#: Four English news pages of the benchmark, by id prefix: ctpost, venturebeat, cbssports, latimes.
PAGES = ("05844573ca7e", "06e5123e4ef7", "08f793762792", "098bb3e96c0a")
WATCH_ETAG = '"v1"'
PLAIN = (
    b"<html><body><article><p>The council of the northern town voted on Tuesday to rebuild the old stone bridge "
    b"over the river, which floods closed for three months last winter, at a cost of 2.4 million euros.</p>"
    b"</article></body></html>"
)


def aeb_page(prefix: str) -> tuple[str, bytes, str]:
    """Return (id, HTML, gold text) of the benchmark page whose id starts with ``prefix``."""
    path = next((AEB / "html").glob(f"{prefix}*.html.gz"))
    page_id = path.name.removesuffix(".html.gz")
    gold = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))[page_id]["articleBody"]
    return page_id, gzip.decompress(path.read_bytes()), gold


class _Site(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, str, bytes]]] = {}
    hits: ClassVar[list[str]] = []
    visits: ClassVar[list[tuple[str, str, float]]] = []  # (host name, path, when by the site's clock)
    clock: ClassVar[list[Callable[[], float]]] = [time.monotonic]  # a test may share its virtual clock

    def do_GET(self) -> None:
        _Site.hits.append(self.path)
        _Site.visits.append((self.headers.get("Host", "").split(":")[0], self.path, _Site.clock[0]()))
        host = self.headers.get("Host", "").split(":")[0]
        status, kind, body = _Site.routes.get(f"{host}{self.path}") or _Site.routes.get(
            self.path, (404, "text/plain", b"not here")
        )
        if self.path == "/watch.xml" and self.headers.get("If-None-Match") == WATCH_ETAG:
            status, body = 304, b""
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/watch.xml":
            self.send_header("ETag", WATCH_ETAG)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """A loopback site at http://news.test:PORT with the pages, an RSS and an Atom feed, and sitemaps."""
    with loopback(_Site) as port:
        base = f"http://news.test:{port}"
        routes: dict[str, tuple[int, str, bytes]] = {"/plain": (200, "text/html", PLAIN)}
        items, urls = [], []
        for n, prefix in enumerate(PAGES):
            _, html, _ = aeb_page(prefix)
            routes[f"/story/{n}"] = (200, "text/html; charset=ISO-8859-1", html)  # a wrong charset, as servers send
            urls.append(f"{base}/story/{n}")
            items.append(
                f"<item><title>Story {n}</title><link>/story/{n}</link>"
                "<pubDate>Tue, 19 Nov 2019 08:00:00 GMT</pubDate></item>"
            )
        items.append("<item><title>Metadata</title><link>http://metadata.test/latest/meta-data/</link></item>")
        items.append(f"<item><title>Gone</title><link>{base}/gone</link></item>")
        rss = f"<?xml version='1.0'?><rss version='2.0'><channel><title>News</title>{''.join(items)}</channel></rss>"
        atom = (
            "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>News</title>"
            f"<entry><title>Plain</title><link href='{base}/plain'/>"
            "<updated>2019-11-20T10:00:00Z</updated></entry></feed>"
        )
        news = "xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'"
        urlset = (
            f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' {news}>"
            + "".join(
                f"<url><loc>{u}</loc><news:news><news:publication_date>2019-11-1{n}T08:00:00Z</news:publication_date>"
                f"<news:title>Story {n}</news:title></news:news></url>"
                for n, u in enumerate(urls)
            )
            + "</urlset>"
        )
        index = (
            "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            "<sitemap><loc>/sitemap-news.xml.gz</loc></sitemap><sitemap><loc>/sitemap-index.xml</loc></sitemap>"
            "</sitemapindex>"
        )
        routes |= {
            "/rss.xml": (200, "application/rss+xml", rss.encode()),
            "/atom.xml": (200, "application/atom+xml", atom.encode()),
            "/sitemap-news.xml.gz": (200, "application/gzip", gzip.compress(urlset.encode())),
            "/sitemap-index.xml": (200, "application/xml", index.encode()),  # lists itself: followed once
            "/watch.xml": (200, "application/rss+xml", rss.encode()),
            "guarded.test/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow: /story/3\nCrawl-delay: 2\n"),
            "down.test/robots.txt": (503, "text/plain", b"busy"),
        }
        _Site.routes = routes
        yield base


@pytest.fixture(scope="module")
def policy() -> FetchPolicy:
    answers = {
        "news.test": ["127.0.0.1"],
        "guarded.test": ["127.0.0.1"],
        "down.test": ["127.0.0.1"],
        "metadata.test": ["169.254.169.254"],
    }
    return FetchPolicy(allow=("127.0.0.1/32",), resolver=lambda host, port: answers.get(host, [host]))


def test_an_article_is_read_from_its_url(site: str, policy: FetchPolicy):
    _, _, gold = aeb_page(PAGES[3])
    article = read_url(f"{site}/story/3", policy=policy)
    assert article.url == f"{site}/story/3" and article.outlet == "Los Angeles Times"
    assert article.published == "2019-11-19" and article.title
    # Decoded from the bytes, not by the header's wrong ISO-8859-1: the curly quotes survive.
    opening = " ".join(gold.split()[:12])
    assert opening in " ".join(article.text.split()) and "â€" not in article.text
    plain = read_url(f"{site}/plain", policy=policy)
    assert plain.outlet.startswith("news.test")  # no name in the page: the host's


def test_urls_that_cannot_be_read_say_why(site: str, policy: FetchPolicy):
    with pytest.raises(SourceError, match="answered 404"):
        read_url(f"{site}/missing", policy=policy)
    with pytest.raises(SourceError, match="cloud metadata"):
        read_url("http://metadata.test/latest/meta-data/", policy=policy)


def test_feeds_list_their_entries(site: str, policy: FetchPolicy):
    rss = feed_links(f"{site}/rss.xml", policy)
    assert [link.title for link in rss[:2]] == ["Story 0", "Story 1"] and len(rss) == 6
    assert rss[0] == Link(f"{site}/story/0", "Story 0", "2019-11-19")  # relative links made absolute
    atom = feed_links(f"{site}/atom.xml", policy)
    assert atom == [Link(f"{site}/plain", "Plain", "2019-11-20")]
    with pytest.raises(SourceError, match="not an RSS or Atom feed"):
        feed_links(f"{site}/plain", policy)


def test_sitemaps_are_followed_through_their_index(site: str, policy: FetchPolicy, tmp_path: Path):
    links = sitemap_links(f"{site}/sitemap-index.xml", policy)
    assert [link.url for link in links] == [f"{site}/story/{n}" for n in range(4)]
    assert links[2] == Link(f"{site}/story/2", "Story 2", "2019-11-12")
    # A file, and one that tries an external entity: the parser resolves none.
    hostile = tmp_path / "sitemap.xml"
    hostile.write_text(
        "<?xml version='1.0'?><!DOCTYPE u [<!ENTITY secret SYSTEM 'file:///etc/passwd'>]>"
        "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>https://a.example/&secret;</loc></url>"
        "</urlset>"
    )
    found = sitemap_links(str(hostile), policy)
    assert all("root:" not in link.url for link in found)
    with pytest.raises(SourceError, match="not a sitemap"):
        sitemap_links(f"{site}/rss.xml", policy)


def test_a_feed_ingests_resumably_and_refuses_what_it_must(site: str, policy: FetchPolicy, tmp_path: Path):
    index = open_index(tmp_path / "index.sqlite")
    links = feed_links(f"{site}/rss.xml", policy)
    summary = ingest_links(links, index, policy=policy)
    assert summary.added == 4 and index.stats().articles == 4
    reasons = {r.origin: r.reason for r in summary.rejected}
    assert "cloud metadata" in reasons["http://metadata.test/latest/meta-data/"]
    assert "404" in reasons[f"{site}/gone"]
    # Again: the indexed URLs are counted without a fetch; only the two rejected links are tried again.
    _Site.hits.clear()
    again = ingest_links(links, index, policy=policy)
    assert again.added == 0 and again.duplicates == 4 and index.stats().articles == 4
    assert _Site.hits == ["/gone"]
    index.close()


def write_warc(path: Path, site: str) -> None:
    """A WARC file as crawlers write them: requests, the four pages' responses, a 404 and an image."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        responses = [(f"{site}/story/{n}", "200 OK", "text/html", aeb_page(p)[1]) for n, p in enumerate(PAGES)]
        responses += [
            (f"{site}/gone", "404 Not Found", "text/html", b"gone"),
            (f"{site}/a.png", "200 OK", "image/png", b"\x89PNG"),
        ]
        for uri, status, kind, body in responses:
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.test")], is_http_request=True)
            writer.write_record(writer.create_warc_record(uri, "request", http_headers=request))
            headers = StatusAndHeaders(status, [("Content-Type", kind)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=headers)
            )


def test_a_warc_archive_streams_into_the_index(site: str, tmp_path: Path):
    archive = tmp_path / "crawl.warc.gz"
    write_warc(archive, site)
    items = list(warc_articles(archive))
    articles = [i for i in items if isinstance(i, Article)]
    rejected = {i.origin: i.reason for i in items if isinstance(i, Rejection)}
    assert [a.url for a in articles] == [f"{site}/story/{n}" for n in range(4)]
    assert articles[3].outlet == "Los Angeles Times" and articles[0].title
    assert "404" in rejected[f"{site}/gone"] and "image/png" in rejected[f"{site}/a.png"]
    index = open_index(tmp_path / "index.sqlite")
    summary = ingest_articles(warc_articles(archive), index)
    assert summary.added == 4 and len(summary.rejected) == 2
    assert ingest_articles(warc_articles(archive), index).duplicates == 4  # resumable: nothing twice
    index.close()
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(b"\x1f\x8b not really gzip")
    (rejection,) = list(warc_articles(broken))
    assert "not a readable WARC file" in rejection.reason


def test_courtesy_reads_robots_txt_and_spaces_requests(site: str, policy: FetchPolicy):
    port = site.rsplit(":", 1)[1]
    now, waits = [100.0], []

    def sleep(pause: float) -> None:
        waits.append(pause)
        now[0] += pause

    courtesy = Courtesy(policy, delay=0.5, clock=lambda: now[0], sleep=sleep)
    with pytest.raises(SourceError, match=r"robots\.txt disallows"):
        courtesy.admit(f"http://guarded.test:{port}/story/3")
    courtesy.admit(f"http://guarded.test:{port}/story/1")
    courtesy.admit(f"http://guarded.test:{port}/story/2")
    assert waits == [2.0, 2.0]  # the site's Crawl-delay (2 s, over twosource's 0.5 s), after robots.txt too
    courtesy.admit(f"{site}/story/0")  # another host: its own turn after its robots.txt (a 404: no rules)
    assert waits == [2.0, 2.0, 0.5]
    with pytest.raises(SourceError, match=r"robots\.txt answered 503"):
        courtesy.admit(f"http://down.test:{port}/story/0")  # robots.txt 503: keep out


def test_watch_polls_feeds_conditionally_and_ingests_what_is_new(site: str, policy: FetchPolicy, tmp_path: Path):
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"# the loopback site\n{site}/watch.xml\n\n")
    index = open_index(tmp_path / "index.sqlite")
    lines: list[str] = []
    _Site.visits.clear()
    # One virtual clock for crawler and site, moved only by the crawler's pauses: the spacing the site sees is
    # exactly what the crawler kept, whatever the machine's load.
    now = [0.0]
    _Site.clock[0] = lambda: now[0]
    courtesy = Courtesy(policy, delay=0.2, clock=lambda: now[0], sleep=lambda pause: now.__setitem__(0, now[0] + pause))
    try:
        watch(read_feed_list(feeds), index, every=0, rounds=2, courtesy=courtesy, log=lines.append)
    finally:
        _Site.clock[0] = time.monotonic
    assert len(lines) == 2 and index.stats().articles == 4
    assert "round 1: 1 feeds (0 unchanged, 0 failed): 4 added" in lines[0]
    assert "round 2: 1 feeds (1 unchanged, 0 failed): 0 added" in lines[1]  # a 304: nothing fetched again
    pages = [when for host, path, when in _Site.visits if path.startswith("/story/")]
    assert len(pages) == 4 and all(round(b - a, 9) >= 0.2 for a, b in itertools.pairwise(pages))
    assert index.feed_validators(f"{site}/watch.xml") == (WATCH_ETAG, "")
    index.close()


def test_durations_and_feed_lists_are_checked(tmp_path: Path):
    assert [seconds(d) for d in ("90", "30s", "15m", "1h")] == [90, 30, 900, 3600]
    with pytest.raises(SourceError, match="not a duration"):
        seconds("soon")
    listed = tmp_path / "feeds.txt"
    listed.write_text("https://a.example/rss\nnot a url\n")
    with pytest.raises(SourceError, match=r"feeds.txt:2: not a feed URL"):
        read_feed_list(listed)


def test_the_command_line_reads_urls_feeds_and_archives(site: str, fakes_index_path: Path, tmp_path: Path):
    from click.testing import CliRunner

    from twosource.cli import cli

    local = site.replace("news.test", "127.0.0.1")  # the command line resolves names as the system does
    index = str(tmp_path / "index.sqlite")
    runner = CliRunner()
    fed = runner.invoke(cli, ["ingest", "--feed", f"{local}/rss.xml", "--allow", "127.0.0.1/32", "--index", index])
    assert fed.exit_code == 1, fed.output  # 4 in; the metadata link and the unknown host refused, one line each
    assert "4 added" in fed.stdout
    assert "rejected: http://metadata.test/latest/meta-data/: metadata.test does not resolve" in fed.stderr
    archive = tmp_path / "crawl.warc.gz"
    write_warc(archive, local)
    warc = runner.invoke(cli, ["ingest", str(archive), "--index", index])
    assert "0 added, 4 duplicates" in warc.stdout and "is 404" in warc.stderr
    refused = runner.invoke(cli, ["ingest", f"{local}/plain", "--index", index])  # no --allow: loopback refused
    assert refused.exit_code == 126 and "127.0.0.1 is a loopback address" in refused.stderr
    checked = runner.invoke(
        cli,
        [
            "check",
            f"{local}/story/3",
            "--allow",
            "127.0.0.1/32",
            "--index",
            str(fakes_index_path),
            "--offline",
            "--format",
            "json",
        ],
    )
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.stdout)
    assert report["article"]["url"] == f"{local}/story/3" and report["article"]["outlet"] == "Los Angeles Times"
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"{local}/watch.xml\n")
    watched = runner.invoke(
        cli,
        [
            "watch",
            str(feeds),
            "--rounds",
            "1",
            "--every",
            "1s",
            "--index",
            index,
            "--allow",
            "127.0.0.1/32",
            "--delay",
            "0",
        ],
    )
    assert watched.exit_code == 0, watched.output
    assert "round 1: 1 feeds (0 unchanged, 0 failed): 0 added, 4 duplicates" in watched.stderr
