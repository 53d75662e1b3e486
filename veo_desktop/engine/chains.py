"""Chains of videos: an extension continues a finished Veo clip, a refine edits a finished Omni result, a
continuation starts a new shot from a finished clip's last frame (`engine.continuation`).

At enqueue time the engine needs the parent as the core's `ParentVideo` (its length read from the MP4 it
delivered, else the length it asked for) and, for `show`, the whole chain with its total length. Reading
the MP4 is blocking I/O: call `clip_length_s` on a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from veo_desktop.core.catalogue import Catalogue
from veo_desktop.core.jobs import Job
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.request_fields import ParentVideo
from veo_desktop.core.states import JobStatus
from veo_desktop.core.validation import ValidationError

MAX_CHAIN_LINKS = 100  # a loop in stored links (never made by the engine) ends here


@dataclass(frozen=True, slots=True)
class ChainLink:
    job_id: str
    kind: str  # "original", "extension", "refine" or "continuation"
    length_s: float | None  # this job's clip as delivered (None: not finished)


@dataclass(frozen=True, slots=True)
class VideoChain:
    """Oldest first; the last link is the job asked about. `total_s`: the chain's length so far."""

    links: tuple[ChainLink, ...]
    total_s: float | None
    shot_total_s: float | None = None  # since the last continuation: the video an extension or refine builds on

    @property
    def parent_id(self) -> str | None:
        return self.links[-2].job_id if len(self.links) > 1 else None


def parent_id(job: Job) -> str | None:
    r = job.request
    return r.extends_job_id or r.refines_job_id or r.continues_job_id


def link_kind(job: Job) -> str:
    if job.request.extends_job_id:
        return "extension"
    if job.request.refines_job_id:
        return "refine"
    return "continuation" if job.request.continues_job_id else "original"


def _box(fh: BinaryIO, end: int, kind: bytes) -> tuple[int, int] | None:
    """(payload start, payload end) of the first box `kind` between the file position and `end`."""
    while fh.tell() + 8 <= end:
        at = fh.tell()
        header = fh.read(8)
        size, name = int.from_bytes(header[:4], "big"), header[4:8]
        start = at + 8
        if size == 1:
            size, start = int.from_bytes(fh.read(8), "big"), at + 16
        elif size == 0:
            size = end - at
        if size < start - at or at + size > end:
            return None
        if name == kind:
            return start, at + size
        fh.seek(at + size)
    return None


def mp4_length_s(fh: BinaryIO, size: int) -> float | None:
    """The movie's duration from `moov/mvhd`, or None when the file does not say."""
    moov = _box(fh, size, b"moov")
    if moov is None:
        return None
    fh.seek(moov[0])
    mvhd = _box(fh, moov[1], b"mvhd")
    if mvhd is None:
        return None
    fh.seek(mvhd[0])
    payload = fh.read(min(mvhd[1] - mvhd[0], 32))
    if len(payload) < 20:
        return None
    if payload[0] == 1:  # version 1: 64-bit times and duration
        if len(payload) < 32:
            return None
        timescale, duration = int.from_bytes(payload[20:24], "big"), int.from_bytes(payload[24:32], "big")
    else:
        timescale, duration = int.from_bytes(payload[12:16], "big"), int.from_bytes(payload[16:20], "big")
    return duration / timescale if timescale > 0 else None


def clip_length_s(job: Job) -> float | None:
    """The length of a finished job's first video, read from its MP4 (blocking); None when unreadable."""
    if job.status is not JobStatus.COMPLETED or not job.outputs:
        return None
    path = Path(job.outputs[0].path)
    try:
        with path.open("rb") as fh:
            return mp4_length_s(fh, path.stat().st_size)
    except OSError:
        return None


