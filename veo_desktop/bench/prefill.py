"""Fill a store with jobs through its own moves (no SQL of ours): a history of finished jobs, or a long queue."""

from __future__ import annotations

import random
from pathlib import Path

from veo_desktop.core.ids import new_job_id
from veo_desktop.core.jobs import VideoOutput
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import FailureKind
from veo_desktop.store.base import NewJob
from veo_desktop.store.sqlite import SqliteStore

__all__ = ["BENCH_MODEL", "enqueue_many", "fill_history", "run_one_job"]

BENCH_MODEL = "veo-3.1-fast-generate-001"
T0_MS = 1_767_225_600_000  # 2026-01-01, well before "today": history never counts against today's budget
_OPEN = SlotConfig(max_in_flight=1_000_000, max_starts_per_minute=0)
_BATCH = 1_000


def _new_jobs(n: int, rng: random.Random, now_ms: int, start: int) -> list[NewJob]:
    return [
        NewJob(
            id=new_job_id(now_ms, rng),
            request=GenerationRequest(model_id=BENCH_MODEL, prompt=f"bench prompt {start + i}: a fox in the snow"),
            cost_micros=1_200_000,
            provider="vertex",
        )
        for i in range(n)
    ]


def enqueue_many(store: SqliteStore, n: int, *, seed: int = 1, now_ms: int = T0_MS) -> int:
    """`n` waiting jobs, enqueued in batches of 1,000 (one transaction each)."""
    rng = random.Random(seed)
    for start in range(0, n, _BATCH):
        jobs = _new_jobs(min(_BATCH, n - start), rng, now_ms + start, start)
        store.enqueue(jobs, now_ms=now_ms + start, day_start_ms=now_ms - 3_600_000)
    return n


def run_one_job(store: SqliteStore, *, now_ms: int, video: Path | None = None, owner: str = "bench") -> str | None:
    """Claim the head, run it and complete it (with `video` as its output): four transactions."""
    job = store.claim_next(owner=owner, now_ms=now_ms, lease_ms=60_000, config=_OPEN)
    if job is None:
        return None
    store.mark_running(job.id, operation_name=f"models/{BENCH_MODEL}/operations/{job.id}", now_ms=now_ms + 1)
    store.begin_download(job.id, now_ms=now_ms + 60_000)
    path = str(video) if video is not None else f"/library/{job.id}.mp4"
    output = VideoOutput(path=path, size_bytes=10_000, sha256="ab" * 32)
    store.complete(job.id, outputs=[output], now_ms=now_ms + 61_000)
    return job.id


def fill_history(
    store: SqliteStore, n: int, *, completed: int = 200, failed: int = 100, video: Path | None = None
) -> None:
    """`n` finished jobs: `completed` completed, `failed` failed (refunded), the rest cancelled (one
    transaction for all of them). Every finished job goes through the store's own moves."""
    enqueue_many(store, n)
    now_ms = T0_MS + 10_000_000
    for i in range(completed):
        run_one_job(store, now_ms=now_ms + i * 100_000, video=video)
    for i in range(failed):
        job = store.claim_next(owner="bench", now_ms=now_ms, lease_ms=60_000, config=_OPEN)
        if job is None:
            break
        store.mark_running(job.id, operation_name=f"models/{BENCH_MODEL}/operations/{job.id}", now_ms=now_ms)
        store.fail(
            job.id,
            expected=job.status.RUNNING,
            kind=FailureKind.FILTERED,
            message=f"Google's safety filters blocked this video ({i}).",
            now_ms=now_ms + 30_000,
        )
    store.cancel_all_waiting(now_ms=now_ms + 1)
