"""Riding out store outages: the dispatcher's parts wait for the store instead of ending.

A team database that restarts or drops a connection answers `StoreUnavailable`; a SQLite file another
program holds answers `StoreLocked`. `SteadyStore` gives the starter, tracker, outcome recorder and
downloader the same `run(fn)` as `AsyncStore`, but on those two errors it backs off (with jitter, on the
engine's clock) and runs `fn` again once the store answers, so a job's next step is never lost.

Running `fn` again is safe for what they call, because the store decides from what it holds:
- every job transition is conditional on the job's status and fence; if the first try had landed before the
  connection broke, the second raises StaleTransition and the task ends; the job, still leased by this
  process, is taken back by the dispatcher's next adopt, which reads what the database says happened;
- `mark_sending`, notes, leases, pause and cooldown set the same values again.
The one call that is never run again blind is the claim (a second claim would take a second job): the
dispatcher claims on the plain store and, after an outage, adopts first (a claim that landed unseen was
never sent, so it goes back to its place). Nothing is buffered here: the one record kept beside the store is
the desktop's outbox of starts, which the dispatcher replays once the store answers again (engine/replay.py).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import TypeVar

from veo_desktop.core.clock import Clock
from veo_desktop.core.errors import StoreLocked, StoreUnavailable
from veo_desktop.core.scheduling import backoff_s
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.base import Store

log = logging.getLogger(__name__)
T = TypeVar("T")
OUTAGE_ERRORS = (StoreUnavailable, StoreLocked)
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 10.0


class SteadyStore(AsyncStore):
    """An `AsyncStore` view that waits out outages (it shares the wrapped store's thread and connection)."""

    def __init__(
        self, inner: AsyncStore, *, clock: Clock, rng: random.Random, on_outage: Callable[[], None] = lambda: None
    ) -> None:  # no super().__init__(): everything is delegated to `inner`
        self.inner = inner
        self.clock = clock
        self.rng = rng
        self.on_outage = on_outage
        self.outages = 0  # calls that met an outage (for tests and figures)

    async def run(self, fn: Callable[[Store], T]) -> T:
        failures = 0
        while True:
            try:
                return await self.inner.run(fn)
            except OUTAGE_ERRORS as exc:
                failures += 1
                if failures == 1:
                    self.outages += 1
                    self.on_outage()
                    log.warning("the queue database did not answer; waiting for it: %s", exc)
                await self.clock.sleep(outage_backoff_s(failures, self.rng))

    @property
    def unreachable(self) -> StoreUnavailable | None:
        return self.inner.unreachable

    @property
    def busy(self) -> bool:
        return self.inner.busy

    async def aclose(self) -> None:
        await self.inner.aclose()

    def close(self) -> None:
        self.inner.close()


def outage_backoff_s(failures: int, rng: random.Random) -> float:
    return backoff_s(failures, rng, base_s=BACKOFF_BASE_S, cap_s=BACKOFF_CAP_S)
