"""The paid start call and what each answer means for the job (veo-api.md "Errors", reliability.md rules).

| answer                               | job                                   | ledger  | queue                  |
|--------------------------------------|---------------------------------------|---------|------------------------|
| 200 with an operation name           | running                               | -       | -                      |
| never sent (connect error)           | back to its place, retry soon         | -       | -                      |
| 429 RESOURCE_EXHAUSTED               | back to its place, retry after delay  | -       | cooldown for everyone  |
| 401/403                              | back to its place                     | -       | paused: asks for a key |
| 500/503                              | a few retries, then failed            | refund  | -                      |
| 400 / 404                            | failed with the server's message      | refund  | -                      |
| sent, no usable answer (timeout ...) | start outcome unknown: user decides   | -       | -                      |
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from pathlib import Path

from veo_desktop import faults
from veo_desktop.client.base import FrameData, StartSpec
from veo_desktop.core.clock import Clock
from veo_desktop.core.errors import (
    AuthError,
    NotFoundError,
    NotSentError,
    PermanentError,
    ProtocolError,
    QuotaError,
    StartOutcomeUnknown,
    TransientError,
    VeoError,
)
from veo_desktop.core.jobs import Job
from veo_desktop.core.request import FrameRef
from veo_desktop.core.scheduling import backoff_s
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.engine.config import Notify, Providers
from veo_desktop.engine.outcomes import OutcomeRecorder
from veo_desktop.logsafe import mask
from veo_desktop.store.async_store import AsyncStore

log = logging.getLogger(__name__)

UNKNOWN_MESSAGE = (
    "The start request reached Google but no answer came back, so Google may or may not have started "
    "(and billed) this video. Retry (you may be billed twice) or give up (refund)."
)


class Starter:
    def __init__(
        self,
        *,
        store: AsyncStore,
        clock: Clock,
        providers: Providers,
        frames_dir: Path,
        rng: random.Random,
        start_retry_limit: int,
        hold_s: Callable[[str], float],
        outcomes: OutcomeRecorder,
        notify: Notify,
    ) -> None:
        self.store = store
        self.clock = clock
        self.providers = providers
        self.frames_dir = frames_dir
        self.rng = rng
        self.start_retry_limit = start_retry_limit
        self.hold_s = hold_s
        self.outcomes = outcomes
        self.notify = notify
        self._quota_strikes = 0

    def spec_for(self, job: Job) -> StartSpec:
        r = job.request
        return StartSpec(
            model_id=r.model_id,
            prompt=r.prompt,
            aspect_ratio=r.aspect_ratio,
            duration_s=r.duration_s,
            resolution=r.resolution,
            negative_prompt=r.negative_prompt,
            start_frame=self._frame(r.start_frame),
            end_frame=self._frame(r.end_frame),
            sample_count=r.sample_count,
        )

    def _frame(self, ref: FrameRef | None) -> FrameData | None:
        if ref is None:
            return None
        return FrameData(path=self.frames_dir / ref.file_name, mime_type=ref.mime_type)

    async def start(self, job: Job) -> Job | None:
        """Send the start call for a claimed (`submitting`) job; returns the running job, or None.

        "About to send" is committed first, on its own: a crash before it leaves a job that provably never
        left (it goes back to its place); after it, the start is unknown and keeps its slot for the model's
        longest generation time."""
        store, clock = self.store, self.clock
        sent_ms = clock.wall_ms()
        hold_ms = sent_ms + int(self.hold_s(job.request.model_id) * 1000)
        await store.run(lambda s: s.mark_sending(job.id, fence=job.fence, now_ms=sent_ms, hold_until_ms=hold_ms))
        faults.hit("before_start_request")
        try:
            operation = await self.providers.for_job(job.provider).start(self.spec_for(job))
        except VeoError as exc:
            await self._start_failed(job, exc)
            return None
        except Exception as exc:  # a bug or a local error: we cannot know whether it was sent
            log.exception("unexpected error while starting job %s", job.id)
            await self._unknown(job, f"{UNKNOWN_MESSAGE} ({type(exc).__name__})")
            return None
        faults.hit("after_start_response")
        now_ms = clock.wall_ms()
        fence = job.fence
        running = await store.run(
            lambda s: s.mark_running(job.id, operation_name=operation, now_ms=now_ms, fence=fence)
        )
        faults.hit("after_mark_running")
        self._quota_strikes = 0
        self.notify()
        return running

    async def _start_failed(self, job: Job, exc: VeoError) -> None:
        message = mask(exc.message)
        if isinstance(exc, QuotaError):
            await self._quota(job, exc)
        elif isinstance(exc, NotSentError):
            await self._requeue(job, delay_s=backoff_s(1, self.rng), note="Could not reach Google; retrying.")
        elif isinstance(exc, AuthError):
            await self._requeue(job, delay_s=None, note="Waiting for a valid API key.")
            await self.outcomes.pause_for_auth(message)
        elif isinstance(exc, StartOutcomeUnknown | ProtocolError):
            await self._unknown(job, f"{UNKNOWN_MESSAGE} ({message})")
        elif isinstance(exc, TransientError):
            await self._server_error(job, message)
        elif isinstance(exc, NotFoundError):
            text = f"Google does not know this model any more (it may be retired): {message}"
            await self.outcomes.fail(job, JobStatus.SUBMITTING, FailureKind.NOT_FOUND, text)
        elif isinstance(exc, PermanentError):
            text = f"Google refused the request: {message}"
            await self.outcomes.fail(job, JobStatus.SUBMITTING, FailureKind.INVALID, text)
        else:
            await self._unknown(job, f"{UNKNOWN_MESSAGE} ({message})")

    async def _quota(self, job: Job, exc: QuotaError) -> None:
        self._quota_strikes += 1
        delay_s = exc.retry_after_s
        if delay_s is None:
            delay_s = backoff_s(self._quota_strikes, self.rng, base_s=5.0, cap_s=300.0)
        until_ms = self.clock.wall_ms() + int(delay_s * 1000)
        note = f"Waiting for Google's quota; retrying in {round(delay_s)} s."
        await self._requeue(job, delay_s=delay_s, note=note)
        await self.store.run(lambda s: s.set_cooldown(until_ms))
        self.notify()

    async def _server_error(self, job: Job, message: str) -> None:
        if job.start_retries + 1 >= self.start_retry_limit:
            text = f"Google had a server problem {job.start_retries + 1} times in a row: {message}"
            await self.outcomes.fail(job, JobStatus.SUBMITTING, FailureKind.SERVER, text)
            return
        delay_s = backoff_s(job.start_retries + 1, self.rng, base_s=4.0, cap_s=120.0)
        await self._requeue(job, delay_s=delay_s, note="Google had a server problem; retrying.", count=True)

    async def _requeue(self, job: Job, *, delay_s: float | None, note: str, count: bool = False) -> None:
        now_ms = self.clock.wall_ms()
        retry_at = None if delay_s is None else now_ms + int(delay_s * 1000)
        await self.store.run(
            lambda s: s.requeue(
                job.id, retry_at_ms=retry_at, note=note, count_start_retry=count, now_ms=now_ms, fence=job.fence
            )
        )
        self.notify(freed_slot=True)

    async def _unknown(self, job: Job, message: str) -> None:
        now_ms = self.clock.wall_ms()
        await self.store.run(lambda s: s.mark_unknown(job.id, message=message, now_ms=now_ms, fence=job.fence))
        self.notify(freed_slot=True)
