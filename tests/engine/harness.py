"""Wire a real store + dispatcher + engine service to a FakeProvider on a ManualClock, and drive virtual time.

`drive(until)` lets real work finish (store calls run on a worker thread), and when everything is parked on
the virtual clock, jumps the clock to the next deadline. No real sleeping beyond a few milliseconds a step.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from tests.engine.fakes import FakeProvider
from veo_desktop.core.catalogue import parse_catalogue
from veo_desktop.core.clock import ManualClock
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.engine.dispatcher import DispatchConfig, Dispatcher, DispatcherDeps
from veo_desktop.engine.service import EngineService
from veo_desktop.paths import resources_dir
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.frames import FrameStore
from veo_desktop.store.sqlite import SqliteStore

CATALOGUE = parse_catalogue((resources_dir() / "models.json").read_text())
MODEL = "veo-3.1-fast-generate-001"


def request(prompt: str = "a lighthouse at dawn", **changes: object) -> GenerationRequest:
    return GenerationRequest(model_id=MODEL, prompt=prompt, duration_s=4).with_changes(**changes)


@dataclass
class Rig:
    clock: ManualClock
    provider: FakeProvider
    store: AsyncStore
    engine: EngineService
    dispatcher: Dispatcher
    root: Path

    async def drive(
        self, until: Callable[[], bool], *, max_virtual_s: float = 20_000, step_real_s: float = 0.002
    ) -> None:
        deadline = self.clock.monotonic() + max_virtual_s
        idle_rounds = 0
        while not until():
            await asyncio.sleep(step_real_s)
            if until():
                return
            idle_rounds += 1
            if idle_rounds >= 3:
                idle_rounds = 0
                nxt = self.clock.next_deadline()
                if nxt is not None:
                    self.clock.set(nxt)
            if self.clock.monotonic() > deadline:
                raise AssertionError("virtual time ran out before the condition held")

    async def settle(self, cond: Callable[[], Awaitable[bool]], *, max_virtual_s: float = 20_000) -> None:
        """Drive virtual time until an async condition holds."""
        deadline = self.clock.monotonic() + max_virtual_s
        while not await cond():
            for _ in range(3):
                await asyncio.sleep(0.002)
            if await cond():
                return
            nxt = self.clock.next_deadline()
            if nxt is not None:
                self.clock.set(nxt)
            if self.clock.monotonic() > deadline:
                raise AssertionError("virtual time ran out before the condition held")

    async def close(self) -> None:
        await self.dispatcher.stop()
        await self.store.aclose()


async def make_rig(
    root: Path,
    *,
    slots: SlotConfig | None = None,
    provider: FakeProvider | None = None,
    clock: ManualClock | None = None,
    db: str | None = None,
    owner: str = "test-owner",
    start: bool = True,
) -> Rig:
    clock = clock or ManualClock()
    slots = slots or SlotConfig(2, 0)
    provider = provider or FakeProvider(clock=clock)
    db_path = db or str(root / "store.sqlite3")
    store = AsyncStore(lambda: SqliteStore(db_path))
    for d in ("frames", "staging", "library"):
        (root / d).mkdir(parents=True, exist_ok=True)
    engine = EngineService(
        store=store,
        frames=FrameStore(root / "frames"),
        catalogue=CATALOGUE,
        provider_name="vertex",
        clock=clock,
        slots=slots,
        rng=random.Random(7),
    )
    deps = DispatcherDeps(
        store=store,
        provider=provider,
        clock=clock,
        frames_dir=root / "frames",
        staging_dir=root / "staging",
        library_dir=root / "library",
        owner=owner,
        rng=random.Random(1),
        on_change=engine.notify,
    )
    dispatcher = Dispatcher(deps, DispatchConfig(slots=slots))
    dispatcher.outcomes.priors_s = {m.id: 60.0 for m in CATALOGUE.models}
    engine.dispatcher = dispatcher
    if start:
        dispatcher.start()
    return Rig(clock, provider, store, engine, dispatcher, root)
