"""Hostile and oversized input, each case one that broke before: one-line errors, never a traceback or a 500,
no report lost, one bad record costing only itself, and a budget on what one article may cost."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from twosource import check, ingest, open_index, read_article
from twosource.claims import find_claims
from twosource.cli import cli
from twosource.errors import IndexStoreError, one_line
from twosource.index.sqlite import SQLiteIndex
from twosource.models import spacy_pipeline
from twosource.pipeline import store_report
from twosource.read import article_from_text
from twosource.types import Verdict
from twosource.web import create_app, in_background

from ..conftest import DATA, SEED, fakes_rows, write_fakes_slice

BBC = DATA / "news" / "bbc" / "bbc_news.csv"


def bbc_rows(n: int) -> list[dict[str, str]]:
    with open(BBC, encoding="utf-8", newline="") as f:
        return [row for _, row in zip(range(n), csv.DictReader(f), strict=False)]


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of 120 FA-KES articles: enough evidence for the seed's claims, quick to build."""
    folder = tmp_path_factory.mktemp("hardening")
    index = open_index(folder / "index.sqlite")
    ingest([write_fakes_slice(folder / "fakes.csv", fakes_rows()[:120])], index, encoding="latin-1")
    index.close()
    return folder / "index.sqlite"


def test_one_line_escapes_what_could_forge_a_second_line():
    assert one_line("a.txt\nrejected: b.txt: fine") == "a.txt\\nrejected: b.txt: fine"
    assert one_line("\x1b[31mred\u2028") == "\\x1b[31mred\\u2028"
    assert one_line("Алеппо حلب café") == "Алеппо حلب café"  # letters of any script stay as they are


def test_the_same_text_checked_twice_at_once_gets_two_reports_and_neither_is_replaced(small_index: Path, tmp_path):
    path = Path(shutil.copy(small_index, tmp_path / "index.sqlite"))
    text = SEED.read_text(encoding="utf-8")
    index = open_index(path)
    first = check(article_from_text(text, "a", outlet="Veterans Today"), index, max_claims=2)
    second = check(article_from_text(text, "b", outlet="Other Outlet"), index, max_claims=2)
    assert first.id != second.id
    store_report(first, index)
    store_report(second, index)
    assert json.loads(index.load_report(first.id))["article"]["outlet"] == "Veterans Today"
    with pytest.raises(IndexStoreError, match="already stored"):
        index.save_report(first.id, "{}")
    assert json.loads(index.load_report(first.id))["article"]["outlet"] == "Veterans Today"
    index.close()


def test_a_fresh_server_answers_concurrent_first_checks_each_with_its_own_report(small_index: Path, tmp_path):
    # A new process: the models load while four checks race for them.
    path = shutil.copy(small_index, tmp_path / "index.sqlite")
    with _serve_command(path) as url:
        text = SEED.read_text(encoding="utf-8")[:3000]
        outlets = [f"Outlet {n}" for n in range(4)]
        with ThreadPoolExecutor(4) as pool:
            answers = list(
                pool.map(
                    lambda o: httpx.post(f"{url}/api/check", json={"text": text, "outlet": o}, timeout=600), outlets
                )
            )
        assert [a.status_code for a in answers] == [201] * 4, [a.text[:200] for a in answers]
        ids = [a.json()["id"] for a in answers]
        assert len(set(ids)) == 4
        for report_id, outlet in zip(ids, outlets, strict=True):
            assert httpx.get(f"{url}/api/reports/{report_id}").json()["article"]["outlet"] == outlet


