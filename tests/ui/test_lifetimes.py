"""Every Qt object dies in its own test, and the window's close leaves nothing running: its tasks are
cancelled and awaited, the thumbnail workers are stopped and their pictures dropped on the GUI thread."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtWidgets import QWidget

from tests.ui.conftest import flush_deletes, left_alive
from tests.ui.fixtures_player import completed_view, sample_clip, snapshot_of
from tests.ui.helpers import until
from veo_desktop.core.request import GenerationRequest
from veo_desktop.testing.fake_engine import FakeEngine
from veo_desktop.ui.main_window import MainWindow
from veo_desktop.ui.media.player import PlayerPanel

REQ = GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt="a lighthouse at dusk")
WORKER_THREADS = ("thumbnails", "row-thumbs")


def _worker_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(WORKER_THREADS)]


def test_the_leak_check_sees_widgets_and_players_until_they_are_deleted(qapp) -> None:  # type: ignore[no-untyped-def]
    lone, panel = QWidget(), PlayerPanel()
    found = {type(o).__name__ for o in left_alive()}
    assert {"QWidget", "PlayerPanel", "QMediaPlayer"} <= found
    lone.deleteLater()
    panel.deleteLater()
    flush_deletes()
    assert left_alive() == []


async def test_closing_cancels_and_awaits_the_tasks_of_the_window(qtbot, fake_engine: FakeEngine, window_state) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(fake_engine, window_state=window_state)
    window.show()
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))
    fake_engine.submit_delay_s = 30.0  # a submit that would outlive the window
    window.compose.prompt.setPlainText("a slow submit")
    window.compose.generate()
    await until(lambda: not window.compose.generate_button.isEnabled())
    await window.aclose()
    # The submit's `finally` has run (the button is back) and nothing was queued.
    assert window.compose.generate_button.isEnabled() and window.compose.generate_button.text() == "Generate"
    assert fake_engine.jobs == {} and not window.isVisible() and closed == [True]
    window.compose.generate()  # a closed window starts nothing
    assert not window.compose.tasks.busy("submit")
    window.deleteLater()


async def test_closing_stops_the_thumbnail_workers_and_drops_their_pictures(
    tmp_path: Path, fake_engine: FakeEngine, window_state
) -> None:  # type: ignore[no-untyped-def]
    clip = sample_clip(tmp_path)
    window = MainWindow(fake_engine, window_state=window_state, thumbnail_dir=tmp_path / "thumbs")
    window.show()
    window.library.set_snapshot(snapshot_of([completed_view("j1", clip)]))
    cache = window.video_thumbnails
    assert cache.get(str(clip)) is None  # a load started
    await until(lambda: cache.get(str(clip)) is not None)
    assert _worker_threads()  # both workers run while the window is open
    await window.aclose()
    assert _worker_threads() == []  # joined, not left to finish on their own
    assert cache.get(str(clip)) is None and window.row_thumbnails.pixmap("img:/none.png") is None
    window.deleteLater()
