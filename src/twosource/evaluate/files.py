"""Benchmark files: CSV with the columns a benchmark needs (FNC-1, ClaimBuster, CLEF CheckThat!)."""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import FormatError


def read_csv_rows(path: str | Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    """Return the rows of a benchmark CSV as dicts, checking the columns it must have."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise FormatError(str(path), f"missing column(s) {', '.join(missing)} (has {reader.fieldnames})")
            return list(reader)
    except OSError as exc:
        raise FormatError(str(path), exc.strerror or "cannot be read") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FormatError(str(path), f"not a UTF-8 CSV file ({exc})") from exc
