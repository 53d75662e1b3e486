"""API economy: what the adaptive poll policy costs in requests and buys in detection delay.

The same burst (same seed: the simulator draws the same generation times in the same start order) runs
twice through the real engine: once with the app's `PollPolicy`, once with a fixed 10 s poll (the interval
Google's samples use), injected through `DispatchConfig(poll=...)`.

- polls per completed job (every poll request the simulator answered, over the completed jobs);
- detection delay: the operation done at the simulator → the app moved the job to downloading.

Targets (budgets chosen for this app): mean detection delay ≤ 1.5 s, so that with a queue the idle slot time
stays near 2% of a 60 s generation; polls per job ≤ 30, so two generations in flight stay well under one
request a second on average.
"""

from __future__ import annotations

from typing import Any

from veo_desktop.bench.dispatch import (
    FULL_SPEED,
    DispatchBenchConfig,
    FixedPoll,
    WorkloadRun,
    run_workload,
    workload_figures,
)
from veo_desktop.bench.figures import figure

__all__ = ["economy_section"]

_KEYS = (
    "polls_per_job",
    "mean_detection_delay_s",
    "p95_detection_delay_s",
    "max_detection_delay_s",
    "makespan_ratio",
    "mean_turnaround_s",
    "completed",
    "failed",
)


def _summary(run: WorkloadRun) -> dict[str, Any]:
    raw = workload_figures(run)
    return {key: raw[key] for key in _KEYS}


async def economy_section(quick: bool, *, adaptive: WorkloadRun | None = None) -> dict[str, Any]:
    """`adaptive`: a burst already run with the default policy (`all` passes the dispatch burst)."""
    jobs, speed = (8, 100.0) if quick else (50, FULL_SPEED)
    if adaptive is None or adaptive.config.arrivals_per_min is not None:
        adaptive = await run_workload(DispatchBenchConfig(jobs=jobs, speed=speed))
    base = adaptive.config
    fixed = await run_workload(
        DispatchBenchConfig(jobs=base.jobs, speed=base.speed, seed=base.seed, poll=FixedPoll(interval_s=10.0))
    )
    a, f = _summary(adaptive), _summary(fixed)
    figures = [
        figure(
            "polls per completed job (adaptive)",
            a["polls_per_job"],
            "polls",
            target=("<=", 30),
            reference=f"fixed 10 s poll: {f['polls_per_job']}",
        ),
        figure(
            "mean detection delay (adaptive)",
            a["mean_detection_delay_s"],
            "s",
            target=("<=", 1.5),
            reference=f"fixed 10 s poll: {f['mean_detection_delay_s']} s",
        ),
        figure(
            "p95 detection delay (adaptive)",
            a["p95_detection_delay_s"],
            "s",
            reference=f"fixed 10 s poll: {f['p95_detection_delay_s']} s",
        ),
        figure(
            "makespan ÷ ideal with a fixed 10 s poll",
            f["makespan_ratio"],
            "×",
            reference=f"adaptive: {a['makespan_ratio']}",
        ),
        figure("failed jobs (both runs)", a["failed"] + f["failed"], "jobs", target=("==", 0)),
    ]
    return {
        "jobs": base.jobs,
        "speed": base.speed,
        "adaptive": a,
        "fixed_10s": f,
        "figures": figures,
    }
