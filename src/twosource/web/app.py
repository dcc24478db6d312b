"""``twosource serve``: the JSON API and the web pages over the same library calls as the CLI (FastAPI).

API: ``POST /api/check`` (JSON, a multipart upload or a form: text, a page, or a URL to fetch; ``?wait=false``
answers at once with a job), ``POST /api/ingest`` (uploaded files, JSON articles, or URLs, feeds and sitemaps to
fetch; answers with a job), ``GET /api/jobs/{id}`` (progress),
``GET /api/reports/{id}``, ``GET /api/search``, ``GET /api/articles/{id}`` (with its copy cluster),
``GET /api/health``; the OpenAPI schema at /openapi.json.
Pages: ``/`` (the form), ``POST /check`` (its target: starts a check, then its progress page ``/jobs/{id}``
refreshes itself until the report is ready), ``/reports/{id}`` (the report, permanent; reports are stored in the
index) and its downloads ``.json``, ``.html`` and ``.claimreview.json``; ``/search`` and ``/articles/{id}`` (an
indexed article and its copies); ``/login`` when a token guards the server.

Safety: binds to loopback unless told otherwise, and then answers only to loopback host names (no DNS
rebinding); refuses cross-site form posts; an optional token guards every endpoint but health (a header for
programs, a cookie set by /login for browsers); request bodies (declared or streamed), pasted text and
concurrent checks are capped, each with a clear 4xx answer. Pages hold no scripts, load nothing from elsewhere
(a strict Content-Security-Policy says so) and escape every piece of article text.

Imports FastAPI; ``twosource`` imports this module only for ``serve``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..dates import given_date
from ..errors import TwosourceError, one_line
from ..fetch import FetchPolicy
from ..index import open_index
from ..index.base import Index
from ..live import LiveSources
from ..logs import log_to_stderr
from ..outlets import Outlets
from ..read import read_bytes
from ..read.web import read_url
from ..report import RENDERERS, Renderer
from ..report.html import render_html
from ..schema import report_from_dict
from ..settings import ReadLimits, default_max_bytes, default_max_claims
from . import pages
from .jobs import FAILED, Job, Jobs

#: Pasted text is read as an upload of this name would be.
PASTED = "pasted text"
#: The browser's proof of the token, set by /login.
SESSION_COOKIE = "twosource_session"
#: Host names a server bound to loopback answers to: a DNS-rebound name pointing at 127.0.0.1 gets a 400.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
_REPORT_ID = re.compile(r"[0-9a-f]{16}")
_MAX_ID = 2**63 - 1
_OPEN_PATHS = ("/api/health", "/login")
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServeLimits:
    """What one request may ask of the server."""

    max_body_bytes: int = field(default_factory=default_max_bytes)  # an upload or a JSON body
    max_ingest_bytes: int = 200_000_000  # the files of one POST /api/ingest (collections are large)
    max_text_chars: int = 500_000  # pasted article text (what it costs is bounded by max_claims)
    max_claims: int = field(default_factory=default_max_claims)  # claims checked per article, as --max-claims
    max_checks: int = 2  # checks run at once (each uses the CPU fully); the others wait their turn
    queue_seconds: float = 300.0  # how long a check or an ingest waits for its turn before it is refused
    max_search_results: int = 50
    max_ingest_files: int = 100


def create_app(
    index_path: str | Path,
    *,
    token: str | None = None,
    limits: ServeLimits | None = None,
    allowed_hosts: tuple[str, ...] | None = None,
    live: LiveSources | None = None,
    fetch_policy: FetchPolicy | None = None,
    outlets: Outlets | None = None,
) -> FastAPI:
    """Return the app over the index at ``index_path`` (which must exist).

    ``allowed_hosts``: the Host names to answer (``run`` passes ``LOOPBACK_HOSTS`` when bound to loopback).
    ``live``: the live services each check asks besides the index (None: the index alone).
    ``fetch_policy``: how pages are fetched for a check or an ingest by URL (public addresses only by default).
    ``outlets``: the outlets declared one outlet under several hosts or names (``outlets.load_outlets``).
    """
    limits = limits or ServeLimits()
    fetch_policy = fetch_policy or FetchPolicy(max_bytes=limits.max_body_bytes)
    open_index(index_path, create=False).close()  # a missing or broken index fails at start, not per request
    check_slots = asyncio.Semaphore(limits.max_checks)  # waiting for a turn holds no thread
    ingest_slot = asyncio.Semaphore(1)  # one writer at a time
    jobs = Jobs()
    running: set[asyncio.Task] = set()  # background jobs, referenced until they end
    # No /docs or /redoc: FastAPI builds them from a CDN, and nothing the server sends may need the internet.
    app = FastAPI(
        title="twosource",
        summary="Which claims of a news article independent sources back.",
        docs_url=None,
        redoc_url=None,
    )

    app.add_middleware(_Guard, token=token, limits=limits, allowed_hosts=allowed_hosts)

    @app.exception_handler(TwosourceError)
    async def refused(request: Request, exc: TwosourceError) -> Response:
        return _error(request, 422, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0]
        return _error(request, 422, f"{'.'.join(map(str, first['loc']))}: {first['msg']}")

    # Starlette's own class: its 404 for an unknown path and 405 for a wrong method are answered here too.
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail))

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        with _opened(index_path) as index:
            stats = index.stats()
        return {"status": "ok", "articles": stats.articles, "passages": stats.passages}

    async def run_job(
        job: Job, slots: asyncio.Semaphore, work: Callable[[Job], dict[str, Any]], outcome: Callable[[dict], dict]
    ) -> dict[str, Any]:
        """Wait for a slot, run ``work(job)`` in a thread, record ``outcome(result)`` or the error on the job."""
        try:
            await asyncio.wait_for(slots.acquire(), limits.queue_seconds)
        except TimeoutError:
            job.fail(f"the server is busy ({job.kind}s are running); try again shortly")
            raise HTTPException(429, job.error) from None
        try:
            result = await run_in_threadpool(work, job)
        except TwosourceError as exc:
            job.fail(str(exc))
            raise
        except Exception:
            _log.exception("%s job %s failed", job.kind, job.id)
            job.fail("the server failed on this input; its log says why")
            raise
        finally:
            slots.release()
        job.succeed(outcome(result))
        return result

    def detach(work: Awaitable[Any]) -> None:
        """Run ``work`` after the answer is sent."""
        task = asyncio.ensure_future(work)
        running.add(task)
        # The job records its own failure; retrieving the exception keeps asyncio from logging it again.
        task.add_done_callback(lambda t: (running.discard(t), t.cancelled() or t.exception()))

    def job_or_404(job_id: str) -> Job:
        job = jobs.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        return job

    async def start_check(request: Request) -> tuple[Job, Awaitable[dict[str, Any]]]:
        data, origin, fields = await _submission(request, limits)
        job = jobs.new("check")

        def work(job: Job) -> dict[str, Any]:
            return _check(index_path, data, origin, fields, fetch_policy, job.advance, live, outlets, limits.max_claims)

        return job, run_job(job, check_slots, work, lambda report: {"report": report["id"]})

    @app.post("/api/check", status_code=201)
    async def check(request: Request, wait: bool = True) -> JSONResponse:
        """Check an article: JSON ``{"text", "outlet"?, "date"?, "url"?}``, or a multipart form with a ``file``
        upload or a ``text`` field, and optionally ``outlet``, ``date`` and ``url`` fields. With a ``url`` and no
        text, the page is fetched (public addresses only). Answers 201 with the
        report; with ``?wait=false``, 202 with a job to follow at ``/api/jobs/{id}`` (its result names the report).
        """
        job, checking = await start_check(request)
        if not wait:
            detach(checking)
            return JSONResponse(job.to_dict(), 202, headers={"Location": f"/api/jobs/{job.id}"})
        report = await checking
        return JSONResponse(report, 201, headers={"Location": f"/reports/{report['id']}"})

    @app.post("/api/ingest", status_code=202)
    async def ingest(request: Request) -> JSONResponse:
        """Add articles to the index: a multipart form with one or more ``file`` uploads (articles, CSV or
        JSON(L) collections, WARC archives) and optional ``format``, ``outlet``, ``encoding`` and ``*_column``
        fields, as ``twosource ingest`` takes them; or JSON ``{"articles": [{"text", "title"?, "outlet"?,
        "date"?, "url"?, "author"?}], "urls"?: [...], "feeds"?: [...], "sitemaps"?: [...]}``: pages, RSS/Atom
        feeds and sitemaps to fetch (public addresses only, politely). Answers 202 with a job;
        ``/api/jobs/{id}`` shows its progress and summary."""
        folder = Path(tempfile.mkdtemp(prefix="twosource-ingest-"))
        try:
            options = await _ingest_submission(request, folder, limits)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        job = jobs.new("ingest")

        def work(job: Job) -> dict[str, Any]:
            try:
                return _ingest(index_path, folder, options, fetch_policy, job.advance)
            finally:
                shutil.rmtree(folder, ignore_errors=True)

        detach(run_job(job, ingest_slot, work, lambda summary: summary))
        return JSONResponse(job.to_dict(), 202, headers={"Location": f"/api/jobs/{job.id}"})

    @app.get("/api/jobs/{job_id}")
    def job_status(job_id: str) -> dict[str, Any]:
        """A check's or an ingest's progress: ``state`` queued|running|done|failed, ``stage``, ``done`` of
        ``total``, then its ``result`` (check: the report's id; ingest: counts) or its ``error``."""
        return job_or_404(job_id).to_dict()

    def stored(report_id: str) -> dict[str, Any]:
        document = None
        if _REPORT_ID.fullmatch(report_id):
            with _opened(index_path) as index:
                document = index.load_report(report_id)
        if document is None:
            raise HTTPException(404, f"no report {report_id}")
        return json.loads(document)

    @app.get("/api/reports/{report_id}")
    def report(report_id: str) -> JSONResponse:
        return JSONResponse(stored(report_id))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> HTMLResponse:
        return _page(pages.HOME)

    @app.post("/check", include_in_schema=False)
    async def check_form(request: Request) -> Response:
        """The home page's form: start the check, then follow its progress page to the report."""
        job, checking = await start_check(request)
        detach(checking)
        return RedirectResponse(f"/jobs/{job.id}", 303)

    @app.get("/jobs/{job_id}", include_in_schema=False)
    def job_page(job_id: str) -> Response:
        """A running check's progress (the page refreshes itself); when done, the report; when failed, why."""
        job = job_or_404(job_id)
        if job.kind != "check":
            raise HTTPException(404, f"no check {job_id} (follow an ingest at /api/jobs/{job_id})")
        if job.state == FAILED:
            return _page(pages.error(422, job.error), 422)
        if "report" in job.result:
            return RedirectResponse(f"/reports/{job.result['report']}", 303)
        return _page(pages.progress(job.to_dict()))

    @app.get("/login", include_in_schema=False)
    def login_page(next: str = "/") -> HTMLResponse:
        return _page(pages.login(_local(next)))

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=2)
        target = _local(str(form.get("next") or "/"))
        if not token or not hmac.compare_digest(str(form.get("token") or "").encode(), token.encode()):
            return _page(pages.login(target, "That is not the server's token."), 401)
        answer = RedirectResponse(target, 303)
        secure = request.url.scheme == "https"
        answer.set_cookie(SESSION_COOKIE, _session(token), httponly=True, samesite="strict", secure=secure)
        return answer

    # Downloads first: "/reports/{report_id}" would also match "ID.json"; the longest suffix first.
    for renderer in sorted((r for r in RENDERERS.values() if r.download), key=lambda r: -len(r.suffix)):

        def download(report_id: str, renderer: Renderer = renderer) -> Response:
            text = renderer.render(report_from_dict(stored(report_id)), 100, False)
            return _download(text, f"{report_id}{renderer.suffix}", renderer.media_type)

        app.get(f"/reports/{{report_id}}{renderer.suffix}", include_in_schema=False)(download)

    @app.get("/reports/{report_id}", include_in_schema=False)
    def report_page(report_id: str) -> HTMLResponse:
        document = stored(report_id)
        downloads = [(r.label, f"/reports/{report_id}{r.suffix}") for r in RENDERERS.values() if r.download]
        links = (("Check another article", "/"), *downloads)
        return _page(render_html(report_from_dict(document), links))

    def find(q: str, limit: int) -> list[dict[str, Any]]:
        from ..models import embed
        from ..retrieve import Query
        from ..retrieve import search as retrieve

        if not q.strip():
            raise HTTPException(422, "the query is empty")
        with _opened(index_path) as index:
            found = retrieve(index, Query(q, embed([q])[0]), max(1, min(limit, limits.max_search_results)))
        return [asdict(p) for p in found]

    def with_copies(article_id: int) -> dict[str, Any]:
        if not 0 < article_id <= _MAX_ID:  # beyond SQLite's integers: no such article
            raise HTTPException(404, f"no article {article_id}")
        with _opened(index_path) as index:
            record = index.article(article_id)
            if record is None:
                raise HTTPException(404, f"no article {article_id}")
            copies = [a for a in index.cluster(record.cluster_id) if a.id != record.id]
        fields = asdict(record)
        fields["copies"] = [{k: v for k, v in asdict(a).items() if k != "text"} for a in copies]
        return fields

    @app.get("/api/search")
    def search(q: str, limit: int = 20) -> dict[str, Any]:
        """Search the index as ``check`` searches it for a claim: lexical and dense, fused."""
        return {"query": q, "results": find(q, limit)}

    @app.get("/api/articles/{article_id}")
    def article(article_id: int) -> dict[str, Any]:
        return with_copies(article_id)

    @app.get("/search", include_in_schema=False)
    def search_page(q: str = "") -> HTMLResponse:
        return _page(pages.search(q, find(q, 20) if q.strip() else []))

    @app.get("/articles/{article_id}", include_in_schema=False)
    def article_page(article_id: int) -> HTMLResponse:
        fields = with_copies(article_id)
        return _page(pages.article(fields, fields["copies"]))

    return app


