"""Gemini Omni Flash over the Interactions API (provider gemini) against httpx.MockTransport: the create body,
every status of veo-api.md §4.3, inline and file delivery, files PROCESSING → ACTIVE, redirects without the
key, cancel, refine, usage tokens, both error envelopes, budget_exceeded and the key check."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.client.conftest import FakeSleep
from tests.client.helpers import (
    BASE,
    CANARY,
    GEMINI_OP,
    MP4,
    OTHER_HOST,
    FakeGoogle,
    error,
    html,
    key_invalid_detail,
    names_in,
)
from veo_desktop.client.base import FrameData, StartSpec, VideoRef
from veo_desktop.client.omni import OmniProvider
from veo_desktop.core.errors import (
    AuthError,
    NotAcceptedError,
    NotFoundError,
    NotSentError,
    PermanentError,
    ProtocolError,
    QuotaError,
    SpendCapReached,
    StartOutcomeUnknown,
    TransientError,
)

MODEL = "gemini-omni-1.1-flash"
ID = "v1_ChdTb21l"
CREATE = "/v1beta/interactions"
GET = f"/v1beta/interactions/{ID}"
FILE_STATE = "/v1beta/files/k3j4h5g6"
FILE_DOWNLOAD = "/v1beta/files/k3j4h5g6:download"
GOOGLE_URI = "https://generativelanguage.googleapis.com/v1beta/files/k3j4h5g6:download?alt=media"
SPEC = StartSpec(MODEL, "A marble rolling fast on a chain reaction track", "9:16", 8, "720p")
USAGE = {
    "total_input_tokens": 12,
    "total_output_tokens": 46336,
    "total_thought_tokens": 300,
    "total_tokens": 46648,
    "output_tokens_by_modality": [{"modality": "video", "tokens": 46336}],
}


def created(**extra: Any) -> httpx.Response:
    return httpx.Response(
        200, json={"id": ID, "object": "interaction", "model": MODEL, "status": "in_progress", **extra}
    )


def interaction(status: str, *, video: dict[str, Any] | None = None, **extra: Any) -> httpx.Response:
    steps: list[dict[str, Any]] = [
        {"type": "user_input", "content": [{"type": "text", "text": "A marble"}]},
        {"type": "thought", "signature": "EpcwCp", "summary": None, "content": []},
    ]
    if video is not None:
        steps.append({"type": "model_output", "content": [{"type": "video", "mime_type": "video/mp4", **video}]})
    body = {"id": ID, "object": "interaction", "model": MODEL, "status": status, "steps": steps, **extra}
    return httpx.Response(200, json=body)


def file_state(state: str) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "name": "files/k3j4h5g6",
            "mimeType": "video/mp4",
            "sizeBytes": "2483921",
            "state": state,
            "downloadUri": GOOGLE_URI,
        },
    )


def sent(api: FakeGoogle) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(api.requests[-1].content)
    return body


async def test_create_body(api: FakeGoogle, omni: OmniProvider, tmp_path: Path) -> None:
    api.on("POST", CREATE, created())
    frame = tmp_path / "a.webp"
    Image.new("RGB", (4, 4)).save(frame, format="WEBP")
    spec = StartSpec(MODEL, SPEC.prompt, "9:16", 8, "720p", start_frame=FrameData(frame, "image/webp"), seed=42)
    assert await omni.start(spec) == ID
    request = api.requests[0]
    assert request.url.path == CREATE and request.headers["x-goog-api-key"] == CANARY
    assert sent(api) == {
        "model": MODEL,
        "background": True,
        "store": True,
        "input": [
            {
                "type": "user_input",
                "content": [
                    {"type": "text", "text": SPEC.prompt},
                    {"type": "image", "mime_type": "image/webp", "data": base64.b64encode(frame.read_bytes()).decode()},
                ],
            }
        ],
        "response_format": {
            "type": "video",
            "aspect_ratio": "9:16",
            "resolution": "720p",
            "duration": "8s",
            "delivery": "inline",
        },
        "generation_config": {"seed": 42},
    }
    raw = request.content
    for never in (
        b"negative",
        b"sampleCount",
        b"generateAudio",
        b"personGeneration",
        b"system_instruction",
        b"video_config",
        b"enhancePrompt",
    ):
        assert never not in raw


@pytest.mark.parametrize(
    ("resolution", "duration_s", "delivery"),
    [("720p", 8, "inline"), ("360p", 3, "inline"), ("1080p", 4, "uri"), ("4k", 8, "uri"), ("720p", 10, "uri")],
)
async def test_delivery(api: FakeGoogle, omni: OmniProvider, resolution: str, duration_s: int, delivery: str) -> None:
    api.on("POST", CREATE, created())
    await omni.start(StartSpec(MODEL, "p", "16:9", duration_s, resolution))
    fmt = sent(api)["response_format"]
    assert fmt["delivery"] == delivery and fmt["duration"] == f"{duration_s}s"
    assert "generation_config" not in sent(api)


async def test_gif_is_converted_heic_would_be_sent_as_is(api: FakeGoogle, omni: OmniProvider, tmp_path: Path) -> None:
    api.on("POST", CREATE, created())
    gif = tmp_path / "a.gif"
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    await omni.start(StartSpec(MODEL, "p", "16:9", 8, "720p", start_frame=FrameData(gif, "image/gif")))
    block = sent(api)["input"][0]["content"][1]
    assert block["mime_type"] == "image/png"
    assert Image.open(io.BytesIO(base64.b64decode(block["data"]))).format == "PNG"


async def test_refine_chains_onto_the_previous_interaction(api: FakeGoogle, omni: OmniProvider) -> None:
    api.on("POST", CREATE, created())
    await omni.start(StartSpec(MODEL, "Make the violin invisible", "9:16", 8, "720p", previous_operation="v1_parent"))
    body = sent(api)
    assert body["previous_interaction_id"] == "v1_parent"
    assert body["input"] == "Make the violin invisible"
    assert body["background"] is True and body["store"] is True


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        (StartSpec(MODEL, "p", "16:9", 8, "720p", negative_prompt="blur"), "negative prompt"),
        (StartSpec(MODEL, "p", "16:9", 8, "720p", sample_count=2), "one video"),
        (StartSpec(MODEL, "p", "16:9", 8, "720p", input_video=Path("x.mp4")), "refining"),
    ],
)
async def test_what_omni_lacks_is_refused_before_sending(
    api: FakeGoogle, omni: OmniProvider, spec: StartSpec, match: str
) -> None:
    with pytest.raises(PermanentError, match=match):
        await omni.start(spec)
    assert api.requests == []


async def test_at_most_three_images(api: FakeGoogle, omni: OmniProvider, tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    Image.new("RGB", (2, 2)).save(path)
    frame = FrameData(path, "image/png")
    with pytest.raises(PermanentError, match="at most 3"):
        await omni.start(StartSpec(MODEL, "p", "16:9", 8, "720p", start_frame=frame, reference_images=(frame,) * 3))
    assert api.requests == []


TRUNCATED = b'{"id": "v1_x", "status": "completed", "steps": [{"type": "model_output", "content": [{"data": "AAAA'
GENERATED_ENVELOPE = {"error": {"code": "https://ai.google.dev/errors/conflict", "message": "busy"}}


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (httpx.Response(200, json={"object": "interaction", "status": "in_progress"}), StartOutcomeUnknown),
        (httpx.Response(200, content=b'{"id": "v1_Ch'), StartOutcomeUnknown),
        (html(200), StartOutcomeUnknown),
        (httpx.ReadTimeout("timed out"), StartOutcomeUnknown),
        (httpx.RemoteProtocolError("reset"), StartOutcomeUnknown),
        (error(500, "INTERNAL", "x"), StartOutcomeUnknown),
        (error(502, "BAD_GATEWAY", "x"), StartOutcomeUnknown),
        (html(503), StartOutcomeUnknown),
        (httpx.ConnectError("refused"), NotSentError),
        (error(503, "UNAVAILABLE", "overloaded"), NotAcceptedError),
        (error(409, "ABORTED", "conflict"), NotAcceptedError),
        (httpx.Response(409, json=GENERATED_ENVELOPE), NotAcceptedError),
        (error(429, "RESOURCE_EXHAUSTED", "quota"), QuotaError),
        (
            error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [key_invalid_detail()]),
            AuthError,
        ),
        (error(400, "INVALID_ARGUMENT", "The prompt violates usage policies."), PermanentError),
        (
            httpx.Response(400, json={"error": {"code": "https://ai.google.dev/errors/invalid", "message": "bad"}}),
            PermanentError,
        ),
        (error(403, "PERMISSION_DENIED", "x"), AuthError),
        (error(404, "NOT_FOUND", "models/gemini-omni-flash-preview is not found"), NotFoundError),
    ],
)
async def test_create_answers(
    api: FakeGoogle, omni: OmniProvider, reply: httpx.Response | Exception, expected: type[Exception]
) -> None:
    api.on("POST", CREATE, reply)
    with pytest.raises(expected) as info:
        await omni.start(SPEC)
    assert type(info.value) is expected
    assert len(api.requests) == 1  # never resent by the client itself


@pytest.mark.parametrize(
    ("details", "headers", "retry_s"),
    [
        ([{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "22s"}], {}, 22.0),
        ([], {"retry-after": "7"}, 7.0),
        ([], {}, None),
    ],
)
async def test_quota_retry_hints(
    api: FakeGoogle, omni: OmniProvider, details: list[Any], headers: dict[str, str], retry_s: float | None
) -> None:
    body = {"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED", "details": details}}
    api.on("POST", CREATE, httpx.Response(429, json=body, headers=headers))
    with pytest.raises(QuotaError) as info:
        await omni.start(SPEC)
    assert info.value.retry_after_s == retry_s


@pytest.mark.parametrize("status", ["in_progress", "queued"])
async def test_running(api: FakeGoogle, omni: OmniProvider, tmp_path: Path, status: str) -> None:
    api.on("GET", GET, interaction(status))
    result = await omni.poll(ID, staging_dir=tmp_path)
    assert (result.done, result.videos) == (False, ())
    assert names_in(tmp_path) == []


@pytest.mark.parametrize("status", ["completed", "incomplete"])
async def test_completed_inline(api: FakeGoogle, omni: OmniProvider, tmp_path: Path, status: str) -> None:
    staging, out = tmp_path / "s", tmp_path / "o"
    staging.mkdir()
    out.mkdir()
    api.on("GET", GET, interaction(status, video={"data": base64.b64encode(MP4).decode()}, usage=USAGE))
    result = await omni.poll(ID, staging_dir=staging)
    assert result.succeeded and len(result.videos) == 1
    assert (result.input_tokens, result.video_tokens, result.other_output_tokens) == (12, 46336, 300)
    assert result.response_summary is not None and base64.b64encode(MP4).decode()[:30] not in result.response_summary
    assert await omni.download(result.videos[0], out / "v.part") == len(MP4)
    assert (out / "v.part").read_bytes() == MP4
    assert names_in(staging) == []


async def test_completed_with_uri_waits_for_active_then_downloads(
    api: FakeGoogle, omni: OmniProvider, tmp_path: Path, sleeps: FakeSleep
) -> None:
    api.on("GET", GET, interaction("completed", video={"uri": GOOGLE_URI}, usage=USAGE))
    api.on("GET", FILE_STATE, file_state("PROCESSING"), file_state("PROCESSING"), file_state("ACTIVE"))
    api.on("GET", FILE_DOWNLOAD, httpx.Response(302, headers={"location": f"{OTHER_HOST}/blob/k3j4h5g6"}))
    api.on("GET", "/blob/k3j4h5g6", httpx.Response(200, content=MP4))
    result = await omni.poll(ID, staging_dir=tmp_path)
    assert result.videos == (VideoRef(file_id="files/k3j4h5g6"),)
    assert await omni.download(result.videos[0], tmp_path / "v.part") == len(MP4)
    assert sleeps.calls == [2.0, 2.0]
    paths = [(r.url.host, r.url.path, "x-goog-api-key" in r.headers) for r in api.requests]
    assert paths == [
        ("127.0.0.1", GET, True),
        ("127.0.0.1", FILE_STATE, True),
        ("127.0.0.1", FILE_STATE, True),
        ("127.0.0.1", FILE_STATE, True),
        ("127.0.0.1", FILE_DOWNLOAD, True),  # rebuilt on the configured base, never Google's host
        ("127.0.0.2", "/blob/k3j4h5g6", False),  # the key stays behind on another host
    ]
    assert api.requests[4].url.params["alt"] == "media"


async def test_file_failed_and_expired(api: FakeGoogle, omni: OmniProvider, tmp_path: Path) -> None:
    video = VideoRef(file_id="files/k3j4h5g6")
    api.on("GET", FILE_STATE, file_state("FAILED"))
    with pytest.raises(PermanentError, match="FAILED"):
        await omni.download(video, tmp_path / "v.part")
    api.on("GET", FILE_STATE, error(404, "NOT_FOUND", "expired"))
    with pytest.raises(NotFoundError):
        await omni.download(video, tmp_path / "v.part")
    api.on("GET", FILE_STATE, httpx.Response(200, json={"name": "files/k3j4h5g6"}))
    with pytest.raises(ProtocolError):
        await omni.download(video, tmp_path / "v.part")


async def test_file_still_processing_gives_up_for_now(
    api: FakeGoogle, omni: OmniProvider, tmp_path: Path, sleeps: FakeSleep
) -> None:
    api.on("GET", FILE_STATE, file_state("PROCESSING"))
    with pytest.raises(TransientError, match="PROCESSING"):
        await omni.download(VideoRef(file_id="files/k3j4h5g6"), tmp_path / "v.part")
    assert sum(sleeps.calls) >= 300


async def test_download_redirect_to_plain_http_is_refused(api: FakeGoogle, omni: OmniProvider, tmp_path: Path) -> None:
    api.on("GET", FILE_STATE, file_state("ACTIVE"))
    api.on("GET", FILE_DOWNLOAD, httpx.Response(302, headers={"location": "http://blobs.example.invalid/v"}))
    with pytest.raises(PermanentError, match="insecure"):
        await omni.download(VideoRef(file_id="files/k3j4h5g6"), tmp_path / "v.part")


async def test_completed_without_a_video(api: FakeGoogle, omni: OmniProvider, tmp_path: Path) -> None:
    api.on("GET", GET, interaction("completed"))
    result = await omni.poll(ID, staging_dir=tmp_path)
    assert result.done and result.videos == () and result.error_code is None


@pytest.mark.parametrize(
    "extra",
    [
        {"errors": [{"code": 3, "message": "Prompts that violate usage policies are blocked."}]},
        {
            "steps": [
                {
                    "type": "model_output",
                    "error": {"code": 3, "message": "Prompts that violate usage policies are blocked."},
                }
            ]
        },
    ],
)
async def test_failed(api: FakeGoogle, omni: OmniProvider, tmp_path: Path, extra: dict[str, Any]) -> None:
    api.on("GET", GET, interaction("failed", **extra))
    result = await omni.poll(ID, staging_dir=tmp_path)
    assert result.done and not result.succeeded
    assert result.error_code == 3 and result.error_message and "usage policies" in result.error_message


async def test_cancel_and_cancelled(api: FakeGoogle, omni: OmniProvider, tmp_path: Path) -> None:
    api.on("POST", f"{GET}/cancel", interaction("in_progress"))
    await omni.cancel(ID)
    assert api.requests[0].method == "POST" and json.loads(api.requests[0].content) == {}
    api.on("GET", GET, interaction("cancelled"))
    result = await omni.poll(ID, staging_dir=tmp_path)
    assert result.done and result.cancelled and result.error_code == 1


async def test_budget_exceeded_fails_and_pauses(api: FakeGoogle, omni: OmniProvider, tmp_path: Path) -> None:
    api.on("GET", GET, interaction("budget_exceeded"))
    result = await omni.poll(ID, staging_dir=tmp_path)
    assert result.done and result.error_code == 8
    assert isinstance(result.pause_error, SpendCapReached) and isinstance(result.pause_error, AuthError)
    assert "spend cap" in str(result.pause_error)


async def test_unexpected_status_keeps_polling_then_fails(
    api: FakeGoogle, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    now = [1000.0]
    omni = OmniProvider(http, base_url=BASE, api_key=lambda: CANARY, monotonic_s=lambda: now[0])
    api.on("GET", GET, interaction("requires_action"))
    assert not (await omni.poll(ID, staging_dir=tmp_path)).done
    now[0] += 29 * 60
    assert not (await omni.poll(ID, staging_dir=tmp_path)).done
    now[0] += 2 * 60
    result = await omni.poll(ID, staging_dir=tmp_path)
    assert result.done and result.error_message == "Google answered an unexpected status requires_action."


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (html(200), ProtocolError),
        (httpx.Response(200, content=TRUNCATED), ProtocolError),
        (error(404, "NOT_FOUND", "gone"), NotFoundError),
        (error(500, "INTERNAL", "x"), TransientError),
        (httpx.ReadError("reset"), TransientError),
        (error(429, "RESOURCE_EXHAUSTED", "quota"), QuotaError),
    ],
)
async def test_poll_errors(
    api: FakeGoogle, omni: OmniProvider, tmp_path: Path, reply: httpx.Response | Exception, expected: type[Exception]
) -> None:
    api.on("GET", GET, reply)
    with pytest.raises(expected):
        await omni.poll(ID, staging_dir=tmp_path)
    assert names_in(tmp_path) == []


async def test_v1_is_a_setting(api: FakeGoogle, http: httpx.AsyncClient, tmp_path: Path) -> None:
    omni = OmniProvider(http, base_url=BASE, api_key=lambda: CANARY, api_version="v1")
    api.on("POST", "/v1/interactions", created())
    api.on("GET", f"/v1/interactions/{ID}", interaction("in_progress"))
    await omni.start(SPEC)
    await omni.poll(ID, staging_dir=tmp_path)
    assert [r.url.path for r in api.requests] == ["/v1/interactions", f"/v1/interactions/{ID}"]


async def test_legacy_veo_operations_are_polled_in_their_own_dialect(
    api: FakeGoogle, omni: OmniProvider, tmp_path: Path
) -> None:
    api.on(
        "GET", f"/v1beta/{GEMINI_OP}", error(404, "NOT_FOUND", "models/veo-3.1-generate-preview is no longer available")
    )
    with pytest.raises(NotFoundError):
        await omni.poll(GEMINI_OP, staging_dir=tmp_path)


async def test_list_models(api: FakeGoogle, omni: OmniProvider) -> None:
    page1 = {
        "models": [
            {"name": "models/gemini-omni-1.1-flash", "displayName": "Gemini Omni Flash"},
            {"name": "models/gemini-2.5-flash"},
        ],
        "nextPageToken": "p2",
    }
    page2 = {"models": [{"name": "models/gemini-omni-1.2-flash"}]}
    api.on("GET", "/v1beta/models", httpx.Response(200, json=page1), httpx.Response(200, json=page2))
    models = await omni.list_models()
    assert [m.id for m in models] == ["gemini-omni-1.1-flash", "gemini-omni-1.2-flash"]
    assert api.requests[0].url.params["pageSize"] == "50" and api.requests[1].url.params["pageToken"] == "p2"


@pytest.mark.parametrize(
    ("reply", "verdict"),
    [
        (httpx.Response(200, json={"models": [{"name": "models/gemini-omni-1.1-flash"}]}), "ok"),
        (
            error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [key_invalid_detail()]),
            "refused",
        ),
        (error(403, "PERMISSION_DENIED", "x"), "refused"),
        (error(500, "INTERNAL", "x"), "unknown"),
        (html(200), "unknown"),
    ],
)
async def test_check_credentials(api: FakeGoogle, omni: OmniProvider, reply: httpx.Response, verdict: str) -> None:
    api.on("GET", "/v1beta/models", reply)
    check = await omni.check_credentials()
    assert check.verdict == verdict
    assert api.requests[0].url.params["pageSize"] == "1"
    if verdict == "ok":
        assert "Gemini Omni Flash" in check.message
