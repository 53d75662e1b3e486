"""The detail area under the queue: the selected job's full status, the failure reason in plain words, what
a "start outcome unknown" means, its cost and refund, the action buttons, and two tabs of the same height:
its event history and what was sent to Google and came back (a tab the panel adds, `add_tab`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLayout,
    QLayoutItem,
    QPlainTextEdit,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from veo_desktop.core.catalogue import Catalogue
from veo_desktop.core.jobs import Event
from veo_desktop.engine.api import DisplayState, JobView
from veo_desktop.ui.queue import status_text as st
from veo_desktop.ui.support.i18n import money_text, number_text


class FlowLayout(QLayout):
    """Items left to right, wrapping onto more lines when the width runs out, so a long row of action
    buttons never sets the window's minimum width."""

    def __init__(self, parent: QWidget | None = None, *, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        gap = self.spacing()
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x + hint.width() > rect.right() + 1 and line > 0:
                x, y, line = rect.x(), y + line + gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + gap
            line = max(line, hint.height())
        return y + line - rect.y()


HISTORY_HINT_H = 110  # the height the history (and the record beside it) asks for; it takes more when there is


class HistoryLog(QPlainTextEdit):
    """The event history: asks for a few lines' height and takes whatever room the detail has left."""

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), HISTORY_HINT_H)


class JobDetail(QFrame):
    def __init__(self, catalogue: Catalogue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jobDetail")
        self._catalogue = catalogue
        self._buttons: list[tuple[QToolButton, QAction]] = []
        self.title = self._label("detailTitle", self.tr("Prompt"))
        self.title.setWordWrap(True)
        self.status = self._label("detailStatus", self.tr("Status"))
        self.reason = self._label("detailReason", self.tr("Why it failed"))
        self.explain = self._label("detailExplain", self.tr("What the choices mean"))
        self.meta = self._label("detailMeta", self.tr("Settings and cost"))
        self.events = HistoryLog(self)
        self.events.setObjectName("eventLog")
        self.events.setReadOnly(True)
        self.events.setAccessibleName(self.tr("Event history"))
        self.events.setMinimumHeight(self.events.fontMetrics().lineSpacing() * 3 + 12)  # three events at least
        self.events.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("detailTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.events, self.tr("History"))
        self._button_row = FlowLayout()
        self._empty = QLabel(self.tr("Select a video in the queue to see its details."), self)
        self._empty.setObjectName("placeholder")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(6)
        layout.addWidget(self._empty)
        for widget in (self.title, self.status, self.reason, self.explain, self.meta):
            layout.addWidget(widget)
        layout.addLayout(self._button_row)
        self._sections = QVBoxLayout()
        self._sections.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._sections)
        layout.addWidget(self.tabs, 1)
        self.show_view(None)

    def _label(self, name: str, accessible: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setAccessibleName(accessible)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def set_actions(self, actions: Sequence[QAction], *, primary: Sequence[QAction] = ()) -> None:
        """Buttons for these actions; a button shows only while its action is enabled."""
        for action in actions:
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setObjectName("primaryTool" if action in primary else "detailTool")
            button.setAccessibleName(action.text().replace("&", ""))
            self._button_row.addWidget(button)
            self._buttons.append((button, action))

    def add_section(self, widget: QWidget) -> None:
        """A part of the detail owned by the panel (the follow-up actions), between the buttons and the history."""
        self._sections.addWidget(widget)

    def add_tab(self, widget: QWidget, title: str, *, corner: QWidget | None = None) -> None:
        """A tab beside the event history (the panel's "Sent to Google" record); `corner` shows at the tabs'
        right end while that tab is open."""
        self.tabs.addTab(widget, title)
        if corner is not None:
            self.tabs.setCornerWidget(corner, Qt.Corner.TopRightCorner)
            corner.setVisible(self.tabs.currentWidget() is widget)
            self.tabs.currentChanged.connect(lambda _i: corner.setVisible(self.tabs.currentWidget() is widget))

    def sync_buttons(self) -> None:
        for button, action in self._buttons:
            button.setVisible(action.isEnabled() and action.isVisible())
        self._fit_height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        """Ask for the height the wrapped buttons need at this width: a splitter reads only the minimum
        height, never height-for-width, and would let the buttons overlap the event history."""
        layout = self.layout()
        if layout is not None:
            self.setMinimumHeight(layout.totalHeightForWidth(max(1, self.width())))

    def show_view(self, view: JobView | None, now_ms: int | None = None) -> None:
        has = view is not None
        self._empty.setVisible(not has)
        for widget in (self.title, self.status, self.meta, self.tabs):
            widget.setVisible(has)
        self.reason.hide()
        self.explain.hide()
        if view is None:
            for button, _action in self._buttons:
                button.hide()
            self.events.clear()
            return
        job = view.job
        self.title.setText(job.request.prompt)
        status = st.status_text(view, now_ms)
        note = st.note_text(view)
        self.status.setText(status + (f" — {note}" if note else ""))
        if view.display in (DisplayState.FAILED, DisplayState.FILTERED):
            self.status.setText(self.tr("Failed") if view.display is DisplayState.FAILED else status)
            self.reason.setText(st.failure_reason(job))
            self.reason.show()
        if view.display is DisplayState.UNKNOWN_START:
            self.explain.setText(self._unknown_start_text())
            self.explain.show()
        self.meta.setText(self._meta_text(view))
        self.sync_buttons()

    def _unknown_start_text(self) -> str:
        return self.tr(
            "The start request reached the network but no answer came back, so we cannot tell whether Google "
            "is making this video.\n• Retry: send it again. If the first request did reach Google, you may be "
            "billed twice.\n• Give up: stop here and get the charge refunded. If Google did make it, it is lost."
        )

    def _meta_text(self, view: JobView) -> str:
        job = view.job
        parts = [st.settings_text(job, self._catalogue)]
        charged = job.charged_micros or job.cost_micros
        cost = self.tr("Cost %1").replace("%1", money_text(charged))
        if job.refunded_micros:
            cost += self.tr(", refunded %1").replace("%1", money_text(job.refunded_micros))
        parts.append(cost)
        if job.attempt > 1:
            parts.append(self.tr("attempt %1").replace("%1", number_text(job.attempt)))
        return " · ".join(parts)

    def set_events(self, events: Sequence[Event]) -> None:
        lines = []
        for e in events:
            at = dt.datetime.fromtimestamp(e.at_ms / 1000).strftime("%H:%M:%S")
            move = f"{e.from_status or '·'} → {e.to_status}" if e.to_status else ""
            lines.append(f"{at}  {move:<26} {e.detail}".rstrip())
        self.events.setPlainText("\n".join(lines))
        self.events.verticalScrollBar().setValue(self.events.verticalScrollBar().maximum())
