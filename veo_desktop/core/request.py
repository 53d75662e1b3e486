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
    # The controls that change the price or the picture (names and limits: README, "Request fields").
    generate_audio: bool = True  # Vertex `generateAudio`; off is billed at the video-only rate
    enhance_prompt: bool = True  # Vertex `enhancePrompt`: Google rewrites the prompt unless this is off
    seed: int | None = None  # uint32; None lets Google choose
    person_generation: str | None = None  # the provider's own enum; None = the provider's default
    resize_mode: str | None = None  # "pad" | "crop", only with a start frame
    compression_quality: str | None = None  # "optimized" | "lossless"
    reference_images: tuple[FrameRef, ...] = ()  # up to 3 "asset" images; excludes start/end frames
    extends_job_id: str | None = None  # Veo extension: the completed job whose video is continued
    refines_job_id: str | None = None  # Omni edit: the completed job whose interaction is refined
    continues_job_id: str | None = None  # Continue: the completed job whose last frame is this job's start frame
    batch: str = ""  # the named batch this job was queued with ("" = none)

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
            generate_audio=bool(data.get("generate_audio", True)),
            enhance_prompt=bool(data.get("enhance_prompt", True)),
            seed=None if data.get("seed") is None else int(data["seed"]),
            person_generation=_optional_str(data.get("person_generation")),
            resize_mode=_optional_str(data.get("resize_mode")),
            compression_quality=_optional_str(data.get("compression_quality")),
            reference_images=tuple(FrameRef(**raw) for raw in data.get("reference_images") or ()),
            extends_job_id=_optional_str(data.get("extends_job_id")),
            refines_job_id=_optional_str(data.get("refines_job_id")),
            continues_job_id=_optional_str(data.get("continues_job_id")),
            batch=str(data.get("batch") or ""),
        )


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)
