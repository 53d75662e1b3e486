"""Gemini API files: waiting for a generated video to be `ACTIVE`, then downloading it (veo-api.md §4.4).

1. The file id is `files/([a-z0-9]+)` in the video's `uri` (which names Google's host); every URL is rebuilt
   on the configured base and API version, never fetched as given.
2. `GET /{v}/files/{fid}` until `state` is `ACTIVE`: `PROCESSING` (or a state this app does not know) waits
   `PROCESSING_WAIT_S` and asks again, `FAILED` is a PermanentError, 404 means the file expired (48 h).
   Whether a `PROCESSING` file can already be downloaded is UNCONFIRMED: the app waits either way.
3. `GET /{v}/files/{fid}:download?alt=media` with the key, redirects followed by hand (`redirects`).

The wait takes its `sleep` as an argument (tests pass a fake one); after `max_wait_s` of PROCESSING it gives
up for now with a TransientError, and the engine's download retry asks again later.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from veo_desktop.client.redirects import download_following_redirects
from veo_desktop.client.session import ApiSession
from veo_desktop.core.errors import PermanentError, ProtocolError, TransientError
from veo_desktop.logsafe import mask

__all__ = ["PROCESSING_WAIT_S", "check_file_id", "download_file", "file_id_from_uri", "wait_until_active"]

log = logging.getLogger(__name__)

PROCESSING_WAIT_S = 2.0
MAX_PROCESSING_WAIT_S = 300.0

Sleep = Callable[[float], Awaitable[None]]

_FILE_ID = re.compile(r"(?:^|/)files/([a-z0-9]+)(?=[:?#]|$)")


def file_id_from_uri(uri: str) -> str | None:
    """The file id in a video uri (`.../files/<id>:download?alt=media`), or None."""
    match = _FILE_ID.search(uri)
    return match.group(1) if match else None


def check_file_id(file_id: str | None) -> str:
    bare = (file_id or "").removeprefix("files/")
    if not re.fullmatch(r"[a-z0-9]+", bare):
        raise PermanentError("This video has no Gemini API file id to download.")
    return bare


async def wait_until_active(
    session: ApiSession, version: str, file_id: str, *, sleep: Sleep, max_wait_s: float = MAX_PROCESSING_WAIT_S
) -> None:
    """Return once the file is ACTIVE; PermanentError when it FAILED, TransientError after `max_wait_s`."""
    waited_s = 0.0
    while True:
        data = await session.call_json("GET", f"{version}/files/{file_id}", context="Checking the video file")
        state = data.get("state")
        if not isinstance(state, str) or not state:
            raise ProtocolError("Checking the video file failed: Google's answer has no file state.")
        if state == "ACTIVE":
            return
        if state == "FAILED":
            error = data.get("error")
            said = mask(str(error.get("message") or "")) if isinstance(error, dict) else ""
            raise PermanentError(
                "Google could not prepare the video file (state FAILED)" + (f": {said}" if said else ".")
            )
        if waited_s >= max_wait_s:
            raise TransientError(f"The video file is still {mask(state)[:40]} at Google; trying later.")
        await sleep(PROCESSING_WAIT_S)
        waited_s += PROCESSING_WAIT_S


async def download_file(session: ApiSession, version: str, file_id: str, dest: Path, *, sleep: Sleep) -> int:
    """Wait for ACTIVE, then stream the file into `dest` (rewritten); returns the bytes written."""
    bare = check_file_id(file_id)
    await wait_until_active(session, version, bare, sleep=sleep)
    url = session.url(f"{version}/files/{bare}:download").copy_merge_params({"alt": "media"})
    return await download_following_redirects(session, url, dest)
