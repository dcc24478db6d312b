"""Bytes to text: size and binary checks, encoding detection, and repair of stray C1 controls."""

from __future__ import annotations

import codecs
import re
import unicodedata

from ..errors import BinaryInputError, DecodeError, EmptyInputError, TooLargeError

# Signatures of binary formats people feed to text tools by mistake.
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x7fELF", b"\x1f\x8b", b"BZh")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
#: Below this share of non-ASCII bytes, text that is not UTF-8 is taken for a Western single-byte encoding.
WESTERN_SHARE = 0.05
_HIGH_BYTES = bytes(range(0x80, 0x100))
_C1 = re.compile("[\u0080-\u009f]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Replacement characters a text may carry as saved (a page whose summary cut a character in half) before it
#: counts as damaged; a wrong decoding leaves far more.
MAX_REPLACEMENT_SHARE = 0.001


def check_size(size: int, origin: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise TooLargeError(origin, f"input is {size:,} bytes, over the limit of {max_bytes:,} bytes")


def decode_bytes(
    data: bytes, origin: str, *, encoding: str | None = None, max_bytes: int, records: bool = False
) -> str:
    """Return ``data`` decoded to clean text, or raise a SourceError naming ``origin``.

    With no ``encoding``, a BOM, then an HTML meta charset, then strict UTF-8, then charset
    detection decide; a guess that leaves control characters, or replacement characters beyond a
    stray few, is rejected, never passed on as mojibake. ``records``: a collection (CSV, JSON), whose records
    are checked for control characters one by one (``holds_controls``), so that one bad record costs only itself.
    """
    check_size(len(data), origin, max_bytes)
    if not data.strip():
        raise EmptyInputError(origin, "input is empty")
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if data.startswith(_BINARY_MAGIC) or (not utf16 and not records and b"\x00" in data[:8192]):
        raise BinaryInputError(origin, "input is binary data, not text or HTML")
    text = _decode(data, origin, encoding)
    text = normalize_text(text)
    if (not records and holds_controls(text)) or text.count("\ufffd") > len(text) * MAX_REPLACEMENT_SHARE:
        raise DecodeError(origin, "text holds undecodable bytes; name its encoding with --encoding")
    if not text.strip():
        raise EmptyInputError(origin, "input holds only whitespace")
    return text


def holds_controls(text: str) -> bool:
    """Whether ``text`` holds control characters that no text of an article has (a sign of undecoded bytes)."""
    return _CONTROL.search(text) is not None


#: What decoding with a named codec may raise: a wrong guess, an unknown or unusable name ("punycode", "undefined",
#: a name holding a NUL).
_CODEC_ERRORS = (UnicodeError, LookupError, ValueError)


def _decode(data: bytes, origin: str, encoding: str | None) -> str:
    if encoding:
        try:
            return data.decode(encoding)
        except _CODEC_ERRORS as exc:
            raise DecodeError(origin, f"cannot decode as {encoding}: {exc}") from exc
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name)
            except UnicodeError:
                break  # a BOM on bytes it does not describe: detection decides
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except _CODEC_ERRORS:
            pass  # a wrong declaration is common; fall through to detection
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    high = len(data) - len(data.translate(None, _HIGH_BYTES))  # counted in C: collections can be large
    if high <= len(data) * WESTERN_SHARE:
        # Mostly-ASCII text that is not UTF-8 is Windows-1252 or Latin-1 (English news, FA-KES); detectors
        # guess exotic code pages for it (cp775 for FA-KES). Latin-1 plus the C1 repair below reads both.
        return data.decode("latin-1")
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise DecodeError(origin, "cannot tell the text encoding; name it with --encoding")
    return str(best)


def normalize_text(text: str) -> str:
    """Return NFC text with Unix newlines, stray C1 controls repaired and no-break spaces made plain.

    Windows-1252 text read as Latin-1 leaves C1 controls (U+0080-U+009F) where cp1252 has
    punctuation (0x95 is a bullet); they are mapped back, and bytes cp1252 leaves undefined are dropped.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    text = _C1.sub(_cp1252_or_nothing, text)
    return unicodedata.normalize("NFC", text)


def _cp1252_or_nothing(match: re.Match[str]) -> str:
    try:
        return bytes([ord(match.group(0))]).decode("cp1252")
    except UnicodeDecodeError:
        return ""
