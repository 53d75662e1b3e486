"""Pictures taken from videos: the first frame (thumbnails) and the last frame (the next start frame).

A `FrameGrabber` plays a file silently into a private QVideoSink; it is driven by Qt signals only, so it
works with or without an asyncio loop. `first_frame_of`/`last_frame_of` wrap it in an asyncio future for
coroutines (no nested event loop). `ThumbnailCache` keeps scaled first frames in memory and on disk, and
loads at most a few at a time; scaling, encoding and disk reads run in a worker thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict, deque
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QObject, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QMediaPlayer, QVideoFrame, QVideoSink

from veo_desktop.ui.worker import GuardedWorker

Where = Literal["first", "last"]
LAST_FRAME_TAIL_MS = 400  # seek this far before the end, then play to the end keeping the last frame
THUMBNAIL_SIZE = QSize(320, 180)


log = logging.getLogger(__name__)


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


def _scaled(image: QImage, size: QSize) -> QImage:
    return image.scaled(size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)


class ThumbnailCache(QObject):
    """First-frame thumbnails by video path. `get()` answers at once from memory or starts a load and
    returns None; `ready(path)` is emitted when a thumbnail becomes available."""

    ready = Signal(str)
    _loaded = Signal(str, object)  # emitted from the worker thread; delivered on the GUI thread

    def __init__(
        self,
        cache_dir: Path | None = None,
        *,
        size: QSize = THUMBNAIL_SIZE,
        max_concurrent: int = 2,
        max_items: int = 400,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._cache_dir = cache_dir
        self._size = size
        self._max_concurrent = max_concurrent
        self._max_items = max_items
        self._images: OrderedDict[str, QImage] = OrderedDict()
        self._failed: set[str] = set()
        self._pending: deque[str] = deque()
        self._busy: set[str] = set()
        self._grabbing = 0
        self._loaded.connect(self._on_loaded)
        self._worker = GuardedWorker(self, self._loaded, name="thumbnails")

    def get(self, path: str) -> QImage | None:
        image = self._images.get(path)
        if image is not None:
            self._images.move_to_end(path)
            return image
        if path not in self._failed and path not in self._busy:
            self._busy.add(path)
            self._worker.submit(self._read_disk, path)
        return None

    def clear_failures(self) -> None:
        self._failed.clear()

    # Worker thread: disk cache read, then scale + write after a grab.
    def _disk_file(self, path: str) -> Path | None:
        if self._cache_dir is None:
            return None
        try:
            stat = Path(path).stat()
        except OSError:
            return None
        key = hashlib.sha256(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()[:32]
        return self._cache_dir / f"{key}.jpg"

    def _read_disk(self, path: str) -> None:
        cached = self._disk_file(path)
        image = QImage(str(cached)) if cached is not None and cached.is_file() else QImage()
        self._worker.deliver(path, image if not image.isNull() else "grab")

    def _store(self, path: str, image: QImage) -> None:
        small = _scaled(image, self._size)
        cached = self._disk_file(path)
        if cached is not None:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                # The stubs say `format: bytes`; PySide6 6.11 refuses bytes at run time and takes a str.
                small.save(str(cached), "JPG", 85)  # type: ignore[call-overload]
            except OSError as exc:  # a cache: losing an entry only costs a decode next time
                log.debug("could not cache the thumbnail of %s: %s", path, exc)
        self._worker.deliver(path, small)

    # GUI thread.
    def _on_loaded(self, path: str, result: object) -> None:
        if isinstance(result, str):  # not in the disk cache: decode it
            self._pending.append(path)
            self._pump()
            return
        self._busy.discard(path)
        if isinstance(result, QImage) and not result.isNull():
            self._images[path] = result
            while len(self._images) > self._max_items:
                self._images.popitem(last=False)
            self.ready.emit(path)
        else:
            self._failed.add(path)

    def _pump(self) -> None:
        while self._grabbing < self._max_concurrent and self._pending:
            path = self._pending.popleft()
            self._grabbing += 1
            grabber = FrameGrabber(Path(path), "first")
            grabber.setParent(self)
            grabber.done.connect(lambda image, path=path: self._on_grabbed(path, image))
            grabber.start()

    def _on_grabbed(self, path: str, image: object) -> None:
        self._grabbing -= 1
        if isinstance(image, QImage):
            self._worker.submit(self._store, path, image)
        else:
            self._loaded.emit(path, None)
        self._pump()
