"""Tracking a started job: poll it on the poll policy until Google says done, then download its videos.

A job taken over from a previous run or a dead process is polled at once (it may well have finished while
nobody watched it), then on the policy; poll errors back off with jitter (`OutcomeRecorder.poll_once`).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping

from veo_desktop.client.base import OperationStatus
from veo_desktop.core.clock import Clock
from veo_desktop.core.jobs import Job
from veo_desktop.core.scheduling import PollPolicy, backoff_s, expected_duration_s, prior_s
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.engine.config import Notify
from veo_desktop.engine.downloader import Downloader, NeedsRepoll
from veo_desktop.engine.outcomes import OutcomeRecorder
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.base import Store

MAX_REPOLLS = 5


class Tracker:
    def __init__(
        self,
        *,
        store: AsyncStore,
        clock: Clock,
        policy: PollPolicy,
        rng: random.Random,
        priors_s: Mapping[str, float],
        outcomes: OutcomeRecorder,
        downloader: Downloader,
        notify: Notify,
    ) -> None:
        self.store = store
        self.clock = clock
        self.policy = policy
        self.rng = rng
        self.priors_s = priors_s
        self.outcomes = outcomes
        self.downloader = downloader
        self.notify = notify

    async def track(self, job: Job, *, poll_at_once: bool = False) -> None:
        """Poll a started job until it is done, then download its videos."""
        freed = False
        for _ in range(MAX_REPOLLS):
            status = await self._poll_until_done(job, poll_at_once=poll_at_once)
            if status is None:
                return
            if not await self.outcomes.finish_operation(job, status):
                return
            if not freed:
                freed = True
                self.notify(freed_slot=True)
            try:
                await self.downloader.download(job, status)
                return
            except NeedsRepoll:
                job = await self.store.run(functools.partial(_get, job_id=job.id))
        await self.outcomes.fail(job, JobStatus.DOWNLOADING, FailureKind.PROTOCOL, "The video could not be saved.")

    async def _poll_until_done(self, job: Job, *, poll_at_once: bool) -> OperationStatus | None:
        clock, policy = self.clock, self.policy
        assert job.operation_name is not None
        expected_s, recent_s = await self._expected_duration_s(job)
        elapsed0_s = max(0.0, (clock.wall_ms() - (job.started_at_ms or clock.wall_ms())) / 1000)
        t0 = clock.monotonic() - elapsed0_s
        failures = 0
        # A job that was downloading when the app stopped asks again for its videos at once.
        at_once = poll_at_once or job.status is JobStatus.DOWNLOADING
        delay = 0.0 if at_once else policy.next_delay_s(elapsed0_s, expected_s, recent_s)
        while True:
            await clock.sleep(delay)
            elapsed_s = clock.monotonic() - t0
            result = await self.outcomes.poll_once(job, elapsed_s=elapsed_s, failures=failures)
            if isinstance(result, OperationStatus) and result.done:
                return result
            if result == "stop":
                return None
            if result == "retry":
                failures += 1
                delay = backoff_s(failures, self.rng, base_s=2.0, cap_s=120.0)
            else:
                failures = 0
                delay = policy.next_delay_s(elapsed_s, expected_s, recent_s)

    async def _expected_duration_s(self, job: Job) -> tuple[float, list[float]]:
        model_id = job.request.model_id
        recent = await self.store.run(lambda s: s.recent_durations_s(model_id))
        return expected_duration_s(recent, prior_s=prior_s(self.priors_s, model_id)), recent


def _get(s: Store, *, job_id: str) -> Job:
    return s.get(job_id)
