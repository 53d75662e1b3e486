"""What a dispatcher takes over on its adoption cadence, in one store call (team-mode design §2.5):

- `adopt_active`: its own creator's jobs of a previous run, of a dead process on this host, or whose lease
  expired (an unsent start back to its place, a start that may have gone out to "unknown");
- `adopt_for_polling`: running jobs of any creator whose lease expired, to poll (poll by anyone); its own
  creator's come back as whole jobs, the others' as prompt-free views for the `PollRelay`;
- `adopt_downloads`: its own creator's videos another desktop saw done (download by the creator only);
- `settle_silent_starts`: other creators' starts whose desktop went quiet for good, so no slot is held forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from veo_desktop.core.jobs import Job
from veo_desktop.core.states import ACTIVE
from veo_desktop.engine.leases import gone_tokens
from veo_desktop.store import videos
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.base import Holder, PollingJob, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Adopted:
    jobs: list[Job] = field(default_factory=list)  # the caller's creator's: tracked, polled and downloaded
    polls: list[PollingJob] = field(default_factory=list)  # other creators': polled and handed over only


def take_over(
    s: Store,
    *,
    holder: Holder,
    now_ms: int,
    lease_ms: int,
    providers: frozenset[str],
    alive: Callable[[int], bool],
) -> Adopted:
    # Downloads first, so a video another desktop handed over is taken as one (its event says so); adopt_active
    # then finds it held by `holder` already and returns it again unchanged.
    jobs = s.adopt_downloads(owner=holder, now_ms=now_ms, lease_ms=lease_ms, providers=providers)
    s.settle_silent_starts(owner=holder, now_ms=now_ms)  # another creator's start, its desktop gone for good
    gone = gone_tokens(s.lease_holders(), holder, alive)
    jobs += s.adopt_active(owner=holder, now_ms=now_ms, lease_ms=lease_ms, gone=gone, providers=providers)
    polled = s.adopt_for_polling(owner=holder, now_ms=now_ms, lease_ms=lease_ms, providers=providers)
    jobs += [s.get(p.id) for p in polled if p.mine]
    unique = list({job.id: job for job in jobs}.values())
    return Adopted(unique, [p for p in polled if not p.mine])


async def sweep_parts(store: AsyncStore, me: Holder, ours: set[str], library_dir: Path, staging_dir: Path) -> None:
    """Remove partial files whose writer is provably gone; only a dispatching process does this, right
    after its first adopt. A `.part` named after a job another live holder leases stays; nameless
    leftovers (staged inline videos, sidecar temporaries) go only when no other process holds a lease."""

    def others(s: Store) -> tuple[set[str], bool]:
        # Right after our adopt, an active job we did not take is another live process's (or its lease
        # has not run out yet): its files are left alone.
        theirs = {j.id for j in s.list_jobs(list(ACTIVE))} - ours
        return theirs, any(h.token != me.token for h in s.lease_holders())

    keep, someone_else = await store.run(others)
    removed = await asyncio.to_thread(
        videos.remove_leftover_parts, library_dir, staging_dir, keep_job_ids=keep, nameless_too=not someone_else
    )
    if removed:
        log.info("removed %d partial files left by a process that is gone", removed)
