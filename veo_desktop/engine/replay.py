"""Replaying the outbox of starts (team-mode design §2.6), at the dispatcher's start-up and after a store outage:

| entry           | store move                     | the job                                             |
|-----------------|--------------------------------|-----------------------------------------------------|
| `answered(op)`  | `late_answer`                  | running with its operation name (never resent)      |
| `not_sent`      | `release_unsent`               | back at its place, slot freed                       |
| `sending`       | none                           | a genuine unknown: the person decides               |

An entry is replayed only by the process that wrote it or once its writer is provably gone (the window and
the CLI may share one desktop's outbox), never for a start this process has on the wire now. A
StaleTransition drops the entry: the job moved on (taken over by another desktop, retried, or the outcome
was recorded after all). JobNotFound keeps it (another store's job, from before the desktop switched
stores) until it is older than Google's retention.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection

from veo_desktop.core.clock import Clock
from veo_desktop.core.errors import JobNotFound, StaleTransition, StoreError
from veo_desktop.core.outbox import ENTRY_RETENTION_MS, OutboxEntry, ReplayFigures, StartState
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.config import StartJournal
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.base import Holder

log = logging.getLogger(__name__)
NOT_SENT_NOTE = "The start request was never sent; this video is back at its place in the queue."
_UNSETTLED = (JobStatus.SUBMITTING, JobStatus.UNKNOWN_START)


class Replayer:
    def __init__(
        self,
        *,
        journal: StartJournal,
        store: AsyncStore,
        clock: Clock,
        holder: Holder,
        alive: Callable[[int], bool],
    ) -> None:
        self.journal = journal
        self.store = store
        self.clock = clock
        self.holder = holder
        self.alive = alive
        self.figures = ReplayFigures()

    def _ours(self, entry: OutboxEntry) -> bool:
        """Written by this process, or by one of this host that is gone."""
        me = self.holder
        if entry.token == me.token:
            return True
        return bool(entry.host) and entry.host == me.host and entry.pid != me.pid and not self.alive(entry.pid)

    async def replay(self, busy: Collection[str] = ()) -> int:
        """Settle every entry this process may settle; returns how many jobs became running (to adopt). An
        outbox that cannot be read, or a store that refuses an entry, leaves the entries for the next replay."""
        now_ms = self.clock.wall_ms()
        try:
            entries = await self.journal.entries()
        except StoreError:
            log.warning("could not read the outbox; its entries wait for the next replay", exc_info=True)
            return 0
        late = 0
        for entry in entries:
            if entry.job_id in busy and entry.token == self.holder.token:
                continue  # this process's start on the wire: its own task records the outcome
            late += await self._replay_one(entry, now_ms)
        if entries:
            f = self.figures
            log.info(
                "outbox replayed: %d answers recovered, %d starts back in line unsent, %d unknown left to the "
                "person, %d dropped as moved on (totals)",
                *(f.late_answers, f.released, f.left_to_user, f.stale),
            )
        return late

    async def _replay_one(self, entry: OutboxEntry, now_ms: int) -> int:
        """Settle one entry, then forget it; an entry this process may not settle (yet) stays."""
        expired = now_ms - entry.at_ms > ENTRY_RETENTION_MS
        if not self._ours(entry):
            if expired:
                await self._forget(entry)
            return 0
        late = 0
        try:
            late = await self._settle(entry, now_ms)
        except StaleTransition as exc:
            self.figures.stale += 1
            log.info("outbox entry of job %s dropped: %s", entry.job_id, exc)
        except JobNotFound:
            if expired:
                await self._forget(entry)
            return 0
        except StoreError:
            log.warning("the store refused the outbox entry of job %s; kept", entry.job_id, exc_info=True)
            return 0
        await self._forget(entry)
        return late

    async def _forget(self, entry: OutboxEntry) -> None:
        try:
            await self.journal.forget(entry.job_id, entry.fence)
        except StoreError:
            log.warning("could not clear the outbox entry of job %s", entry.job_id, exc_info=True)

    async def _settle(self, entry: OutboxEntry, now_ms: int) -> int:
        job_id, fence = entry.job_id, entry.fence
        if entry.state is StartState.ANSWERED:
            operation = entry.operation_name or ""
            await self.store.run(lambda s: s.late_answer(job_id, fence=fence, operation_name=operation, now_ms=now_ms))
            self.figures.late_answers += 1
            log.info("job %s: Google's answer %s recovered from the outbox", job_id, operation)
            return 1
        if entry.state is StartState.NOT_SENT:
            await self.store.run(lambda s: s.release_unsent(job_id, fence=fence, now_ms=now_ms, note=NOT_SENT_NOTE))
            self.figures.released += 1
            return 0
        job = await self.store.run(lambda s: s.get(job_id))
        if job.status in _UNSETTLED and job.fence == fence:
            self.figures.left_to_user += 1  # sent, no answer kept: the adopt makes it an unknown start
        return 0
