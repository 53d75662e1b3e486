"""Row thumbnails for the queue: the job's start frame, or the first frame of its finished video.

`pixmap(key)` answers at once from memory or starts a load and returns None; `ready(key)` follows when the
picture is there. Images are read and scaled in a worker thread (QImageReader with a scaled size, so a
20 MB PNG never touches the GUI thread); video first frames come from `media.video_thumbnails`.
`shutdown()` stops the worker and drops the pixmaps on the GUI thread.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap

from veo_desktop.core.jobs import Job
from veo_desktop.core.request import FrameRef
from veo_desktop.ui.media.images import read_scaled_image
from veo_desktop.ui.support.worker import GuardedWorker

if TYPE_CHECKING:  # it pulls in QtMultimedia; only its type is needed here
    from veo_desktop.ui.media.video_thumbnails import ThumbnailCache

ROW_THUMB_SIZE = QSize(96, 54)
_MAX_PIXMAPS = 600


class RowThumbnails(QObject):
    ready = Signal(str)
    _loaded = Signal(str, object)  # from the worker thread, delivered on the GUI thread

    def __init__(
        self,
        frame_path: Callable[[FrameRef], Path],
        *,
        videos: ThumbnailCache | None = None,  # first frames of finished videos, optional
        size: QSize = ROW_THUMB_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._frame_path = frame_path
        self._size = size
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._busy: set[str] = set()
        self._failed: set[str] = set()
        self._videos = videos
        self._loaded.connect(self._on_loaded)
        if videos is not None:
            videos.ready.connect(self._on_video_ready)
        self._worker = GuardedWorker(self, self._loaded, name="row-thumbs")

    def shutdown(self) -> None:
        """Stop loading and let go of the pixmaps, here on the GUI thread. Waits for the one read in flight
        (a scaled decode), so the worker thread is gone when this returns."""
        self._worker.shutdown(wait=True)
        self._busy.clear()
        self._pixmaps.clear()

    def key_for(self, job: Job) -> str | None:
        frame = job.request.start_frame
        if frame is not None:
            return "img:" + str(self._frame_path(frame))
        if job.outputs and self._videos is not None:
            return "vid:" + job.outputs[0].path
        return None

    def pixmap(self, key: str) -> QPixmap | None:
        pixmap = self._pixmaps.get(key)
        if pixmap is not None:
            self._pixmaps.move_to_end(key)
            return pixmap
        if key in self._busy or key in self._failed:
            return None
        kind, path = key[:4], key[4:]
        if kind == "img:":
            self._busy.add(key)
            self._worker.submit(key, _read_or_none, path, self._size)
        elif self._videos is not None:
            image = self._videos.get(path)
            if image is not None:
                return self._keep(key, image)
            self._busy.add(key)
        return None

    def _on_video_ready(self, path: str) -> None:
        key = "vid:" + path
        if key not in self._busy or self._videos is None:
            return
        self._on_loaded(key, self._videos.get(path))

    def _on_loaded(self, key: str, image: object) -> None:
        self._busy.discard(key)
        if isinstance(image, QImage) and not image.isNull():
            self._keep(key, image)
            self.ready.emit(key)
        else:
            self._failed.add(key)

    def _keep(self, key: str, image: QImage) -> QPixmap:
        if image.width() > self._size.width() or image.height() > self._size.height():
            image = image.scaled(
                self._size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        pixmap = QPixmap.fromImage(image)
        self._pixmaps[key] = pixmap
        while len(self._pixmaps) > _MAX_PIXMAPS:
            self._pixmaps.popitem(last=False)
        return pixmap


def _read_or_none(path: str, size: QSize) -> QImage | None:  # worker thread
    image = read_scaled_image(path, size)
    return None if image.isNull() else image
