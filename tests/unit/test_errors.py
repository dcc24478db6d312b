"""The error tree: each error's exit status and HTTP status, and the one-line messages."""

from __future__ import annotations

import pytest

from twosource.errors import (
    BinaryInputError,
    ConfigError,
    IndexStoreError,
    LanguageError,
    ModelError,
    SourceError,
    TooLargeError,
    TwosourceError,
)


@pytest.mark.parametrize(
    ("error", "http_status"),
    [
        (SourceError("a.txt", "no words"), 422),
        (BinaryInputError("a.bin", "binary"), 422),
        (LanguageError("a.txt", "not English"), 422),
        (TooLargeError("a.txt", "over the limit"), 413),
        (IndexStoreError("cannot open the index"), 503),
        (ModelError("pip install x"), 503),
        (ConfigError("outlets.toml", "bad TOML"), 500),
    ],
)
def test_each_error_says_how_each_face_answers_it(error: TwosourceError, http_status: int):
    assert error.http_status == http_status
    assert error.exit_code == 1


def test_an_error_about_an_input_names_it_first_on_one_line():
    error = SourceError("a\nb.txt", "bad\rinput")
    assert str(error) == "a\\nb.txt: bad\\rinput"
    assert (error.origin, error.message) == ("a\\nb.txt", "bad\\rinput")
