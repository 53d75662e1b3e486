"""Request helpers shared by the simulator tests (plain httpx, as a client would speak each API)."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import httpx

from veo_desktop.simulator import Simulator

KEY = "sim-key"
VERTEX_MODEL = "veo-3.1-fast-generate-001"
OMNI_MODEL = "gemini-omni-1.1-flash"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 32


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def client(base_url: str, **headers: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"x-goog-api-key": KEY, **headers}, trust_env=False, timeout=10)


def vertex_body(prompt: str = "a lighthouse at dawn", **params: Any) -> dict[str, Any]:
    return {"instances": [{"prompt": prompt}], "parameters": {"aspectRatio": "16:9", "durationSeconds": 4, **params}}


def vertex_start(http: httpx.Client, body: dict[str, Any], model: str = VERTEX_MODEL, version: str = "v1beta1",
                 project: str | None = None, location: str = "us-central1") -> httpx.Response:  # fmt: skip
    prefix = f"projects/{project}/locations/{location}/" if project else ""
    return http.post(f"/{version}/{prefix}publishers/google/models/{model}:predictLongRunning", json=body)


def vertex_poll(http: httpx.Client, name: str, version: str = "v1beta1") -> httpx.Response:
    resource = name.rpartition("/operations/")[0]
    return http.post(f"/{version}/{resource}:fetchPredictOperation", json={"operationName": name})


def projectless_poll(http: httpx.Client, name: str) -> httpx.Response:
    model = name.split("/models/")[1].split("/")[0]
    return http.post(f"/v1beta1/publishers/google/models/{model}:fetchPredictOperation", json={"operationName": name})


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


def videos_of(done: dict[str, Any]) -> list[bytes]:
    return [base64.b64decode(v["bytesBase64Encoded"]) for v in done["response"].get("videos", [])]


def omni_body(prompt: str = "a marble on a track", **fmt: Any) -> dict[str, Any]:
    video = {"type": "video", "aspect_ratio": "16:9", "resolution": "720p", "duration": "4s", **fmt}
    return {"model": OMNI_MODEL, "background": True, "input": prompt, "response_format": video}


def omni_create(http: httpx.Client, body: dict[str, Any], version: str = "v1beta") -> httpx.Response:
    return http.post(f"/{version}/interactions", json=body)


def omni_wait(http: httpx.Client, interaction_id: str, timeout_s: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = http.get(f"/v1beta/interactions/{interaction_id}")
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        if data["status"] not in ("in_progress", "queued"):
            return data
        time.sleep(0.03)
    raise AssertionError("the interaction did not finish in time")


def video_block(interaction: dict[str, Any]) -> dict[str, Any]:
    step = interaction["steps"][-1]
    assert step["type"] == "model_output"
    block: dict[str, Any] = step["content"][0]
    return block


def file_path(uri: str) -> str:
    """Rebuild a Gemini file URI on the simulator's base, as clients must (the URI names Google's host)."""
    prefix = "https://generativelanguage.googleapis.com"
    assert uri.startswith(prefix + "/v1beta/files/"), uri
    return uri.removeprefix(prefix).split("?")[0]


def bearer(sim: Simulator) -> str:
    """A token from the simulator's own endpoint, through google-auth and a service-account key it made."""
    from google.auth.transport.requests import Request
    from google.oauth2 import service_account

    creds = service_account.Credentials.from_service_account_info(
        sim.service_account_info(), scopes=["https://www.googleapis.com/auth/cloud-platform"]
    )
    creds.refresh(Request())
    return str(creds.token)
