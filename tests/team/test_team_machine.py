"""T10: a Hypothesis state machine over three PostgresStore desktops on one real PostgreSQL: two of creator ana
(ana-1, ana-2) and one of creator bia, on a virtual clock the database takes as its own (the test clock).

Rules: enqueue, claim, the dispatcher's moves with the holder's fence, the person's moves, lease renewal, time
passing, a takeover (adopt_active) after a lease expired, poll by anyone and download by the creator
(machine_polling.py: adopt_for_polling, hand_over_download, fail_polled, release_polled, adopt_downloads), a
frozen desktop (or a superseded poller) coming back with its old fence
(StaleTransition, nothing changes), a member's direct writes to veo.jobs, veo.ledger and veo.events (permission
denied), a creator calling the API on the other creator's jobs (not found, nothing changes), and reads of the
other creator's prompts through every table and view (nothing). After every step: the statuses match the
model, held slots ≤ the team's cap, no fence issued twice, each creator's ledger balanced against the model,
places 1..k in FIFO order across creators, each creator sees only their own prompts, and I1–I4 and I7 of the
fault campaigns read from the team database (`check_invariants` with its PostgreSQL reader).

Short by default (it runs in the normal suite); `VEO_FULL_CAMPAIGNS=1` runs a long version.
"""

from __future__ import annotations

import json
import os
import random
from typing import Any, ClassVar

import hypothesis.strategies as st
import psycopg
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from tests.store import pg
from tests.store.helpers import DAY, T0, output, request
from tests.team.machine_model import (
    CAP,
    CREATORS,
    DESKTOPS,
    DIRECT_WRITES,
    FORGED,
    FORWARD,
    JS,
    LEASE_MS,
    OPS,
    PEEKS,
    SEND_HOLD_MS,
    STATS,
    VIEWS,
    ModelJob,
    TeamModel,
    ledger_problems,
)
from tests.team.machine_polling import Polling
from tests.team.machine_refusals import Refusals
from veo_desktop.bench.faults.invariants import check_invariants, pg_reader
from veo_desktop.core.errors import StaleTransition
from veo_desktop.core.ids import new_job_id
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import FailureKind, IllegalTransition
from veo_desktop.store.base import NewJob
from veo_desktop.store.postgres.store import PostgresStore

FULL = os.environ.get("VEO_FULL_CAMPAIGNS") == "1"
COSTS = st.sampled_from([0, 400_000, 3_200_000])
ANY_SLOTS = SlotConfig(max_in_flight=4, max_starts_per_minute=0)  # ignored: the team's pool row decides
PICK = st.integers(0, 10_000)


