"""A generation request: what the creator asked for. Immutable, stored as JSON with each job."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class FrameRef:
    """An input image kept once in the frames folder, by content hash."""

    sha256: str
    mime_type: str  # image/png, image/jpeg, image/webp
    width: int
    height: int
    size_bytes: int

    @property
    def file_name(self) -> str:
        ext = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}[self.mime_type]
        return f"{self.sha256}.{ext}"


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    model_id: str
    prompt: str
    aspect_ratio: str = "16:9"
    duration_s: int = 8
    resolution: str = "720p"
    negative_prompt: str = ""
    start_frame: FrameRef | None = None
    end_frame: FrameRef | None = None
    sample_count: int = 1  # Vertex "variations per job": videos from one operation

    def with_changes(self, **changes: Any) -> GenerationRequest:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(data: dict[str, Any]) -> GenerationRequest:
        def frame(raw: dict[str, Any] | None) -> FrameRef | None:
            return FrameRef(**raw) if raw else None

        return GenerationRequest(
            model_id=str(data["model_id"]),
            prompt=str(data["prompt"]),
            aspect_ratio=str(data.get("aspect_ratio", "16:9")),
            duration_s=int(data.get("duration_s", 8)),
            resolution=str(data.get("resolution", "720p")),
            negative_prompt=str(data.get("negative_prompt", "")),
            start_frame=frame(data.get("start_frame")),
            end_frame=frame(data.get("end_frame")),
            sample_count=int(data.get("sample_count", 1)),
        )
