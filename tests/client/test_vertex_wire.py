"""Vertex AI express: the exact wire fields of issue 12 (veo-api.md §3.3), image conversion, the projectless
poll, express-mode refusals, rewritten prompts and the model check."""

from __future__ import annotations

import base64
import io
import json
import random
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.client.helpers import MP4, VERTEX_OP, FakeGoogle, error, vertex_done
from veo_desktop.client.base import FrameData, StartSpec
from veo_desktop.client.vertex import VertexExpressProvider
from veo_desktop.core.errors import (
    AuthError,
    ExpressModeRefused,
    NotFoundError,
    PermanentError,
    QuotaError,
)

MODEL = "veo-3.1-generate-001"
START = f"/v1beta1/publishers/google/models/{MODEL}:predictLongRunning"
OP_MODEL = "veo-3.1-fast-generate-001"
FETCH = f"/v1beta1/projects/123/locations/global/publishers/google/models/{OP_MODEL}:fetchPredictOperation"
PROJECTLESS = f"/v1beta1/publishers/google/models/{OP_MODEL}:fetchPredictOperation"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
PROJECT_INVALID = {"@type": ERROR_INFO, "reason": "RESOURCE_PROJECT_INVALID", "domain": "googleapis.com"}
CREDENTIALS_MISSING = {"@type": ERROR_INFO, "reason": "CREDENTIALS_MISSING", "domain": "googleapis.com"}


def started() -> httpx.Response:
    return httpx.Response(200, json={"name": VERTEX_OP})


def image_file(path: Path, fmt: str, size: tuple[int, int] = (8, 6), mode: str = "RGB") -> Path:
    Image.new(mode, size, (200, 10, 10) if mode == "RGB" else (200, 10, 10, 128)).save(path, format=fmt)
    return path


def sent(api: FakeGoogle) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(api.requests[-1].content)
    return body


async def test_every_parameter_is_explicit(api: FakeGoogle, vertex: VertexExpressProvider) -> None:
    api.on("POST", START, started())
    spec = StartSpec(
        MODEL,
        "A lighthouse at dawn, slow dolly in",
        "16:9",
        8,
        "1080p",
        negative_prompt="text overlays",
        sample_count=2,
        generate_audio=False,
        enhance_prompt=False,
        seed=1234567,
        person_generation="allow_adult",
        compression_quality="lossless",
    )
    await vertex.start(spec)
    assert sent(api) == {
        "instances": [{"prompt": "A lighthouse at dawn, slow dolly in"}],
        "parameters": {
            "aspectRatio": "16:9",
            "durationSeconds": 8,
            "resolution": "1080p",
            "sampleCount": 2,
            "generateAudio": False,
            "enhancePrompt": False,
            "seed": 1234567,
            "personGeneration": "allow_adult",
            "negativePrompt": "text overlays",
            "compressionQuality": "lossless",
        },
    }
    raw = api.requests[-1].content
    for never in (b"storageUri", b"resizeMode", b"gcsUri", b"inlineData", b"fps", b"pubsubTopic", b"task"):
        assert never not in raw


@pytest.mark.parametrize("seed", [0, 4294967295])
async def test_seed_edges_are_sent_as_numbers(api: FakeGoogle, vertex: VertexExpressProvider, seed: int) -> None:
    api.on("POST", START, started())
    await vertex.start(StartSpec(MODEL, "p", "9:16", 4, "720p", seed=seed))
    assert sent(api)["parameters"]["seed"] == seed


async def test_resize_mode_only_with_a_start_frame(
    api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path
) -> None:
    api.on("POST", START, started())
    await vertex.start(StartSpec(MODEL, "p", "16:9", 8, "720p", resize_mode="crop"))
    assert "resizeMode" not in sent(api)["parameters"]
    frame = FrameData(image_file(tmp_path / "a.png", "PNG"), "image/png")
    await vertex.start(StartSpec(MODEL, "p", "16:9", 8, "720p", start_frame=frame, resize_mode="crop"))
    assert sent(api)["parameters"]["resizeMode"] == "crop"


@pytest.mark.parametrize(
    ("fmt", "mime"), [("WEBP", "image/webp"), ("GIF", "image/gif"), ("BMP", "image/bmp"), ("TIFF", "image/tiff")]
)
async def test_other_formats_become_png(
    api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path, fmt: str, mime: str
) -> None:
    api.on("POST", START, started())
    path = image_file(tmp_path / f"frame.{fmt.lower()}", fmt)
    original = path.read_bytes()
    await vertex.start(StartSpec(MODEL, "p", "16:9", 8, "720p", start_frame=FrameData(path, mime)))
    image = sent(api)["instances"][0]["image"]
    assert image["mimeType"] == "image/png"
    data = base64.b64decode(image["bytesBase64Encoded"])
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(data)).size == (8, 6)
    assert path.read_bytes() == original  # the original stays as it was (the job's provenance)


