"""The paid start call and what each answer means for the job (veo-api.md "Errors", reliability.md rules).

| answer                               | job                                   | ledger  | queue                  |
|--------------------------------------|---------------------------------------|---------|------------------------|
| 200 with an operation name           | running                               | -       | -                      |
| never sent (connect error)           | back to its place, retry soon         | -       | -                      |
| 429 RESOURCE_EXHAUSTED               | back to its place, retry after delay  | -       | cooldown for everyone  |
| 401/403, token invalid_grant         | back to its place                     | -       | paused: asks for a key |
| express mode refused, spend cap      | back to its place                     | -       | paused: names the fix  |
| not accepted (503 envelope, 409)     | back to its place, retry after backoff| -       | -                      |
| other 5xx seen as transient          | a few retries, then failed            | refund  | -                      |
| 400 / 404                            | failed with the server's message      | refund  | -                      |
| sent, no usable answer (timeout ...) | start outcome unknown: user decides   | -       | -                      |

Around the call the desktop's outbox (core/outbox.py) journals `sending`, then the answer (`answered(op)`, or
`not_sent` when it proves nothing started), each on disk before the next step; the entry goes once the store
recorded the outcome. A start is sent only inside its lease (`leases.SubmitLease`), else it goes back unsent.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from veo_desktop import faults
from veo_desktop.client.base import StartSpec
from veo_desktop.core.clock import Clock
from veo_desktop.core.errors import (
    AuthError,
    NotAcceptedError,
    NotFoundError,
    NotSentError,
    PermanentError,
    ProtocolError,
    QuotaError,
    StartOutcomeUnknown,
    StoreError,
    TransientError,
    VeoError,
)
from veo_desktop.core.jobs import Job
from veo_desktop.core.outbox import OutboxEntry, StartState
from veo_desktop.core.scheduling import backoff_s
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.engine.catalogue_live import LiveCatalogue
from veo_desktop.engine.config import Notify, Providers, StartJournal
from veo_desktop.engine.leases import SubmitLease
from veo_desktop.engine.outcomes import OutcomeRecorder
from veo_desktop.engine.specs import ParentMissing, build_spec
from veo_desktop.engine.texts import pause_note
from veo_desktop.logsafe import mask
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.base import Holder

log = logging.getLogger(__name__)
T = TypeVar("T")

LEASE_SHORT_NOTE = "The start lease ran short before sending; this video never left and waits at its place."
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
        journal: StartJournal,
        holder: Holder,
        lease: SubmitLease,
        on_unrecorded: Callable[[], None],
        catalogue: LiveCatalogue | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.journal = journal
        self.holder = holder
        self.lease = lease
        self.on_unrecorded = on_unrecorded  # an outcome the store did not record: replay the outbox soon
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
        self._not_accepted = 0

    async def spec_for(self, job: Job) -> StartSpec:
        """The start request of `job` (frames, references, an extension's input video, a refine's parent)."""
        return await build_spec(job, store=self.store, frames_dir=self.frames_dir)

    async def start(self, job: Job, *, claimed_at_s: float | None = None) -> Job | None:
        """Send the start call for a claimed (`submitting`) job; returns the running job, or None.

        "About to send" is committed first, on its own: a crash before it leaves a job that provably never
        left (it goes back to its place); after it, the start is unknown and keeps its slot for the model's
        longest generation time. The outbox journals `sending` before the POST and Google's answer before the
        store hears of it, so a replay recovers an answer the store missed (engine/replay.py). The request
        goes out only with enough of the lease taken at `claimed_at_s` (monotonic) left."""
        try:
            spec = await self.spec_for(job)
        except ParentMissing as exc:  # nothing was sent: fail with a refund
            await self.outcomes.fail(job, JobStatus.SUBMITTING, FailureKind.LOCAL, str(exc))
            return None
        operation = await self._send(job, spec, claimed_at_s)
        if operation is None:
            return None
        faults.hit("after_start_response")
        await self._journal(job, StartState.ANSWERED, operation)
        faults.hit("late_answer")
        now_ms, fence = self.clock.wall_ms(), job.fence
        running = await self._settled(
            job,
            self.store.run(lambda s: s.mark_running(job.id, operation_name=operation, now_ms=now_ms, fence=fence)),
        )
        faults.hit("after_mark_running")
        self._quota_strikes = 0
        self._not_accepted = 0
        self.notify()
        return running

    async def _send(self, job: Job, spec: StartSpec, claimed_at_s: float | None) -> str | None:
        """Commit "about to send", journal `sending`, and send inside the lease. Returns Google's operation name,
        or None when the start ended otherwise (its outcome recorded: back in line, failed or unknown)."""
        sent_ms = self.clock.wall_ms()
        hold_ms = sent_ms + int(self.hold_s(job.request.model_id) * 1000)
        # Both on disk before the request leaves; neither needs the other first (a `sending` entry whose
        # "about to send" never committed finds the job back in line at replay), so they run side by side.
        await asyncio.gather(
            self.store.run(lambda s: s.mark_sending(job.id, fence=job.fence, now_ms=sent_ms, hold_until_ms=hold_ms)),
            self._journal(job, StartState.SENDING),
        )
        faults.hit("before_start_request")
        faults.hit("outbox_sending")
        if claimed_at_s is not None and not self.lease.may_send(claimed_at_s):
            await self._release(job)
            return None
        try:
            async with self.lease.kept_alive():
                return await self.providers.of(job).start(spec)
        except VeoError as exc:
            await self._settled(job, self._start_failed(job, exc))
        except Exception as exc:  # a bug or a local error: we cannot know whether it was sent
            log.exception("unexpected error while starting job %s", job.id)
            await self._settled(job, self._unknown(job, f"{UNKNOWN_MESSAGE} ({type(exc).__name__})"))
        return None

    async def _journal(self, job: Job, state: StartState, operation: str | None = None) -> None:
        """Write the start's outbox entry. An outbox that cannot be written (a full or read-only disk) costs only
        the recovery it offers: the start goes on as it would without one, never blocked by it."""
        me = self.holder
        at_ms = self.clock.wall_ms()
        entry = OutboxEntry(job.id, job.fence, state, at_ms, me.host, me.pid, me.token, operation_name=operation)
        try:
            await self.journal.record(entry)
        except StoreError:
            log.warning("could not write the outbox entry of job %s (%s)", job.id, state.value, exc_info=True)

    async def _settled(self, job: Job, outcome: Awaitable[T]) -> T:
        """Record a start's outcome in the store, then drop its outbox entry. When the store refuses or fails,
        the entry stays and the dispatcher replays it soon (an answer the store missed is not lost)."""
        try:
            result = await outcome
        except StoreError:
            self.on_unrecorded()
            raise
        self.journal.forget_soon(job.id, job.fence)  # off the start's path: the next claim need not wait for it
        return result

    async def _release(self, job: Job) -> None:
        """Too little of the lease is left to send inside it: the start goes back to its place, unsent."""
        log.warning("job %s: the start lease ran short before sending; back to its place", job.id)
        await self._journal(job, StartState.NOT_SENT)
        now_ms = self.clock.wall_ms()
        release = self.store.run(
            lambda s: s.release_unsent(job.id, fence=job.fence, now_ms=now_ms, note=LEASE_SHORT_NOTE)
        )
        await self._settled(job, release)
        self.notify(freed_slot=True)

    async def _start_failed(self, job: Job, exc: VeoError) -> None:
        message = mask(exc.message)
        if isinstance(exc, QuotaError):
            await self._quota(job, exc)
        elif isinstance(exc, NotSentError):
            await self._requeue(job, delay_s=backoff_s(1, self.rng), note="Could not reach Google; retrying.")
        elif isinstance(exc, AuthError):
            await self._requeue(job, delay_s=None, note=pause_note(exc))
            await self.outcomes.pause_for_auth(exc)
        elif isinstance(exc, NotAcceptedError):
            self._not_accepted += 1
            delay_s = exc.retry_after_s or backoff_s(self._not_accepted, self.rng, base_s=5.0, cap_s=300.0)
            note = f"Google did not take the request; retrying in {round(delay_s)} s."
            await self._requeue(job, delay_s=delay_s, note=note)
        elif isinstance(exc, StartOutcomeUnknown | ProtocolError):
            await self._unknown(job, f"{UNKNOWN_MESSAGE} ({message})")
        elif isinstance(exc, TransientError):
            await self._server_error(job, message)
        elif isinstance(exc, NotFoundError):
            text = f"Google does not know this model any more (it may be retired): {message}"
            await self.outcomes.fail(job, JobStatus.SUBMITTING, FailureKind.NOT_FOUND, text)
            await self._retire(job.request.model_id)
        elif isinstance(exc, PermanentError):
            text = f"Google refused the request: {message}"
            await self.outcomes.fail(job, JobStatus.SUBMITTING, FailureKind.INVALID, text)
        else:
            await self._unknown(job, f"{UNKNOWN_MESSAGE} ({message})")

    async def _retire(self, model_id: str) -> None:
        """A model answering 404 at start is retired here and in the user catalogue file: the jobs still
        waiting on it are held together (one offer to move them), not failed one start at a time."""
        if self.catalogue is None:
            return
        log.warning("model %s answered 404 at start; marking it retired", model_id)
        await asyncio.to_thread(self.catalogue.retire, [model_id], self.clock.wall_ms())
        self.notify()

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
        """The answer proves nothing started: journaled as not sent first, so a replay puts it back too."""
        await self._journal(job, StartState.NOT_SENT)
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
