"""Settings resolved once, at the edge (CLI or caller), and passed down.

Environment variables read here and nowhere else:
``TWOSOURCE_INDEX`` (index file or address), ``TWOSOURCE_CACHE`` (where built model graphs are kept),
``TWOSOURCE_MAX_BYTES`` (largest input accepted), ``TWOSOURCE_MAX_CLAIMS`` (claims checked per article),
``TWOSOURCE_MAX_PASSAGES`` (passages indexed per article), ``TWOSOURCE_GRAPH_AFTER`` (passages an SQLite index
searches exactly before it builds their graph), ``TWOSOURCE_MODEL_THREADS`` (threads per model operation),
``TWOSOURCE_READ_SECONDS`` (the time reading one HTML page may take),
``TWOSOURCE_FACTCHECK_KEY`` (a Google Fact Check Tools API key), ``TWOSOURCE_CONTACT`` (who runs this
twosource: an e-mail or a URL, sent in the User-Agent as Wikipedia's etiquette asks), ``TWOSOURCE_OUTLETS`` (the
outlets file: which hosts and names are one outlet).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: An article shorter than this is a stub or a failed scrape, not something to check.
MIN_ARTICLE_WORDS = 20
#: Largest article input, in bytes. News articles are tens of kB; 5 MB leaves room for heavy HTML.
DEFAULT_MAX_BYTES = 5_000_000
#: Check-worthy claims checked per article, the most check-worthy first: a news article has tens; a 3,000-sentence
#: text checked whole took 10 minutes and 1 GB.
DEFAULT_MAX_CLAIMS = 100
#: Seconds reading (extracting) one HTML page may take; a typical page takes well under one.
DEFAULT_READ_SECONDS = 60
#: Passages indexed per article (about 60 words each: 30,000 words); the rest of a longer text is not searched.
DEFAULT_MAX_PASSAGES = 500
#: Passages an SQLite index searches exactly, in memory, before it folds them into its on-disk graph: below this,
#: an exact scan (under a millisecond) costs less than keeping a graph file.
DEFAULT_GRAPH_AFTER = 4096
#: Spark's master for ``twosource batch`` when none is given: two tasks at once on this machine.
DEFAULT_SPARK_MASTER = "local[2]"


def is_postgres_address(location: str) -> bool:
    """Whether an index location names a PostgreSQL database rather than a file."""
    return location.startswith(("postgresql://", "postgres://"))


def default_index_path() -> str | Path:
    """Return the index: ``$TWOSOURCE_INDEX`` (a file or a ``postgresql://`` address) or ``index.sqlite`` in the
    user's XDG data directory."""
    configured = os.environ.get("TWOSOURCE_INDEX")
    if configured:
        return configured if is_postgres_address(configured) else Path(configured).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("twosource")) / "index.sqlite"


def cache_dir() -> Path:
    """Return ``$TWOSOURCE_CACHE`` or twosource's folder in the user's XDG cache directory."""
    configured = os.environ.get("TWOSOURCE_CACHE")
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("twosource"))


def contact() -> str:
    """Return ``$TWOSOURCE_CONTACT``, or "" when the operator gave none."""
    return os.environ.get("TWOSOURCE_CONTACT", "").strip()


def factcheck_key() -> str:
    """Return ``$TWOSOURCE_FACTCHECK_KEY``: the key for Google Fact Check Tools, or "" (the service stays off)."""
    return os.environ.get("TWOSOURCE_FACTCHECK_KEY", "").strip()


def default_max_bytes() -> int:
    """Return ``$TWOSOURCE_MAX_BYTES`` or the default input size limit."""
    return _positive_int("TWOSOURCE_MAX_BYTES", DEFAULT_MAX_BYTES)


def default_max_claims() -> int:
    """Return ``$TWOSOURCE_MAX_CLAIMS`` or the default number of claims checked per article."""
    return _positive_int("TWOSOURCE_MAX_CLAIMS", DEFAULT_MAX_CLAIMS)


def default_read_seconds() -> int:
    """Return ``$TWOSOURCE_READ_SECONDS`` or the default reading budget of one HTML page, in seconds."""
    return _positive_int("TWOSOURCE_READ_SECONDS", DEFAULT_READ_SECONDS)


def default_max_passages() -> int:
    """Return ``$TWOSOURCE_MAX_PASSAGES`` or the default number of passages indexed per article."""
    return _positive_int("TWOSOURCE_MAX_PASSAGES", DEFAULT_MAX_PASSAGES)


def default_graph_after() -> int:
    """Return ``$TWOSOURCE_GRAPH_AFTER`` or the default number of passages searched exactly before the graph."""
    return _positive_int("TWOSOURCE_GRAPH_AFTER", DEFAULT_GRAPH_AFTER)


def model_threads() -> int:
    """Return ``$TWOSOURCE_MODEL_THREADS``, the threads a model runs each operation on, or 0 when it is not set (one
    per core: ONNX Runtime's default). A Spark task sets 1, as Spark counts one core per task."""
    return _positive_int("TWOSOURCE_MODEL_THREADS", 0)


def _positive_int(variable: str, default: int) -> int:
    """Return the environment's ``variable`` as a whole number above 0, or ``default`` when it is not set."""
    configured = os.environ.get(variable, "").strip().replace("_", "")
    if not configured:
        return default
    if not configured.isdigit() or int(configured) == 0:
        from .errors import ConfigError

        raise ConfigError(f"${variable}", f"{configured!r} is not a whole number above 0")
    return int(configured)


def outlets_file() -> Path | None:
    """Return the outlets file to read (see ``twosource.outlets``), or None when there is none.

    ``$TWOSOURCE_OUTLETS`` names it explicitly, and then it must exist: a name the user set on purpose that
    points nowhere is a mistake to report, not a reason to check silently without the declarations. Otherwise
    ``outlets.toml`` in the user's XDG config directory is read when it is there, and nothing when it is not.
    """
    configured = os.environ.get("TWOSOURCE_OUTLETS", "").strip()
    if configured:
        path = Path(configured).expanduser()
        if not path.exists():
            from .errors import ConfigError

            raise ConfigError(str(path), "no such file (named by $TWOSOURCE_OUTLETS)")
        return path
    from platformdirs import user_config_dir

    path = Path(user_config_dir("twosource")) / "outlets.toml"
    return path if path.is_file() else None


@dataclass(frozen=True)
class ReadLimits:
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def from_env(cls) -> ReadLimits:
        return cls(max_bytes=default_max_bytes())
