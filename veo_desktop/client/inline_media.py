"""Pull inline base64 videos out of a JSON document without holding them in memory.

A finished Vertex AI operation carries its videos inline: `{"bytesBase64Encoded": "<megabytes of base64>"}`.
`InlineMediaScanner` reads the JSON text chunk by chunk (split anywhere), passes it through as a small
"skeleton" where each such string value is replaced by the placeholder `"veo-inline-media:N"`, and decodes
value N in 4-character blocks straight into the N-th sink. JSON escapes inside the value (`\\/`, `\\u003d`, ...)
are undone first. The skeleton is then ordinary JSON for `json.loads`.

`extract_inline_media(source, staging_dir)` runs the scanner over a file (call it in a worker thread) and
writes each video to `staging_dir/<random>.mp4.part`.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

__all__ = [
    "PLACEHOLDER_PREFIX",
    "ExtractedMedia",
    "InlineMediaError",
    "InlineMediaScanner",
    "extract_inline_media",
    "placeholder_index",
]

KEY = b"bytesBase64Encoded"
PLACEHOLDER_PREFIX = "veo-inline-media:"
MAX_SKELETON_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 256 * 1024

_STOP = re.compile(rb'["\\]')
_ESCAPE = re.compile(rb"\\(?:u[0-9A-Fa-f]{4}|[^u])")
_ESCAPE_TAIL = re.compile(rb"\\(?:u[0-9A-Fa-f]{0,3})?\Z")
_WHITESPACE = b" \t\r\n"
_URLSAFE = bytes.maketrans(b"-_", b"+/")
_SIMPLE_ESCAPES = {
    ord("/"): b"/",
    ord("\\"): b"\\",
    ord('"'): b'"',
    ord("n"): b"\n",
    ord("r"): b"\r",
    ord("t"): b"\t",
    ord("b"): b"\b",
    ord("f"): b"\f",
}

_OUT, _STRING, _MEDIA = 0, 1, 2


class InlineMediaError(ValueError):
    """The document is truncated, or an inline value is not valid base64."""


class Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...

    def close(self) -> None: ...


class _Base64Stream:
    """Decodes base64 text fed in arbitrary pieces, in whole 4-character blocks."""

    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self._pending = b""
        self.written = 0

    def feed(self, text: bytes) -> None:
        text = text.translate(_URLSAFE, _WHITESPACE)
        data = self._pending + text if self._pending else text
        usable = len(data) - len(data) % 4
        self._pending = data[usable:]
        if usable:
            self._write(data[:usable])

    def finish(self) -> None:
        if len(self._pending) % 4 == 1:
            raise InlineMediaError("an inline video is not valid base64 (truncated)")
        if self._pending:
            self._write(self._pending + b"=" * (-len(self._pending) % 4))
            self._pending = b""

    def _write(self, block: bytes) -> None:
        try:
            decoded = base64.b64decode(block, validate=True)
        except binascii.Error as exc:
            raise InlineMediaError("an inline video is not valid base64") from exc
        self._sink.write(decoded)
        self.written += len(decoded)


class InlineMediaScanner:
    """A streaming pass over JSON text; see the module docstring."""

    def __init__(
        self, open_sink: Callable[[int], Sink], *, max_skeleton_bytes: int = MAX_SKELETON_BYTES, key: bytes = KEY
    ) -> None:
        self._open_sink = open_sink
        self._key = key  # the member name whose string values are media (Vertex: bytesBase64Encoded)
        self._max_skeleton = max_skeleton_bytes
        self._skeleton = bytearray()
        self._state = _OUT
        self._after_key = 0  # 1: a "bytesBase64Encoded" string just closed; 2: and its ':' was seen
        self._string_head = bytearray()  # the first bytes of the current string, to recognise the key
        self._string_escaped = False  # the current string had an escape: it is not the plain key
        self._escape_pending = False  # STRING: a backslash ended the previous chunk
        self._carry = b""  # MEDIA: an escape sequence cut by the end of the previous chunk
        self._media: _Base64Stream | None = None
        self._sinks: list[Sink] = []
        self.media_sizes: list[int] = []

    @property
    def media_count(self) -> int:
        return len(self.media_sizes)

    def feed(self, chunk: bytes) -> None:
        i = 0
        while i < len(chunk):
            if self._state == _OUT:
                i = self._feed_out(chunk, i)
            elif self._state == _STRING:
                i = self._feed_string(chunk, i)
            else:
                i = self._feed_media(chunk, i)
        if len(self._skeleton) > self._max_skeleton:
            raise InlineMediaError("the answer is too large outside its inline videos")

    def finish(self) -> bytes:
        """End of input: returns the skeleton JSON. Raises InlineMediaError when the text stops mid-string."""
        if self._state != _OUT:
            raise InlineMediaError("the answer is truncated")
        return bytes(self._skeleton)

    def close(self) -> None:
        """Close every sink (also after an error)."""
        for sink in self._sinks:
            sink.close()
        self._sinks.clear()

    def _feed_out(self, chunk: bytes, i: int) -> int:
        if self._after_key == 0:
            j = chunk.find(b'"', i)
            if j < 0:
                self._skeleton += chunk[i:]
                return len(chunk)
            self._skeleton += chunk[i : j + 1]
            self._begin_string()
            return j + 1
        byte = chunk[i]
        if byte in _WHITESPACE:
            self._skeleton.append(byte)
            return i + 1
        if byte == ord(":") and self._after_key == 1:
            self._after_key = 2
            self._skeleton.append(byte)
            return i + 1
        if byte == ord('"') and self._after_key == 2:
            self._after_key = 0
            self._skeleton.append(byte)
            self._begin_media()
            return i + 1
        self._after_key = 0  # not a key after all; look at this byte again in the plain state
        return i

    def _begin_string(self) -> None:
        self._state = _STRING
        self._string_head.clear()
        self._string_escaped = False

    def _feed_string(self, chunk: bytes, i: int) -> int:
        if self._escape_pending:
            self._escape_pending = False
            self._skeleton.append(chunk[i])
            return i + 1
        match = _STOP.search(chunk, i)
        end = match.start() if match else len(chunk)
        if len(self._string_head) <= len(self._key):
            self._string_head += chunk[i : min(end, i + len(self._key) + 1)]
        if match is None:
            self._skeleton += chunk[i:]
            return len(chunk)
        self._skeleton += chunk[i : end + 1]
        if chunk[end] == ord("\\"):
            self._string_escaped = True
            self._escape_pending = True
            return end + 1
        self._state = _OUT
        if not self._string_escaped and self._string_head == self._key:
            self._after_key = 1
        return end + 1

    def _begin_media(self) -> None:
        index = len(self.media_sizes)
        sink = self._open_sink(index)
        self._sinks.append(sink)
        self._media = _Base64Stream(sink)
        self.media_sizes.append(0)
        self._state = _MEDIA

    def _feed_media(self, chunk: bytes, i: int) -> int:
        # Bulk path: base64 never contains a quote, so the next '"' ends the value; the escapes that can
        # appear in valid base64 (`\/`, `\u003d`, ...) are undone per piece. An escape cut by the chunk edge
        # is carried over to the next piece.
        assert self._media is not None
        quote = chunk.find(b'"', i)
        end = len(chunk) if quote < 0 else quote
        piece = self._carry + chunk[i:end] if self._carry else chunk[i:end]
        self._carry = b""
        if b"\\" in piece:
            piece, self._carry = _unescape_piece(piece)
        self._media.feed(piece)
        if quote < 0:
            return len(chunk)
        if self._carry:  # `\"`: an escaped quote, which base64 cannot contain
            raise InlineMediaError("an inline video is not valid base64")
        self._end_media()
        return quote + 1

    def _end_media(self) -> None:
        assert self._media is not None
        self._media.finish()
        index = len(self.media_sizes) - 1
        self.media_sizes[index] = self._media.written
        self._sinks[index].close()
        self._media = None
        self._skeleton += f'{PLACEHOLDER_PREFIX}{index}"'.encode("ascii")
        self._state = _OUT


def _unescape_one(match: re.Match[bytes]) -> bytes:
    sequence = match.group()
    if sequence[1] == ord("u"):
        code = int(sequence[2:], 16)
        if code > 0x7F:
            raise InlineMediaError("an inline video is not valid base64")
        return bytes([code])
    try:
        return _SIMPLE_ESCAPES[sequence[1]]
    except KeyError as exc:
        raise InlineMediaError("an inline video has an unknown escape") from exc


def _unescape_piece(piece: bytes) -> tuple[bytes, bytes]:
    """(the piece with its JSON escapes undone, an incomplete escape at its end to carry over)."""
    if b"\\\\" in piece:  # an escaped backslash: never valid base64
        raise InlineMediaError("an inline video is not valid base64")
    carry = b""
    tail = _ESCAPE_TAIL.search(piece)
    if tail is not None:
        piece, carry = piece[: tail.start()], piece[tail.start() :]
    piece = piece.replace(b"\\/", b"/")  # by far the most common escape: `/` written as `\/`
    if b"\\" in piece:
        piece = _ESCAPE.sub(_unescape_one, piece)
        if b"\\" in piece:
            raise InlineMediaError("an inline video has a broken escape")
    return piece, carry


def placeholder_index(value: object) -> int | None:
    """N for a placeholder string the scanner wrote, else None."""
    if isinstance(value, str) and value.startswith(PLACEHOLDER_PREFIX):
        digits = value[len(PLACEHOLDER_PREFIX) :]
        if digits.isdigit():
            return int(digits)
    return None


@dataclass
class ExtractedMedia:
    skeleton: bytes
    paths: list[Path] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)


def extract_inline_media(
    source: Path, staging_dir: Path, *, chunk_bytes: int = CHUNK_BYTES, key: bytes = KEY
) -> ExtractedMedia:
    """Scan the JSON file `source`; each inline video goes to its own `staging_dir/<random>.mp4.part`.
    Blocking: run it in a worker thread. On error every file it created is removed."""
    paths: list[Path] = []

    def open_sink(_index: int) -> Sink:
        path = staging_dir / f"{secrets.token_hex(12)}.mp4.part"
        paths.append(path)
        return path.open("xb")

    scanner = InlineMediaScanner(open_sink, key=key)
    try:
        with source.open("rb") as reader:
            while chunk := reader.read(chunk_bytes):
                scanner.feed(chunk)
        skeleton = scanner.finish()
    except BaseException:
        scanner.close()
        for path in paths:
            path.unlink(missing_ok=True)
        raise
    scanner.close()
    return ExtractedMedia(skeleton, paths, list(scanner.media_sizes))
