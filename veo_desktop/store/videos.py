"""Video files on disk: safe file names, verified atomic finalisation, JSON sidecars, leftover partial files.

Everything here is blocking file I/O (hashing, fsync): the dispatcher calls it through `asyncio.to_thread`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Collection
from pathlib import Path
from typing import Any, BinaryIO

from veo_desktop.core.jobs import Job, VideoOutput

PART_SUFFIX = ".part"
_HASH_CHUNK = 1024 * 1024


class NotAVideo(ValueError):
    """The downloaded bytes are not an MP4 (empty, HTML, truncated)."""


def slug(text: str, *, max_len: int = 40) -> str:
    """A short, file-name safe slug of a prompt: ASCII letters, digits and dashes only."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-zA-Z0-9]+", "-", ascii_text).strip("-").lower()
    return words[:max_len].rstrip("-") or "video"


def video_file_name(job: Job, index: int, total: int) -> str:
    """Names come from the job id and a slug of the prompt, never from a path taken from input."""
    suffix = f"-{index + 1}" if total > 1 else ""
    return f"{job.id}-{slug(job.request.prompt)}{suffix}.mp4"


def part_path(final: Path) -> Path:
    return final.with_name(final.name + PART_SUFFIX)


def mp4_problem(fh: BinaryIO, size: int) -> str | None:
    """Why the file is not a whole MP4, or None. Walks the top-level boxes: they must start with `ftyp`, tile
    the file exactly and include `moov`. A body cut short with a matching Content-Length (a proxy, a
    malformed answer) passes the `ftyp` check alone but leaves its last box running past the end (I6)."""
    offset, kinds = 0, []
    while offset < size:
        fh.seek(offset)
        header = fh.read(16)
        if len(header) < 8:
            return "it ends inside a box header"
        box_size, kind = int.from_bytes(header[:4], "big"), header[4:8]
        if box_size == 1 and len(header) == 16:
            box_size = int.from_bytes(header[8:16], "big")  # 64-bit size
        elif box_size == 0:
            box_size = size - offset  # the box runs to the end of the file
        if box_size < 8 or offset + box_size > size:
            return "it is cut short (its last box runs past the end)"
        kinds.append(kind)
        offset += box_size
    if not kinds or kinds[0] != b"ftyp":
        return "it does not start with an ftyp box"
    if b"moov" not in kinds:
        return "it has no moov box"
    return None


def verify_and_finalise(part: Path, final: Path) -> VideoOutput:
    """Check the `.part` is a whole MP4 (`mp4_problem`), fsync it, hash it, rename it into place."""
    size = part.stat().st_size
    with part.open("rb") as fh:
        problem = "it is empty" if size < 12 else mp4_problem(fh, size)
        if problem is not None:
            raise NotAVideo(f"The downloaded file is not a whole MP4 video ({size} bytes: {problem}).")
        fh.seek(0)
        head = fh.read(12)
        digest = hashlib.sha256(head)
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
    with part.open("rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(part, final)
    _fsync_dir(final.parent)
    return VideoOutput(path=str(final), size_bytes=size, sha256=digest.hexdigest())


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # not supported on this platform (Windows)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# The keys every sidecar has; readers may rely on them (new keys may be added, none removed).
SIDECAR_FIELDS = (
    "job_id",
    "prompt",
    "negative_prompt",
    "model",
    "aspect_ratio",
    "duration_s",
    "resolution",
    "start_frame_sha256",
    "end_frame_sha256",
    "cost_usd",
    "attempt",
    "operation_name",
    "created_at_ms",
    "started_at_ms",
    "finished_at_ms",
    "video_sha256",
)


def sidecar_path(video: Path) -> Path:
    return video.with_suffix(".json")


def write_sidecar(job: Job, output: VideoOutput) -> Path:
    """`<video>.json` beside each video: the request, frame hashes, cost and times (no key, no paths of inputs)."""
    request = job.request
    data: dict[str, Any] = {
        "job_id": job.id,
        "prompt": request.prompt,
        "negative_prompt": request.negative_prompt,
        "model": request.model_id,
        "aspect_ratio": request.aspect_ratio,
        "duration_s": request.duration_s,
        "resolution": request.resolution,
        "variations": request.sample_count,
        "start_frame_sha256": request.start_frame.sha256 if request.start_frame else None,
        "end_frame_sha256": request.end_frame.sha256 if request.end_frame else None,
        "cost_usd": job.cost_micros / 1_000_000,
        "attempt": job.attempt,
        "provider": job.provider,
        "operation_name": job.operation_name,
        "created_at_ms": job.created_at_ms,
        "started_at_ms": job.started_at_ms,
        "finished_at_ms": job.finished_at_ms,
        "video_sha256": output.sha256,
        "video_size_bytes": output.size_bytes,
    }
    target = sidecar_path(Path(output.path))
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".sidecar-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False)
            fh.flush()
            if hasattr(os, "fchmod"):  # mkstemp makes 0600; a sidecar is as readable as its video
                os.fchmod(fh.fileno(), 0o644)
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read_sidecar(video: Path) -> dict[str, Any] | None:
    """The sidecar of `video`, or None when it is missing, unreadable or not a sidecar (blocking I/O)."""
    try:
        data = json.loads(sidecar_path(Path(video)).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not all(key in data for key in ("prompt", "model")):
        return None
    return data


def remove_leftover_parts(
    library_dir: Path, staging_dir: Path, *, keep_job_ids: Collection[str], nameless_too: bool
) -> int:
    """Delete partial files whose writer is gone (I6: no orphan partial files). A library `.part` is named
    after its job (`<job id>-...mp4.part`) and stays while that job is in `keep_job_ids` (another process
    may be writing it). Staged inline videos and sidecar temporaries carry no job id: they go only with
    `nameless_too` (no other process holds a lease, so none can be writing them)."""
    removed = 0
    if library_dir.is_dir():
        for path in library_dir.iterdir():
            if path.name.endswith(PART_SUFFIX):
                if path.name.split("-", 1)[0] in keep_job_ids:
                    continue
            elif not (nameless_too and path.name.startswith(".sidecar-")):
                continue
            path.unlink(missing_ok=True)
            removed += 1
    if nameless_too and staging_dir.is_dir():
        for path in staging_dir.iterdir():
            if path.name.endswith(PART_SUFFIX):
                path.unlink(missing_ok=True)
                removed += 1
    return removed
