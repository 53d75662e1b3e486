"""Helpers for UI tests: images made with QImage, rows for the models, and polling without a nested Qt event
loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtGui import QColor, QImage

from veo_desktop.core.jobs import Job
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.api import DisplayState, JobView


def make_png(path: Path, *, width: int = 320, height: int = 180, colour: str = "#3366cc") -> Path:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    assert image.save(str(path), "PNG")
    return path


async def until(predicate: Callable[[], object], *, timeout_s: float = 10.0, step_s: float = 0.02) -> None:
    """Poll without a nested Qt loop: the qasync loop keeps running Qt while we sleep."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {getattr(predicate, '__name__', predicate)}")
        await asyncio.sleep(step_s)


async def settle(coro: Awaitable[object] | None = None) -> None:
    if coro is not None:
        await coro
    for _ in range(3):
        await asyncio.sleep(0.01)


def make_views(n: int, *, waiting: int = 0, prefix: str = "j") -> tuple[JobView, ...]:
    """`n` JobViews, the first `waiting` queued, the rest completed: for model tests."""
    req = GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt="a cat on a skateboard")
    views = []
    for i in range(n):
        status = JobStatus.QUEUED if i < waiting else JobStatus.COMPLETED
        job = Job(
            id=f"{prefix}{i:06d}",
            request=req,
            status=status,
            queue_order=float(i),
            attempt=1,
            cost_micros=800_000,
            created_at_ms=1_000 + i,
            charged_micros=800_000,
        )
        display = DisplayState.WAITING if i < waiting else DisplayState.COMPLETED
        pos = i + 1 if i < waiting else None
        views.append(JobView(job, display, pos, 60.0 * i if pos else None, None, None, None))
    return tuple(views)
