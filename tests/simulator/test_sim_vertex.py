"""Vertex AI express dialect: start, fetchPredictOperation with inline base64 videos."""

from __future__ import annotations

import base64
import re

import httpx
from sim_helpers import VERTEX_MODEL, vertex_body, vertex_poll, vertex_start, wait_done

from veo_desktop.simulator import Simulator
from veo_desktop.simulator.media import clip_bytes

_NAME = re.compile(
    r"^projects/123/locations/global/publishers/google/models/veo-3\.1-fast-generate-001/operations/[0-9a-f-]{36}$"
)


def test_happy_path_returns_inline_mp4(sim: Simulator, http: httpx.Client) -> None:
    response = vertex_start(http, vertex_body())
    assert response.status_code == 200, response.text
    name = response.json()["name"]
    assert _NAME.match(name)

    running = vertex_poll(http, name).json()
    assert running == {"name": name}  # no `done` while running, no progress field

    done = wait_done(lambda: vertex_poll(http, name))
    assert done["name"] == name
    result = done["response"]
    assert result["@type"] == "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse"
    assert result["raiMediaFilteredCount"] == 0
    [video] = result["videos"]
    assert video["mimeType"] == "video/mp4"
    data = base64.b64decode(video["bytesBase64Encoded"])
    assert data[4:8] == b"ftyp"
    assert data == clip_bytes("16:9")
    assert sim.stats.accepted_starts == 1
    assert sim.stats.polls >= 2


def test_sample_count_and_portrait_clip(http: httpx.Client) -> None:
    body = vertex_body(sampleCount=3, aspectRatio="9:16")
    name = vertex_start(http, body).json()["name"]
    videos = wait_done(lambda: vertex_poll(http, name))["response"]["videos"]
    assert len(videos) == 3
    assert all(base64.b64decode(v["bytesBase64Encoded"]) == clip_bytes("9:16") for v in videos)


def test_v1_path_and_project_from_constructor(make_sim) -> None:  # type: ignore[no-untyped-def]
    sim = make_sim(project="777", location="us-central1")
    with httpx.Client(base_url=sim.base_url, headers={"x-goog-api-key": "sim-key"}, trust_env=False) as http:
        response = http.post(f"/v1/publishers/google/models/{VERTEX_MODEL}:predictLongRunning", json=vertex_body())
        name = response.json()["name"]
        assert name.startswith(f"projects/777/locations/us-central1/publishers/google/models/{VERTEX_MODEL}/")
        resource = name.rpartition("/operations/")[0]
        poll = http.post(f"/v1/{resource}:fetchPredictOperation", json={"operationName": name})
        assert poll.status_code == 200


def test_plain_get_of_operation_is_404(http: httpx.Client) -> None:
    name = vertex_start(http, vertex_body()).json()["name"]
    response = http.get(f"/v1beta1/{name}")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == "NOT_FOUND"


def test_poll_errors(http: httpx.Client) -> None:
    name = vertex_start(http, vertex_body()).json()["name"]
    unknown = name.rpartition("/")[0] + "/00000000-0000-4000-8000-000000000000"
    assert vertex_poll(http, unknown).status_code == 404
    other = "projects/123/locations/global/publishers/google/models/veo-3.1-generate-001:fetchPredictOperation"
    mismatch = http.post(f"/v1beta1/{other}", json={"operationName": name})
    assert mismatch.status_code == 400
    resource = name.rpartition("/operations/")[0]
    missing = http.post(f"/v1beta1/{resource}:fetchPredictOperation", json={})
    assert missing.status_code == 400


def test_storage_uri_answers_gcs_uris(http: httpx.Client) -> None:
    name = vertex_start(http, vertex_body(storageUri="gs://bucket/out/", sampleCount=2)).json()["name"]
    videos = wait_done(lambda: vertex_poll(http, name))["response"]["videos"]
    op_id = name.rpartition("/")[2]
    assert videos == [{"gcsUri": f"gs://bucket/out/{op_id}/sample_{i}.mp4", "mimeType": "video/mp4"} for i in range(2)]


def test_padded_inline_video_is_streamed_and_valid(make_sim) -> None:  # type: ignore[no-untyped-def]
    size_bytes = 3 * 1024 * 1024 + 7
    sim = make_sim(video_size_bytes=size_bytes)
    with httpx.Client(base_url=sim.base_url, headers={"x-goog-api-key": "sim-key"}, trust_env=False) as http:
        name = vertex_start(http, vertex_body(sampleCount=2)).json()["name"]
        videos = wait_done(lambda: vertex_poll(http, name))["response"]["videos"]
    clip = clip_bytes("16:9")
    for video in videos:
        data = base64.b64decode(video["bytesBase64Encoded"])
        assert len(data) == size_bytes
        assert data[: len(clip)] == clip
        assert data[len(clip) : len(clip) + 8] == (size_bytes - len(clip)).to_bytes(4, "big") + b"free"
