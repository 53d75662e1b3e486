"""Telling the creator that a video is ready, that one failed, or that the queue is done.

A system notification (QSystemTrayIcon.showMessage) where the desktop has a tray and the window is not in
front; otherwise a toast inside the window. Nothing at all when `Settings.notifications` is off. Safe under the
offscreen platform (no tray: toasts only). `ChangeNotices` decides, from one snapshot to the next, what to tell.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QMouseEvent
from PySide6.QtWidgets import QLabel, QSystemTrayIcon, QWidget

from veo_desktop.core.jobs import Job
from veo_desktop.engine.api import DisplayState, QueueSnapshot
from veo_desktop.settings import Settings
from veo_desktop.ui.queue.status_text import ACTIVE_DISPLAY

TOAST_MS = 6000
PROMPT_CHARS = 80


def short_prompt(prompt: str, limit: int = PROMPT_CHARS) -> str:
    text = " ".join(prompt.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Toast(QLabel):
    """A message that floats at the bottom right of its window for a few seconds; click to dismiss.

    It is placed when shown and not followed on resize: a Python event filter on the window can be called
    while the window is being destroyed, which crashes PySide."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window  # parentWidget() is typed Optional; the toast's window never changes
        self.setObjectName("toast")
        self.setWordWrap(True)
        self.setAccessibleName(self.tr("Notification"))
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, False)
        self.hide()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)

    def show_message(self, title: str, body: str, *, timeout_ms: int = TOAST_MS) -> None:
        self.setText(f"<b>{_escape(title)}</b><br>{_escape(body)}" if body else f"<b>{_escape(title)}</b>")
        self.setMaximumWidth(max(240, self._window.width() // 3))
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()
        self._timer.start(timeout_ms)

    def _place(self) -> None:
        margin = 16
        self.move(self._window.rect().bottomRight() - QPoint(self.width() + margin, self.height() + margin))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.hide()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Notifier(QObject):
    """`job_finished(job)`, `job_failed(job)`, `queue_done()`; `notified(title, body)` for tests and logs."""

    notified = Signal(str, str)

    def __init__(
        self,
        window: QWidget | None,
        settings: Settings,
        icon: QIcon | None = None,
        *,
        use_tray: bool | None = None,  # None: when the system has a tray
    ) -> None:
        super().__init__(window)
        self._window = window
        self._settings = settings
        self._toast = Toast(window) if window is not None else None
        self._tray: QSystemTrayIcon | None = None
        tray_ok = QSystemTrayIcon.isSystemTrayAvailable() if use_tray is None else use_tray
        if tray_ok:
            self._tray = QSystemTrayIcon(icon or QIcon(), self)
            self._tray.setToolTip("Veo Desktop")
            self._tray.messageClicked.connect(self._raise_window)
            self._tray.show()

    def set_settings(self, settings: Settings) -> None:
        self._settings = settings

    @property
    def uses_tray(self) -> bool:
        return self._tray is not None

    def job_finished(self, job: Job) -> None:
        self.notify(self.tr("Your video is ready"), short_prompt(job.request.prompt))

    def job_failed(self, job: Job) -> None:
        reason = job.error_message or self.tr("No reason was given.")
        self.notify(
            self.tr("A video could not be made"),
            self.tr("%1 — %2").replace("%1", short_prompt(job.request.prompt, 50)).replace("%2", reason),
            critical=True,
        )

    def queue_done(self) -> None:
        self.notify(self.tr("All done"), self.tr("Every video in the queue has finished."))

    def notify(self, title: str, body: str, *, critical: bool = False) -> None:
        if not self._settings.notifications:
            return
        in_front = self._window is not None and self._window.isActiveWindow()
        if self._tray is not None and not in_front:
            kind = QSystemTrayIcon.MessageIcon.Warning if critical else QSystemTrayIcon.MessageIcon.Information
            self._tray.showMessage(title, body, kind, TOAST_MS)
        elif self._toast is not None:
            self._toast.show_message(title, body)
        self.notified.emit(title, body)

    def _raise_window(self) -> None:
        if self._window is not None:
            self._window.showNormal()
            self._window.raise_()
            self._window.activateWindow()

    def close(self) -> None:
        if self._tray is not None:
            self._tray.hide()


class ChangeNotices:
    """From one snapshot to the next: a video that became ready or failed, and a queue that became done. The
    first snapshot only sets what is known (no notices for what happened before the window opened)."""

    def __init__(self, notifier: Notifier) -> None:
        self._notifier = notifier
        self._known: dict[str, DisplayState] = {}

    def seen(self, snapshot: QueueSnapshot) -> None:
        first = not self._known
        pending = ACTIVE_DISPLAY | {DisplayState.PAUSED}  # a paused queue is not "done"
        was_active = any(d in pending for d in self._known.values())
        known: dict[str, DisplayState] = {}
        for view in snapshot.jobs:
            before = self._known.get(view.id)
            known[view.id] = view.display
            if first or before is None or before is view.display:
                continue
            if view.display is DisplayState.COMPLETED:
                self._notifier.job_finished(view.job)
            elif view.display in (DisplayState.FAILED, DisplayState.FILTERED):
                self._notifier.job_failed(view.job)
        self._known = known
        if was_active and not any(d in pending for d in known.values()):
            self._notifier.queue_done()
