"""OAuth2 access tokens for Vertex AI with a project (provider `vertex-project`), through google-auth.

    service account   `service_account.Credentials.from_service_account_info(info, scopes=[CP])`: a refresh
                      POSTs a signed JWT to the key's own `token_uri` (how tests use a loopback endpoint).
                      Keys of another universe (`universe_domain` not googleapis.com) are refused: google-auth
                      would self-sign them instead of asking `token_uri`.
    ADC               `google.auth.default(scopes=[CP])`: GOOGLE_APPLICATION_CREDENTIALS, then gcloud's file.

google-auth is synchronous. A refresh runs in a worker thread (`asyncio.to_thread`), and its HTTP goes through
`HttpxRequest`, a `google.auth.transport.Request` that hands each call back to the app's one
`httpx.AsyncClient` on the event loop (google-auth's `requests` transport would read proxy variables). The
adapter refuses plain http to anything but loopback, so an assertion or refresh token never travels in clear
(this also keeps ADC off the metadata server, which a desktop does not have).

A token is refreshed when `not creds.valid` (google-auth counts a token as stale 3 min 45 s before it
expires). Access tokens live in memory only and are registered with `logsafe`. Errors:
    RefreshError, not retryable (invalid_grant, a bad key)      AuthError: pause the queue
    RefreshError retryable, TransportError (token endpoint down) NotSentError: nothing reached Vertex
    a key file that cannot be used                              AuthError with what to fix
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

import google.auth
import google.auth.credentials
import google.auth.exceptions
import google.auth.transport
import httpx
from google.oauth2 import service_account

from veo_desktop.client.http import is_loopback_host
from veo_desktop.core.errors import AuthError, NotSentError
from veo_desktop.logsafe import mask, register_private_key, register_secret

__all__ = [
    "CLOUD_PLATFORM_SCOPE",
    "BearerAuth",
    "Credentials",
    "HttpxRequest",
    "TokenSource",
    "adc_loader",
    "service_account_loader",
]

log = logging.getLogger(__name__)

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
GOOGLE_UNIVERSE = "googleapis.com"
TOKEN_TIMEOUT_S = 30.0

Credentials = google.auth.credentials.Credentials
Loader = Callable[[google.auth.transport.Request], tuple[Credentials, str | None]]


def _transport_error(message: str) -> Exception:
    error: Exception = google.auth.exceptions.TransportError(message)  # type: ignore[no-untyped-call]
    return error


class _Response(google.auth.transport.Response):
    def __init__(self, status: int, headers: Mapping[str, str], data: bytes) -> None:
        self._status, self._headers, self._data = status, dict(headers), data

    @property
    def status(self) -> int:
        return self._status

    @property
    def headers(self) -> Mapping[str, str]:
        return self._headers

    @property
    def data(self) -> bytes:
        return self._data


class HttpxRequest(google.auth.transport.Request):
    """google-auth's transport, called from a worker thread, running each request on the event loop."""

    def __init__(self, http: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        self._http = http
        self._loop = loop

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> google.auth.transport.Response:
        try:
            target = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise _transport_error("the token endpoint URL is not valid") from exc
        if target.scheme != "https" and not (target.scheme == "http" and is_loopback_host(target.host)):
            raise _transport_error(
                f"refused to send credentials to {target.scheme}://{target.host} (https or loopback only)"
            )
        wait_s = float(timeout) if timeout else TOKEN_TIMEOUT_S
        future = asyncio.run_coroutine_threadsafe(self._send(target, method, body, headers, wait_s), self._loop)
        try:
            return future.result(wait_s + 5.0)
        except (httpx.HTTPError, TimeoutError) as exc:
            future.cancel()
            raise _transport_error(f"{type(exc).__name__} from the token endpoint") from exc

    async def _send(
        self, url: httpx.URL, method: str, body: bytes | None, headers: Mapping[str, str] | None, timeout_s: float
    ) -> _Response:
        response = await self._http.request(method, url, content=body, headers=dict(headers or {}), timeout=timeout_s)
        return _Response(response.status_code, response.headers, response.content)


def _register_key_material(info: Mapping[str, Any]) -> None:
    register_private_key(str(info.get("private_key") or ""))
    register_secret(str(info.get("private_key_id") or "") or None)


def check_service_account_info(info: Mapping[str, Any]) -> None:
    """Refuse a key google-auth would not refresh at its `token_uri`, with what to fix (AuthError)."""
    if info.get("type") != "service_account":
        raise AuthError("The credentials file is not a service-account key (its type must be service_account).")
    for field in ("client_email", "private_key", "token_uri"):
        if not isinstance(info.get(field), str) or not info.get(field):
            raise AuthError(f"The service-account key has no {field}; download a new JSON key.")
    universe = info.get("universe_domain", GOOGLE_UNIVERSE)
    if universe != GOOGLE_UNIVERSE:
        raise AuthError(
            f"The service-account key belongs to the {universe!r} universe; only googleapis.com keys can use "
            "Vertex AI here."
        )
    check_token_uri(str(info["token_uri"]))


def check_token_uri(uri: str) -> None:
    """The signed assertion goes only over https (plain http for loopback, as in tests)."""
    try:
        url = httpx.URL(uri)
    except httpx.InvalidURL:
        raise AuthError("The key's token_uri is not a valid URL; download a new JSON key.") from None
    if not url.host or not (url.scheme == "https" or (url.scheme == "http" and is_loopback_host(url.host))):
        raise AuthError("The key's token_uri must use https://; download a new JSON key.")


def service_account_loader(info_source: Callable[[], Mapping[str, Any] | None]) -> Loader:
    """A loader for a service-account key read from `info_source` (the keyring, or a file) when first used."""

    def load(request: google.auth.transport.Request) -> tuple[Credentials, str | None]:
        try:
            info = info_source()
        except (OSError, ValueError) as exc:
            raise AuthError(
                f"The service-account key could not be read ({type(exc).__name__}); check the file or import "
                "the key again in Settings."
            ) from None
        if info is None:
            raise AuthError("No service-account key is set; import one in Settings or pass --credentials.")
        _register_key_material(info)
        check_service_account_info(info)
        try:
            creds = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
                info, scopes=[CLOUD_PLATFORM_SCOPE]
            )
        except (ValueError, TypeError) as exc:
            raise AuthError("The service-account key could not be read; download a new JSON key.") from exc
        project = info.get("project_id")
        return creds, project if isinstance(project, str) and project else None

    return load


