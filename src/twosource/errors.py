"""The exception tree. Every message says what went wrong and, where it can, what to do next.

TwosourceError
├── SourceError          an input cannot be read as an article (names the input)
│   ├── EmptyInputError
│   ├── BinaryInputError
│   ├── TooLargeError
│   ├── DecodeError
│   ├── ExtractError     HTML with no article text in it
│   ├── LanguageError
│   └── FormatError      CSV/JSON records that cannot be mapped (unknown column, bad JSON)
├── IndexStoreError      the index cannot be opened or is of another schema version
├── ConfigError          a settings file, such as the outlets file, cannot be read (names the file)
└── ModelError           a model package is missing

Each class carries what the faces answer with: ``exit_code`` (the CLI's exit status) and ``http_status`` (the
API's): an input that cannot be used is the caller's to fix (422; 413 when it is too large), a missing model or
an index that cannot be opened is the server's state (503), a settings file that cannot be read its setup (500).
"""

from __future__ import annotations

import re

# Line breaks and other control characters: a name or message holding one could print a forged second line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """Return ``text`` with its control characters escaped (a newline as \\n): it prints as one line."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class TwosourceError(Exception):
    """Base of every error twosource raises on purpose."""

    exit_code = 1
    http_status = 422


class _AboutOne(TwosourceError):
    """An error about one named thing (an input, a file): one line, its name first."""

    def __init__(self, origin: str, message: str) -> None:
        self.origin = one_line(origin)
        self.message = one_line(message)
        super().__init__(f"{self.origin}: {self.message}" if origin else self.message)


class SourceError(_AboutOne):
    """Raised when an input cannot be read as an article; ``origin`` names the input."""


class EmptyInputError(SourceError):
    """Raised when an input holds no text."""


class BinaryInputError(SourceError):
    """Raised when an input is binary data, not text or HTML."""


class TooLargeError(SourceError):
    """Raised when an input is over the configured size limit."""

    http_status = 413


class DecodeError(SourceError):
    """Raised when the encoding of an input cannot be determined."""


class ExtractError(SourceError):
    """Raised when HTML holds no article text that can be extracted."""


class LanguageError(SourceError):
    """Raised when an article is not in a language twosource handles yet (English)."""


class FormatError(SourceError):
    """Raised when records (CSV, JSON) cannot be mapped onto articles."""


class IndexStoreError(TwosourceError):
    """Raised when the index cannot be opened, or was written by another schema version."""

    http_status = 503


class ModelError(TwosourceError):
    """Raised when a model cannot be loaded; the message names the package to install."""

    http_status = 503


class ConfigError(_AboutOne):
    """Raised when a settings file, such as the outlets file, cannot be read; ``origin`` names the file."""

    http_status = 500
