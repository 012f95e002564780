"""The encoding of a text submission (.csv, .txt, .json), found without guessing: byte-order mark, UTF-8, Windows-1258.

1. A byte-order mark decides: UTF-8, UTF-16 (Excel's "Unicode text") or UTF-32.
2. Without one, a file whose every byte sequence is valid UTF-8 is UTF-8. Text in
   Windows-1258 (Excel's "CSV" on Vietnamese Windows) is practically never valid
   UTF-8: its letters and tone marks are bytes 0xC0-0xFF, which UTF-8 only allows
   before a continuation byte 0x80-0xBF, and those are punctuation in Windows-1258.
3. Else Windows-1258, whose combining tone marks (``a`` + U+0301) become single
   letters (``á``) when validation normalises every cell to NFC. Nine bytes are
   undefined in it: a file holding them is not text we can read.

No statistical detector: charset-normalizer names Windows-1258 for ordinary
Vietnamese sentences but gave no answer at all for a line holding every
Vietnamese letter; the three steps above need no statistics and never guess.

NUL bytes without a byte-order mark mean UTF-16 without a mark, or a binary file:
both are refused with a message. Whatever the encoding, the reader gets UTF-8.
"""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_CHUNK = 1 << 20
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "utf-32": "UTF-32", "cp1258": "Windows-1258"}


class NotText(Exception):
    """The bytes are not text in any encoding we read; ``reason`` is one of: utf16_no_bom, binary, undecodable."""

    def __init__(self, reason: str, encoding: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.encoding = encoding


@dataclass
class Decoded:
    """The file as UTF-8 bytes (the file itself when it already was UTF-8) and the encoding it was in."""

    stream: BinaryIO
    encoding: str  # utf-8, utf-8-sig, utf-16, utf-32 or cp1258


def _is_utf8(handle: BinaryIO) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        while chunk := handle.read(_CHUNK):
            decoder.decode(chunk)  # the text is dropped: only whether it decodes matters
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        handle.seek(0)
    return True


def _transcode(handle: BinaryIO, encoding: str) -> io.BytesIO:
    """The whole file re-encoded as UTF-8, a chunk at a time (the text is never held whole)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    out = io.BytesIO()
    try:
        while chunk := handle.read(_CHUNK):
            out.write(decoder.decode(chunk).encode("utf-8", "surrogatepass"))
        out.write(decoder.decode(b"", final=True).encode("utf-8", "surrogatepass"))
    except UnicodeDecodeError:
        raise NotText("undecodable", encoding) from None
    out.seek(0)
    return out


def _looks_like_utf16(head: bytes) -> bool:
    """Text in UTF-16 without a mark: most odd (little-endian) or even (big-endian) bytes are NUL."""
    pairs = head[: len(head) - len(head) % 2]
    if len(pairs) < 4:
        return False
    odd, even = pairs[1::2].count(0), pairs[0::2].count(0)
    return max(odd, even) >= 0.4 * len(pairs) / 2


def open_utf8(path: Path) -> Decoded:
    """The file as a UTF-8 byte stream; NotText when it is no text we read. The caller closes the stream."""
    handle = open(path, "rb")  # noqa: SIM115 (handed to the caller, who closes it)
    try:
        head = handle.read(1 << 16)
        handle.seek(0)
        for bom, encoding in _BOMS:
            if head.startswith(bom):
                if encoding == "utf-8-sig":
                    if not _is_utf8(handle):
                        raise NotText("undecodable", "utf-8")
                    return Decoded(handle, encoding)
                stream = _transcode(handle, encoding)
                handle.close()
                return Decoded(stream, encoding)
        if b"\x00" in head:
            raise NotText("utf16_no_bom" if _looks_like_utf16(head) else "binary")
        if _is_utf8(handle):
            return Decoded(handle, "utf-8")
        stream = _transcode(handle, "cp1258")
        handle.close()
        return Decoded(stream, "cp1258")
    except BaseException:
        handle.close()
        raise
