"""Long work the web app runs for a caller who comes back for it: a check or an ingest, with its progress.

Jobs live in the server's memory (what they produce, reports and indexed articles, lives in the index); the
newest ``keep`` are remembered, so a long-running server does not grow without bound.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass
class Job:
    id: str
    kind: str  # check | ingest
    state: str = QUEUED
    stage: str = "waiting for a free slot"
    done: int = 0
    total: int = 0  # 0: not known yet
    result: dict[str, Any] = field(default_factory=dict)  # check: {"report": id}; ingest: the summary's counts
    error: str = ""
    started: float = field(default_factory=time.time)
    finished: float | None = None

    def advance(self, stage: str, done: int, total: int) -> None:
        """The pipeline's progress callback: ``(stage, done, total)``."""
        self.state, self.stage, self.done, self.total = RUNNING, stage, done, total

    def succeed(self, result: dict[str, Any]) -> None:
        self.state, self.stage, self.result, self.finished = DONE, "done", result, time.time()

    def fail(self, error: str) -> None:
        self.state, self.stage, self.error, self.finished = FAILED, "failed", error, time.time()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "result": self.result,
            "error": self.error or None,
            "seconds": round((self.finished or time.time()) - self.started, 1),
        }


class Jobs:
    """The server's jobs by id, safe to use from the event loop and worker threads."""

    def __init__(self, keep: int = 1000) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep

    def new(self, kind: str) -> Job:
        job = Job(secrets.token_hex(8), kind)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self._keep:
                self._jobs.popitem(last=False)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)
