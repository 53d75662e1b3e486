"""The per-job actions of the queue: one QAction each, shared by the context menu, the Queue menu, the
keyboard shortcuts and the detail area's buttons.

`QueueActions` reads the selected job through a callable, enables what applies to it (`sync`), and runs
what it starts through the panel's `run` (one task per kind of action; a repeat while one is in flight is
ignored). Actions that belong to another panel (edit, duplicate, use the last frame) are signals up.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from veo_desktop.core.errors import AppError
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.api import DisplayState, Engine, JobView

Run = Callable[[str, Coroutine[Any, Any, Any]], None]


class QueueActions(QObject):
    editRequested = Signal(str, object)  # job id, GenerationRequest
    duplicateRequested = Signal(object)  # GenerationRequest
    startFrameRequested = Signal(str, object)  # job id, FrameRef: its video's last frame, in the frames folder
    message = Signal(str)

    def __init__(self, engine: Engine, owner: QWidget, current: Callable[[], JobView | None], run: Run) -> None:
        super().__init__(owner)
        self.engine = engine
        self._owner = owner  # the shortcuts work while focus is inside it
        self._current = current
        self._run = run
        self._make()

    def _act(self, text: str, slot: Callable[[], None], shortcut: str | None = None, name: str = "") -> QAction:
        action = QAction(text, self._owner)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setObjectName(name)
        action.triggered.connect(slot)
        self._owner.addAction(action)
        return action

    def _make(self) -> None:
        act, engine = self._act, self.engine
        self.act_try_again = act(self.tr("Try again"), lambda: self._job_call("retry", engine.retry), None, "tryAgain")
        self.act_retry = act(
            self.tr("Retry (may be billed twice)"), lambda: self._job_call("retry", engine.retry), None, "retry"
        )
        self.act_give_up = act(
            self.tr("Give up (refund)"), lambda: self._job_call("give_up", engine.give_up), None, "giveUp"
        )
        self.act_cancel = act(self.tr("Cancel"), lambda: self._job_call("cancel", engine.cancel), "Delete", "cancel")
        self.act_top = act(
            self.tr("Move to top"), lambda: self._job_call("top", engine.move_to_top), "Ctrl+Shift+Up", "top"
        )
        self.act_edit = act(self.tr("Edit…"), self._edit, "Ctrl+E", "edit")
        self.act_duplicate = act(self.tr("Duplicate into composer"), self._duplicate, "Ctrl+D", "duplicate")
        self.act_open = act(self.tr("Open video"), self._open_video, "Ctrl+O", "open")
        self.act_folder = act(self.tr("Show in folder"), self._show_folder, None, "folder")
        self.act_copy = act(self.tr("Copy prompt"), self._copy_prompt, "Ctrl+Shift+C", "copy")
        self.act_last_frame = act(
            self.tr("Use last frame as next start frame"), self._use_last_frame, None, "lastFrame"
        )

    def all(self) -> tuple[QAction, ...]:
        """Every action, in the Queue menu's order."""
        return (
            self.act_try_again,
            self.act_retry,
            self.act_give_up,
            self.act_cancel,
            self.act_top,
            self.act_edit,
            self.act_duplicate,
            self.act_open,
            self.act_folder,
            self.act_copy,
            self.act_last_frame,
        )

    def for_detail(self) -> tuple[tuple[QAction, ...], tuple[QAction, ...]]:
        """(the detail area's buttons, the primary ones among them)."""
        buttons = (
            self.act_try_again,
            self.act_retry,
            self.act_give_up,
            self.act_cancel,
            self.act_top,
            self.act_edit,
            self.act_open,
            self.act_last_frame,
            self.act_duplicate,
        )
        return buttons, (self.act_try_again, self.act_retry)

    def sync(self) -> None:
        """Enable what applies to the selected job (and nothing without a selection)."""
        v = self._current()
        d = v.display if v else None
        waiting = v is not None and v.job.status is JobStatus.QUEUED
        has_video = v is not None and bool(v.job.outputs)
        self.act_try_again.setEnabled(d in (DisplayState.FAILED, DisplayState.FILTERED))
        self.act_retry.setEnabled(d is DisplayState.UNKNOWN_START)
        self.act_give_up.setEnabled(d is DisplayState.UNKNOWN_START)
        self.act_cancel.setEnabled(waiting)
        self.act_top.setEnabled(waiting and v is not None and (v.position or 1) > 1)
        self.act_edit.setEnabled(waiting)
        for action in (self.act_open, self.act_folder, self.act_last_frame):
            action.setEnabled(has_video)
        self.act_duplicate.setEnabled(v is not None)
        self.act_copy.setEnabled(v is not None)

    def context_menu(self, global_pos: QPoint) -> QMenu:
        """The enabled actions in groups, popped up at `global_pos` (no nested event loop)."""
        self.sync()
        menu = QMenu(self._owner)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        groups = (
            (self.act_try_again, self.act_retry, self.act_give_up),
            (self.act_open, self.act_folder, self.act_last_frame),
            (self.act_edit, self.act_top, self.act_cancel),
            (self.act_duplicate, self.act_copy),
        )
        for group in groups:
            shown = [a for a in group if a.isEnabled()]
            if shown and not menu.isEmpty():
                menu.addSeparator()
            menu.addActions(shown)
        menu.popup(global_pos)
        return menu

    # --- the slots -----------------------------------------------------------------------------------
    def _job_call(self, name: str, call: Callable[[str], Coroutine[Any, Any, Any]]) -> None:
        view = self._current()
        if view is not None:
            self._run(name, call(view.id))

    def _edit(self) -> None:
        view = self._current()
        if view is not None and view.job.is_waiting:
            self.editRequested.emit(view.id, view.job.request)

    def _duplicate(self) -> None:
        view = self._current()
        if view is not None:
            self.duplicateRequested.emit(view.job.request)

    def _video_path(self) -> Path | None:
        view = self._current()
        return Path(view.job.outputs[0].path) if view is not None and view.job.outputs else None

    def _open_video(self) -> None:
        path = self._video_path()
        if path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _show_folder(self) -> None:
        path = self._video_path()
        if path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))

    def _copy_prompt(self) -> None:
        view = self._current()
        if view is not None:
            QGuiApplication.clipboard().setText(view.job.request.prompt)
            self.message.emit(self.tr("Prompt copied."))

    def _use_last_frame(self) -> None:
        view = self._current()
        if view is not None and view.job.outputs:
            self._run("last_frame", self._grab_last_frame(view.id))

    async def _grab_last_frame(self, job_id: str) -> None:
        """The engine decodes the last frame on a worker thread and keeps it by content hash; the composer
        gets it as its start frame, where the creator writes the next shot's prompt before queuing it."""
        self.message.emit(self.tr("Taking the last frame…"))
        try:
            frame = await self.engine.last_frame(job_id)
        except AppError as exc:  # a missing or undecodable file: its one sentence
            self.message.emit(str(exc))
            return
        self.startFrameRequested.emit(job_id, frame)
