"""T6 (team-mode design §5): ana's desktop loses its link to the database (a blackhole proxy) for twice its
lease while her video is generating. Bia's desktop, another creator on the same PostgreSQL and simulator,
takes the job over for polling with her own key of the same project, sees it done, hands it over and frees
the slot, so her own next job starts; when ana's link is back, ana's desktop downloads the video into ana's
library (never bia's), from the operation ana's desktop started: started once, the ledger balanced. And when
Google filtered ana's video, bia's desktop settles it with ana's refund, as ana's own would."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.store import pg
from veo_desktop.composition import EngineOptions, RunningEngine, open_engine
from veo_desktop.core.clock import ScaledClock
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import FailureKind
from veo_desktop.engine.config import DispatchConfig
from veo_desktop.paths import AppPaths
from veo_desktop.settings import Settings
from veo_desktop.simulator import Simulator
from veo_desktop.testing.tcp_proxy import FaultProxy

SPEED = 50.0  # clock seconds per real second, for the desktops and the simulator alike
LEASE_MS = 40_000  # 0.8 s real
GENERATION_S = 90.0  # 1.8 s real: done while ana's link is down
MODEL = "veo-3.1-fast-generate-001"


def _sql(cluster: pg.Cluster, db: str, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    raw = pg.Raw(cluster.admin_url(db))
    try:
        return raw(sql, params)
    finally:
        raw.close()


async def _until(cond: Callable[[], Awaitable[bool]], what: str, real_s: float = 60.0) -> float:
    """Wait for a condition, never forever; returns when it first held (monotonic seconds)."""
    deadline = time.monotonic() + real_s
    while not await cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {real_s} s")
        await asyncio.sleep(0.02)
    return time.monotonic()


async def _desktop(root: Path, name: str, url: str, sim: Simulator, clock: ScaledClock) -> RunningEngine:
    paths = AppPaths(data_dir=root / name / "data", config_dir=root / name / "config", library_dir=root / name / "lib")
    settings = Settings(api_base=sim.base_url_for("vertex"), team_url=url, max_starts_per_minute=0)
    return await open_engine(
        EngineOptions(
            paths=paths,
            settings=settings,
            clock=clock,
            api_key=lambda: f"sim-key-{name}",  # each creator's own key of the studio's project
            dispatch=DispatchConfig(slots=SlotConfig(1, 0), lease_ms=LEASE_MS, adopt_every_s=5.0),
            priors_s={MODEL: GENERATION_S},
        )
    )


Scenario = Callable[[pg.Cluster, str, FaultProxy, Simulator, RunningEngine, RunningEngine], Awaitable[dict[str, Any]]]


async def _on_a_team(cluster: pg.Cluster, db: str, root: Path, scenario: Scenario) -> dict[str, Any]:
    """Ana's desktop behind the fault proxy, bia's direct, one simulator that knows both creators' keys."""
    _sql(cluster, db, "UPDATE veo.pool SET max_in_flight = 1, max_starts_per_minute = 0, presence_ms = 10^12")
    clock = ScaledClock(SPEED)
    port = int(cluster.url.rsplit(":", 1)[1].split("/")[0])
    keys = {"api_key": "sim-key-ana", "more_keys": ("sim-key-bia",)}  # two keys of one project
    with Simulator(clock=clock, latency_s=(GENERATION_S, GENERATION_S), max_in_flight=0, **keys) as sim:
        async with FaultProxy(port) as proxy:
            ana = await _desktop(root, "ana", f"postgresql://ana@127.0.0.1:{proxy.port}/{db}", sim, clock)
            bia = await _desktop(root, "bia", cluster.creator_url(db, "bia"), sim, clock)
            try:
                figures = await scenario(cluster, db, proxy, sim, ana, bia)
            finally:
                proxy.set_mode("pass")
                await ana.aclose()
                await bia.aclose()
    print("\n" + "\n".join(f"{k}: {v}" for k, v in figures.items()))
    return figures


@pytest.mark.usefixtures("memory_keyring")
async def test_a_blackholed_owner_gets_its_video_after_another_creator_polled_it(
    pg_cluster: pg.Cluster, pg_db: str, tmp_path: Path
) -> None:
    await _on_a_team(pg_cluster, pg_db, tmp_path, _scenario)


@pytest.mark.usefixtures("memory_keyring")
async def test_a_blackholed_owners_filtered_video_is_settled_and_refunded_by_another(
    pg_cluster: pg.Cluster, pg_db: str, tmp_path: Path
) -> None:
    await _on_a_team(pg_cluster, pg_db, tmp_path, _filtered)


async def _filtered(
    cluster: pg.Cluster, db: str, proxy: FaultProxy, sim: Simulator, ana: RunningEngine, bia: RunningEngine
) -> dict[str, Any]:
    """Google's safety filter is Google's verdict whoever asks: bia settles it with ana's refund."""
    jobs = _reader(cluster, db)
    prompt = "ana's storm [sim:filter]"
    (ana_job,) = await ana.engine.submit(GenerationRequest(model_id=MODEL, prompt=prompt, duration_s=4))
    await _until(lambda: _has(jobs, "ana", "running"), "ana's start")
    (bia_job,) = await bia.engine.submit(GenerationRequest(model_id=MODEL, prompt="bia's harbour", duration_s=4))
    proxy.set_mode("blackhole")
    cut = time.monotonic()
    settled = await _until(lambda: _has(jobs, "ana", "failed"), "bia's settlement")
    await _until(lambda: _has(jobs, "bia", "completed"), "bia's own video in the freed slot")
    proxy.set_mode("pass")
    job = await ana.store.run(lambda s: s.get(ana_job.id))
    assert job.error_kind is FailureKind.FILTERED and job.refunded_micros == job.charged_micros > 0
    assert bia.dispatcher.relay.settled == 1 and bia.dispatcher.relay.handed_over == 0
    assert list(ana.paths.library_dir.glob("*.mp4")) == [] and list(bia.paths.staging_dir.iterdir()) == []
    assert [bia_job.id in name for name in _names(bia)] == [True]  # bia's own video only
    assert sim.stats.accepted_starts == 2 and sim.stats.peak_in_flight <= 1
    return {"cut -> bia settled ana's filtered video (real s)": round(settled - cut, 2)}


