"""Polling answers and terminal outcomes: what a poll result or a finished operation does to a job.

Poll errors never fail a job while Google still keeps the operation (2 days): they are retried with
backoff. A finished operation either moves the job to `downloading` or fails it with a refund.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from veo_desktop import faults
from veo_desktop.client.base import OperationStatus
from veo_desktop.core.clock import Clock
from veo_desktop.core.errors import AuthError, NotFoundError, VeoError
from veo_desktop.core.jobs import Job
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.engine.config import Notify, Providers
from veo_desktop.logsafe import mask
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.base import StaleTransition

log = logging.getLogger(__name__)

PollResult = OperationStatus | Literal["retry", "stop", "pending"]

_GRPC_NAMES = {3: "invalid argument", 8: "resource exhausted", 13: "internal error", 14: "unavailable"}


class OutcomeRecorder:
    def __init__(
        self,
        *,
        store: AsyncStore,
        clock: Clock,
        providers: Providers,
        staging_dir: Path,
        retention_s: float,
        notify: Notify,
    ) -> None:
        self.store = store
        self.clock = clock
        self.providers = providers
        self.staging_dir = staging_dir
        self.retention_s = retention_s
        self.notify = notify

    async def fail(
        self,
        job: Job,
        expected: JobStatus,
        kind: FailureKind,
        message: str,
        reasons: Sequence[str] = (),
    ) -> None:
        now_ms = self.clock.wall_ms()
        faults.hit("before_refund")
        await self.store.run(
            lambda s: s.fail(
                job.id,
                expected=expected,
                kind=kind,
                message=message,
                now_ms=now_ms,
                filter_reasons=reasons,
                fence=job.fence,
            )
        )
        faults.hit("after_refund")
        self.notify(freed_slot=expected in (JobStatus.SUBMITTING, JobStatus.RUNNING))

    async def pause_for_auth(self, message: str) -> None:
        reason = f"auth: {message}"[:300]
        await self.store.run(lambda s: s.set_paused(True, reason=reason))
        self.notify()

    async def poll_once(self, job: Job, *, elapsed_s: float, failures: int) -> PollResult:
        assert job.operation_name is not None
        name = job.operation_name
        faults.hit("before_poll")
        try:
            status = await self.providers.for_job(job.provider).poll(name, staging_dir=self.staging_dir)
        except NotFoundError as exc:
            if job.status is JobStatus.RUNNING:
                text = f"Google no longer knows this generation (it expired after 2 days): {mask(exc.message)}"
                await self.fail(job, JobStatus.RUNNING, FailureKind.EXPIRED, text)
            else:
                await self.fail(job, JobStatus.DOWNLOADING, FailureKind.EXPIRED, "The video expired at Google.")
            return "stop"
        except AuthError as exc:
            await self.pause_for_auth(mask(exc.message))
            await self.note(job, "Checking on this video needs a valid API key.")
            return "retry"
        except VeoError as exc:
            if elapsed_s > self.retention_s:
                await self.fail(job, job.status, FailureKind.EXPIRED, "Google's 2-day retention ran out.")
                return "stop"
            if failures >= 2:
                await self.note(job, f"Google did not answer as expected; retrying ({mask(exc.message)[:80]}).")
            return "retry"
        faults.hit("after_poll")
        if failures:
            await self.note(job, None)
        return status if status.done else "pending"

    async def note(self, job: Job, note: str | None) -> None:
        try:
            await self.store.run(lambda s: s.set_note(job.id, note))
        except Exception:  # a note is cosmetic; never let it stop tracking
            log.debug("could not set note on %s", job.id, exc_info=True)
        self.notify()

    async def finish_operation(self, job: Job, status: OperationStatus) -> bool:
        """A done operation: fail it (refund) or move it to downloading. True when there is a video to fetch."""
        if status.error_code is not None:
            code = _GRPC_NAMES.get(status.error_code, f"code {status.error_code}")
            text = f"Google could not make this video ({code}): {mask(status.error_message or '')}".rstrip(": ")
            await self._fail_done(job, FailureKind.OPERATION_ERROR, text)
            return False
        if not status.videos:
            if status.filtered_count or status.filter_reasons:
                text = "Google's safety filters blocked this video; you were not charged. Try rephrasing the prompt."
                await self._fail_done(job, FailureKind.FILTERED, text, status.filter_reasons)
            else:
                await self._fail_done(job, FailureKind.NO_VIDEO, "Google finished without returning a video.")
            return False
        if job.status is JobStatus.RUNNING:
            now_ms = self.clock.wall_ms()
            try:
                await self.store.run(lambda s: s.begin_download(job.id, now_ms=now_ms, fence=job.fence))
            except StaleTransition:
                return False  # another process got there first
        return True

    async def _fail_done(self, job: Job, kind: FailureKind, text: str, reasons: Sequence[str] = ()) -> None:
        await self.fail(job, job.status, kind, text, reasons)
