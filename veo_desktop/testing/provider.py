"""`FakeProvider`: a Veo provider in memory, on the caller's clock, scriptable per call (errors to raise next,
durations, outcomes by prompt). It satisfies `client.base.VeoProvider`, so the real dispatcher runs against
it unchanged; it counts what Google would have seen (accepted starts in order, peak in flight, polls)."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from veo_desktop.client.base import OperationStatus, RemoteModel, StartSpec, VideoRef
from veo_desktop.core.clock import Clock
from veo_desktop.core.errors import QuotaError
from veo_desktop.paths import resources_dir

MP4 = (
    (resources_dir() / "clips" / "sample_16x9.mp4").read_bytes()
    if (resources_dir() / "clips" / "sample_16x9.mp4").exists()
    else b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
)


@dataclass
class FakeOperation:
    name: str
    spec: StartSpec
    done_at: float
    outcome: str = "video"  # video | filter | error | novideo


@dataclass
class FakeProvider:
    """The operation names it returns look like Gemini's (`models/<model>/operations/opN`)."""

    clock: Clock
    durations: deque[float] = field(default_factory=deque)
    default_duration_s: float = 60.0
    max_in_flight_allowed: int | None = None  # like Google's quota: more starts than this get 429
    name: str = "fake"
    start_errors: deque[BaseException] = field(default_factory=deque)
    poll_errors: deque[BaseException] = field(default_factory=deque)
    download_errors: deque[BaseException] = field(default_factory=deque)
    outcomes: dict[str, str] = field(default_factory=dict)  # prompt substring -> outcome
    ops: dict[str, FakeOperation] = field(default_factory=dict)
    start_log: list[str] = field(default_factory=list)  # prompts, in the order starts were accepted
    peak_in_flight: int = 0
    polls: int = 0
    finished_noticed: list[float] = field(default_factory=list)  # detection delays

    def in_flight(self) -> int:
        now = self.clock.monotonic()
        return sum(1 for op in self.ops.values() if op.done_at > now)

    async def start(self, spec: StartSpec) -> str:
        await asyncio.sleep(0)
        if self.start_errors:
            raise self.start_errors.popleft()
        if self.max_in_flight_allowed is not None and self.in_flight() >= self.max_in_flight_allowed:
            raise QuotaError("Quota exceeded.", http_status=429, retry_after_s=5)
        name = f"models/{spec.model_id}/operations/op{len(self.ops) + 1}"
        duration = self.durations.popleft() if self.durations else self.default_duration_s
        outcome = next((o for k, o in self.outcomes.items() if k in spec.prompt), "video")
        self.ops[name] = FakeOperation(name, spec, self.clock.monotonic() + duration, outcome)
        self.start_log.append(spec.prompt)
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight())
        return name

    async def poll(self, operation_name: str, *, staging_dir: Path) -> OperationStatus:
        await asyncio.sleep(0)
        self.polls += 1
        if self.poll_errors:
            raise self.poll_errors.popleft()
        op = self.ops[operation_name]
        if self.clock.monotonic() < op.done_at:
            return OperationStatus(name=operation_name, done=False)
        self.finished_noticed.append(self.clock.monotonic() - op.done_at)
        if op.outcome == "filter":
            return OperationStatus(name=operation_name, done=True, filtered_count=1, filter_reasons=("unsafe",))
        if op.outcome == "error":
            return OperationStatus(name=operation_name, done=True, error_code=3, error_message="bad")
        if op.outcome == "novideo":
            return OperationStatus(name=operation_name, done=True)
        videos = tuple(VideoRef(file_id=f"f{operation_name[-6:]}{i}") for i in range(op.spec.sample_count))
        return OperationStatus(name=operation_name, done=True, videos=videos)

    async def download(self, video: VideoRef, dest: Path) -> int:
        await asyncio.sleep(0)
        if self.download_errors:
            raise self.download_errors.popleft()
        dest.write_bytes(MP4)  # noqa: ASYNC240 (a tiny file in a fake)
        return len(MP4)

    async def list_models(self) -> Sequence[RemoteModel]:
        return [RemoteModel("veo-3.1-fast-generate-001", "Veo 3.1 Fast")]

    async def aclose(self) -> None:
        return None
