"""twosource: which claims of a news article independent sources back, contradict, or leave alone.

The library API; the CLI and the web app are thin layers over it::

    import twosource
    index = twosource.open_index("index.sqlite")
    twosource.ingest(["articles/"], index)
    report = twosource.check(twosource.read_article("story.txt"), index)
    print(twosource.render(report, "terminal"))

Every stage, and every heavy library (ONNX Runtime, spaCy), loads on first use, not on import.
"""

from __future__ import annotations

import importlib
import logging
import typing

if typing.TYPE_CHECKING:
    from pathlib import Path

    from .errors import IndexStoreError, ModelError, SourceError, TwosourceError
    from .index import Index
    from .ingestion import IngestSummary, ingest
    from .pipeline import check
    from .read import read_article
    from .report import render
    from .schema import SCHEMA_VERSION, report_to_dict
    from .types import Article, Claim, ClaimKind, ClaimVerdict, Evidence, Passage, Report, Stance, Verdict

__version__ = "0.1.0"
#: The public API, each name with the module it lives in: loaded on first use, so that ``import twosource`` (and
#: the CLI's start) does not pay for numpy and every stage.
_EXPORTS = {
    "SCHEMA_VERSION": "schema",
    "Article": "types",
    "Claim": "types",
    "ClaimKind": "types",
    "ClaimVerdict": "types",
    "Evidence": "types",
    "IndexStoreError": "errors",
    "IngestSummary": "ingestion",
    "ModelError": "errors",
    "Passage": "types",
    "Report": "types",
    "SourceError": "errors",
    "Stance": "types",
    "TwosourceError": "errors",
    "Verdict": "types",
    "check": "pipeline",
    "ingest": "ingestion",
    "read_article": "read",
    "render": "report",
    "report_to_dict": "schema",
}
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


def __getattr__(name: str) -> typing.Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value  # once: later lookups find it without this hook
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


logging.getLogger(__name__).addHandler(logging.NullHandler())


def open_index(path: str | Path | None = None, *, create: bool = True) -> Index:
    """Return the index at ``path`` (default: ``$TWOSOURCE_INDEX`` or the XDG data directory), for twosource's
    embedder. With ``create=False`` a missing index is an error rather than a new empty one."""
    from .index import open_index as open_store
    from .models import EMBEDDER

    return open_store(path, embedder=EMBEDDER, create=create)
