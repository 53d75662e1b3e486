"""The window on a team store: the status line names the store and who else is online, turns into a clear
warning with the engine's sentence while the database cannot be reached, and comes back by itself (real window
offscreen over the fake engine); queueing meanwhile is refused with that sentence."""

from __future__ import annotations

from tests.ui.helpers import until
from veo_desktop.core.request import GenerationRequest
from veo_desktop.engine.api import StoreStatus
from veo_desktop.testing.fake_engine import FakeEngine
from veo_desktop.ui.main_window import MainWindow
from veo_desktop.ui.queue.store_line import store_line_text

URL = "postgresql://ana@db.studio:5432/veo"
REQ = GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt="a lighthouse at dusk")


def _window(qtbot, engine: FakeEngine, window_state) -> MainWindow:
    window = MainWindow(engine, window_state=window_state)
    qtbot.addWidget(window)
    window.show()
    return window


async def test_a_local_store_says_local_queue(qtbot, fake_engine, window_state):
    window = _window(qtbot, fake_engine, window_state)
    await until(lambda: window.store_line.status() is not None)
    assert window.store_line.text() == "Local queue"
    assert not window.store_line.is_warning()
    await window.aclose()


async def test_team_store_names_the_others_then_warns_and_recovers(qtbot, fake_engine, window_state):
    fake_engine.on_team(URL, ("bia", "caio"))
    window = _window(qtbot, fake_engine, window_state)
    await until(lambda: window.store_line.status() is not None)
    assert window.store_line.text() == f"Team: {URL} · bia, caio online"
    fake_engine.lose_store()
    window.refresh_store()  # what the timer does every few seconds
    await until(window.store_line.is_warning)
    assert "cannot be reached" in window.store_line.text()
    assert window.store_line.text().endswith("reconnects by itself.")
    window.compose.prompt.setPlainText(REQ.prompt)
    window.compose.generate()  # queueing is refused meanwhile, with the same sentence; nothing is stored
    await until(lambda: window.compose.error_text("general") != "")
    assert window.compose.error_text("general") == fake_engine.fake_store.message
    assert fake_engine.jobs == {}
    fake_engine.regain_store()
    window.refresh_store()
    await until(lambda: not window.store_line.is_warning())
    assert window.store_line.text() == f"Team: {URL} · bia, caio online"
    window.compose.generate()
    await until(lambda: len(fake_engine.jobs) == 1)
    await window.aclose()


def test_the_line_for_a_team_alone_and_an_unreachable_store_without_a_sentence():
    alone = StoreStatus(kind="team", name=URL, reachable=True)
    assert store_line_text(alone) == f"Team: {URL}"
    lost = StoreStatus(kind="team", name=URL, reachable=False)
    assert "cannot be reached" in store_line_text(lost)
