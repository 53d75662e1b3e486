"""Pytest fixtures over the engine rig, for a conftest to import (`from veo_desktop.testing.fixtures import
make_rig, rig`). Each rig a test creates is closed after the test, whatever happened in it, so tests need no
`try/finally: await rig.close()`. Needs pytest and pytest-asyncio (the `test` extra)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from veo_desktop.testing import rig as rig_module
from veo_desktop.testing.rig import Rig

RigFactory = Callable[..., Awaitable[Rig]]


@pytest.fixture
async def make_rig(tmp_path: Path) -> AsyncIterator[RigFactory]:
    """`await make_rig(root=tmp_path, **options)` (options of `testing.rig.make_rig`); closed at teardown."""
    made: list[Rig] = []

    async def factory(root: Path | None = None, **options: Any) -> Rig:
        made.append(await rig_module.make_rig(root or tmp_path, **options))
        return made[-1]

    try:
        yield factory
    finally:
        for each in reversed(made):
            await each.close()


@pytest.fixture
async def rig(make_rig: RigFactory) -> Rig:
    """A started rig with a default FakeProvider on a ManualClock, two slots, no start-rate limit."""
    return await make_rig()
