"""The window's "Use last frame as next start frame": the engine takes the frame (PyAV, on a worker thread, kept
by content hash), the composer shows it as its start frame and links the video queued with it to its parent;
a continuation's detail names its parent.
Real widgets offscreen over the fake engine, which decodes the shipped clip for real."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace
from pathlib import Path

from tests.ui.helpers import until
from veo_desktop.core.request import GenerationRequest
from veo_desktop.engine import stills
from veo_desktop.paths import resources_dir
from veo_desktop.testing.fake_engine import FakeEngine
from veo_desktop.ui.main_window import MainWindow

VEO = GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt="a lighthouse at dusk", duration_s=8)
CLIP = resources_dir() / "clips" / "sample_16x9.mp4"


async def _finished(engine: FakeEngine, video: Path) -> str:
    [job] = await engine.submit(VEO, 1)
    engine.add_jobs([replace(engine.jobs[job.id], provider="vertex")])
    engine.complete(job.id, video)
    return job.id


def _window(qtbot, engine: FakeEngine, window_state) -> MainWindow:
    window = MainWindow(engine, window_state=window_state)
    qtbot.addWidget(window)
    window.show()
    return window


async def test_the_last_frame_becomes_the_composers_start_frame(qtbot, fake_engine, window_state, tmp_path):
    video = tmp_path / "shot.mp4"
    shutil.copyfile(CLIP, video)
    window = _window(qtbot, fake_engine, window_state)
    parent = await _finished(fake_engine, video)
    await until(lambda: window.queue.model.row_of(parent) is not None)
    assert window.queue.select_job(parent)
    action = window.queue.job_actions.act_last_frame
    window.queue.job_actions.sync()
    assert action.isEnabled()
    action.trigger()
    await until(lambda: window.compose.frame("start_frame") is not None)
    frame = window.compose.frame("start_frame")
    assert frame.sha256 == hashlib.sha256(stills.last_frame_png(video)).hexdigest()
    assert (frame.mime_type, frame.width, frame.height) == ("image/png", 320, 180)
    assert fake_engine.frame_path(frame).is_file()
    assert window.statusBar().currentMessage() == "The last frame is now the start frame."
    window.compose.prompt.setPlainText("the beam sweeps the sea")
    window.compose.generate()
    await until(lambda: len(fake_engine.jobs) == 2)
    [child] = [j for j in fake_engine.jobs.values() if j.id != parent]
    assert (child.request.continues_job_id, child.request.start_frame) == (parent, frame)
    window.compose.clear_frame("start_frame")
    assert window.compose.current_request().continues_job_id is None  # another start frame: no link
    await window.aclose()


async def test_a_missing_video_is_said_in_the_status_bar(qtbot, fake_engine, window_state, tmp_path):
    window = _window(qtbot, fake_engine, window_state)
    parent = await _finished(fake_engine, tmp_path / "gone.mp4")
    await until(lambda: window.queue.model.row_of(parent) is not None)
    assert window.queue.select_job(parent)
    window.queue.job_actions.act_last_frame.trigger()
    expected = f"The video of job {parent} is missing"
    await until(lambda: window.statusBar().currentMessage().startswith(expected))
    assert window.compose.frame("start_frame") is None
    await window.aclose()


async def test_a_continuation_names_its_parent_in_the_detail(qtbot, fake_engine, window_state, tmp_path):
    video = tmp_path / "shot.mp4"
    shutil.copyfile(CLIP, video)
    window = _window(qtbot, fake_engine, window_state)
    parent = await _finished(fake_engine, video)
    child = await fake_engine.continue_from(parent, prompt="the beam sweeps the sea")
    assert child.request.continues_job_id == parent
    assert child.request.start_frame is not None
    await until(lambda: window.queue.model.row_of(child.id) is not None)
    assert window.queue.select_job(child.id)
    ups = window.queue.follow_ups
    await until(lambda: ups.chain_label.isVisible())
    assert ups.chain_label.text() == f"This clip continues {parent} · total 16 s"
    await window.aclose()
