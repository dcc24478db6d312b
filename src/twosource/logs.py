"""Where twosource's log goes. The library only logs (to ``twosource.*``); a face, the CLI or ``serve``, sends
the log to standard error, so that "its log says why" is true wherever a defect is reported that way."""

from __future__ import annotations

import logging
import sys

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_to_stderr(level: int = logging.WARNING) -> None:
    """Send the package's log records of ``level`` and above to standard error (once per process)."""
    logger = logging.getLogger("twosource")
    logger.setLevel(min(level, logger.level or level))
    if not any(getattr(h, "twosource_stderr", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.twosource_stderr = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
