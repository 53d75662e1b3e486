"""Dispatch benchmark: a workload of jobs against the simulator on a scaled clock, beside two models of it.

`run_workload` submits a burst (or Poisson arrivals) through the real engine (store, dispatcher, client,
simulator over loopback HTTP) and reads back each job's timeline: arrival, claim, start at the simulator,
done at the simulator, noticed by the app, completed on disk. All times are clock seconds from the first
submit (the simulator and the app share one `ScaledClock`).

`dispatch_section` puts the figures beside references computed from the same durations and arrivals:
- makespan_ratio: first submit → last video on disk, over the ideal two-slot FIFO schedule (target ≤ 1.02);
- mean turnaround (arrival → video on disk) against the ideal's;
- the poll-driven design (`model.poll_driven_schedule`) on the same workload: its makespan ratio,
  turnaround and the jobs it loses to 429s.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from veo_desktop.bench.figures import figure, percentile
from veo_desktop.bench.loopback import start_simulator
from veo_desktop.bench.model import ideal_schedule, poll_driven_schedule, refill_gaps
from veo_desktop.composition import EngineOptions, RunningEngine, load_catalogue, open_engine
from veo_desktop.core.clock import ScaledClock
from veo_desktop.core.jobs import Job
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.scheduling import PollPolicy, SlotConfig
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.config import DispatchConfig
from veo_desktop.paths import AppPaths
from veo_desktop.settings import Settings

__all__ = [
    "DispatchBenchConfig",
    "FixedPoll",
    "WindowPoll",
    "WorkloadRun",
    "dispatch_section",
    "run_workload",
    "workload_label",
    "workloads",
]

# Real costs (a poll, a commit: milliseconds) are multiplied by the clock speed; at 20 they stay a few
# hundred clock milliseconds per job, small beside 60 s generations. Quick runs only check correctness.
FULL_SPEED = 20.0
_ACTIVE = [JobStatus.QUEUED, JobStatus.SUBMITTING, JobStatus.RUNNING, JobStatus.DOWNLOADING]
_HOLDING = (JobStatus.SUBMITTING.value, JobStatus.RUNNING.value)


@dataclass(frozen=True, slots=True)
class FixedPoll(PollPolicy):
    """The naive reference: poll every `interval_s`, whatever the expected duration."""

    interval_s: float = 10.0

    def next_delay_s(self, elapsed_s: float, expected_s: float, recent_s: Sequence[float] = ()) -> float:
        return self.interval_s


@dataclass(frozen=True, slots=True)
class WindowPoll(PollPolicy):
    """The app's previous policy, kept as a reference: from the expected (median) time alone, silent for
    the first half of it, then one poll per max(1.2 s, 2% of it) until 1.5 × it, then backing off."""

    def next_delay_s(self, elapsed_s: float, expected_s: float, recent_s: Sequence[float] = ()) -> float:
        expected_s = max(expected_s, 1.0)
        dense_from, dense = 0.5 * expected_s, max(1.2, 0.02 * expected_s)
        if elapsed_s < dense_from:
            return min(30.0, max(dense, dense_from - elapsed_s))
        late_by = elapsed_s - 1.5 * expected_s
        return dense if late_by <= 0 else min(30.0, max(1.0, dense + late_by * 0.1))


@dataclass(frozen=True)
class DispatchBenchConfig:
    jobs: int = 50
    speed: float = 40.0
    latency_s: tuple[float, float] = (30.0, 90.0)
    slots: int = 2
    seed: int = 11
    arrivals_per_min: float | None = None  # None = a burst; else Poisson arrivals (clock minutes)
    poll: PollPolicy = field(default_factory=PollPolicy)
    provider: str = "vertex"


@dataclass(frozen=True)
class WorkloadRun:
    """One engine run, every time in clock seconds from the first submit, in submission order."""

    config: DispatchBenchConfig
    arrivals_s: list[float]
    durations_s: list[float]  # the simulator's generation time of each job
    claimed_s: list[float]
    sim_started_s: list[float]
    sim_done_s: list[float]
    noticed_s: list[float]  # the app saw the operation done (running → downloading)
    completed_s: list[float]  # the video is in the library
    failed: int
    double_starts: int
    peak_in_flight: int
    polls: int
    refill_gaps_ms: list[float]  # real ms: a slot freed while a job waited → the next claim
    idle_claims_ms: list[float]  # real ms: a job arriving to a free slot → its claim
    any_free_gaps_ms: list[float]  # real ms: any freed slot → the next claim (the dispatcher's own count)
    real_s: float

    @property
    def makespan_s(self) -> float:
        return max(self.completed_s, default=0.0)

    @property
    def detection_delays_s(self) -> list[float]:
        return [n - d for n, d in zip(self.noticed_s, self.sim_done_s, strict=True)]


async def run_workload(cfg: DispatchBenchConfig) -> WorkloadRun:
    clock = ScaledClock(cfg.speed)
    with tempfile.TemporaryDirectory(prefix="veo-bench-") as tmp:
        root = Path(tmp)
        paths = AppPaths(data_dir=root / "data", config_dir=root / "config", library_dir=root / "library")
        sim = start_simulator(clock=clock, latency_s=cfg.latency_s, seed=cfg.seed, max_in_flight=cfg.slots)
        try:
            settings = Settings(
                provider=cfg.provider, api_base=sim.base_url, max_in_flight=cfg.slots, max_starts_per_minute=0
            )
            options = EngineOptions(
                paths=paths,
                settings=settings,
                clock=clock,
                api_key=lambda: "sim-key",
                dispatch=DispatchConfig(slots=SlotConfig(cfg.slots, 0), poll=cfg.poll),
                priors_s={m.id: sum(cfg.latency_s) / 2 for m in load_catalogue().models},
            )
            running = await open_engine(options)
            try:
                return await _drive(running, sim, clock, cfg)
            finally:
                await running.aclose()
        finally:
            sim.stop()


async def _submit_all(running: RunningEngine, clock: ScaledClock, cfg: DispatchBenchConfig) -> list[float]:
    engine = running.engine
    model = engine.catalogue.default_model(engine.provider_name).id
    rng = random.Random(cfg.seed)
    t0 = clock.monotonic()
    arrivals: list[float] = []
    for i in range(cfg.jobs):
        if cfg.arrivals_per_min:
            await clock.sleep(rng.expovariate(cfg.arrivals_per_min / 60))
        arrivals.append(clock.monotonic() - t0)
        await engine.submit(GenerationRequest(model_id=model, prompt=f"bench job {i:03d}", duration_s=4))
    return arrivals


async def _drive(running: RunningEngine, sim: Any, clock: ScaledClock, cfg: DispatchBenchConfig) -> WorkloadRun:
    # wall_ms() and monotonic() of a ScaledClock advance together: one offset maps store times to the clock.
    t0 = clock.monotonic()
    offset_ms = clock.wall_ms() - t0 * 1000
    real0 = time.perf_counter()
    arrivals = await _submit_all(running, clock, cfg)
    while await running.store.run(lambda s: len(s.list_jobs(_ACTIVE))):
        await asyncio.sleep(0.05)
    real_s = time.perf_counter() - real0
    jobs = await running.store.run(lambda s: s.list_jobs())
    events = await running.store.run(lambda s: s.events(None, limit=cfg.jobs * 50))
    jobs.sort(key=lambda j: (j.created_at_ms, j.queue_order))

    def rel(at_ms: int | None) -> float:
        return ((at_ms or 0) - offset_ms) / 1000 - t0

    noticed = {e.job_id: rel(e.at_ms) for e in events if e.to_status == JobStatus.DOWNLOADING.value}
    ops = {op.name: op for op in sim.operations()}  # the simulator's own record of each generation
    done = [j for j in jobs if j.status is JobStatus.COMPLETED and j.operation_name in ops]
    starts = Counter(record.prompt for record in sim.stats.starts)
    # Clock ms on the store's timeline: arrivals, slots freed (a job leaving submitting/running for anything
    # but running), claims.
    frees = [e.at_ms for e in events if e.from_status in _HOLDING and e.to_status != JobStatus.RUNNING.value]
    claims = [j.started_at_ms for j in jobs if j.started_at_ms is not None]
    gaps_ms, idle_ms = refill_gaps([j.created_at_ms for j in jobs], frees, claims)
    return WorkloadRun(
        config=cfg,
        arrivals_s=[a for a, j in zip(arrivals, jobs, strict=True) if j in done],
        durations_s=[ops[_op(j)].latency_s for j in done],
        claimed_s=[rel(j.started_at_ms) for j in done],
        sim_started_s=[ops[_op(j)].started_at_s - t0 for j in done],
        sim_done_s=[ops[_op(j)].done_at_s - t0 for j in done],
        noticed_s=[noticed.get(j.id, rel(j.finished_at_ms)) for j in done],
        completed_s=[rel(j.finished_at_ms) for j in done],
        failed=len(jobs) - len(done),
        double_starts=sum(n - 1 for n in starts.values() if n > 1),
        peak_in_flight=sim.stats.peak_in_flight,
        polls=sim.stats.polls,
        refill_gaps_ms=[g / cfg.speed for g in gaps_ms],
        idle_claims_ms=[g / cfg.speed for g in idle_ms],
        any_free_gaps_ms=[g / cfg.speed for g in running.dispatcher.refill_gaps_ms],
        real_s=real_s,
    )


def _op(job: Job) -> str:
    assert job.operation_name is not None
    return job.operation_name


def _r(value: float, digits: int = 2) -> float:
    return round(value, digits)


def _mean(values: list[float]) -> float | None:
    return _r(statistics.mean(values)) if values else None


def workload_figures(run: WorkloadRun) -> dict[str, Any]:
    """The raw numbers of one run (no targets): makespan, turnaround, detection, refill, polls."""
    ideal = ideal_schedule(run.durations_s, run.arrivals_s, run.config.slots)
    delays = run.detection_delays_s or [0.0]
    turnaround = [c - a for c, a in zip(run.completed_s, run.arrivals_s, strict=True)] or [0.0]
    start_rtt = [s - c for s, c in zip(run.sim_started_s, run.claimed_s, strict=True)] or [0.0]
    return {
        "jobs": run.config.jobs,
        "completed": len(run.completed_s),
        "failed": run.failed,
        "double_starts": run.double_starts,
        "simulator_peak_in_flight": run.peak_in_flight,
        "speed": run.config.speed,
        "real_s": _r(run.real_s),
        "makespan_s": _r(run.makespan_s),
        "ideal_makespan_s": _r(ideal.makespan_s),
        "makespan_ratio": _r(run.makespan_s / ideal.makespan_s, 4) if ideal.makespan_s else None,
        "mean_turnaround_s": _r(statistics.mean(turnaround)),
        "ideal_mean_turnaround_s": _r(ideal.mean_turnaround_s(run.arrivals_s)),
        "polls_per_job": _r(run.polls / max(1, len(run.completed_s))),
        "mean_detection_delay_s": _r(statistics.mean(delays)),
        "p95_detection_delay_s": _r(percentile(delays, 95)),
        "max_detection_delay_s": _r(max(delays)),
        "mean_claim_to_start_s": _r(statistics.mean(start_rtt), 3),
        "mean_refill_gap_ms": _mean(run.refill_gaps_ms),
        "refills": len(run.refill_gaps_ms),
        "mean_idle_slot_claim_ms": _mean(run.idle_claims_ms),
        "mean_any_free_to_claim_ms": _mean(run.any_free_gaps_ms),
    }


def _poll_model(run: WorkloadRun) -> dict[str, Any]:
    ideal = ideal_schedule(run.durations_s, run.arrivals_s, run.config.slots)
    model = poll_driven_schedule(run.durations_s, run.arrivals_s, server_max_in_flight=run.config.slots)
    return {
        "completed": sum(e is not None for e in model.ends_s),
        "lost_to_429": model.lost,
        "makespan_s": _r(model.makespan_s),
        "makespan_ratio": _r(model.makespan_s / ideal.makespan_s, 4) if ideal.makespan_s else None,
        "mean_turnaround_s": _r(model.mean_turnaround_s(run.arrivals_s)),
    }


def _workload_entry(label: str, run: WorkloadRun) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    raw = workload_figures(run)
    model = _poll_model(run)
    raw["poll_driven_model"] = model
    ideal_ref = f"ideal 2-slot FIFO {raw['ideal_makespan_s']} s"
    figures = [
        figure(f"{label}: makespan ÷ ideal", raw["makespan_ratio"], "×", target=("<=", 1.02), reference=ideal_ref),
        figure(
            f"{label}: mean turnaround",
            raw["mean_turnaround_s"],
            "s",
            reference=f"ideal {raw['ideal_mean_turnaround_s']} s; poll-driven {model['mean_turnaround_s']} s",
        ),
        figure(
            f"{label}: poll-driven design, makespan ÷ ideal",
            model["makespan_ratio"],
            "×",
            reference=f"completes {model['completed']}/{run.config.jobs}",
        ),
        figure(
            f"{label}: poll-driven design, jobs lost to 429",
            model["lost_to_429"],
            "jobs",
            reference=f"this app: {raw['failed']} failed",
        ),
        figure(
            f"{label}: mean refill gap (slot freed while a job waited → next claim)",
            raw["mean_refill_gap_ms"],
            "ms",
            target=("<", 50),
            reference=(
                f"{raw['refills']} refills; any freed slot → next claim (idle time included): "
                f"{raw['mean_any_free_to_claim_ms']} ms; arrival to a free slot → claim: "
                f"{raw['mean_idle_slot_claim_ms']} ms"
            ),
        ),
        figure(f"{label}: failed jobs", raw["failed"], "jobs", target=("==", 0)),
        figure(f"{label}: double starts", raw["double_starts"], "", target=("==", 0)),
    ]
    return raw, figures


async def dispatch_section(quick: bool) -> tuple[dict[str, Any], dict[str, WorkloadRun]]:
    """Burst and Poisson workloads; returns the section and both runs (economy reuses them)."""
    runs = {name: await run_workload(cfg) for name, cfg in workloads(quick).items()}
    burst, burst_figs = _workload_entry(workload_label(runs["burst"].config), runs["burst"])
    poisson, poisson_figs = _workload_entry(workload_label(runs["poisson"].config), runs["poisson"])
    section = {"burst": burst, "poisson": poisson, "figures": burst_figs + poisson_figs}
    return section, runs


def workloads(quick: bool) -> dict[str, DispatchBenchConfig]:
    """The two workloads: a burst, and Poisson arrivals at 1.6 per minute (utilisation 0.8 of two slots
    with 60 s mean generations)."""
    jobs, speed = (8, 100.0) if quick else (50, FULL_SPEED)
    return {
        "burst": DispatchBenchConfig(jobs=jobs, speed=speed),
        "poisson": DispatchBenchConfig(jobs=jobs if quick else 30, speed=speed, arrivals_per_min=1.6, seed=12),
    }


def workload_label(cfg: DispatchBenchConfig) -> str:
    spread = "" if cfg.latency_s == (30.0, 90.0) else f" ({cfg.latency_s[0]:g}–{cfg.latency_s[1]:g} s generations)"
    if cfg.arrivals_per_min is None:
        return f"burst of {cfg.jobs}{spread}"
    return f"Poisson {cfg.jobs} jobs, {cfg.arrivals_per_min:g}/min{spread}"
