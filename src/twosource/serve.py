"""``twosource serve``: the JSON API and the web pages over the same library calls as the CLI (FastAPI).

API: ``POST /api/check`` (JSON, a multipart upload or a form), ``GET /api/reports/{id}``, ``GET /api/search``,
``GET /api/articles/{id}`` (with its copy cluster), ``GET /api/health``; the OpenAPI schema at /openapi.json.
Pages: ``/`` (the form), ``POST /check`` (its target), ``/reports/{id}`` (the report, permanent; reports are
stored in the index) and its downloads ``.json``, ``.html`` and ``.claimreview.json``; ``/search`` and
``/articles/{id}`` (an indexed article and its copies).

Safety: binds to loopback unless told otherwise; an optional token guards every endpoint but health; request
bodies, pasted text and concurrent checks are capped, each with a clear 4xx answer. Pages hold no scripts,
load nothing from elsewhere (a strict Content-Security-Policy says so) and escape every piece of article text.

Imports FastAPI; ``twosource`` imports this module only for ``serve``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from . import pages
from .errors import TwosourceError
from .index import open_index
from .index.base import Index
from .read import read_bytes
from .report import render
from .report.html import render_html
from .schema import report_from_dict
from .settings import default_max_bytes

#: Pasted text is read as an upload of this name would be.
PASTED = "pasted text"
_REPORT_ID = re.compile(r"[0-9a-f]{16}")


@dataclass(frozen=True)
class ServeLimits:
    """What one request may ask of the server."""

    max_body_bytes: int = field(default_factory=default_max_bytes)  # an upload or a JSON body
    max_text_chars: int = 500_000  # pasted article text
    max_checks: int = 2  # checks run at once (each uses the CPU fully); the others wait their turn
    queue_seconds: float = 300.0  # how long a check waits for its turn before a 429
    max_search_results: int = 50


def create_app(index_path: str | Path, *, token: str | None = None, limits: ServeLimits | None = None) -> FastAPI:
    """Return the API app over the index at ``index_path`` (which must exist)."""
    limits = limits or ServeLimits()
    open_index(index_path, create=False).close()  # a missing or broken index fails at start, not per request
    slots = asyncio.Semaphore(limits.max_checks)  # waiting for a turn holds no thread
    # No /docs or /redoc: FastAPI builds them from a CDN, and nothing the server sends may need the internet.
    app = FastAPI(
        title="twosource",
        summary="Which claims of a news article independent sources back.",
        docs_url=None,
        redoc_url=None,
    )

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Any:
        if token and request.url.path != "/api/health" and not _authorised(request, token):
            return JSONResponse({"error": "a valid token is required (Authorization: Bearer TOKEN)"}, 401)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limits.max_body_bytes:
            return JSONResponse({"error": f"the request is over {limits.max_body_bytes:,} bytes"}, 413)
        return await call_next(request)

    @app.exception_handler(TwosourceError)
    async def refused(request: Request, exc: TwosourceError) -> Response:
        return _error(request, 422, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0]
        return _error(request, 422, f"{'.'.join(map(str, first['loc']))}: {first['msg']}")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail))

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        with _opened(index_path) as index:
            stats = index.stats()
        return {"status": "ok", "articles": stats.articles, "passages": stats.passages}

    async def run_check(request: Request) -> dict[str, Any]:
        data, origin, fields = await _submission(request, limits)
        try:
            await asyncio.wait_for(slots.acquire(), limits.queue_seconds)
        except TimeoutError:
            raise HTTPException(429, f"{limits.max_checks} checks are running; try again shortly") from None
        try:
            return await run_in_threadpool(_check, index_path, data, origin, fields, limits.max_body_bytes)
        finally:
            slots.release()

    def stored(report_id: str) -> dict[str, Any]:
        document = None
        if _REPORT_ID.fullmatch(report_id):
            with _opened(index_path) as index:
                document = index.load_report(report_id)
        if document is None:
            raise HTTPException(404, f"no report {report_id}")
        return json.loads(document)

    @app.post("/api/check")
    async def check(request: Request) -> JSONResponse:
        """Check an article: JSON ``{"text", "outlet"?, "date"?, "url"?}``, or a multipart form with a ``file``
        upload or a ``text`` field, and optionally ``outlet``, ``date`` and ``url`` fields."""
        report = await run_check(request)
        return JSONResponse(report, 201, headers={"Location": f"/reports/{report['id']}"})

    @app.get("/api/reports/{report_id}")
    def report(report_id: str) -> JSONResponse:
        return JSONResponse(stored(report_id))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> HTMLResponse:
        return _page(pages.HOME)

    @app.post("/check", include_in_schema=False)
    async def check_form(request: Request) -> Response:
        """The home page's form: check, then show the report at its permanent address."""
        report = await run_check(request)
        return RedirectResponse(f"/reports/{report['id']}", 303)

    # Downloads first: "/reports/{report_id}" would also match "ID.json".
    @app.get("/reports/{report_id}.claimreview.json", include_in_schema=False)
    def claimreview_download(report_id: str) -> Response:
        text = render(report_from_dict(stored(report_id)), "claimreview")
        return _download(text, f"{report_id}.claimreview.json", "application/ld+json")

    @app.get("/reports/{report_id}.html", include_in_schema=False)
    def html_download(report_id: str) -> Response:
        return _download(render_html(report_from_dict(stored(report_id))), f"{report_id}.html", "text/html")

    @app.get("/reports/{report_id}.json", include_in_schema=False)
    def json_download(report_id: str) -> Response:
        text = json.dumps(stored(report_id), ensure_ascii=False, indent=2)
        return _download(text, f"{report_id}.json", "application/json")

    @app.get("/reports/{report_id}", include_in_schema=False)
    def report_page(report_id: str) -> HTMLResponse:
        document = stored(report_id)
        links = (
            ("Check another article", "/"),
            ("JSON", f"/reports/{report_id}.json"),
            ("HTML", f"/reports/{report_id}.html"),
            ("ClaimReview JSON-LD", f"/reports/{report_id}.claimreview.json"),
        )
        return _page(render_html(report_from_dict(document), links))

    def find(q: str, limit: int) -> list[dict[str, Any]]:
        from .models import embed
        from .retrieve import Query
        from .retrieve import search as retrieve

        if not q.strip():
            raise HTTPException(422, "the query is empty")
        with _opened(index_path) as index:
            found = retrieve(index, Query(q, embed([q])[0]), max(1, min(limit, limits.max_search_results)))
        return [asdict(p) for p in found]

    def with_copies(article_id: int) -> dict[str, Any]:
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


