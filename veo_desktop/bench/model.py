"""Pure models of the same workload (durations and arrival times), with no I/O and no clock.

- `ideal_schedule`: FIFO list scheduling on `slots` slots with zero overhead: what a dispatcher with perfect
  knowledge would achieve. The reference for the dispatcher's makespan and turnaround.
- `poll_driven_schedule`: a discrete-event model of the design this app replaces: every waiting job moves
  only when its own client polls (every `poll_every_s`), and counts as "active" the jobs in "processing"
  that started within the last `active_window_s`. A generation longer than that window drops out of the
  count, so the design over-starts; the server (which allows `server_max_in_flight`) answers 429 and the job
  is lost. The model is generous to that design: polls at the same instant are served one after another
  (no read-then-write races), and a client notices its finished job at its next poll.
"""

from __future__ import annotations

import heapq
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Schedule", "ideal_schedule", "poll_driven_schedule"]


@dataclass(frozen=True, slots=True)
class Schedule:
    starts_s: tuple[float | None, ...]  # None: the job never ran (lost)
    ends_s: tuple[float | None, ...]  # when the job was finished *and noticed*
    lost: int = 0

    @property
    def makespan_s(self) -> float:
        return max((e for e in self.ends_s if e is not None), default=0.0)

    def mean_turnaround_s(self, arrivals_s: Sequence[float]) -> float:
        spans = [e - a for e, a in zip(self.ends_s, arrivals_s, strict=True) if e is not None]
        return statistics.mean(spans) if spans else 0.0


def ideal_schedule(durations_s: Sequence[float], arrivals_s: Sequence[float], slots: int) -> Schedule:
    free = [0.0] * slots
    heapq.heapify(free)
    starts: list[float | None] = []
    ends: list[float | None] = []
    for duration, arrival in zip(durations_s, arrivals_s, strict=True):
        start = max(heapq.heappop(free), arrival)
        heapq.heappush(free, start + duration)
        starts.append(start)
        ends.append(start + duration)
    return Schedule(tuple(starts), tuple(ends))


def _next_poll(t: float, arrival: float, every_s: float) -> float:
    """The first poll instant of a client that polls at arrival + k·every_s, strictly after t."""
    k = math.floor((t - arrival) / every_s + 1e-9) + 1
    return arrival + k * every_s


def poll_driven_schedule(
    durations_s: Sequence[float],
    arrivals_s: Sequence[float],
    *,
    poll_every_s: float = 5.0,
    active_window_s: float = 60.0,
    server_max_in_flight: int = 2,
    client_max_active: int = 2,
) -> Schedule:
    n = len(durations_s)
    starts: list[float | None] = [None] * n
    ends: list[float | None] = [None] * n
    lost = 0
    # Events: (time, job index) = that job's client polls. Ties go in FIFO (job index) order.
    events = [(arrivals_s[i], i) for i in range(n)]
    heapq.heapify(events)
    while events:
        t, i = heapq.heappop(events)
        begun = starts[i]
        if begun is not None:  # a processing job's client checks its operation
            if t >= begun + durations_s[i]:
                ends[i] = t
            else:
                heapq.heappush(events, (_next_poll(t, arrivals_s[i], poll_every_s), i))
            continue
        active = sum(1 for j, s in enumerate(starts) if s is not None and ends[j] is None and s > t - active_window_s)
        if active >= client_max_active:
            heapq.heappush(events, (_next_poll(t, arrivals_s[i], poll_every_s), i))
            continue
        in_flight = sum(1 for j, s in enumerate(starts) if s is not None and s <= t < s + durations_s[j])
        if in_flight >= server_max_in_flight:
            lost += 1  # 429 RESOURCE_EXHAUSTED: that design marks the job failed; it never runs
            continue
        starts[i] = t
        heapq.heappush(events, (_next_poll(t, arrivals_s[i], poll_every_s), i))
    return Schedule(tuple(starts), tuple(ends), lost)


def refill_gaps(
    arrivals: Sequence[float], frees: Sequence[float], claims: Sequence[float]
) -> tuple[list[float], list[float]]:
    """(refill gaps, idle-slot claim delays) of one run, from its timeline (any one unit of time).

    A refill gap is a slot freed while a job was waiting to start → the next claim: the dispatcher's own
    reaction time. A claim with no such freed slot before it took a job that arrived to a free slot; its
    arrival → claim delay is the second list. Idle time (a free slot, nothing waiting) is in neither.
    Ties: an arrival at a free's instant was waiting; a claim at a free's instant refills it.
    """
    order = {"arrival": 0, "free": 1, "claim": 2}
    timeline = sorted(
        [(t, "arrival") for t in arrivals] + [(t, "free") for t in frees] + [(t, "claim") for t in claims],
        key=lambda item: (item[0], order[item[1]]),
    )
    waiting: list[float] = []  # arrival times of the jobs not yet claimed, FIFO
    pending: list[float] = []  # frees that found a job waiting, not yet refilled
    gaps: list[float] = []
    idle_claims: list[float] = []
    for t, kind in timeline:
        if kind == "arrival":
            waiting.append(t)
        elif kind == "free":
            if len(waiting) > len(pending):
                pending.append(t)
        else:
            arrived = waiting.pop(0) if waiting else t
            if pending:
                gaps.append(t - pending.pop(0))
            else:
                idle_claims.append(t - arrived)
    return gaps, idle_claims


def fewest_polls(durations_s: Sequence[float], mean_delay_s: float, *, grid_s: float = 0.2) -> float:
    """The fewest polls per job any fixed poll schedule spends for a mean detection delay of `mean_delay_s`
    on these durations, knowing their distribution exactly (not each job's time): the floor for any policy.

    Dynamic programming over poll instants on a `grid_s` grid (minimise delay + λ·polls; λ by bisection).
    Polls are instantaneous here; a real poll's round trip only adds to the delay."""
    ordered = sorted(durations_s)
    n = len(ordered)
    lo, hi = ordered[0], ordered[-1]
    steps = max(1, math.ceil((hi - lo) / grid_s))
    grid = [lo + (hi - lo) * k / steps for k in range(steps + 1)]
    # count[k] / total[k]: how many durations are ≤ grid[k], and their sum.
    count, total, acc, j = [], [], 0.0, 0
    for g in grid:
        while j < n and ordered[j] <= g + 1e-9:
            acc += ordered[j]
            j += 1
        count.append(j)
        total.append(acc)

    def solve(lam: float) -> tuple[float, float]:
        m = len(grid)
        best = [(0.0, 0.0, 0.0)] * m  # (cost, delay, polls) from a poll at grid[i], jobs still running
        for i in range(m - 2, -1, -1):
            alive = (n - count[i]) / n
            options = []
            for k in range(i + 1, m):
                done = count[k] - count[i]
                delay = (done * grid[k] - (total[k] - total[i])) / n
                cost, d, p = best[k]
                options.append((lam * alive + delay + cost, delay + d, alive + p))
            best[i] = min(options)
        # The first poll (every job still running): at some grid[k], catching the jobs up to it.
        first = [(lam + (count[k] * grid[k] - total[k]) / n + best[k][0], k) for k in range(m)]
        _, k = min(first)
        return (count[k] * grid[k] - total[k]) / n + best[k][1], 1 + best[k][2]

    low_lam, high_lam = 1e-4, 100.0
    polls = solve(low_lam)[1]
    for _ in range(30):
        lam = math.sqrt(low_lam * high_lam)
        delay, p = solve(lam)
        if delay > mean_delay_s:
            high_lam = lam
        else:
            low_lam, polls = lam, p
    return polls
