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


RETIRED = GenerationRequest(model_id="veo-3.0-generate-001", prompt="an old model's lighthouse")  # retired


async def _held_jobs(engine: FakeEngine, n: int) -> list[str]:
    """Waiting jobs on a retired model, as a store from before the retirement holds them."""
    jobs = await engine.submit(REQ, n)
    engine.add_jobs([replace(j, request=replace(j.request, model_id=RETIRED.model_id)) for j in jobs])
    return [j.id for j in jobs]


async def test_held_jobs_get_one_message_and_move_all_to_a_current_model(qtbot, fake_engine, window_state):
    window = _window(qtbot, fake_engine, window_state)
    ids = await _held_jobs(fake_engine, 2)
    held = window.queue.held
    await until(held.isVisible)
    assert held.text.text().startswith("2 waiting videos are held: Google retired their model (")
    target = held.move_button.text()
    assert target.startswith("Move all to ") and held.move_button.isVisible()
    held.move_button.click()
    held.move_button.click()  # a second click while moving is ignored
    await until(lambda: not held.isVisible())
    assert [c for c in fake_engine.calls if c[0] == "move_retired"] == [("move_retired", held._target)]
    models = {fake_engine.jobs[i].request.model_id for i in ids}
    assert len(models) == 1 and not fake_engine.catalogue.get(models.pop()).retired
    await window.aclose()


async def test_held_jobs_can_all_be_cancelled_with_a_refund(qtbot, fake_engine, window_state):
    window = _window(qtbot, fake_engine, window_state)
    ids = await _held_jobs(fake_engine, 1)
    held = window.queue.held
    await until(held.isVisible)
    assert held.text.text().startswith("1 waiting video is held")
    held.cancel_button.click()
    await until(lambda: not held.isVisible())
    job = fake_engine.jobs[ids[0]]
    assert job.status.value == "cancelled" and job.refunded_micros == job.charged_micros
    await window.aclose()
