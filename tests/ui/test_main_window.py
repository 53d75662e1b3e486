from __future__ import annotations

import asyncio
import inspect

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QMessageBox

from tests.ui.helpers import until
from veo_desktop.core.request import GenerationRequest
from veo_desktop.engine.api import DisplayState, Engine
from veo_desktop.testing.fake_engine import FakeEngine
from veo_desktop.ui.main_window import MainWindow
from veo_desktop.ui.queue.model import COL_STATUS

REQ = GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt="a lighthouse at dusk")


def _window(qtbot, engine: FakeEngine, window_state) -> MainWindow:
    window = MainWindow(engine, window_state=window_state)
    qtbot.addWidget(window)
    window.show()
    return window


def _statuses(window: MainWindow) -> list[str]:
    m = window.queue.model
    return [m.index(r, COL_STATUS).data() for r in range(m.rowCount())]


async def test_window_follows_the_engine_and_shows_counts(qtbot, fake_engine, window_state):
    window = _window(qtbot, fake_engine, window_state)
    await fake_engine.submit(REQ, 3)
    await until(lambda: window.queue.model.rowCount() == 3)
    assert _statuses(window)[0].startswith("In the queue — position 1")
    assert window.windowTitle() == "Veo Desktop — 0 generating · 3 waiting"
    first = next(iter(fake_engine.jobs))
    fake_engine.start(first)
    await until(lambda: "1 generating · 2 waiting" in window.windowTitle())
    assert window.queue.select_job(first)
    assert window.queue.current_view().display is DisplayState.GENERATING
    window.confirm_close()


async def test_failed_job_shows_reason_and_try_again(qtbot, fake_engine, window_state):
    window = _window(qtbot, fake_engine, window_state)
    [job] = await fake_engine.submit(REQ, 1)
    fake_engine.fail(job.id, "Google could not make this video (INTERNAL).")
    await until(lambda: window.queue.model.rowCount() == 1 and "Failed" in _statuses(window)[0])
    assert window.queue.select_job(job.id)
    detail = window.queue.detail
    assert detail.reason.text() == "Google could not make this video (INTERNAL)."
    assert window.queue.job_actions.act_try_again.isEnabled()
    window.queue.job_actions.act_try_again.trigger()
    await until(lambda: _statuses(window)[0].startswith("In the queue"))
    assert ("retry", job.id) in fake_engine.calls
    window.confirm_close()


async def test_unknown_start_explains_choices(qtbot, fake_engine, window_state):
    window = _window(qtbot, fake_engine, window_state)
    [job] = await fake_engine.submit(REQ, 1)
    fake_engine.unknown(job.id)
    await until(lambda: "unknown" in (_statuses(window) or [""])[0])
    window.queue.select_job(job.id)
    assert "billed twice" in window.queue.detail.explain.text()
    assert window.queue.job_actions.act_retry.isEnabled() and window.queue.job_actions.act_give_up.isEnabled()
    window.queue.job_actions.act_give_up.trigger()
    await until(lambda: ("give_up", job.id) in fake_engine.calls)
    window.confirm_close()


async def test_cancel_all_asks_first_without_blocking(qtbot, fake_engine, window_state):
    window = _window(qtbot, fake_engine, window_state)
    await fake_engine.submit(REQ, 2)
    await until(lambda: window.queue.model.rowCount() == 2)
    window.queue.ask_cancel_all()
    box = window.queue._confirm
    assert isinstance(box, QMessageBox) and box.isVisible()
    [yes] = [b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole]
    yes.click()
    await until(lambda: all(s.startswith("Cancelled") for s in _statuses(window)))
    assert window.queue.model.index(0, 4).data() == "$0.80 · refunded"
    window.confirm_close()


async def test_edit_waiting_job_through_composer(qtbot, fake_engine, window_state):
    window = _window(qtbot, fake_engine, window_state)
    [job] = await fake_engine.submit(REQ, 1)
    await until(lambda: window.queue.model.rowCount() == 1)
    window.queue.select_job(job.id)
    window.queue.job_actions.act_edit.trigger()
    assert window.compose.editing_job_id == job.id
    window.compose.prompt.setPlainText("a lighthouse at dawn")
    window.compose.generate()
    await until(lambda: ("edit", job.id) in fake_engine.calls)
    assert fake_engine.jobs[job.id].request.prompt == "a lighthouse at dawn"
    assert window.compose.editing_job_id is None
    window.confirm_close()


async def test_closing_with_jobs_in_flight_explains_and_remembers_choices(qtbot, fake_engine, window_state):
    window = _window(qtbot, fake_engine, window_state)
    [job] = await fake_engine.submit(REQ, 1)
    fake_engine.start(job.id)
    await until(lambda: window.counts() == (1, 0))
    window.compose.choices.resolution.set_value("1080p")
    window.close()
    await asyncio.sleep(0.05)
    assert window.isVisible()
    box = window._closing_box
    assert box is not None and "continue" in box.informativeText()
    [quit_button] = [b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole]
    quit_button.click()
    await until(lambda: not window.isVisible())
    again = _window(qtbot, fake_engine, window_state)
    assert again.compose.choices.resolution.value() == "1080p"
    again.confirm_close()


def test_the_fake_engine_has_every_method_of_the_engine_protocol():
    """mypy checks the signatures (`as_engine`); this checks at run time that nothing is missing and that
    what the engine awaits, the fake lets the window await too."""
    members = [n for n in vars(Engine) if not n.startswith("_")] + list(Engine.__annotations__)
    assert {"snapshot", "submit", "subscribe", "catalogue"} <= set(members)
    for name in vars(Engine):
        if name.startswith("_") or not callable(getattr(Engine, name)):
            continue
        ours = getattr(FakeEngine, name, None)
        assert callable(ours), name
        assert inspect.iscoroutinefunction(ours) == inspect.iscoroutinefunction(getattr(Engine, name)), name


def test_the_first_launch_fits_the_screen(qtbot, fake_engine, window_state):
    window = MainWindow(fake_engine, window_state=window_state)
    qtbot.addWidget(window)
    window.fit_to(QRect(0, 0, 1440, 870))  # a 1440×900 laptop less its panel
    assert window.width() <= 1440 and window.height() <= 870
    assert window.frameGeometry().center() == QRect(0, 0, 1440, 870).center()
    window.fit_to(QRect(0, 0, 2560, 1400))  # a big screen: the default size
    assert (window.width(), window.height()) == (1600, 940)
    sizes = window.split.sizes()
    assert sizes[1] > sizes[2] > sizes[0] * 0.9  # the queue keeps the largest share


async def test_an_empty_queue_says_what_to_do(qtbot, fake_engine, window_state):
    window = _window(qtbot, fake_engine, window_state)
    table = window.queue.table
    assert table.placeholder().startswith("Nothing in the queue yet")
    await fake_engine.submit(REQ, 1)
    await until(lambda: window.queue.model.rowCount() == 1)
    assert table.placeholder() == ""
    window.queue.filter_edit.setText("no prompt says this")
    assert table.placeholder() == "No video matches the filter."
    window.queue.filter_edit.clear()
    assert table.placeholder() == ""
    await window.aclose()
