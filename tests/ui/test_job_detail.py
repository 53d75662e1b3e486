"""The detail area under the queue: its action buttons wrap on a narrow panel and never overlap the event
history, even when a splitter gives the area less height than it asks for."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QSplitter, QToolButton

from tests.ui.fixtures_player import completed_view
from tests.ui.helpers import settle
from veo_desktop.composition import load_catalogue
from veo_desktop.ui.queue.detail import JobDetail


async def test_wrapped_buttons_never_overlap_the_event_history(qtbot) -> None:  # type: ignore[no-untyped-def]
    splitter = QSplitter(Qt.Orientation.Vertical)
    qtbot.addWidget(splitter)
    splitter.addWidget(QLabel("the queue"))
    detail = JobDetail(load_catalogue(), splitter)
    splitter.addWidget(detail)
    actions = [QAction(f"A rather long action name {i}", detail) for i in range(9)]
    detail.set_actions(actions)
    detail.show_view(completed_view("j1", "/v/1.mp4"))
    splitter.resize(420, 500)
    splitter.setSizes([440, 60])  # far less than the detail needs
    splitter.show()
    await settle()
    buttons = [b for b in detail.findChildren(QToolButton) if b.isVisible()]
    assert len(buttons) == 9
    rows = {b.geometry().top() for b in buttons}
    assert len(rows) > 1  # they wrapped
    history = detail.tabs.geometry()  # the event history and the record share this place
    lowest = max(b.geometry().bottom() for b in buttons)
    assert lowest < history.top(), (lowest, history)
    assert detail.height() >= detail.minimumHeight() > 60
    assert all(not b.geometry().intersects(QRect(history)) for b in buttons)
