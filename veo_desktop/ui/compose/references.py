"""Reference images ("assets" that direct the shot): up to the model's maximum, picked like frames (read and
imported by the engine off the GUI thread), shown as a row of pickers.

References and start/end frames exclude each other: the composer disables the other group with the reason.
`changed` follows every image added or removed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from veo_desktop.core.catalogue import ModelInfo
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.core.validation import ValidationError
from veo_desktop.engine.api import Engine
from veo_desktop.ui.compose.choices import field_label
from veo_desktop.ui.compose.frame_picker import PREVIEW_SIZE, FramePicker
from veo_desktop.ui.media.images import png_bytes, read_scaled_image
from veo_desktop.ui.support.tasks import TaskKeeper

MAX_SLOTS = 3


class ReferenceSlots(QWidget):
    changed = Signal()

    def __init__(self, engine: Engine, tasks: TaskKeeper, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self._tasks = tasks
        self._refs: list[FrameRef | None] = [None] * MAX_SLOTS
        self._model: ModelInfo | None = None
        self._blocked_reason = ""
        self.pickers = [FramePicker(self.tr("Reference %1").replace("%1", str(i + 1)), self) for i in range(MAX_SLOTS)]
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(field_label(self.tr("Reference images"), self))
        grid = QGridLayout()  # two a row, like the start and end frames, so the composer stays narrow
        grid.setSpacing(8)
        column.addLayout(grid)
        for i, picker in enumerate(self.pickers):
            grid.addWidget(picker, i // 2, i % 2)
            picker.fileChosen.connect(lambda path, n=i: self.import_from(n, path))
            picker.bytesChosen.connect(lambda data, n=i: self.import_from(n, data))
            picker.cleared.connect(lambda n=i: self.clear(n))

    def references(self) -> tuple[FrameRef, ...]:
        return tuple(r for r in self._refs if r is not None)

    def set_model(self, model: ModelInfo | None) -> None:
        self._model = model
        most = self.maximum()
        for i in range(most, MAX_SLOTS):
            if self._refs[i] is not None:
                self.clear(i)
        self._update_enabled()

    def maximum(self) -> int:
        return MAX_SLOTS if self._model is None else min(MAX_SLOTS, self._model.reference_images_max)

    def set_blocked(self, reason: str) -> None:
        """Disable every picker with `reason` (e.g. a start frame is set); "" = not blocked."""
        self._blocked_reason = reason
        self._update_enabled()

    def _update_enabled(self) -> None:
        most = self.maximum()
        name = self._model.display_name if self._model is not None else ""
        for i, picker in enumerate(self.pickers):
            if self._blocked_reason:
                ok, why = False, self._blocked_reason
            elif most == 0:
                ok, why = False, self.tr("%1 takes no reference images").replace("%1", name)
            else:
                ok = i < most
                why = "" if ok else self.tr("%1 takes at most %2 reference images").replace("%1", name)
                why = why.replace("%2", str(most))
            picker.setEnabled(ok)
            picker.setToolTip(why)

    def load(self, request: GenerationRequest) -> None:
        for i in range(MAX_SLOTS):
            ref = request.reference_images[i] if i < len(request.reference_images) else None
            if ref is None:
                self.clear(i)
            else:
                self._tasks.start(f"reference:{i}", self._show(i, ref), replace=True)

    def import_from(self, slot: int, source: Path | bytes | QImage) -> None:
        self._tasks.start(f"reference:{slot}", self._import(slot, source), replace=True)

    def clear(self, slot: int) -> None:
        task = self._tasks.task(f"reference:{slot}")
        if task is not None:
            task.cancel()
        had = self._refs[slot] is not None
        self._refs[slot] = None
        self.pickers[slot].show_empty()
        if had:
            self.changed.emit()

    async def _import(self, slot: int, source: Path | bytes | QImage) -> None:
        picker = self.pickers[slot]
        picker.show_busy()
        try:
            if isinstance(source, Path):
                ref = await self.engine.import_frame(source, field="reference_images")
            else:
                data = await asyncio.to_thread(png_bytes, source) if isinstance(source, QImage) else source
                ref = await self.engine.import_frame_bytes(data, field="reference_images")
        except ValidationError as exc:
            picker.show_error(exc.message)
            return
        except OSError as exc:
            picker.show_error(
                self.tr("Could not read that file (%1); choose another.").replace("%1", exc.strerror or "")
            )
            return
        await self._show(slot, ref)

    async def _show(self, slot: int, ref: FrameRef) -> None:
        self._refs[slot] = ref
        self.changed.emit()
        preview = await asyncio.to_thread(read_scaled_image, str(self.engine.frame_path(ref)), PREVIEW_SIZE * 2)
        caption = self.tr("%1×%2").replace("%1", str(ref.width)).replace("%2", str(ref.height))
        self.pickers[slot].show_image(preview, caption)
