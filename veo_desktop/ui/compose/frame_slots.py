"""The composer's start and end frames: two pickers side by side, the frames they hold, and their import.

A chosen file, pasted bytes or a picture (the last frame of a video) is imported through the engine, which
validates it by content in a worker thread; the preview is decoded scaled, off the GUI thread. An end frame
needs a start frame, and a model that takes no frame disables its picker with the reason. Imports run as the
composer's tasks (one per picker, a new one replaces the old), so closing the composer cancels them.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QHBoxLayout, QWidget

from veo_desktop.core.catalogue import ModelInfo
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.core.validation import ValidationError
from veo_desktop.engine.api import Engine
from veo_desktop.ui.compose.frame_picker import PREVIEW_SIZE, FramePicker
from veo_desktop.ui.media.images import png_bytes, read_scaled_image
from veo_desktop.ui.support.i18n import number_text
from veo_desktop.ui.support.tasks import TaskKeeper

FRAME_FIELDS = ("start_frame", "end_frame")


class FrameSlots(QWidget):
    changed = Signal()  # a frame was set or cleared

    def __init__(self, engine: Engine, tasks: TaskKeeper, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self._tasks = tasks
        self._frames: dict[str, FrameRef | None] = dict.fromkeys(FRAME_FIELDS)
        self._model: ModelInfo | None = None
        self.start_picker = FramePicker(self.tr("Start frame"), self)
        self.end_picker = FramePicker(self.tr("End frame"), self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        row.addWidget(self.start_picker, 1)
        row.addWidget(self.end_picker, 1)
        for field, picker in (("start_frame", self.start_picker), ("end_frame", self.end_picker)):
            picker.fileChosen.connect(lambda path, f=field: self.import_from(f, path))
            picker.bytesChosen.connect(lambda data, f=field: self.import_from(f, data))
            picker.cleared.connect(lambda f=field: self.clear(f))

    def picker(self, field: str) -> FramePicker:
        return self.start_picker if field == "start_frame" else self.end_picker

    def frame(self, field: str) -> FrameRef | None:
        return self._frames[field]

    def set_model(self, model: ModelInfo | None) -> None:
        self._model = model
        self._update_enabled()

    def load(self, request: GenerationRequest) -> None:
        """Show the request's frames (Edit, Duplicate into composer)."""
        for field in FRAME_FIELDS:
            frame = getattr(request, field)
            if frame is None:
                self.clear(field)
            else:
                self._tasks.start(f"frame:{field}", self._show(field, frame), replace=True)

    def set_frame(self, field: str, frame: FrameRef) -> None:
        """Show an image the engine already keeps (a video's last frame) in this picker."""
        self._tasks.start(f"frame:{field}", self._show(field, frame), replace=True)

    def import_from(self, field: str, source: Path | bytes | QImage) -> None:
        self._tasks.start(f"frame:{field}", self._import(field, source), replace=True)

    def clear(self, field: str) -> None:
        task = self._tasks.task(f"frame:{field}")
        if task is not None:
            task.cancel()
        self._frames[field] = None
        self.picker(field).show_empty()
        if field == "start_frame" and self._frames["end_frame"] is not None:
            self.clear("end_frame")  # an end frame needs a start frame
        self._update_enabled()
        self.changed.emit()

    def _update_enabled(self) -> None:
        model = self._model
        start_ok = model is None or model.start_frame
        self.start_picker.setEnabled(start_ok)
        self.start_picker.setToolTip("" if start_ok else self.tr("This model does not accept a start frame"))
        end_ok = (model is None or model.end_frame) and self._frames["start_frame"] is not None
        self.end_picker.setEnabled(end_ok)
        self.end_picker.setToolTip("" if end_ok else self.tr("Add a start frame first"))
        if self._frames["end_frame"] is None and not end_ok:
            self.end_picker.show_empty(self.tr("Add a start\nframe first"))

    async def _import(self, field: str, source: Path | bytes | QImage) -> None:
        picker = self.picker(field)
        picker.show_busy()
        try:
            if isinstance(source, Path):
                frame = await self.engine.import_frame(source, field=field)
            else:
                data = await asyncio.to_thread(png_bytes, source) if isinstance(source, QImage) else source
                frame = await self.engine.import_frame_bytes(data, field=field)
        except ValidationError as exc:
            picker.show_error(exc.message)
            return
        except OSError as exc:
            picker.show_error(
                self.tr("Could not read that file (%1); choose another.").replace("%1", exc.strerror or "")
            )
            return
        await self._show(field, frame)

    async def _show(self, field: str, frame: FrameRef) -> None:
        self._frames[field] = frame
        self._update_enabled()
        self.changed.emit()
        path = str(self.engine.frame_path(frame))
        preview = await asyncio.to_thread(read_scaled_image, path, PREVIEW_SIZE * 2)
        kind = frame.mime_type.split("/")[-1].upper().replace("JPEG", "JPG")
        size_kb = max(1, round(frame.size_bytes / 1024))
        caption = self.tr("%1×%2 %3 · %4 KB").replace("%1", str(frame.width)).replace("%2", str(frame.height))
        self.picker(field).show_image(preview, caption.replace("%3", kind).replace("%4", number_text(size_kb)))