@contextmanager
def in_background(app: FastAPI, *, host: str = "127.0.0.1", port: int = 0, wait: float = 30.0) -> Iterator[str]:
    """Serve ``app`` from a thread (port 0: a free one) while the block runs; yield its base URL."""
    import threading
    import time

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + wait
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def run(
    index_path: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    live: LiveSources | None = None,
    fetch_policy: FetchPolicy | None = None,
    outlets: Outlets | None = None,
) -> None:
    """Serve the app until interrupted; bound to loopback, it answers only to loopback host names."""
    import uvicorn

    hosts = LOOPBACK_HOSTS if host in LOOPBACK_HOSTS else None
    app = create_app(
        index_path, token=token, allowed_hosts=hosts, live=live, fetch_policy=fetch_policy, outlets=outlets
    )
    log_to_stderr(logging.INFO)  # a failed job's traceback goes where the server's operator reads
    uvicorn.run(app, host=host, port=port, log_level="info")


def _error(request: Request, status: int, message: str) -> Response:
    """A one-line JSON error for the API, an error page (the message escaped) for the pages."""
    message = one_line(message)  # it may quote the request: "/api/reports/%0D" names a report id "\r"
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status)
    return _page(pages.error(status, message), status)


def _page(html: str, status: int = 200) -> HTMLResponse:
    # The pages hold no scripts and load nothing from elsewhere; the header says so to the browser too.
    headers = {"Content-Security-Policy": pages.CSP, "X-Content-Type-Options": "nosniff"}
    return HTMLResponse(html, status, headers=headers)


