"""Leases from this process's side: which holders are provably gone (a holder on this host whose process no
longer exists; one on another host is never judged from here: its lease expires by itself), and the submit
lease a start is sent inside (`SubmitLease`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable

from veo_desktop.core.clock import Clock
from veo_desktop.store.base import Holder

log = logging.getLogger(__name__)


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists (or may exist: we are not allowed to signal it)."""
    if pid <= 0 or sys.platform == "win32":
        # No process named; or Windows, where os.kill(pid, 0) would send CTRL_C_EVENT: never judged dead there,
        # so its lease runs out instead.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def gone_tokens(holders: Iterable[Holder], me: Holder, alive: Callable[[int], bool] = pid_alive) -> frozenset[str]:
    """Tokens of holders on `me`'s host whose process is gone (never `me`, never another host's)."""
    return frozenset(
        h.token
        for h in holders
        if h.host and h.host == me.host and h.token != me.token and h.pid != me.pid and not alive(h.pid)
    )


class SubmitLease:
    """Send only inside the lease (team-mode design §2.6). A claim or renewal whose call began at monotonic time
    `t` holds the lease until at least `t + lease_ms` (the store dates it after the call began), so this
    process's view is never later than the store's. A start is sent only while at least `SEND_MARGIN` of the
    lease is left; while its request is out, the lease is renewed every third of it (`kept_alive`)."""

    SEND_MARGIN = 0.5

    def __init__(self, clock: Clock, lease_ms: int, renew: Callable[[], Awaitable[None]]) -> None:
        self.clock = clock
        self.lease_s = lease_ms / 1000
        self._renew = renew
        self._renewed_at = -math.inf

    def renewed(self, began_at_s: float) -> None:
        """A renewal of every lease of this process, begun at `began_at_s`, was committed."""
        self._renewed_at = max(self._renewed_at, began_at_s)

    def left_s(self, claimed_at_s: float) -> float:
        return max(claimed_at_s, self._renewed_at) + self.lease_s - self.clock.monotonic()

    def may_send(self, claimed_at_s: float) -> bool:
        return self.left_s(claimed_at_s) >= self.lease_s * self.SEND_MARGIN

    @contextlib.asynccontextmanager
    async def kept_alive(self) -> AsyncIterator[None]:
        """Renew this process's leases every third of a lease while the body runs (the POST is out)."""
        task = asyncio.ensure_future(self._keep())
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _keep(self) -> None:
        while True:
            await self.clock.sleep(self.lease_s / 3)
            try:
                await self._renew()
            except Exception:  # an outage or a refusal: the store's answer decides what happened, later
                log.warning("could not renew the lease of a start on the wire", exc_info=True)
