"""Campaign 4, a Hypothesis `RuleBasedStateMachine` over the real store and dispatcher on a virtual clock
(the ManualClock rig of `veo_desktop.testing` with its FakeProvider playing Google). Rules: enqueue, advance
time, scripted server answers, crash and restart (the dispatcher's tasks cancelled wherever they stand,
leases kept, a new dispatcher with a new owner and pid on the same store, which sees the old pid gone and
takes over at once), cancel, reorder, pause/resume, wall-clock jumps, disk full on download. After every
step: I1–I4, I6, I7 (`check_invariants`, not yet settled); at the end the queue is resumed and driven
until every job settled, and I5 is checked too.

Needs Hypothesis (the `test` extra); everything else ships with the product.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from veo_desktop.bench.faults.invariants import InvariantReport, SimFigures, check_invariants
from veo_desktop.bench.faults.report import Table
from veo_desktop.core.clock import ManualClock
from veo_desktop.core.errors import (
    AuthError,
    NotSentError,
    PermanentError,
    ProtocolError,
    QuotaError,
    StartOutcomeUnknown,
    TransientError,
)
from veo_desktop.core.states import JobStatus
from veo_desktop.store.base import JobNotFound, StaleTransition
from veo_desktop.testing.provider import FakeProvider
from veo_desktop.testing.rig import Rig, make_rig, request

START_ERRORS: dict[str, Callable[[], BaseException]] = {
    "429": lambda: QuotaError("Quota exceeded.", http_status=429, retry_after_s=7),
    "429 bare": lambda: QuotaError("Quota exceeded.", http_status=429),
    "500": lambda: TransientError("Internal error.", http_status=500),
    "400": lambda: PermanentError("Bad request.", http_status=400),
    "403": lambda: AuthError("Forbidden.", http_status=403),
    "not sent": lambda: NotSentError("Connection refused."),
    "unknown": lambda: StartOutcomeUnknown("Read timeout after sending."),
}
POLL_ERRORS: dict[str, Callable[[], BaseException]] = {
    "500": lambda: TransientError("Internal error.", http_status=500),
    "bad answer": lambda: ProtocolError("Not JSON."),
}
DOWNLOAD_ERRORS: dict[str, Callable[[], BaseException]] = {
    "disk full": lambda: OSError(errno.ENOSPC, "No space left on device"),
    "reset": lambda: TransientError("Connection reset."),
}
T = TypeVar("T")
PID0 = 1000  # the pretend pid of the first process; each restart gets the next one
OUTCOMES = ("video", "video", "video", "filter", "error", "novideo")


class JumpClock(ManualClock):
    """A ManualClock whose wall time can jump (an NTP step, a laptop waking) while monotonic time does not."""

    def __init__(self) -> None:
        super().__init__()
        self.wall_offset_ms = 0

    def wall_ms(self) -> int:
        return super().wall_ms() + self.wall_offset_ms


class VeoMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.root = Path(tempfile.mkdtemp(prefix="veo-machine-"))
        self.clock = JumpClock()
        provider = FakeProvider(clock=self.clock, default_duration_s=40.0)
        self.rig: Rig = self.loop.run_until_complete(make_rig(self.root, provider=provider, clock=self.clock, pid=PID0))
        self.run(self.rig.store.run(lambda s: s.queue_state()))  # open and migrate before the first check
        self.job_ids: list[str] = []
        self.restarts = 0
        self.last_report = InvariantReport()

    # --- helpers ---------------------------------------------------------------------------------------
    def run(self, coro: Coroutine[Any, Any, T] | asyncio.Future[T]) -> T:
        return self.loop.run_until_complete(coro)

    def spin(self, rounds: int = 4) -> None:
        """Let tasks and store calls (a worker thread) make progress without moving virtual time."""
        for _ in range(rounds):
            self.run(asyncio.sleep(0.002))

    def report(self, *, settled: bool) -> InvariantReport:
        provider = self.rig.provider
        figures = SimFigures(Counter(provider.start_log), provider.peak_in_flight, frozenset())
        return check_invariants(
            self.root / "store.sqlite3",
            self.root / "library",
            figures,
            expected_job_ids=self.job_ids,
            settled=settled,
        )

    async def settle(self, done: Callable[[], Awaitable[bool]], real_timeout_s: float = 30.0) -> None:
        """Drive virtual time to the next deadline until `done`; fail (never hang) when nothing can move."""
        deadline = time.monotonic() + real_timeout_s
        while not await done():
            for _ in range(3):
                await asyncio.sleep(0.002)
            nxt = self.clock.next_deadline()
            if nxt is not None:
                # Coarse steps (at least 10 virtual seconds): after a backward wall-clock jump, leases and
                # cooldowns wait an hour of idle checks, which fine steps would take minutes to play.
                self.clock.set(max(nxt, self.clock.monotonic() + 10.0))
            if time.monotonic() > deadline:
                jobs = await self.rig.store.run(lambda s: s.list_jobs())
                state = [(j.id, j.status.value, j.note) for j in jobs]
                raise AssertionError(f"I5: jobs did not settle (next deadline {nxt}): {state}")

    # --- rules -----------------------------------------------------------------------------------------
    @rule(count=st.integers(1, 3), outcome=st.sampled_from(OUTCOMES))
    def enqueue(self, count: int, outcome: str) -> None:
        for _ in range(count):
            prompt = f"machine job {len(self.job_ids)} <{outcome}>"
            if outcome != "video":
                self.rig.provider.outcomes[f"<{outcome}>"] = outcome
            (job,) = self.run(self.rig.engine.submit(request(prompt)))
            self.job_ids.append(job.id)
        self.spin()

    @rule(seconds=st.sampled_from((0.5, 2.0, 8.0, 30.0, 61.0, 150.0)))
    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.spin()

    @rule()
    def tick(self) -> None:
        self.spin(8)

    @rule(kind=st.sampled_from(sorted(START_ERRORS)))
    def start_answer(self, kind: str) -> None:
        self.rig.provider.start_errors.append(START_ERRORS[kind]())

    @rule(kind=st.sampled_from(sorted(POLL_ERRORS)))
    def poll_answer(self, kind: str) -> None:
        self.rig.provider.poll_errors.append(POLL_ERRORS[kind]())

    @rule(kind=st.sampled_from(sorted(DOWNLOAD_ERRORS)))
    def download_trouble(self, kind: str) -> None:
        self.rig.provider.download_errors.append(DOWNLOAD_ERRORS[kind]())

    @rule()
    def crash_and_restart(self) -> None:
        """Cancel every task of the dispatcher where it stands (no lease released, like SIGKILL), then start
        a new dispatcher with a new owner on the same store, the way a relaunched app would."""
        self.restarts += 1
        pid = PID0 + self.restarts  # a relaunch on the same host: the killed process's pid is gone

        def alive(other: int) -> bool:
            return other == pid

        # The new dispatcher takes the dead process's jobs over at once and removes its partial files.
        self.run(self.rig.restart(f"owner-{self.restarts}", pid=pid, alive=alive))
        self.spin()

    @precondition(lambda self: bool(self.job_ids))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        job_id = data.draw(st.sampled_from(self.job_ids))
        with contextlib.suppress(StaleTransition, JobNotFound):  # not waiting any more: refused, as in the GUI
            self.run(self.rig.engine.cancel(job_id))
        self.spin()

    @rule(data=st.data())
    def reorder(self, data: st.DataObject) -> None:
        waiting = [j.id for j in self.run(self.rig.store.run(lambda s: s.waiting_jobs()))]
        if len(waiting) < 2:
            return
        order = data.draw(st.permutations(waiting))
        with contextlib.suppress(StaleTransition, JobNotFound):
            self.run(self.rig.engine.reorder(order))
        self.spin()

    @rule(paused=st.booleans())
    def pause_or_resume(self, paused: bool) -> None:
        self.run(self.rig.engine.pause() if paused else self.rig.engine.resume())
        self.spin()

    @rule(jump_s=st.sampled_from((-3600, -90, 90, 3600)))
    def clock_jump(self, jump_s: int) -> None:
        self.clock.wall_offset_ms += jump_s * 1000
        self.spin()

    # --- invariants ------------------------------------------------------------------------------------
    @invariant()
    def safety(self) -> None:
        """I1–I4, I6, I7 while jobs are still moving (files: completed ⇒ whole; orphans only at the end)."""
        self.last_report = self.report(settled=False)
        assert self.last_report.ok, self.last_report.violations

    def teardown(self) -> None:
        try:
            provider = self.rig.provider
            provider.start_errors.clear()
            provider.poll_errors.clear()
            provider.download_errors.clear()
            self.run(self.rig.engine.resume())
            settled = {JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.UNKNOWN_START}

            async def done() -> bool:
                jobs = await self.rig.store.run(lambda s: s.list_jobs())
                return all(j.status in settled for j in jobs) and not self.rig.dispatcher.tracked_jobs

            self.run(self.settle(done))
            final = self.report(settled=True)
            assert final.ok, final.violations  # I5 too: nothing left without a next action
            STATS.record(final, self.restarts)
        finally:
            self.run(self.rig.close())
            self.loop.close()
            shutil.rmtree(self.root, ignore_errors=True)


@dataclasses.dataclass
class MachineStats:
    runs: int = 0
    jobs: int = 0
    restarts: int = 0
    statuses: Counter[str] = dataclasses.field(default_factory=Counter)

    def record(self, report: InvariantReport, restarts: int) -> None:
        self.runs += 1
        self.jobs += report.jobs
        self.restarts += restarts
        self.statuses.update(report.statuses)


STATS = MachineStats()


def machine_settings(full: bool) -> settings:
    return settings(
        max_examples=300 if full else 12,
        stateful_step_count=60 if full else 25,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def run(*, full: bool, workdir: Path) -> Table:
    global STATS
    STATS = MachineStats()
    started = time.monotonic()
    table = Table(
        "Hypothesis state machine (store + dispatcher, virtual clock)",
        ("examples", "jobs", "restarts", "completed", "failed", "cancelled", "unknown start", "violations"),
    )
    test = VeoMachine.TestCase
    test.settings = machine_settings(full)
    try:
        test("runTest").runTest()
    except AssertionError as exc:  # Hypothesis shrinks and re-raises the failing example
        table.violations.append(str(exc)[:2000])
    table.add(
        examples=STATS.runs,
        jobs=STATS.jobs,
        restarts=STATS.restarts,
        completed=STATS.statuses["completed"],
        failed=STATS.statuses["failed"],
        cancelled=STATS.statuses["cancelled"],
        **{"unknown start": STATS.statuses["unknown_start"], "violations": len(table.violations)},
    )
    table.totals = {"seconds": round(time.monotonic() - started, 1)}
    return table
