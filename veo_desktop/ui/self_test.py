"""`veo-desktop --self-test`: queue one job against the built-in simulator, wait for it to complete, play
it and check that frames reach the player's video sink. Driven through the real window; no nested loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from veo_desktop.core.errors import AppError
from veo_desktop.engine.api import DisplayState
from veo_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)
PROMPT = "Self-test: a paper boat drifting across a calm pond at sunrise"


async def _until(predicate: Callable[[], bool], timeout_s: float) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def team_driver_problem() -> str | None:
    """Team mode's database driver loads (psycopg with the libpq psycopg_binary bundles), else why not."""
    try:
        import psycopg

        return None if psycopg.pq.__impl__ == "binary" and psycopg.pq.version() > 0 else "libpq is not bundled"
    except Exception as exc:  # an ImportError, or a libpq that cannot load
        return f"the team database driver does not load ({type(exc).__name__}: {exc})"


async def run_self_test(window: MainWindow, *, timeout_s: float = 90.0) -> tuple[bool, str]:
    """(ok, message)."""
    if (problem := team_driver_problem()) is not None:
        return False, problem
    window.compose.prompt.setPlainText(PROMPT)
    window.compose.generate()
    if not await _until(lambda: window.queue.model.rowCount() >= 1, 15):
        return False, "the job did not appear in the queue"

    def done() -> bool:
        views = window.queue.model.rows()
        return bool(views) and views[0].display in (DisplayState.COMPLETED, DisplayState.FAILED)

    if not await _until(done, timeout_s):
        return False, f"the job did not finish within {timeout_s:.0f} s"
    view = window.queue.model.rows()[0]
    if view.display is not DisplayState.COMPLETED or not view.job.outputs:
        return False, f"the job failed: {view.job.error_message}"
    path = Path(view.job.outputs[0].path)
    frames = 0

    def on_frame(frame: object) -> None:
        nonlocal frames
        if getattr(frame, "isValid", lambda: False)():
            frames += 1

    sink = window.player.video_sink()
    sink.videoFrameChanged.connect(on_frame)
    try:
        window.player.play(path)
        if not await _until(lambda: frames >= 3, 20):
            return False, f"no frames reached the video sink for {path.name}"
    finally:
        sink.videoFrameChanged.disconnect(on_frame)
        window.player.stop()
    try:  # "Continue" decodes with PyAV: its bundled FFmpeg must load in the bundle too
        still = await window.engine.last_frame(view.id)
    except AppError as exc:
        return False, f"the last frame could not be taken: {exc}"
    played = f"played {path.name} ({frames} frames), took its last frame ({still.width}×{still.height})"
    return True, f"queued, generated, downloaded and {played}"
