"""The composition root: the built-in simulator end to end, and settings applied to a running engine."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

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


@pytest.mark.parametrize(
    ("provider", "model", "duration_s"),
    [("gemini", "gemini-omni-1.1-flash", 5), ("vertex-project", "veo-3.1-fast-generate-001", 6)],
)
async def test_simulate_wires_each_provider_to_its_hosts(
    tmp_path: Path, provider: str, model: str, duration_s: int
) -> None:
    paths = AppPaths(data_dir=tmp_path / "data", config_dir=tmp_path / "config", library_dir=tmp_path / "lib")
    options = EngineOptions(
        paths=paths, settings=Settings(provider=provider), simulate=True, sim_speed=50, sim_latency_s=(20, 30)
    )
    running = await open_engine(options)
    try:
        assert running.engine.available_providers() == {provider, "gemini-veo"}
        sim = running.simulator
        assert sim is not None
        key_files = list(running.temp_files)
        await running.engine.submit(GenerationRequest(model_id=model, prompt="wired", duration_s=duration_s))
        assert await wait_settled(running) == [JobStatus.COMPLETED]
        stats = sim.stats  # type: ignore[attr-defined]
        assert stats.starts_by_provider.get(provider) == 1, stats.starts_by_provider
        if provider == "vertex-project":
            assert stats.token_grants >= 1 and len(key_files) == 1
    finally:
        await running.aclose()
    assert all(not p.exists() for p in key_files)  # the simulator's key file goes with the engine


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


@pytest.mark.parametrize(("provider", "words"), [("vertex", "vertex-project"), ("vertex-project", "invalid_grant")])
async def test_real_refusals_pause_the_queue_and_keep_the_jobs(tmp_path: Path, provider: str, words: str) -> None:
    """Through the real clients: express mode refusing Veo (RESOURCE_PROJECT_INVALID), and the token endpoint
    refusing the service account (invalid_grant), each pause the queue once; both jobs keep their places."""
    from veo_desktop.simulator import invalid_grant

    paths = AppPaths(data_dir=tmp_path / "data", config_dir=tmp_path / "config", library_dir=tmp_path / "lib")
    settings = Settings(provider=provider, max_starts_per_minute=0)
    options = EngineOptions(paths=paths, settings=settings, simulate=True, sim_speed=50, sim_latency_s=(20, 30))
    running = await open_engine(options)
    try:
        sim = running.simulator
        if provider == "vertex":
            sim.set_switch("express_veo", "resource_project_invalid")  # type: ignore[attr-defined]
        else:
            sim.script("token", invalid_grant(), times=None)  # type: ignore[attr-defined]
        for i in range(2):
            await running.engine.submit(
                GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt=f"refused {i}", duration_s=4)
            )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while not (await running.store.run(lambda s: s.queue_state())).paused:
            assert loop.time() < deadline, "the queue did not pause"
            await asyncio.sleep(0.05)
        state = await running.store.run(lambda s: s.queue_state())
        assert words in (state.pause_reason or "")
        jobs = await running.store.run(lambda s: s.waiting_jobs())
        assert [j.request.prompt for j in jobs] == ["refused 0", "refused 1"]
        assert sim.stats.accepted_starts == 0  # type: ignore[attr-defined]
        assert all(e.kind == "charge" for e in await running.engine.ledger())
    finally:
        await running.aclose()


async def test_switching_to_project_mode_live_uses_the_launch_key_file_and_its_host(tmp_path: Path) -> None:
    """A live switch rebuilds the provider with everything it was launched with (the simulator's service-account
    key file) and records the new host; a region change alone rebuilds it too."""
    paths = AppPaths(data_dir=tmp_path / "data", config_dir=tmp_path / "config", library_dir=tmp_path / "lib")
    options = EngineOptions(paths=paths, settings=Settings(), simulate=True, sim_speed=50, sim_latency_s=(20, 30))
    running = await open_engine(options)
    try:
        sim = running.simulator
        assert sim is not None
        assert running.api_base == sim.base_url_for("vertex")  # type: ignore[attr-defined]
        await running.apply_settings(replace(running.settings, provider="vertex-project"))
        assert running.engine.provider_name == "vertex-project"
        assert running.api_base == sim.base_url_for("vertex-project")  # type: ignore[attr-defined]
        await running.engine.submit(
            GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt="project job", duration_s=6)
        )
        assert await wait_settled(running) == [JobStatus.COMPLETED]
        stats = sim.stats  # type: ignore[attr-defined]
        assert stats.starts_by_provider.get("vertex-project") == 1 and stats.token_grants >= 1
        before = running.dispatcher
        await running.apply_settings(replace(running.settings, region="europe-west4"))
        assert running.dispatcher is before and running.engine.provider_name == "vertex-project"
    finally:
        await running.aclose()


@pytest.mark.parametrize("provider", ["vertex", "vertex-project", "gemini"])
async def test_a_candidate_provider_is_built_like_the_running_one(tmp_path: Path, provider: str) -> None:
    """Settings' "Test key" builds the candidate through the running engine: in simulator mode every provider,
    project mode included, reaches the simulator with what it needs, and a wrong key is refused there."""
    from veo_desktop.composition import SIMULATOR_KEY
    from veo_desktop.core.errors import AuthError

    paths = AppPaths(data_dir=tmp_path / "data", config_dir=tmp_path / "config", library_dir=tmp_path / "lib")
    running = await open_engine(EngineOptions(paths=paths, settings=Settings(), simulate=True, run_dispatcher=False))
    try:
        candidate = replace(running.settings, provider=provider)
        models = await running.provider_for(candidate, lambda: SIMULATOR_KEY).list_models()
        assert models
        if provider != "vertex-project":  # project mode signs in with the service account, not the key
            with pytest.raises(AuthError):
                await running.provider_for(candidate, lambda: "wrong-key").list_models()
    finally:
        await running.aclose()
