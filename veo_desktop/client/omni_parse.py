"""Reading an interaction of the Interactions API (veo-api.md §4.3) into an `OperationStatus`.

    status                                          result
    in_progress, queued                             not done
    completed, incomplete                           the last `model_output` step's `video` block: inline
                                                    `data` (already decoded into a staged file) or a `uri`
                                                    (a file id to download); none: done without a video
    failed                                          done with `steps[].error` / `errors[]` message
    cancelled                                       done, cancelled
    budget_exceeded                                 done with an error, and `pause_error` = SpendCapReached
    anything else (requires_action, idle, ...)      not done for `ODD_STATUS_LIMIT_S`, then failed
                                                    "unexpected status X" (the caller keeps the clock)

Usage: `total_input_tokens` → input_tokens; `output_tokens_by_modality[video]` → video_tokens; the other
output tokens plus `total_thought_tokens` → other_output_tokens (billed at the output rate, an upper bound).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from veo_desktop.client.base import OperationStatus, VideoRef
from veo_desktop.client.inline_media import placeholder_index
from veo_desktop.client.omni_files import file_id_from_uri
from veo_desktop.client.payload import as_int
from veo_desktop.core.errors import ProtocolError, SpendCapReached
from veo_desktop.logsafe import mask

__all__ = ["ODD_STATUS_LIMIT_S", "RUNNING_STATUSES", "parse_interaction"]

ODD_STATUS_LIMIT_S = 30 * 60.0
RUNNING_STATUSES = frozenset({"in_progress", "queued"})
_GRPC_CANCELLED, _GRPC_RESOURCE_EXHAUSTED, _GRPC_UNKNOWN = 1, 8, 2


def _last_video_block(data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    steps = data.get("steps")
    for step in reversed(steps if isinstance(steps, list) else []):
        if not isinstance(step, Mapping) or step.get("type") != "model_output":
            continue
        content = step.get("content")
        for block in reversed(content if isinstance(content, list) else []):
            if isinstance(block, Mapping) and block.get("type") == "video":
                return block
    return None


def _video(block: Mapping[str, Any] | None, staged: Sequence[Path], used: set[int]) -> tuple[VideoRef, ...]:
    if block is None:
        return ()
    mime = str(block.get("mime_type") or block.get("mimeType") or "video/mp4")
    index = placeholder_index(block.get("data"))
    if index is not None and index < len(staged):
        used.add(index)
        return (VideoRef(staged_path=staged[index], mime_type=mime),)
    uri = block.get("uri")
    if isinstance(uri, str):
        file_id = file_id_from_uri(uri)
        if file_id is None:
            raise ProtocolError("Checking the generation failed: a video uri without a file id.")
        return (VideoRef(file_id=f"files/{file_id}", mime_type=mime),)
    return ()


def _failure_message(data: Mapping[str, Any]) -> tuple[int, str]:
    candidates: list[Any] = []
    steps = data.get("steps")
    for step in steps if isinstance(steps, list) else []:
        if isinstance(step, Mapping):
            candidates.append(step.get("error"))
    errors = data.get("errors")
    candidates.extend(errors if isinstance(errors, list) else [])
    candidates.append(data.get("error"))
    for error in candidates:
        if isinstance(error, Mapping) and str(error.get("message") or "").strip():
            code = error.get("code")
            number = as_int(code, default=_GRPC_UNKNOWN) if not isinstance(code, str) or code.isdigit() else 2
            return number, mask(str(error["message"]).strip())
    return _GRPC_UNKNOWN, "The generation failed; Google gave no reason."


def usage_tokens(data: Mapping[str, Any]) -> dict[str, int | None]:
    usage = data.get("usage")
    if not isinstance(usage, Mapping):
        return {"input_tokens": None, "video_tokens": None, "other_output_tokens": None}
    video = 0
    by_modality = usage.get("output_tokens_by_modality")
    for entry in by_modality if isinstance(by_modality, list) else []:
        if isinstance(entry, Mapping) and str(entry.get("modality", "")).lower() == "video":
            video += max(0, as_int(entry.get("tokens")))
    output = max(0, as_int(usage.get("total_output_tokens")))
    thought = max(0, as_int(usage.get("total_thought_tokens")))
    return {
        "input_tokens": max(0, as_int(usage.get("total_input_tokens"))),
        "video_tokens": video,
        "other_output_tokens": max(0, output - video) + thought,
    }


def parse_interaction(
    data: Mapping[str, Any],
    name: str,
    staged: Sequence[Path],
    used: set[int],
    *,
    odd_status_s: float,
    summary: str | None,
) -> OperationStatus:
    """`odd_status_s`: how long this interaction has shown a status outside the table (0 the first time)."""
    status = str(data.get("status") or "")
    if status in RUNNING_STATUSES:
        return OperationStatus(name=name, done=False)
    tokens = usage_tokens(data)
    common: dict[str, Any] = {"name": name, "done": True, "response_summary": summary, **tokens}
    if status in ("completed", "incomplete"):
        return OperationStatus(videos=_video(_last_video_block(data), staged, used), **common)
    if status == "failed":
        code, message = _failure_message(data)
        return OperationStatus(error_code=code, error_message=message, **common)
    if status == "cancelled":
        return OperationStatus(
            error_code=_GRPC_CANCELLED, error_message="The generation was cancelled.", cancelled=True, **common
        )
    if status == "budget_exceeded":
        message = "The Gemini API spend cap was reached, so Google stopped this generation."
        pause = SpendCapReached(
            "The spend cap of this AI Studio project was reached; raise it in AI Studio (Billing), then resume "
            "the queue."
        )
        return OperationStatus(error_code=_GRPC_RESOURCE_EXHAUSTED, error_message=message, pause_error=pause, **common)
    if odd_status_s < ODD_STATUS_LIMIT_S:
        return OperationStatus(name=name, done=False)
    shown = mask(status)[:40] or "(none)"
    return OperationStatus(
        error_code=_GRPC_UNKNOWN, error_message=f"Google answered an unexpected status {shown}.", **common
    )