def _download(text: str, filename: str, media_type: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"}
    return Response(text, media_type=media_type, headers=headers)


def _authorised(request: Request, token: str) -> bool:
    """The token in an Authorization header (programs), or the session cookie /login set (browsers)."""
    scheme, _, given = request.headers.get("authorization", "").strip().partition(" ")
    given = given.strip() if scheme.lower() == "bearer" else ""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    session = _session(token).encode()
    return hmac.compare_digest(given.encode(), token.encode()) or hmac.compare_digest(cookie.encode(), session)


def _session(token: str) -> str:
    # The cookie holds a digest of the token, not the token itself.
    return hmac.new(token.encode(), b"twosource session", hashlib.sha256).hexdigest()


def _same_origin(request: Request) -> bool:
    """False for a browser's post from another site (its Origin names another host); programs send no Origin."""
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host", "")


def _host_name(header: str) -> str:
    """The name in a Host header, without its port ("[::1]:8000" -> "[::1]")."""
    return header[: header.find("]") + 1] if header.startswith("[") else header.split(":")[0]


def _local(target: str) -> str:
    # Where /login may send the browser next: a path on this server, never another site.
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


class _Guard:
    """Before a request reaches its endpoint: answers only to the allowed Host names (no DNS rebinding), refuses
    cross-site posts, asks for the token where one is set, and caps the body, whether its size is declared or it
    is streamed (chunked), reading no more than the cap.

    Plain ASGI rather than FastAPI's http middleware: an error raised while the endpoint reads the body must
    reach the app's error handlers, which answer in the API's JSON or as a page.

    It is also where a defect ends: logged once, answered with a one-line 500, and the connection kept. (An
    ``Exception`` handler of the app's would answer, then re-raise into uvicorn, which logs it again and drops
    the keep-alive connection without telling the client.)"""

    def __init__(
        self, app: ASGIApp, token: str | None, limits: ServeLimits, allowed_hosts: tuple[str, ...] | None
    ) -> None:
        self.app, self.token, self.limits, self.allowed_hosts = app, token, limits, allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        path = request.url.path
        if self.allowed_hosts and _host_name(request.headers.get("host", "")) not in self.allowed_hosts:
            refused_host = f"this server answers only to {', '.join(self.allowed_hosts)}, not to the Host named"
            return await _error(request, 400, refused_host)(scope, receive, send)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin(request):
            return await _error(request, 403, "cross-site requests are refused")(scope, receive, send)
        if self.token and path not in _OPEN_PATHS and not _authorised(request, self.token):
            if request.method == "GET" and not path.startswith("/api/"):
                refused: Response = RedirectResponse(f"/login?next={quote(path)}", 303)
            else:
                refused = _error(request, 401, "a valid token is required (Authorization: Bearer TOKEN)")
            return await refused(scope, receive, send)
        limit = self.limits.max_ingest_bytes if path == "/api/ingest" else self.limits.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return await _error(request, 413, f"the request is over {limit:,} bytes")(scope, receive, send)
        received = 0

        async def capped() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413, f"the request is over {limit:,} bytes")
            return message

        answering = False

        async def sending(message: Message) -> None:
            nonlocal answering
            answering = answering or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped, sending)
        except Exception as exc:
            if answering:
                raise  # half an answer is out: only closing the connection can tell the client
            _log.error("%s %s failed", request.method, path, exc_info=exc)
            await _error(request, 500, "the server failed on this request; its log says why")(scope, receive, send)


