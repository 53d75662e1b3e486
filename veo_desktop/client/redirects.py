"""A download that follows redirects by hand, so the API key never reaches another host.

At most `MAX_REDIRECTS` hops. The key header goes only while the target's origin is the session's base URL's
and is dropped for good once it changes (httpx strips only `Authorization` on its own; Google's SDK follows
with the key still attached). A target on plain http:// off loopback, or with another scheme, is refused: that
is a PermanentError (retrying would be refused the same way), not a retry.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import httpx

from veo_desktop.client.files import write_body
from veo_desktop.client.http import is_loopback_host
from veo_desktop.client.session import ApiSession
from veo_desktop.client.translate import error_from_response, error_from_transport
from veo_desktop.core.errors import PermanentError, ProtocolError

__all__ = ["MAX_REDIRECTS", "download_following_redirects"]

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


async def download_following_redirects(
    session: ApiSession, url: httpx.URL, dest: Path, *, context: str = "Downloading the video"
) -> int:
    """GET `url` (built on the session's base) into `dest`, rewritten; returns the bytes written."""
    headers: dict[str, str] = await session.auth.headers()
    for _ in range(MAX_REDIRECTS + 1):
        if headers and not session.is_own_origin(url):
            headers = {}  # the host changed: the key stays behind, also if a later hop comes back
        next_url, written = await _fetch(session.http, url, headers, dest, context)
        if next_url is None:
            return written
        url = next_url
    raise ProtocolError(f"{context} failed: more than {MAX_REDIRECTS} redirects.")


async def _fetch(
    http: httpx.AsyncClient, url: httpx.URL, headers: Mapping[str, str], dest: Path, context: str
) -> tuple[httpx.URL | None, int]:
    """One hop: (redirect target, 0) or (None, bytes written)."""
    try:
        async with http.stream("GET", url, headers=headers) as response:
            if response.status_code in _REDIRECT_STATUSES:
                return redirect_target(response, context), 0
            if not response.is_success:
                content = await response.aread()
                raise error_from_response(response.status_code, content, response.headers, context=context)
            return None, await write_body(response, dest, fsync=True)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise error_from_transport(exc, context=context, start=False) from exc


def redirect_target(response: httpx.Response, context: str) -> httpx.URL:
    location = response.headers.get("location", "").strip()
    if not location:
        raise ProtocolError(f"{context} failed: a redirect without a Location header.")
    try:
        target = response.url.join(location)
    except httpx.InvalidURL as exc:
        raise ProtocolError(f"{context} failed: a redirect to an invalid URL.") from exc
    if target.scheme not in ("http", "https") or not target.host:
        raise PermanentError(
            f"{context} failed: the server redirected to an unsupported kind of address ({target.scheme}:), "
            "which was refused. Try again later or report it."
        )
    if target.scheme == "http" and not is_loopback_host(target.host):
        raise PermanentError(
            f"{context} failed: the server redirected to an insecure http:// address on {target.host}, which "
            "was refused so no video or key travels unencrypted."
        )
    log.debug("Download redirected to host %s", target.host)
    return target
