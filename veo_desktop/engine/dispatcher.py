"""The dispatcher: runs at most `max_in_flight` generations, strictly first in, first out.

It is asyncio only (no Qt): it takes the store, a provider and a clock as parameters, so the same code runs
inside the GUI's qasync loop, in the CLI, and in tests on a virtual or scaled clock.

Concurrency policy
- Starting is claimed in the store (`claim_next`, one BEGIN IMMEDIATE transaction), so several processes on
  one store together never exceed the slot limit and never claim one job twice.
- A freed slot refills at once: whoever frees it calls `wake()`; timers are only a fallback for gates that
  open with time (rate window, quota cooldown, a retry time) and for changes made by other processes.
- The paid start call is never repeated when its outcome is unknown; polling and downloading are idempotent
  and retried with backoff until Google's 2-day retention runs out.
- A store outage (a team database restarting or out of reach, a SQLite file held by another program) ends
  nothing: the parts wait for the store (`steady.SteadyStore`), the loop backs off, and running jobs keep
  being polled. Nothing is started without a claim the store returned; a claim whose answer was lost is
  resolved by adopting first once the store is back (never sent, so it returns to its place).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from pathlib import Path
from typing import Any

from veo_desktop import faults
from veo_desktop.client.base import VeoProvider
from veo_desktop.core.jobs import Job
from veo_desktop.core.scheduling import RATE_WINDOW_MS, SlotConfig, start_gate
from veo_desktop.core.states import ACTIVE, JobStatus
from veo_desktop.engine.adoption import sweep_parts, take_over
from veo_desktop.engine.config import DispatchConfig, DispatcherDeps
from veo_desktop.engine.downloader import Downloader
from veo_desktop.engine.outcomes import OutcomeRecorder
from veo_desktop.engine.relay import PollRelay
from veo_desktop.engine.starter import Starter
from veo_desktop.engine.steady import OUTAGE_ERRORS, SteadyStore, outage_backoff_s
from veo_desktop.engine.texts import HELD_NOTE, needs_provider_note
from veo_desktop.engine.tracker import Tracker
from veo_desktop.store.base import Holder, StaleTransition, Store

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(self, deps: DispatcherDeps, config: DispatchConfig | None = None) -> None:
        self.deps = deps
        self.config = config = config or DispatchConfig()
        self._wake = asyncio.Event()
        self._stopping = False
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._main: asyncio.Task[None] | None = None
        self._last_version = -1
        # The parts wait out store outages; the claim alone goes to the plain store (see `fill_slots`).
        self.store = store = SteadyStore(deps.store, clock=deps.clock, rng=deps.rng, on_outage=self._outage)
        self._adopt_soon = False
        clock, providers, notify = deps.clock, deps.providers, self._changed
        self.outcomes = OutcomeRecorder(
            store=store,
            clock=clock,
            providers=providers,
            staging_dir=deps.folders.staging_dir,
            retention_s=config.retention_s,
            notify=notify,
        )
        self.starter = Starter(
            store=store,
            clock=clock,
            providers=providers,
            notify=notify,
            frames_dir=deps.folders.frames_dir,
            rng=deps.rng,
            start_retry_limit=config.start_retry_limit,
            hold_s=deps.hold_s,
            outcomes=self.outcomes,
            catalogue=deps.catalogue,
        )
        self.downloader = Downloader(
            store=store,
            clock=clock,
            providers=providers,
            notify=notify,
            library_dir=deps.folders.library_dir,
            rng=deps.rng,
            retention_s=config.retention_s,
            outcomes=self.outcomes,
            catalogue=deps.catalogue,
        )
        self.tracker = Tracker(
            store=store,
            clock=clock,
            policy=config.poll,
            rng=deps.rng,
            priors_s=deps.priors_s,
            outcomes=self.outcomes,
            downloader=self.downloader,
            notify=notify,
        )
        self.relay = PollRelay(
            store=store,
            clock=clock,
            providers=providers,
            policy=config.poll,
            rng=deps.rng,
            priors_s=deps.priors_s,
            staging_dir=deps.folders.staging_dir,
            retention_s=config.retention_s,
            notify=notify,
            catalogue=deps.catalogue,
        )
        self.refill_gaps_ms: list[float] = []
        self._freed_at: float | None = None
        # Jobs this process has claimed and whose start call has not answered yet (see `run`).
        self._starting: set[str] = set()

    # --- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> asyncio.Task[None]:
        if self._main is None:
            self._main = asyncio.create_task(self.run(), name="veo-dispatcher")
        return self._main

    async def stop(self) -> None:
        """Stop starting and polling; jobs in flight stay in the store and resume at the next launch.

        A start call already on the wire is given `stop_grace_s` to answer, so a normal quit records its
        operation name instead of leaving the job in "start outcome unknown"."""
        self._stopping = True
        self._wake.set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.config.stop_grace_s
        while self._starting and loop.time() < deadline:
            await asyncio.sleep(0.01)  # real time: the answer comes over the network
        tasks = [t for t in (self._main, *self._tasks.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        with contextlib.suppress(Exception):
            holder = self.deps.holder
            await self.deps.store.run(lambda s: s.release_leases(owner=holder))

    def abandon(self) -> list[asyncio.Task[None]]:
        """Stop where everything stands, as a killed process would: no lease released, no answer awaited.
        Returns the cancelled tasks (await them to let them finish unwinding)."""
        self._stopping = True
        tasks = [t for t in (self._main, *self._tasks.values()) if t is not None]
        for task in tasks:
            task.cancel()
        return tasks

    def reconfigure(
        self,
        *,
        slots: SlotConfig | None = None,
        library_dir: Path | None = None,
        provider: tuple[str, VeoProvider] | None = None,
    ) -> None:
        """Live settings: slot limits, the library folder, the provider new jobs use (earlier ones stay
        available for the jobs queued with them)."""
        if slots is not None:
            self.config = replace(self.config, slots=slots)
        if library_dir is not None:
            self.downloader.library_dir = library_dir
        if provider is not None:
            self.deps.providers.use(*provider)
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    @property
    def tracked_jobs(self) -> frozenset[str]:
        return frozenset(self._tasks)

    # --- main loop -------------------------------------------------------------------------------------
    async def run(self) -> None:
        adopted = await self.adopt()
        folders = self.deps.folders
        await sweep_parts(
            self.store, self.deps.holder, {j.id for j in adopted}, self.downloader.library_dir, folders.staging_dir
        )
        next_adopt = self.deps.clock.monotonic() + self.config.adopt_every_s
        next_renew = self.deps.clock.monotonic()
        outages = 0
        while not self._stopping:
            self._wake.clear()
            try:
                next_adopt, next_renew = await self._round(next_adopt, next_renew)
                outages = 0
            except OUTAGE_ERRORS as exc:  # a safety net: the parts wait out outages themselves
                outages += 1
                self._outage()
                log.warning("the queue database did not answer; retrying: %s", exc)
                await self._wait_for_wake(outage_backoff_s(outages, self.deps.rng))

    async def _round(self, next_adopt: float, next_renew: float) -> tuple[float, float]:
        """One turn of the loop: start what may start, renew, adopt, then sleep until something changes."""
        if self._adopt_soon and not self._starting:
            # After an outage, before any claim: a claim whose answer was lost holds its job in `submitting`
            # (never sent); adopting sends it back to its place, and retakes jobs whose last write was lost.
            self._adopt_soon = False
            await self.adopt()
        await self.fill_slots()
        now = self.deps.clock.monotonic()
        if now >= next_renew:
            await self._renew_leases()
            next_renew = now + self.config.lease_ms / 3000
        # Never adopt while one of our own start calls is out: `adopt_active` turns every `submitting`
        # job of this owner into unknown_start (right after a restart, that is what it must do), so a
        # periodic adopt landing mid-start would strand a paid generation. Postponed, not skipped.
        if now >= next_adopt and not self._starting:
            await self.adopt()
            next_adopt = now + self.config.adopt_every_s
        timeout = await self._idle_timeout()
        await self._wait_for_wake(timeout)
        await self._check_external_changes()
        return next_adopt, next_renew

    def _outage(self) -> None:
        """The store did not answer a call: adopt before the next claim, and let the views show it."""
        self._adopt_soon = True
        self.deps.on_change()

    async def _wait_for_wake(self, timeout_s: float) -> None:
        sleeper = asyncio.ensure_future(self.deps.clock.sleep(timeout_s))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for fut in (sleeper, waker):
                fut.cancel()
            # Reap the helpers with gather, not `suppress(CancelledError): await fut`: that also swallowed a
            # cancellation of *this* task arriving while it waited here, so a cancelled dispatcher kept
            # running (found by the fault campaign's state machine; a cancel without stop() never ended).
            await asyncio.gather(sleeper, waker, return_exceptions=True)

    async def _idle_timeout(self) -> float:
        """Sleep until the next time-based gate opens, but look around at least every idle_check_s."""
        now_ms = self.deps.clock.wall_ms()
        slots, names, retired = self.config.slots, self.deps.providers.names(), self._held

        def read(s: Store) -> int | None:
            state = s.queue_state()
            if state.paused:
                return None
            waiting = _runnable(s, names, retired)
            if not waiting:
                return None
            held = [j for j in s.list_jobs([JobStatus.UNKNOWN_START]) if (j.slot_hold_until_ms or 0) > now_ms]
            gate = start_gate(
                in_flight=len(s.list_jobs([JobStatus.SUBMITTING, JobStatus.RUNNING])) + len(held),
                recent_start_ms=s.recent_start_times_ms(since_ms=now_ms - RATE_WINDOW_MS),
                now_ms=now_ms,
                config=slots,
                cooldown_until_ms=state.cooldown_until_ms,
            )
            head_retry = waiting[0].retry_at_ms
            hold_ends = min((j.slot_hold_until_ms or 0 for j in held), default=None)
            if gate is not None and hold_ends is not None:
                gate = min(gate, hold_ends)  # a slot an unknown start holds frees by itself then
            candidates = [t for t in (gate, head_retry) if t is not None]
            return max(candidates) if candidates else None

        opens_at_ms = await self.store.run(read)
        timeout = self.config.idle_check_s
        if opens_at_ms is not None:
            timeout = min(timeout, max(0.0, (opens_at_ms - now_ms) / 1000))
        return max(timeout, 0.001)

    async def _check_external_changes(self) -> None:
        version = await self.store.run(lambda s: s.data_version())
        if version != self._last_version:
            self._last_version = version
            self.deps.on_change()

    def _changed(self, freed_slot: bool = False) -> None:
        if freed_slot:
            self._freed_at = self.deps.clock.monotonic()
        self._wake.set()
        self.deps.on_change()

    # --- starting --------------------------------------------------------------------------------------
    async def fill_slots(self) -> int:
        """Claim and start the next runnable job; returns how many were claimed (0 or 1).

        One start call is on the wire at a time: the next claim waits for its answer (the start task wakes
        the loop). So starts are accepted in strict FIFO order even when Google answers one of them 429,
        and a quota storm costs one refused call, not one per free slot."""
        started = 0
        while not self._stopping and not self._starting:
            faults.hit("before_claim")
            claim = functools.partial(
                _claim,
                owner=self.deps.holder,
                now_ms=self.deps.clock.wall_ms(),
                lease_ms=self.config.lease_ms,
                config=self.config.slots,
                providers=self.deps.providers.startable(),
                skip_models=self._held_models(),
            )
            try:
                job = await self.deps.store.run(claim)  # never through SteadyStore: no second, blind claim
            except OUTAGE_ERRORS:
                self._outage()  # did it land? The adopt after the outage finds out; nothing was sent
                return started
            if job is None:
                return started
            faults.hit("after_claim")
            if self._freed_at is not None:
                gap_ms = (self.deps.clock.monotonic() - self._freed_at) * 1000
                self.refill_gaps_ms.append(gap_ms)
                self._freed_at = None
            started += 1
            self._starting.add(job.id)
            self.deps.on_change()
            self._spawn(job.id, self._start_then_track(job))
        return started

    async def _start_then_track(self, job: Job) -> None:
        try:
            running = await self.starter.start(job)
        finally:
            self._starting.discard(job.id)
            self._wake.set()  # the next start may go now
        if running is not None and not self._stopping:
            await self.tracker.track(running)

    def _held(self, job: Job) -> bool:
        """A waiting job of a retired model (or an old Gemini Veo job): kept, never started, never failed."""
        catalogue = self.deps.catalogue
        return catalogue is not None and catalogue.is_held(job)

    def _held_models(self) -> frozenset[str]:
        catalogue = self.deps.catalogue
        return catalogue.held_models() if catalogue is not None else frozenset()

    # --- polling and downloading -------------------------------------------------------------------------
    async def adopt(self) -> list[Job]:
        """Take over active jobs (ours from a previous run, of a dead process on this host, or whose lease
        expired; running jobs of any creator to poll; our creator's videos another desktop saw done) and track
        them, polling each at once: it may have finished while nobody watched it. Returns our creator's."""
        take = functools.partial(
            take_over,
            holder=self.deps.holder,
            now_ms=self.deps.clock.wall_ms(),
            lease_ms=self.config.lease_ms,
            providers=self.deps.providers.names(),
            alive=self.deps.alive,
        )
        adopted = await self.store.run(take)
        for job in adopted.jobs:
            if job.id not in self._tasks and job.status in (JobStatus.RUNNING, JobStatus.DOWNLOADING):
                self._spawn(job.id, self.tracker.track(job, poll_at_once=True))
        for polled in adopted.polls:
            if polled.id not in self._tasks:
                self._spawn(polled.id, self.relay.track(polled))
        if adopted.jobs or adopted.polls:
            self._changed()
        return adopted.jobs

    # --- upkeep ------------------------------------------------------------------------------------------
    async def _renew_leases(self) -> None:
        holder, lease_ms = self.deps.holder, self.config.lease_ms
        now_ms = self.deps.clock.wall_ms()
        await self.store.run(lambda s: s.renew_leases(owner=holder, now_ms=now_ms, lease_ms=lease_ms))

    def _spawn(self, job_id: str, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks[job_id] = task

        def done(t: asyncio.Task[None], job_id: str = job_id) -> None:
            if self._tasks.get(job_id) is t:
                del self._tasks[job_id]
            if t.cancelled():
                return
            exc = t.exception()
            if isinstance(exc, StaleTransition):
                log.info("job %s was moved by another process: %s", job_id, exc)
            elif exc is not None:
                log.error("job %s task failed", job_id, exc_info=exc)
            self._changed()

        task.add_done_callback(done)

    async def idle(self) -> bool:
        """True when this dispatcher tracks nothing and nothing can start: no job in flight, and no job
        waiting unless the queue is paused (the CLI's `run` stops then)."""
        if self._tasks:
            return False

        names, held = self.deps.providers.names(), self._held

        def read(s: Store) -> bool:
            if s.list_jobs(list(ACTIVE)):
                return False
            return s.queue_state().paused or not _runnable(s, names, held)

        return await self.store.run(read)


def _runnable(s: Store, names: frozenset[str], held: Callable[[Job], bool] = lambda job: False) -> list[Job]:
    """Waiting jobs this process can start, in FIFO order; the others get a note: the model is retired (held,
    one offer to move them all), or the provider this process lacks."""
    waiting = s.waiting_jobs()
    ours = [j for j in waiting if j.provider in names and not held(j)]
    for job in waiting:
        if held(job):
            note = HELD_NOTE
        elif job.provider not in names:
            note = needs_provider_note(job.provider, names)
        else:
            continue
        if job.note != note:
            s.set_note(job.id, note)
    return ours


def _claim(
    s: Store,
    *,
    owner: Holder,
    now_ms: int,
    lease_ms: int,
    config: SlotConfig,
    providers: frozenset[str],
    skip_models: frozenset[str],
) -> Job | None:
    # One start on the wire per store: starts reach Google in queue order even from several processes.
    return s.claim_next(
        owner=owner,
        now_ms=now_ms,
        lease_ms=lease_ms,
        config=config,
        one_on_wire=True,
        providers=providers,
        skip_models=skip_models,
    )