@contextmanager
def _opened(path: str | Path) -> Iterator[Index]:
    """The index, opened for one request: SQLite connections are cheap, and each request gets its own."""
    index = open_index(path, create=False)
    try:
        yield index
    finally:
        index.close()


def _is_form(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith(
        ("multipart/form-data", "application/x-www-form-urlencoded")
    )


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        payload = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"the body is not JSON: {exc}") from exc
    except RecursionError:
        raise HTTPException(400, "the body is JSON nested too deeply") from None
    if not isinstance(payload, dict):
        raise HTTPException(422, "the JSON must be an object")
    return payload


async def _submission(request: Request, limits: ServeLimits) -> tuple[bytes | None, str, dict[str, str]]:
    """Return the article's bytes, a name for it, and the outlet/date/url fields, from JSON or a form.

    With neither text nor a file but a URL, the bytes are None: the page is fetched when the check runs."""
    if _is_form(request):
        form = await request.form(max_files=1, max_fields=10)
        upload, pasted = form.get("file"), str(form.get("text") or "")
        fields = {k: str(form.get(k) or "").strip() for k in ("outlet", "date", "url")}
        if upload is not None and not isinstance(upload, str) and upload.filename:
            data: bytes | None = await upload.read(limits.max_body_bytes + 1)
            origin = upload.filename
        elif pasted.strip():
            data, origin = _pasted(pasted, limits), PASTED
        elif fields["url"]:
            data, origin = None, fields["url"]
        else:
            raise HTTPException(422, "the form needs the article's text, its page as a file, or its URL")
    else:
        payload = await _json_object(request)
        text = payload.get("text")
        fields = {k: str(payload.get(k) or "").strip() for k in ("outlet", "date", "url")}
        if isinstance(text, str) and text.strip():
            data, origin = _pasted(text, limits), PASTED
        elif fields["url"]:
            data, origin = None, fields["url"]
        else:
            raise HTTPException(422, 'the JSON needs "text" (the article) or "url" (its page)')
    if data is not None and len(data) > limits.max_body_bytes:
        raise HTTPException(413, f"the article is over {limits.max_body_bytes:,} bytes")
    if fields["date"]:
        try:
            fields["date"] = given_date(fields["date"])
        except ValueError as exc:
            raise HTTPException(422, f"date: {exc}") from None
    return data, origin, fields


