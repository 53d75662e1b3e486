"""Gemini Omni Flash over the Interactions API, with an AI Studio key: provider `gemini` (veo-api.md §4).

create    POST {base}/{v}/interactions   background, stored, step-form input, response_format (ratio,
          resolution, duration, delivery), generation_config.seed when set; `previous_interaction_id` for a
          refine. Negative prompts, several samples, an audio switch and Veo extensions do not exist here:
          such a request is refused before anything is sent.
poll      GET  {base}/{v}/interactions/{id}  (body streamed to a file; an inline video is decoded on the way)
cancel    POST {base}/{v}/interactions/{id}/cancel
download  an inline video is already staged; a `uri` names a file id (`omni_files`: wait for ACTIVE, then
          download with redirects followed by hand)
models    GET  {base}/{v}/models?pageSize=50, paged; the Omni ids
check     GET  {base}/{v}/models?pageSize=1 (free)

Operation names of old Gemini-API Veo jobs (`models/veo-…/operations/…`, stored under the same provider name
before Omni) are polled and downloaded through the retired dialect (`gemini_veo`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from veo_desktop.client.base import CredentialCheck, OperationStatus, RemoteModel, StartSpec, VideoRef
from veo_desktop.client.gemini_veo import GeminiVeoProvider
from veo_desktop.client.images import OMNI_MIME_TYPES, wire_image
from veo_desktop.client.inline_media import InlineMediaError, extract_inline_media
from veo_desktop.client.omni_files import Sleep, download_file
from veo_desktop.client.omni_parse import parse_interaction
from veo_desktop.client.payload import operation_name_from_start
from veo_desktop.client.session import ApiKey, ApiSession, check_model_id, check_resource_name
from veo_desktop.client.vertex_ops import MAX_SUMMARY_CHARS, move_staged_video
from veo_desktop.core.errors import AuthError, PermanentError, ProtocolError, VeoError
from veo_desktop.logsafe import mask

__all__ = ["OMNI_API_VERSIONS", "OmniProvider", "omni_create_body"]

log = logging.getLogger(__name__)

OMNI_API_VERSIONS = ("v1beta", "v1")
MAX_IMAGES = 3
URI_DELIVERY_RESOLUTIONS = frozenset({"1080p", "4k"})
_MAX_MODEL_PAGES = 50
_LEGACY_PREFIX = "models/"


def _refuse_unsupported(spec: StartSpec) -> None:
    if spec.negative_prompt.strip():
        raise PermanentError("Gemini Omni has no negative prompt; write what to avoid into the prompt itself.")
    if spec.sample_count != 1:
        raise PermanentError("Gemini Omni makes one video per request; queue several jobs instead.")
    if spec.input_video is not None:
        raise PermanentError("Gemini Omni extends a video by refining its result, not from an MP4 file.")
    images = [f for f in (spec.start_frame, spec.end_frame, *spec.reference_images) if f is not None]
    if len(images) > MAX_IMAGES:
        raise PermanentError(f"Gemini Omni takes at most {MAX_IMAGES} images per request.")


def omni_create_body(spec: StartSpec) -> bytes:
    """The create body (veo-api.md §4.2) as UTF-8 JSON. Blocking (images): run it in a worker thread."""
    _refuse_unsupported(spec)
    content: list[dict[str, Any]] = [{"type": "text", "text": spec.prompt}]
    frames = [f for f in (spec.start_frame, spec.end_frame, *spec.reference_images) if f is not None]
    for number, frame in enumerate(frames, start=1):
        image = wire_image(frame, what=f"image {number}", accepted=OMNI_MIME_TYPES)
        content.append({"type": "image", "mime_type": image.mime_type, "data": image.base64_data})
    large = spec.resolution in URI_DELIVERY_RESOLUTIONS or spec.duration_s > 8
    body: dict[str, Any] = {"model": spec.model_id, "background": True, "store": True}
    if spec.previous_operation:
        body["previous_interaction_id"] = check_resource_name(spec.previous_operation)
    if spec.previous_operation and len(content) == 1:
        body["input"] = spec.prompt
    else:
        body["input"] = [{"type": "user_input", "content": content}]
    body["response_format"] = {
        "type": "video",
        "aspect_ratio": spec.aspect_ratio,
        "resolution": spec.resolution,
        "duration": f"{int(spec.duration_s)}s",
        "delivery": "uri" if large else "inline",
    }
    if spec.seed is not None:
        body["generation_config"] = {"seed": int(spec.seed)}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class OmniProvider:
    """Gemini Omni Flash. Does not own `http`: the composition root closes it."""

    name = "gemini"

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        api_key: ApiKey,
        api_version: str = "v1beta",
        sleep: Sleep = asyncio.sleep,
        monotonic_s: Callable[[], float] = time.monotonic,
    ) -> None:
        if api_version not in OMNI_API_VERSIONS:
            raise ValueError(f"Unknown Gemini API version {api_version!r}; use 'v1beta' or 'v1'.")
        self._session = ApiSession(http, base_url=base_url, api_key=api_key, interactions=True)
        self._version = api_version
        self._sleep = sleep
        self._monotonic_s = monotonic_s
        self._odd_since: dict[str, float] = {}
        self._legacy = GeminiVeoProvider(http, base_url=base_url, api_key=api_key)

    async def start(self, spec: StartSpec) -> str:
        check_model_id(spec.model_id)
        body = await asyncio.to_thread(omni_create_body, spec)
        context = "Starting the generation"
        data = await self._session.call_json(
            "POST", f"{self._version}/interactions", content=body, context=context, start=True
        )
        interaction = operation_name_from_start({"name": data.get("id")}, context=context)
        log.info("Gemini Omni generation started: %s", interaction)
        return interaction

    async def poll(self, operation_name: str, *, staging_dir: Path) -> OperationStatus:
        if operation_name.startswith(_LEGACY_PREFIX):
            return await self._legacy.poll(operation_name, staging_dir=staging_dir)
        name = check_resource_name(operation_name)
        context = "Checking the generation"
        body_path = staging_dir / f"{secrets.token_hex(12)}.poll.json.part"
        try:
            await self._session.stream_to_file(
                "GET", f"{self._version}/interactions/{name}", json_body=None, context=context, dest=body_path
            )
            extracted = await asyncio.to_thread(extract_inline_media, body_path, staging_dir, key=b"data")
        except InlineMediaError as exc:
            raise ProtocolError(f"{context} failed: the server's answer could not be read ({exc}).") from exc
        finally:
            await asyncio.to_thread(body_path.unlink, missing_ok=True)
        used: set[int] = set()
        try:
            return self._parse(extracted.skeleton, name, extracted.paths, used, context=context)
        finally:
            for index, path in enumerate(extracted.paths):
                if index not in used:
                    await asyncio.to_thread(path.unlink, missing_ok=True)

    def _parse(
        self, skeleton: bytes, name: str, staged: Sequence[Path], used: set[int], *, context: str
    ) -> OperationStatus:
        try:
            data = json.loads(skeleton)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ProtocolError(f"{context} failed: the server's answer is not valid JSON.") from exc
        if not isinstance(data, dict):
            raise ProtocolError(f"{context} failed: the server's answer is not a JSON object.")
        odd_s = 0.0
        if str(data.get("status") or "") not in _KNOWN_STATUSES:
            odd_s = self._monotonic_s() - self._odd_since.setdefault(name, self._monotonic_s())
        summary = mask(skeleton.decode("utf-8", errors="replace"))[:MAX_SUMMARY_CHARS]
        status = parse_interaction(data, name, staged, used, odd_status_s=odd_s, summary=summary)
        if status.done:
            self._odd_since.pop(name, None)
        return status

    async def cancel(self, operation_name: str) -> None:
        """Ask Google to cancel; the status turns `cancelled`, possibly after a delay (poll to see it)."""
        name = check_resource_name(operation_name)
        await self._session.call_json(
            "POST", f"{self._version}/interactions/{name}/cancel", json_body={}, context="Cancelling the generation"
        )

    async def download(self, video: VideoRef, dest: Path) -> int:
        if video.staged_path is not None:
            return await move_staged_video(video, dest)
        if video.file_id is None:
            raise PermanentError("This video has neither a local copy nor a Gemini API file to download.")
        return await download_file(self._session, self._version, video.file_id, dest, sleep=self._sleep)

    async def list_models(self) -> Sequence[RemoteModel]:
        models: list[RemoteModel] = []
        seen: set[str] = set()
        token = ""
        for _ in range(_MAX_MODEL_PAGES):
            params = {"pageSize": "50", **({"pageToken": token} if token else {})}
            data = await self._session.call_json(
                "GET", f"{self._version}/models", params=params, context="Listing models"
            )
            entries = data.get("models")
            for entry in entries if isinstance(entries, list) else []:
                model_id = str(entry.get("name", "")).removeprefix("models/") if isinstance(entry, dict) else ""
                if "omni" in model_id:
                    models.append(RemoteModel(id=model_id, display_name=str(entry.get("displayName") or model_id)))
            token = str(data.get("nextPageToken") or "")
            if not token or token in seen:
                break
            seen.add(token)
        return models

    async def check_credentials(self) -> CredentialCheck:
        try:
            data = await self._session.call_json(
                "GET", f"{self._version}/models", params={"pageSize": "1"}, context="Testing the key"
            )
        except AuthError as exc:
            return CredentialCheck("refused", str(exc))
        except VeoError as exc:
            return CredentialCheck("unknown", f"The check could not tell; a start will. ({exc})")
        if not isinstance(data.get("models", []), list):
            return CredentialCheck("unknown", "Google answered without a model list; a start will tell.")
        return CredentialCheck("ok", "Google accepted the AI Studio key (videos are made with Gemini Omni Flash).")

    async def aclose(self) -> None:
        """Nothing to close: the shared httpx client belongs to the composition root."""


_KNOWN_STATUSES = frozenset(
    {"in_progress", "queued", "completed", "incomplete", "failed", "cancelled", "budget_exceeded"}
)
