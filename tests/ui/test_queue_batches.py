"""Batches in the queue: the filter "All videos / Batch: <name> (n)" narrows the table and keeps each row's
place in the whole queue, follows the jobs as they arrive, and the batch actions (cancel the waiting rest,
retry its failed jobs) ask first with how many and how much, then call the engine; a refusal is one sentence
(real window offscreen over the fake engine)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.ui.helpers import until
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.api import JobView
from veo_desktop.testing.fake_engine import FakeEngine
from veo_desktop.ui.main_window import MainWindow
from veo_desktop.ui.queue.model import COL_PROMPT, COL_STATUS, JobViewRole

MODEL = "veo-3.1-fast-generate-001"  # 8 s at 720p with audio: $0.80 a job


def _request(prompt: str, batch: str = "") -> GenerationRequest:
    return GenerationRequest(model_id=MODEL, prompt=prompt, batch=batch)


def _window(qtbot, engine: FakeEngine, window_state) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(engine, window_state=window_state)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    return window


async def _queue(engine: FakeEngine, *items: tuple[str, str]) -> list[str]:
    ids = []
    for prompt, batch in items:
        [job] = await engine.submit(_request(prompt, batch), 1)
        ids.append(job.id)
    return ids


def _shown(window: MainWindow) -> list[JobView]:
    proxy = window.queue.proxy
    return [proxy.index(r, COL_PROMPT).data(JobViewRole) for r in range(proxy.rowCount())]


def _combo_texts(window: MainWindow) -> list[str]:
    combo = window.queue.batches.combo
    return [combo.itemText(i) for i in range(combo.count())]


def _confirm(window: MainWindow) -> QMessageBox:
    box = window.queue.batches.confirm_box()
    assert box is not None and box.isVisible()
    return box


def _press(box: QMessageBox, text: str) -> None:
    [button] = [b for b in box.buttons() if b.text() == text]
    button.click()


async def test_the_batch_filter_narrows_the_rows_and_keeps_their_places(qtbot, fake_engine, window_state):
    window = _window(qtbot, fake_engine, window_state)
    bar = window.queue.batches
    ids = await _queue(
        fake_engine,
        ("a lone shot", ""),
        ("monday one", "monday"),
        ("tuesday one", "tuesday"),
        ("monday two", "monday"),
        ("monday three", "monday"),
    )
    await until(lambda: window.queue.model.rowCount() == 5)
    assert bar.isVisible()
    assert _combo_texts(window) == ["All videos", "Batch: monday (3)", "Batch: tuesday (1)"]
    assert bar.choose("monday")
    rows = _shown(window)
    assert [v.job.request.prompt for v in rows] == ["monday one", "monday two", "monday three"]
    assert [v.position for v in rows] == [2, 4, 5]  # their places in the whole queue, not in the filter
    status = window.queue.proxy.index(1, COL_STATUS).data()
    assert "position 4" in status, status
    assert window.queue.select_job(ids[3]) and window.queue.current_view().id == ids[3]
    assert not window.queue.select_job(ids[2])  # tuesday's job is filtered out: nothing to select
    # A job of the batch arrives: the count and the rows follow, the selection stays.
    [late] = await _queue(fake_engine, ("monday four", "monday"))
    await until(lambda: window.queue.proxy.rowCount() == 4)
    assert _combo_texts(window)[1] == "Batch: monday (4)" and bar.chosen() == "monday"
    assert window.queue.current_view().id == ids[3]
    assert _shown(window)[-1].id == late and _shown(window)[-1].position == 6
    await _queue(fake_engine, ("wednesday one", "wednesday"))
    await until(lambda: "Batch: wednesday (1)" in _combo_texts(window))
    assert window.queue.proxy.rowCount() == 4 and bar.chosen() == "monday"
    assert bar.choose(None)
    assert window.queue.proxy.rowCount() == 7
    await window.aclose()


async def test_rows_of_a_batch_name_it_and_the_bar_hides_without_batches(qtbot, fake_engine, window_state):
    window = _window(qtbot, fake_engine, window_state)
    await _queue(fake_engine, ("a lone shot", ""))
    await until(lambda: window.queue.model.rowCount() == 1)
    assert not window.queue.batches.isVisible()
    await _queue(fake_engine, ("monday one", "monday"))
    await until(lambda: window.queue.model.rowCount() == 2)
    assert window.queue.batches.isVisible()
    model = window.queue.model
    row = model.row_of(next(j.id for j in fake_engine.jobs.values() if j.request.batch))
    cell = model.index(row, COL_PROMPT)
    assert cell.data(Qt.ItemDataRole.ToolTipRole).endswith("Batch: monday")
    assert cell.data(Qt.ItemDataRole.AccessibleTextRole) == "monday one\nBatch: monday"
    window.queue.filter_edit.setText("monday")  # the text filter finds a batch by its name too
    assert window.queue.proxy.rowCount() == 1
    await window.aclose()


async def test_cancel_the_waiting_rest_asks_with_the_count_and_the_refund(qtbot, fake_engine, window_state):
    window = _window(qtbot, fake_engine, window_state)
    bar = window.queue.batches
    ids = await _queue(fake_engine, ("m1", "monday"), ("m2", "monday"), ("m3", "monday"), ("t1", "tuesday"))
    fake_engine.start(ids[0])  # generating: not part of the waiting rest
    await until(lambda: window.queue.model.rowCount() == 4)
    bar.choose("monday")
    await until(lambda: bar.cancel_button.text() == "Cancel 2 waiting" and bar.cancel_button.isEnabled())
    assert bar.retry_button.text() == "Retry 0 failed" and not bar.retry_button.isEnabled()
    bar.cancel_button.click()
    box = _confirm(window)
    assert box.text() == (
        "2 waiting videos of batch “monday” will be cancelled and $1.60 refunded. Videos already generating or "
        "finished stay as they are."
    )
    _press(box, "Keep them")
    assert all(fake_engine.jobs[i].status is JobStatus.QUEUED for i in ids[1:])
    bar.act_cancel.trigger()  # the Queue menu's action asks the same
    _press(_confirm(window), "Cancel 2 waiting")
    await until(lambda: fake_engine.jobs[ids[1]].status is JobStatus.CANCELLED)
    assert [fake_engine.jobs[i].status for i in ids] == [
        JobStatus.RUNNING,
        JobStatus.CANCELLED,
        JobStatus.CANCELLED,
        JobStatus.QUEUED,
    ]
    assert fake_engine.jobs[ids[2]].refunded_micros == fake_engine.jobs[ids[2]].charged_micros > 0
    await until(lambda: bar.note.isVisible())
    assert bar.note.text() == "Cancelled 2 waiting videos of batch “monday”; they were refunded."
    await until(lambda: not bar.cancel_button.isEnabled())
    await window.aclose()


async def test_retry_its_failed_jobs_asks_with_the_cost_and_the_budget(qtbot, tmp_path: Path, window_state):
    engine = FakeEngine(tmp_path / "frames", budget_micros=10_000_000)
    window = _window(qtbot, engine, window_state)
    bar = window.queue.batches
    ids = await _queue(engine, ("m1", "monday"), ("m2", "monday"), ("m3", "monday"))
    engine.fail(ids[0], "Google could not make this video.")
    engine.fail(ids[2], "Google could not make this video.")
    await until(lambda: window.queue.model.rowCount() == 3)
    bar.choose("monday")
    await until(lambda: bar.retry_button.text() == "Retry 2 failed" and bar.retry_button.isEnabled())
    bar.retry_button.click()
    box = _confirm(window)
    assert box.text() == (
        "2 failed videos of batch “monday” go back to the end of the queue, each charged again: $1.60 in all. "
        "Today's budget leaves $9.20."
    )
    _press(box, "Retry 2 failed")
    await until(lambda: engine.jobs[ids[2]].status is JobStatus.QUEUED)
    assert [engine.jobs[i].attempt for i in ids] == [2, 1, 2]
    assert ("retry", ids[0]) in engine.calls and ("retry", ids[2]) in engine.calls
    await until(lambda: bar.note.text() == "Queued 2 failed videos of batch “monday” again.")
    await window.aclose()


async def test_a_retry_past_the_budget_is_refused_in_one_sentence(qtbot, tmp_path: Path, window_state):
    engine = FakeEngine(tmp_path / "frames", budget_micros=3_000_000)
    window = _window(qtbot, engine, window_state)
    bar = window.queue.batches
    ids = await _queue(engine, ("m1", "monday"), ("m2", "monday"))
    engine.fail(ids[0], "Google could not make this video.")
    engine.fail(ids[1], "Google could not make this video.")
    await _queue(engine, ("other", ""), ("other 2", ""))  # $1.60 spent, $1.40 left: two retries do not fit
    await until(lambda: window.queue.model.rowCount() == 4)
    bar.choose("monday")
    await until(lambda: bar.retry_button.isEnabled())
    bar.retry_button.click()
    assert bar.confirm_box() is None  # refused before asking
    assert bar.note.text() == (
        "Retrying the 2 failed videos of batch “monday” costs $1.60, more than the $1.40 left of today's budget; "
        "raise the budget in Settings or retry them one by one."
    )
    assert not any(call[0] == "retry" for call in engine.calls)
    # The window's snapshot said it fit, the engine's own check (in its transaction) refuses: its sentence.
    engine.budget_micros = 100_000_000
    window.queue.set_snapshot(await engine.snapshot())
    engine.budget_micros = 3_000_000
    bar.retry_button.click()
    _press(_confirm(window), "Retry 2 failed")
    await until(lambda: "would pass today's budget" in bar.note.text())
    assert bar.note.text() == "Retrying the failed jobs of batch 'monday' would pass today's budget."
    assert all(engine.jobs[i].status is JobStatus.FAILED for i in ids)
    await window.aclose()


def test_the_batch_filter_passes_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from tests.ui.helpers import make_views
    from veo_desktop.composition import load_catalogue
    from veo_desktop.ui.queue.model import QueueTableModel
    from veo_desktop.ui.queue.table import QueueFilterProxy

    views = make_views(6, waiting=4)
    views = tuple(
        replace(v, job=replace(v.job, request=v.job.request.with_changes(batch="b" if i % 2 else "")))
        for i, v in enumerate(views)
    )
    model = QueueTableModel(load_catalogue())
    model.set_rows(views)
    proxy = QueueFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_batch("b")
    assert proxy.rowCount() == 3
    qtmodeltester.check(proxy)
    proxy.set_batch(None)
    assert proxy.rowCount() == 6


def test_a_batch_name_with_a_placeholder_stays_as_it_is() -> None:
    from veo_desktop.ui.queue.batches import fill

    assert fill("Batch: %1 (%2)", "spring %2", "3") == "Batch: spring %2 (3)"
    assert fill("%1 of “%2” and %3", "2", "a %3 b", "$1.60") == "2 of “a %3 b” and $1.60"