class TeamMachine(Polling, Refusals, RuleBasedStateMachine):
    cluster: ClassVar[pg.Cluster]

    def __init__(self) -> None:
        super().__init__()
        self.db = self.cluster.new_database(pg.TEMPLATE)
        self.admin = psycopg.connect(self.cluster.admin_url(self.db), autocommit=True)
        self.stores: dict[str, PostgresStore] = {}
        self.sql: dict[str, psycopg.Connection[Any]] = {}
        try:
            # Everyone is always present here (presence has its own tests); holds come from the pool row.
            self.admin.execute("UPDATE veo.pool SET presence_ms = 1000000000000000")
            for desk, creator in DESKTOPS.items():
                self.stores[desk] = PostgresStore(self.cluster.creator_url(self.db, creator), desktop_id=desk)
                self.stores[desk].heartbeat()
            for creator in CREATORS:
                self.sql[creator] = psycopg.connect(self.cluster.creator_url(self.db, creator), autocommit=True)
            self.stores["ana-1"].set_pool_config(max_in_flight=CAP, max_starts_per_minute=0, one_start_on_wire=False)
            self.hold_ms = int(self.admin.execute("SELECT hold_ms FROM veo.pool").fetchone()[0])  # type: ignore[index]
        except BaseException:
            self.teardown()
            raise
        self.model = TeamModel()
        self.now = T0
        self.rng = random.Random(0)
        self.refusals = 0

    def teardown(self) -> None:
        for store in self.stores.values():
            store.close()
        for conn in [*self.sql.values(), self.admin]:
            conn.close()
        self.cluster.drop_database(self.db)
        STATS["examples"] += 1
        STATS["jobs"] += len(getattr(self, "model", TeamModel()).jobs)
        STATS["refusals"] += getattr(self, "refusals", 0)

    # --- helpers ---------------------------------------------------------------------------------------
    def tick(self) -> int:
        self.now += 1000
        return self.now

    def pick(self, pick: int) -> tuple[str, ModelJob]:
        ids = sorted(self.model.jobs)
        job_id = ids[pick % len(ids)]
        return job_id, self.model.jobs[job_id]

    def desk_of(self, m: ModelJob, pick: int) -> str:
        """The desktop holding the job, else one of its creator's."""
        if m.holder is not None:
            return m.holder
        mine = [d for d, c in DESKTOPS.items() if c == m.creator]
        return mine[pick % len(mine)]

    def snapshot(self) -> tuple[list[Any], ...]:
        return tuple(
            self.admin.execute(sql).fetchall()
            for sql in (
                "SELECT * FROM veo.jobs ORDER BY id",
                "SELECT * FROM veo.ledger ORDER BY id",
                "SELECT id, job_id, to_status, detail FROM veo.events ORDER BY id",
                "SELECT * FROM veo.starts ORDER BY id",
            )
        )

    def call(self, store: PostgresStore, op: str, job_id: str, m: ModelJob, *, fence: int | None, **kw: Any) -> None:
        now = self.tick()
        if op == "mark_sending":
            store.mark_sending(job_id, fence=fence, now_ms=now, hold_until_ms=now + SEND_HOLD_MS)
        elif op == "mark_running":
            store.mark_running(job_id, operation_name=f"operations/{job_id}", now_ms=now, fence=fence)
        elif op == "requeue":
            retry_at = None if kw.get("retry_in_ms") is None else now + kw["retry_in_ms"]
            store.requeue(job_id, retry_at_ms=retry_at, note="busy", now_ms=now, fence=fence)
        elif op == "mark_unknown":
            store.mark_unknown(job_id, message="Timed out after sending.", now_ms=now, fence=fence)
        elif op == "begin_download":
            store.begin_download(job_id, now_ms=now, fence=fence)
        elif op == "complete":
            store.complete(job_id, outputs=[output(f"{job_id}.mp4")], now_ms=now, fence=fence)
        elif op == "fail":
            expected = kw.get("expected") or (m.status if m.status in OPS["fail"][0] else JS.RUNNING)
            store.fail(job_id, expected=expected, kind=FailureKind.SERVER, message="503", now_ms=now, fence=fence)
        elif op == "cancel":
            store.cancel(job_id, now_ms=now)
        elif op == "give_up":
            store.give_up(job_id, now_ms=now)
        elif op == "retry":
            cost = kw.get("cost") or None
            store.retry(job_id, now_ms=now, cost_micros=cost, day_start_ms=DAY)
        elif op == "hand_over_download":
            store.hand_over_download(job_id, fence=fence or 0, now_ms=now)
        elif op == "fail_polled":
            store.fail_polled(job_id, fence=fence or 0, kind=FailureKind.FILTERED, message="Filtered.", now_ms=now)
        elif op == "release_polled":
            store.release_polled(job_id, fence=fence or 0)

    # --- rules: the queue ------------------------------------------------------------------------------
    @initialize(order=st.lists(st.sampled_from(sorted(DESKTOPS)), min_size=2, max_size=5), cost=COSTS)
    def queue_first(self, order: list[str], cost: int) -> None:
        """Every example starts with a few jobs of both desktops' creators, interleaved."""
        for desk in order:
            self.enqueue(desk, 1, cost)

    @rule(desk=st.sampled_from(sorted(DESKTOPS)), n=st.integers(1, 3), cost=COSTS)
    def enqueue(self, desk: str, n: int, cost: int) -> None:
        creator, now = DESKTOPS[desk], self.tick()
        new = []
        for _ in range(n):
            job_id = new_job_id(now, self.rng)
            new.append(NewJob(job_id, request(f"{creator}'s secret shot {job_id}"), cost, "vertex"))
        for job in self.stores[desk].enqueue(new, now_ms=now, day_start_ms=DAY):
            self.model.jobs[job.id] = ModelJob(creator, job.request.prompt, JS.QUEUED, cost, self.model.place_at_end())

    @rule(desk=st.sampled_from(["head", "head", *sorted(DESKTOPS)]), pick=PICK)
    def claim_next(self, desk: str, pick: int) -> None:
        """A desktop claims; "head": a desktop of the head's creator (mostly a start), else any (FIFO says)."""
        if not self.model.waiting():
            self.enqueue(sorted(DESKTOPS)[pick % 3], 1, 400_000)
        waiting = self.model.waiting()
        if desk == "head":
            creator = self.model.jobs[waiting[0]].creator if waiting else CREATORS[pick % 2]
            mine = [d for d, c in DESKTOPS.items() if c == creator]
            desk = mine[pick % len(mine)]
        self.claim(desk)

    def claim(self, desk: str) -> None:
        now = self.tick()
        expected = self.model.expected_claim(DESKTOPS[desk], now)
        job = self.stores[desk].claim_next(owner=desk, now_ms=now, lease_ms=LEASE_MS, config=ANY_SLOTS)
        assert (job.id if job else None) == expected, (desk, self.model.waiting()[:3], self.model.held(now))
        if job is not None:
            assert job.fence is not None
            self.model.claimed(job.id, job.fence, desk, now)
            STATS["claims"] += 1

    @rule(
        move=st.sampled_from(["advance", "renew", "adopt", "downloads"]),
        desk=st.sampled_from(sorted(DESKTOPS)),
        seconds=st.sampled_from((5, 61, 200, 500)),
    )
    def leases(self, move: str, desk: str, seconds: int) -> None:
        """Time passes (leases expire, holds end), a desktop renews its leases, takes over its creator's jobs,
        or takes the downloads a poller handed to its creator."""
        if move == "advance":
            self.now += seconds * 1000
        elif move == "renew":
            self.renew(desk)
        elif move == "downloads":
            self.adopt_downloads(desk)
        else:
            self.adopt(desk)

    @rule(pick=PICK, comes_back=st.booleans())
    def takeover(self, pick: int, comes_back: bool) -> None:
        """A desktop stops renewing (frozen, cut off): past its lease, its creator's other desktop adopts its
        jobs (bia has one desktop: its relaunch does); the frozen one may then resume with its old fence."""
        leased = sorted(i for i, m in self.model.jobs.items() if m.holder is not None)
        if not leased:
            return
        m = self.model.jobs[leased[pick % len(leased)]]
        others = [d for d, c in DESKTOPS.items() if c == m.creator and d != m.holder]
        self.now = max(self.now, m.lease_until_ms) + 1000
        before = len(self.model.stale)
        self.adopt(others[0] if others else "bia-1")
        if comes_back and len(self.model.stale) > before:
            self.frozen_desktop_returns(len(self.model.stale) - 1, pick)

    def renew(self, desk: str) -> None:
        now = self.tick()
        self.stores[desk].renew_leases(owner=desk, now_ms=now, lease_ms=LEASE_MS)
        for m in self.model.jobs.values():
            if m.holder == desk and m.status in (JS.SUBMITTING, JS.RUNNING, JS.DOWNLOADING):
                m.lease_until_ms = now + LEASE_MS

    def adopt(self, desk: str) -> None:
        """adopt_active: this desktop's own leases and the expired ones of its creator's other desktops."""
        now, creator = self.tick(), DESKTOPS[desk]
        expected = set(self.model.adoptable(creator, desk, now))
        adopted = self.stores[desk].adopt_active(owner=desk, now_ms=now, lease_ms=LEASE_MS)
        taken = {j.id: j for j in adopted}
        moved = {i for i in expected if self.model.jobs[i].status is JS.SUBMITTING}
        assert set(taken) == expected - moved, (sorted(taken), sorted(expected))
        for job_id in sorted(expected):
            fence = taken[job_id].fence if job_id in taken else None
            taken_from = self.model.jobs[job_id].holder
            STATS["takeovers"] += taken_from is not None and taken_from != desk
            self.model.adopt(job_id, desk, now, fence or 0, self.hold_ms)
        for job_id in moved:
            assert self.stores[desk].get(job_id).status is self.model.jobs[job_id].status

    @rule(
        op=st.sampled_from(sorted(OPS)),
        pick=PICK,
        cost=COSTS,
        retry_in=st.sampled_from([None, None, 5000]),
        how=st.sampled_from(["forward", "forward", "legal", "any"]),
        moves=st.integers(1, 4),
    )
    def act(self, op: str, pick: int, cost: int, retry_in: int | None, how: str, moves: int) -> None:
        """One to four moves on jobs by their holder (or creator), with the job's current fence: the next
        step of a generation that goes well, any move its status allows, or any move at all (refused when
        its status does not allow it; nothing changes)."""
        names = sorted(OPS)
        for k in range(moves if self.model.jobs else 0):
            self.act_once(names[(names.index(op) + k) % len(names)], pick + 7919 * k, cost, retry_in, how)

    def act_once(self, op: str, pick: int, cost: int, retry_in: int | None, how: str) -> None:
        legal = how != "any"
        moving = sorted(
            i for i, m in self.model.jobs.items() if m.status not in (JS.QUEUED, JS.COMPLETED, JS.CANCELLED)
        )
        if moving and (legal or pick % 2):
            job_id = moving[pick % len(moving)]
            m = self.model.jobs[job_id]
        else:
            job_id, m = self.pick(pick)
        if self.model.polls_others(m):
            return  # another creator's desktop polls it: its moves are in poll_by_anyone
        allowed = sorted(o for o, (sources, _, _) in OPS.items() if m.status in sources)
        if how == "forward" and m.status is JS.QUEUED:
            self.claim(self.desk_of(m, pick))  # its next step is a claim (taken when it is the head)
            return
        if how == "forward" and m.status in FORWARD:
            op = FORWARD[m.status][pick % len(FORWARD[m.status])]
        elif legal and allowed and op not in allowed:
            op = allowed[sorted(OPS).index(op) % len(allowed)]
        store = self.stores[self.desk_of(m, pick)]
        sources = OPS[op][0]
        if m.status not in sources:
            before = self.snapshot()
            with pytest.raises((StaleTransition, IllegalTransition)):
                self.call(store, op, job_id, m, fence=m.fence, cost=cost, retry_in_ms=retry_in)
            assert self.snapshot() == before
            self.refusals += 1
            return
        now_before = self.now
        self.call(store, op, job_id, m, fence=m.fence, cost=cost, retry_in_ms=retry_in)
        assert self.now == now_before + 1000
        self.model.apply(op, job_id, self.now, hold_ms=self.hold_ms, cost=cost, retry_in_ms=retry_in)
        STATS[op] += 1

    # --- rules: what must be refused ---------------------------------------------------------------------
    @rule(kind=st.sampled_from(["frozen", "forge", "write", "read"]), data=st.data())
    def refused(self, kind: str, data: st.DataObject) -> None:
        """One of the moves that must be refused, and change nothing."""
        if kind in ("frozen", "forge") and not self.model.jobs:
            kind = "write"
        if kind == "frozen" and self.model.stale:
            self.frozen_desktop_returns(data.draw(PICK), data.draw(PICK))
        elif kind in ("frozen", "forge"):
            self.forge_another_creator(data.draw(st.sampled_from(FORGED)), data.draw(PICK))
        elif kind == "write":
            table = data.draw(st.sampled_from(sorted(DIRECT_WRITES)))
            self.direct_write(data.draw(st.sampled_from(CREATORS)), table, data.draw(st.integers(0, 2)))
        else:
            self.read_around_the_policies(data.draw(st.sampled_from(CREATORS)))

    # --- invariants --------------------------------------------------------------------------------------
    @invariant()
    def statuses_match_the_model(self) -> None:
        STATS["steps"] += 1
        rows: dict[str, str] = dict(self.admin.execute("SELECT id, status FROM veo.jobs").fetchall())
        assert rows == {i: m.status.value for i, m in self.model.jobs.items()}

    @invariant()
    def held_slots_within_the_cap(self) -> None:
        (held,) = self.admin.execute(
            "SELECT count(*) FROM veo.jobs WHERE slot IS NOT NULL "
            "AND NOT (status = 'unknown_start' AND slot_hold_until_ms <= %s)",
            (self.now,),
        ).fetchone()  # type: ignore[misc]
        assert held == self.model.held(self.now) <= CAP

    @invariant()
    def no_fence_twice(self) -> None:
        for sql in (
            "SELECT fence FROM veo.starts GROUP BY fence HAVING count(*) > 1",
            "SELECT fence FROM veo.jobs WHERE fence <> 0 GROUP BY fence HAVING count(*) > 1",
        ):
            assert self.admin.execute(sql).fetchall() == []

    @invariant()
    def ledger_per_creator(self) -> None:
        spending = {c: b for c, _, b in self.stores["ana-1"].spending()}
        for creator in CREATORS:
            store = self.stores[f"{creator}-1"]
            entries = [(e.job_id, e.attempt, e.kind, e.amount_micros) for e in store.ledger()]
            mine = {i: m for i, m in self.model.jobs.items() if m.creator == creator}
            assert {e[0] for e in entries} <= set(mine)
            assert ledger_problems(entries, mine) == []
            net = sum(a if k == "charge" else -a for _, _, k, a in entries)
            assert store.ledger_summary(day_start_ms=DAY, month_start_ms=DAY).balance_micros == net
            assert spending[creator] == net

    @invariant()
    def places_in_fifo_order(self) -> None:
        waiting = self.model.waiting()
        for desk, store in self.stores.items():
            places = [p for p in store.queue_places().places if p.position is not None]
            assert [p.job_id for p in places] == waiting
            assert [p.position for p in places] == list(range(1, len(waiting) + 1))
            assert all(p.mine == (self.model.jobs[p.job_id].creator == DESKTOPS[desk]) for p in places)

    @invariant()
    def each_creator_sees_only_their_prompts(self) -> None:
        for creator, conn in self.sql.items():
            seen = {r[0] for r in conn.execute("SELECT request_json FROM veo.jobs").fetchall()}
            assert {json.loads(j)["prompt"] for j in seen} == self.model.prompts_of(creator)
            for sql in PEEKS:
                assert conn.execute(sql).fetchall() == []
            shared = repr([conn.execute(f"SELECT * FROM veo_api.{v}").fetchall() for v in VIEWS])  # noqa: S608
            assert not [p for p in self.model.others_prompts(creator) if p in shared]

    @invariant()
    def campaign_invariants(self) -> None:
        """The fault campaigns' I1–I4 and I7, read from the team database."""
        report = check_invariants(
            pg_reader(self.cluster.admin_url(self.db), self.admin),
            None,
            None,
            expected_job_ids=self.model.jobs,
            settled=False,
            max_in_flight=CAP,
            default_hold_ms=self.hold_ms,
        )
        assert report.ok, report.violations


def _settings() -> settings:
    return settings(
        max_examples=200 if FULL else 20,
        stateful_step_count=60 if FULL else 30,
        deadline=None,
        database=None,
        derandomize=not FULL,  # the same examples in every normal run
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def test_two_creators_on_one_database(pg_cluster: pg.Cluster) -> None:
    TeamMachine.cluster = pg_cluster
    STATS.clear()
    run_state_machine_as_test(TeamMachine, settings=_settings())
    print(f"\nT10 machine: {dict(sorted(STATS.items()))}")
    assert STATS["examples"] >= (200 if FULL else 20)
    for reached in ("claims", "mark_running", "refusals"):
        assert STATS[reached] > 0, f"no example reached {reached}: {dict(STATS)}"