class _serve_command:
    """``twosource serve`` in a subprocess on a free loopback port."""

    def __init__(self, index: Path) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.index = index

    def __enter__(self) -> str:
        command = [sys.executable, "-m", "twosource", "serve", "--index", str(self.index), "--port", str(self.port)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url, deadline = f"http://127.0.0.1:{self.port}", time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/api/health", timeout=2)
                return url
            except httpx.TransportError:
                assert self.process.poll() is None and time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.2)

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture(scope="module")
def api(small_index: Path, tmp_path_factory: pytest.TempPathFactory):
    path = shutil.copy(small_index, tmp_path_factory.mktemp("api") / "index.sqlite")
    with in_background(create_app(path, token="s3cret")) as url:
        yield httpx.Client(base_url=url, timeout=120, headers={"Authorization": "Bearer s3cret"})


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/no-such-thing", 404),
        ("DELETE", "/api/health", 405),
        ("GET", "/api/articles/99999999999999999999999", 404),
        ("GET", "/api/articles/-1", 404),
        ("GET", "/api/reports/0123456789abcdef", 404),
    ],
)
def test_every_api_error_is_one_line_of_json_under_error(api: httpx.Client, method: str, path: str, status: int):
    answer = api.request(method, path)
    assert answer.status_code == status and set(answer.json()) == {"error"} and "\n" not in answer.json()["error"]


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"[" * 100_000 + b"]" * 100_000, 400, "nested too deeply"),
        (json.dumps({"url": "http://0177.0.0.1/"}).encode(), 422, "four decimal numbers"),
        (json.dumps({"url": "http://[::1/"}).encode(), 422, "not a valid URL"),
        (json.dumps({"url": "https://xn--/"}).encode(), 422, "malformed"),
        (json.dumps({"url": "http://a..b/"}).encode(), 422, "malformed"),
        (json.dumps({"url": f"http://{'a' * 300}.com/"}).encode(), 422, "malformed"),
        (json.dumps({"text": SEED.read_text(encoding="utf-8"), "date": "2017-02-30"}).encode(), 422, "calendar"),
        (json.dumps({"text": SEED.read_text(encoding="utf-8"), "date": "99999-01-01"}).encode(), 422, "YYYY-MM-DD"),
    ],
)
def test_hostile_check_bodies_get_one_line_4xx(api: httpx.Client, body: bytes, status: int, says: str):
    answer = api.post("/api/check", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == status, answer.text[:300]
    assert says in answer.json()["error"] and "\n" not in answer.json()["error"]


def test_the_token_counts_only_with_its_bearer_scheme(api: httpx.Client):
    bare = httpx.get(f"{api.base_url}/api/search", params={"q": "Aleppo"}, headers={"Authorization": "s3cret"})
    assert bare.status_code == 401
    cookie = {"Cookie": "twosource_session=é".encode()}  # raw UTF-8 bytes, as a hostile client may send
    odd_cookie = httpx.get(f"{api.base_url}/api/search", params={"q": "x"}, headers=cookie)
    assert odd_cookie.status_code == 401  # not a 500 from comparing non-ASCII text


def test_a_defect_is_logged_once_and_answered_in_one_line_on_a_connection_kept_open(
    small_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    def broken(self):
        raise RuntimeError("a defect in the index")

    connects: list[str] = []

    def count_connects(event: str, info: dict) -> None:
        if event == "connection.connect_tcp.complete":
            connects.append(event)

    path = shutil.copy(small_index, tmp_path / "index.sqlite")
    traced = {"trace": count_connects}
    with in_background(create_app(path)) as url, httpx.Client(base_url=url, timeout=60) as client:
        assert client.get("/api/health", extensions=traced).status_code == 200
        monkeypatch.setattr(SQLiteIndex, "stats", broken)
        for _ in range(2):
            answer = client.get("/api/health", extensions=traced)
            assert answer.status_code == 500
            assert answer.json() == {"error": "the server failed on this request; its log says why"}
        monkeypatch.undo()
        assert client.get("/api/health", extensions=traced).status_code == 200
    assert len(connects) == 1  # all four answers came over the first request's connection
    logged = [r for r in caplog.records if r.exc_info and "a defect in the index" in str(r.exc_info[1])]
    assert len(logged) == 2  # once per failed request, not again by uvicorn


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner(env=env).invoke(cli, list(args))


def test_the_cli_says_in_one_line_what_is_wrong_with_its_input(small_index: Path, tmp_path: Path):
    index = ["--index", str(small_index)]
    cases = [
        (["check", str(tmp_path), *index], 1, "a folder, not an article"),
        (["check", str(SEED), "--date", "2017-02-30", *index], 2, "not a date of the calendar"),
        (["check", str(SEED), "--date", "garbage", *index], 2, "YYYY-MM-DD"),
        (["check", str(SEED), "-o", str(tmp_path / "none" / "r.html"), *index], 2, "no folder"),
        (["check", "http://0177.0.0.1/", *index], 1, "four decimal numbers"),
        (["check", "http://[::1/", *index], 1, "not a valid URL"),
    ]
    for args, status, says in cases:
        result = _run(*args)
        assert result.exit_code == status and says in result.output, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    result = _run("check", str(SEED), *index, env={"TWOSOURCE_MAX_BYTES": "lots"})
    assert result.exit_code == 1 and "$TWOSOURCE_MAX_BYTES: 'lots' is not a whole number" in result.output


def test_a_defect_ends_in_one_line_and_status_70(monkeypatch: pytest.MonkeyPatch, small_index: Path):
    import twosource.pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a defect")

    monkeypatch.setattr(twosource.pipeline, "check", broken)
    result = _run("check", str(SEED), "--index", str(small_index), "--offline")
    assert result.exit_code == 70 and "internal error (KeyError: 'a defect')" in result.output
    assert "Traceback" not in result.output


def test_one_bad_record_costs_only_itself(tmp_path: Path):
    rows = bbc_rows(6)
    fields = list(rows[0])
    with open(tmp_path / "big-cell.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for n, row in enumerate(rows[:3]):
            # A 200 KB cell (over the csv module's own 128 KB field limit) in the second row's title.
            writer.writerow(row | {"title": "x" * 200_000} if n == 1 else row)
    lines = [json.dumps(r) for r in rows[3:]]
    lines.insert(2, '{"text": "a broken line')
    (tmp_path / "bad-line.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "deep.json").write_text("[" * 50_000, encoding="utf-8")
    (tmp_path / "mixed.json").write_text(json.dumps([rows[0] | {"id": "other"}, 5]), encoding="utf-8")
    index_path = tmp_path / "index.sqlite"
    result = _run("ingest", str(tmp_path), "--index", str(index_path))
    assert result.exit_code == 1, result.output
    rejected = [line for line in result.output.splitlines() if line.startswith("rejected:")]
    assert any("bad-line.jsonl:line 3: malformed JSON" in line for line in rejected), rejected
    assert any("deep.json: malformed JSON: nested too deeply" in line for line in rejected), rejected
    assert any("mixed.json:record 2: a JSON record must be an object" in line for line in rejected), rejected
    assert len(rejected) == 3  # the 200 KB cell is a long title, not a fault
    assert "6 added" in result.output


def test_a_file_name_cannot_forge_a_log_line(tmp_path: Path):
    bad = tmp_path / "a.txt\nrejected: forged.txt: looks real"
    bad.write_text("too short", encoding="utf-8")
    result = _run("ingest", str(bad), "--index", str(tmp_path / "index.sqlite"))
    rejected = [line for line in result.output.splitlines() if line.startswith("rejected:")]
    assert len(rejected) == 1 and "a.txt\\nrejected: forged.txt" in rejected[0]


@pytest.mark.parametrize("content", [bytes(range(256)) * 20, b"hello world, this is text\nand more of it\n"])
def test_what_is_not_a_warc_archive_is_said_to_be_none(tmp_path: Path, content: bytes):
    (tmp_path / "archive.warc").write_bytes(content)
    index_path = tmp_path / "index.sqlite"
    result = _run("ingest", str(tmp_path / "archive.warc"), "--index", str(index_path))
    assert result.exit_code == 126 and "not a" in result.output and "WARC file" in result.output
    forced = _run("ingest", str(SEED), "--format", "warc", "--index", str(index_path))
    assert forced.exit_code == 126 and "WARC file" in forced.output


def test_text_beyond_spacys_length_limit_is_read_in_pieces(monkeypatch: pytest.MonkeyPatch):
    article = read_article(SEED)
    whole = [(c.text, c.kind, c.speaker, c.entities) for c in find_claims(article)]
    # Pieces of about 1,500 characters, and a parser that refuses more than 2,000: as a 1,000,000-character text
    # meets spaCy's real limit. The claims are the same.
    monkeypatch.setattr("twosource.claims._PIECE_CHARS", 1_500)
    monkeypatch.setattr(spacy_pipeline(), "max_length", 2_000)
    assert len(article.text) > 2_000
    assert [(c.text, c.kind, c.speaker, c.entities) for c in find_claims(article)] == whole


def test_claims_beyond_the_budget_are_listed_as_not_checked_and_said(small_index: Path, tmp_path: Path):
    index = open_index(Path(shutil.copy(small_index, tmp_path / "index.sqlite")))
    report = check(read_article(SEED), index, max_claims=3)
    index.close()
    worthy = [v for v in report.verdicts if v.claim.checkworthy]
    checked = [v for v in worthy if v.verdict is not Verdict.NOT_CHECKED]
    unchecked = [v for v in worthy if v.verdict is Verdict.NOT_CHECKED]
    assert len(checked) == 3 and unchecked and all("--max-claims" in v.note for v in unchecked)
    assert min(v.claim.score for v in checked) >= max(v.claim.score for v in unchecked)
    assert any(f"{len(unchecked)} of {len(worthy)} check-worthy claims were not checked" in n for n in report.notes)


def test_a_long_text_is_indexed_by_its_first_passages_and_the_summary_says_so(tmp_path: Path):
    long_text = "\n\n".join(row["text"] for row in bbc_rows(40))
    (tmp_path / "long.txt").write_text(long_text, encoding="utf-8")
    result = _run("ingest", str(tmp_path / "long.txt"), "--index", str(tmp_path / "i.sqlite"), "--max-passages", "12")
    assert result.exit_code == 0 and "1 too long to index whole" in result.output, result.output
    index = open_index(tmp_path / "i.sqlite")
    stats = index.stats()
    index.close()
    assert stats.articles == 1 and stats.passages == 12


def test_a_large_page_is_read_in_a_child_process_within_the_reading_budget(monkeypatch: pytest.MonkeyPatch):
    import html

    from twosource.errors import ExtractError
    from twosource.read import html as reader

    paragraphs = [p for row in bbc_rows(8) for p in row["text"].split("\n") if p.strip()]
    page = "<html><head><title>Long</title></head><body><article>{}</article></body></html>".format(
        "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    )
    here = reader.extract_html(page, "long.html")
    monkeypatch.setattr(reader, "READ_IN_PROCESS_CHARS", 1_000)  # as a page of megabytes would be
    assert reader.extract_html(page, "long.html") == here
    with pytest.raises(ExtractError, match=r"long.html: reading the page took over 0.01 s \(the reading budget"):
        reader.extract_html(page, "long.html", max_seconds=0.01)


def test_claims_are_looked_for_in_a_long_texts_first_part_and_the_report_says_so(
    monkeypatch: pytest.MonkeyPatch, small_index: Path, tmp_path: Path
):
    monkeypatch.setattr("twosource.claims.CLAIMS_READ_CHARS", 3_000)
    article = read_article(SEED)
    index = open_index(Path(shutil.copy(small_index, tmp_path / "index.sqlite")))
    report = check(article, index, max_claims=1)
    index.close()
    assert report.verdicts and all(v.claim.end <= 3_000 for v in report.verdicts)
    assert article.text[report.verdicts[-1].claim.end :].lstrip()[:1] != ""  # the rest of the text was there
    assert any("the first 2," in n and f"{len(article.text):,} characters" in n for n in report.notes), report.notes


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("::127.0.0.1", "127.0.0.1 is a loopback address"),  # IPv4-compatible
        ("2002:7f00:1::", "127.0.0.1 is a loopback address"),  # 6to4
        ("64:ff9b::a00:1", "10.0.0.1 is a private address"),  # NAT64
        ("::ffff:169.254.169.254", "169.254.169.254 is a cloud metadata address"),
    ],
)
def test_ipv6_addresses_that_carry_a_private_ipv4_one_are_refused(address: str, says: str):
    from twosource.fetch import refusal

    assert refusal(address) == says
    assert refusal("64:ff9b::808:808") is None and refusal("2001:4860:4860::8888") is None  # public stays public


@pytest.mark.parametrize("field", ["urls", "feeds", "sitemaps"])
def test_an_ingest_request_cannot_make_the_server_read_its_own_files(api: httpx.Client, field: str):
    answer = api.post("/api/ingest", json={field: ["/etc/hostname"]})
    assert answer.status_code == 422 and "not an http or https address" in answer.json()["error"]


def test_a_search_sees_passages_another_connection_added_after_it_read_the_vectors(small_index: Path, tmp_path: Path):
    # A check's connection, and an ingest committing into the same index meanwhile (serve, or check beside watch).
    from twosource.ingestion import ingest_articles
    from twosource.models import embed
    from twosource.retrieve import Query, search

    path = Path(shutil.copy(small_index, tmp_path / "index.sqlite"))
    row = bbc_rows(1)[0]
    checking = open_index(path, create=False)
    query = Query(row["title"], embed([row["title"]])[0])
    search(checking, query)  # reads every passage vector
    writing = open_index(path, create=False)
    ingest_articles([article_from_text(row["text"], "bbc", title=row["title"])], writing)
    writing.close()
    found = search(checking, query)  # was an IndexError past the end of the stale matrix
    new = [p for p in found if p.title == row["title"]]
    assert new and checking.passage_vectors([p.passage_id for p in new]).shape == (len(new), 384)
    checking.close()
