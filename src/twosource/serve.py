"""``twosource serve``: the JSON API over the same library calls as the CLI (FastAPI, OpenAPI at /openapi.json).

Endpoints: ``POST /api/check`` (JSON or a multipart upload), ``GET /api/reports/{id}``, ``GET /api/search``,
``GET /api/articles/{id}`` (with its copy cluster), ``GET /api/health``. Reports are stored in the index.

Safety: binds to loopback unless told otherwise; an optional token guards every endpoint but health; request
bodies, pasted text and concurrent checks are capped, each with a clear 4xx answer. Article text only ever
leaves as JSON, never as markup.

Imports FastAPI; ``twosource`` imports this module only for ``serve``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from .errors import TwosourceError
from .index import open_index
from .index.base import Index
from .read import read_bytes
from .settings import default_max_bytes

#: Pasted text is read as an upload of this name would be.
PASTED = "pasted text"


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
    async def refused(_: Request, exc: TwosourceError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, 422)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        return JSONResponse({"error": f"{'.'.join(map(str, first['loc']))}: {first['msg']}"}, 422)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, exc.status_code)

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        with _opened(index_path) as index:
            stats = index.stats()
        return {"status": "ok", "articles": stats.articles, "passages": stats.passages}

    @app.post("/api/check")
    async def check(request: Request) -> JSONResponse:
        """Check an article: JSON ``{"text", "outlet"?, "date"?, "url"?}`` or a multipart ``file`` upload."""
        data, origin, fields = await _submission(request, limits)
        try:
            await asyncio.wait_for(slots.acquire(), limits.queue_seconds)
        except TimeoutError:
            raise HTTPException(429, f"{limits.max_checks} checks are running; try again shortly") from None
        try:
            report = await run_in_threadpool(_check, index_path, data, origin, fields, limits.max_body_bytes)
        finally:
            slots.release()
        return JSONResponse(report, 201, headers={"Location": f"/reports/{report['id']}"})

    @app.get("/api/reports/{report_id}")
    def report(report_id: str) -> JSONResponse:
        with _opened(index_path) as index:
            document = index.load_report(report_id)
        if document is None:
            raise HTTPException(404, f"no report {report_id}")
        return JSONResponse(json.loads(document))

    @app.get("/api/search")
    def search(q: str, limit: int = 20) -> dict[str, Any]:
        """Search the index as ``check`` searches it for a claim: lexical and dense, fused."""
        from .models import embed
        from .retrieve import Query
        from .retrieve import search as retrieve

        if not q.strip():
            raise HTTPException(422, "the query is empty")
        with _opened(index_path) as index:
            found = retrieve(index, Query(q, embed([q])[0]), max(1, min(limit, limits.max_search_results)))
        return {"query": q, "results": [asdict(p) for p in found]}

    @app.get("/api/articles/{article_id}")
    def article(article_id: int) -> dict[str, Any]:
        with _opened(index_path) as index:
            stored = index.article(article_id)
            if stored is None:
                raise HTTPException(404, f"no article {article_id}")
            copies = [a for a in index.cluster(stored.cluster_id) if a.id != stored.id]
        fields = asdict(stored)
        fields["copies"] = [{k: v for k, v in asdict(a).items() if k != "text"} for a in copies]
        return fields

    return app


def run(index_path: str | Path, *, host: str = "127.0.0.1", port: int = 8000, token: str | None = None) -> None:
    """Serve the app until interrupted."""
    import uvicorn

    uvicorn.run(create_app(index_path, token=token), host=host, port=port, log_level="info")


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
    if kind.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise HTTPException(422, "the form needs a file field")
        data = await upload.read(limits.max_body_bytes + 1)
        origin = upload.filename or "upload"
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
        if len(text) > limits.max_text_chars:
            raise HTTPException(413, f"the text is over {limits.max_text_chars:,} characters")
        data, origin = text.encode("utf-8"), PASTED
        fields = {k: str(payload.get(k) or "") for k in ("outlet", "date", "url")}
    if len(data) > limits.max_body_bytes:
        raise HTTPException(413, f"the article is over {limits.max_body_bytes:,} bytes")
    return data, origin, fields


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
