"""Scheduling decisions as tables: positions, the start gate, ETAs, polling, backoff."""

from __future__ import annotations

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
    estimate_starts,
    expected_duration_s,
    positions,
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
    etas = estimate_starts(
        now_s=0, running_remaining_s=[10, 30], waiting_expected_s=[60, 60, 60], config=SlotConfig(2, 0)
    )
    assert etas == [10, 30, 70]
    limited = estimate_starts(
        now_s=0,
        running_remaining_s=[],
        waiting_expected_s=[10, 10, 10],
        config=SlotConfig(2, 2),
        recent_start_offsets_s=[],
    )
    assert limited == [0, 0, 60]  # two slots free at once; the third waits for the rate window


def test_expected_duration_uses_median_or_prior() -> None:
    assert expected_duration_s([], 90) == 90
    assert expected_duration_s([10, 100, 30], 90) == 30


def test_poll_policy_is_sparse_early_dense_near_the_end_and_backs_off() -> None:
    p = PollPolicy()
    assert p.next_delay_s(0, 60) == 30  # first poll at half the expected time
    assert p.next_delay_s(50, 60) == p.dense_interval_s
    assert p.next_delay_s(70, 60) == p.dense_interval_s
    assert p.next_delay_s(300, 60) > p.next_delay_s(100, 60) > p.dense_interval_s
    assert p.next_delay_s(10_000, 60) == p.max_interval_s


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
