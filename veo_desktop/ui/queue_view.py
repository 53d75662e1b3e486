"""The queue panel: a filterable table over QueueTableModel, queue-wide controls, per-job actions (context
menu, shortcuts and the detail area's buttons share the same QActions) and the selected job's details.

Actions call the engine and return; the next snapshot shows their effect. Each kind of action keeps its
task handle and ignores a repeat while one is in flight.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSortFilterProxyModel, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from veo_desktop.core.states import JobStatus
from veo_desktop.engine.api import DisplayState, Engine, JobView, QueueSnapshot
from veo_desktop.store.base import StoreError
from veo_desktop.ui.frames import last_frame_of
from veo_desktop.ui.job_detail import JobDetail
from veo_desktop.ui.queue_model import (
    COL_COST,
    COL_PROMPT,
    COL_SETTINGS,
    COL_STATUS,
    COL_THUMB,
    FilterRole,
    JobViewRole,
    QueueTableModel,
)
from veo_desktop.ui.status_text import ACTIVE_DISPLAY
from veo_desktop.ui.tasks import TaskKeeper
from veo_desktop.ui.thumbnails import RowThumbnails

ROW_HEIGHT = 60
_PROBLEMS = frozenset({DisplayState.FAILED, DisplayState.FILTERED, DisplayState.UNKNOWN_START})
_DONE = frozenset({DisplayState.COMPLETED, DisplayState.CANCELLED})


class PromptDelegate(QStyledItemDelegate):
    """The prompt on the first line and the model/ratio/duration/resolution, muted, on the second."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # type: ignore[override]
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        prompt, opt.text = opt.text, ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        settings = index.siblingAtColumn(COL_SETTINGS).data() or ""
        rect = opt.rect.adjusted(8, 6, -8, -6)
        half = rect.height() // 2
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        painter.save()
        bold = QFont(opt.font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(opt.palette.color(QPalette.ColorRole.Text))
        line1 = QFontMetrics(bold).elidedText(prompt, Qt.TextElideMode.ElideRight, rect.width())
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(rect.adjusted(0, 0, 0, -half), int(align), line1)
        painter.setFont(opt.font)
        muted = QPalette.ColorRole.Text if selected else QPalette.ColorRole.PlaceholderText
        painter.setPen(opt.palette.color(muted))
        line2 = QFontMetrics(opt.font).elidedText(settings, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect.adjusted(0, half, 0, 0), int(align), line2)
        painter.restore()


class QueueFilterProxy(QSortFilterProxyModel):
    """Text filter over prompt/settings/status plus a state group: all, active, finished, problems."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.group = "all"
        self.setFilterRole(FilterRole)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_group(self, group: str) -> None:
        self.beginFilterChange()
        self.group = group
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        if self.group != "all":
            model = self.sourceModel()
            display = model.view_at(source_row).display  # type: ignore[attr-defined]
            wanted = {"active": ACTIVE_DISPLAY | {DisplayState.PAUSED}, "done": _DONE, "problems": _PROBLEMS}
            if display not in wanted[self.group]:
                return False
        if not self.filterRegularExpression().pattern():
            return True
        return super().filterAcceptsRow(source_row, source_parent)


class QueuePanel(QWidget):
    editRequested = Signal(str, object)  # job id, GenerationRequest
    duplicateRequested = Signal(object)  # GenerationRequest
    startFrameRequested = Signal(object)  # QImage
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
        self._confirm: QMessageBox | None = None
        self._build()
        self._make_actions()
        self._connect()
        self._sync_actions()

    # --- layout --------------------------------------------------------------------------------------
    def _build(self) -> None:
        tr = self.tr
        title = QLabel(tr("Queue"), self)
        title.setObjectName("panelTitle")
        self.summary = QLabel(self)
        self.summary.setObjectName("summary")
        self.summary.setAccessibleName(tr("Queue summary"))
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(tr("Filter by prompt, model or status"))
        self.filter_edit.setAccessibleName(tr("Filter the queue"))
        self.filter_edit.setClearButtonEnabled(True)
        self.group = QComboBox(self)
        self.group.setAccessibleName(tr("Show"))
        for key, label in (
            ("all", tr("All")),
            ("active", tr("Active")),
            ("done", tr("Finished")),
            ("problems", tr("Needs attention")),
        ):
            self.group.addItem(label, key)
        self.pause_button = QPushButton(tr("Pause queue"), self)
        self.pause_button.setAccessibleName(tr("Pause or resume the queue"))
        self.cancel_all_button = QPushButton(tr("Cancel all waiting"), self)
        self.cancel_all_button.setAccessibleName(tr("Cancel all waiting videos"))
        self.banner = QLabel(self)
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.table = QTableView(self)
        self.table.setObjectName("queueTable")
        self.table.setAccessibleName(tr("Queued and finished videos"))
        self.table.setModel(self.proxy)
        self._setup_table()
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
        top_layout.addWidget(self.banner)
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

    def _setup_table(self) -> None:
        t = self.table
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        t.setDefaultDropAction(Qt.DropAction.MoveAction)
        t.setDragDropOverwriteMode(False)
        t.setDropIndicatorShown(True)
        t.setWordWrap(False)
        t.setTextElideMode(Qt.TextElideMode.ElideRight)
        t.setShowGrid(False)
        t.setAlternatingRowColors(True)
        t.setIconSize(self.model_thumb_size())
        t.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        t.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vh = t.verticalHeader()
        vh.hide()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measure 10,000 rows
        vh.setDefaultSectionSize(ROW_HEIGHT)
        hh = t.horizontalHeader()
        hh.setHighlightSections(False)
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(COL_PROMPT, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(COL_THUMB, QHeaderView.ResizeMode.Fixed)
        widths = {COL_THUMB: 108, COL_STATUS: 250, COL_COST: 96}
        for col, width in widths.items():
            t.setColumnWidth(col, width)
        t.setColumnHidden(COL_SETTINGS, True)  # shown under the prompt by PromptDelegate
        self._prompt_delegate = PromptDelegate(t)
        t.setItemDelegateForColumn(COL_PROMPT, self._prompt_delegate)

    @staticmethod
    def model_thumb_size() -> Any:
        from veo_desktop.ui.thumbnails import ROW_THUMB_SIZE

        return ROW_THUMB_SIZE

    def _make_actions(self) -> None:
        tr = self.tr

        def act(text: str, slot: Callable[[], None], shortcut: str | None = None, name: str = "") -> QAction:
            action = QAction(text, self)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.setObjectName(name)
            action.triggered.connect(slot)
            self.addAction(action)
            return action

        self.act_try_again = act(tr("Try again"), lambda: self._job_call("retry", self.engine.retry), None, "tryAgain")
        self.act_retry = act(
            tr("Retry (may be billed twice)"), lambda: self._job_call("retry", self.engine.retry), None, "retry"
        )
        self.act_give_up = act(
            tr("Give up (refund)"), lambda: self._job_call("give_up", self.engine.give_up), None, "giveUp"
        )
        self.act_cancel = act(tr("Cancel"), lambda: self._job_call("cancel", self.engine.cancel), "Delete", "cancel")
        self.act_top = act(
            tr("Move to top"), lambda: self._job_call("top", self.engine.move_to_top), "Ctrl+Shift+Up", "top"
        )
        self.act_edit = act(tr("Edit…"), self._edit, "Ctrl+E", "edit")
        self.act_duplicate = act(tr("Duplicate into composer"), self._duplicate, "Ctrl+D", "duplicate")
        self.act_open = act(tr("Open video"), self._open_video, "Ctrl+O", "open")
        self.act_folder = act(tr("Show in folder"), self._show_folder, None, "folder")
        self.act_copy = act(tr("Copy prompt"), self._copy_prompt, "Ctrl+Shift+C", "copy")
        self.act_last_frame = act(tr("Use last frame as next start frame"), self._use_last_frame, None, "lastFrame")
        primary = (self.act_try_again, self.act_retry)
        self.detail.set_actions(
            (
                self.act_try_again,
                self.act_retry,
                self.act_give_up,
                self.act_cancel,
                self.act_top,
                self.act_edit,
                self.act_open,
                self.act_last_frame,
                self.act_duplicate,
            ),
            primary=primary,
        )

    def _connect(self) -> None:
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.group.currentIndexChanged.connect(lambda _i: self.proxy.set_group(str(self.group.currentData())))
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._on_current_changed())
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.doubleClicked.connect(lambda _i: self._on_activated())
        self.model.reorderRequested.connect(lambda ids: self._run("reorder", self.engine.reorder(ids)))
        self.model.modelReset.connect(self._reselect)
        self.pause_button.clicked.connect(self._toggle_pause)
        self.cancel_all_button.clicked.connect(self.ask_cancel_all)

    # --- snapshot ------------------------------------------------------------------------------------
    def set_snapshot(self, snapshot: QueueSnapshot) -> None:
        self._snapshot = snapshot
        self.model.set_snapshot(snapshot)
        counts = snapshot.counts
        waiting = sum(
            counts.get(d.value, 0) for d in (DisplayState.WAITING, DisplayState.WAITING_QUOTA, DisplayState.PAUSED)
        )
        running = sum(
            counts.get(d.value, 0) for d in (DisplayState.STARTING, DisplayState.GENERATING, DisplayState.DOWNLOADING)
        )
        self.summary.setText(
            self.tr("%1 generating · %2 waiting · %3 slots")
            .replace("%1", str(running))
            .replace("%2", str(waiting))
            .replace("%3", str(snapshot.max_in_flight))
        )
        paused = snapshot.queue.paused
        self.pause_button.setText(self.tr("Resume queue") if paused else self.tr("Pause queue"))
        self.cancel_all_button.setEnabled(waiting > 0)
        self._show_banner(snapshot)
        view = self.current_view()
        if view is not None and view.id != self._current_id:
            self._on_current_changed()
        else:
            self.detail.show_view(view)
            self._sync_actions()
            if view is not None:
                self._run("events", self._load_events(view.id), replace=True)

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
        self.detail.show_view(view)
        self._sync_actions()
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

    def _sync_actions(self) -> None:
        v = self.current_view()
        d = v.display if v else None
        waiting = v is not None and v.job.status is JobStatus.QUEUED
        has_video = v is not None and bool(v.job.outputs)
        self.act_try_again.setEnabled(d in (DisplayState.FAILED, DisplayState.FILTERED))
        self.act_retry.setEnabled(d is DisplayState.UNKNOWN_START)
        self.act_give_up.setEnabled(d is DisplayState.UNKNOWN_START)
        self.act_cancel.setEnabled(waiting)
        self.act_top.setEnabled(waiting and (v.position or 1) > 1)  # type: ignore[union-attr]
        self.act_edit.setEnabled(waiting)
        for action in (self.act_open, self.act_folder, self.act_last_frame):
            action.setEnabled(has_video)
        self.act_duplicate.setEnabled(v is not None)
        self.act_copy.setEnabled(v is not None)
        self.detail.sync_buttons()

    def _context_menu(self, pos: Any) -> None:
        if not self.table.indexAt(pos).isValid():
            return
        self._sync_actions()
        menu = QMenu(self)
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
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _run(self, name: str, coro: Coroutine[Any, Any, Any], *, replace: bool = False) -> None:
        if not replace and self.tasks.busy(name):
            coro.close()  # the same kind of action is in flight: ignore the repeat
            return
        self.tasks.start(name, coro, replace=replace)

    def _job_call(self, name: str, call: Callable[[str], Coroutine[Any, Any, Any]]) -> None:
        view = self.current_view()
        if view is not None:
            self._run(name, call(view.id))

    def _edit(self) -> None:
        view = self.current_view()
        if view is not None and view.job.is_waiting:
            self.editRequested.emit(view.id, view.job.request)

    def _duplicate(self) -> None:
        view = self.current_view()
        if view is not None:
            self.duplicateRequested.emit(view.job.request)

    def _video_path(self) -> Path | None:
        view = self.current_view()
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
        view = self.current_view()
        if view is not None:
            QGuiApplication.clipboard().setText(view.job.request.prompt)
            self.message.emit(self.tr("Prompt copied."))

    def _use_last_frame(self) -> None:
        path = self._video_path()
        if path is not None:
            self._run("last_frame", self._grab_last_frame(path))

    async def _grab_last_frame(self, path: Path) -> None:
        self.message.emit(self.tr("Taking the last frame…"))
        image = await last_frame_of(path)
        if image is None:
            self.message.emit(self.tr("Could not read the last frame of this video."))
            return
        self.startFrameRequested.emit(image)

    def _toggle_pause(self) -> None:
        paused = self._snapshot is not None and self._snapshot.queue.paused
        self._run("pause", self.engine.resume() if paused else self.engine.pause())

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
        self.message.emit(self.tr("Cancelled %1 waiting videos; they were refunded.").replace("%1", str(n)))

    def shutdown(self) -> None:
        self.tasks.cancel_all()
