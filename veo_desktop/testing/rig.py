"""`Rig`: the real store, dispatcher and engine service (wired by `composition.wire_engine`, as in the app)
against a `FakeProvider` on a `ManualClock`, with helpers that drive virtual time.

`drive(until)` / `settle(cond)` let real work finish (store calls run on a worker thread) and, when
everything is parked on the virtual clock, jump the clock to the next deadline. No real sleeping beyond a
few milliseconds a step. `restart(owner)` is a crash and a relaunch: the dispatcher is abandoned where it
stands (no lease released) and a new one is wired on the same store.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from veo_desktop.composition import EngineParts, wire_engine
from veo_desktop.core.catalogue import parse_catalogue
from veo_desktop.core.clock import ManualClock
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.engine.config import DispatchConfig, Folders, Providers
from veo_desktop.engine.dispatcher import Dispatcher
from veo_desktop.engine.service import EngineService
from veo_desktop.paths import resources_dir
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.base import Holder, Store
from veo_desktop.store.outbox import AsyncOutbox
from veo_desktop.store.sqlite import SqliteStore
from veo_desktop.testing.provider import FakeProvider

CATALOGUE = parse_catalogue((resources_dir() / "models.json").read_text(encoding="utf-8"))
MODEL = "veo-3.1-fast-generate-001"
PROVIDER = "vertex"  # the name jobs are queued with; the FakeProvider answers for it
RIG_HOST = "rig"  # leases name this host; pid 0 (the default) names no process, so it is never judged dead


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
    config: DispatchConfig
    providers: Providers
    rng: random.Random

    @property
    def folders(self) -> Folders:
        return _folders(self.root)

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
            if idle_rounds >= 3 and not self.working():
                idle_rounds = 0
                nxt = self.clock.next_deadline()
                if nxt is not None:
                    self.clock.set(nxt)
            if self.clock.monotonic() > deadline:
                raise AssertionError("virtual time ran out before the condition held")

    async def settle(
        self, cond: Callable[[], Awaitable[bool]], *, max_virtual_s: float = 20_000, max_real_s: float = 60.0
    ) -> None:
        """Drive virtual time until an async condition holds; fail (never hang) when either budget runs out."""
        deadline = self.clock.monotonic() + max_virtual_s
        real_deadline = time.monotonic() + max_real_s
        while not await cond():
            if time.monotonic() > real_deadline:
                raise AssertionError(f"the condition did not hold within {max_real_s} real seconds")
            for _ in range(3):
                await asyncio.sleep(0.002)
            if await cond():
                return
            if self.working():
                continue  # a store or outbox call is still on its thread: real work, not a wait
            nxt = self.clock.next_deadline()
            if nxt is not None:
                self.clock.set(nxt)
            if self.clock.monotonic() > deadline:
                raise AssertionError("virtual time ran out before the condition held")

    def working(self) -> bool:
        """A store or outbox call is queued or running on its worker thread."""
        outbox = self.dispatcher.deps.outbox
        return self.store.busy or (isinstance(outbox, AsyncOutbox) and outbox.busy)

    async def restart(
        self, owner: str, *, start: bool = True, pid: int = 0, alive: Callable[[int], bool] | None = None
    ) -> None:
        """A crash and a relaunch: every task of the dispatcher is cancelled where it stands (leases kept, as
        after SIGKILL), then a new engine and dispatcher with a new owner are wired on the same store."""
        await asyncio.gather(*self.dispatcher.abandon(), return_exceptions=True)
        await self.dispatcher.deps.outbox.aclose()  # a killed process's files close with it
        holder = Holder(host=RIG_HOST, pid=pid, token=owner)
        parts = _wire(self.store, self.providers, self.clock, self.root, self.config, holder, self.rng, alive)
        self.engine, self.dispatcher = parts.engine, parts.dispatcher
        if start:
            self.dispatcher.start()

    async def close(self) -> None:
        await self.dispatcher.stop()
        await self.store.aclose()


def _folders(root: Path) -> Folders:
    return Folders(frames_dir=root / "frames", staging_dir=root / "staging", library_dir=root / "library")


def _wire(
    store: AsyncStore,
    providers: Providers,
    clock: ManualClock,
    root: Path,
    config: DispatchConfig,
    owner: Holder,
    rng: random.Random,
    alive: Callable[[int], bool] | None = None,
) -> EngineParts:
    return wire_engine(
        store=store,
        providers=providers,
        clock=clock,
        folders=_folders(root),
        catalogue=CATALOGUE,
        config=config,
        owner=owner,
        rng=rng,  # one sequence across restarts: job ids stay unique on a clock that stands still
        outbox=root / "outbox.sqlite3",  # the desktop's outbox: one file across restarts, as on a desktop
        priors_s={m.id: 60.0 for m in CATALOGUE.models},
        alive=alive or (lambda pid: True),
    )


async def make_rig(
    root: Path,
    *,
    slots: SlotConfig | None = None,
    provider: FakeProvider | None = None,
    clock: ManualClock | None = None,
    db: str | None = None,
    owner: str = "test-owner",
    start: bool = True,
    config: DispatchConfig | None = None,
    pid: int = 0,
    store_factory: Callable[[], Store] | None = None,
) -> Rig:
    clock = clock or ManualClock()
    config = config or DispatchConfig(slots=slots or SlotConfig(2, 0))
    provider = provider or FakeProvider(clock=clock)
    providers = Providers.single(PROVIDER, provider)
    db_path = db or str(root / "store.sqlite3")
    store = AsyncStore(store_factory or (lambda: SqliteStore(db_path)))  # another Store: PostgreSQL, a fake
    for d in ("frames", "staging", "library"):
        (root / d).mkdir(parents=True, exist_ok=True)
    rng = random.Random(1)
    parts = _wire(store, providers, clock, root, config, Holder(host=RIG_HOST, pid=pid, token=owner), rng)
    if start:
        parts.dispatcher.start()
    return Rig(clock, provider, store, parts.engine, parts.dispatcher, root, config, providers, rng)