def _pasted(text: str, limits: ServeLimits) -> bytes:
    if len(text) > limits.max_text_chars:
        raise HTTPException(413, f"the text is over {limits.max_text_chars:,} characters")
    return text.encode("utf-8")


#: The fields of an ingest form, as ``twosource ingest`` takes them.
_INGEST_FIELDS = (
    "format",
    "outlet",
    "encoding",
    *(f"{c}_column" for c in ("text", "title", "outlet", "date", "url", "author")),
)
_FORMATS = ("auto", "text", "html", "csv", "json", "jsonl", "warc")
#: What an ingest request may name to fetch, as ``twosource ingest URL... --feed --sitemap`` takes them.
_WEB_SOURCES = ("urls", "feeds", "sitemaps")
_WEB_ADDRESS = re.compile(r"https?://", re.I)


async def _ingest_submission(request: Request, folder: Path, limits: ServeLimits) -> dict[str, Any]:
    """Save the articles of an ingest request into ``folder``; return its options (format, outlet, columns) and
    the addresses it names (urls, feeds, sitemaps) to fetch."""
    if _is_form(request):
        form = await request.form(max_files=limits.max_ingest_files, max_fields=len(_INGEST_FIELDS))
        uploads = [u for u in form.getlist("file") if not isinstance(u, str) and u.filename]
        if not uploads:
            raise HTTPException(422, "the form needs one or more file fields")
        for n, upload in enumerate(uploads):
            # Only the file's base name, prefixed: an upload named ../../x must stay in the folder.
            name = re.sub(r"[^\w.-]", "_", Path(upload.filename or "upload").name)
            with open(folder / f"{n:03d}-{name}", "wb") as out:
                shutil.copyfileobj(upload.file, out)
        options = {k: str(form.get(k) or "") for k in _INGEST_FIELDS}
    else:
        payload = await _json_object(request)
        articles = payload.get("articles") or []
        web = {key: payload.get(key) or [] for key in _WEB_SOURCES}
        lists = [articles, *web.values()]
        if not all(isinstance(x, list) for x in lists) or not any(lists):
            raise HTTPException(
                422,
                'the JSON needs "articles" (a list of {"text", "title"?, "outlet"?, "date"?}) or "urls", '
                '"feeds" or "sitemaps" (lists of addresses)',
            )
        if articles:
            with open(folder / "articles.jsonl", "w", encoding="utf-8") as out:
                out.writelines(json.dumps(a, ensure_ascii=False) + "\n" for a in articles)
        options = {k: str(payload.get(k) or "") for k in _INGEST_FIELDS} | {"format": "jsonl" if articles else ""}
        options |= {key: [str(u) for u in addresses] for key, addresses in web.items()}
        local = next((u for key in _WEB_SOURCES for u in options[key] if not _WEB_ADDRESS.match(u)), None)
        if local is not None:
            # Else a feed or sitemap "address" could be a path, and the server would read its own files.
            raise HTTPException(422, f"{local!r} is not an http or https address")
    if options["format"] and options["format"] not in _FORMATS:
        raise HTTPException(422, f"format must be one of {', '.join(_FORMATS)}")
    return options


