"""`Engine.store_status` for fake engines: a settable answer, local by default, so a window test can show a
team store, its desktops, an outage and the reconnect without a database.

    class FakeEngine(FakeStoreStatus): ...          # then, in a test:
    engine.on_team("postgresql://ana@db.studio:5432/veo", ("ana", "bia"))
    engine.lose_store()                            # store_status() unreachable, submit() raises StoreUnavailable
    engine.regain_store()
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from veo_desktop.core.errors import StoreUnavailable
from veo_desktop.engine.api import StoreStatus
from veo_desktop.store.base import Desktop

LOCAL = StoreStatus(kind="local", name="queue.sqlite3", reachable=True)
LOST = (
    "The team database at {name} cannot be reached (connection refused); nothing was lost, queueing is refused "
    "until it is back, and the app reconnects by itself."
)


class FakeStoreStatus:
    """A mixin: `store_status()` answers `fake_store`; `refuse_if_lost()` is what a fake submit calls first."""

    fake_store: StoreStatus = LOCAL

    async def store_status(self) -> StoreStatus:
        await asyncio.sleep(0)  # an await, as the real one asks the store on its thread
        return self.fake_store

    def on_team(self, name: str, creators: tuple[str, ...] = (), *, seen_at_ms: int = 0) -> None:
        desktops = tuple(Desktop(f"{c}-desk", c, seen_at_ms, True) for c in creators)
        self.fake_store = StoreStatus(kind="team", name=name, reachable=True, desktops=desktops)

    def lose_store(self) -> None:
        message = LOST.format(name=self.fake_store.name)
        self.fake_store = replace(self.fake_store, reachable=False, message=message)

    def regain_store(self) -> None:
        self.fake_store = replace(self.fake_store, reachable=True, message=None)

    def refuse_if_lost(self) -> None:
        if not self.fake_store.reachable:
            raise StoreUnavailable(self.fake_store.message or LOST.format(name=self.fake_store.name))
