"""Request helpers shared by the simulator tests (plain httpx, as a client would speak each dialect)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

KEY = "sim-key"
VERTEX_MODEL = "veo-3.1-fast-generate-001"
GEMINI_MODEL = "veo-3.1-fast-generate-preview"


def vertex_body(prompt: str = "a lighthouse at dawn", **params: Any) -> dict[str, Any]:
    return {"instances": [{"prompt": prompt}], "parameters": {"aspectRatio": "16:9", "durationSeconds": 4, **params}}


def vertex_start(http: httpx.Client, body: dict[str, Any], model: str = VERTEX_MODEL) -> httpx.Response:
    return http.post(f"/v1beta1/publishers/google/models/{model}:predictLongRunning", json=body)


def vertex_poll(http: httpx.Client, name: str) -> httpx.Response:
    resource = name.rpartition("/operations/")[0]
    return http.post(f"/v1beta1/{resource}:fetchPredictOperation", json={"operationName": name})


def gemini_start(http: httpx.Client, body: dict[str, Any], model: str = GEMINI_MODEL) -> httpx.Response:
    return http.post(f"/v1beta/models/{model}:predictLongRunning", json=body)


def gemini_poll(http: httpx.Client, name: str) -> httpx.Response:
    return http.get(f"/v1beta/{name}")


def wait_done(poll: Callable[[], httpx.Response], timeout_s: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = poll()
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        if data.get("done"):
            return data
        time.sleep(0.03)
    raise AssertionError("the operation did not finish in time")


def file_path(uri: str) -> str:
    """Rebuild a Gemini file URI on the simulator's base, as clients must (the URI names Google's host)."""
    prefix = "https://generativelanguage.googleapis.com"
    assert uri.startswith(prefix + "/v1beta/files/"), uri
    return uri.removeprefix(prefix)
