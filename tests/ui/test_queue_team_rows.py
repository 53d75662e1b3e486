"""Queue rows for the queue's promises and team mode: an unknown start says it holds its slot (and until
when) while the hold runs, then asks for retry or give up (real window offscreen over the fake engine)."""

from __future__ import annotations

from dataclasses import replace

from tests.ui.helpers import until
from veo_desktop.core.request import GenerationRequest
from veo_desktop.engine.texts import clock_time
from veo_desktop.testing.fake_engine import FakeEngine
from veo_desktop.ui.main_window import MainWindow
from veo_desktop.ui.queue.model import COL_STATUS

REQ = GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt="a lighthouse at dusk")
HOLD_MS = 5 * 60_000


def _window(qtbot, engine: FakeEngine, window_state) -> MainWindow:
    window = MainWindow(engine, window_state=window_state)
    qtbot.addWidget(window)
    window.show()
    return window


def _status(window: MainWindow, row: int = 0) -> str:
    return str(window.queue.model.index(row, COL_STATUS).data())


async def test_an_unknown_start_says_it_holds_its_slot_until_the_hold_runs_out(qtbot, fake_engine, window_state):
    window = _window(qtbot, fake_engine, window_state)
    [job] = await fake_engine.submit(REQ, 1)
    fake_engine.unknown(job.id)
    hold = fake_engine.now_ms + HOLD_MS
    fake_engine.add_jobs([replace(fake_engine.jobs[job.id], slot_hold_until_ms=hold)])
    expected = f"Start outcome unknown — holding a slot until {clock_time(hold)} in case Google started it"
    await until(lambda: _status(window) == expected)
    assert window.queue.select_job(job.id)
    assert window.queue.detail.status.text().startswith(expected)
    fake_engine.now_ms = hold + 1  # the hold ran out; the job itself did not change
    window.schedule_refresh()
    await until(lambda: _status(window) == "Start outcome unknown — choose retry or give up")
    await window.aclose()
