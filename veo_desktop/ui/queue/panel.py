"""The queue panel: a filterable table over QueueTableModel, the queue-wide controls (pause, cancel all
waiting), the attention banner and the selected job's details. The rows are `model`, how cells are painted
is `table`, the per-job actions are `actions` (context menu, shortcuts, the Queue menu and the detail area's
buttons share the same QActions), the selected job is shown by `detail`.

Actions call the engine and return; the next snapshot shows their effect. Each kind of action keeps its
task handle and ignores a repeat while one is in flight.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from veo_desktop.core.errors import StoreError
from veo_desktop.engine.api import Engine, JobView, QueueSnapshot
from veo_desktop.ui.queue.actions import QueueActions
from veo_desktop.ui.queue.batches import BatchBar
from veo_desktop.ui.queue.detail import JobDetail
from veo_desktop.ui.queue.follow_up import FollowUps
from veo_desktop.ui.queue.held import HeldBanner
from veo_desktop.ui.queue.model import COL_PROMPT, JobViewRole, QueueTableModel
from veo_desktop.ui.queue.record import RecordSection
from veo_desktop.ui.queue.status_text import in_flight_and_waiting
from veo_desktop.ui.queue.table import ROW_HEIGHT, QueueFilterProxy, QueueTable, setup_queue_table
from veo_desktop.ui.queue.thumbnails import RowThumbnails
from veo_desktop.ui.support.i18n import number_text
from veo_desktop.ui.support.tasks import TaskKeeper

__all__ = ["ROW_HEIGHT", "QueueFilterProxy", "QueuePanel"]


class QueuePanel(QWidget):
    editRequested = Signal(str, object)  # job id, GenerationRequest
    duplicateRequested = Signal(object)  # GenerationRequest
    startFrameRequested = Signal(str, object)  # job id, FrameRef (its video's last frame)
    playRequested = Signal(object)  # Path
    currentJobChanged = Signal(object)  # JobView | None (only when the selected job changes)
    message = Signal(str)

    def __init__(self, engine: Engine, *, thumbnails: RowThumbnails | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("queuePanel")
        self.engine = engine
        # A lost race or a refusal is said in the status bar; the next snapshot shows the truth.
        self.tasks = TaskKeeper(on_error=lambda _n, exc: self.message.emit(str(exc)), expected=(StoreError, ValueError))
        self.model = QueueTableModel(engine.catalogue, thumbnails=thumbnails, parent=self)
        self.proxy = QueueFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._snapshot: QueueSnapshot | None = None
        self._current_id: str | None = None
        self._waiting_seen: tuple[tuple[str, str, str | None], ...] | None = None
        self._confirm: QMessageBox | None = None
        self._build()
        self._make_actions()
        self._connect()
        self._update_placeholder()
        self.sync_actions()

    # --- layout --------------------------------------------------------------------------------------
    def _build(self) -> None:
        title = QLabel(self.tr("Queue"), self)
        title.setObjectName("panelTitle")
        self.summary = QLabel(self)
        self.summary.setObjectName("summary")
        self.summary.setAccessibleName(self.tr("Queue summary"))
        self.summary.setWordWrap(True)  # wraps rather than widen the window (it should fit 1280 px screens)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(self.tr("Filter by prompt, model or status"))
        self.filter_edit.setAccessibleName(self.tr("Filter the queue"))
        self.filter_edit.setClearButtonEnabled(True)
        self.group = QComboBox(self)
        self.group.setAccessibleName(self.tr("Show"))
        for key, label in (
            ("all", self.tr("All")),
            ("active", self.tr("Active")),
            ("done", self.tr("Finished")),
            ("problems", self.tr("Needs attention")),
        ):
            self.group.addItem(label, key)
        self.pause_button = QPushButton(self.tr("Pause queue"), self)
        self.pause_button.setAccessibleName(self.tr("Pause or resume the queue"))
        self.cancel_all_button = QPushButton(self.tr("Cancel all waiting"), self)
        self.cancel_all_button.setAccessibleName(self.tr("Cancel all waiting videos"))
        self.banner = QLabel(self)
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.held = HeldBanner(self.engine, self._run, self)
        self.batches = BatchBar(self.engine, self._run, self)
        self.table = QueueTable(self)
        self.table.setObjectName("queueTable")
        self.table.setAccessibleName(self.tr("Queued and finished videos"))
        self.table.setModel(self.proxy)
        setup_queue_table(self.table)
        self.detail = JobDetail(self.engine.catalogue, self)
        head = QHBoxLayout()
        head.setSpacing(8)
        head.addWidget(title)
        head.addWidget(self.summary, 1)
        head.addWidget(self.pause_button)
        head.addWidget(self.cancel_all_button)
        filters = QHBoxLayout()
        filters.setSpacing(8)
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.group)
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(8)
        top_layout.addLayout(head)
        top_layout.addLayout(filters)
        top_layout.addWidget(self.batches)
        top_layout.addWidget(self.banner)
        top_layout.addWidget(self.held)
        top_layout.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 14, 12, 10)
        layout.addWidget(self.splitter)

    def _make_actions(self) -> None:
        self.job_actions = QueueActions(self.engine, self, self.current_view, self._run)
        buttons, primary = self.job_actions.for_detail()
        self.detail.set_actions(buttons, primary=primary)
        self.follow_ups = FollowUps(self.engine, self._run, self.detail)
        self.detail.add_section(self.follow_ups)
        self.record = RecordSection(self.engine, self._run, self.detail)
        self.detail.add_tab(self.record, self.tr("Sent and returned"), corner=self.record.copy_button)

    def _connect(self) -> None:
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.group.currentIndexChanged.connect(lambda _i: self.proxy.set_group(str(self.group.currentData())))
        # The selection, not the current row: a mouse click moves the current row before it selects it, so the
        # current row alone shows nothing (then nothing until the next snapshot).
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._on_current_changed())
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.doubleClicked.connect(lambda _i: self._on_activated())
        self.model.reorderRequested.connect(lambda ids: self._run("reorder", self.engine.reorder(ids)))
        self.model.modelReset.connect(self._reselect)
        p = self.proxy
        for signal in (p.rowsInserted, p.rowsRemoved, p.modelReset, p.layoutChanged):
            signal.connect(self._update_placeholder)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.cancel_all_button.clicked.connect(self.ask_cancel_all)
        a = self.job_actions
        a.editRequested.connect(self.editRequested)
        a.duplicateRequested.connect(self.duplicateRequested)
        a.startFrameRequested.connect(self.startFrameRequested)
        a.message.connect(self.message)
        self.held.message.connect(self.message)
        self.batches.message.connect(self.message)
        self.batches.batchChanged.connect(self.proxy.set_batch)
        self.record.message.connect(self.message)
        self.follow_ups.queued.connect(
            lambda job_id: self.message.emit(
                self.tr("Queued %1; it continues the selected video.").replace("%1", job_id)
            )
        )

    # --- snapshot ------------------------------------------------------------------------------------
    def set_snapshot(self, snapshot: QueueSnapshot) -> None:
        self._snapshot = snapshot
        self.model.set_snapshot(snapshot)
        running, waiting = in_flight_and_waiting(snapshot.counts)
        self.summary.setText(
            self.tr("%1 generating · %2 waiting · %3 slots")
            .replace("%1", number_text(running))
            .replace("%2", number_text(waiting))
            .replace("%3", str(snapshot.max_in_flight))
        )
        paused = snapshot.queue.paused
        self.pause_button.setText(self.tr("Resume queue") if paused else self.tr("Pause queue"))
        self.cancel_all_button.setEnabled(waiting > 0)
        self._show_banner(snapshot)
        self.batches.set_views(snapshot.jobs, snapshot.ledger)
        seen = tuple((v.id, v.job.request.model_id, v.job.note) for v in snapshot.jobs if v.job.is_waiting)
        if seen != self._waiting_seen:  # which jobs are held changes only with the waiting ones
            self._waiting_seen = seen
            self.held.refresh()
        view = self.current_view()
        if view is not None and view.id != self._current_id:
            self._on_current_changed()
        else:
            self.detail.show_view(view, snapshot.taken_at_ms)
            self.follow_ups.show_view(view)
            self.record.show_view(view)
            self.sync_actions()
            if view is not None:
                self._run("events", self._load_events(view.id), replace=True)

    def _update_placeholder(self) -> None:
        if self.model.rowCount() == 0:
            text = self.tr("Nothing in the queue yet. Describe a video on the left and press Generate.")
        elif self.proxy.rowCount() == 0:
            text = self.tr("No video matches the filter.")
        else:
            text = ""
        self.table.set_placeholder(text)

    def _show_banner(self, snapshot: QueueSnapshot) -> None:
        q = snapshot.queue
        text = ""
        if q.paused and (q.pause_reason or "").startswith("auth"):
            detail = (q.pause_reason or "")[5:].strip()
            text = self.tr(
                "The queue is paused: Google refused the API key (%1). Fix the key in Settings, then Resume."
            ).replace("%1", detail or self.tr("no detail"))
        elif q.paused:
            text = self.tr("The queue is paused. Waiting videos will not start until you resume it.")
        elif q.cooldown_until_ms and q.cooldown_until_ms > snapshot.taken_at_ms:
            secs = round((q.cooldown_until_ms - snapshot.taken_at_ms) / 1000)
            text = self.tr("Google asked us to slow down; starting again in %1 s.").replace("%1", str(secs))
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    # --- selection and actions -----------------------------------------------------------------------
    def current_view(self) -> JobView | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row(), QModelIndex()):
            return None
        view = index.data(JobViewRole)
        return view if isinstance(view, JobView) else None

    def select_job(self, job_id: str) -> bool:
        row = self.model.row_of(job_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, COL_PROMPT))
        if not index.isValid():
            return False
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)
        return True

    def _reselect(self) -> None:
        if self._current_id is not None:
            self.select_job(self._current_id)

    def _on_current_changed(self) -> None:
        view = self.current_view()
        self.detail.show_view(view, self._snapshot.taken_at_ms if self._snapshot else None)
        self.follow_ups.show_view(view)
        self.record.show_view(view)
        self.sync_actions()
        new_id = view.id if view else None
        if new_id != self._current_id:
            self._current_id = new_id
            self.detail.events.clear()
            if view is not None:
                self._run("events", self._load_events(view.id), replace=True)
            self.currentJobChanged.emit(view)

    def _on_activated(self) -> None:
        view = self.current_view()
        if view is not None and view.job.outputs:
            self.playRequested.emit(Path(view.job.outputs[0].path))

    async def _load_events(self, job_id: str) -> None:
        events = await self.engine.events(job_id, limit=50)
        if self._current_id == job_id:
            self.detail.set_events(events)

    def sync_actions(self) -> None:
        """Enable the actions (and the detail area's buttons) for the selected job."""
        self.job_actions.sync()
        self.detail.sync_buttons()

    def _context_menu(self, pos: QPoint) -> None:
        if self.table.indexAt(pos).isValid() and self.current_view() is not None:  # not on another's place
            self.job_actions.context_menu(self.table.viewport().mapToGlobal(pos))

    def _run(self, name: str, coro: Coroutine[Any, Any, Any], *, replace: bool = False) -> None:
        if not replace and self.tasks.busy(name):
            coro.close()  # the same kind of action is in flight: ignore the repeat
            return
        self.tasks.start(name, coro, replace=replace)

    # --- what the window asks of the panel ----------------------------------------------------------
    def toggle_pause(self) -> None:
        paused = self._snapshot is not None and self._snapshot.queue.paused
        self._run("pause", self.engine.resume() if paused else self.engine.pause())

    def focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def focus_table(self) -> None:
        self.table.setFocus()

    def menu_actions(self) -> tuple[QAction, ...]:
        """The per-job actions, in the Queue menu's order (enabled for the selected job by `sync_actions`)."""
        return (*self.job_actions.all(), *self.batches.actions_for_menu())

    def save_state(self) -> QByteArray:
        return self.splitter.saveState()

    def restore_state(self, state: QByteArray) -> None:
        self.splitter.restoreState(state)

    def ask_cancel_all(self) -> None:
        """Asks first, without a nested event loop (QMessageBox.open)."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Cancel all waiting videos?"),
            self.tr(
                "Every video that has not started yet will be cancelled and refunded. Videos "
                "already generating continue."
            ),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        yes = box.addButton(self.tr("Cancel waiting videos"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("Keep them"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(QMessageBox.StandardButton.NoButton)
        box.buttonClicked.connect(lambda b: self._cancel_all_answered(b is yes))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._confirm = box
        box.open()

    def _cancel_all_answered(self, yes: bool) -> None:
        self._confirm = None
        if yes:
            self._run("cancel_all", self._cancel_all())

    async def _cancel_all(self) -> None:
        n = await self.engine.cancel_all_waiting()
        self.message.emit(self.tr("Cancelled %1 waiting videos; they were refunded.").replace("%1", number_text(n)))

    def shutdown(self) -> list[asyncio.Task[Any]]:
        """Stop: cancels the panel's tasks and refuses new ones; returns them for the window to await."""
        return self.tasks.close()
