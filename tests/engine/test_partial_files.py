"""Partial files are removed only when their writer is provably gone, and only by a process that runs the
queue: a `list` (no dispatcher) never touches a download in progress."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from pathlib import Path

from veo_desktop.composition import EngineOptions, open_engine
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.paths import AppPaths
from veo_desktop.settings import Settings
from veo_desktop.store.base import Holder, NewJob
from veo_desktop.store.sqlite import SqliteStore
from veo_desktop.store.videos import remove_leftover_parts

LIVE = Holder(host="elsewhere", pid=1, token="live-writer")


def test_leftover_parts_keep_the_ones_a_live_process_writes(tmp_path: Path) -> None:
    library, staging = tmp_path / "library", tmp_path / "staging"
    library.mkdir()
    staging.mkdir()
    kept = library / "jlive-a-fox.mp4.part"
    gone = library / "jgone-a-fox.mp4.part"
    staged = staging / "0a1b2c.mp4.part"
    sidecar_tmp = library / ".sidecar-x.json"
    for path in (kept, gone, staged, sidecar_tmp):
        path.write_bytes(b"x")
    assert remove_leftover_parts(library, staging, keep_job_ids={"jlive"}, nameless_too=False) == 1
    assert kept.exists() and not gone.exists() and staged.exists() and sidecar_tmp.exists()
    assert remove_leftover_parts(library, staging, keep_job_ids={"jlive"}, nameless_too=True) == 2
    assert kept.exists() and not staged.exists() and not sidecar_tmp.exists()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


async def test_only_a_dispatching_process_removes_parts_and_only_of_a_gone_writer(tmp_path: Path) -> None:
    paths = AppPaths(data_dir=tmp_path / "data", config_dir=tmp_path / "config", library_dir=tmp_path / "library")
    paths.data_dir.mkdir(parents=True)
    dead = Holder(host=socket.gethostname(), pid=_dead_pid(), token="dead-writer")
    with SqliteStore(paths.database) as store:
        request = GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt="live", duration_s=4)
        jobs = [NewJob(job_id, request, 1000, "vertex") for job_id in ("jlive", "jdead")]
        store.enqueue(jobs, now_ms=1, day_start_ms=0)
        for holder in (LIVE, dead):
            job = store.claim_next(owner=holder, now_ms=2, lease_ms=10**14, config=SlotConfig(2, 0))
            assert job is not None
            store.mark_running(job.id, operation_name=f"op/{job.id}", now_ms=3, fence=job.fence)
            store.begin_download(job.id, now_ms=4, fence=job.fence)
    paths.library_dir.mkdir(parents=True)
    live_part = paths.library_dir / "jlive-live.mp4.part"
    dead_part = paths.library_dir / "jdead-live.mp4.part"
    for part in (live_part, dead_part):
        part.write_bytes(b"half a video")
    for dispatching in (False, True):  # a `list`, then a `run` while the live process still downloads
        options = EngineOptions(
            paths=paths, settings=Settings(), simulate=True, sim_speed=50, run_dispatcher=dispatching
        )
        running = await open_engine(options)
        try:
            await running.engine.snapshot()
            for _ in range(500):
                if not dispatching or not dead_part.exists():
                    break
                await asyncio.sleep(0.01)
        finally:
            await running.aclose()
        assert live_part.read_bytes() == b"half a video"  # its writer is alive (on another host)
        assert dead_part.exists() is not dispatching  # its writer is gone: only the dispatching process removes it