def _ingest(
    index_path: str | Path, folder: Path, options: dict[str, Any], policy: FetchPolicy, progress: Callable[..., None]
) -> dict[str, Any]:
    from ..ingestion import ingest
    from ..read.collection import Columns

    columns = Columns(**{k.removesuffix("_column"): v or None for k, v in options.items() if k.endswith("_column")})
    with _opened(index_path) as index:
        summary = ingest(
            [*sorted(folder.iterdir()), *options.get("urls", [])],
            index,
            fmt=options["format"] or "auto",
            columns=columns,
            outlet=options["outlet"],
            encoding=options["encoding"] or None,
            limits=ReadLimits(max_bytes=policy.max_bytes),
            feeds=options.get("feeds", []),
            sitemaps=options.get("sitemaps", []),
            policy=policy,
            progress=lambda done, total: progress("ingesting", done, total),
        )
    rejected = [{"origin": _uploaded_name(r.origin, folder), "reason": r.reason} for r in summary.rejected]
    return {"added": summary.added, "duplicates": summary.duplicates, "copies": summary.copies, "rejected": rejected}


def _uploaded_name(origin: str, folder: Path) -> str:
    # "/tmp/twosource-ingest-x/003-feed.csv:12" -> "feed.csv:12": the name the caller sent.
    return re.sub(r"^\d{3}-", "", origin.removeprefix(f"{folder}/"))


def _check(
    index_path: str | Path,
    data: bytes | None,
    origin: str,
    fields: dict[str, str],
    policy: FetchPolicy,
    progress: Callable[[str, int, int], None],
    live: LiveSources | None,
    outlets: Outlets | None,
    max_claims: int,
) -> dict:
    from ..pipeline import check, store_report

    date = fields["date"] or None
    if data is None:
        progress("fetching the page", 0, 0)
        article = read_url(fields["url"], outlet=fields["outlet"], date=date, policy=policy)
    else:
        encoding = "utf-8" if origin == PASTED else None
        article = read_bytes(
            data,
            origin,
            outlet=fields["outlet"],
            url=fields["url"],
            date=date,
            encoding=encoding,
            max_bytes=policy.max_bytes,
        )
    with _opened(index_path) as index:
        report = check(article, index, progress=progress, live=live, outlets=outlets, max_claims=max_claims)
        return store_report(report, index)
