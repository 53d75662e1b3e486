"""The Gemini API dialect (`generativelanguage.googleapis.com`).

start     POST {base}/v1beta/models/{model}:predictLongRunning  (no seed/generateAudio; one video)
poll      GET  {base}/v1beta/{name}
download  GET  {base}/v1beta/files/{id}:download?alt=media — the URL is rebuilt on the configured base from
          the file id in the returned `video.uri` (which names Google's host), never fetched as given.
          Redirects are followed by hand (at most 5): the key header goes only while the target's origin is
          the base URL's and is dropped for good once it changes; an http:// target off loopback is refused.
models    GET  {base}/v1beta/models, paged; models offering `predictLongRunning`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from veo_desktop.client.base import OperationStatus, RemoteModel, StartSpec, VideoRef
from veo_desktop.client.files import write_body
from veo_desktop.client.http import is_loopback_host
from veo_desktop.client.payload import (
    base_parameters,
    operation_error,
    operation_name_from_start,
    rai_filter,
    start_body,
)
from veo_desktop.client.session import ApiKey, ApiSession, check_model_id, check_resource_name
from veo_desktop.client.translate import error_from_response, error_from_transport
from veo_desktop.core.errors import PermanentError, ProtocolError

__all__ = ["MAX_REDIRECTS", "GeminiProvider", "file_id_from_uri"]

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
_MAX_MODEL_PAGES = 50
_FILE_ID = re.compile(r"(?:^|/)files/([a-z0-9]+)(?=[:?#]|$)")
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def file_id_from_uri(uri: str) -> str | None:
    """The file id in a video uri (`.../files/<id>:download?alt=media`), or None."""
    match = _FILE_ID.search(uri)
    return match.group(1) if match else None


class GeminiProvider:
    """Veo through the Gemini API. Does not own `http`: the composition root closes it."""

    name = "gemini"

    def __init__(self, http: httpx.AsyncClient, *, base_url: str, api_key: ApiKey) -> None:
        self._session = ApiSession(http, base_url=base_url, api_key=api_key)

    async def start(self, spec: StartSpec) -> str:
        model = check_model_id(spec.model_id)
        parameters = base_parameters(spec)
        if spec.sample_count > 1:
            parameters["sampleCount"] = spec.sample_count
        body = await asyncio.to_thread(start_body, spec, parameters)
        context = "Starting the generation"
        data = await self._session.call_json(
            "POST", f"v1beta/models/{model}:predictLongRunning", content=body, context=context, start=True
        )
        name = operation_name_from_start(data, context=context)
        log.info("Gemini generation started: %s", name)
        return name

    async def poll(self, operation_name: str, *, staging_dir: Path) -> OperationStatus:
        name = check_resource_name(operation_name)
        data = await self._session.call_json("GET", f"v1beta/{name}", context="Checking the generation")
        return _parse_operation(data, name)

    async def download(self, video: VideoRef, dest: Path) -> int:
        file_id = (video.file_id or "").removeprefix("files/")
        if not re.fullmatch(r"[a-z0-9]+", file_id):
            raise PermanentError("This video has no Gemini API file id to download.")
        url = self._session.url(f"v1beta/files/{file_id}:download").copy_merge_params({"alt": "media"})
        headers: dict[str, str] = self._session.key_header()
        for _ in range(MAX_REDIRECTS + 1):
            if headers and not self._session.is_own_origin(url):
                headers = {}  # the host changed: the key stays behind, also if a later hop comes back
            next_url, written = await self._fetch(url, headers, dest)
            if next_url is None:
                return written
            url = next_url
        raise ProtocolError(f"Downloading the video failed: more than {MAX_REDIRECTS} redirects.")

    async def _fetch(self, url: httpx.URL, headers: Mapping[str, str], dest: Path) -> tuple[httpx.URL | None, int]:
        """One hop: (redirect target, 0) or (None, bytes written)."""
        context = "Downloading the video"
        try:
            async with self._session.http.stream("GET", url, headers=headers) as response:
                if response.status_code in _REDIRECT_STATUSES:
                    return _redirect_target(response, context), 0
                if not response.is_success:
                    content = await response.aread()
                    raise error_from_response(response.status_code, content, response.headers, context=context)
                return None, await write_body(response, dest, fsync=True)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise error_from_transport(exc, context=context, start=False) from exc

    async def list_models(self) -> Sequence[RemoteModel]:
        models: list[RemoteModel] = []
        seen_tokens: set[str] = set()
        token = ""
        for _ in range(_MAX_MODEL_PAGES):
            params = {"pageToken": token} if token else None
            data = await self._session.call_json("GET", "v1beta/models", params=params, context="Listing models")
            entries = data.get("models")
            for entry in entries if isinstance(entries, list) else []:
                model = _remote_model(entry)
                if model is not None:
                    models.append(model)
            token = str(data.get("nextPageToken") or "")
            if not token or token in seen_tokens:
                break
            seen_tokens.add(token)
        return models

    async def aclose(self) -> None:
        """Nothing to close: the shared httpx client belongs to the composition root."""


def _redirect_target(response: httpx.Response, context: str) -> httpx.URL:
    location = response.headers.get("location", "").strip()
    if not location:
        raise ProtocolError(f"{context} failed: a redirect without a Location header.")
    try:
        target = response.url.join(location)
    except httpx.InvalidURL as exc:
        raise ProtocolError(f"{context} failed: a redirect to an invalid URL.") from exc
    if target.scheme not in ("http", "https") or not target.host:
        raise ProtocolError(f"{context} failed: a redirect to an unsupported URL scheme was refused.")
    if target.scheme == "http" and not is_loopback_host(target.host):
        raise ProtocolError(f"{context} failed: a redirect to an insecure http:// address was refused.")
    log.debug("Download redirected to host %s", target.host)
    return target


def _remote_model(entry: object) -> RemoteModel | None:
    if not isinstance(entry, dict):
        return None
    methods = entry.get("supportedGenerationMethods")
    if not isinstance(methods, list) or "predictLongRunning" not in methods:
        return None
    model_id = str(entry.get("name", "")).removeprefix("models/")
    if not model_id:
        return None
    return RemoteModel(id=model_id, display_name=str(entry.get("displayName") or model_id))


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
