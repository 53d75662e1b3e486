"""An in-process engine (the real composition root: store, httpx client, provider, dispatcher) against an
in-process simulator on a scaled clock, for campaigns that need no process kills (network matrix, canary)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from veo_desktop.composition import EngineOptions, RunningEngine, load_catalogue, open_engine
from veo_desktop.core.clock import ScaledClock
from veo_desktop.core.jobs import Job
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.config import DispatchConfig
from veo_desktop.paths import AppPaths
from veo_desktop.settings import Settings
from veo_desktop.simulator import Simulator

SETTLED = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.UNKNOWN_START})


@dataclass
class EngineRig:
    root: Path
    sim: Simulator
    running: RunningEngine
    paths: AppPaths

    async def submit(self, prompt: str) -> Job:
        engine = self.running.engine
        model = engine.catalogue.default_model(engine.provider_name)
        (job,) = await engine.submit(GenerationRequest(model_id=model.id, prompt=prompt, duration_s=4))
        return job

    async def wait_settled(self, job_ids: list[str], timeout_s: float = 60.0) -> list[Job]:
        """Until every job is settled, or is queued in a paused queue (waiting for a key)."""
        deadline = time.monotonic() + timeout_s
        engine = self.running.engine
        while True:
            jobs = [await engine.get(j) for j in job_ids]
            paused = (await self.running.store.run(lambda s: s.queue_state())).paused
            if all(j.status in SETTLED or (paused and j.status is JobStatus.QUEUED) for j in jobs):
                return jobs
            if time.monotonic() > deadline:
                raise TimeoutError(f"jobs did not settle: {[(j.id, j.status.value) for j in jobs]}")
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        await self.running.aclose()
        await asyncio.to_thread(self.sim.stop)


async def open_rig(
    root: Path,
    *,
    provider: str,
    key: str,
    speed: float = 100.0,
    latency_s: tuple[float, float] = (4.0, 6.0),
    download_host: str | None = "127.0.0.2",
) -> EngineRig:
    clock = ScaledClock(speed)
    sim = Simulator(api_key=key, clock=clock, latency_s=latency_s, max_in_flight=0, download_host=download_host)
    await asyncio.to_thread(sim.start)
    paths = AppPaths(data_dir=root / "data", config_dir=root / "config", library_dir=root / "library")
    options = EngineOptions(
        paths=paths,
        settings=Settings(provider=provider, api_base=sim.base_url_for(provider), max_starts_per_minute=0),
        sim_speed=speed,
        clock=clock,
        api_key=lambda: key,
        dispatch=DispatchConfig(slots=SlotConfig(2, 0)),
        priors_s={m.id: sum(latency_s) / 2 for m in load_catalogue().models},
    )
    try:
        running = await open_engine(options)
    except BaseException:
        await asyncio.to_thread(sim.stop)
        raise
    return EngineRig(root, sim, running, paths)
