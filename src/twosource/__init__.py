"""twosource: which claims of a news article independent sources back, contradict, or leave alone.

The library API; the CLI and the web app are thin layers over it::

    import twosource
    index = twosource.open_index("index.sqlite")
    twosource.ingest(["articles/"], index)
    report = twosource.check(twosource.read_article("story.txt"), index)
    print(twosource.render(report, "terminal"))

Heavy libraries (torch, spaCy) load on first use, not on import.
"""

from __future__ import annotations

import logging
import typing

from .errors import (
    IndexStoreError,
    ModelError,
    SourceError,
    TwosourceError,
)
from .index import open_index as _open_index
from .ingestion import IngestSummary, ingest
from .pipeline import check
from .read import read_article
from .report import render
from .schema import SCHEMA_VERSION, report_to_dict
from .types import Article, Claim, ClaimKind, ClaimVerdict, Evidence, Passage, Report, Stance, Verdict

if typing.TYPE_CHECKING:
    from pathlib import Path

    from .index import Index

__version__ = "0.1.0"
__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "Claim",
    "ClaimKind",
    "ClaimVerdict",
    "Evidence",
    "IndexStoreError",
    "IngestSummary",
    "ModelError",
    "Passage",
    "Report",
    "SourceError",
    "Stance",
    "TwosourceError",
    "Verdict",
    "check",
    "ingest",
    "open_index",
    "read_article",
    "render",
    "report_to_dict",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())


def open_index(path: str | Path | None = None, *, create: bool = True) -> Index:
    """Return the index at ``path`` (default: ``$TWOSOURCE_INDEX`` or the XDG data directory), for twosource's
    embedder. With ``create=False`` a missing index is an error rather than a new empty one."""
    from .models import EMBEDDER

    return _open_index(path, embedder=EMBEDDER, create=create)
