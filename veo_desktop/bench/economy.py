"""API economy: what each poll policy costs in requests and buys in detection delay, on both workloads.

Each workload of the dispatch section (a burst, Poisson arrivals; same seeds, so the simulator draws the same
generation times in the same start order) runs through the real engine once per policy, injected through
`DispatchConfig(poll=...)`:
- learned: the app's `PollPolicy` (polls placed by the generation times it has seen for the model);
- old adaptive: the previous policy (`WindowPoll`: from the median alone, dense from 0.5 to 1.5 × it);
- fixed 10 s: the interval Google's samples use.

Figures: polls per completed job (every poll the simulator answered, over the completed jobs) and the
detection delay (the operation done at the simulator → the app moved the job to downloading). Beside them,
the floor: the fewest polls per job any schedule can spend for that mean delay when it knows the
simulator's duration distribution exactly (`model.fewest_polls`): no policy can beat it.

A third workload (`narrow`: 50–70 s generations, the same median) shows what learning the spread buys:
the old policy, which assumes ±50% around the median, polls from 30 s on.

Targets: ≤ 12 polls per job at ≤ 1 s mean detection delay. On the uniform 30–90 s generation times of the
burst and Poisson workloads the floor at 1 s is 13.9 polls per job, so both cannot hold at once there; the
policy keeps the delay (a slot idles for it on every job) and spends what it must for it.
"""

from __future__ import annotations

from typing import Any

from veo_desktop.bench.dispatch import (
    FULL_SPEED,
    DispatchBenchConfig,
    FixedPoll,
    WindowPoll,
    WorkloadRun,
    run_workload,
    workload_figures,
    workload_label,
    workloads,
)
from veo_desktop.bench.figures import figure
from veo_desktop.bench.model import fewest_polls
from veo_desktop.core.scheduling import PollPolicy

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
_POLICIES: dict[str, PollPolicy] = {"old_adaptive": WindowPoll(), "fixed_10s": FixedPoll(interval_s=10.0)}


def _summary(run: WorkloadRun) -> dict[str, Any]:
    raw = workload_figures(run)
    return {key: raw[key] for key in _KEYS}


def _distribution(cfg: DispatchBenchConfig, points: int = 2000) -> list[float]:
    """The simulator's generation times (uniform over `latency_s`) as evenly spaced quantiles."""
    low, high = cfg.latency_s
    return [low + (high - low) * (i + 0.5) / points for i in range(points)]


def _narrow(quick: bool) -> DispatchBenchConfig:
    """A third workload, where learning matters: generations of 50–70 s (the same 60 s median, so the same
    prior), a burst of 20. The old policy assumes ±50% around the median and polls from 30 s."""
    jobs, speed = (6, 100.0) if quick else (20, FULL_SPEED)
    return DispatchBenchConfig(jobs=jobs, speed=speed, latency_s=(50.0, 70.0), seed=13)


def _replay(cfg: DispatchBenchConfig, poll: PollPolicy) -> DispatchBenchConfig:
    return DispatchBenchConfig(
        jobs=cfg.jobs,
        speed=cfg.speed,
        latency_s=cfg.latency_s,
        slots=cfg.slots,
        seed=cfg.seed,
        arrivals_per_min=cfg.arrivals_per_min,
        poll=poll,
        provider=cfg.provider,
    )


async def _workload(learned_run: WorkloadRun) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    cfg = learned_run.config
    results = {"learned": _summary(learned_run)}
    for name, poll in _POLICIES.items():
        results[name] = _summary(await run_workload(_replay(cfg, poll)))
    learned, old, fixed = results["learned"], results["old_adaptive"], results["fixed_10s"]
    distribution = _distribution(cfg)
    floor_at_1s = round(fewest_polls(distribution, 1.0), 1)
    floor_here = round(fewest_polls(distribution, max(0.05, learned["mean_detection_delay_s"])), 1)
    results["floor"] = {"polls_per_job_at_1s": floor_at_1s, "polls_per_job_at_learned_delay": floor_here}
    label = workload_label(cfg)
    figures = [
        figure(
            f"{label}: polls per completed job (learned)",
            learned["polls_per_job"],
            "polls",
            target=("<=", 12),
            reference=(
                f"old adaptive {old['polls_per_job']}; fixed 10 s {fixed['polls_per_job']}; fewest possible "
                f"at this delay {floor_here}, at 1 s {floor_at_1s}"
            ),
        ),
        figure(
            f"{label}: mean detection delay (learned)",
            learned["mean_detection_delay_s"],
            "s",
            target=("<=", 1.0),
            reference=f"old adaptive {old['mean_detection_delay_s']} s; fixed 10 s {fixed['mean_detection_delay_s']} s",
        ),
        figure(
            f"{label}: p95 detection delay (learned)",
            learned["p95_detection_delay_s"],
            "s",
            reference=f"old adaptive {old['p95_detection_delay_s']} s; fixed 10 s {fixed['p95_detection_delay_s']} s",
        ),
        figure(
            f"{label}: makespan ÷ ideal (learned)",
            learned["makespan_ratio"],
            "×",
            reference=f"old adaptive {old['makespan_ratio']}; fixed 10 s {fixed['makespan_ratio']}",
        ),
        figure(
            f"{label}: failed jobs (all three policies)",
            sum(r["failed"] for r in (learned, old, fixed)),
            "jobs",
            target=("==", 0),
        ),
    ]
    return results, figures


async def economy_section(quick: bool, *, learned: dict[str, WorkloadRun] | None = None) -> dict[str, Any]:
    """`learned`: the workloads already run with the default policy (`all` passes the dispatch runs)."""
    if learned is None:
        learned = {name: await run_workload(cfg) for name, cfg in workloads(quick).items()}
    learned = {**learned, "narrow": await run_workload(_narrow(quick))}
    section: dict[str, Any] = {"figures": []}
    for name, run in learned.items():
        results, figures = await _workload(run)
        section[name] = {"jobs": run.config.jobs, "speed": run.config.speed, **results}
        section["figures"] += figures
    return section
