"""What one request may ask of the server."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..settings import default_max_bytes, default_max_claims


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
