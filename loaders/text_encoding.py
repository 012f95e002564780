"""The encoding of a text submission (.csv, .txt, .json), found without guessing: byte-order mark, UTF-8, Windows-1258.

1. A byte-order mark decides: UTF-8, UTF-16 (Excel's "Unicode text") or UTF-32.
2. Without one, a file whose every byte sequence is valid UTF-8 is UTF-8; one whose
   bytes above 0x7F mostly form UTF-8 sequences but not all is damaged UTF-8 (refused,
   with the line of the first bad byte), never re-read as Windows-1258. Text in
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
import re
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

    def __init__(self, reason: str, encoding: str | None = None, line: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.encoding = encoding
        self.line = line  # where the first invalid byte is (0: unknown)


@dataclass
class Decoded:
    """The file as UTF-8 bytes (the file itself when it already was UTF-8) and the encoding it was in."""

    stream: BinaryIO
    encoding: str  # utf-8, utf-8-sig, utf-16, utf-32 or cp1258


def _first_invalid_utf8(handle: BinaryIO) -> int | None:
    """The offset of the first byte that is not UTF-8, or None when the whole file is UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    try:
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)  # the text is dropped: only whether it decodes matters
            except UnicodeDecodeError as exc:
                return max(offset + exc.start - len(decoder.getstate()[0]), 0)
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset
    finally:
        handle.seek(0)
    return None


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _mostly_utf8(handle: BinaryIO) -> bool:
    """Whether most bytes above 0x7F form UTF-8 sequences: UTF-8 with a few damaged bytes, not Windows-1258
    (whose Vietnamese text almost never forms one: its letters are not followed by bytes 0x80-0xBF)."""
    in_sequences = high = 0
    try:
        while chunk := handle.read(_CHUNK):
            in_sequences += sum(len(m) for m in _UTF8_SEQUENCE.findall(chunk))
            high += len(_HIGH_BYTE.findall(chunk))
    finally:
        handle.seek(0)
    return high > 0 and in_sequences > high / 2


def _line_of(handle: BinaryIO, offset: int) -> int:
    """The line (from 1) holding a byte offset."""
    try:
        return handle.read(offset).count(b"\n") + 1 if offset < 64 * _CHUNK else 0
    finally:
        handle.seek(0)


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
                    bad = _first_invalid_utf8(handle)
                    if bad is not None:
                        raise NotText("undecodable", "utf-8", _line_of(handle, bad))
                    return Decoded(handle, encoding)
                stream = _transcode(handle, encoding)
                handle.close()
                return Decoded(stream, encoding)
        if b"\x00" in head:
            raise NotText("utf16_no_bom" if _looks_like_utf16(head) else "binary")
        bad = _first_invalid_utf8(handle)
        if bad is None:
            return Decoded(handle, "utf-8")
        if _mostly_utf8(handle):  # a UTF-8 file with a damaged byte: reading it as Windows-1258 would garble it
            raise NotText("undecodable", "utf-8", _line_of(handle, bad))
        stream = _transcode(handle, "cp1258")
        handle.close()
        return Decoded(stream, "cp1258")
    except BaseException:
        handle.close()
        raise
