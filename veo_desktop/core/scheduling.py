"""Scheduling decisions as pure functions of (state, now): positions, ETAs, start gates, poll timing, backoff.

The dispatcher asks; these answer. Nothing here sleeps, reads a clock or touches I/O.
"""

from __future__ import annotations

import heapq
import random
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from veo_desktop.core.jobs import Job

RATE_WINDOW_MS = 60_000
DEFAULT_PRIOR_S = 90.0  # the expected generation time of a model nobody gave a prior for


@dataclass(frozen=True, slots=True)
class SlotConfig:
    max_in_flight: int = 2
    max_starts_per_minute: int = 2  # 0 = no rate limit


def positions(waiting: Sequence[Job]) -> dict[str, int]:
    """1 = next to start. `waiting` is in any order; FIFO is by queue_order then creation."""
    ordered = sorted(waiting, key=lambda j: (j.queue_order, j.created_at_ms, j.id))
    return {job.id: i for i, job in enumerate(ordered, start=1)}


def start_gate(
    *,
    in_flight: int,
    recent_start_ms: Iterable[int],
    now_ms: int,
    config: SlotConfig,
    cooldown_until_ms: int | None = None,
) -> int | None:
    """None when a start may happen now; else the wall time (ms) when the next start could happen.

    A full slot table answers `now_ms + 10 min` only as a fallback: a freed slot wakes the dispatcher itself.
    """
    if cooldown_until_ms is not None and cooldown_until_ms > now_ms:
        return cooldown_until_ms
    if in_flight >= config.max_in_flight:
        return now_ms + 600_000
    if config.max_starts_per_minute > 0:
        window = sorted(t for t in recent_start_ms if t > now_ms - RATE_WINDOW_MS)
        if len(window) >= config.max_starts_per_minute:
            return window[-config.max_starts_per_minute] + RATE_WINDOW_MS
    return None


def prior_s(priors_s: Mapping[str, float], model_id: str) -> float:
    """The expected generation time of a model before any of its jobs completed."""
    return priors_s.get(model_id, DEFAULT_PRIOR_S)


def expected_duration_s(recent_durations_s: Sequence[float], prior_s: float) -> float:
    """Median of recent completed generations of a model, or the catalogue's prior."""
    if not recent_durations_s:
        return prior_s
    return float(statistics.median(recent_durations_s))


def estimate_starts(
    *,
    now_s: float,
    running_remaining_s: Sequence[float],
    waiting_expected_s: Sequence[float],
    config: SlotConfig,
    recent_start_offsets_s: Sequence[float] = (),
    cooldown_s: float = 0.0,
) -> list[float]:
    """Seconds from now until each waiting job (in FIFO order) is expected to start.

    Simulates the slot schedule: each running job frees its slot after its expected remaining time; waiting
    jobs take the earliest free slot, no earlier than the start-rate window and any quota cooldown allow.
    `recent_start_offsets_s` are the (negative) offsets of starts in the last minute.
    """
    slots = max(1, config.max_in_flight)
    free_at = sorted(max(0.0, r) for r in running_remaining_s)[:slots]
    free_at += [0.0] * (slots - len(free_at))
    heapq.heapify(free_at)
    starts = sorted(recent_start_offsets_s)
    eta: list[float] = []
    for expected in waiting_expected_s:
        t = max(heapq.heappop(free_at), cooldown_s)
        if config.max_starts_per_minute > 0 and len(starts) >= config.max_starts_per_minute:
            t = max(t, starts[-config.max_starts_per_minute] + RATE_WINDOW_MS / 1000)
        eta.append(t)
        starts.append(t)
        heapq.heappush(free_at, t + expected)
    del now_s
    return eta


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """Silent for the first half of the expected time, dense from there to well past it, then backing off.

    Why these numbers (`python -m veo_desktop.bench dispatch`/`economy`): with two slots and a queue, every
    second between "done at Google" and "noticed" is a second a slot stands idle, so the makespan grows by
    the mean detection delay over the mean generation time. Generation times spread ±50% around the
    median, so the dense window must cover 0.5..1.5 × expected (the old 0.8..1.2 window missed a third of
    the jobs and noticed them 5-10 s late: makespan 1.05-1.08 × ideal). A dense interval of 2% of the
    expected time keeps that overhead near 1% whatever the model's speed, at ~25 polls per job.
    """

    first_poll_fraction: float = 0.5
    dense_from_fraction: float = 0.5
    dense_interval_s: float = 1.2  # the floor of the dense interval
    dense_fraction: float = 0.02  # the dense interval as a share of the expected time
    late_from_fraction: float = 1.5
    min_interval_s: float = 1.0
    max_interval_s: float = 30.0
    late_growth: float = 0.1

    def next_delay_s(self, elapsed_s: float, expected_s: float) -> float:
        expected_s = max(expected_s, 1.0)
        dense_from = self.dense_from_fraction * expected_s
        dense = max(self.dense_interval_s, self.dense_fraction * expected_s)
        if elapsed_s < dense_from:
            # Early: jump halfway to the dense window, but never poll more often than the dense rate.
            gap = (
                (dense_from - elapsed_s) / 2
                if elapsed_s >= self.first_poll_fraction * expected_s
                else (self.first_poll_fraction * expected_s - elapsed_s)
            )
            return min(self.max_interval_s, max(dense, gap))
        late_by = elapsed_s - self.late_from_fraction * expected_s
        if late_by <= 0:
            return dense
        return min(self.max_interval_s, max(self.min_interval_s, dense + late_by * self.late_growth))


def backoff_s(attempt: int, rng: random.Random, *, base_s: float = 2.0, cap_s: float = 300.0) -> float:
    """Exponential backoff with full jitter; attempt counts from 1."""
    ceiling = min(cap_s, base_s * (2 ** max(0, attempt - 1)))
    return max(base_s / 2, rng.uniform(0, ceiling))