def chain_total_s(lengths: list[float | None], requested_s: list[int], kinds: list[str] | None = None) -> float | None:
    """The length of a chain, oldest first. A link whose clip is longer than the chain before it is the whole
    video so far (Veo may return the whole extended video); a shorter one is a continuation and adds to it, as
    a "continuation" link (a new shot after the last frame) always does. An unfinished link counts as the
    length it asked for."""
    total: float | None = None
    for i, (length, asked) in enumerate(zip(lengths, requested_s, strict=True)):
        if total is None:
            total = float(asked) if length is None else length
        elif length is None:
            total += asked
        elif kinds is not None and kinds[i] == "continuation":
            total += length
        else:
            total = length if length > total else total + length
    return total


def build_chain(jobs: list[Job], lengths: list[float | None]) -> VideoChain:
    """The chain of `jobs` (oldest first) with their clips' lengths: its links, total and current shot's total."""
    kinds = [link_kind(j) for j in jobs]
    asked = [j.request.duration_s for j in jobs]
    links = tuple(ChainLink(j.id, kind, n) for j, kind, n in zip(jobs, kinds, lengths, strict=True))
    cut = max((i for i, kind in enumerate(kinds) if kind == "continuation"), default=0)
    shot = chain_total_s(lengths[cut:], asked[cut:], kinds[cut:])
    return VideoChain(links, chain_total_s(lengths, asked, kinds), shot)


_LINK_FIELDS = {"extend": "extends_job_id", "refine": "refines_job_id", "continue": "continues_job_id"}


def usable_parent(parent: Job, *, action: str) -> None:
    """Refuse a parent that has no finished video to build on (one sentence for the person)."""
    if parent.status is not JobStatus.COMPLETED or not parent.outputs:
        raise ValidationError(
            _LINK_FIELDS[action],
            f"Job {parent.id} has no finished video to {action} ({parent.status.value}); choose a completed job.",
        )


def extension_request(parent: Job, prompt: str | None) -> GenerationRequest:
    """An extension of `parent`: its model, shape and switches, its prompt unless another is given, no frames
    (the video is the input) and no seed (a new take). Validation sets the duration to the model's step."""
    asked = parent.request
    return GenerationRequest(
        model_id=asked.model_id,
        prompt=asked.prompt if prompt is None else prompt,
        aspect_ratio=asked.aspect_ratio,
        resolution=asked.resolution,
        negative_prompt=asked.negative_prompt,
        generate_audio=asked.generate_audio,
        enhance_prompt=asked.enhance_prompt,
        person_generation=asked.person_generation,
        compression_quality=asked.compression_quality,
        extends_job_id=parent.id,
    )


def refine_request(parent: Job, prompt: str, duration_s: int | None) -> GenerationRequest:
    """An Omni edit of `parent`: its model and shape, the instruction, its duration unless another is given."""
    asked = parent.request
    return GenerationRequest(
        model_id=asked.model_id,
        prompt=prompt,
        aspect_ratio=asked.aspect_ratio,
        resolution=asked.resolution,
        duration_s=asked.duration_s if duration_s is None else duration_s,
        refines_job_id=parent.id,
    )


def check_refinable(catalogue: Catalogue, provider: str, parent: Job) -> None:
    """Refuse a refine the provider does not offer, or of a video Omni did not make (one sentence each)."""
    if not any(m.refine is not None for m in catalogue.for_provider(provider)):
        raise ValidationError(
            "refines_job_id",
            f"The {provider} provider does not offer refining a video; refine works on Gemini Omni "
            "Flash videos (--provider gemini).",
        )
    model = catalogue.get(parent.request.model_id)
    if model is None or model.refine is None or parent.provider != provider:
        raise ValidationError(
            "refines_job_id", "Only a video made by Gemini Omni Flash can be refined; choose one of those."
        )


def parent_video(parent: Job, *, length_s: float | None, chain_total: float | None) -> ParentVideo:
    request = parent.request
    return ParentVideo(
        job_id=parent.id,
        model_id=request.model_id,
        provider=parent.provider,
        duration_s=float(request.duration_s) if length_s is None else length_s,
        resolution=request.resolution,
        aspect_ratio=request.aspect_ratio,
        chain_total_s=chain_total,
    )
