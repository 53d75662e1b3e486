"""Queue rows for the queue's promises and team mode: an unknown start says it holds its slot (and until
when) while the hold runs; jobs held on a retired model get one message with its two ways out; the other
creators' waiting jobs are rows "creator · model · position" in queue order, without prompts (real widgets
offscreen over the fake engine)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QModelIndex, Qt

from tests.ui.helpers import make_views, until
from veo_desktop.core.jobs import LedgerSummary, QueueState
from veo_desktop.core.request import GenerationRequest
from veo_desktop.engine.api import PlaceView, QueueSnapshot
from veo_desktop.engine.texts import clock_time
from veo_desktop.testing.fake_engine import FakeEngine
from veo_desktop.ui.main_window import MainWindow
from veo_desktop.ui.queue.model import COL_PROMPT, COL_STATUS

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


async def test_the_other_creators_places_sit_in_queue_order_without_prompts(qtbot, fake_engine, window_state, tmp_path):
    window = _window(qtbot, fake_engine, window_state)
    mine = await fake_engine.submit(REQ, 2)
    await until(lambda: window.queue.model.rowCount() == 2)
    fake_engine.complete(mine[1].id, tmp_path / "done.mp4")  # one finished job of one's own too
    snap = await fake_engine.snapshot()
    own = next(v for v in snap.jobs if v.id == mine[0].id)
    snap = replace(
        snap,
        jobs=tuple(replace(v, position=2) if v.id == own.id else v for v in snap.jobs),
        others=(PlaceView("bia", REQ.model_id, 1, 0.0), PlaceView("caio", REQ.model_id, 3, 120.0)),
    )
    window.apply_snapshot(snap)
    model = window.queue.model
    prompts = [model.index(r, COL_PROMPT).data() for r in range(model.rowCount())]
    assert prompts[0].startswith("bia · ") and prompts[0].endswith(" · 1")
    assert prompts[1] == REQ.prompt
    assert prompts[2].startswith("caio · ") and prompts[2].endswith(" · 3")
    assert prompts[3] == REQ.prompt  # the finished job after the queue
    assert all("lighthouse" not in str(model.index(r, c).data()) for r in (0, 2) for c in range(5))
    assert _status(window, 2).startswith("Another creator's video — position 3")
    assert [v.id for v in model.rows()] == [mine[0].id, mine[1].id]  # one's own jobs, in order
    assert window.queue.select_job(mine[0].id)
    window.queue.table.selectRow(window.queue.proxy.mapFromSource(model.index(0, 0)).row())
    assert window.queue.current_view() is None  # another's place has no detail and no actions
    assert not model.flags(model.index(0, COL_PROMPT)) & Qt.ItemFlag.ItemIsDragEnabled
    await window.aclose()


def test_a_drop_among_the_places_reorders_only_ones_own_jobs(qtbot, fake_engine):
    from veo_desktop.ui.queue.model import QueueTableModel

    model = QueueTableModel(fake_engine.catalogue)
    views = make_views(2, waiting=2)
    place = PlaceView("bia", REQ.model_id, 2, None)
    snap = QueueSnapshot(
        jobs=(replace(views[0], position=1), replace(views[1], position=3)),
        queue=QueueState(False, None, None),
        ledger=LedgerSummary(0, 0, 0, None),
        counts={},
        taken_at_ms=0,
        max_in_flight=2,
        others=(place,),
    )
    model.set_snapshot(snap)
    assert [type(r).__name__ for r in model.all_rows()] == ["JobView", "PlaceView", "JobView"]
    asked: list[list[str]] = []
    model.reorderRequested.connect(asked.append)
    data = model.mimeData([model.index(2, COL_PROMPT)])
    assert model.dropMimeData(data, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert asked == [[views[1].id, views[0].id]]
