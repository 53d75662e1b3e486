"""The model the two-store machine (test_team_machine.py) checks PostgreSQL against: every job of both creators,
its attempts, its place, who holds its lease with which fence, and until when it holds a slot.

The rules of the team database, restated in Python: strict FIFO across creators (the claim takes the head
only for the head's creator), the team's cap counting submitting, running and unknown starts within their hold,
fencing tokens issued by claims and by takeovers, and one charge and at most one refund per attempt.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from veo_desktop.core.states import JobStatus

JS = JobStatus
CAP = 2
DESKTOPS = {"ana-1": "ana", "ana-2": "ana", "bia-1": "bia"}  # desktop -> creator: two of ana's, one of bia's
CREATORS = ("ana", "bia")
STATS: Counter[str] = Counter()  # what the examples reached, over a whole run
LEASE_MS = 60_000
SEND_HOLD_MS = 400_000  # the hold mark_sending records (Google's longest generation and some margin)
LEASED = frozenset({JS.SUBMITTING, JS.RUNNING, JS.DOWNLOADING})
# op -> (statuses it accepts, target, ledger effect on the current attempt)
OPS: dict[str, tuple[frozenset[JobStatus], JobStatus, str]] = {
    "mark_sending": (frozenset({JS.SUBMITTING}), JS.SUBMITTING, ""),
    "mark_running": (frozenset({JS.SUBMITTING}), JS.RUNNING, ""),
    "requeue": (frozenset({JS.SUBMITTING}), JS.QUEUED, ""),
    "mark_unknown": (frozenset({JS.SUBMITTING}), JS.UNKNOWN_START, ""),
    "begin_download": (frozenset({JS.RUNNING}), JS.DOWNLOADING, ""),
    "complete": (frozenset({JS.DOWNLOADING}), JS.COMPLETED, ""),
    "fail": (frozenset({JS.SUBMITTING, JS.RUNNING, JS.DOWNLOADING, JS.UNKNOWN_START}), JS.FAILED, "refund"),
    "cancel": (frozenset({JS.QUEUED}), JS.CANCELLED, "refund"),
    "give_up": (frozenset({JS.UNKNOWN_START}), JS.FAILED, "refund"),
    "retry": (frozenset({JS.FAILED, JS.UNKNOWN_START}), JS.QUEUED, "new"),
}
# What a desktop that held a job in a status would still try with its fence when it comes back.
STALE_OPS: dict[JobStatus, tuple[str, ...]] = {
    JS.SUBMITTING: ("mark_sending", "mark_running", "requeue", "mark_unknown", "fail"),
    JS.RUNNING: ("begin_download", "fail"),
    JS.DOWNLOADING: ("complete", "fail"),
}
POLLER_OPS = ("hand_over_download", "fail_polled", "release_polled")  # a poller's moves on another's job

# What the refusal rules try: a member's own SQL on the tables, calls on the other creator's jobs, and reads.
DIRECT_WRITES = {
    "jobs": (
        "INSERT INTO veo.jobs (id, creator, status, request_json, model_id, provider, queue_order, attempt, "
        "cost_micros, created_at_ms) VALUES ('jforged', %(other)s, 'queued', '{}', 'm', 'vertex', 0, 1, 0, 0)",
        "UPDATE veo.jobs SET status = 'cancelled', cost_micros = 0",
        "DELETE FROM veo.jobs",
    ),
    "ledger": (
        "INSERT INTO veo.ledger (job_id, attempt, kind, amount_micros, at_ms) "
        "SELECT id, attempt, 'refund', cost_micros, 0 FROM veo.jobs",
        "UPDATE veo.ledger SET amount_micros = 0",
        "DELETE FROM veo.ledger",
    ),
    "events": (
        "INSERT INTO veo.events (job_id, creator, at_ms, detail) VALUES (NULL, %(other)s, 0, 'forged')",
        "UPDATE veo.events SET detail = 'rewritten'",
        "DELETE FROM veo.events",
    ),
}
FORWARD = {
    JS.SUBMITTING: ("mark_sending", "mark_running", "mark_running", "mark_unknown"),
    JS.RUNNING: ("begin_download",),
    JS.DOWNLOADING: ("complete",),
    JS.UNKNOWN_START: ("retry", "give_up"),
    JS.FAILED: ("retry",),
}
FORGED = (*sorted(OPS), "set_note", "move_to_top", "reorder", "get", "enqueue")
PEEKS = (
    "SELECT request_json FROM veo.jobs WHERE creator <> session_user",
    "SELECT detail FROM veo.events WHERE creator <> session_user",
    "SELECT job_id FROM veo.ledger WHERE creator <> session_user",
)

VIEWS = ("queue", "desktops", "spending")  # everything in veo_api a member may read


@dataclass
class ModelJob:
    creator: str
    prompt: str
    status: JobStatus
    cost: int
    order: int  # its place: enqueue and retry put a job at the end, a requeue keeps its place
    # Per attempt: "live" (charged, may still be refunded), "refunded", or "kept" (an unknown start retried).
    attempts: list[str] = field(default_factory=lambda: ["live"])
    fence: int | None = None
    holder: str | None = None  # the desktop holding its lease
    lease_until_ms: int = 0
    started_at_ms: int = 0
    send_hold_until_ms: int | None = None  # set by mark_sending
    hold_until_ms: int | None = None  # an unknown start holds its slot until then
    retry_at_ms: int | None = None

    def holds_slot(self, now_ms: int) -> bool:
        if self.status in (JS.SUBMITTING, JS.RUNNING):
            return True
        return self.status is JS.UNKNOWN_START and self.hold_until_ms is not None and self.hold_until_ms > now_ms


@dataclass(frozen=True)
class StaleToken:
    """A fence a desktop held before another desktop took the job over (or put it back): always refused."""

    job_id: str
    fence: int
    desktop: str
    known: JobStatus  # the status that desktop last saw
    poller: bool = False  # it polled another creator's job (its moves are the poller's, refused as not found too)


@dataclass
class TeamModel:
    jobs: dict[str, ModelJob] = field(default_factory=dict)
    next_order: int = 0
    fences: set[int] = field(default_factory=set)  # every fence ever issued (claims and takeovers)
    stale: list[StaleToken] = field(default_factory=list)

    def place_at_end(self) -> int:
        self.next_order += 1
        return self.next_order

    def waiting(self) -> list[str]:
        queued = [(m.order, i) for i, m in self.jobs.items() if m.status is JS.QUEUED]
        return [i for _, i in sorted(queued)]

    def held(self, now_ms: int) -> int:
        return sum(m.holds_slot(now_ms) for m in self.jobs.values())

    def expected_claim(self, creator: str, now_ms: int) -> str | None:
        """The head, when it is this creator's, may start now, and a slot is free."""
        waiting = self.waiting()
        if not waiting or self.held(now_ms) >= CAP:
            return None
        head = self.jobs[waiting[0]]
        if head.creator != creator or (head.retry_at_ms is not None and head.retry_at_ms > now_ms):
            return None
        return waiting[0]

    def claimed(self, job_id: str, fence: int, desktop: str, now_ms: int) -> None:
        assert fence not in self.fences, f"fence {fence} was issued twice"
        self.fences.add(fence)
        m = self.jobs[job_id]
        m.status, m.fence, m.holder = JS.SUBMITTING, fence, desktop
        m.lease_until_ms, m.started_at_ms, m.retry_at_ms = now_ms + LEASE_MS, now_ms, None
        m.send_hold_until_ms = m.hold_until_ms = None

    def adoptable(self, creator: str, desktop: str, now_ms: int) -> list[str]:
        return [
            i
            for i, m in self.jobs.items()
            if m.creator == creator
            and m.status in LEASED
            and (m.holder is None or m.holder == desktop or m.lease_until_ms <= now_ms)
        ]

    def polls_others(self, m: ModelJob) -> bool:
        """Its lease is held by a desktop of another creator, polling it."""
        return m.holder is not None and DESKTOPS[m.holder] != m.creator

    def supersede(self, m: ModelJob, job_id: str) -> None:
        if m.holder is not None and m.fence is not None:
            self.stale.append(StaleToken(job_id, m.fence, m.holder, m.status, self.polls_others(m)))

    def pollable(self, now_ms: int) -> list[str]:
        """adopt_for_polling: every creator's running job whose lease expired (or that has none)."""
        return sorted(
            i
            for i, m in self.jobs.items()
            if m.status is JS.RUNNING and (m.holder is None or m.lease_until_ms <= now_ms)
        )

    def polled(self, job_id: str, desktop: str, fence: int, now_ms: int) -> None:
        m = self.jobs[job_id]
        self.supersede(m, job_id)
        assert fence not in self.fences, f"polling fence {fence} was issued before"
        self.fences.add(fence)
        m.holder, m.fence, m.lease_until_ms = desktop, fence, now_ms + LEASE_MS

    def downloadable(self, creator: str, desktop: str, now_ms: int) -> list[str]:
        """adopt_downloads: the creator's downloading jobs nobody (else) holds a live lease on."""
        return sorted(
            i
            for i, m in self.jobs.items()
            if m.creator == creator
            and m.status is JS.DOWNLOADING
            and (m.holder is None or m.holder == desktop or m.lease_until_ms <= now_ms)
        )

    def adopt(self, job_id: str, desktop: str, now_ms: int, new_fence: int, hold_ms: int) -> None:
        """adopt_active: a start provably never sent goes back to its place, one maybe sent becomes an unknown
        start (holding its slot), a running or downloading job gets this desktop's lease and a new fence."""
        m = self.jobs[job_id]
        if m.holder != desktop or m.status is JS.SUBMITTING:
            self.supersede(m, job_id)
        if m.status is JS.SUBMITTING:
            if m.send_hold_until_ms is None:
                m.status, m.retry_at_ms = JS.QUEUED, None
            else:
                m.status, m.hold_until_ms = JS.UNKNOWN_START, m.send_hold_until_ms
            m.holder = None
            return
        if m.holder != desktop:
            assert new_fence not in self.fences, f"takeover fence {new_fence} was issued before"
            self.fences.add(new_fence)
            m.fence = new_fence
        else:
            assert new_fence == m.fence
        m.holder, m.lease_until_ms = desktop, now_ms + LEASE_MS

    def unknown_hold(self, m: ModelJob, hold_ms: int) -> int:
        return m.send_hold_until_ms if m.send_hold_until_ms is not None else m.started_at_ms + hold_ms

    def apply(self, op: str, job_id: str, now_ms: int, *, hold_ms: int, cost: int, retry_in_ms: int | None) -> None:
        """The model side of a move the database accepted."""
        m = self.jobs[job_id]
        _, target, effect = OPS[op]
        if op == "mark_sending":
            m.send_hold_until_ms = now_ms + SEND_HOLD_MS
        elif op == "mark_unknown":
            m.hold_until_ms = self.unknown_hold(m, hold_ms)
        elif op == "requeue":
            m.retry_at_ms = None if retry_in_ms is None else now_ms + retry_in_ms
        elif op == "retry":
            m.order = self.place_at_end()
            m.retry_at_ms = m.hold_until_ms = m.send_hold_until_ms = None
        if target not in LEASED:
            m.holder = None
        m.status = target
        if effect == "refund":
            m.attempts[-1] = "refunded"
        elif effect == "new":
            if m.attempts[-1] == "live":
                m.attempts[-1] = "kept"  # an unknown start may have been billed by Google
            m.attempts.append("live")
            m.cost = cost or m.cost

    def prompts_of(self, creator: str) -> set[str]:
        return {m.prompt for m in self.jobs.values() if m.creator == creator}

    def others_prompts(self, creator: str) -> set[str]:
        return {m.prompt for m in self.jobs.values() if m.creator != creator}


def ledger_problems(entries: Iterable[tuple[str, int, str, int]], jobs: dict[str, ModelJob]) -> list[str]:
    """One charge and at most one refund per attempt, a refund equal to its charge, and every attempt the
    model says is live or kept still charged (so the balance is the cost of what was not refunded)."""
    seen: dict[tuple[str, int, str], int] = {}
    problems = []
    for job_id, attempt, kind, amount in entries:
        if (job_id, attempt, kind) in seen:
            problems.append(f"{job_id} attempt {attempt} has two {kind}s")
        if kind == "refund" and seen.get((job_id, attempt, "charge")) != amount:
            problems.append(f"{job_id} attempt {attempt} refunded {amount} without an equal charge")
        seen[(job_id, attempt, kind)] = amount
    for job_id, m in jobs.items():
        for n, state in enumerate(m.attempts, start=1):
            charged = (job_id, n, "charge") in seen
            refunded = (job_id, n, "refund") in seen
            if not charged or refunded != (state == "refunded"):
                problems.append(f"{job_id} attempt {n} is {state} but charged={charged} refunded={refunded}")
    return problems
