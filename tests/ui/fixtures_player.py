"""Builders for the player, library, notification and settings tests: sample clips, finished jobs, snapshots."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from veo_desktop.core.jobs import Job, LedgerSummary, QueueState, VideoOutput
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.api import DisplayState, JobView, QueueSnapshot
from veo_desktop.paths import resources_dir

FFMPEG_SAMPLE = (
    "-y -f lavfi -i testsrc=size=320x180:rate=10:duration=3 -f lavfi -i sine=frequency=440:sample_rate=22050:"
    "duration=3 -c:v libx264 -preset veryslow -crf 40 -pix_fmt yuv420p -bsf:v filter_units=remove_types=6 "
    "-c:a aac -ac 1 -b:a 12k -shortest -movflags +faststart"
)
DAY_MS = 86_400_000


async def dispose(*objects: QObject) -> None:
    """Close and delete Qt objects inside an async test, and let the loop run the deferred deletes: objects
    left for the interpreter's final garbage collection can crash PySide at exit."""
    for obj in objects:
        if isinstance(obj, QWidget):
            obj.close()
        obj.deleteLater()
    for _ in range(3):
        await asyncio.sleep(0.01)


def sample_clip(tmp_path: Path, name: str = "sample_16x9.mp4") -> Path:
    """The committed sample clip, or one made with ffmpeg when it is not there yet."""
    committed = resources_dir() / "clips" / name
    if committed.is_file():
        return committed
    if shutil.which("ffmpeg") is None:
        pytest.skip("no sample clip and no ffmpeg to make one")
    out = tmp_path / name
    subprocess.run(["ffmpeg", *FFMPEG_SAMPLE.split(), str(out)], check=True, capture_output=True, timeout=60)
    return out


def completed_view(
    job_id: str,
    path: Path | str,
    *,
    prompt: str = "a cat on a skateboard",
    model_id: str = "veo-3.1-fast-generate-001",
    finished_at_ms: int = 10 * DAY_MS,
    display: DisplayState = DisplayState.COMPLETED,
    start_frame: FrameRef | None = None,
) -> JobView:
    request = GenerationRequest(model_id=model_id, prompt=prompt, start_frame=start_frame)
    job = Job(
        id=job_id,
        request=request,
        status=JobStatus.COMPLETED,
        queue_order=0.0,
        attempt=1,
        cost_micros=1_200_000,
        created_at_ms=finished_at_ms - 90_000,
        started_at_ms=finished_at_ms - 80_000,
        finished_at_ms=finished_at_ms,
        operation_name=f"operations/{job_id}",
        outputs=(VideoOutput(path=str(path), size_bytes=1000, sha256="ab" * 32),),
        charged_micros=1_200_000,
    )
    return JobView(job, display, None, None, None, None, None)


def snapshot_of(views: Sequence[JobView], *, now_ms: int = 10 * DAY_MS + 1000) -> QueueSnapshot:
    counts: dict[str, int] = {}
    for view in views:
        counts[view.display.value] = counts.get(view.display.value, 0) + 1
    return QueueSnapshot(
        jobs=tuple(views),
        queue=QueueState(paused=False, pause_reason=None, cooldown_until_ms=None),
        ledger=LedgerSummary(0, 0, 0, None),
        counts=counts,
        taken_at_ms=now_ms,
        max_in_flight=2,
    )
