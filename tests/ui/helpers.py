"""Helpers for UI tests: images made with QImage and polling without a nested Qt event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtGui import QColor, QImage


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
