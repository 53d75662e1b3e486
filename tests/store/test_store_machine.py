"""A Hypothesis state machine over the store: random moves (legal or not) against a small model, with the
ledger, slot and FIFO invariants checked after every step."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import hypothesis.strategies as st
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from veo_desktop.core.ids import new_job_id
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import TERMINAL, TRANSITIONS, FailureKind, IllegalTransition, JobStatus
from veo_desktop.store.base import NewJob, StaleTransition
from veo_desktop.store.sqlite import SqliteStore

from .helpers import DAY, T0, output, request

JS = JobStatus
SLOTS = SlotConfig(max_in_flight=2, max_starts_per_minute=0)
COSTS = st.sampled_from([0, 400_000, 3_200_000, 6_000_000])


@dataclass
class ModelJob:
    status: JobStatus
    cost: int
    # Per attempt: "live" (charged, may still be refunded), "refunded", or "kept" (an unknown start retried).
    attempts: list[str] = field(default_factory=lambda: ["live"])


# op -> (statuses it accepts, target, ledger effect on the current attempt)
OPS: dict[str, tuple[frozenset[JobStatus], JobStatus, str]] = {
    "mark_running": (frozenset({JS.SUBMITTING}), JS.RUNNING, ""),
    "requeue": (frozenset({JS.SUBMITTING}), JS.QUEUED, ""),
    "release_unsent": (frozenset({JS.SUBMITTING, JS.UNKNOWN_START}), JS.QUEUED, ""),
    "mark_unknown": (frozenset({JS.SUBMITTING}), JS.UNKNOWN_START, ""),
    "begin_download": (frozenset({JS.RUNNING}), JS.DOWNLOADING, ""),
    "complete": (frozenset({JS.DOWNLOADING}), JS.COMPLETED, ""),
    "fail": (frozenset({JS.SUBMITTING, JS.RUNNING, JS.DOWNLOADING, JS.UNKNOWN_START}), JS.FAILED, "refund"),
    "cancel": (frozenset({JS.QUEUED}), JS.CANCELLED, "refund"),
    "give_up": (frozenset({JS.UNKNOWN_START}), JS.FAILED, "refund"),
    "retry": (frozenset({JS.FAILED, JS.UNKNOWN_START}), JS.QUEUED, "new"),
    "edit": (frozenset({JS.QUEUED}), JS.QUEUED, "edit"),
}


class StoreMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.store = SqliteStore(":memory:")
        self.rng = random.Random(0)
        self.now = T0
        self.jobs: dict[str, ModelJob] = {}
        self.ids: list[str] = []

    @initialize()
    def start(self) -> None:
        self.store.set_daily_budget(None)

    def teardown(self) -> None:
        self.store.close()

    def tick(self) -> int:
        self.now += 1000
        return self.now

    @rule(n=st.integers(1, 3), cost=COSTS)
    def enqueue(self, n: int, cost: int) -> None:
        new = [NewJob(new_job_id(self.tick(), self.rng), request(f"p{i}"), cost, "vertex") for i in range(n)]
        for job in self.store.enqueue(new, now_ms=self.now, day_start_ms=DAY):
            self.jobs[job.id] = ModelJob(JS.QUEUED, cost)
            self.ids.append(job.id)

    @rule()
    def claim(self) -> None:
        waiting = self.store.waiting_jobs()
        in_flight = sum(1 for m in self.jobs.values() if m.status in (JS.SUBMITTING, JS.RUNNING))
        job = self.store.claim_next(owner="A", now_ms=self.tick(), lease_ms=10_000, config=SLOTS)
        if waiting and in_flight < SLOTS.max_in_flight:
            assert job is not None and job.id == waiting[0].id  # strict FIFO
            self.jobs[job.id].status = JS.SUBMITTING
        else:
            assert job is None

    @precondition(lambda self: self.ids)
    @rule(op=st.sampled_from(sorted(OPS)), pick=st.integers(0, 10_000), cost=COSTS)
    def act(self, op: str, pick: int, cost: int) -> None:
        job_id = self.ids[pick % len(self.ids)]
        model = self.jobs[job_id]
        sources, target, effect = OPS[op]
        before = self.store.get(job_id)
        if model.status not in sources:
            try:
                self._call(op, job_id, model, cost)
            except (StaleTransition, IllegalTransition):
                assert self.store.get(job_id) == before
                return
            raise AssertionError(f"{op} from {model.status} was accepted")
        self._call(op, job_id, model, cost)
        assert target in TRANSITIONS[model.status] or op == "edit"
        model.status = target
        if effect == "refund":
            model.attempts[-1] = "refunded"
        elif effect == "new":
            if model.attempts[-1] == "live":
                model.attempts[-1] = "kept"  # an unknown start may have been billed by Google
            model.attempts.append("live")
            model.cost = before.cost_micros if cost == 0 else cost
        elif effect == "edit":
            model.attempts[-1] = "refunded"
            model.attempts.append("live")
            model.cost = cost

    def _call(self, op: str, job_id: str, model: ModelJob, cost: int) -> None:
        s, now = self.store, self.tick()
        if op == "mark_running":
            s.mark_running(job_id, operation_name=f"op/{job_id}", now_ms=now)
        elif op == "requeue":
            s.requeue(job_id, retry_at_ms=None, note="busy", now_ms=now)
        elif op == "release_unsent":
            s.release_unsent(job_id, fence=None, now_ms=now, note="never sent")
        elif op == "mark_unknown":
            s.mark_unknown(job_id, message="timeout", now_ms=now)
        elif op == "begin_download":
            s.begin_download(job_id, now_ms=now)
        elif op == "complete":
            s.complete(job_id, outputs=[output()], now_ms=now)
        elif op == "fail":
            expected = model.status if model.status in OPS["fail"][0] else JS.RUNNING
            s.fail(job_id, expected=expected, kind=FailureKind.SERVER, message="503", now_ms=now)
        elif op == "cancel":
            s.cancel(job_id, now_ms=now)
        elif op == "give_up":
            s.give_up(job_id, now_ms=now)
        elif op == "retry":
            s.retry(job_id, now_ms=now, cost_micros=None if cost == 0 else cost)
        elif op == "edit":
            s.edit(job_id, request=request("edited"), cost_micros=cost, now_ms=now)

    # --- invariants ----------------------------------------------------------------------------------
    @invariant()
    def statuses_match_the_model(self) -> None:
        assert {j.id: j.status for j in self.store.list_jobs()} == {k: m.status for k, m in self.jobs.items()}

    @invariant()
    def ledger_is_balanced(self) -> None:
        """I4: one charge and at most one refund per attempt, a refund only after a charge, and the balance
        is the cost of the attempts that were not failed, cancelled or edited away."""
        seen: dict[tuple[str, int, str], int] = {}
        for e in self.store.ledger():
            assert (e.job_id, e.attempt, e.kind) not in seen
            if e.kind == "refund":
                assert seen[(e.job_id, e.attempt, "charge")] == e.amount_micros
            seen[(e.job_id, e.attempt, e.kind)] = e.amount_micros
        for job in self.store.list_jobs():
            model = self.jobs[job.id]
            assert job.attempt == len(model.attempts)
            kept = sum(
                seen[(job.id, n, "charge")] for n, state in enumerate(model.attempts, start=1) if state != "refunded"
            )
            assert job.charged_micros - job.refunded_micros == kept
            if job.status in TERMINAL - {JS.COMPLETED}:
                assert model.attempts[-1] == "refunded"
        balance = self.store.ledger_summary(day_start_ms=DAY, month_start_ms=DAY).balance_micros
        assert balance == sum(j.charged_micros - j.refunded_micros for j in self.store.list_jobs())

    @invariant()
    def slots_and_starts(self) -> None:
        assert len(self.store.list_jobs([JS.SUBMITTING, JS.RUNNING])) <= SLOTS.max_in_flight
        accepted = self.store._conn.execute(
            "SELECT COUNT(*) FROM starts WHERE outcome = 'accepted' GROUP BY job_id, attempt HAVING COUNT(*) > 1"
        ).fetchall()
        assert accepted == []  # I2 in the store: at most one accepted start per attempt

    @invariant()
    def events_follow_the_table(self) -> None:
        for e in self.store.events(limit=20):
            if e.from_status and e.to_status and e.from_status != e.to_status:
                assert JS(e.to_status) in TRANSITIONS[JS(e.from_status)]


StoreMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None, database=None)
TestStoreMachine = StoreMachine.TestCase
