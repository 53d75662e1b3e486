"""Pictures taken from videos: the first frame (thumbnails) and the last frame (the next start frame).

A `FrameGrabber` plays a file silently into a private QVideoSink; it is driven by Qt signals only, so it
works with or without an asyncio loop. `first_frame_of`/`last_frame_of` wrap it in an asyncio future for
coroutines (no nested event loop). `last_frame_png` is the engine's Continue decoder in the window: one FFmpeg
(Qt's) in the app and its bundle; the CLI decodes with PyAV (`engine.stills`).
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Literal

from PIL import Image
from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QMediaPlayer, QVideoFrame, QVideoSink

from veo_desktop.core.validation import ValidationError

Where = Literal["first", "last"]
FIELD = "continues_job_id"  # the request field a refused last frame is reported on
LAST_FRAME_TAIL_MS = 400  # seek this far before the end, then play to the end keeping the last frame


class FrameGrabber(QObject):
    """Decode one picture of `path`; emits `done(QImage | None)` exactly once, then deletes itself."""

    done = Signal(object)

    def __init__(self, path: Path, where: Where = "first", *, timeout_ms: int = 10_000) -> None:
        super().__init__()
        self._where = where
        self._last: QVideoFrame | None = None
        self._finished = False
        self._player = QMediaPlayer(self)  # no audio output: silent
        self._sink = QVideoSink(self)
        self._player.setVideoSink(self._sink)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self._finish_with_last)
        self._sink.videoFrameChanged.connect(self._on_frame)
        self._player.mediaStatusChanged.connect(self._on_status)
        self._player.errorOccurred.connect(lambda *_: self._finish(None))
        self._path = Path(path)

    def start(self) -> None:
        if not self._path.is_file():
            QTimer.singleShot(0, lambda: self._finish(None))
            return
        self._timer.start()
        self._player.setSource(QUrl.fromLocalFile(str(self._path)))

    def cancel(self) -> None:
        self._finish(None)

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.LoadedMedia and self._player.playbackState() == (
            QMediaPlayer.PlaybackState.StoppedState
        ):
            duration = self._player.duration()
            if self._where == "last" and duration > LAST_FRAME_TAIL_MS:
                self._player.setPosition(duration - LAST_FRAME_TAIL_MS)
            self._player.play()
        elif status == QMediaPlayer.MediaStatus.EndOfMedia:
            self._finish_with_last()
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            self._finish(None)

    def _on_frame(self, frame: QVideoFrame) -> None:
        if not frame.isValid():
            return
        self._last = frame
        if self._where == "first":
            self._finish_with_last()

    def _finish_with_last(self) -> None:
        image = self._last.toImage() if self._last is not None else None
        self._finish(image if image is not None and not image.isNull() else None)

    def _finish(self, image: QImage | None) -> None:
        if self._finished:
            return
        self._finished = True
        self._timer.stop()
        self._sink.videoFrameChanged.disconnect(self._on_frame)
        self._player.stop()
        self._last = None
        self.done.emit(image)
        self.deleteLater()


async def frame_of(path: Path, where: Where, *, timeout_s: float = 10.0) -> QImage | None:
    """The first or last picture of a video, or None if it cannot be decoded."""
    future: asyncio.Future[QImage | None] = asyncio.get_running_loop().create_future()

    def resolve(image: object) -> None:
        if not future.done():
            future.set_result(image if isinstance(image, QImage) else None)

    grabber = FrameGrabber(path, where, timeout_ms=round(timeout_s * 1000))
    grabber.done.connect(resolve)
    grabber.start()
    try:
        return await future
    finally:
        grabber.cancel()  # a no-op when finished; stops decoding if the caller was cancelled


async def first_frame_of(path: Path, *, timeout_s: float = 10.0) -> QImage | None:
    return await frame_of(path, "first", timeout_s=timeout_s)


async def last_frame_of(path: Path, *, timeout_s: float = 10.0) -> QImage | None:
    """The last frame, for "use the last frame as the next start frame"."""
    return await frame_of(path, "last", timeout_s=timeout_s)


async def last_frame_png(path: Path, *, label: str = "The video") -> bytes:
    """The engine's `LastFrameDecoder` for the window: Qt's decoder (the FFmpeg its multimedia module ships)
    takes the last picture; the file check and the PNG encoding run on a worker thread."""
    path = Path(path)
    if not await asyncio.to_thread(path.is_file):
        raise ValidationError(FIELD, f"{label} is missing ({path}); put the file back or choose another video.")
    image = await last_frame_of(path)
    if image is None:
        raise ValidationError(FIELD, f"{label} cannot be decoded ({path.name}); choose another video.")
    return await asyncio.to_thread(_png_bytes, image)


def _png_bytes(image: QImage) -> bytes:
    """PNG bytes of `image` (blocking: a worker thread; QImage is reentrant and this copy is no one else's)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    data = bytes(rgb.constBits())
    picture = Image.frombuffer("RGB", (rgb.width(), rgb.height()), data, "raw", "RGB", rgb.bytesPerLine(), 1)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()
