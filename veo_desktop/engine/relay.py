"""Polling another creator's job (team-mode design §2.5: poll by anyone, download by the creator only).

A desktop takes over a running job whose lease expired (`Store.adopt_for_polling`) so the slot frees when
Google says done, even while the creator's desktop sleeps. It polls with its own provider (a key of the same
Google project: the project's operations are readable by its keys), and when the operation is done:
- with videos: it hands the job to its creator (`hand_over_download`: downloading, no lease, the slot freed)
  and keeps no bytes: inline videos a poll decoded (Vertex express) are deleted at once, never downloaded;
- without: it settles Google's verdict with the refund (`fail_polled`), as the creator's desktop would.
A 404, refused credentials or the end of the retention may be this desktop's problem (another project, a
revoked key), so it lets the job go (`release_polled`) for the creator's desktop to decide. Every move is
fenced: a desktop that took the job over since wins.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping
from pathlib import Path

from veo_desktop.client.base import OperationStatus, VeoProvider
from veo_desktop.core.catalogue_sources import provider_of_job
from veo_desktop.core.clock import Clock
from veo_desktop.core.errors import AuthError, JobNotFound, NotFoundError, VeoError
from veo_desktop.core.scheduling import PollPolicy, backoff_s, expected_duration_s, prior_s
from veo_desktop.engine.catalogue_live import LiveCatalogue
from veo_desktop.engine.config import Notify, Providers
from veo_desktop.engine.outcomes import done_failure
from veo_desktop.logsafe import mask
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.base import PollingJob, StaleTransition

log = logging.getLogger(__name__)

MAX_POLL_FAILURES = 5  # in a row: then another desktop (or the creator's) may try


class PollRelay:
    def __init__(
        self,
        *,
        store: AsyncStore,
        clock: Clock,
        providers: Providers,
        policy: PollPolicy,
        rng: random.Random,
        priors_s: Mapping[str, float],
        staging_dir: Path,
        retention_s: float,
        notify: Notify,
        catalogue: LiveCatalogue | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.providers = providers
        self.policy = policy
        self.rng = rng
        self.priors_s = priors_s
        self.staging_dir = staging_dir
        self.retention_s = retention_s
        self.notify = notify
        self.catalogue = catalogue
        self.handed_over = 0  # jobs handed to their creator (for tests and figures)
        self.settled = 0  # failures settled for their creator
        self.released = 0  # jobs let go

    async def track(self, job: PollingJob) -> None:
        """Poll until done, then hand the job over or settle it; let it go when this desktop cannot tell."""
        provider = self._provider(job)
        status = None if provider is None else await self._poll_until_done(job, provider)
        if status is None:
            await self._release(job)
            return
        await _drop_staged(status)
        failure = done_failure(status)
        now_ms = self.clock.wall_ms()
        try:
            if failure is None:
                await self.store.run(lambda s: s.hand_over_download(job.id, fence=job.fence, now_ms=now_ms))
                self.handed_over += 1
            else:
                await self.store.run(
                    lambda s: s.fail_polled(
                        job.id,
                        fence=job.fence,
                        kind=failure.kind,
                        message=failure.message,
                        now_ms=now_ms,
                        filter_reasons=failure.reasons,
                    )
                )
                self.settled += 1
        except (StaleTransition, JobNotFound) as exc:
            # Taken over since, or our own move landed before a lost answer: either way, look again.
            log.info("job %s was moved by another desktop: %s", job.id, exc)
            self.notify()
            return
        self.notify(freed_slot=True)

    def _provider(self, job: PollingJob) -> VeoProvider | None:
        name = job.provider
        if self.catalogue is not None:
            name = provider_of_job(self.catalogue.current, job.model_id, job.provider)
        return self.providers.get(name)

    async def _poll_until_done(self, job: PollingJob, provider: VeoProvider) -> OperationStatus | None:
        clock = self.clock
        recent = await self.store.run(lambda s: s.recent_durations_s(job.model_id))
        expected_s = expected_duration_s(recent, prior_s=prior_s(self.priors_s, job.model_id))
        elapsed0_s = max(0.0, (clock.wall_ms() - (job.started_at_ms or clock.wall_ms())) / 1000)
        t0 = clock.monotonic() - elapsed0_s
        delay, failures = 0.0, 0  # taken over: it may well be done already
        while True:
            await clock.sleep(delay)
            elapsed_s = clock.monotonic() - t0
            try:
                status = await provider.poll(job.operation_name, staging_dir=self.staging_dir)
            except (NotFoundError, AuthError) as exc:
                log.info(
                    "job %s: this desktop cannot poll it (%s); leaving it to %s", job.id, mask(exc.message), job.creator
                )
                return None
            except VeoError as exc:
                failures += 1
                if failures >= MAX_POLL_FAILURES or elapsed_s > self.retention_s:
                    log.info("job %s: polling keeps failing (%s); letting it go", job.id, mask(exc.message)[:80])
                    return None
                delay = backoff_s(failures, self.rng, base_s=2.0, cap_s=120.0)
                continue
            if status.done:
                return status
            failures = 0
            delay = self.policy.next_delay_s(elapsed_s, expected_s, recent)

    async def _release(self, job: PollingJob) -> None:
        try:
            await self.store.run(lambda s: s.release_polled(job.id, fence=job.fence))
        except (StaleTransition, JobNotFound):
            return  # someone took it over already
        self.released += 1
        self.notify()


async def _drop_staged(status: OperationStatus) -> None:
    """Another creator's video never stays here: bytes a poll decoded are deleted unread."""
    for video in status.videos:
        if video.staged_path is not None:
            await asyncio.to_thread(video.staged_path.unlink, True)
