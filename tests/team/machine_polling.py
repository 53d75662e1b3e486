"""Poll by anyone, download by the creator only (schema 3), as rules of the two-store machine
(test_team_machine.py): any desktop takes over expired running jobs to poll them, then hands them to their
creator, settles Google's failure or lets them go; the creator's desktop takes the handed-over download."""

from __future__ import annotations

from collections.abc import Callable

import hypothesis.strategies as st
from hypothesis.stateful import rule

from tests.team.machine_model import DESKTOPS, JS, LEASE_MS, STATS, TeamModel
from veo_desktop.store.postgres.store import PostgresStore


class Polling:
    """Mixed into the machine, which provides these attributes and helpers."""

    model: TeamModel
    stores: dict[str, PostgresStore]
    now: int
    hold_ms: int
    tick: Callable[[], int]
    call: Callable[..., None]

    def adopt_downloads(self, desk: str) -> None:
        now = self.tick()
        expected = self.model.downloadable(DESKTOPS[desk], desk, now)
        taken = self.stores[desk].adopt_downloads(owner=desk, now_ms=now, lease_ms=LEASE_MS)
        assert sorted(j.id for j in taken) == expected
        for job in taken:
            assert job.fence is not None
            self.model.adopt(job.id, desk, now, job.fence, self.hold_ms)

    @rule(
        desk=st.sampled_from(sorted(DESKTOPS)),
        then=st.sampled_from(["hand over", "hand over", "fail", "release", "keep"]),
        wait=st.booleans(),
    )
    def poll_by_anyone(self, desk: str, then: str, wait: bool) -> None:
        """Any desktop takes over the running jobs whose lease expired, every creator's, to poll them (a new
        fence, nothing of the request), then hands a finished one to its creator (downloading, the slot
        freed), settles Google's failure (refunded), lets it go, or keeps polling. `wait`: first, the running
        jobs' desktops stop renewing until their leases expire."""
        running = [m.lease_until_ms for m in self.model.jobs.values() if m.status is JS.RUNNING and m.holder]
        if wait and running:
            self.now = max(self.now, *running)
        now = self.tick()
        expected = self.model.pollable(now)
        taken = self.stores[desk].adopt_for_polling(owner=desk, now_ms=now, lease_ms=LEASE_MS)
        assert sorted(p.id for p in taken) == expected
        for polled in taken:
            m = self.model.jobs[polled.id]
            assert polled.creator == m.creator and polled.mine == (m.creator == DESKTOPS[desk])
            STATS["polled by another creator"] += not polled.mine
            self.model.polled(polled.id, desk, polled.fence, now)
            if then == "keep":
                continue
            op = {"hand over": "hand_over_download", "fail": "fail_polled", "release": "release_polled"}[then]
            self.call(self.stores[desk], op, polled.id, m, fence=polled.fence)
            if then == "hand over":
                m.status = JS.DOWNLOADING
            elif then == "fail":
                self.model.apply("fail", polled.id, self.now, hold_ms=self.hold_ms, cost=0, retry_in_ms=None)
            m.holder = None
            STATS[op] += 1
