"""Disk work of the client, kept off the event loop thread: encoding input frames, writing response bodies,
moving staged videos. Local file errors (OSError) are not Veo errors and propagate unchanged, except for an
unreadable input frame, which makes the start request impossible (PermanentError)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import errno
import os
import shutil
import sys
from pathlib import Path
from typing import BinaryIO

import httpx

from veo_desktop import faults
from veo_desktop.client.base import FrameData
from veo_desktop.core.errors import PermanentError

__all__ = ["MAX_FRAME_BYTES", "encode_frame", "move_file", "write_body"]

MAX_FRAME_BYTES = 20 * 1024 * 1024
_FLUSH_BYTES = 1024 * 1024
_WRITE_BATCH_BYTES = 4 * 1024 * 1024  # two of them in memory at most (one being read, one being written)
_EARLY_WRITEBACK = sys.platform.startswith("linux")


def encode_frame(frame: FrameData, *, what: str) -> dict[str, str]:
    """`{"bytesBase64Encoded", "mimeType"}` for an input image. Blocking: call it in a worker thread."""
    try:
        size = frame.path.stat().st_size
        if size > MAX_FRAME_BYTES:
            raise PermanentError(
                f"The {what} is {size / 1e6:.1f} MB; Veo accepts images up to {MAX_FRAME_BYTES // 10**6} MB."
            )
        data = frame.path.read_bytes()
    except OSError as exc:
        raise PermanentError(f"The {what} could not be read ({exc.strerror or exc}).") from exc
    return {"bytesBase64Encoded": base64.b64encode(data).decode("ascii"), "mimeType": frame.mime_type}


def _write_all(handle: BinaryIO, parts: list[bytes]) -> None:
    start = handle.tell()
    for part in parts:
        handle.write(part)
    if _EARLY_WRITEBACK:
        # Ask the kernel to start writing these pages to disk now (Linux: DONTNEED starts writeback of dirty
        # pages and drops none of them), so the fsync at the end waits for the last batch only.
        handle.flush()
        with contextlib.suppress(OSError):  # only a hint: a file system may refuse it
            os.posix_fadvise(handle.fileno(), start, handle.tell() - start, os.POSIX_FADV_DONTNEED)


def _fsync_close(handle: BinaryIO) -> None:
    try:
        handle.flush()
        os.fsync(handle.fileno())
    finally:
        handle.close()


async def write_body(response: httpx.Response, dest: Path, *, fsync: bool) -> int:
    """Stream a response body into `dest` (rewritten), writing in ~4 MiB batches from a worker thread.
    Returns the bytes written. httpx errors while reading propagate for the caller to translate.

    The next batch is read while the worker writes the previous one (at most two batches in memory): reading
    and writing one after the other left the socket idle during every write (0.33 × curl over loopback)."""
    handle: BinaryIO = await asyncio.to_thread(dest.open, "wb")
    written = 0
    writing: asyncio.Future[None] | None = None
    try:
        batch: list[bytes] = []
        batch_bytes = 0
        async for chunk in response.aiter_bytes():
            batch.append(chunk)
            batch_bytes += len(chunk)
            if batch_bytes >= _WRITE_BATCH_BYTES:
                if writing is not None:
                    await asyncio.shield(writing)  # a cancellation leaves the worker's write to finish
                writing = asyncio.ensure_future(asyncio.to_thread(_write_all, handle, batch))
                written += batch_bytes
                batch, batch_bytes = [], 0
        if writing is not None:
            await asyncio.shield(writing)
        writing = None
        if batch:
            await asyncio.to_thread(_write_all, handle, batch)
            written += batch_bytes
        # Crash-point sweep: the body is written but not yet flushed, closed or returned ("mid download").
        faults.hit("mid_download")
        if fsync:
            await asyncio.to_thread(_fsync_close, handle)
    finally:
        _close_after(handle, writing)
    return written


def _close_after(handle: BinaryIO, writing: asyncio.Future[None] | None) -> None:
    """Close now, or (on an error or a cancellation while a batch is being written) once the worker is done
    with the handle: a thread cannot be stopped, and closing under it would fail its write."""
    if writing is None or writing.done():
        if writing is not None and not writing.cancelled():
            writing.exception()  # retrieved: the error that matters is the one already propagating
        handle.close()  # a no-op after _fsync_close; closes quickly on errors and cancellation
        return
    writing.add_done_callback(lambda f: (f.cancelled() or f.exception(), handle.close()))


def move_file(source: Path, dest: Path) -> int:
    """Move `source` to `dest` (os.replace on one filesystem, else copy + fsync + unlink); returns the size.
    Blocking: call it in a worker thread."""
    size = source.stat().st_size
    try:
        os.replace(source, dest)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        with source.open("rb") as reader, dest.open("wb") as writer:
            shutil.copyfileobj(reader, writer, _FLUSH_BYTES)
            writer.flush()
            os.fsync(writer.fileno())
        source.unlink()
    return size
