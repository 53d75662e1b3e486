"""The main window: composes the composer (left), the queue (centre) and the player + library (right).

It is a view over `engine.snapshot()`: `engine.subscribe` calls back after changes, a single-shot timer
coalesces the burst (~100 ms), and one kept task reads the snapshot (never two at once; a change during a
read schedules one more). A one-second tick refreshes while jobs are active, so ETAs and elapsed times move.
Window state (geometry, splitters, last composer choices) lives in QSettings, apart from the user Settings;
on the first launch the window is sized to the screen's available area.

The window talks to its panels through their methods (attributes down, signals up) and never reaches into
their children. Closing cancels *and awaits* every task of the window and its panels, stops the thumbnail
workers and drops their pictures on the GUI thread, then hides the window and emits `closed`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QRect, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from veo_desktop import __version__
from veo_desktop.core.request import FrameRef
from veo_desktop.engine.api import DisplayState, Engine, JobView, QueueSnapshot
from veo_desktop.settings import Settings
from veo_desktop.ui.compose.panel import ComposePanel
from veo_desktop.ui.dialogs.quit_box import ask_to_quit
from veo_desktop.ui.library.panel import LibraryPanel
from veo_desktop.ui.media.player import PlayerPanel
from veo_desktop.ui.media.video_thumbnails import ThumbnailCache
from veo_desktop.ui.notifications import ChangeNotices, Notifier
from veo_desktop.ui.queue.panel import QueuePanel
from veo_desktop.ui.queue.status_text import ACTIVE_DISPLAY, in_flight_and_waiting
from veo_desktop.ui.queue.store_line import StoreLine
from veo_desktop.ui.queue.thumbnails import RowThumbnails
from veo_desktop.ui.support.i18n import number_text
from veo_desktop.ui.support.tasks import TaskKeeper, wait_finished
from veo_desktop.ui.support.window_style import window_style_sheet

REFRESH_COALESCE_MS = 100
TICK_MS = 1000
STORE_POLL_MS = 4000  # how often the store line asks whether the store answers
DEFAULT_SIZE = (1600, 940)
DEFAULT_SPLIT = (380, 800, 480)  # composer, queue, player + library


class MainWindow(QMainWindow):
    settingsRequested = Signal()
    snapshotApplied = Signal(object)  # QueueSnapshot, after every refresh (tests and the bench listen)
    closed = Signal()  # the window has closed and nothing of it runs any more

    def __init__(
        self,
        engine: Engine,
        *,
        settings: Settings | None = None,
        window_state: QSettings | None = None,
        thumbnail_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.engine = engine
        self.tasks = TaskKeeper(on_error=lambda _n, exc: self.statusBar().showMessage(str(exc), 8000))
        self._state = window_state
        self._snapshot: QueueSnapshot | None = None
        self._dirty = False
        self._close_confirmed = False
        self._closing: asyncio.Task[None] | None = None
        self._shut = False  # stopped: the next close event is accepted
        self._announced = False  # `closed` was emitted
        self._closing_box: QMessageBox | None = None
        self._last_counts: dict[str, int] | None = None
        self.video_thumbnails = ThumbnailCache(thumbnail_dir, parent=self)
        self.row_thumbnails = RowThumbnails(engine.frame_path, videos=self.video_thumbnails, parent=self)
        self._build()
        self.notifier = Notifier(self, settings or Settings(), self.windowIcon())
        self.notices = ChangeNotices(self.notifier)
        self._make_menus()
        self._connect()
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_COALESCE_MS)
        self._refresh_timer.timeout.connect(self._start_refresh)
        self._tick = QTimer(self, interval=TICK_MS)
        self._tick.timeout.connect(self._on_tick)
        self._store_timer = QTimer(self, interval=STORE_POLL_MS)  # the first read comes with the first snapshot
        self._store_timer.timeout.connect(self.refresh_store)
        self._unsubscribe = engine.subscribe(self.schedule_refresh)
        self._restore_state()
        self._update_title()
        self.schedule_refresh()
        self._tick.start()
        self._store_timer.start()

    # --- layout --------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setStyleSheet(window_style_sheet())
        self.compose = ComposePanel(self.engine, self)
        scroll = QScrollArea(self)
        scroll.setObjectName("composeScroll")
        scroll.setWidget(self.compose)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # The composer never scrolls sideways, so its column is at least as wide as its widest row of controls.
        needed = self.compose.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 4
        scroll.setMinimumWidth(max(DEFAULT_SPLIT[0], needed))
        self.queue = QueuePanel(self.engine, thumbnails=self.row_thumbnails, parent=self)
        self.player = PlayerPanel(self)
        self.library = LibraryPanel(self.video_thumbnails, self.engine.catalogue, self)
        self.player_area = QWidget(self)
        self.player_area.setObjectName("rightPanel")
        right = QVBoxLayout(self.player_area)
        right.setContentsMargins(12, 14, 16, 10)
        right.setSpacing(8)
        self.right_split = QSplitter(Qt.Orientation.Vertical, self.player_area)
        player_box = QWidget(self.right_split)
        player_layout = QVBoxLayout(player_box)
        player_layout.setContentsMargins(0, 0, 0, 0)
        player_layout.addWidget(self._title(self.tr("Player")))
        player_layout.addWidget(self.player, 1)
        library_box = QWidget(self.right_split)
        library_layout = QVBoxLayout(library_box)
        library_layout.setContentsMargins(0, 8, 0, 0)
        library_layout.addWidget(self._title(self.tr("Library")))
        library_layout.addWidget(self.library, 1)
        self.right_split.addWidget(player_box)
        self.right_split.addWidget(library_box)
        self.right_split.setChildrenCollapsible(False)
        right.addWidget(self.right_split)
        self.split = QSplitter(Qt.Orientation.Horizontal, self)
        self.split.addWidget(scroll)
        self.split.addWidget(self.queue)
        self.split.addWidget(self.player_area)
        self.split.setStretchFactor(0, 0)
        self.split.setStretchFactor(1, 3)
        self.split.setStretchFactor(2, 2)
        self.split.setChildrenCollapsible(False)
        self.split.setSizes(list(DEFAULT_SPLIT))
        self.setCentralWidget(self.split)
        self.resize(*DEFAULT_SIZE)
        self.statusBar().setSizeGripEnabled(True)
        self.store_line = StoreLine(self)
        self.statusBar().addPermanentWidget(self.store_line)

    def _title(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName("panelTitle")
        return label

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self.act_settings = self._action(file_menu, self.tr("&Settings…"), self.settingsRequested.emit, "Ctrl+,")
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        queue_menu = bar.addMenu(self.tr("&Queue"))
        self._action(queue_menu, self.tr("&Generate\tCtrl+Enter"), self.compose.generate)
        self.act_pause = self._action(queue_menu, self.tr("&Pause or resume queue"), self.queue.toggle_pause, "Ctrl+P")
        self._action(queue_menu, self.tr("&Cancel all waiting…"), self.queue.ask_cancel_all)
        queue_menu.addSeparator()
        queue_menu.addActions(self.queue.menu_actions())
        queue_menu.aboutToShow.connect(self.queue.sync_actions)
        view_menu = bar.addMenu(self.tr("&View"))
        self._action(view_menu, self.tr("Focus the &prompt"), self.compose.focus_prompt, "Ctrl+L")
        self._action(view_menu, self.tr("Focus the &queue"), self.queue.focus_table, "Ctrl+2")
        self._action(view_menu, self.tr("&Filter the queue"), self.queue.focus_filter, QKeySequence.StandardKey.Find)
        self._action(view_menu, self.tr("Search the &library"), self.library.focus_search, "Ctrl+Shift+F")
        help_menu = bar.addMenu(self.tr("&Help"))
        self._action(help_menu, self.tr("&About Veo Desktop"), self._about)

    def _action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object],
        shortcut: str | QKeySequence.StandardKey | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _connect(self) -> None:
        q, c = self.queue, self.compose
        q.currentJobChanged.connect(self._on_job_selected)
        q.playRequested.connect(self.player.play)
        q.editRequested.connect(lambda job_id, request: c.load_request(request, edit_job_id=job_id))
        q.duplicateRequested.connect(c.load_request)
        q.startFrameRequested.connect(self._use_start_frame)
        q.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        c.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        c.submitted.connect(lambda _n: self.schedule_refresh())
        c.editSaved.connect(lambda _id: self.schedule_refresh())
        self.library.videoActivated.connect(lambda path: self.player.play(Path(path)))

    # --- refreshing ----------------------------------------------------------------------------------
    def schedule_refresh(self) -> None:
        """Called by the engine after changes; many calls within REFRESH_COALESCE_MS become one read."""
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _on_tick(self) -> None:
        snap = self._snapshot
        if snap is not None and any(snap.counts.get(d.value, 0) for d in ACTIVE_DISPLAY):
            self.schedule_refresh()

    def refresh_store(self) -> None:
        """Ask the engine (async, never on the GUI thread's time) which store it is on and whether it answers."""
        self.tasks.start("store", self._read_store())

    async def _read_store(self) -> None:
        was_lost = self.store_line.is_warning()
        self.store_line.set_status(await self.engine.store_status())
        if was_lost and not self.store_line.is_warning():
            self.schedule_refresh()  # back: what changed meanwhile on the other desktops

    def _start_refresh(self) -> None:
        if self.tasks.busy("snapshot"):
            self._dirty = True  # never two reads at once: one more after this one
            return
        self.tasks.start("snapshot", self._refresh())
        if self.store_line.status() is None and not self.tasks.busy("store"):
            self.refresh_store()

    async def _refresh(self) -> None:
        try:
            snapshot = await self.engine.snapshot()
            self.apply_snapshot(snapshot)
        finally:
            if self._dirty:
                self._dirty = False
                self.schedule_refresh()

    def apply_snapshot(self, snapshot: QueueSnapshot) -> None:
        self._snapshot = snapshot
        self.queue.set_snapshot(snapshot)
        self.compose.set_snapshot(snapshot)
        counts = dict(snapshot.counts)
        if counts != self._last_counts:  # the library changes only when some job changed state
            self.library.set_snapshot(snapshot)
            self.notices.seen(snapshot)
            self._last_counts = counts
        self._update_title()
        self.snapshotApplied.emit(snapshot)

    def counts(self) -> tuple[int, int]:
        """(generating, waiting) from the last snapshot."""
        return (0, 0) if self._snapshot is None else in_flight_and_waiting(self._snapshot.counts)

    def apply_settings(self, settings: Settings) -> None:
        """Saved settings, applied to the parts of the window that depend on them."""
        self.notifier.set_settings(settings)
        self.compose.apply_settings(settings)

    def _update_title(self) -> None:
        running, waiting = self.counts()
        title = self.tr("Veo Desktop")
        if running or waiting:
            detail = self.tr("%1 generating · %2 waiting")
            detail = detail.replace("%1", number_text(running)).replace("%2", number_text(waiting))
            title = f"{title} — {detail}"
        self.setWindowTitle(title)

    # --- reactions -----------------------------------------------------------------------------------
    def _on_job_selected(self, view: JobView | None) -> None:
        if view is not None and view.display is DisplayState.COMPLETED and view.job.outputs:
            path = Path(view.job.outputs[0].path)
            if self.player.current_path() != path:
                self.player.play(path)

    def _use_start_frame(self, job_id: str, frame: FrameRef) -> None:
        self.compose.set_start_frame(frame, continues_job_id=job_id)
        self.compose.focus_prompt()
        self.statusBar().showMessage(self.tr("The last frame is now the start frame."), 6000)

    def _about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(self.tr("About Veo Desktop"))
        box.setText(self.tr("Veo Desktop %1").replace("%1", __version__))
        box.setInformativeText(self.tr("Queue, run and play Google Veo video generations."))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # --- window state --------------------------------------------------------------------------------
    def _restore_state(self) -> None:
        s = self._state
        if s is None:
            return
        geometry = s.value("window/geometry")
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self.fit_to_screen()
        for key, restore in (
            ("window/split", self.split.restoreState),
            ("window/right", self.right_split.restoreState),
            ("window/queue", self.queue.restore_state),
        ):
            value = s.value(key)
            if isinstance(value, QByteArray):
                restore(value)
        try:
            choices = json.loads(str(s.value("composer/choices", "{}")))
        except ValueError:
            choices = {}
        if isinstance(choices, dict):
            self.compose.restore_state(choices)

    def save_state(self) -> None:
        s = self._state
        if s is None:
            return
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/split", self.split.saveState())
        s.setValue("window/right", self.right_split.saveState())
        s.setValue("window/queue", self.queue.save_state())
        s.setValue("composer/choices", json.dumps(self.compose.save_state()))
        s.sync()

    def fit_to_screen(self) -> None:
        """The first launch: the default size, made to fit the screen the window is on."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            self.fit_to(screen.availableGeometry())

    def fit_to(self, available: QRect) -> None:
        """The default size, shrunk to fit `available` (a 1440×900 laptop has less room than the default,
        after its panel and the title bar), centred in it; the splitter keeps its proportions."""
        frame = self.frameGeometry().size() - self.geometry().size()  # title bar and borders, once known
        width = min(DEFAULT_SIZE[0], available.width() - max(0, frame.width()))
        height = min(DEFAULT_SIZE[1], available.height() - max(0, frame.height()))
        self.resize(max(width, self.minimumWidth()), max(height, self.minimumHeight()))
        total = sum(DEFAULT_SPLIT)
        sizes = [round(self.width() * part / total) for part in DEFAULT_SPLIT]
        composer = self.split.widget(0)
        least = composer.minimumWidth() if composer is not None else 0  # its widest row (longer in Portuguese)
        if sizes[0] < least:  # taken from the queue and the player in proportion, not from the queue alone
            extra, rest = least - sizes[0], sizes[1] + sizes[2]
            sizes = [least, sizes[1] - round(extra * sizes[1] / rest), sizes[2] - round(extra * sizes[2] / rest)]
        self.split.setSizes(sizes)
        geometry = self.frameGeometry()
        geometry.moveCenter(available.center())
        self.move(geometry.topLeft())

    # --- closing ---------------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        """Stops everything at the first close; the window hides once every cancelled task has finished."""
        if not self._shut:
            running, _waiting = self.counts()
            if running and not self._close_confirmed:
                event.ignore()
                self._ask_close(running)
                return
            if self._closing is None:
                self._start_closing()
            if self._closing is not None and not self._closing.done():
                event.ignore()  # `_finish_closing` closes again once the cancelled tasks have finished
                return
            self._shut = True
        super().closeEvent(event)
        if not self._announced:
            self._announced = True
            self.closed.emit()

    def _start_closing(self) -> None:
        """Stop the timers, the engine subscription, the player and the thumbnail workers (dropping their
        pictures here, on the GUI thread), and cancel every task; `self._closing` then awaits the cancelled
        tasks before the window may go."""
        self.save_state()
        self._tick.stop()
        self._refresh_timer.stop()
        self._store_timer.stop()
        self._unsubscribe()
        self.player.stop()
        self.notifier.close()
        self.row_thumbnails.shutdown()
        self.video_thumbnails.shutdown()
        pending = [*self.tasks.close(), *self.compose.shutdown(), *self.queue.shutdown()]
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop runs (a synchronous test): no task can be running either
            return
        if pending:
            self._closing = loop.create_task(self._finish_closing(pending), name="close-window")

    async def _finish_closing(self, pending: list[asyncio.Task[Any]]) -> None:
        await wait_finished(pending)
        self._shut = True
        self.close()

    async def aclose(self) -> None:
        """Close without asking, and return once the window has closed and none of its tasks runs."""
        self.confirm_close()
        if self._closing is not None:
            await self._closing

    def _ask_close(self, running: int) -> None:
        """Non-blocking: the videos continue at Google and are picked up at the next launch."""
        if self._closing_box is not None:
            return
        self._closing_box = ask_to_quit(self, running, self._close_answered)

    def _close_answered(self, quit_now: bool) -> None:
        self._closing_box = None
        if quit_now:
            self._close_confirmed = True
            QTimer.singleShot(0, self.close)

    def confirm_close(self) -> None:
        """Close without asking (tests, and quitting from the OS session manager)."""
        self._close_confirmed = True
        self.close()
