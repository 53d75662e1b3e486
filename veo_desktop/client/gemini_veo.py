"""The retired Gemini-API Veo dialect (`gemini-veo`): history only.

The Gemini API shut its Veo models down on 2026-10-22 (they answer 404 "… is no longer available",
veo-api.md §1 d). This provider starts nothing (a PermanentError saying the model is retired) and keeps old
jobs readable:

poll      GET  {base}/v1beta/{name}  (a legacy running job is polled; 404 means it expired)
download  GET  {base}/v1beta/files/{id}:download?alt=media, rebuilt on the configured base from the file id
          in the returned `video.uri`; redirects followed by hand without the key (`redirects`).
models    none: the Gemini API lists no Veo model any more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from veo_desktop.client.base import OperationStatus, RemoteModel, StartSpec, VideoRef
from veo_desktop.client.omni_files import check_file_id, file_id_from_uri
from veo_desktop.client.payload import operation_error, rai_filter
from veo_desktop.client.redirects import download_following_redirects
from veo_desktop.client.session import ApiKey, ApiSession, check_resource_name
from veo_desktop.core.errors import PermanentError, ProtocolError

__all__ = ["GeminiVeoProvider"]


class GeminiVeoProvider:
    """Old Veo jobs of the Gemini API. Does not own `http`: the composition root closes it."""

    name = "gemini-veo"

    def __init__(self, http: httpx.AsyncClient, *, base_url: str, api_key: ApiKey) -> None:
        self._session = ApiSession(http, base_url=base_url, api_key=api_key)

    async def start(self, spec: StartSpec) -> str:
        raise PermanentError(
            f"The Gemini API's Veo model {spec.model_id} is retired (shut down on 2026-10-22); nothing was sent. "
            "Move the job to a current model: Gemini Omni Flash with an AI Studio key, or Veo on Vertex AI."
        )

    async def poll(self, operation_name: str, *, staging_dir: Path) -> OperationStatus:
        name = check_resource_name(operation_name)
        data = await self._session.call_json("GET", f"v1beta/{name}", context="Checking the generation")
        return _parse_operation(data, name)

    async def download(self, video: VideoRef, dest: Path) -> int:
        file_id = check_file_id(video.file_id)
        url = self._session.url(f"v1beta/files/{file_id}:download").copy_merge_params({"alt": "media"})
        return await download_following_redirects(self._session, url, dest)

    async def list_models(self) -> Sequence[RemoteModel]:
        return ()

    async def aclose(self) -> None:
        """Nothing to close: the shared httpx client belongs to the composition root."""


def _samples(response: Mapping[str, Any]) -> list[Any]:
    generated = response.get("generateVideoResponse")
    if not isinstance(generated, dict):
        return []
    samples = generated.get("generatedSamples")
    return samples if isinstance(samples, list) else []


def _parse_operation(data: Mapping[str, Any], name: str) -> OperationStatus:
    if not data.get("done"):
        return OperationStatus(name=name, done=False)
    code, message = operation_error(data)
    response = data.get("response")
    response = response if isinstance(response, dict) else {}
    generated = response.get("generateVideoResponse")
    filtered, reasons = rai_filter(generated if isinstance(generated, dict) else {})
    videos: list[VideoRef] = []
    for sample in _samples(response):
        video = sample.get("video") if isinstance(sample, dict) else None
        if not isinstance(video, dict) or not isinstance(video.get("uri"), str):
            continue
        file_id = file_id_from_uri(video["uri"])
        if file_id is None:
            raise ProtocolError("Checking the generation failed: a video uri without a file id.")
        videos.append(VideoRef(file_id=f"files/{file_id}", mime_type=str(video.get("mimeType") or "video/mp4")))
    return OperationStatus(
        name=name,
        done=True,
        videos=tuple(videos),
        error_code=code,
        error_message=message,
        filtered_count=filtered,
        filter_reasons=reasons,
    )
