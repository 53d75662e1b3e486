"""The JSON sidecar beside each finished video (`<video>.json`): what was asked, what it cost, when.

There is one writer, `veo_desktop.engine.library.write_sidecar` (the dispatcher calls it in a worker thread
when a job completes); it is re-exported here so the UI and the engine cannot drift apart. This module adds
the reading side, used by the library to show a video's request even when the job is no longer in the store.
Pure Python, no Qt.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from veo_desktop.engine.library import sidecar_path, write_sidecar

__all__ = ["SIDECAR_FIELDS", "read_sidecar", "sidecar_path", "write_sidecar"]

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


def read_sidecar(video: Path) -> dict[str, Any] | None:
    """The sidecar of `video`, or None when it is missing, unreadable or not a sidecar (blocking I/O)."""
    try:
        data = json.loads(sidecar_path(Path(video)).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not all(key in data for key in ("prompt", "model")):
        return None
    return data