def run(index_path: str | Path, *, host: str = "127.0.0.1", port: int = 8000, token: str | None = None) -> None:
    """Serve the app until interrupted."""
    import uvicorn

    uvicorn.run(create_app(index_path, token=token), host=host, port=port, log_level="info")


def _error(request: Request, status: int, message: str) -> Response:
    """A one-line JSON error for the API, an error page (the message escaped) for the pages."""
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
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), token.encode())


@contextmanager
def _opened(path: str | Path) -> Iterator[Index]:
    """The index, opened for one request: SQLite connections are cheap, and each request gets its own."""
    index = open_index(path, create=False)
    try:
        yield index
    finally:
        index.close()


async def _submission(request: Request, limits: ServeLimits) -> tuple[bytes, str, dict[str, str]]:
    """Return the article's bytes, a name for it, and the outlet/date/url fields, from JSON or a form."""
    kind = request.headers.get("content-type", "")
    if kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form(max_files=1, max_fields=10)
        upload, pasted = form.get("file"), str(form.get("text") or "")
        if upload is not None and not isinstance(upload, str) and upload.filename:
            data = await upload.read(limits.max_body_bytes + 1)
            origin = upload.filename
        elif pasted.strip():
            data, origin = _pasted(pasted, limits), PASTED
        else:
            raise HTTPException(422, "the form needs a file field or a text field")
        fields = {k: str(form.get(k) or "") for k in ("outlet", "date", "url")}
    else:
        body = await request.body()
        try:
            payload = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise HTTPException(400, f"the body is not JSON: {exc}") from exc
        text = payload.get("text") if isinstance(payload, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise HTTPException(422, 'the JSON needs "text": the article')
        data, origin = _pasted(text, limits), PASTED
        fields = {k: str(payload.get(k) or "") for k in ("outlet", "date", "url")}
    if len(data) > limits.max_body_bytes:
        raise HTTPException(413, f"the article is over {limits.max_body_bytes:,} bytes")
    return data, origin, fields


def _pasted(text: str, limits: ServeLimits) -> bytes:
    if len(text) > limits.max_text_chars:
        raise HTTPException(413, f"the text is over {limits.max_text_chars:,} characters")
    return text.encode("utf-8")


def _check(index_path: str | Path, data: bytes, origin: str, fields: dict[str, str], max_bytes: int) -> dict:
    from .pipeline import check, store_report

    encoding = "utf-8" if origin == PASTED else None
    article = read_bytes(
        data,
        origin,
        outlet=fields["outlet"],
        url=fields["url"],
        date=fields["date"] or None,
        encoding=encoding,
        max_bytes=max_bytes,
    )
    with _opened(index_path) as index:
        return store_report(check(article, index), index)
