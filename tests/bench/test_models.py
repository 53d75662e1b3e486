"""The pure models behind the dispatch figures, on hand-made workloads."""

from __future__ import annotations

import pytest

from veo_desktop.bench.figures import figure, percentile
from veo_desktop.bench.model import ideal_schedule, poll_driven_schedule


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
