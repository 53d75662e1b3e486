"""Omni's generated files (docs/veo-api.md §4.4): `GET /{v}/files/{fid}` goes PROCESSING → ACTIVE (or
FAILED) after a delay; `GET /{v}/files/{fid}:download?alt=media` answers 302 to the blob host (or, switched,
200 itself), with Range; files are gone (404) 48 h after the generation finished.

The blob host is the redirect's target, like a signed storage URL: it needs no key, and records (never
refuses) a key or an Authorization header that arrives there — the app must send none; Google's SDK does."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from typing import Any

from veo_desktop.core.clock import Clock
from veo_desktop.simulator import actions as a
from veo_desktop.simulator import errors
from veo_desktop.simulator.media import Video
from veo_desktop.simulator.replies import Body, Reply, json_reply, redirect_reply
from veo_desktop.simulator.request import Req
from veo_desktop.simulator.state import OperationBook, SimOperation, SimStats
from veo_desktop.simulator.switches import Switches

FILES_URI = "https://generativelanguage.googleapis.com/v1beta/files"


def omni_video(op: SimOperation) -> Video:
    return Video.make(op.aspect_ratio, op.plan.size_bytes, duration_s=op.request.duration_s, tag=f"omni-sim {op.id}")


def _iso(wall_ms: float) -> str:
    return datetime.datetime.fromtimestamp(wall_ms / 1000, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FileApi:
    def __init__(
        self,
        *,
        book: OperationBook,
        stats: SimStats,
        switches: Switches,
        clock: Clock,
        processing_s: float,
        retention_s: float,
        blob_base: Callable[[], str],
    ) -> None:
        self._book, self._stats, self._switches, self._clock = book, stats, switches, clock
        self.processing_s, self._retention_s, self._blob_base = processing_s, retention_s, blob_base

    def entry(self, file_id: str) -> tuple[SimOperation, int] | None:
        entry = self._book.lookup_file(file_id)
        if entry is None:
            return None
        op = entry[0]
        result = op.plan.result
        incomplete = isinstance(result, a.TerminalStatus) and result.status == "incomplete"
        if op.is_cancelled(self._book.now_s()) or (result is not None and not incomplete):
            return None  # only an interaction that delivered a video has a file
        return entry

    def _file(self, file_id: str) -> SimOperation:
        entry = self.entry(file_id)
        if entry is None:
            raise errors.not_found(f"File files/{file_id} was not found (files are kept for 48 hours).")
        return entry[0]

    def _state(self, op: SimOperation) -> str:
        if self._book.now_s() < op.done_at_s + self.processing_s:
            return "PROCESSING"
        return "FAILED" if op.plan.file_failed else "ACTIVE"

    def state(self, file_id: str, version: str) -> Reply:
        op = self._file(file_id)
        self._stats.count("file_checks")
        now_ms = self._clock.wall_ms()
        done_ms = now_ms - (self._book.now_s() - op.done_at_s) * 1000
        payload: dict[str, Any] = {
            "name": f"files/{file_id}", "mimeType": "video/mp4", "sizeBytes": str(omni_video(op).size_bytes),
            "createTime": _iso(done_ms), "updateTime": _iso(now_ms),
            "expirationTime": _iso(done_ms + self._retention_s * 1000),
            "state": self._state(op), "source": "GENERATED", "downloadUri": f"{FILES_URI}/{file_id}:download?alt=media",
        }  # fmt: skip
        if payload["state"] == "FAILED":
            payload["error"] = {"code": 13, "message": "The generated video could not be processed."}
        return json_reply(payload)

    def download(self, req: Req, file_id: str) -> Reply:
        """On the Gemini host, with the key (already checked)."""
        if req.query.get("alt") != ["media"]:
            raise errors.invalid("Use `alt=media` to download the file's content.")
        op = self._file(file_id)
        switches = self._switches.resolve(op.prompt)
        state = self._state(op)
        if state == "FAILED":
            raise errors.invalid(f"File files/{file_id} failed to process and cannot be downloaded.")
        if state == "PROCESSING" and switches["file_processing_download"] == "refuse":
            raise errors.invalid(f"File files/{file_id} is not in an ACTIVE state yet; try again later.")
        if switches["omni_download"] == "direct":
            return self._media(op, req.header("Range"))
        return redirect_reply(f"{self._blob_base()}/blob/{file_id}?sig={secrets.token_urlsafe(12)}")

    def blob(self, req: Req, file_id: str) -> Reply:
        """On the blob host: no key needed (none should arrive, and one that does is counted, not refused)."""
        return self._media(self._file(file_id), req.header("Range"))

    def _media(self, op: SimOperation, range_header: str | None) -> Reply:
        reply = media_reply(omni_video(op), range_header)
        if reply.status in (200, 206):
            self._stats.count("downloads")
        return reply


def media_reply(video: Video, range_header: str | None) -> Reply:
    size = video.size_bytes
    headers = {"Accept-Ranges": "bytes"}
    span = _parse_range(range_header, size) if range_header else None
    if span is None:
        return Reply(200, Body(size, "video/mp4", lambda: video.iter_range(0, size)), headers)
    start, end = span
    if start >= size or end < start:
        headers["Content-Range"] = f"bytes */{size}"
        return Reply(416, Body.of(b"", "video/mp4"), headers)
    headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    return Reply(206, Body(end - start, "video/mp4", lambda: video.iter_range(start, end)), headers)


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """`bytes=a-b`, `bytes=a-` or `bytes=-n` as a half-open span; None (serve everything) if unreadable."""
    unit, _, spec = header.partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return None
    first, _, last = spec.strip().partition("-")
    try:
        if not first:
            return max(0, size - int(last)), size
        start = int(first)
        end = min(size, int(last) + 1) if last else size
    except ValueError:
        return None
    return start, end