async def test_png_and_jpeg_are_sent_as_they_are(
    api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path
) -> None:
    api.on("POST", START, started())
    first = image_file(tmp_path / "a.png", "PNG")
    last = image_file(tmp_path / "b.jpg", "JPEG")
    spec = StartSpec(
        MODEL,
        "p",
        "16:9",
        8,
        "720p",
        start_frame=FrameData(first, "image/png"),
        end_frame=FrameData(last, "image/jpeg"),
    )
    await vertex.start(spec)
    instance = sent(api)["instances"][0]
    assert base64.b64decode(instance["image"]["bytesBase64Encoded"]) == first.read_bytes()
    assert instance["lastFrame"] == {
        "bytesBase64Encoded": base64.b64encode(last.read_bytes()).decode(),
        "mimeType": "image/jpeg",
    }


async def test_a_webp_named_png_is_converted(api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path) -> None:
    api.on("POST", START, started())
    path = image_file(tmp_path / "lies.png", "WEBP")
    await vertex.start(StartSpec(MODEL, "p", "16:9", 8, "720p", start_frame=FrameData(path, "image/png")))
    image = sent(api)["instances"][0]["image"]
    assert base64.b64decode(image["bytesBase64Encoded"]).startswith(b"\x89PNG")


async def test_transparency_survives_conversion(api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path) -> None:
    api.on("POST", START, started())
    path = image_file(tmp_path / "a.webp", "WEBP", mode="RGBA")
    await vertex.start(StartSpec(MODEL, "p", "16:9", 8, "720p", start_frame=FrameData(path, "image/webp")))
    data = base64.b64decode(sent(api)["instances"][0]["image"]["bytesBase64Encoded"])
    assert Image.open(io.BytesIO(data)).mode == "RGBA"


async def test_unreadable_image_is_refused_before_sending(
    api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path
) -> None:
    path = tmp_path / "x.webp"
    path.write_bytes(b"RIFF\x00\x00\x00\x00WEBPgarbage")
    with pytest.raises(PermanentError, match="not an image"):
        await vertex.start(StartSpec(MODEL, "p", "16:9", 8, "720p", start_frame=FrameData(path, "image/webp")))
    assert api.requests == []


