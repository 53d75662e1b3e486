"""A scripted fake of Google's two Veo dialects for httpx.MockTransport, checking key hygiene on every request."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from veo_desktop.client.http import Origin

CANARY = "AIzaCANARY" + "0123456789abcdefghijABCDEFGHIJ_"  # 41 characters, shaped like a Google key
BASE = "http://127.0.0.1:8617"
OTHER_HOST = "http://127.0.0.2:8617"
GOOGLE_FILE_URI = "https://generativelanguage.googleapis.com/v1beta/files/{id}:download?alt=media"
VERTEX_OP = "projects/123/locations/global/publishers/google/models/veo-3.1-fast-generate-001/operations/op1"
GEMINI_OP = "models/veo-3.1-generate-preview/operations/abc123xyz"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 40


def names_in(directory: Path) -> list[str]:
    """The sorted file names in a directory (a plain function, so async tests need no blocking Path calls)."""
    return sorted(p.name for p in directory.iterdir())


Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeGoogle:
    """Routes (method, path) to scripted replies (the last one repeats) and records every request."""

    base: str = BASE
    key: str = CANARY
    routes: dict[tuple[str, str], list[Reply]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def on(self, method: str, path: str, *replies: Reply) -> None:
        self.routes[(method, path)] = list(replies)

    def keyed_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if "x-goog-api-key" in r.headers]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self._check_key_hygiene(request)
        replies = self.routes.get((request.method, request.url.path))
        if not replies:
            return error(404, "NOT_FOUND", f"no route for {request.method} {request.url.path}")
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        if isinstance(reply, Exception):
            raise reply
        if callable(reply):
            return reply(request)
        return reply

    def _check_key_hygiene(self, request: httpx.Request) -> None:
        assert self.key not in str(request.url), "the key appeared in a URL"
        assert self.key.encode() not in request.content, "the key appeared in a body"
        sent = [v for k, v in request.headers.multi_items() if self.key in v]
        if sent:
            assert request.headers.get("x-goog-api-key") == self.key and len(sent) == 1
            assert Origin.of(request.url) == Origin.of(httpx.URL(self.base)), "the key went to another host"


def error(status: int, rpc_status: str, message: str, details: list[dict[str, Any]] | None = None) -> httpx.Response:
    body = {"error": {"code": status, "message": message, "status": rpc_status, "details": details or []}}
    return httpx.Response(status, json=body)


def html(status: int) -> httpx.Response:
    return httpx.Response(status, text="<html><body>Error</body></html>", headers={"content-type": "text/html"})


def retry_info(delay: str) -> dict[str, Any]:
    return {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}


def key_invalid_detail() -> dict[str, Any]:
    return {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "API_KEY_INVALID",
        "domain": "googleapis.com",
    }


def vertex_done(*videos: bytes, escape_slashes: bool = True, **response: Any) -> httpx.Response:
    """A finished fetchPredictOperation answer with inline videos, as Google's JSON encoders write it."""
    entries = [{"bytesBase64Encoded": f"@@{i}@@", "mimeType": "video/mp4"} for i, _ in enumerate(videos)]
    body: dict[str, Any] = {
        "name": VERTEX_OP,
        "done": True,
        "response": {
            "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
            "raiMediaFilteredCount": 0,
            **response,
        },
    }
    if videos:
        body["response"]["videos"] = entries
    text = json.dumps(body)
    for i, video in enumerate(videos):
        encoded = base64.b64encode(video).decode()
        if escape_slashes:
            encoded = encoded.replace("/", "\\/")
        text = text.replace(f'"@@{i}@@"', f'"{encoded}"')
    return httpx.Response(200, content=text.encode(), headers={"content-type": "application/json"})


def gemini_done(*file_ids: str) -> httpx.Response:
    samples = [{"video": {"uri": GOOGLE_FILE_URI.format(id=i)}} for i in file_ids]
    return httpx.Response(
        200,
        json={
            "name": GEMINI_OP,
            "done": True,
            "response": {
                "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
                "generateVideoResponse": {"generatedSamples": samples},
            },
        },
    )