def _names(engine: RunningEngine) -> list[str]:
    return [p.name for p in engine.paths.library_dir.glob("*.mp4")]


def _reader(cluster: pg.Cluster, db: str) -> Callable[[], Awaitable[dict[str, tuple[str, str, str | None]]]]:
    async def jobs() -> dict[str, tuple[str, str, str | None]]:
        rows = await asyncio.to_thread(_sql, cluster, db, "SELECT id, creator, status, note FROM veo.jobs")
        return {str(r[0]): (str(r[1]), str(r[2]), r[3]) for r in rows}

    return jobs


async def _scenario(
    cluster: pg.Cluster, db: str, proxy: FaultProxy, sim: Simulator, ana: RunningEngine, bia: RunningEngine
) -> dict[str, Any]:
    jobs = _reader(cluster, db)

    def of(rows: dict[str, tuple[str, str, str | None]], creator: str, status: str) -> list[str]:
        return [i for i, (c, s, _) in rows.items() if c == creator and s == status]

    (ana_job,) = await ana.engine.submit(GenerationRequest(model_id=MODEL, prompt="ana's lighthouse", duration_s=4))
    await _until(lambda: _has(jobs, "ana", "running"), "ana's start")
    (bia_job,) = await bia.engine.submit(GenerationRequest(model_id=MODEL, prompt="bia's harbour", duration_s=4))
    proxy.set_mode("blackhole")
    cut = time.monotonic()
    handed = await _until(lambda: _has(jobs, "ana", "downloading"), "bia's hand-over")
    await _until(lambda: _has(jobs, "bia", "running", "downloading", "completed"), "bia's next start")
    assert of(await jobs(), "ana", "downloading") == [ana_job.id]  # still waiting for ana's desktop
    await asyncio.sleep(max(0.0, cut + 2 * LEASE_MS / SPEED / 1000 - time.monotonic()))  # 2x the lease, at least
    proxy.set_mode("pass")
    back = time.monotonic()
    done = await _until(lambda: _has(jobs, "ana", "completed"), "ana's download")
    await _until(lambda: _has(jobs, "bia", "completed"), "bia's own video")

    ana_files = sorted(p.name for p in ana.paths.library_dir.glob("*.mp4"))
    bia_files = sorted(p.name for p in bia.paths.library_dir.glob("*.mp4"))
    assert len(ana_files) == 1 and ana_job.id in ana_files[0]  # ana's video, in ana's library
    assert len(bia_files) == 1 and bia_job.id in bia_files[0] and not any(ana_job.id in f for f in bia_files)
    assert list(bia.paths.staging_dir.iterdir()) == []  # the inline bytes bia's poll got were dropped
    assert bia.dispatcher.relay.handed_over == 1
    assert sim.stats.accepted_starts == 2 and sim.stats.peak_in_flight <= 1  # no double start, the cap held
    starts = _sql(cluster, db, "SELECT job_id, count(*) FROM veo.starts WHERE outcome = 'accepted' GROUP BY job_id")
    assert sorted(n for _, n in starts) == [1, 1]
    ledger = _sql(
        cluster,
        db,
        "SELECT c.name, (SELECT COALESCE(sum(CASE l.kind WHEN 'charge' THEN l.amount_micros ELSE -l.amount_micros "
        "END), 0) FROM veo.ledger l WHERE l.creator = c.name), (SELECT COALESCE(sum(j.cost_micros), 0) "
        "FROM veo.jobs j WHERE j.creator = c.name AND j.status = 'completed') FROM veo.creators c ORDER BY c.name",
    )
    assert [(name, net == kept) for name, net, kept in ledger] == [("ana", True), ("bia", True)]
    history = [e.detail for e in await ana.store.run(lambda s: s.events(ana_job.id))]
    assert any("bia's desktop) for polling" in d for d in history)
    handed_at = history.index("Done at Google; waiting for ana's desktop to download it.")
    # ana's desktop took the download (adopt_downloads, or adopt_active when the hand-over landed between them)
    assert any(d.startswith("Taken over by") and "(from nobody" in d for d in history[handed_at:]), history
    claimed = _sql(
        cluster,
        db,
        "SELECT (SELECT min(id) FROM veo.events WHERE job_id = ? AND to_status = 'submitting') > "
        "(SELECT min(id) FROM veo.events WHERE job_id = ? AND to_status = 'downloading')",
        (bia_job.id, ana_job.id),
    )
    assert claimed == [(True,)]  # bia's job started only once the slot ana's job held was freed
    return {
        "link cut (real s)": round(back - cut, 2),
        "cut -> bia's hand-over (real s)": round(handed - cut, 2),
        "link back -> video in ana's library (real s)": round(done - back, 2),
        "proxy connections": proxy.connections,
    }


async def _has(
    jobs: Callable[[], Awaitable[dict[str, tuple[str, str, str | None]]]], creator: str, *states: str
) -> bool:
    return any(c == creator and s in states for c, s, _ in (await jobs()).values())
