"""The JSON API: checks, ingests, jobs, reports, search and articles, under /api/."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from .forms import ingest_submission
from .jobs import Job
from .server import Server


def api_routes(server: Server) -> APIRouter:
    """The API's routes over ``server``."""
    router = APIRouter()

    @router.get("/health")
    def health() -> dict[str, Any]:
        stats = server.index.stats()
        return {"status": "ok", "articles": stats.articles, "passages": stats.passages}

    @router.post("/check", status_code=201)
    async def check(request: Request, wait: bool = True) -> JSONResponse:
        """Check an article: JSON ``{"text", "outlet"?, "date"?, "url"?}``, or a multipart form with a ``file``
        upload or a ``text`` field, and optionally ``outlet``, ``date`` and ``url`` fields. With a ``url`` and no
        text, the page is fetched (public addresses only). Answers 201 with the
        report; with ``?wait=false``, 202 with a job to follow at ``/api/jobs/{id}`` (its result names the report).
        """
        job, checking = await server.start_check(request)
        if not wait:
            server.detach(checking)
            return JSONResponse(job.to_dict(), 202, headers={"Location": f"/api/jobs/{job.id}"})
        report = await checking
        return JSONResponse(report, 201, headers={"Location": f"/reports/{report['id']}"})

    @router.post("/ingest", status_code=202)
    async def ingest(request: Request) -> JSONResponse:
        """Add articles to the index: a multipart form with one or more ``file`` uploads (articles, CSV or
        JSON(L) collections, WARC archives) and optional ``format``, ``outlet``, ``encoding`` and ``*_column``
        fields, as ``twosource ingest`` takes them; or JSON ``{"articles": [{"text", "title"?, "outlet"?,
        "date"?, "url"?, "author"?}], "urls"?: [...], "feeds"?: [...], "sitemaps"?: [...]}``: pages, RSS/Atom
        feeds and sitemaps to fetch (public addresses only, politely). Answers 202 with a job;
        ``/api/jobs/{id}`` shows its progress and summary."""
        folder = Path(tempfile.mkdtemp(prefix="twosource-ingest-"))
        try:
            options = await ingest_submission(request, folder, server.limits)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        job = server.jobs.new("ingest")

        def work(job: Job) -> dict[str, Any]:
            try:
                return server.ingest_folder(folder, options, job.advance)
            finally:
                shutil.rmtree(folder, ignore_errors=True)

        server.detach(server.run_job(job, server.ingest_slot, work, lambda summary: summary))
        return JSONResponse(job.to_dict(), 202, headers={"Location": f"/api/jobs/{job.id}"})

    @router.get("/jobs/{job_id}")
    def job_status(job_id: str) -> dict[str, Any]:
        """A check's or an ingest's progress: ``state`` queued|running|done|failed, ``stage``, ``done`` of
        ``total``, then its ``result`` (check: the report's id; ingest: counts) or its ``error``."""
        return server.job_or_404(job_id).to_dict()

    @router.get("/reports/{report_id}")
    def report(report_id: str) -> JSONResponse:
        return JSONResponse(server.stored(report_id))

    @router.get("/search")
    def search(q: str, limit: int = 20) -> dict[str, Any]:
        """Search the index as ``check`` searches it for a claim: lexical and dense, fused."""
        return {"query": q, "results": server.find(q, limit)}

    @router.get("/articles/{article_id}")
    def article(article_id: int) -> dict[str, Any]:
        return server.with_copies(article_id)

    return router