def adc_loader() -> Loader:
    """Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, then gcloud's file)."""

    def load(request: google.auth.transport.Request) -> tuple[Credentials, str | None]:
        try:
            creds, project = google.auth.default(scopes=[CLOUD_PLATFORM_SCOPE], request=request)
        except google.auth.exceptions.DefaultCredentialsError as exc:
            raise AuthError(
                "No usable Google Cloud credentials were found: import a service-account key in Settings, pass "
                "--credentials FILE, or run `gcloud auth application-default login`."
            ) from exc
        except (google.auth.exceptions.GoogleAuthError, OSError, ValueError) as exc:
            raise AuthError(
                f"The default Google Cloud credentials could not be used ({type(exc).__name__}); renew them with "
                "`gcloud auth application-default login`."
            ) from None
        universe = getattr(creds, "universe_domain", GOOGLE_UNIVERSE)
        if universe != GOOGLE_UNIVERSE:
            raise AuthError(f"The default credentials belong to the {universe!r} universe; use a googleapis.com one.")
        return creds, project

    return load


class TokenSource:
    """One credential and its current access token; refreshes are serialised and run in a worker thread."""

    def __init__(self, http: httpx.AsyncClient, loader: Loader) -> None:
        self._http = http
        self._loader = loader
        self._creds: Credentials | None = None
        self._project: str | None = None
        self._lock = asyncio.Lock()
        self._forced: str | None = None  # the token a 401 made us fetch; a 401 for it too is final

    async def _credentials(self, request: HttpxRequest) -> Credentials:
        if self._creds is not None:
            return self._creds
        loaded, self._project = await asyncio.to_thread(self._loader, request)
        self._creds = loaded
        return loaded

    async def token(self) -> str:
        """A valid access token (refreshed first when stale)."""
        async with self._lock:
            request = HttpxRequest(self._http, asyncio.get_running_loop())
            creds = await self._credentials(request)
            if not creds.valid:
                await self._refresh(creds, request)
            return str(creds.token)

    async def renew_after_401(self, sent_token: str) -> bool:
        """Vertex said 401 to `sent_token`: refresh once. False when that token was itself a renewal."""
        async with self._lock:
            if sent_token == self._forced:
                return False
            request = HttpxRequest(self._http, asyncio.get_running_loop())
            creds = await self._credentials(request)
            if creds.token == sent_token or not creds.valid:
                await self._refresh(creds, request)
            self._forced = str(creds.token)
            return True

    async def _refresh(self, creds: Credentials, request: HttpxRequest) -> None:
        try:
            await asyncio.to_thread(creds.refresh, request)
        except google.auth.exceptions.RefreshError as exc:
            if exc.retryable:
                raise NotSentError(
                    "Getting a Google Cloud access token failed for now (the token endpoint was busy). "
                    "Nothing was sent to Vertex AI."
                ) from None
            reason = _refresh_reason(exc)
            raise AuthError(
                f"Google refused the credentials when asked for an access token ({reason}). Import a valid "
                "service-account key or renew the default credentials, then resume the queue."
            ) from None
        except google.auth.exceptions.TransportError as exc:
            raise NotSentError(
                f"Getting a Google Cloud access token failed: the token endpoint could not be reached "
                f"({mask(str(exc))}). Nothing was sent to Vertex AI."
            ) from None
        except (google.auth.exceptions.GoogleAuthError, ValueError) as exc:  # a malformed answer, a bad key
            raise AuthError(
                f"Getting a Google Cloud access token failed ({type(exc).__name__}); import the service-account "
                "key again or renew the default credentials, then resume the queue."
            ) from None
        register_secret(str(creds.token))
        log.info("Google Cloud access token refreshed")

    async def project(self) -> str | None:
        """The project the credential names (the key's project_id, or the one ADC reports)."""
        async with self._lock:
            await self._credentials(HttpxRequest(self._http, asyncio.get_running_loop()))
            return self._project

    def quota_project(self) -> str | None:
        quota = getattr(self._creds, "quota_project_id", None)
        return quota if isinstance(quota, str) and quota else None


def _refresh_reason(exc: google.auth.exceptions.RefreshError) -> str:
    """The OAuth error code (invalid_grant, ...) without the rest of the answer."""
    for arg in exc.args:
        if isinstance(arg, Mapping) and isinstance(arg.get("error"), str):
            return mask(arg["error"])[:60]
    text = mask(str(exc.args[0]) if exc.args else "")
    return text.split(":", 1)[0][:60] or "refused"


class BearerAuth:
    """`Authorization: Bearer` (plus `x-goog-user-project` for a credential with a quota project)."""

    def __init__(self, tokens: TokenSource) -> None:
        self.tokens = tokens

    async def headers(self) -> dict[str, str]:
        token = await self.tokens.token()
        headers = {"authorization": f"Bearer {token}"}
        quota = self.tokens.quota_project()
        if quota:
            headers["x-goog-user-project"] = quota
        return headers

    async def after_unauthorized(self, sent: Mapping[str, str]) -> bool:
        return await self.tokens.renew_after_401(sent.get("authorization", "").removeprefix("Bearer "))
