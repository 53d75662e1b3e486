"""Notifications: a toast in the window where there is no tray (offscreen), nothing when turned off."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QMainWindow

from tests.ui.fixtures_player import completed_view
from veo_desktop.settings import Settings
from veo_desktop.ui.notifications import Notifier, short_prompt


def test_toasts_offscreen_and_respects_the_setting(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(800, 500)
    window.show()
    notifier = Notifier(window, Settings())
    seen: list[tuple[str, str]] = []
    notifier.notified.connect(lambda title, body: seen.append((title, body)))
    assert not notifier.uses_tray  # offscreen has no system tray
    job = completed_view("j1", "/v/1.mp4", prompt="A fox <b>in</b> snow").job
    notifier.job_finished(job)
    toast = window.findChild(type(notifier._toast))
    assert toast is not None and toast.isVisible() and "&lt;b&gt;" in toast.text()  # prompts are not HTML
    notifier.job_failed(replace(job, error_message="The safety filter blocked this prompt."))
    notifier.queue_done()
    assert [t for t, _ in seen] == ["Your video is ready", "A video could not be made", "All done"]
    assert "safety filter" in seen[1][1]
    assert "All done" in toast.text()
    notifier.set_settings(Settings(notifications=False))
    notifier.queue_done()
    assert len(seen) == 3


def test_short_prompt() -> None:
    assert short_prompt("a  b\nc") == "a b c"
    assert short_prompt("x" * 100, 10) == "x" * 9 + "…"
