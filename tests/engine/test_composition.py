"""The composition root: the built-in simulator end to end, and settings applied to a running engine."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from veo_desktop.composition import EngineOptions, RunningEngine, open_engine
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.states import JobStatus
from veo_desktop.paths import AppPaths
from veo_desktop.settings import Settings


async def wait_settled(running: RunningEngine, timeout_s: float = 30) -> list[JobStatus]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        jobs = await running.store.run(lambda s: s.list_jobs())
        if jobs and all(j.status.is_terminal for j in jobs):
            return [j.status for j in jobs]
        await asyncio.sleep(0.05)
    raise AssertionError("jobs did not settle")


async def test_switching_provider_live_keeps_old_jobs_on_their_dialect(tmp_path: Path) -> None:
    paths = AppPaths(data_dir=tmp_path / "data", config_dir=tmp_path / "config", library_dir=tmp_path / "lib")
    options = EngineOptions(paths=paths, settings=Settings(), simulate=True, sim_speed=50, sim_latency_s=(20, 30))
    running = await open_engine(options)
    try:
        engine = running.engine
        await engine.submit(GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt="vertex job", duration_s=4))
        await asyncio.sleep(0.3)  # started on Vertex; switch while it runs
        new = replace(
            running.settings,
            provider="gemini",
            max_in_flight=1,
            daily_budget_usd=5.0,
            library_dir=str(tmp_path / "other"),
        )
        later = await running.apply_settings(new)
        assert later == []
        assert engine.provider_name == "gemini" and engine.slots.max_in_flight == 1
        await engine.submit(GenerationRequest(model_id="gemini-omni-1.1-flash", prompt="gemini job", duration_s=4))
        assert await wait_settled(running) == [JobStatus.COMPLETED, JobStatus.COMPLETED]
        jobs = {j.request.prompt: j for j in await running.store.run(lambda s: s.list_jobs())}
        assert jobs["vertex job"].provider == "vertex" and jobs["gemini job"].provider == "gemini"
        assert Path(jobs["gemini job"].outputs[0].path).parent == tmp_path / "other"
        assert (await engine.snapshot()).ledger.daily_budget_micros == 5_000_000
    finally:
        await running.aclose()


async def test_sigterm_and_sighup_call_the_graceful_stop() -> None:
    import os
    import signal

    from veo_desktop.composition import on_stop_signals

    got: list[int] = []
    remove = on_stop_signals(got.append)
    try:
        for signum in (signal.SIGTERM, signal.SIGHUP):
            os.kill(os.getpid(), signum)
            for _ in range(100):
                if signum in got:
                    break
                await asyncio.sleep(0.01)
    finally:
        remove()
    assert got == [signal.SIGTERM, signal.SIGHUP]
