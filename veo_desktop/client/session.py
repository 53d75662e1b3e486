"""Requests to one configured API base URL, carrying the key.

The key is read from the `api_key` callable on every request (it can change at runtime), registered with
`logsafe` so no log line or message can show it, and sent only as the `x-goog-api-key` header, only to the
base URL's origin: every URL is built here from the base and a validated path, and checked again before the
header is attached. Requests and their headers are never logged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from veo_desktop.client.files import write_body
from veo_desktop.client.http import Origin, check_base_url
from veo_desktop.client.translate import bad_answer_error, error_from_response, error_from_transport
from veo_desktop.core.errors import AuthError, PermanentError
from veo_desktop.logsafe import register_secret

__all__ = ["KEY_HEADER", "ApiKey", "ApiSession", "check_model_id", "check_resource_name"]

ApiKey = Callable[[], str | None]
KEY_HEADER = "x-goog-api-key"

_KEY_CHARS = re.compile(r"[\x21-\x7e]+")
_MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,127}")
_SEGMENT = re.compile(r"[A-Za-z0-9_\-][A-Za-z0-9._\-]*")


def check_model_id(model_id: str) -> str:
    if not _MODEL_ID.fullmatch(model_id):
        raise PermanentError(f"The model id {model_id!r} is not valid.")
    return model_id


def check_resource_name(name: str) -> str:
    """An operation name like `models/m/operations/x`: path segments only, no `..`, no query or host part."""
    segments = name.split("/")
    if not name or len(name) > 1024 or not all(_SEGMENT.fullmatch(s) and s.strip(".") for s in segments):
        raise PermanentError(f"The operation name {name!r} is not valid.")
    return name


class ApiSession:
    def __init__(self, http: httpx.AsyncClient, *, base_url: str, api_key: ApiKey) -> None:
        self.http = http
        self.base_url = check_base_url(base_url)
        self.origin = Origin.of(httpx.URL(self.base_url))
        self._api_key = api_key

    def key_header(self) -> dict[str, str]:
        """The key header, or AuthError before anything is sent."""
        key = self._api_key()
        key = key.strip() if key else ""
        if not key:
            raise AuthError("No API key is set; add one in Settings.")
        register_secret(key)
        if not _KEY_CHARS.fullmatch(key):
            raise AuthError("The API key contains characters that cannot be sent; paste it again in Settings.")
        return {KEY_HEADER: key}

    def url(self, path: str) -> httpx.URL:
        url = httpx.URL(f"{self.base_url}/{path.lstrip('/')}")
        if Origin.of(url) != self.origin:
            raise PermanentError("A request URL left the configured API host; it was not sent.")
        return url

    def is_own_origin(self, url: httpx.URL) -> bool:
        return Origin.of(url) == self.origin

    async def call_json(
        self,
        method: str,
        path: str,
        *,
        context: str,
        json_body: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        params: Mapping[str, str] | None = None,
        start: bool = False,
    ) -> dict[str, Any]:
        """One request; returns the JSON object of a 2xx answer, raises a VeoError for anything else.
        `content` is a body already serialised as JSON (built off the event loop thread)."""
        headers = self.key_header()
        if content is not None:
            headers["content-type"] = "application/json"
        url = self.url(path)
        try:
            response = await self.http.request(
                method, url, json=json_body, content=content, params=params, headers=headers
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise error_from_transport(exc, context=context, start=start) from exc
        if not response.is_success:
            raise error_from_response(response.status_code, response.content, response.headers, context=context)
        try:
            data = json.loads(response.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_answer_error(
                context, "the body is not JSON", start=start, http_status=response.status_code
            ) from exc
        if not isinstance(data, dict):
            raise bad_answer_error(context, "the body is not a JSON object", start=start, http_status=200)
        return data

    async def stream_to_file(
        self, method: str, path: str, *, context: str, json_body: Mapping[str, Any] | None, dest: Path
    ) -> int:
        """Like call_json, but a 2xx body is streamed into `dest` (for answers that may be megabytes)."""
        headers = self.key_header()
        url = self.url(path)
        try:
            async with self.http.stream(method, url, json=json_body, headers=headers) as response:
                if not response.is_success:
                    content = await response.aread()
                    raise error_from_response(response.status_code, content, response.headers, context=context)
                return await write_body(response, dest, fsync=False)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise error_from_transport(exc, context=context, start=False) from exc
