"""Polling answers and terminal outcomes: what a poll result or a finished operation does to a job.

Poll errors never fail a job while Google still keeps the operation (2 days): they are retried with
backoff. A finished operation either moves the job to `downloading` or fails it with a refund.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from veo_desktop import faults
from veo_desktop.client.base import OperationStatus
from veo_desktop.core.clock import Clock
from veo_desktop.core.errors import AuthError, NotFoundError, VeoError
from veo_desktop.core.jobs import Job
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.engine.config import Notify, Providers
from veo_desktop.engine.texts import PAUSE_PREFIX, pause_explanation
from veo_desktop.logsafe import mask
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.base import StaleTransition, Store

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

    async def pause_for_auth(self, error: AuthError) -> None:
        """Pause the whole queue once with one plain explanation (every waiting job would meet the same)."""
        reason = (PAUSE_PREFIX + pause_explanation(error))[:400]

        def pause(s: Store) -> None:
            state = s.queue_state()
            if not (state.paused and state.pause_reason == reason):
                s.set_paused(True, reason=reason)

        await self.store.run(pause)
        self.notify()

    async def poll_once(self, job: Job, *, elapsed_s: float, failures: int) -> PollResult:
        assert job.operation_name is not None
        name = job.operation_name
        faults.hit("before_poll")
        try:
            status = await self.providers.of(job).poll(name, staging_dir=self.staging_dir)
        except NotFoundError as exc:
            if job.status is JobStatus.RUNNING:
                text = f"Google no longer knows this generation (it expired after 2 days): {mask(exc.message)}"
                await self.fail(job, JobStatus.RUNNING, FailureKind.EXPIRED, text)
            else:
                await self.fail(job, JobStatus.DOWNLOADING, FailureKind.EXPIRED, "The video expired at Google.")
            return "stop"
        except AuthError as exc:
            await self.pause_for_auth(exc)
            await self.note(job, "Checking on this video needs valid credentials.")
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
        """A done operation: fail it (refund) or move it to downloading. True when there is a video to fetch.
        An answer that says the account stopped (`pause_error`, e.g. the spend cap) pauses the queue too."""
        if status.pause_error is not None:
            await self.pause_for_auth(status.pause_error)
        failure = done_failure(status)
        if failure is not None:
            await self._fail_done(job, failure.kind, failure.message, failure.reasons)
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


@dataclass(frozen=True, slots=True)
class DoneFailure:
    """Google's verdict on an operation that finished without a video to fetch."""

    kind: FailureKind
    message: str
    reasons: tuple[str, ...] = ()


def done_failure(status: OperationStatus) -> DoneFailure | None:
    """Why a finished operation fails its job (an operation error, the safety filter, no video), or None when
    there are videos to download. Pure: the owner's tracker and another creator's poller decide alike."""
    if status.error_code is not None:
        code = "cancelled" if status.cancelled else _GRPC_NAMES.get(status.error_code, f"code {status.error_code}")
        text = f"Google could not make this video ({code}): {mask(status.error_message or '')}".rstrip(": ")
        flag = _billing_flag(status)
        return DoneFailure(FailureKind.OPERATION_ERROR, (text.rstrip(".") + flag) if flag else text)
    if status.videos:
        return None
    if status.filtered_count or status.filter_reasons:
        text = "Google's safety filters blocked this video; you were not charged. Try rephrasing the prompt."
        return DoneFailure(FailureKind.FILTERED, text, status.filter_reasons)
    return DoneFailure(FailureKind.NO_VIDEO, "Google finished without returning a video.")


def _billing_flag(status: OperationStatus) -> str:
    """Contract §6: a policy block (code 3) is not billed; for other operation errors, and for Omni failures
    and cancellations, whether Google bills is not confirmed. Google's usage, when it sent one, is shown."""
    if status.error_code == 3 and not status.cancelled and status.video_tokens is None:
        return ""
    usage = ""
    if status.video_tokens is not None or status.input_tokens is not None:
        usage = f"; Google's usage: {status.input_tokens or 0} input and {status.video_tokens or 0} video tokens"
    return f" (refunded here; billing unconfirmed: Google may still bill it{usage})."
