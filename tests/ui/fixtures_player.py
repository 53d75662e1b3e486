"""Fixtures and builders for the player, library, settings and welcome tests (and the screenshot script)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from veo_desktop import secrets
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


class MemoryKeyring(keyring.backend.KeyringBackend):
    """In memory. Negative priority: every KeyringBackend subclass registers itself, and a positive one
    would silently become the default keyring for the whole test session."""

    priority = -10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """An in-memory keyring installed as keyring's default and trusted by KeyStore as "Test keyring"."""
    monkeypatch.setitem(secrets.RECOMMENDED_BACKENDS, __name__, "Test keyring")
    monkeypatch.delenv(secrets.ENV_VAR, raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


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