async def test_size_is_checked_after_conversion(
    api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from veo_desktop.client import images

    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", 200)
    path = tmp_path / "noise.bmp"
    Image.frombytes("RGB", (64, 64), random.Random(7).randbytes(64 * 64 * 3)).save(path, format="BMP")
    with pytest.raises(PermanentError, match="as sent"):
        await vertex.start(StartSpec(MODEL, "p", "16:9", 8, "720p", start_frame=FrameData(path, "image/bmp")))
    assert api.requests == []


async def test_reference_images(api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path) -> None:
    api.on("POST", START, started())
    refs = (
        FrameData(image_file(tmp_path / "r1.png", "PNG"), "image/png"),
        FrameData(image_file(tmp_path / "r2.webp", "WEBP"), "image/webp"),
    )
    await vertex.start(StartSpec(MODEL, "a cat", "16:9", 8, "720p", reference_images=refs))
    instance = sent(api)["instances"][0]
    assert set(instance) == {"prompt", "referenceImages"}
    assert [r["referenceType"] for r in instance["referenceImages"]] == ["asset", "asset"]
    assert [r["image"]["mimeType"] for r in instance["referenceImages"]] == ["image/png", "image/png"]
    assert "resizeMode" not in sent(api)["parameters"]


async def test_reference_images_exclude_frames(api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path) -> None:
    frame = FrameData(image_file(tmp_path / "a.png", "PNG"), "image/png")
    with pytest.raises(PermanentError, match="Reference images"):
        await vertex.start(StartSpec(MODEL, "p", "16:9", 8, "720p", start_frame=frame, reference_images=(frame,)))
    assert api.requests == []


async def test_extension_sends_the_video_and_no_duration(
    api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path
) -> None:
    api.on("POST", START, started())
    clip = tmp_path / "earlier.mp4"
    clip.write_bytes(MP4)
    await vertex.start(StartSpec(MODEL, "and then it rains", "16:9", 8, "720p", input_video=clip))
    body = sent(api)
    assert body["instances"][0]["video"] == {
        "bytesBase64Encoded": base64.b64encode(MP4).decode(),
        "mimeType": "video/mp4",
    }
    assert "durationSeconds" not in body["parameters"]
    assert body["parameters"]["generateAudio"] is True and body["parameters"]["enhancePrompt"] is True


async def test_extension_of_a_file_that_is_not_mp4(
    api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path
) -> None:
    clip = tmp_path / "x.mp4"
    clip.write_bytes(b"not a video at all")
    with pytest.raises(PermanentError, match="not an MP4"):
        await vertex.start(StartSpec(MODEL, "p", "16:9", 8, "720p", input_video=clip))
    assert api.requests == []


async def test_429_without_retry_info_leaves_the_backoff_to_the_dispatcher(
    api: FakeGoogle, vertex: VertexExpressProvider
) -> None:
    message = "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model"
    api.on("POST", START, error(429, "RESOURCE_EXHAUSTED", message))
    with pytest.raises(QuotaError) as info:
        await vertex.start(StartSpec(MODEL, "p", "16:9", 8, "720p"))
    assert info.value.retry_after_s is None


@pytest.mark.parametrize(
    "reply",
    [
        error(400, "INVALID_ARGUMENT", "Invalid resource field value in the request.", [PROJECT_INVALID]),
        error(401, "UNAUTHENTICATED", "API keys are not supported by this API.", [CREDENTIALS_MISSING]),
    ],
)
async def test_express_refusal_on_start(api: FakeGoogle, vertex: VertexExpressProvider, reply: httpx.Response) -> None:
    api.on("POST", START, reply)
    with pytest.raises(ExpressModeRefused) as info:
        await vertex.start(StartSpec(MODEL, "p", "16:9", 8, "720p"))
    assert isinstance(info.value, AuthError)
    assert "vertex-project" in str(info.value) and "express mode" in str(info.value)


@pytest.mark.parametrize(
    "refusal",
    [
        error(400, "INVALID_ARGUMENT", "Invalid resource field value in the request.", [PROJECT_INVALID]),
        error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."),
        error(404, "NOT_FOUND", "not found"),
    ],
)
async def test_projectless_poll_is_tried_once(
    api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path, refusal: httpx.Response
) -> None:
    api.on("POST", FETCH, refusal)
    api.on("POST", PROJECTLESS, vertex_done(MP4))
    status = await vertex.poll(VERTEX_OP, staging_dir=tmp_path)
    assert status.succeeded
    assert [r.url.path for r in api.requests] == [FETCH, PROJECTLESS]
    assert all(json.loads(r.content) == {"operationName": VERTEX_OP} for r in api.requests)
    await vertex.poll(VERTEX_OP, staging_dir=tmp_path)  # the form that answered goes first from now on
    assert api.requests[-1].url.path == PROJECTLESS and len(api.requests) == 3


async def test_projectless_poll_failing_too(api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path) -> None:
    api.on("POST", FETCH, error(404, "NOT_FOUND", "not found"))
    api.on("POST", PROJECTLESS, error(404, "NOT_FOUND", "not found"))
    with pytest.raises(NotFoundError):
        await vertex.poll(VERTEX_OP, staging_dir=tmp_path)
    assert len(api.requests) == 2
    api.on("POST", FETCH, error(400, "INVALID_ARGUMENT", "Invalid resource field value.", [PROJECT_INVALID]))
    api.on("POST", PROJECTLESS, error(400, "INVALID_ARGUMENT", "Invalid resource field value.", [PROJECT_INVALID]))
    with pytest.raises(ExpressModeRefused):  # then the queue pauses
        await vertex.poll(VERTEX_OP, staging_dir=tmp_path)


async def test_other_poll_errors_are_not_retried_elsewhere(
    api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path
) -> None:
    api.on("POST", FETCH, error(403, "PERMISSION_DENIED", "billing disabled"))
    with pytest.raises(AuthError):
        await vertex.poll(VERTEX_OP, staging_dir=tmp_path)
    assert len(api.requests) == 1


async def test_rewritten_prompt_and_response_summary(
    api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path
) -> None:
    rewritten = "A tall white lighthouse at dawn, the camera dollies in slowly over calm water."
    api.on("POST", FETCH, vertex_done(MP4, MP4, prompt=rewritten))
    status = await vertex.poll(VERTEX_OP, staging_dir=tmp_path)
    assert status.rewritten_prompt == rewritten
    assert status.response_summary is not None
    summary = json.loads(status.response_summary)
    assert summary["response"]["prompt"] == rewritten
    assert base64.b64encode(MP4).decode()[:40] not in status.response_summary  # video bytes left out
    assert len(status.response_summary) < 2000


async def test_no_rewritten_prompt(api: FakeGoogle, vertex: VertexExpressProvider, tmp_path: Path) -> None:
    api.on("POST", FETCH, vertex_done(MP4))
    assert (await vertex.poll(VERTEX_OP, staging_dir=tmp_path)).rewritten_prompt is None


@pytest.mark.parametrize(
    ("reply", "verdict"),
    [
        (
            httpx.Response(
                200, json={"name": "publishers/google/models/veo-3.1-fast-generate-001", "launchStage": "GA"}
            ),
            "ok",
        ),
        (
            error(400, "INVALID_ARGUMENT", "API key not valid.", [{"@type": ERROR_INFO, "reason": "API_KEY_INVALID"}]),
            "refused",
        ),
        (error(401, "UNAUTHENTICATED", "bad"), "refused"),
        (error(403, "PERMISSION_DENIED", "denied"), "refused"),
        (error(400, "INVALID_ARGUMENT", "Invalid resource field value.", [PROJECT_INVALID]), "refused"),
        (error(404, "NOT_FOUND", "no"), "unknown"),
        (error(500, "INTERNAL", "x"), "unknown"),
        (httpx.Response(200, text="<html>"), "unknown"),
    ],
)
async def test_check_credentials(
    api: FakeGoogle, vertex: VertexExpressProvider, reply: httpx.Response, verdict: str
) -> None:
    api.on("GET", "/v1beta1/publishers/google/models/veo-3.1-fast-generate-001", reply)
    check = await vertex.check_credentials()
    assert check.verdict == verdict and check.message
    assert [r.method for r in api.requests] == ["GET"]  # one free call, never a start
