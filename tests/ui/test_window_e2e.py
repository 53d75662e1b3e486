"""The real window against the real engine and the built-in simulator (fast clock, temporary home)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.ui.helpers import make_png, until
from veo_desktop.composition import EngineOptions, RunningEngine, open_engine
from veo_desktop.engine.api import DisplayState, JobView
from veo_desktop.paths import AppPaths
from veo_desktop.settings import Settings
from veo_desktop.ui.main_window import MainWindow
from veo_desktop.ui.queue.model import COL_COST, COL_STATUS, QueueTableModel

SPEED = 50.0


@pytest.fixture
async def running(tmp_path: Path, monkeypatch) -> AsyncIterator[RunningEngine]:
    monkeypatch.setenv("VEO_DESKTOP_HOME", str(tmp_path / "home"))
    root = tmp_path / "home"
    paths = AppPaths(data_dir=root / "data", config_dir=root / "config", library_dir=root / "library")
    engine = await open_engine(
        EngineOptions(
            paths=paths,
            settings=Settings(max_starts_per_minute=0),
            simulate=True,
            sim_speed=SPEED,
            sim_latency_s=(6.0, 12.0),
        )
    )
    try:
        yield engine
    finally:
        await engine.aclose()


def _rows(window: MainWindow) -> tuple[JobView, ...]:
    return window.queue.model.rows()


def _by_prompt(window: MainWindow, text: str) -> list[JobView]:
    return [v for v in _rows(window) if text in v.job.request.prompt]


def _status(window: MainWindow, job_id: str) -> str:
    m = window.queue.model
    row = m.row_of(job_id)
    return "" if row is None else m.index(row, COL_STATUS).data()


async def test_compose_queue_complete_cancel_fail_and_try_again(qtbot, running, window_state, tmp_path):
    window = MainWindow(
        running.engine, settings=running.settings, window_state=window_state, thumbnail_dir=tmp_path / "thumbs"
    )
    qtbot.addWidget(window)
    window.show()
    compose, queue = window.compose, window.queue

    # Pause first so the positions can be read before anything starts.
    queue.pause_button.click()
    await until(lambda: window._snapshot is not None and window._snapshot.queue.paused)

    # Compose 3 jobs with a start and an end frame.
    compose.frames.start_picker.fileChosen.emit(make_png(tmp_path / "start.png", colour="#225588"))
    await until(lambda: compose.frame("start_frame") is not None)
    compose.frames.end_picker.fileChosen.emit(make_png(tmp_path / "end.png", colour="#882255"))
    await until(lambda: compose.frame("end_frame") is not None)
    compose.prompt.setPlainText("A paper boat on a pond, morning light")
    compose.count.setValue(3)
    compose.generate_button.click()
    compose.generate_button.click()  # a double-click queues once
    await until(lambda: len(_by_prompt(window, "paper boat")) == 3)
    boats = _by_prompt(window, "paper boat")
    assert sorted(v.position for v in boats) == [1, 2, 3]
    assert all(v.display is DisplayState.PAUSED for v in boats)
    assert all(v.job.request.start_frame and v.job.request.end_frame for v in boats)
    assert "$" in window.compose.spending.text.text()

    # A fourth, cancelled while waiting, shows its refund.
    compose.frames.start_picker.cleared.emit()
    compose.prompt.setPlainText("A lighthouse in a storm")
    compose.count.setValue(1)
    compose.generate()
    await until(lambda: len(_by_prompt(window, "lighthouse")) == 1)
    [light] = _by_prompt(window, "lighthouse")
    assert light.position == 4
    assert queue.select_job(light.id)
    queue.job_actions.act_cancel.trigger()
    await until(lambda: _status(window, light.id) == "Cancelled")
    row = window.queue.model.row_of(light.id)
    assert "refunded" in window.queue.model.index(row, COL_COST).data()

    # Resume: positions move, all three complete.
    queue.pause_button.click()
    await until(
        lambda: (
            any(_status(window, v.id).startswith("In the queue — position 1") for v in boats)
            or any(v.display is DisplayState.GENERATING for v in _by_prompt(window, "paper boat"))
        )
    )
    await until(
        lambda: all(v.display is DisplayState.COMPLETED for v in _by_prompt(window, "paper boat")), timeout_s=60
    )
    done = _by_prompt(window, "paper boat")
    assert all(os.path.isfile(v.job.outputs[0].path) for v in done)  # noqa: ASYNC240
    assert window.windowTitle() == "Veo Desktop"

    # A generation the simulator fails: the reason in plain words, then Try again.
    compose.prompt.setPlainText("A storm at sea [sim:error]")
    compose.generate()
    await until(lambda: any(v.display is DisplayState.FAILED for v in _by_prompt(window, "storm at sea")), timeout_s=60)
    [failed] = _by_prompt(window, "storm at sea")
    assert queue.select_job(failed.id)
    assert queue.detail.reason.isVisibleTo(queue.detail)
    assert "Google could not make this video" in queue.detail.reason.text()
    assert _status(window, failed.id).startswith("Failed: ")
    assert queue.job_actions.act_try_again.isEnabled()
    queue.job_actions.act_try_again.trigger()
    await until(lambda: _by_prompt(window, "storm at sea")[0].job.attempt == 2, timeout_s=30)
    await until(lambda: _by_prompt(window, "storm at sea")[0].display is DisplayState.FAILED, timeout_s=60)
    window.confirm_close()


async def test_model_over_a_real_snapshot_of_many_rows(qtmodeltester, running):
    from veo_desktop.core.request import GenerationRequest

    request = GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt="many rows")
    await running.engine.pause()
    await running.engine.submit(request, 50)
    await running.engine.submit(request.with_changes(prompt="more rows"), 50)
    snapshot = await running.engine.snapshot()
    model = QueueTableModel(running.engine.catalogue)
    model.set_snapshot(snapshot)
    qtmodeltester.check(model)
    assert model.rowCount() == 100
