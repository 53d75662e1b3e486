"""VertexExpressProvider against httpx.MockTransport: every answer shape and error of veo-api.md."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.client.helpers import (
    BASE,
    CANARY,
    MP4,
    VERTEX_OP,
    FakeGoogle,
    error,
    html,
    key_invalid_detail,
    names_in,
    retry_info,
    vertex_done,
)
from veo_desktop.client.base import FrameData, StartSpec, VideoRef
from veo_desktop.client.vertex import VertexExpressProvider
from veo_desktop.core.errors import (
    AuthError,
    NotAcceptedError,
    NotFoundError,
    NotSentError,
    PermanentError,
    ProtocolError,
    QuotaError,
    StartOutcomeUnknown,
    TransientError,
)

MODEL = "veo-3.1-fast-generate-001"
START = f"/v1beta1/publishers/google/models/{MODEL}:predictLongRunning"
FETCH = (
    "/v1beta1/projects/123/locations/global/publishers/google/models/veo-3.1-fast-generate-001:fetchPredictOperation"
)
SPEC = StartSpec(model_id=MODEL, prompt="A lighthouse at dawn", aspect_ratio="16:9", duration_s=8, resolution="720p")


def started() -> httpx.Response:
    return httpx.Response(200, json={"name": VERTEX_OP})


async def test_start_sends_the_documented_body(api: FakeGoogle, vertex: VertexExpressProvider) -> None:
    api.on("POST", START, started())
    assert await vertex.start(SPEC) == VERTEX_OP
    (request,) = api.requests
    assert request.headers["x-goog-api-key"] == CANARY
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "instances": [{"prompt": "A lighthouse at dawn"}],
        "parameters": {
            "aspectRatio": "16:9",
            "durationSeconds": 8,
            "resolution": "720p",
            "sampleCount": 1,
            "generateAudio": True,
            "enhancePrompt": True,
            "personGeneration": "allow_adult",
            "compressionQuality": "optimized",
        },
    }


async def test_start_with_frames_negative_prompt_and_samples(
    api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path
) -> None:
    first, last = tmp_path / "a.png", tmp_path / "b.jpg"
    first.write_bytes(b"\x89PNG first")
    last.write_bytes(b"\xff\xd8 last")
    api.on("POST", START, started())
    spec = StartSpec(
        model_id=MODEL,
        prompt="p",
        aspect_ratio="9:16",
        duration_s=6,
        resolution="1080p",
        negative_prompt="blurry",
        start_frame=FrameData(first, "image/png"),
        end_frame=FrameData(last, "image/jpeg"),
        sample_count=3,
    )
    await vertex.start(spec)
    body = json.loads(api.requests[0].content)
    assert body["instances"][0]["image"] == {"bytesBase64Encoded": "iVBORyBmaXJzdA==", "mimeType": "image/png"}
    assert body["instances"][0]["lastFrame"] == {"bytesBase64Encoded": "/9ggbGFzdA==", "mimeType": "image/jpeg"}
    assert body["parameters"] == {
        "aspectRatio": "9:16",
        "durationSeconds": 6,
        "resolution": "1080p",
        "negativePrompt": "blurry",
        "sampleCount": 3,
        "generateAudio": True,
        "enhancePrompt": True,
        "personGeneration": "allow_adult",
        "compressionQuality": "optimized",
        "resizeMode": "pad",
    }


async def test_unreadable_frame_is_permanent_and_nothing_is_sent(
    api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path
) -> None:
    spec = StartSpec(MODEL, "p", "16:9", 8, "720p", start_frame=FrameData(tmp_path / "gone.png", "image/png"))
    with pytest.raises(PermanentError, match="start frame could not be read"):
        await vertex.start(spec)
    assert api.requests == []


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (httpx.Response(200, text="<html>hello</html>"), StartOutcomeUnknown),
        (httpx.Response(200, json={"metadata": {}}), StartOutcomeUnknown),
        (httpx.Response(200, json={"name": "../../evil?x=1"}), StartOutcomeUnknown),
        (httpx.Response(200, json=["not", "an", "object"]), StartOutcomeUnknown),
        (httpx.ReadTimeout("read timed out"), StartOutcomeUnknown),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), StartOutcomeUnknown),
        (httpx.ReadError("connection reset"), StartOutcomeUnknown),
        (httpx.WriteError("broken pipe"), StartOutcomeUnknown),
        (httpx.ConnectError("connection refused"), NotSentError),
        (httpx.ConnectTimeout("connect timed out"), NotSentError),
        (httpx.PoolTimeout("pool"), NotSentError),
        (error(429, "RESOURCE_EXHAUSTED", "Quota exceeded", [retry_info("22s")]), QuotaError),
        (error(500, "INTERNAL", "internal"), StartOutcomeUnknown),
        (error(502, "BAD_GATEWAY", "bad gateway"), StartOutcomeUnknown),
        (error(504, "DEADLINE_EXCEEDED", "deadline"), StartOutcomeUnknown),
        (error(503, "UNAVAILABLE", "unavailable"), NotAcceptedError),
        (html(503), StartOutcomeUnknown),
        (html(502), StartOutcomeUnknown),
        (error(400, "INVALID_ARGUMENT", "durationSeconds out of bound"), PermanentError),
        (error(400, "INVALID_ARGUMENT", "API key not valid.", [key_invalid_detail()]), AuthError),
        (error(403, "PERMISSION_DENIED", "SERVICE_DISABLED"), AuthError),
        (error(404, "NOT_FOUND", "model not found"), NotFoundError),
        (html(404), StartOutcomeUnknown),
        (html(400), StartOutcomeUnknown),
        (httpx.Response(200, content=b'{"name": "projects/1/loc'), StartOutcomeUnknown),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception | type) else None,
)
async def test_start_errors(
    api: FakeGoogle, vertex: VertexExpressProvider, reply: httpx.Response | Exception, expected: type[Exception]
) -> None:
    api.on("POST", START, reply)
    with pytest.raises(expected) as info:
        await vertex.start(SPEC)
    assert type(info.value) is expected
    if isinstance(info.value, QuotaError):
        assert info.value.retry_after_s == 22.0


async def test_poll_running(api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path) -> None:
    api.on("POST", FETCH, httpx.Response(200, json={"name": VERTEX_OP}))
    status = await vertex.poll(VERTEX_OP, staging_dir=tmp_path)
    assert (status.name, status.done, status.videos) == (VERTEX_OP, False, ())
    assert json.loads(api.requests[0].content) == {"operationName": VERTEX_OP}
    assert names_in(tmp_path) == []


async def test_poll_done_with_inline_videos_and_download(
    api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path
) -> None:
    staging, out = tmp_path / "staging", tmp_path / "out"
    staging.mkdir()
    out.mkdir()
    big = MP4 + bytes(range(256)) * 12_000  # ~3 MB of video: many chunks
    api.on("POST", FETCH, vertex_done(big, MP4))
    status = await vertex.poll(VERTEX_OP, staging_dir=staging)
    assert status.done and status.succeeded and status.error_code is None
    assert len(status.videos) == 2
    paths = [v.staged_path for v in status.videos]
    assert all(p is not None and p.parent == staging and p.name.endswith(".mp4.part") for p in paths)
    assert sorted(p.name for p in staging.iterdir()) == sorted(p.name for p in paths if p)  # no poll body left
    written = await vertex.download(status.videos[0], out / "a.mp4.part")
    assert written == len(big)
    data = (out / "a.mp4.part").read_bytes()
    assert data == big and data[4:8] == b"ftyp"
    assert not paths[0].exists()  # type: ignore[union-attr]


async def test_poll_filtered(api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path) -> None:
    reason = "Veo could not generate 1 videos based on the prompt provided. Support codes: 42237218"
    api.on("POST", FETCH, vertex_done(raiMediaFilteredCount=1, raiMediaFilteredReasons=[reason]))
    status = await vertex.poll(VERTEX_OP, staging_dir=tmp_path)
    assert status.done and not status.succeeded
    assert (status.filtered_count, status.filter_reasons, status.videos) == (1, (reason,), ())


async def test_poll_partially_filtered(api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path) -> None:
    api.on("POST", FETCH, vertex_done(MP4, raiMediaFilteredCount="1", raiMediaFilteredReasons=["r"]))
    status = await vertex.poll(VERTEX_OP, staging_dir=tmp_path)
    assert status.succeeded and status.filtered_count == 1 and len(status.videos) == 1


async def test_poll_operation_error(api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path) -> None:
    body = {"name": VERTEX_OP, "done": True, "error": {"code": 3, "message": f"blocked {CANARY}"}}
    api.on("POST", FETCH, httpx.Response(200, json=body))
    status = await vertex.poll(VERTEX_OP, staging_dir=tmp_path)
    assert status.done and status.error_code == 3 and not status.succeeded
    assert status.error_message == "blocked ***"


async def test_poll_done_without_anything(api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path) -> None:
    api.on("POST", FETCH, httpx.Response(200, json={"name": VERTEX_OP, "done": True}))
    status = await vertex.poll(VERTEX_OP, staging_dir=tmp_path)
    assert status.done and status.videos == () and status.error_code is None and status.filtered_count == 0


async def test_poll_gcs_uri(api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path) -> None:
    videos = [{"gcsUri": "gs://bucket/x/sample_0.mp4", "mimeType": "video/mp4"}]
    api.on("POST", FETCH, httpx.Response(200, json={"name": VERTEX_OP, "done": True, "response": {"videos": videos}}))
    status = await vertex.poll(VERTEX_OP, staging_dir=tmp_path)
    assert status.videos == (VideoRef(gcs_uri="gs://bucket/x/sample_0.mp4"),)
    with pytest.raises(PermanentError, match="Cloud Storage"):
        await vertex.download(status.videos[0], tmp_path / "x.part")


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (httpx.Response(200, text="<html>Sign in</html>"), ProtocolError),
        (httpx.Response(200, content=b'{"name": "op", "done": true, "response": {"videos": [{"bytesBa'), ProtocolError),
        (
            httpx.Response(200, content=b'{"done": true, "response": {"videos": [{"bytesBase64Encoded": "QU*D"}]}}'),
            ProtocolError,
        ),
        (error(404, "NOT_FOUND", "operation not found"), NotFoundError),
        (error(429, "RESOURCE_EXHAUSTED", "slow down"), QuotaError),
        (html(503), TransientError),
        (httpx.ReadTimeout("timed out"), TransientError),
        (httpx.RemoteProtocolError("peer closed"), TransientError),
        (httpx.ConnectError("refused"), NotSentError),
    ],
)
async def test_poll_errors(
    api: FakeGoogle,
    vertex: VertexExpressProvider,
    tmp_path: Path,
    reply: httpx.Response | Exception,
    expected: type[Exception],
) -> None:
    api.on("POST", FETCH, reply)
    with pytest.raises(expected) as info:
        await vertex.poll(VERTEX_OP, staging_dir=tmp_path)
    assert type(info.value) is expected
    assert names_in(tmp_path) == []  # no poll body, no half-decoded video left behind


@pytest.mark.parametrize(
    "name",
    ["", "no-operations-here", "projects/1/../operations/x", "a/operations/b?x=1", "http://127.0.0.2/operations/x"],
)
async def test_poll_refuses_bad_operation_names(
    api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path, name: str
) -> None:
    with pytest.raises(PermanentError):
        await vertex.poll(name, staging_dir=tmp_path)
    assert api.requests == []


async def test_download_of_a_vanished_staged_file(vertex: VertexExpressProvider, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        await vertex.download(VideoRef(staged_path=tmp_path / "gone.mp4.part"), tmp_path / "dest.part")


async def test_v1_api_version(http: httpx.AsyncClient, api: FakeGoogle) -> None:
    provider = VertexExpressProvider(http, base_url=BASE + "/", api_key=lambda: CANARY, api_version="v1")
    api.on("POST", START.replace("v1beta1", "v1"), started())
    assert await provider.start(SPEC) == VERTEX_OP
    with pytest.raises(ValueError, match="version"):
        VertexExpressProvider(http, base_url=BASE, api_key=lambda: CANARY, api_version="v2")


async def test_list_models(api: FakeGoogle, vertex: VertexExpressProvider) -> None:
    page1 = {
        "publisherModels": [
            {"name": "publishers/google/models/veo-3.1-generate-001"},
            {"name": "publishers/google/models/gemini-2.5-pro"},
        ],
        "nextPageToken": "t2",
    }
    page2 = {
        "publisherModels": [
            {"name": "publishers/google/models/veo-3.1-lite-generate-001", "displayName": "Veo 3.1 Lite"}
        ]
    }
    api.on("GET", "/v1beta1/publishers/google/models", httpx.Response(200, json=page1), httpx.Response(200, json=page2))
    models = await vertex.list_models()
    assert [(m.id, m.display_name) for m in models] == [
        ("veo-3.1-generate-001", "veo-3.1-generate-001"),
        ("veo-3.1-lite-generate-001", "Veo 3.1 Lite"),
    ]
    assert api.requests[1].url.params["pageToken"] == "t2"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (error(404, "NOT_FOUND", "nope"), PermanentError),
        (html(200), PermanentError),
        (httpx.Response(200, json={"other": 1}), PermanentError),
        (error(401, "UNAUTHENTICATED", "bad key"), AuthError),
        (error(503, "UNAVAILABLE", "later"), TransientError),
    ],
)
async def test_list_models_unavailable(
    api: FakeGoogle, vertex: VertexExpressProvider, reply: httpx.Response, expected: type[Exception]
) -> None:
    api.on("GET", "/v1beta1/publishers/google/models", reply)
    with pytest.raises(expected) as info:
        await vertex.list_models()
    assert type(info.value) is expected
