"""Scheduling decisions as tables: positions, the start gate, ETAs, polling, backoff."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from veo_desktop.core.catalogue import parse_catalogue
from veo_desktop.core.cost import request_cost_micros
from veo_desktop.core.ids import new_job_id
from veo_desktop.core.jobs import Job
from veo_desktop.core.money import format_usd, usd_to_micros
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.scheduling import (
    PollPolicy,
    SlotConfig,
    backoff_s,
    duration_model,
    estimate_starts,
    expected_duration_s,
    positions,
    quantile_poll_delay_s,
    start_gate,
)
from veo_desktop.core.states import TRANSITIONS, IllegalTransition, JobStatus, check_transition
from veo_desktop.paths import resources_dir

CAT = parse_catalogue((resources_dir() / "models.json").read_text())


def job(i: int, order: float) -> Job:
    r = GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt=f"p{i}")
    return Job(
        id=f"j{i}",
        request=r,
        status=JobStatus.QUEUED,
        queue_order=order,
        attempt=1,
        cost_micros=1,
        created_at_ms=i,
    )


def test_positions_follow_queue_order() -> None:
    assert positions([job(1, 3.0), job(2, 1.0), job(3, 2.0)]) == {"j2": 1, "j3": 2, "j1": 3}


@pytest.mark.parametrize(
    ("in_flight", "starts", "cooldown", "expected"),
    [
        (0, [], None, None),
        (1, [], None, None),
        (2, [], None, 1_000 + 600_000),
        (0, [500, 900], None, 500 + 60_000),  # two starts in the window: wait for the older to age out
        (0, [-70_000, 900], None, None),
        (0, [], 5_000, 5_000),
    ],
)
def test_start_gate(in_flight: int, starts: list[int], cooldown: int | None, expected: int | None) -> None:
    got = start_gate(
        in_flight=in_flight,
        recent_start_ms=starts,
        now_ms=1_000,
        config=SlotConfig(2, 2),
        cooldown_until_ms=cooldown,
    )
    assert got == expected


def test_rate_limit_zero_means_off() -> None:
    assert start_gate(in_flight=0, recent_start_ms=[1, 2, 3], now_ms=10, config=SlotConfig(2, 0)) is None


def test_estimate_starts_two_slots() -> None:
    etas = estimate_starts(running_remaining_s=[10, 30], waiting_expected_s=[60, 60, 60], config=SlotConfig(2, 0))
    assert etas == [10, 30, 70]
    limited = estimate_starts(
        running_remaining_s=[],
        waiting_expected_s=[10, 10, 10],
        config=SlotConfig(2, 2),
        recent_start_offsets_s=[],
    )
    assert limited == [0, 0, 60]  # two slots free at once; the third waits for the rate window


def test_expected_duration_uses_median_or_prior() -> None:
    assert expected_duration_s([], 90) == 90
    assert expected_duration_s([10, 100, 30], 90) == 30


def _schedule(policy: PollPolicy, expected_s: float, recent: list[float], until_s: float) -> list[float]:
    """The poll instants the policy picks for a generation still running at `until_s`."""
    t, polls = 0.0, []
    while t < until_s:
        t += policy.next_delay_s(t, expected_s, recent)
        polls.append(t)
    return polls


@pytest.mark.parametrize(
    ("recent", "expected", "low", "high"),
    [
        ([], 60, 30, 90),  # no history: the expected time ±50%
        ([50, 70], 60, 30, 90),  # too few samples: still the prior
        ([], 0, 0.5, 1.5),  # a nonsense prior is raised to 1 s
        ([10, 10, 10, 10, 10], 99, 9.5, 10.5),  # equal samples: ±0.5 s around them
    ],
)
def test_duration_model_bounds(recent: list[float], expected: float, low: float, high: float) -> None:
    model = duration_model(recent, expected)
    assert model.low_s == pytest.approx(low) and model.high_s == pytest.approx(high)
    assert model.cdf(low - 1) == 0 and model.cdf(high + 1) == 1


def test_learned_distribution_is_smooth_and_centred() -> None:
    samples = [30 + 3 * i for i in range(21)]  # 30..90 s, evenly
    model = duration_model(samples, 999)
    assert model.cdf(60) == pytest.approx(0.5)
    values = [model.cdf(t / 2) for t in range(0, 200)]
    assert values == sorted(values)
    assert model.low_s < 30 and model.high_s > 90  # each sample is spread, the tails too


@pytest.mark.parametrize("width", [1.0, 60.0, 400.0])
def test_spread_integral_of_a_uniform_distribution(width: float) -> None:
    model = duration_model([], width, prior_spread=0.5)  # uniform over [width/2, 3·width/2]
    assert model.spread_integral() == pytest.approx(2 / 3 * math.sqrt(width))


@pytest.mark.parametrize(
    ("elapsed", "expected_delay"),
    [
        (0, 33.0),  # silent until the fastest time, then one step: √(price · 60 s) = 3 s with price 0.15
        (30, 3.0),
        (60, math.sqrt(0.15 * 30)),  # steps shrink as the chance of finishing grows
        (89.5, 1.0),  # never faster than once a second
        (90, 1.0),  # past the slowest time: backoff from 1 s ...
        (110, 5.0),  # ... growing by a quarter of the lateness ...
        (1_000, 30.0),  # ... up to 30 s
    ],
)
def test_quantile_poll_delay_table(elapsed: float, expected_delay: float) -> None:
    model = duration_model([], 60)  # uniform 30..90 s
    delay = quantile_poll_delay_s(elapsed, model, price=0.15, min_interval_s=1.0, max_interval_s=30.0, tail_growth=0.25)
    assert delay == pytest.approx(expected_delay, abs=0.01)


def test_the_wait_before_the_distribution_is_not_capped() -> None:
    model = duration_model([], 600)  # a slow model: 300..900 s
    first = quantile_poll_delay_s(0, model, price=1.0, min_interval_s=1.0, max_interval_s=30.0, tail_growth=0.25)
    assert 300 < first < 330  # one wait to the fastest time, then a capped step


@pytest.mark.parametrize("target", [0.5, 1.0, 2.0])
def test_poll_policy_price_follows_its_target_delay(target: float) -> None:
    # On uniform 30..90 s, polls ∝ √hazard: mean delay ≈ target (the 1 s floor adds a little near the end).
    policy = PollPolicy(target_delay_s=target)
    durations = [30 + 60 * (i + 0.5) / 600 for i in range(600)]
    schedule = _schedule(policy, 60, [], 90)
    delays = [next(p for p in schedule if p >= d) - d for d in durations]
    assert target * 0.9 <= sum(delays) / len(delays) <= target * 1.25
    gaps = [b - a for a, b in itertools.pairwise(schedule)]
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(gaps))  # denser as the end nears


def test_poll_policy_learns_each_model_from_its_history() -> None:
    policy = PollPolicy()
    # The catalogue says 60 s; this model's last generations all took 118..122 s (claim to video on disk).
    recent = [118.0 + 0.2 * i for i in range(21)]
    schedule = _schedule(policy, 60, recent, 130)
    assert 110 < schedule[0] < 118  # nothing before the fastest it has seen (the prior would poll at 33 s)
    assert len(schedule) <= 15
    prior_only = _schedule(policy, 60, [], 130)
    assert prior_only[0] < 35 and len(prior_only) > len(schedule)


def test_backoff_grows_with_jitter_and_cap() -> None:
    rng = random.Random(1)
    samples = [backoff_s(a, rng, base_s=2, cap_s=60) for a in range(1, 12)]
    assert all(1 <= s <= 60 for s in samples)


def test_transition_table() -> None:
    check_transition(JobStatus.QUEUED, JobStatus.SUBMITTING)
    with pytest.raises(IllegalTransition):
        check_transition(JobStatus.COMPLETED, JobStatus.QUEUED)
    with pytest.raises(IllegalTransition):
        check_transition(JobStatus.RUNNING, JobStatus.QUEUED)  # never restart a job that has an operation
    assert set(TRANSITIONS) == set(JobStatus)


def test_cost_and_money() -> None:
    fast = CAT.get("veo-3.1-fast-generate-001")
    assert fast is not None
    r = GenerationRequest(model_id=fast.id, prompt="x", resolution="1080p", duration_s=8)
    assert request_cost_micros(fast, r) == usd_to_micros("0.96")
    assert request_cost_micros(fast, r.with_changes(sample_count=2)) == usd_to_micros("1.92")
    assert format_usd(usd_to_micros("3.2")) == "$3.20"
    assert format_usd(-400_000) == "-$0.40"


def test_job_ids_sort_by_time() -> None:
    rng = random.Random(0)
    a, b = new_job_id(1_000, rng), new_job_id(2_000, rng)
    assert a < b and a.isalnum() and len(a) == 19
