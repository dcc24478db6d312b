"""Benchmark files: CSV with the columns a benchmark needs (FNC-1, ClaimBuster, CLEF CheckThat!)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
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


def write_csv_rows(path: str | Path, header: list[str], rows: Iterable[list[object]]) -> None:
    """Write a predictions CSV: the header, then the rows, floats to four decimals."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow([f"{v:.4f}" if isinstance(v, float) else v for v in row])
