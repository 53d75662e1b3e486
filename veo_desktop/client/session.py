"""Requests to one configured API base URL, carrying the credential.

The credential is an `Auth`: `KeyAuth` reads the API key from the `api_key` callable on every request (it can
change at runtime), registers it with `logsafe` so no log line or message can show it, and sends it only as the
`x-goog-api-key` header; `client.oauth.BearerAuth` sends an OAuth2 access token as `Authorization: Bearer`.
Either goes only to the base URL's origin: every URL is built here from the base and a validated path, and
checked again before the header is attached. Requests and their headers are never logged.

A 401 on a poll or a GET lets the auth refresh once (`Auth.after_unauthorized`) and the request is resent; a
401 on the paid start is never resent here: if the token was stale (and is now refreshed) the start was not
accepted (NotAcceptedError, requeue), otherwise the credentials are refused (AuthError).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import httpx

from veo_desktop.client.files import write_body
from veo_desktop.client.http import Origin, check_base_url
from veo_desktop.client.translate import bad_answer_error, error_from_response, error_from_transport
from veo_desktop.core.errors import AuthError, NotAcceptedError, PermanentError, VeoError
from veo_desktop.logsafe import register_secret

__all__ = ["KEY_HEADER", "ApiKey", "ApiSession", "Auth", "KeyAuth", "check_model_id", "check_resource_name"]

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


class Auth(Protocol):
    async def headers(self) -> dict[str, str]:
        """The credential headers for the next request; AuthError when there is none."""
        ...

    async def after_unauthorized(self, sent: Mapping[str, str]) -> bool:
        """A request sent with `sent` was answered 401: True when the credential was renewed (resend once)."""
        ...


class KeyAuth:
    """An API key as `x-goog-api-key`; a 401 is final (a key cannot be refreshed)."""

    def __init__(self, api_key: ApiKey) -> None:
        self._api_key = api_key

    def header(self) -> dict[str, str]:
        key = self._api_key()
        key = key.strip() if key else ""
        if not key:
            raise AuthError("No API key is set; add one in Settings.")
        register_secret(key)
        if not _KEY_CHARS.fullmatch(key):
            raise AuthError("The API key contains characters that cannot be sent; paste it again in Settings.")
        return {KEY_HEADER: key}

    async def headers(self) -> dict[str, str]:
        return self.header()

    async def after_unauthorized(self, sent: Mapping[str, str]) -> bool:
        return False


class ApiSession:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        api_key: ApiKey | None = None,
        auth: Auth | None = None,
        express: bool = False,
        interactions: bool = False,
    ) -> None:
        self.http = http
        self.base_url = check_base_url(base_url)
        self.origin = Origin.of(httpx.URL(self.base_url))
        if auth is None:
            if api_key is None:
                raise ValueError("ApiSession needs an api_key or an auth.")
            auth = KeyAuth(api_key)
        self.auth = auth
        self._express = express
        self._interactions = interactions

    def key_header(self) -> dict[str, str]:
        """The API key header (key sessions only), or AuthError before anything is sent."""
        if not isinstance(self.auth, KeyAuth):
            raise AuthError("This connection does not use an API key.")
        return self.auth.header()

    def url(self, path: str) -> httpx.URL:
        url = httpx.URL(f"{self.base_url}/{path.lstrip('/')}")
        if Origin.of(url) != self.origin:
            raise PermanentError("A request URL left the configured API host; it was not sent.")
        return url

    def is_own_origin(self, url: httpx.URL) -> bool:
        return Origin.of(url) == self.origin

    def _error(self, response: httpx.Response, content: bytes, *, context: str, start: bool) -> VeoError:
        return error_from_response(
            response.status_code,
            content,
            response.headers,
            context=context,
            start=start,
            express=self._express,
            interactions=self._interactions,
        )

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
        url = self.url(path)
        for attempt in (1, 2):
            headers = await self.auth.headers()
            if content is not None:
                headers["content-type"] = "application/json"
            try:
                response = await self.http.request(
                    method, url, json=json_body, content=content, params=params, headers=headers
                )
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise error_from_transport(exc, context=context, start=start) from exc
            if response.status_code == 401 and attempt == 1 and await self.auth.after_unauthorized(headers):
                if start:
                    raise NotAcceptedError(
                        f"{context} failed: the access token had expired (HTTP 401); it was renewed and the "
                        "request will be sent again.",
                        http_status=401,
                    )
                continue
            break
        if not response.is_success:
            raise self._error(response, response.content, context=context, start=start)
        return self._parse_json(response, context=context, start=start)

    @staticmethod
    def _parse_json(response: httpx.Response, *, context: str, start: bool) -> dict[str, Any]:
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
        """Like call_json (not for starts), but a 2xx body is streamed into `dest` (answers may be megabytes)."""
        url = self.url(path)
        for attempt in (1, 2):
            headers = await self.auth.headers()
            try:
                async with self.http.stream(method, url, json=json_body, headers=headers) as response:
                    if not response.is_success:
                        body = await response.aread()
                        if response.status_code == 401 and attempt == 1 and await self.auth.after_unauthorized(headers):
                            continue
                        raise self._error(response, body, context=context, start=False)
                    return await write_body(response, dest, fsync=False)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise error_from_transport(exc, context=context, start=False) from exc
        raise AuthError(f"{context} failed: the credentials were refused twice (HTTP 401).")  # pragma: no cover
