"""The endpoints of both dialects, as functions from a parsed request to a `Reply` (no sockets here).

Vertex AI express: start, fetchPredictOperation (inline base64 videos). Gemini API: start, GET poll, file
download with Range, model list. Shapes follow /work/shared/veo-api.md."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from veo_desktop.core.catalogue import Catalogue
from veo_desktop.simulator import actions as a
from veo_desktop.simulator import errors
from veo_desktop.simulator.media import Video
from veo_desktop.simulator.replies import Body, Reply, json_reply
from veo_desktop.simulator.script import ScriptBook
from veo_desktop.simulator.state import Dialect, OperationBook, SimOperation, SimStats
from veo_desktop.simulator.validation import find_model, parse_start

VERTEX_RESPONSE_TYPE = "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse"
GEMINI_RESPONSE_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse"
GOOGLE_FILES_BASE = "https://generativelanguage.googleapis.com/v1beta/files"
DEFAULT_PAGE_SIZE = 4  # small on purpose, so clients exercise nextPageToken

# Models a real account lists besides Veo: clients must keep only predictLongRunning ones.
_OTHER_MODELS: tuple[dict[str, Any], ...] = (
    {"name": "models/gemini-2.5-flash", "displayName": "Gemini 2.5 Flash",
     "supportedGenerationMethods": ["generateContent", "countTokens", "createCachedContent"]},
    {"name": "models/gemini-embedding-001", "displayName": "Gemini Embedding 001",
     "supportedGenerationMethods": ["embedContent", "countTextTokens"]},
    {"name": "models/imagen-4.0-generate-001", "displayName": "Imagen 4",
     "supportedGenerationMethods": ["predict"]},
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ApiConfig:
    project: str
    location: str
    video_size_bytes: int | None

    def vertex_model_resource(self, model_id: str) -> str:
        return f"projects/{self.project}/locations/{self.location}/publishers/google/models/{model_id}"


class SimApi:
    def __init__(
        self,
        *,
        catalogue: Catalogue,
        book: OperationBook,
        scripts: ScriptBook,
        stats: SimStats,
        config: ApiConfig,
    ) -> None:
        self._catalogue = catalogue
        self._book = book
        self._scripts = scripts
        self._stats = stats
        self._config = config

    # --- start (both dialects) ---
    def start(self, dialect: Dialect, model_id: str, raw_body: bytes) -> Reply:
        vertex = dialect == "vertex"
        resource = self._config.vertex_model_resource(model_id) if vertex else f"models/{model_id}"
        model = find_model(self._catalogue, dialect, model_id, resource)
        request, _ = parse_start(dialect, model, raw_body, self._catalogue.prompt_max_chars)
        op = self._book.admit(request, lambda: self._scripts.take_outcomes(request.prompt))
        return json_reply({"name": op.name})

    # --- polls ---
    def vertex_poll(self, resource: str, raw_body: bytes) -> Reply:
        try:
            body = json.loads(raw_body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise errors.invalid("Invalid JSON payload received. Unexpected token.") from None
        name = body.get("operationName") if isinstance(body, dict) else None
        if not isinstance(name, str) or not name:
            raise errors.invalid("`operationName` is required.")
        if not name.startswith(resource + "/operations/"):
            raise errors.invalid(f"`operationName` {name!r} does not belong to {resource!r}.")
        return self._poll(name, "vertex")

    def gemini_poll(self, model_id: str, op_id: str) -> Reply:
        return self._poll(f"models/{model_id}/operations/{op_id}", "gemini")

    def _poll(self, name: str, dialect: Dialect) -> Reply:
        op = self._book.lookup(name)
        if op is None or op.dialect != dialect:
            raise errors.not_found(f"Operation {name} not found (it may have expired).")
        self._stats.count("polls")
        if not op.is_done(self._book.now_s()):
            return json_reply({"name": op.name})
        reply = self._finished(op)
        self._book.observe_done(op)
        return reply

    def _finished(self, op: SimOperation) -> Reply:
        result = op.plan.result
        if isinstance(result, a.OperationError):
            error = {"code": result.code, "message": result.message, "details": []}
            return json_reply({"name": op.name, "done": True, "error": error})
        if op.dialect == "gemini":
            return json_reply({"name": op.name, "done": True, "response": self._gemini_response(op)})
        if isinstance(result, a.Filter | a.NoVideo) or op.storage_uri:
            return json_reply({"name": op.name, "done": True, "response": self._vertex_response(op)})
        return _inline_videos_reply(op, Video.make(op.aspect_ratio, self._config.video_size_bytes))

    def _vertex_response(self, op: SimOperation) -> dict[str, Any]:
        response: dict[str, Any] = {"@type": VERTEX_RESPONSE_TYPE, "raiMediaFilteredCount": 0}
        result = op.plan.result
        if isinstance(result, a.Filter):
            response["raiMediaFilteredCount"] = op.sample_count
            response["raiMediaFilteredReasons"] = list(result.reasons)
        elif result is None and op.storage_uri:
            base = f"{op.storage_uri.rstrip('/')}/{op.id}"
            response["videos"] = [
                {"gcsUri": f"{base}/sample_{i}.mp4", "mimeType": "video/mp4"} for i in range(op.sample_count)
            ]
        return response

    def _gemini_response(self, op: SimOperation) -> dict[str, Any]:
        result = op.plan.result
        inner: dict[str, Any] = {}
        if isinstance(result, a.Filter):
            inner = {
                "raiMediaFilteredCount": op.sample_count,
                "raiMediaFilteredReasons": list(result.reasons),
            }
        elif result is None:
            samples = [{"video": {"uri": f"{GOOGLE_FILES_BASE}/{fid}:download?alt=media"}} for fid in op.file_ids]
            inner = {"generatedSamples": samples}
        return {"@type": GEMINI_RESPONSE_TYPE, "generateVideoResponse": inner}

    # --- Gemini download and model list ---
    def download(self, file_id: str, query: dict[str, list[str]], range_header: str | None) -> Reply:
        if query.get("alt") != ["media"]:
            raise errors.invalid("Use `alt=media` to download the file's content.")
        entry = self._book.lookup_file(file_id)
        if entry is None:
            raise errors.not_found(f"File files/{file_id} not found (files are kept for 2 days).")
        video = Video.make(entry[0].aspect_ratio, self._config.video_size_bytes)
        reply = _media_reply(video, range_header)
        if reply.status in (200, 206):
            self._stats.count("downloads")
        return reply

    def list_models(self, query: dict[str, list[str]]) -> Reply:
        entries = [
            _model_entry(m.id, m.display_name) for m in self._catalogue.for_provider("gemini", include_retired=False)
        ]
        entries[1:1] = _OTHER_MODELS  # interleave, so a client that keeps page 1 only misses Veo models
        page_size = _int_param(query, "pageSize", DEFAULT_PAGE_SIZE)
        offset = _decode_page_token(query.get("pageToken", [""])[0])
        page: dict[str, Any] = {"models": entries[offset : offset + page_size]}
        if offset + page_size < len(entries):
            page["nextPageToken"] = base64.urlsafe_b64encode(f"offset:{offset + page_size}".encode()).decode()
        return json_reply(page)


def _model_entry(model_id: str, display_name: str) -> dict[str, Any]:
    return {
        "name": f"models/{model_id}",
        "version": model_id.split("-")[1] if "-" in model_id else "1",
        "displayName": display_name,
        "description": f"{display_name}: video generation with audio.",
        "inputTokenLimit": 1024,
        "outputTokenLimit": 1,
        "supportedGenerationMethods": ["predictLongRunning"],
    }


def _int_param(query: dict[str, list[str]], name: str, default: int) -> int:
    raw = query.get(name, [""])[0]
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise errors.invalid(f"Invalid value for `{name}`: {raw!r}.")
    return min(int(raw), 1000)


def _decode_page_token(token: str) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        if text.startswith("offset:"):
            return int(text.removeprefix("offset:"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        pass
    raise errors.invalid("Invalid page token: use the nextPageToken of the previous answer.")


def _inline_videos_reply(op: SimOperation, video: Video) -> Reply:
    """The finished Vertex answer with `sample_count` base64 videos, written in pieces (never whole)."""
    head = (
        '{"name":' + json.dumps(op.name) + ',"done":true,"response":{"@type":"' + VERTEX_RESPONSE_TYPE + '",'
        '"raiMediaFilteredCount":0,"videos":['
    ).encode()
    open_video, close_video, tail = b'{"bytesBase64Encoded":"', b'","mimeType":"video/mp4"}', b"]}}"
    count = op.sample_count
    length = len(head) + len(tail) + (count - 1) + count * (len(open_video) + video.base64_length() + len(close_video))

    def chunks() -> Iterator[bytes]:
        yield head
        for index in range(count):
            yield (b"," if index else b"") + open_video
            yield from video.iter_base64()
            yield close_video
        yield tail

    return Reply(200, Body(length, "application/json; charset=UTF-8", chunks))


def _media_reply(video: Video, range_header: str | None) -> Reply:
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
