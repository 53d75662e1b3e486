"""Actions on a finished video in the job detail: Extend (Veo), Refine this video (Omni), the chain line,
and a click while a request is in flight is ignored (real widgets offscreen over the fake engine)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tests.ui.helpers import until
from veo_desktop.core.request import GenerationRequest
from veo_desktop.testing.fake_engine import FakeEngine
from veo_desktop.ui.main_window import MainWindow

VEO = GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt="a lighthouse at dusk", duration_s=8)
OMNI = GenerationRequest(model_id="gemini-omni-1.1-flash", prompt="a fox in the snow")


def _window(qtbot, engine: FakeEngine, window_state) -> MainWindow:
    window = MainWindow(engine, window_state=window_state)
    qtbot.addWidget(window)
    window.show()
    return window


async def _finished(engine: FakeEngine, request: GenerationRequest, tmp_path: Path, provider: str) -> str:
    [job] = await engine.submit(request, 1)
    engine.add_jobs([replace(engine.jobs[job.id], provider=provider)])
    engine.complete(job.id, tmp_path / f"{job.id}.mp4")
    return job.id


async def _select(window: MainWindow, job_id: str) -> None:
    await until(lambda: window.queue.model.row_of(job_id) is not None)
    assert window.queue.select_job(job_id)


async def test_extend_queues_a_child_and_its_detail_shows_the_chain(qtbot, fake_engine, window_state, tmp_path):
    window = _window(qtbot, fake_engine, window_state)
    parent = await _finished(fake_engine, VEO, tmp_path, "vertex")
    await _select(window, parent)
    ups = window.queue.follow_ups
    assert ups.extend_button.isVisible()
    assert not ups.refine_button.isVisible()  # Vertex Veo cannot refine: the action is absent
    ups.extend_box.setText("the camera rises over the sea")
    ups.extend_button.click()
    await until(lambda: any(j.request.extends_job_id == parent for j in fake_engine.jobs.values()))
    child = next(j for j in fake_engine.jobs.values() if j.request.extends_job_id == parent)
    assert child.request.prompt == "the camera rises over the sea"
    await until(lambda: not ups.is_busy() and ups.extend_button.isEnabled())
    assert ups.extend_box.text() == ""
    fake_engine.add_jobs([replace(fake_engine.jobs[child.id], provider="vertex")])
    fake_engine.complete(child.id, tmp_path / "child.mp4")
    await _select(window, child.id)
    await until(lambda: ups.chain_label.isVisible())
    total = (await fake_engine.chain(child.id)).total_s
    assert ups.chain_label.text() == f"This clip extends {parent} · total {round(total)} s"
    await window.aclose()


async def test_a_second_click_while_extending_is_ignored(qtbot, fake_engine, window_state, tmp_path):
    window = _window(qtbot, fake_engine, window_state)
    parent = await _finished(fake_engine, VEO, tmp_path, "vertex")
    await _select(window, parent)
    ups = window.queue.follow_ups
    fake_engine.submit_delay_s = 0.2
    ups.extend_button.click()
    assert ups.is_busy() and not ups.extend_button.isEnabled()
    ups.extend()  # Enter in the box, or a click that reached the slot anyway
    await until(lambda: not ups.is_busy())
    assert sum(1 for j in fake_engine.jobs.values() if j.request.extends_job_id == parent) == 1
    assert ups.extend_button.isEnabled()
    await window.aclose()


async def test_refine_on_omni_and_its_refusal_in_one_sentence(qtbot, tmp_path, window_state):
    engine = FakeEngine(tmp_path / "frames", provider="gemini")
    window = _window(qtbot, engine, window_state)
    parent = await _finished(engine, OMNI, tmp_path, "gemini")
    await _select(window, parent)
    ups = window.queue.follow_ups
    assert ups.refine_button.isVisible()
    assert not ups.extend_button.isVisible()  # Omni offers no Veo extension
    ups.refine_button.click()  # no instruction yet: said, nothing queued
    assert "what to change" in ups.error.text()
    ups.refine_box.setText("make it night")
    ups.refine_button.click()
    await until(lambda: any(j.request.refines_job_id == parent for j in engine.jobs.values()))
    await until(lambda: not ups.is_busy())
    assert not ups.error.isVisible()
    engine.lose_store()  # the database is gone: the refusal is shown, the buttons come back
    ups.refine_box.setText("add snow")
    ups.refine_button.click()
    await until(lambda: ups.error.isVisible())
    assert "cannot be reached" in ups.error.text()
    assert ups.refine_button.isEnabled() and ups.refine_box.text() == "add snow"
    await window.aclose()


async def test_a_waiting_job_has_no_follow_up_actions(qtbot, fake_engine, window_state):
    window = _window(qtbot, fake_engine, window_state)
    [job] = await fake_engine.submit(VEO, 1)
    await _select(window, job.id)
    assert not window.queue.follow_ups.isVisible()
    await window.aclose()
