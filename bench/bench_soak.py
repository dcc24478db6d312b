"""Benchmark: ``twosource serve`` soaked under a bounded mixed load on loopback, printed as figures.

Starts ``twosource serve --offline`` as a subprocess (so that its memory is its own) on a free loopback port,
over a copy of an index of FA-KES (built first, or ``--index``). ``--workers`` client threads then, for
``--minutes``, each send one request at a time, drawn from a mix: checks of BBC News articles (JSON and waiting,
``?wait=false`` and following the job, multipart forms), ingests of BBC News articles (JSON and CSV uploads, from
a fixed pool, so the index grows to a bound and then sees duplicates), searches and article reads, report reads
(JSON, the page, the downloads) of ids returned earlier, and bad requests (malformed JSON, unknown routes, bad
ids, oversized bodies, declared and streamed) with the 4xx each should get.

Fails (exit 1) on: any 5xx; a good request answered other than 2xx; a bad request accepted (2xx); a report read
back different from what its check returned; the server's memory growing over 10 % after warm-up; a traceback
in the server's log; an index that is not whole after the server stops, or whose article count is not the start's
plus what the ingests added. Memory: the resident set of the server process (and any children) sampled every
``--sample`` seconds; warm-up is the first ``min(2 min, a fifth of the run)``; the baseline is the median of
the samples in the minute after warm-up (a fifth of the run, for short runs), compared with the median of the
last minute (the last fifth, for short runs); runs under 5 minutes are all warm-up, and their growth is only shown.

    .venv/bin/python bench/bench_soak.py [--minutes M] [--workers N] [--index FILE] [--seed N] [--sample S]
                                         [--samples OUT.csv] [--mix KIND=WEIGHT]...

``--mix ingest=0`` (say) leaves a kind out, to tell which one a failure or the memory growth comes with.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from twosource import open_index

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
FAKES = DATA / "fakes" / "FA-KES-Dataset.csv"
BBC = DATA / "news" / "bbc" / "bbc_news.csv"
FAKES_CLI = ["--encoding", "latin-1", "--title-column", "article_title", "--text-column", "article_content"]
FAKES_CLI += ["--outlet-column", "source", "--date-column", "date"]
#: How often each kind of request is drawn.
MIX: dict[str, float] = {"check": 2, "ingest": 1, "search": 3, "report": 3, "bad": 3}
#: BBC rows ingested during the soak (business and entertainment), and the rows checked (the other sections).
INGEST_POOL = range(0, 300)
CHECK_POOL = range(900, 2225)
MAX_GROWTH = 0.10
#: Shorter runs are all warm-up (the models load on the first check and search): their memory is not judged.
JUDGE_MEMORY_MINUTES = 5
_TWOSOURCE = str(Path(sys.executable).with_name("twosource"))
_ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


@dataclass
class Tally:
    """What the workers saw, shared between them under a lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    counts: Counter[str] = field(default_factory=Counter)  # requests per kind and variant
    statuses: Counter[str] = field(default_factory=Counter)  # "kind status"
    failures: list[str] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)  # unexpected but harmless answers, by what they were
    reports: dict[str, Any] = field(default_factory=dict)  # report id -> the document its check returned
    added: int = 0  # articles the ingests added
    seconds: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # by kind:variant

    def count(self, kind: str, answer: httpx.Response, began: float) -> None:
        with self.lock:
            self.counts[kind] += 1
            self.statuses[f"{kind.split(':')[0]} {answer.status_code}"] += 1
            self.seconds[kind].append(time.perf_counter() - began)

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)

    def note(self, message: str) -> None:
        with self.lock:
            self.notes[message] += 1

    def report(self, report_id: str, document: Any, how: str) -> None:
        with self.lock:
            if report_id in self.reports:
                self.failures.append(f"{how}: report id {report_id} returned twice (a collision)")
            self.reports[report_id] = document

    def known_report(self, rng: random.Random) -> tuple[str, Any] | None:
        with self.lock:
            return rng.choice(list(self.reports.items())) if self.reports else None


def _describe(answer: httpx.Response) -> str:
    return f"{answer.request.method} {answer.request.url.path} -> {answer.status_code}: {answer.text[:300]!r}"


