"""The dispatcher with the real Veo client against the loopback simulator, on a scaled clock:
20 jobs, never more than 2 in flight at the simulator, FIFO starts, positions always 1..k, a 429 storm,
a restart in the middle, the ledger balanced at the end."""

from __future__ import annotations

import asyncio
from pathlib import Path

from veo_desktop.composition import EngineOptions, RunningEngine, open_engine
from veo_desktop.core.clock import ScaledClock
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.config import DispatchConfig
from veo_desktop.paths import AppPaths
from veo_desktop.settings import Settings
from veo_desktop.simulator import Simulator

SPEED = 50.0


async def open_on(sim: Simulator, clock: ScaledClock, root: Path) -> RunningEngine:
    paths = AppPaths(data_dir=root / "data", config_dir=root / "config", library_dir=root / "library")
    settings = Settings(api_base=sim.base_url, max_starts_per_minute=0)
    return await open_engine(
        EngineOptions(
            paths=paths,
            settings=settings,
            clock=clock,
            api_key=lambda: "sim-key",
            dispatch=DispatchConfig(slots=SlotConfig(2, 0), lease_ms=2_000),
        )
    )


async def check_positions(running: RunningEngine) -> int:
    snap = await running.engine.snapshot()
    waiting = [v.position for v in snap.jobs if v.position is not None]
    assert sorted(waiting) == list(range(1, len(waiting) + 1))
    return sum(1 for v in snap.jobs if not v.job.status.is_terminal and v.job.status is not JobStatus.UNKNOWN_START)


async def test_twenty_jobs_429_storm_and_restart(tmp_path: Path) -> None:
    clock = ScaledClock(SPEED)
    with Simulator(clock=clock, latency_s=(20.0, 40.0), seed=5, max_in_flight=2) as sim:
        running = await open_on(sim, clock, tmp_path)
        prompts = [f"shot {i:02d}" + (" [sim:429x2]" if i % 4 == 1 else "") for i in range(20)]
        for prompt in prompts:
            await running.engine.submit(
                GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt=prompt, duration_s=4)
            )
        while sim.stats.accepted_starts < 8:  # restart in the middle: the app quits with jobs in flight
            await check_positions(running)
            await asyncio.sleep(0.02)
        await running.aclose()
        running = await open_on(sim, clock, tmp_path)
        try:
            while await check_positions(running):
                await asyncio.sleep(0.02)
            jobs = await running.store.run(lambda s: s.list_jobs())
            assert [j.status for j in jobs] == [JobStatus.COMPLETED] * 20
            assert [p for p, _, _ in sim.stats.starts] == prompts  # FIFO, each accepted once
            assert sim.stats.accepted_starts == 20
            assert sim.stats.peak_in_flight <= 2
            ledger = (await running.engine.snapshot()).ledger
            assert ledger.balance_micros == sum(j.cost_micros for j in jobs)
            entries = await running.store.run(lambda s: s.ledger())
            assert all(e.kind == "charge" for e in entries) and len(entries) == 20
        finally:
            await running.aclose()
