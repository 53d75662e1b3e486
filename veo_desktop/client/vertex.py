"""Vertex AI express mode (API key, no project): the default dialect.

start     POST {base}/{v}/publishers/google/models/{model}:predictLongRunning
poll      POST {base}/{v}/{resource}:fetchPredictOperation  {"operationName": NAME}
          (resource = NAME up to "/operations/"; a plain GET of the operation answers 404)
download  nothing to fetch: the finished poll carries the videos inline as base64. The poll streams its
          body to a temporary file and decodes each video into `staging_dir/<random>.mp4.part`
          (`inline_media`); `download()` moves that file into place.
models    GET {base}/{v}/publishers/google/models, when the endpoint answers with a list; Google does not
          promise it for express mode, so a refusal becomes PermanentError and the app keeps its catalogue.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from veo_desktop.client.base import OperationStatus, RemoteModel, StartSpec, VideoRef
from veo_desktop.client.files import move_file
from veo_desktop.client.inline_media import ExtractedMedia, InlineMediaError, extract_inline_media, placeholder_index
from veo_desktop.client.payload import (
    base_parameters,
    operation_error,
    operation_name_from_start,
    rai_filter,
    start_body,
)
from veo_desktop.client.session import ApiKey, ApiSession, check_model_id, check_resource_name
from veo_desktop.core.errors import NotFoundError, PermanentError, ProtocolError

__all__ = ["VertexExpressProvider"]

log = logging.getLogger(__name__)

_MAX_MODEL_PAGES = 20


class VertexExpressProvider:
    """Veo through Vertex AI express mode. Does not own `http`: the composition root closes it."""

    name = "vertex"

    def __init__(
        self, http: httpx.AsyncClient, *, base_url: str, api_key: ApiKey, api_version: str = "v1beta1"
    ) -> None:
        if api_version not in ("v1", "v1beta1"):
            raise ValueError(f"Unknown Vertex AI API version {api_version!r}; use 'v1beta1' or 'v1'.")
        self._session = ApiSession(http, base_url=base_url, api_key=api_key)
        self._version = api_version

    async def start(self, spec: StartSpec) -> str:
        model = check_model_id(spec.model_id)
        parameters = base_parameters(spec)
        parameters["sampleCount"] = spec.sample_count
        body = await asyncio.to_thread(start_body, spec, parameters)
        context = "Starting the generation"
        data = await self._session.call_json(
            "POST",
            f"{self._version}/publishers/google/models/{model}:predictLongRunning",
            content=body,
            context=context,
            start=True,
        )
        name = operation_name_from_start(data, context=context)
        log.info("Vertex generation started: %s", name)
        return name

    async def poll(self, operation_name: str, *, staging_dir: Path) -> OperationStatus:
        name = check_resource_name(operation_name)
        resource, sep, _ = name.partition("/operations/")
        if not sep or not resource:
            raise PermanentError(f"The operation name {name!r} is not a Vertex AI operation name.")
        context = "Checking the generation"
        body_path = staging_dir / f"{secrets.token_hex(12)}.poll.json.part"
        try:
            await self._session.stream_to_file(
                "POST",
                f"{self._version}/{resource}:fetchPredictOperation",
                json_body={"operationName": name},
                context=context,
                dest=body_path,
            )
            extracted = await asyncio.to_thread(extract_inline_media, body_path, staging_dir)
        except InlineMediaError as exc:
            raise ProtocolError(f"{context} failed: the server's answer could not be read ({exc}).") from exc
        finally:
            await asyncio.to_thread(body_path.unlink, missing_ok=True)
        used: set[int] = set()
        try:
            return _parse_operation(extracted, name, used, context=context)
        finally:
            for index, path in enumerate(extracted.paths):
                if index not in used:
                    await asyncio.to_thread(path.unlink, missing_ok=True)

    async def download(self, video: VideoRef, dest: Path) -> int:
        if video.staged_path is None:
            raise PermanentError(
                "This Vertex AI video has no local copy (it was stored in Cloud Storage), so it cannot be "
                "downloaded with an API key."
            )
        try:
            return await asyncio.to_thread(move_file, video.staged_path, dest)
        except FileNotFoundError as exc:
            raise NotFoundError(
                "The decoded video is no longer in the staging folder; check the generation again to fetch it."
            ) from exc

    async def list_models(self) -> Sequence[RemoteModel]:
        models: list[RemoteModel] = []
        token = ""
        for _ in range(_MAX_MODEL_PAGES):
            params = {"pageToken": token} if token else None
            try:
                data = await self._session.call_json(
                    "GET", f"{self._version}/publishers/google/models", params=params, context="Listing models"
                )
            except (PermanentError, ProtocolError) as exc:
                raise PermanentError(
                    "Vertex AI express mode cannot list models with an API key; the built-in catalogue is used."
                ) from exc
            entries = data.get("publisherModels", data.get("models"))
            if not isinstance(entries, list):
                raise PermanentError("Vertex AI express mode did not return a model list; the catalogue is used.")
            models.extend(_remote_model(entry) for entry in entries if _is_veo(entry))
            token = str(data.get("nextPageToken") or "")
            if not token:
                break
        return models

    async def aclose(self) -> None:
        """Nothing to close: the shared httpx client belongs to the composition root."""


def _model_id(entry: object) -> str:
    if not isinstance(entry, dict):
        return ""
    return str(entry.get("name", "")).rsplit("/", 1)[-1]


def _is_veo(entry: object) -> bool:
    return _model_id(entry).startswith("veo-")


def _remote_model(entry: Any) -> RemoteModel:
    model_id = _model_id(entry)
    return RemoteModel(id=model_id, display_name=str(entry.get("displayName") or model_id))


def _parse_operation(extracted: ExtractedMedia, name: str, used: set[int], *, context: str) -> OperationStatus:
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
    return OperationStatus(
        name=name,
        done=True,
        videos=tuple(videos),
        error_code=code,
        error_message=message,
        filtered_count=filtered,
        filter_reasons=reasons,
    )