class Load:
    """The requests one worker sends; each checks its own answer."""

    def __init__(
        self, url: str, tally: Tally, rng: random.Random, texts: list[dict], pool: list[dict], articles: int
    ) -> None:
        self.url, self.tally, self.rng, self.texts, self.pool = url, tally, rng, texts, pool
        self.articles = articles  # the index's articles at the start, ids 1 to this
        self.last = "none"  # the previous request and its answer: a connection the server dropped is explained
        self.client = httpx.Client(base_url=url, timeout=900)

    def send(self, kind: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        began = time.perf_counter()
        answer = self.client.request(method, path, **kwargs)
        self.tally.count(kind, answer, began)
        self.last = f"{method} {path} -> {answer.status_code}"
        return answer

    def good(self, kind: str, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        """A request that must succeed: anything but 2xx is a failure."""
        answer = self.send(kind, method, path, **kwargs)
        if not answer.is_success:
            self.tally.fail(f"{kind}: {_describe(answer)}")
            return None
        return answer

    def follow(self, kind: str, job: dict[str, Any]) -> dict[str, Any] | None:
        """Poll a job until it is done; a failed job is a failure."""
        while True:
            answer = self.good(f"{kind}:poll", "GET", f"/api/jobs/{job['id']}")
            if answer is None:
                return None
            job = answer.json()
            if job["state"] == "done":
                return job
            if job["state"] == "failed":
                self.tally.fail(f"{kind}: job {job['id']} failed: {job['error']}")
                return None
            time.sleep(1)

    # -- the kinds ----------------------------------------------------------------------------------
    def check(self) -> None:
        row = self.rng.choice(self.texts)
        fields = {"outlet": self.rng.choice(["", "BBC News"]), "date": self.rng.choice(["", "2005-03-01"])}
        way = self.rng.choice(["json", "json", "job", "form"])
        if way == "json":
            answer = self.good("check:json", "POST", "/api/check", json={"text": row["text"], **fields})
            if answer is not None:
                self.tally.report(answer.json()["id"], answer.json(), "check:json")
        elif way == "form":
            files = {"file": (f"{row['id'].replace('/', '-')}.txt", row["text"].encode(), "text/plain")}
            answer = self.good("check:form", "POST", "/api/check", data=fields, files=files)
            if answer is not None:
                self.tally.report(answer.json()["id"], answer.json(), "check:form")
        else:
            answer = self.good("check:job", "POST", "/api/check?wait=false", json={"text": row["text"], **fields})
            job = self.follow("check", answer.json()) if answer is not None else None
            if job is not None:
                report_id = job["result"]["report"]
                read = self.good("check:result", "GET", f"/api/reports/{report_id}")
                if read is not None:
                    self.tally.report(report_id, read.json(), "check:job")

    def ingest(self) -> None:
        rows = self.rng.sample(self.pool, 4)
        if self.rng.random() < 0.5:
            articles = [{"text": r["text"], "title": r["title"], "outlet": r["source"]} for r in rows]
            answer = self.good("ingest:json", "POST", "/api/ingest", json={"articles": articles})
        else:
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(["title", "text", "source", "date"])
            writer.writerows([r["title"], r["text"], r["source"], r["date"]] for r in rows)
            files = {"file": ("bbc.csv", out.getvalue().encode(), "text/csv")}
            answer = self.good("ingest:csv", "POST", "/api/ingest", files=files)
        job = self.follow("ingest", answer.json()) if answer is not None else None
        if job is not None:
            result = job["result"]
            with self.tally.lock:
                self.tally.added += result["added"]
            if result["added"] + result["duplicates"] != len(rows) or result["rejected"]:
                self.tally.fail(f"ingest: {len(rows)} articles sent, the job says {result}")

    def search(self) -> None:
        words = self.rng.choice(self.texts)["title"]
        way = self.rng.choice(["api", "api", "page", "article"])
        if way == "api":
            answer = self.good(
                "search:api", "GET", "/api/search", params={"q": words, "limit": self.rng.randint(1, 60)}
            )
            if answer is not None and not isinstance(answer.json().get("results"), list):
                self.tally.fail(f"search: no results list: {_describe(answer)}")
        elif way == "page":
            self.good("search:page", "GET", "/search", params={"q": words})
        else:
            self.good("search:article", "GET", f"/api/articles/{self.rng.randint(1, self.articles)}")

    def report(self) -> None:
        known = self.tally.known_report(self.rng)
        if known is None:
            return self.search()
        report_id, document = known
        way = self.rng.choice(["api", "api", "page", "json", "html", "claimreview"])
        path = {
            "api": f"/api/reports/{report_id}",
            "page": f"/reports/{report_id}",
            "json": f"/reports/{report_id}.json",
            "html": f"/reports/{report_id}.html",
            "claimreview": f"/reports/{report_id}.claimreview.json",
        }[way]
        answer = self.good(f"report:{way}", "GET", path)
        if answer is not None and way in ("api", "json") and answer.json() != document:
            self.tally.fail(f"report {report_id}: read back ({way}) different from what its check returned")

    def bad(self) -> None:
        name, method, path, kwargs, expected = self.rng.choice(BAD_REQUESTS)
        try:
            answer = self.send(f"bad:{name}", method, path, **kwargs(self) if callable(kwargs) else kwargs)
        except httpx.TransportError as exc:
            # The server may close the connection on a body it refuses before the client has sent all of it.
            self.tally.note(
                f"bad:{name}: the connection ended ({type(exc).__name__}) after {self.last.split(' -> ')[-1]}"
            )
            self.last = f"bad:{name}: {type(exc).__name__}"
            self.client.close()
            self.client = httpx.Client(base_url=self.url, timeout=900)
            return
        if answer.status_code >= 500 or answer.is_success:
            self.tally.fail(f"bad:{name} (expected {expected}): {_describe(answer)}")
        elif answer.status_code != expected:
            self.tally.note(f"bad:{name}: {answer.status_code}, expected {expected}")
        if path.startswith("/api/") and answer.status_code >= 400:
            try:
                shaped = set(answer.json()) == {"error"}
            except ValueError:
                shaped = False
            if not shaped:
                self.tally.note(f"bad:{name}: {answer.status_code} body is not {{'error': ...}}: {answer.text[:80]}")


def _streamed(size: int) -> Iterator[bytes]:
    chunk = b'{"text": "' + b"x" * 65_536
    for _ in range(size // len(chunk) + 1):
        yield chunk


#: (name, method, path, request keywords or a function of the Load giving them (a body streamed anew each time),
#: the status it should get)
BAD_REQUESTS: list[tuple[str, str, str, Any, int]] = [
    (
        "malformed json",
        "POST",
        "/api/check",
        {"content": b'{"text": "Syria', "headers": {"content-type": "application/json"}},
        400,
    ),
    ("json not an object", "POST", "/api/check", {"json": ["a", "list"]}, 422),
    ("empty text", "POST", "/api/check", {"json": {"text": "   "}}, 422),
    (
        "text not utf-8",
        "POST",
        "/api/check",
        {"content": b'{"text": "\xff\xfe"}', "headers": {"content-type": "application/json"}},
        400,
    ),
    ("not an article", "POST", "/api/check", {"json": {"text": "\x00\x01\x02 binary \x03" * 50}}, 422),
    ("text over 500,000 characters", "POST", "/api/check", {"json": {"text": "word " * 120_001}}, 413),
    ("body over the cap (declared)", "POST", "/api/check", {"content": b"x" * 5_000_001}, 413),
    ("body over the cap (streamed)", "POST", "/api/check", lambda load: {"content": _streamed(5_100_000)}, 413),
    ("ingest articles not a list", "POST", "/api/ingest", {"json": {"articles": "a text"}}, 422),
    ("ingest empty form", "POST", "/api/ingest", {"data": {"format": "csv"}}, 422),
    (
        "ingest bad format",
        "POST",
        "/api/ingest",
        {"files": {"file": ("a.txt", b"text")}, "data": {"format": "pdf"}},
        422,
    ),
    ("unknown api route", "GET", "/api/nothing-here", {}, 404),
    ("unknown page", "GET", "/no/such/page", {}, 404),
    ("wrong method", "DELETE", "/api/check", {}, 405),
    ("report id malformed", "GET", "/api/reports/not-an-id", {}, 404),
    ("report id unknown", "GET", "/api/reports/0123456789abcdef", {}, 404),
    ("report page unknown", "GET", "/reports/0123456789abcdef", {}, 404),
    ("job id unknown", "GET", "/api/jobs/0123456789abcdef", {}, 404),
    ("article id not a number", "GET", "/api/articles/abc", {}, 422),
    ("article id unknown", "GET", "/api/articles/99999999", {}, 404),
    ("search without a query", "GET", "/api/search", {}, 422),
    ("search empty query", "GET", "/api/search", {"params": {"q": "  "}}, 422),
    ("search limit not a number", "GET", "/api/search", {"params": {"q": "Syria", "limit": "many"}}, 422),
    (
        "cross-site post",
        "POST",
        "/api/check",
        {"json": {"text": "x"}, "headers": {"origin": "http://evil.example"}},
        403,
    ),
    ("foreign host", "GET", "/api/health", {"headers": {"host": "rebound.example"}}, 400),
]


def _rows(path: Path, pool: range) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [rows[n] for n in pool]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss(process: psutil.Process) -> int:
    """The resident memory of the server and any processes it started."""
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):  # it ended since it was listed
            total += child.memory_info().rss
    return total


def _sample(process: psutil.Process, every: float, samples: list[tuple[float, int]], stop: threading.Event) -> None:
    began = time.monotonic()
    while not stop.is_set():
        try:
            samples.append((time.monotonic() - began, _rss(process)))
        except psutil.NoSuchProcess:
            return
        stop.wait(every)


def _median_mib(samples: list[tuple[float, int]], start: float, end: float) -> float:
    window = [rss for t, rss in samples if start <= t <= end]
    return statistics.median(window) / 2**20 if window else float("nan")


def _work(load: Load, deadline: float, draw: Callable[[], str]) -> None:
    while time.monotonic() < deadline:
        kind = draw()
        try:
            getattr(load, kind)()
        except Exception as exc:  # a broken connection or an answer that is not JSON: the server's failure
            load.tally.fail(f"{kind}: {type(exc).__name__}: {exc} (the worker's previous request: {load.last})")
            load.last = f"{kind}: {type(exc).__name__}"
            load.client = httpx.Client(base_url=load.url, timeout=900)


def build_index(path: Path) -> None:
    command = [_TWOSOURCE, "ingest", str(FAKES), "--index", str(path), *FAKES_CLI]
    subprocess.run(command, env=_ENV, capture_output=True, check=False)


def integrity(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        problems = [r[0] for r in db.execute("PRAGMA integrity_check") if r[0] != "ok"]
    finally:
        db.close()
    index = open_index(path, create=False)
    try:
        return problems + index.check_integrity()
    finally:
        index.close()


def main(
    minutes: float,
    workers: int,
    index: Path | None,
    seed: int,
    every: float,
    mix: dict[str, float],
    samples_file: Path | None,
) -> None:
    print(f"CPU cores available: {len(os.sched_getaffinity(0))}")
    folder = Path(tempfile.mkdtemp(prefix="twosource-soak-"))
    index_path = folder / "index.sqlite"
    if index is None:
        began = time.perf_counter()
        build_index(index_path)
        print(f"built the FA-KES index in {time.perf_counter() - began:.0f} s")
    else:
        shutil.copyfile(index, index_path)  # the soak writes (ingests, reports) into its own copy
    texts, pool = _rows(BBC, CHECK_POOL), _rows(BBC, INGEST_POOL)

    port = _free_port()
    log = open(folder / "serve.log", "w+")  # noqa: SIM115 (open until the server stops)
    server = subprocess.Popen(
        [_TWOSOURCE, "serve", "--index", str(index_path), "--port", str(port), "--offline"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_ENV,
    )
    url = f"http://127.0.0.1:{port}"
    failed: list[str] = []
    try:
        start_articles = _wait_healthy(url, server)
        tally = Tally()
        samples: list[tuple[float, int]] = []
        stop = threading.Event()
        sampler = threading.Thread(target=_sample, args=(psutil.Process(server.pid), every, samples, stop))
        sampler.start()
        master = random.Random(seed)
        kinds, weights = list(mix), list(mix.values())
        deadline = time.monotonic() + minutes * 60
        threads = []
        for _ in range(workers):
            rng = random.Random(master.random())
            load = Load(url, tally, rng, texts, pool, start_articles)
            draw = lambda rng=rng: rng.choices(kinds, weights)[0]  # noqa: E731
            threads.append(threading.Thread(target=_work, args=(load, deadline, draw)))
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ran = time.monotonic() - began
        stop.set()
        sampler.join()
        failed += tally.failures
        failed += _reread(url, tally)
        end_articles = httpx.get(f"{url}/api/health", timeout=60).json()["articles"]
        if end_articles != start_articles + tally.added:
            failed.append(f"articles: {end_articles} at the end, {start_articles} + {tally.added} added expected")
    finally:
        server.send_signal(signal.SIGINT)  # uvicorn's graceful stop
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            failed.append("the server did not stop within 60 s of SIGINT")
            server.kill()
            server.wait()
    log.seek(0)
    server_log = log.read()
    log.close()
    tracebacks = server_log.count("Traceback (most recent call last)")
    if tracebacks:
        failed.append(f"{tracebacks} tracebacks in the server's log ({folder / 'serve.log'})")
    problems = integrity(index_path)
    failed += [f"integrity: {p}" for p in problems]

    # Memory: warm-up, then a baseline window, against the last window.
    total = samples[-1][0] if samples else 0.0
    warm = min(120.0, total / 5)
    window = min(60.0, total / 5)
    baseline = _median_mib(samples, warm, warm + window)
    last = _median_mib(samples, total - window, total)
    growth = last / baseline - 1
    peak = max(rss for _, rss in samples) / 2**20
    judged = minutes >= JUDGE_MEMORY_MINUTES
    if judged and not growth <= MAX_GROWTH:
        failed.append(f"memory grew {growth:+.1%} after warm-up (limit {MAX_GROWTH:.0%})")

    if samples_file is not None:
        samples_file.write_text("seconds,rss_mib\n" + "".join(f"{t:.1f},{rss / 2**20:.1f}\n" for t, rss in samples))
    print(f"mix: {', '.join(f'{kind} {weight:g}' for kind, weight in mix.items())}")
    print(
        f"ran {ran / 60:.1f} min with {workers} workers; index at start {start_articles} articles, "
        f"{tally.added} added by ingests"
    )
    print(
        f"requests: {sum(tally.counts.values())}; by kind: "
        + ", ".join(f"{k} {n}" for k, n in sorted(tally.counts.items()))
    )
    print("statuses: " + ", ".join(f"{k}: {n}" for k, n in sorted(tally.statuses.items())))
    print("seconds per request (bad requests all together; job polls left out):")
    spent_by = {k: v for k, v in tally.seconds.items() if not k.startswith("bad:") and not k.endswith(":poll")}
    spent_by["bad"] = [t for k, v in tally.seconds.items() if k.startswith("bad:") for t in v]
    for kind, spent in sorted(spent_by.items()):
        if spent:
            print(f"  {kind}: median {statistics.median(spent):.2f}, slowest {max(spent):.1f}")
    print(f"reports returned and read back equal at the end: {len(tally.reports)}")
    print(
        f"server RSS: {len(samples)} samples every {every:.0f} s; median {baseline:.0f} MiB in "
        f"{warm:.0f}-{warm + window:.0f} s (after warm-up), {last:.0f} MiB in the last {window:.0f} s "
        f"({growth:+.1%}{'' if judged else ', not judged: too short a run'}); peak {peak:.0f} MiB"
    )
    print(f"index integrity after stopping: {problems or 'ok'}; tracebacks in the log: {tracebacks}")
    for note, n in sorted(tally.notes.items()):
        print(f"note ({n}×): {note}")
    if failed:
        print(f"FAILED ({len(failed)}):")
        for failure in failed[:30]:
            print(f"  {failure}")
        sys.exit(f"the soak failed; the server's log and index are in {folder}")
    print("passed")
    shutil.rmtree(folder)


def _wait_healthy(url: str, server: subprocess.Popen, wait: float = 180) -> int:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited with {server.returncode}")
        try:
            answer = httpx.get(f"{url}/api/health", timeout=5)
            if answer.status_code == 200:
                return int(answer.json()["articles"])
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    sys.exit("the server did not answer /api/health")


def _reread(url: str, tally: Tally) -> list[str]:
    """Every report id returned during the soak, read back: it must be what its check returned."""
    failures = []
    with httpx.Client(base_url=url, timeout=120) as client:
        for report_id, document in tally.reports.items():
            answer = client.get(f"/api/reports/{report_id}")
            if answer.status_code != 200:
                failures.append(f"report {report_id} at the end: {_describe(answer)}")
            elif answer.json() != document:
                failures.append(f"report {report_id} at the end: different from what its check returned")
    return failures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--index", type=Path, default=None, help="an index to copy (default: build one of FA-KES)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--sample", type=float, default=5, help="seconds between memory samples")
    parser.add_argument("--samples", type=Path, default=None, help="write the memory samples to this CSV")
    parser.add_argument(
        "--mix", action="append", default=[], metavar="KIND=WEIGHT", help=f"change the mix (default {MIX})"
    )
    options = parser.parse_args()
    mix = MIX | {kind: float(weight) for kind, weight in (m.split("=", 1) for m in options.mix)}
    if not set(mix) <= set(MIX):
        parser.error(f"--mix kinds are {', '.join(MIX)}")
    main(options.minutes, options.workers, options.index, options.seed, options.sample, mix, options.samples)
