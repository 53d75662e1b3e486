"""First-frame thumbnails of finished videos, shared by the library and the queue's rows.

`ThumbnailCache.get(path)` answers at once from memory, or starts a load and returns None; `ready(path)`
follows when the picture is there. A load reads the disk cache in a worker thread; on a miss a
`FrameGrabber` decodes the first frame (at most `max_concurrent` at a time), and the worker scales it and
writes it to the disk cache for the next launch. `shutdown()` (from the window's close) stops the worker,
cancels the grabbers and drops the images, on the GUI thread.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict, deque
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtGui import QImage

from veo_desktop.ui.media.frames import FrameGrabber
from veo_desktop.ui.media.images import scaled
from veo_desktop.ui.support.worker import GuardedWorker

THUMBNAIL_SIZE = QSize(320, 180)
_GRAB = "grab"  # the disk cache had nothing: decode the video

log = logging.getLogger(__name__)


def disk_file(cache_dir: Path | None, path: str) -> Path | None:
    """Where the thumbnail of `path` is cached: named by the path, size and modification time."""
    if cache_dir is None:
        return None
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    key = hashlib.sha256(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()[:32]
    return cache_dir / f"{key}.jpg"


def read_cached(cache_dir: Path | None, path: str) -> QImage | str:
    """The cached thumbnail, or `_GRAB` (worker thread)."""
    cached = disk_file(cache_dir, path)
    image = QImage(str(cached)) if cached is not None and cached.is_file() else QImage()
    return _GRAB if image.isNull() else image


def scale_and_cache(cache_dir: Path | None, path: str, image: QImage, size: QSize) -> QImage:
    """Scale a decoded first frame and keep it on disk; a failed write only costs a decode next time
    (worker thread)."""
    small = scaled(image, size)
    cached = disk_file(cache_dir, path)
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            # The stubs say `format: bytes`; PySide6 6.11 refuses bytes at run time and takes a str.
            small.save(str(cached), "JPG", 85)  # type: ignore[call-overload]
        except OSError as exc:
            log.debug("could not cache the thumbnail of %s: %s", path, exc)
    return small


class ThumbnailCache(QObject):
    ready = Signal(str)
    _loaded = Signal(str, object)  # from the worker thread, delivered on the GUI thread

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
        self._grabbers: dict[str, FrameGrabber] = {}
        self._loaded.connect(self._on_loaded)
        self._worker = GuardedWorker(self, self._loaded, name="thumbnails")

    def get(self, path: str) -> QImage | None:
        image = self._images.get(path)
        if image is not None:
            self._images.move_to_end(path)
            return image
        if path not in self._failed and path not in self._busy:
            self._busy.add(path)
            self._worker.submit(path, read_cached, self._cache_dir, path)
        return None

    def clear_failures(self) -> None:
        self._failed.clear()

    def shutdown(self) -> None:
        """Stop loading and let go of every picture, here on the GUI thread. Waits for the one call in flight
        (a disk read or a scale), so the worker thread is gone when this returns."""
        self._worker.shutdown(wait=True)
        self._pending.clear()
        grabbers, self._grabbers = list(self._grabbers.values()), {}
        for grabber in grabbers:
            grabber.cancel()  # its `done` now finds nothing to do
        self._busy.clear()
        self._images.clear()

    # --- GUI thread ----------------------------------------------------------------------------------------
    def _on_loaded(self, path: str, result: object) -> None:
        if isinstance(result, str):  # _GRAB
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
        while len(self._grabbers) < self._max_concurrent and self._pending:
            path = self._pending.popleft()
            grabber = FrameGrabber(Path(path), "first")
            grabber.setParent(self)
            grabber.done.connect(lambda image, path=path: self._on_grabbed(path, image))
            self._grabbers[path] = grabber
            grabber.start()

    def _on_grabbed(self, path: str, image: object) -> None:
        if self._grabbers.pop(path, None) is None:
            return  # cancelled by shutdown()
        if isinstance(image, QImage):
            self._worker.submit(path, scale_and_cache, self._cache_dir, path, image, self._size)
        else:
            self._on_loaded(path, None)
        self._pump()
