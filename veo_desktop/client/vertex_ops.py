"""What both Vertex AI providers share: the start call, reading a finished operation, moving staged videos,
the publisher-model calls.

A finished poll carries its videos inline as base64 (hundreds of MB for 4 lossless 4k samples): its body is
streamed to a temporary file, the videos are decoded by `inline_media` straight into
`staging_dir/<random>.mp4.part`, and only the small JSON "skeleton" is parsed. The skeleton (video bytes
replaced by placeholders) is kept as `OperationStatus.response_summary`; a prompt Google says it used (the
field is UNCONFIRMED, veo-api.md §3.3) becomes `rewritten_prompt`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from veo_desktop.client.base import CredentialCheck, OperationStatus, RemoteModel, StartSpec, VideoRef
from veo_desktop.client.files import move_file
from veo_desktop.client.inline_media import ExtractedMedia, InlineMediaError, extract_inline_media, placeholder_index
from veo_desktop.client.payload import operation_error, operation_name_from_start, rai_filter, vertex_start_body
from veo_desktop.client.session import ApiSession
from veo_desktop.core.errors import (
    AuthError,
    NotFoundError,
    PermanentError,
    ProtocolError,
    VeoError,
)
from veo_desktop.logsafe import mask

__all__ = [
    "check_publisher_model",
    "list_publisher_models",
    "move_staged_video",
    "parse_operation",
    "poll_operation",
    "split_operation_name",
    "start_operation",
]

log = logging.getLogger(__name__)

API_VERSIONS = ("v1", "v1beta1")
MAX_SUMMARY_CHARS = 64 * 1024
_MAX_MODEL_PAGES = 20
_REWRITE_KEYS = ("rewrittenPrompt", "enhancedPrompt", "rewritten_prompt", "enhanced_prompt", "prompt")


def check_api_version(version: str) -> str:
    if version not in API_VERSIONS:
        raise ValueError(f"Unknown Vertex AI API version {version!r}; use 'v1' or 'v1beta1'.")
    return version


def split_operation_name(name: str) -> tuple[str, str]:
    """(resource up to `/operations/`, model id) of a Vertex operation name; PermanentError otherwise."""
    resource, sep, _ = name.partition("/operations/")
    if not sep or not resource:
        raise PermanentError(f"The operation name {name!r} is not a Vertex AI operation name.")
    model = resource.rsplit("/models/", 1)[-1] if "/models/" in resource else ""
    return resource, model


async def start_operation(session: ApiSession, path: str, spec: StartSpec) -> str:
    body = await asyncio.to_thread(vertex_start_body, spec)
    context = "Starting the generation"
    data = await session.call_json("POST", path, content=body, context=context, start=True)
    name = operation_name_from_start(data, context=context)
    log.info("Vertex AI generation started: %s", name)
    return name


async def poll_operation(session: ApiSession, path: str, name: str, *, staging_dir: Path) -> OperationStatus:
    """One fetchPredictOperation at `path`; inline videos are decoded into `staging_dir`."""
    context = "Checking the generation"
    body_path = staging_dir / f"{secrets.token_hex(12)}.poll.json.part"
    try:
        await session.stream_to_file("POST", path, json_body={"operationName": name}, context=context, dest=body_path)
        extracted = await asyncio.to_thread(extract_inline_media, body_path, staging_dir)
    except InlineMediaError as exc:
        raise ProtocolError(f"{context} failed: the server's answer could not be read ({exc}).") from exc
    finally:
        await asyncio.to_thread(body_path.unlink, missing_ok=True)
    used: set[int] = set()
    try:
        return parse_operation(extracted, name, used, context=context)
    finally:
        for index, path_ in enumerate(extracted.paths):
            if index not in used:
                await asyncio.to_thread(path_.unlink, missing_ok=True)


async def move_staged_video(video: VideoRef, dest: Path) -> int:
    if video.staged_path is None:
        raise PermanentError(
            "This Vertex AI video has no local copy (it was stored in Cloud Storage), so it cannot be downloaded."
        )
    try:
        return await asyncio.to_thread(move_file, video.staged_path, dest)
    except FileNotFoundError as exc:
        raise NotFoundError(
            "The decoded video is no longer in the staging folder; check the generation again to fetch it."
        ) from exc


def _find_rewritten_prompt(response: Mapping[str, Any]) -> str | None:
    candidates: list[Any] = [response]
    videos = response.get("videos")
    if isinstance(videos, list):
        candidates.extend(v for v in videos if isinstance(v, Mapping))
    for candidate in candidates:
        for key in _REWRITE_KEYS:
            value = candidate.get(key)
            if isinstance(value, str) and value.strip():
                return mask(value.strip())
    return None


def _summary(skeleton: bytes) -> str | None:
    text = mask(skeleton.decode("utf-8", errors="replace"))
    return text if len(text) <= MAX_SUMMARY_CHARS else text[:MAX_SUMMARY_CHARS] + "…"


def _videos(response: Mapping[str, Any], extracted: ExtractedMedia, used: set[int]) -> tuple[VideoRef, ...]:
    videos: list[VideoRef] = []
    for entry in response.get("videos") or []:
        if not isinstance(entry, dict):
            continue
        mime = str(entry.get("mimeType") or "video/mp4")
        index = placeholder_index(entry.get("bytesBase64Encoded"))
        if index is not None and index < len(extracted.paths) and index not in used:
            used.add(index)
            videos.append(VideoRef(staged_path=extracted.paths[index], mime_type=mime))
        elif isinstance(entry.get("gcsUri"), str):
            videos.append(VideoRef(gcs_uri=entry["gcsUri"], mime_type=mime))
    return tuple(videos)


def parse_operation(extracted: ExtractedMedia, name: str, used: set[int], *, context: str) -> OperationStatus:
    """The operation from the scanned skeleton; `used` collects the staged files the result refers to."""
    try:
        data = json.loads(extracted.skeleton)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"{context} failed: the server's answer is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise ProtocolError(f"{context} failed: the server's answer is not a JSON object.")
    if not data.get("done"):
        return OperationStatus(name=name, done=False)
    code, message = operation_error(data)
    response = data.get("response")
    response = response if isinstance(response, dict) else {}
    filtered, reasons = rai_filter(response)
    return OperationStatus(
        name=name,
        done=True,
        videos=_videos(response, extracted, used),
        error_code=code,
        error_message=message,
        filtered_count=filtered,
        filter_reasons=reasons,
        rewritten_prompt=_find_rewritten_prompt(response),
        response_summary=_summary(extracted.skeleton),
    )


async def list_publisher_models(session: ApiSession, version: str) -> Sequence[RemoteModel]:
    models: list[RemoteModel] = []
    token = ""
    for _ in range(_MAX_MODEL_PAGES):
        params = {"pageToken": token} if token else None
        data = await session.call_json(
            "GET", f"{version}/publishers/google/models", params=params, context="Listing models"
        )
        entries = data.get("publisherModels", data.get("models"))
        if not isinstance(entries, list):
            raise PermanentError("Vertex AI did not return a model list; the built-in catalogue is used.")
        for entry in entries:
            model_id = str(entry.get("name", "")).rsplit("/", 1)[-1] if isinstance(entry, dict) else ""
            if model_id.startswith("veo-"):
                models.append(RemoteModel(id=model_id, display_name=str(entry.get("displayName") or model_id)))
        token = str(data.get("nextPageToken") or "")
        if not token:
            break
    return models


async def check_publisher_model(session: ApiSession, version: str, model: str) -> CredentialCheck:
    """`GET /{v}/publishers/google/models/{m}`: 200 ok; a refusal of the credentials: refused; else unknown."""
    try:
        data = await session.call_json(
            "GET", f"{version}/publishers/google/models/{model}", context="Testing the credentials"
        )
    except AuthError as exc:
        return CredentialCheck("refused", str(exc))
    except NotFoundError:
        return CredentialCheck(
            "unknown", f"The credentials work, but {model} is not available to this project (or is retired)."
        )
    except VeoError as exc:
        return CredentialCheck("unknown", f"The check could not tell; a start will. ({exc})")
    stage = data.get("launchStage")
    detail = f" ({model}, {stage})" if isinstance(stage, str) else f" ({model})"
    return CredentialCheck("ok", f"Google accepted the credentials{detail}.", models=(model,))
