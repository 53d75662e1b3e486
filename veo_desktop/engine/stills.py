"""Still pictures taken from finished videos, decoded with PyAV (FFmpeg) off the event loop.

`last_frame_png` is blocking (file reads and decoding): call it through `asyncio.to_thread`, as
`last_frame_of` does. It seeks to the key frame before the end and decodes from there to the last picture,
so an 8 s 1080p clip costs one group of pictures, not the whole file; a file whose index does not allow the
seek is decoded from the start. Every refusal is a `ValidationError` whose message names the file and says
what to do.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from veo_desktop.core.validation import ValidationError

if TYPE_CHECKING:
    from av.container import InputContainer
    from av.video.frame import VideoFrame
    from av.video.stream import VideoStream

FIELD = "continues_job_id"


class LastFrameDecoder(Protocol):
    """Decodes the last picture of a video into PNG bytes without blocking the event loop; refuses with a
    ValidationError that names the file. The engine's default is PyAV (`last_frame_of`); the window passes
    Qt's own decoder (the FFmpeg its multimedia module already ships), so the bundle carries one FFmpeg."""

    def __call__(self, path: Path, *, label: str) -> Awaitable[bytes]: ...


def last_frame_png(path: Path, *, label: str = "The video", field: str = FIELD) -> bytes:
    """The last picture of the MP4 at `path` as PNG bytes, at the video's own size (blocking)."""
    import av  # here, not at the top: its 40-60 ms import is paid by the first still, not by every start
    import av.error

    path = Path(path)
    if not path.is_file():
        raise ValidationError(field, f"{label} is missing ({path}); put the file back or choose another video.")
    try:
        with av.open(str(path), mode="r") as container:
            assert isinstance(container, av.container.InputContainer)
            if not container.streams.video:
                raise ValidationError(field, f"{label} has no picture track ({path.name}); choose another video.")
            frame = _last_frame(container, container.streams.video[0])
            if frame is None:
                raise ValidationError(field, f"{label} has no picture to decode ({path.name}); choose another video.")
            image = frame.to_image()  # type: ignore[no-untyped-call]  # PyAV leaves it unannotated
    except (av.error.FFmpegError, OSError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise ValidationError(
            field, f"{label} cannot be decoded ({path.name}: {reason}); choose another video."
        ) from exc
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _last_frame(container: InputContainer, stream: VideoStream) -> VideoFrame | None:
    """Seek to the key frame before the end and decode to the end; from the start if that finds nothing."""
    end = _end_pts(stream)
    if end is not None and _seek(container, stream, end):
        frame = _decode_to_end(container, stream)
        if frame is not None:
            return frame
    container.seek(0)  # no usable index, or nothing after the seek: decode from the start
    return _decode_to_end(container, stream)


def _seek(container: InputContainer, stream: VideoStream, pts: int) -> bool:
    """Seek to the key frame at or before `pts`; False when the file's index does not allow it."""
    import av.error

    try:
        container.seek(pts, backward=True, any_frame=False, stream=stream)
    except av.error.FFmpegError:
        return False
    return True


def _end_pts(stream: VideoStream) -> int | None:
    if stream.duration is None:
        return None
    return (stream.start_time or 0) + stream.duration


def _decode_to_end(container: InputContainer, stream: VideoStream) -> VideoFrame | None:
    last: VideoFrame | None = None
    for frame in container.decode(stream):
        last = frame
    return last


async def last_frame_of(path: Path, *, label: str = "The video") -> bytes:  # a LastFrameDecoder
    """`last_frame_png` on a worker thread: the event loop (and a window's GUI thread) never waits on it."""
    return await asyncio.to_thread(last_frame_png, path, label=label)
