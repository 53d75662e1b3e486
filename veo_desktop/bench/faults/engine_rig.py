"""An in-process engine (the real composition root: store, httpx client, provider, dispatcher) against an
in-process simulator on a scaled clock, for campaigns that need no process kills (network matrix, canary).

Every provider: `vertex` (express, the key), `vertex-project` (a service-account key file the simulator
trusts, written outside the app's folders, as `--credentials` gives it; tokens from the simulator's `/token`),
`gemini` (Omni; videos of more than 8 s are delivered by URI and, with the `omni_get_after_uri=uri` switch
the rig sets, fetched from the files endpoint through the blob host's redirect)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
PROVIDERS = ("vertex", "vertex-project", "gemini")
URI_DURATION_S = 10  # an Omni video this long is asked for by URI (files endpoint, redirect to the blob host)


@dataclass
class EngineRig:
    root: Path
    sim: Simulator
    running: RunningEngine
    paths: AppPaths
    provider: str
    service_account: dict[str, Any] | None = None  # vertex-project's key (the secret the canary looks for)

    async def submit(self, prompt: str, *, duration_s: int | None = None) -> Job:
        """One job on the provider's default model; Omni defaults to a URI-delivered length."""
        engine = self.running.engine
        model = engine.catalogue.default_model(engine.provider_name)
        if duration_s is None:
            duration_s = URI_DURATION_S if self.provider == "gemini" else 4
        (job,) = await engine.submit(GenerationRequest(model_id=model.id, prompt=prompt, duration_s=duration_s))
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
    sim = Simulator(
        api_key=key,
        clock=clock,
        latency_s=latency_s,
        max_in_flight=0,
        download_host=download_host,
        file_processing_s=1.0,
        switches={"omni_get_after_uri": "uri"},
    )
    await asyncio.to_thread(sim.start)
    paths = AppPaths(data_dir=root / "data", config_dir=root / "config", library_dir=root / "library")
    service_account, credentials = None, None
    if provider == "vertex-project":
        credentials = root / "credentials" / "service-account.json"  # outside the folders the app writes
        credentials.parent.mkdir(parents=True, exist_ok=True)
        service_account = await asyncio.to_thread(sim.write_service_account, credentials)
    settings = Settings(
        provider=provider,
        api_base=sim.base_url_for(provider),
        max_starts_per_minute=0,
        project=sim.project if provider == "vertex-project" else "",
    )
    options = EngineOptions(
        paths=paths,
        settings=settings,
        sim_speed=speed,
        clock=clock,
        api_key=lambda: key,
        credentials_file=credentials,
        dispatch=DispatchConfig(slots=SlotConfig(2, 0)),
        priors_s={m.id: sum(latency_s) / 2 for m in load_catalogue().models},
    )
    try:
        running = await open_engine(options)
    except BaseException:
        await asyncio.to_thread(sim.stop)
        raise
    return EngineRig(root, sim, running, paths, provider, service_account)
