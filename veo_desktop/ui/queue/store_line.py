"""The window's store line (in the status bar): which queue this desktop is on, who else is connected, and a
clear warning while the team database cannot be reached (with the engine's sentence: queueing is refused
meanwhile, nothing is lost, it reconnects by itself)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from veo_desktop.engine.api import StoreStatus
from veo_desktop.ui.queue.status_text import tr

WARNING_STYLE = "QLabel#storeLine { color: #ffb35c; font-weight: 600; }"


def store_line_text(status: StoreStatus) -> str:
    """ "Local queue", "Team: postgresql://ana@host/db · bia, caio online", or the unreachable sentence."""
    if not status.reachable:
        return "⚠ " + (
            status.message or tr("The team database cannot be reached; queueing is refused until it is back.")
        )
    if status.kind != "team":
        return tr("Local queue")
    text = tr("Team: %1").replace("%1", status.name)
    online = status.others_online
    if online:
        text += tr(" · %1 online").replace("%1", ", ".join(online))
    return text


class StoreLine(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("storeLine")
        self.setAccessibleName(tr("Queue store"))
        self._status: StoreStatus | None = None

    def status(self) -> StoreStatus | None:
        return self._status

    def is_warning(self) -> bool:
        return self._status is not None and not self._status.reachable

    def set_status(self, status: StoreStatus) -> None:
        if status == self._status:
            return
        self._status = status
        self.setText(store_line_text(status))
        self.setToolTip(status.message or status.name)
        self.setStyleSheet(WARNING_STYLE if not status.reachable else "")
