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
