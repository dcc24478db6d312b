"""One server's state (its index, limits, jobs, slots) and the work its routes share: checks, ingests, reads."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from ..errors import TwosourceError
from ..fetch import FetchPolicy
from ..index.base import Index
from ..live import LiveSources
from ..outlets import Outlets
from ..read import read_bytes
from ..read.web import read_url
from ..settings import ReadLimits
from ..types import Progress
from .forms import PASTED, submission
from .jobs import Job, Jobs
from .limits import ServeLimits

_REPORT_ID = re.compile(r"[0-9a-f]{16}")
_MAX_ID = 2**63 - 1
_log = logging.getLogger(__name__)


@dataclass
class Server:
    """What every request of one app shares: the index (opened once, its connections per thread, its vectors
    loaded once), the limits, the running jobs."""

    index: Index
    limits: ServeLimits
    fetch_policy: FetchPolicy
    live: LiveSources | None = None
    outlets: Outlets | None = None
    token: str | None = None
    jobs: Jobs = field(default_factory=Jobs)
    check_slots: asyncio.Semaphore = field(init=False)  # waiting for a turn holds no thread
    ingest_slot: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))  # one writer at a time
    running: set[asyncio.Task] = field(default_factory=set)  # background jobs, referenced until they end

    def __post_init__(self) -> None:
        self.check_slots = asyncio.Semaphore(self.limits.max_checks)

    async def run_job(
        self, job: Job, slots: asyncio.Semaphore, work: Callable[[Job], dict[str, Any]], outcome: Callable[[dict], dict]
    ) -> dict[str, Any]:
        """Wait for a slot, run ``work(job)`` in a thread, record ``outcome(result)`` or the error on the job."""
        try:
            await asyncio.wait_for(slots.acquire(), self.limits.queue_seconds)
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

    def detach(self, work: Awaitable[Any]) -> None:
        """Run ``work`` after the answer is sent."""
        task = asyncio.ensure_future(work)
        self.running.add(task)
        # The job records its own failure; retrieving the exception keeps asyncio from logging it again.
        task.add_done_callback(lambda t: (self.running.discard(t), t.cancelled() or t.exception()))

    def job_or_404(self, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        return job

    async def start_check(self, request: Request) -> tuple[Job, Awaitable[dict[str, Any]]]:
        data, origin, fields = await submission(request, self.limits)
        job = self.jobs.new("check")

        def work(job: Job) -> dict[str, Any]:
            return self.check_article(data, origin, fields, job.advance)

        return job, self.run_job(job, self.check_slots, work, lambda report: {"report": report["id"]})

    def stored(self, report_id: str) -> dict[str, Any]:
        document = None
        if _REPORT_ID.fullmatch(report_id):
            document = self.index.load_report(report_id)
        if document is None:
            raise HTTPException(404, f"no report {report_id}")
        return json.loads(document)

    def find(self, q: str, limit: int) -> list[dict[str, Any]]:
        from ..models import embed
        from ..retrieve import Query
        from ..retrieve import search as retrieve

        if not q.strip():
            raise HTTPException(422, "the query is empty")
        found = retrieve(self.index, Query(q, embed([q])[0]), max(1, min(limit, self.limits.max_search_results)))
        return [asdict(p) for p in found]

    def with_copies(self, article_id: int) -> dict[str, Any]:
        if not 0 < article_id <= _MAX_ID:  # beyond SQLite's integers: no such article
            raise HTTPException(404, f"no article {article_id}")
        record = self.index.article(article_id)
        if record is None:
            raise HTTPException(404, f"no article {article_id}")
        copies = [a for a in self.index.cluster(record.cluster_id) if a.id != record.id]
        fields = asdict(record)
        fields["copies"] = [{k: v for k, v in asdict(a).items() if k != "text"} for a in copies]
        return fields

    def ingest_folder(self, folder: Path, options: dict[str, Any], progress: Progress) -> dict[str, Any]:
        """Ingest what a request saved in ``folder`` and the addresses it named (run in a thread)."""
        from ..ingestion import ingest
        from ..read.collection import Columns

        columns = Columns(**{k.removesuffix("_column"): v or None for k, v in options.items() if k.endswith("_column")})
        policy = self.fetch_policy
        summary = ingest(
            [*sorted(folder.iterdir()), *options.get("urls", [])],
            self.index,
            fmt=options["format"] or "auto",
            columns=columns,
            outlet=options["outlet"],
            encoding=options["encoding"] or None,
            limits=ReadLimits(max_bytes=policy.max_bytes),
            feeds=options.get("feeds", []),
            sitemaps=options.get("sitemaps", []),
            policy=policy,
            progress=progress,
        )
        rejected = [{"origin": _uploaded_name(r.origin, folder), "reason": r.reason} for r in summary.rejected]
        return {
            "added": summary.added,
            "duplicates": summary.duplicates,
            "copies": summary.copies,
            "rejected": rejected,
        }

    def check_article(self, data: bytes | None, origin: str, fields: dict[str, str], progress: Progress) -> dict:
        """Read the submitted article (or fetch its page), check it, store the report (run in a thread)."""
        from ..pipeline import check, store_report

        policy, date = self.fetch_policy, fields["date"] or None
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
        report = check(
            article,
            self.index,
            progress=progress,
            live=self.live,
            outlets=self.outlets,
            max_claims=self.limits.max_claims,
        )
        return store_report(report, self.index)


def _uploaded_name(origin: str, folder: Path) -> str:
    # "/tmp/twosource-ingest-x/003-feed.csv:12" -> "feed.csv:12": the name the caller sent.
    return re.sub(r"^\d{3}-", "", origin.removeprefix(f"{folder}/"))
