"""Dispatch benchmark: a burst of jobs with random durations against the simulator on a scaled clock.

Figures (JSON):
- makespan_ratio: first submit → last video on disk, divided by the ideal two-slot FIFO schedule of the
  same generation times (what a dispatcher with perfect knowledge and zero overhead would achieve);
- mean_refill_gap_ms: a slot freed (operation noticed done, or a start failed) → the next start claimed, in
  real milliseconds;
- polls_per_job, mean_detection_delay_s (operation done at the simulator → noticed), failed, double_starts.
"""

from __future__ import annotations

import asyncio
import heapq
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from veo_desktop.composition import EngineOptions, open_engine
from veo_desktop.core.clock import ScaledClock
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.dispatcher import DispatchConfig
from veo_desktop.paths import AppPaths
from veo_desktop.settings import Settings


@dataclass(frozen=True)
class DispatchBenchConfig:
    jobs: int = 50
    speed: float = 40.0
    latency_s: tuple[float, float] = (30.0, 90.0)
    slots: int = 2
    seed: int = 11
    arrivals_per_min: float | None = None  # None = a burst; else Poisson arrivals (clock minutes)


def ideal_makespan_s(durations_s: list[float], slots: int, arrivals_s: list[float] | None = None) -> float:
    """FIFO list scheduling of the same generations on `slots` slots with zero overhead."""
    free = [0.0] * slots
    heapq.heapify(free)
    end = 0.0
    for i, d in enumerate(durations_s):
        t = max(heapq.heappop(free), arrivals_s[i] if arrivals_s else 0.0)
        heapq.heappush(free, t + d)
        end = max(end, t + d)
    return end


async def run_dispatch_bench(cfg: DispatchBenchConfig) -> dict[str, Any]:
    import random

    from veo_desktop.simulator import Simulator

    clock = ScaledClock(cfg.speed)
    rng = random.Random(cfg.seed)
    with tempfile.TemporaryDirectory(prefix="veo-bench-") as tmp:
        root = Path(tmp)
        paths = AppPaths(data_dir=root / "data", config_dir=root / "config", library_dir=root / "library")
        sim = Simulator(clock=clock, latency_s=cfg.latency_s, seed=cfg.seed, max_in_flight=cfg.slots)
        sim.start()
        try:
            settings = Settings(api_base=sim.base_url, max_in_flight=cfg.slots, max_starts_per_minute=0)
            options = EngineOptions(
                paths=paths,
                settings=settings,
                clock=clock,
                api_key=lambda: "sim-key",
                dispatch=DispatchConfig(slots=SlotConfig(cfg.slots, 0)),
            )
            running = await open_engine(options)
            mean = sum(cfg.latency_s) / 2
            running.dispatcher.outcomes.priors_s = {m.id: mean for m in running.engine.catalogue.models}
            try:
                result = await _burst(running, clock, cfg, rng)
            finally:
                await running.aclose()
            ops = list(sim._book._ops.values())  # the simulator's own record of each generation
            durations = [op.latency_s for op in sorted(ops, key=lambda o: o.started_at_s)]
            arrivals = result.pop("_arrivals")
            ideal = ideal_makespan_s(durations, cfg.slots, arrivals if cfg.arrivals_per_min else None)
            starts = Counter(p for p, _, _ in sim.stats.starts)
            result.update(
                ideal_makespan_s=round(ideal, 2),
                makespan_ratio=round(result["makespan_s"] / ideal, 4) if ideal else None,
                double_starts=sum(n - 1 for n in starts.values() if n > 1),
                simulator_peak_in_flight=sim.stats.peak_in_flight,
                polls_per_job=round(sim.stats.polls / max(1, cfg.jobs), 2),
            )
            return result
        finally:
            sim.stop()


async def _burst(running: Any, clock: ScaledClock, cfg: DispatchBenchConfig, rng: Any) -> dict[str, Any]:
    engine = running.engine
    model = engine.catalogue.default_model(engine.provider_name).id
    t0 = clock.monotonic()
    arrivals: list[float] = []
    for i in range(cfg.jobs):
        if cfg.arrivals_per_min:
            gap = rng.expovariate(cfg.arrivals_per_min / 60)
            await clock.sleep(gap)
        arrivals.append(clock.monotonic() - t0)
        await engine.submit(GenerationRequest(model_id=model, prompt=f"bench job {i:03d}", duration_s=4))
    real0 = time.perf_counter()
    while True:
        jobs = await running.store.run(lambda s: s.list_jobs())
        if all(j.status.is_terminal or j.status is JobStatus.UNKNOWN_START for j in jobs):
            break
        await asyncio.sleep(0.02)
    makespan = clock.monotonic() - t0
    gaps = running.dispatcher.refill_gaps_ms
    turnaround = [((j.finished_at_ms or 0) - j.created_at_ms) / 1000 for j in jobs]
    return {
        "jobs": cfg.jobs,
        "speed": cfg.speed,
        "makespan_s": round(makespan, 2),
        "real_s": round(time.perf_counter() - real0, 2),
        "mean_turnaround_s": round(statistics.mean(turnaround), 2),
        "mean_refill_gap_ms": round(statistics.mean(gaps) / cfg.speed, 2) if gaps else None,
        "completed": sum(j.status is JobStatus.COMPLETED for j in jobs),
        "failed": sum(j.status is not JobStatus.COMPLETED for j in jobs),
        "_arrivals": arrivals,
    }
