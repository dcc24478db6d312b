"""twosource serve: the JSON API, a real uvicorn server on loopback over a real FA-KES index."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import jsonschema
import pytest

from twosource.web import ServeLimits, create_app, in_background

from ..conftest import ROOT, SEED
from ..loopback import loopback

SCHEMA = json.loads((ROOT / "src" / "twosource" / "report" / "report.schema.json").read_text())


def serving(index: Path, **options):
    """Run the app over ``index`` on a free loopback port in a thread; yield its base URL."""
    return in_background(create_app(index, **options))


def finished(api: httpx.Client, job: str, timeout: float = 120) -> list[dict]:
    """Poll ``/api/jobs/{job}`` until it ends; return every state seen, the last one finished."""
    seen = [api.get(f"/api/jobs/{job}").json()]
    deadline = time.monotonic() + timeout
    while seen[-1]["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, seen[-1]
        time.sleep(0.1)
        seen.append(api.get(f"/api/jobs/{job}").json())
    return seen


def report_address(api: httpx.Client, form_answer: httpx.Response) -> str:
    """Follow a form check as a browser does: its progress page, refreshed, until it sends on to the report."""
    assert form_answer.status_code == 303, form_answer.text
    progress = form_answer.headers["location"]
    assert progress.startswith("/jobs/")
    finished(api, progress.rsplit("/", 1)[1])
    answer = api.get(progress)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


@pytest.fixture(scope="module")
def index(fakes_index_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A copy: the reports the tests store stay out of the session's shared index.
    return Path(shutil.copy(fakes_index_path, tmp_path_factory.mktemp("serve") / "index.sqlite"))


@pytest.fixture(scope="module")
def api(index: Path) -> Iterator[httpx.Client]:
    limits = ServeLimits(max_body_bytes=400_000, max_text_chars=100_000)
    with serving(index, limits=limits) as url, httpx.Client(base_url=url, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def seed_report(api: httpx.Client) -> httpx.Response:
    text = SEED.read_text(encoding="utf-8")
    return api.post("/api/check", json={"text": text, "outlet": "Veterans Today", "date": "2015-05-13"})


def test_health_counts_the_index(api: httpx.Client):
    answer = api.get("/api/health")
    assert answer.status_code == 200 and answer.json()["status"] == "ok" and answer.json()["articles"] > 700


def test_check_returns_a_stored_report_of_the_schema(api: httpx.Client, seed_report: httpx.Response):
    assert seed_report.status_code == 201, seed_report.text
    report = seed_report.json()
    jsonschema.validate(report, SCHEMA)
    assert seed_report.headers["location"] == f"/reports/{report['id']}"
    assert report["article"]["outlet"] == "Veterans Today" and report["article"]["published"] == "2015-05-13"
    assert report["summary"]["counts"]["corroborated"] >= 1 and report["summary"]["checkworthy"] >= 10
    stored = api.get(f"/api/reports/{report['id']}")
    assert stored.status_code == 200 and stored.json() == report


def test_an_uploaded_file_is_checked_like_a_pasted_one(api: httpx.Client, seed_report: httpx.Response):
    files = {"file": ("qalamoun.txt", SEED.read_bytes(), "text/plain")}
    answer = api.post("/api/check", files=files, data={"outlet": "Veterans Today", "date": "2015-05-13"})
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert report["article"]["origin"] == "qalamoun.txt"
    assert report["summary"]["counts"] == seed_report.json()["summary"]["counts"]


def test_search_and_articles_with_their_copies(api: httpx.Client):
    found = api.get("/api/search", params={"q": "death toll in Aleppo bomb attack", "limit": 5}).json()
    assert 1 <= len(found["results"]) <= 5
    first = found["results"][0]
    assert first["outlet"] and "text" in first and first["score"] > 0
    article = api.get(f"/api/articles/{first['article_id']}").json()
    assert article["id"] == first["article_id"] and article["text"] and isinstance(article["copies"], list)
    assert all("text" not in copy for copy in article["copies"])


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/articles/999999", 404),
        ("/api/articles/abc", 422),
        ("/api/reports/nosuchreport", 404),
        ("/api/search?q=", 422),
        ("/api/search", 422),
    ],
)
def test_missing_things_are_clear_errors(api: httpx.Client, path: str, status: int):
    answer = api.get(path)
    assert answer.status_code == status and answer.json()["error"] and "\n" not in answer.json()["error"]


@pytest.mark.parametrize(
    ("request_args", "status", "says"),
    [
        ({"json": {"text": ""}}, 422, 'needs "text"'),
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "not JSON"),
        ({"json": {"text": "word " * 30_000}}, 413, "over 100,000 characters"),
        ({"content": b"x" * 500_000, "headers": {"content-type": "application/json"}}, 413, "over 400,000 bytes"),
        ({"files": {"file": ("a.bin", bytes(range(256)) * 40, "application/octet-stream")}}, 422, "a.bin"),
        ({"json": {"text": "Der Krieg in Syrien hat nach Angaben der Vereinten Nationen " * 10}}, 422, "English"),
        ({"files": {"other": ("a.txt", b"hello", "text/plain")}}, 422, "text, its page as a file, or its URL"),
        ({"json": {"url": "http://169.254.169.254/latest/meta-data/"}}, 422, "cloud metadata address"),
        ({"json": {"url": "file:///etc/passwd"}}, 422, "only http and https"),
    ],
)
def test_bad_submissions_get_one_line_4xx_answers(api: httpx.Client, request_args: dict, status: int, says: str):
    answer = api.post("/api/check", **request_args)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert says in error and "\n" not in error


def test_the_openapi_schema_lists_the_endpoints(api: httpx.Client):
    paths = api.get("/openapi.json").json()["paths"]
    assert {"/api/check", "/api/reports/{report_id}", "/api/search", "/api/articles/{article_id}"} <= set(paths)
    # FastAPI's /docs and /redoc load from a CDN; the server offers nothing that needs the internet.
    assert api.get("/docs").status_code == 404 and api.get("/redoc").status_code == 404


def test_a_token_guards_everything_but_health(index: Path):
    with serving(index, token="s3cret") as url, httpx.Client(base_url=url, timeout=60) as client:
        assert client.get("/api/health").status_code == 200
        refused = client.get("/api/search", params={"q": "Aleppo"})
        assert refused.status_code == 401 and "token" in refused.json()["error"]
        assert (
            client.get("/api/search", params={"q": "Aleppo"}, headers={"Authorization": "Bearer wrong"}).status_code
            == 401
        )
        allowed = client.get("/api/search", params={"q": "Aleppo"}, headers={"Authorization": "Bearer s3cret"})
        assert allowed.status_code == 200


def test_checks_beyond_the_limit_wait_then_get_429(index: Path):
    limits = ServeLimits(max_checks=1, queue_seconds=0.2)
    text = SEED.read_text(encoding="utf-8")
    with serving(index, limits=limits) as url:
        statuses: list[int] = []

        def post() -> None:
            with httpx.Client(base_url=url, timeout=120) as client:
                statuses.append(client.post("/api/check", json={"text": text}).status_code)

        threads = [threading.Thread(target=post) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(statuses)[0] == 201 and 429 in statuses and set(statuses) <= {201, 429}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_serve_command_listens_on_loopback(index: Path):
    port = _free_port()
    command = [sys.executable, "-m", "twosource", "serve", "--index", str(index), "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.2)
        assert answer.status_code == 200 and answer.json()["articles"] > 700
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_serve_refuses_a_missing_index_in_one_line(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "twosource", "serve", "--index", str(tmp_path / "none.sqlite")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "no index at" in result.stderr and result.stderr.count("\n") == 1


def test_the_home_page_is_a_form_without_scripts(api: httpx.Client):
    page = api.get("/")
    assert page.status_code == 200 and "default-src 'none'" in page.headers["content-security-policy"]
    assert '<form method="post" action="/check"' in page.text and "<script" not in page.text
    assert '<label for="text">' in page.text and '<input id="url" name="url" type="url"' in page.text


def test_the_form_checks_and_shows_the_report_at_its_permanent_address(api: httpx.Client):
    text = SEED.read_text(encoding="utf-8")
    answer = api.post("/check", data={"text": text, "outlet": "Veterans Today", "date": "2015-05-13"})
    address = report_address(api, answer)
    report_id = address.rsplit("/", 1)[1]
    page = api.get(address)
    assert page.status_code == 200 and "<script" not in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<mark class='v-corroborated'" in page.text  # claims highlighted in their verdict's colour
    assert "Unofficially the number of dead in the Syrian War is 200,000" in page.text
    downloads = {
        f"/reports/{report_id}.json": "application/json",
        f"/reports/{report_id}.html": "text/html",
        f"/reports/{report_id}.claimreview.json": "application/ld+json",
    }
    for link, media in downloads.items():
        assert f"href='{link}'" in page.text
        got = api.get(link)
        assert got.status_code == 200 and got.headers["content-type"].startswith(media)
        assert got.headers["content-disposition"].startswith("attachment")
    assert api.get(f"/reports/{report_id}.json").json() == api.get(f"/api/reports/{report_id}").json()
    assert api.get(f"/reports/{report_id}.claimreview.json").json()


def test_article_text_is_escaped_on_every_page(api: httpx.Client):
    vectors = (
        "<script>alert(1)</script> <img src=x onerror=alert(2)> <a href='javascript:alert(3)'>link</a> "
        "<svg onload=alert(4)></svg> <b unclosed"
    )
    sentences = "The army said on Monday that 40 fighters were killed near the border town of Arsal in Lebanon. "
    text = sentences * 3 + vectors + " " + sentences * 2
    answer = api.post("/check", data={"text": text, "outlet": "<i>Evil</i> Outlet"})
    page = api.get(report_address(api, answer)).text
    for raw in ("<script>alert", "<img src=x", "<svg onload", "href='javascript:", "<i>Evil"):
        assert raw not in page, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text, not run


def test_form_errors_and_missing_reports_are_pages(api: httpx.Client):
    refused = api.post("/check", data={"text": "   "})
    assert refused.status_code == 422 and "role='alert'" in refused.text and "its URL" in refused.text
    missing = api.get("/reports/0123456789abcdef")
    assert missing.status_code == 404 and "no report" in missing.text
    assert api.get("/reports/<script>").status_code == 404


def test_a_stored_report_rebuilds_exactly(seed_report: httpx.Response):
    from twosource.schema import report_from_dict, report_to_dict

    document = seed_report.json()
    assert report_to_dict(report_from_dict(document)) == document


def test_the_index_pages_search_and_show_an_article_with_its_copies(api: httpx.Client):
    page = api.get("/search", params={"q": "death toll in Aleppo bomb attack"})
    assert page.status_code == 200 and "<script" not in page.text and "passages for" in page.text
    first = api.get("/api/search", params={"q": "death toll in Aleppo bomb attack", "limit": 1}).json()["results"][0]
    assert f"href='/articles/{first['article_id']}'" in page.text
    shown = api.get(f"/articles/{first['article_id']}")
    assert shown.status_code == 200 and "default-src 'none'" in shown.headers["content-security-policy"]
    assert "Copies in the index" in shown.text or "No copies of this text" in shown.text
    assert api.get("/search").status_code == 200  # the bare form
    assert api.get("/articles/999999").status_code == 404


def test_only_web_addresses_become_links():
    from twosource.web import pages

    fields = dict(title="T", outlet="O", author="", published=None, text="Body.", url="javascript:alert(1)")
    assert "href='javascript" not in pages.article(fields, [])
    fields["url"] = "https://example.org/a"
    assert "href='https://example.org/a'" in pages.article(fields, [])


def test_a_check_can_run_as_a_job_with_progress(api: httpx.Client):
    text = SEED.read_text(encoding="utf-8")
    answer = api.post("/api/check", params={"wait": "false"}, json={"text": text, "date": "2015-05-13"})
    assert answer.status_code == 202 and answer.headers["location"] == f"/api/jobs/{answer.json()['id']}"
    seen = finished(api, answer.json()["id"])
    last = seen[-1]
    assert last["state"] == "done" and last["kind"] == "check" and last["error"] is None
    report = api.get(f"/api/reports/{last['result']['report']}").json()
    assert last["total"] == report["summary"]["checkworthy"] == last["done"]
    # While it ran, the job said which stage it was in and how far through the claims it was.
    assert all(s["state"] in ("queued", "running", "done") and s["done"] <= max(s["total"], 0) for s in seen)
    assert api.get("/api/jobs/0000").status_code == 404


def test_a_failed_check_says_why_on_its_progress_page(api: httpx.Client):
    answer = api.post("/check", data={"text": "Der Krieg in Syrien hat nach Angaben der Vereinten Nationen " * 10})
    job = answer.headers["location"].rsplit("/", 1)[1]
    assert finished(api, job)[-1]["state"] == "failed"
    page = api.get(f"/jobs/{job}")
    assert page.status_code == 422 and "role='alert'" in page.text and "English" in page.text


def test_the_progress_page_refreshes_itself_without_scripts():
    from twosource.web import pages

    job = {"id": "abc", "stage": "checking claims <b>", "done": 3, "total": 20, "seconds": 4.2}
    page = pages.progress(job)
    assert "http-equiv='refresh'" in page and "<script" not in page
    assert "<progress max='20' value='3'>" in page and "checking claims &lt;b&gt;" in page


def test_ingest_runs_as_a_job_and_resumes(fakes_index_path: Path, tmp_path: Path):
    from ..conftest import fakes_rows, write_fakes_slice

    index = Path(shutil.copy(fakes_index_path, tmp_path / "index.sqlite"))
    story = (
        "Residents of the northern town of Qaryatayn said on Tuesday that a new water plant, built by a local "
        "cooperative over eighteen months, now serves 12,000 people and has ended years of deliveries by truck."
    )
    with serving(index) as url, httpx.Client(base_url=url, timeout=120) as client:
        before = client.get("/api/health").json()["articles"]
        answer = client.post("/api/ingest", json={"articles": [{"text": story, "title": "Water", "outlet": "Local"}]})
        assert answer.status_code == 202, answer.text
        done = finished(client, answer.json()["id"])[-1]
        assert done["state"] == "done" and done["result"]["added"] == 1 and done["kind"] == "ingest"
        assert client.get(f"/jobs/{done['id']}").status_code == 404  # the progress page is a check's
        assert client.get("/api/health").json()["articles"] == before + 1
        found = client.get("/api/search", params={"q": "Qaryatayn water plant cooperative", "limit": 1}).json()
        assert found["results"][0]["outlet"] == "Local"
        # Files as `twosource ingest` takes them: already indexed rows are counted, not added again; a bad file
        # is rejected under the name it was sent with, and a name with a path in it stays a name.
        files = [
            ("file", ("fakes.csv", write_fakes_slice(tmp_path / "s.csv", fakes_rows()[:5]).read_bytes(), "text/csv")),
            ("file", ("../../escape.bin", bytes(range(256)) * 40, "application/octet-stream")),
        ]
        form = {"encoding": "latin-1", "text_column": "article_content", "title_column": "article_title"}
        answer = client.post("/api/ingest", files=files, data=form)
        assert answer.status_code == 202, answer.text
        done = finished(client, answer.json()["id"])[-1]
        assert done["state"] == "done", done
        assert done["result"]["added"] == 0 and done["result"]["duplicates"] == 5
        assert [r["origin"] for r in done["result"]["rejected"]] == ["escape.bin"]
        assert not (tmp_path.parent / "escape.bin").exists()
        assert client.post("/api/ingest", json={"articles": []}).status_code == 422
        assert client.post("/api/ingest", data={"format": "csv"}).status_code == 422


def test_a_streamed_body_over_the_limit_is_refused(api: httpx.Client):
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(100):
            yield b"x" * 10_000  # no Content-Length: the server counts as it reads
        yield b'"}'

    answer = api.post("/api/check", content=chunks(), headers={"content-type": "application/json"})
    assert answer.status_code == 413 and "over 400,000 bytes" in answer.json()["error"]


def test_browsers_sign_in_with_the_token_and_get_a_cookie(index: Path):
    with serving(index, token="s3cret") as url, httpx.Client(base_url=url, timeout=60) as client:
        sent = client.get("/search")
        assert sent.status_code == 303 and sent.headers["location"] == "/login?next=/search"
        login = client.get("/login", params={"next": "/search"})
        assert login.status_code == 200 and 'type="password"' in login.text
        wrong = client.post("/login", data={"token": "nope", "next": "/search"})
        assert wrong.status_code == 401 and "That is not the server" in wrong.text and not client.cookies
        # A next= pointing at another site is dropped: sign-in only sends on to this server's own pages.
        assert client.post("/login", data={"token": "s3cret", "next": "//evil.example/"}).headers["location"] == "/"
        signed = client.post("/login", data={"token": "s3cret", "next": "/search"})
        assert signed.status_code == 303 and signed.headers["location"] == "/search"
        cookie = signed.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower() and "s3cret" not in cookie
        assert client.get("/search").status_code == 200
        assert client.get("/api/search", params={"q": "Aleppo"}).status_code == 200


def test_cross_site_posts_and_foreign_host_names_are_refused(index: Path):
    from twosource.web import LOOPBACK_HOSTS

    with serving(index, allowed_hosts=LOOPBACK_HOSTS) as url, httpx.Client(base_url=url, timeout=60) as client:
        cross = client.post("/check", data={"text": "x"}, headers={"origin": "http://evil.example"})
        assert cross.status_code == 403 and "cross-site" in cross.text
        same = client.post("/check", data={"text": " "}, headers={"origin": url})
        assert same.status_code == 422  # let through to the form's own check
        # A DNS name rebound to 127.0.0.1 reaches the socket, but the server answers only to loopback names.
        rebound = client.get("/api/health", headers={"host": "evil.example:8000"})
        assert rebound.status_code == 400 and "answers only to" in rebound.json()["error"]
        assert client.get("/api/health", headers={"host": "localhost"}).status_code == 200
        assert client.get("/api/health", headers={"host": "[::1]:8000"}).status_code == 200


def test_articles_are_checked_and_ingested_by_url(fakes_index_path: Path, tmp_path: Path):
    from twosource.fetch import FetchPolicy

    from .test_web import PAGES, aeb_page

    pages = {f"/story/{n}": aeb_page(prefix)[1] for n, prefix in enumerate(PAGES)}

    class Site(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    with loopback(Site) as port:
        base = f"http://127.0.0.1:{port}"
        index = Path(shutil.copy(fakes_index_path, tmp_path / "index.sqlite"))
        policy = FetchPolicy(allow=("127.0.0.1/32",))
        with serving(index, fetch_policy=policy) as url, httpx.Client(base_url=url, timeout=120) as client:
            checked = client.post("/api/check", json={"url": f"{base}/story/3"})
            assert checked.status_code == 201, checked.text
            article = checked.json()["article"]
            assert article["url"] == f"{base}/story/3" and article["outlet"] == "Los Angeles Times"
            form = client.post("/check", data={"url": f"{base}/story/1", "text": ""})
            assert client.get(report_address(client, form)).status_code == 200
            job = client.post("/api/ingest", json={"urls": [f"{base}/story/0", f"{base}/story/2", f"{base}/gone"]})
            done = finished(client, job.json()["id"])[-1]
            assert done["state"] == "done" and done["result"]["added"] == 2, done
            assert [r["origin"] for r in done["result"]["rejected"]] == [f"{base}/gone"]
        with serving(index) as url, httpx.Client(base_url=url, timeout=120) as client:  # no allow: loopback refused
            refused = client.post("/api/check", json={"url": f"{base}/story/3"})
            assert refused.status_code == 422 and "127.0.0.1 is a loopback address" in refused.json()["error"]


def test_the_server_opens_its_index_once_and_sees_what_others_add(fakes_index_path: Path, tmp_path: Path, monkeypatch):
    from twosource import open_index
    from twosource.index.sqlite import SQLiteIndex
    from twosource.ingestion import ingest_articles
    from twosource.types import Article

    index = Path(shutil.copy(fakes_index_path, tmp_path / "index.sqlite"))
    opened = []
    real_init = SQLiteIndex.__init__

    def counted(self, *args, **kwargs):
        opened.append(args)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(SQLiteIndex, "__init__", counted)
    story = (
        "Beekeepers in the hills above Latakia said on Sunday that this year's thyme honey harvest, gathered by "
        "forty families of the cooperative, reached nine tonnes despite the drought."
    )
    with serving(index) as url, httpx.Client(base_url=url, timeout=120) as client:
        assert client.get("/api/search", params={"q": "Aleppo siege", "limit": 3}).status_code == 200
        assert client.get("/api/health").status_code == 200
        # Another writer (a `twosource ingest` beside the server) adds an article: the server's next search
        # reads its passages' vectors without reopening the index.
        with open_index(index) as other:
            ingest_articles([Article(text=story, title="Honey", outlet="Coast")], other)
        found = client.get("/api/search", params={"q": "thyme honey harvest beekeepers", "limit": 1}).json()
        assert found["results"][0]["outlet"] == "Coast"
    assert len(opened) == 2  # the server's, once for every request, and the other writer's
