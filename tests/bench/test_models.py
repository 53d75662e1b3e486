"""The pure models behind the dispatch figures, on hand-made workloads."""

from __future__ import annotations

import pytest

from veo_desktop.bench.dispatch import WindowPoll
from veo_desktop.bench.figures import figure, percentile
from veo_desktop.bench.model import fewest_polls, ideal_schedule, poll_driven_schedule, refill_gaps
from veo_desktop.core.scheduling import PollPolicy


@pytest.mark.parametrize(
    ("durations", "arrivals", "makespan"),
    [
        ([10, 10, 10, 10], [0, 0, 0, 0], 20),
        ([30, 10, 10], [0, 0, 0], 30),
        ([10, 10], [0, 50], 60),
    ],
)
def test_ideal_schedule_is_fifo_list_scheduling(durations: list[float], arrivals: list[float], makespan: float) -> None:
    assert ideal_schedule(durations, arrivals, 2).makespan_s == makespan


def test_poll_driven_jobs_move_only_at_their_own_polls() -> None:
    model = poll_driven_schedule([12, 12, 12], [0, 0, 0])
    assert model.starts_s == (0, 0, 15)  # the third waits for a poll after a slot freed (at 15)
    assert model.ends_s == (15, 15, 30)  # each finish is noticed at the next 5 s poll
    assert model.lost == 0


def test_poll_driven_design_loses_jobs_to_429_when_generations_outlast_the_window() -> None:
    # Two 100 s generations drop out of the 60 s "active" window while the server still runs them.
    model = poll_driven_schedule([100, 100, 10], [0, 0, 0], active_window_s=60, server_max_in_flight=2)
    assert model.lost == 1
    assert model.starts_s[2] is None


def test_figure_verdicts_and_percentile() -> None:
    assert figure("x", 1.01, "×", target=("<=", 1.02))["pass"] is True
    assert figure("x", 3, "jobs", target=("==", 0))["pass"] is False
    assert figure("x", 3, "s")["pass"] is None
    assert percentile(range(1, 101), 99) == 99
    assert percentile([5.0], 99) == 5.0


@pytest.mark.parametrize(
    ("arrivals", "frees", "claims", "gaps", "idle"),
    [
        # A burst: two start at once (arrived to free slots), each free refills the next waiting job.
        ([0, 0, 0, 0], [60, 70], [0, 0, 61, 75], [1, 5], [0, 0]),
        # Poisson-like: a slot frees with nobody waiting; the next job arrives later to a free slot.
        ([0, 100], [60], [0, 102], [], [0, 2]),
        # Two slots free at once, one job waiting: only one refill counts.
        ([0, 0, 0], [50, 50], [0, 0, 53], [3], [0, 0]),
        # A claim at the instant of a free refills it (gap 0); an arrival at that instant was waiting.
        ([0, 0, 40], [40], [0, 0, 40], [0], [0, 0]),
    ],
)
def test_refill_gaps_count_only_slots_freed_while_a_job_waited(
    arrivals: list[float], frees: list[float], claims: list[float], gaps: list[float], idle: list[float]
) -> None:
    assert refill_gaps(arrivals, frees, claims) == (gaps, idle)


@pytest.mark.parametrize("delay", [0.5, 1.0, 2.0])
def test_fewest_polls_on_a_uniform_distribution_is_near_the_continuous_bound(delay: float) -> None:
    # Uniform over 60 s: polls × delay ≥ (∫√(f·S))² / 2 = (2/3)² · 60 / 2 ≈ 13.3 polls·s.
    durations = [30 + 60 * (i + 0.5) / 1000 for i in range(1000)]
    polls = fewest_polls(durations, delay, grid_s=0.25)
    assert 13.3 <= polls * delay <= 15.0


def test_fewest_polls_is_one_poll_for_a_fixed_duration() -> None:
    assert fewest_polls([42.0] * 10, 0.5) == pytest.approx(1.0)


def _on_uniform(policy: PollPolicy, low: float, high: float, recent: list[float]) -> tuple[float, float]:
    """(mean polls, mean delay) of a policy on generations spread evenly over low..high s."""
    durations = [low + (high - low) * (i + 0.5) / 600 for i in range(600)]
    expected = (low + high) / 2
    schedule, t = [], 0.0
    while t < high:
        t += policy.next_delay_s(t, expected, recent)
        schedule.append(t)
    delays = [next(p for p in schedule if p >= d) - d for d in durations]
    polls = [1 + next(i for i, p in enumerate(schedule) if p >= d) for d in durations]
    return sum(polls) / len(polls), sum(delays) / len(delays)


@pytest.mark.parametrize("target", [0.6, 1.0])
def test_the_learned_policy_stays_near_the_floor_on_a_known_distribution(target: float) -> None:
    # No history: the policy's prior (expected ±50%) is then exactly the distribution.
    polls, delay = _on_uniform(PollPolicy(target_delay_s=target), 30, 90, [])
    floor = fewest_polls([30 + 60 * (i + 0.5) / 600 for i in range(600)], delay, grid_s=0.25)
    assert floor <= polls <= 1.25 * floor


def test_learning_the_spread_saves_polls_where_the_old_policy_assumed_it() -> None:
    # Generations of 50..70 s (the recorded times add the detection delay); the old policy only knows the
    # median and polls densely from half of it to 1.5 × it.
    recent = [50 + 20 * (i + 0.5) / 20 + 0.6 for i in range(20)]
    old_polls, old_delay = _on_uniform(WindowPoll(), 50, 70, recent)
    polls, delay = _on_uniform(PollPolicy(), 50, 70, recent)
    assert delay <= old_delay + 0.2
    assert polls < 0.6 * old_polls
