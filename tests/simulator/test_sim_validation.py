"""Vertex refuses what the real server refuses (docs/veo-api.md §3.3, §5), in Google's envelope; the
UNCONFIRMED rules follow their switches."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sim_helpers import JPEG, KEY, PNG, VERTEX_MODEL, b64, vertex_poll, vertex_start, videos_of, wait_done

from veo_desktop.simulator import Simulator, mp4
from veo_desktop.simulator.media import cut_clip

IMAGE = {"bytesBase64Encoded": b64(PNG), "mimeType": "image/png"}
REF = {"image": {"bytesBase64Encoded": b64(JPEG), "mimeType": "image/jpeg"}, "referenceType": "asset"}
VIDEO = {"bytesBase64Encoded": b64(cut_clip("16:9", 5, True)), "mimeType": "video/mp4"}


def _start(
    http: httpx.Client, instance: dict[str, Any], params: dict[str, Any], model: str = VERTEX_MODEL
) -> httpx.Response:
    body = {"instances": [{"prompt": "a cat", **instance}], "parameters": {"durationSeconds": 8, **params}}
    return vertex_start(http, body, model)


def _assert_error(response: httpx.Response, needle: str) -> None:
    assert response.status_code == 400, response.text
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"code", "message", "status", "details"}
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
    assert needle in error["message"], error["message"]


BAD = [
    pytest.param({"aspectRatio": "1:1"}, {}, "Aspect ratio", id="ratio"),
    pytest.param({"durationSeconds": 5}, {}, "durationSeconds", id="duration-5"),
    pytest.param({"durationSeconds": 10}, {}, "between 4 and 8, inclusive", id="duration-out-of-bound"),
    pytest.param({"durationSeconds": "abc"}, {}, "durationSeconds", id="duration-text"),
    pytest.param({"resolution": "480p"}, {}, "Resolution", id="resolution"),
    pytest.param({"sampleCount": 5}, {}, "sampleCount", id="samples-5"),
    pytest.param({"sampleCount": 0}, {}, "sampleCount", id="samples-0"),
    pytest.param({"seed": 2**32}, {}, "seed", id="seed-too-big"),
    pytest.param({"seed": -1}, {}, "seed", id="seed-negative"),
    pytest.param({"generateAudio": "yes"}, {}, "generateAudio", id="audio-not-bool"),
    pytest.param({"enhancePrompt": 1}, {}, "enhancePrompt", id="enhance-not-bool"),
    pytest.param({"personGeneration": "allow_all"}, {}, "personGeneration", id="person-allow_all"),
    pytest.param({"personGeneration": "everyone"}, {}, "personGeneration", id="person-unknown"),
    pytest.param({"resizeMode": "stretch"}, {"image": IMAGE}, "resizeMode", id="resize-unknown"),
    pytest.param({"resizeMode": "crop"}, {}, "only supported for image-to-video", id="resize-without-image"),
    pytest.param({"compressionQuality": "best"}, {}, "compressionQuality", id="quality-unknown"),
    pytest.param({}, {"lastFrame": IMAGE}, "`lastFrame` requires `image`", id="last-frame-alone"),
    pytest.param({}, {"image": {"inlineData": {"data": b64(PNG), "mimeType": "image/png"}}}, "inlineData",
                 id="inline-data"),
    pytest.param({}, {"image": {"bytesBase64Encoded": "!!!", "mimeType": "image/png"}}, "Base64", id="bad-b64"),
    pytest.param({}, {"image": {"bytesBase64Encoded": b64(PNG), "mimeType": "image/gif"}}, "MIME", id="gif"),
    pytest.param({}, {"image": {"bytesBase64Encoded": b64(b"RIFF0000WEBP"), "mimeType": "image/webp"}}, "MIME",
                 id="webp"),
    pytest.param({}, {"image": {"bytesBase64Encoded": b64(JPEG), "mimeType": "image/png"}}, "could not be decoded",
                 id="jpeg-labelled-png"),
    pytest.param({}, {"image": {"gcsUri": "gs://b/i.png", "mimeType": "image/png"}}, "gcsUri", id="gcs-uri"),
    pytest.param({}, {"prompt": ""}, "A prompt is required", id="empty-prompt"),
    pytest.param({}, {"prompt": "x" * 4097}, "1024 tokens", id="long-prompt"),
    pytest.param({}, {"referenceImages": [REF] * 4}, "between 1 and 3", id="refs-4"),
    pytest.param({}, {"referenceImages": []}, "between 1 and 3", id="refs-0"),
    pytest.param({}, {"referenceImages": [REF], "image": IMAGE}, "cannot be combined", id="refs-and-image"),
    pytest.param({"durationSeconds": 6}, {"referenceImages": [REF]}, "must be 8", id="refs-6s"),
    pytest.param({}, {"referenceImages": [{**REF, "referenceType": "style"}]}, "only asset", id="refs-style"),
    pytest.param({}, {"referenceImages": [REF], "prompt": " "}, "prompt is required", id="refs-no-prompt"),
    pytest.param({"durationSeconds": 8}, {"video": VIDEO}, "adds 7 seconds", id="extension-with-duration"),
    pytest.param({}, {"video": VIDEO, "image": IMAGE}, "cannot be combined", id="extension-and-image"),
]  # fmt: skip


@pytest.mark.parametrize(("params", "instance", "needle"), BAD)
def test_bad_requests_are_400(
    sim: Simulator, http: httpx.Client, params: dict[str, Any], instance: dict[str, Any], needle: str
) -> None:
    parameters = params if "video" in instance else {"durationSeconds": 8, **params}  # extensions: no duration
    body = {"instances": [{"prompt": "a cat", **instance}], "parameters": parameters}
    _assert_error(vertex_start(http, body), needle)
    assert sim.stats.accepted_starts == 0


GOOD = [
    pytest.param({}, {}, id="defaults"),
    pytest.param({"durationSeconds": "6", "resolution": "1080p"}, {}, id="1080p-6s-not-enforced"),
    pytest.param({"resolution": "4k", "sampleCount": 4, "seed": 0}, {}, id="4k-4-samples"),
    pytest.param({"personGeneration": "allowAll", "enhancePrompt": False, "negativePrompt": "text"}, {}, id="allowAll"),
    pytest.param({"personGeneration": "dont_allow", "compressionQuality": "lossless"}, {}, id="dont_allow"),
    pytest.param({"resizeMode": "crop"}, {"image": IMAGE, "lastFrame": IMAGE}, id="frames"),
    pytest.param({}, {"referenceImages": [REF, REF, REF]}, id="3-refs"),
    pytest.param({"aspectRatio": "9:16"}, {"referenceImages": [REF]}, id="refs-portrait"),
]


@pytest.mark.parametrize(("params", "instance"), GOOD)
def test_good_requests_are_accepted(http: httpx.Client, params: dict[str, Any], instance: dict[str, Any]) -> None:
    response = _start(http, instance, params)
    assert response.status_code == 200, response.text


def test_lite_has_no_references_extension_or_4k(http: httpx.Client) -> None:
    lite = "veo-3.1-lite-generate-001"
    _assert_error(_start(http, {"referenceImages": [REF]}, {}, lite), "isn't supported")
    _assert_error(vertex_start(http, {"instances": [{"prompt": "a", "video": VIDEO}]}, lite), "isn't supported")
    _assert_error(_start(http, {}, {"resolution": "4k"}, lite), "Resolution")


@pytest.mark.parametrize(
    ("switch", "params", "instance"),
    [
        ("vertex_4k=off", {"resolution": "4k"}, {}),
        ("vertex_8s_hires=on", {"resolution": "1080p", "durationSeconds": 4}, {}),
        ("ref_16x9_only=on", {"aspectRatio": "9:16"}, {"referenceImages": [REF]}),
        ("person_all=allow_all", {"personGeneration": "allowAll"}, {}),
    ],
)
def test_switches_tighten_the_rules(
    http: httpx.Client, switch: str, params: dict[str, Any], instance: dict[str, Any]
) -> None:
    assert _start(http, instance, params).status_code == 200
    body = {
        "instances": [{"prompt": f"a cat [sw:{switch}]", **instance}],
        "parameters": {"durationSeconds": 8, **params},
    }
    assert vertex_start(http, body).status_code == 400


@pytest.mark.parametrize(("switch", "params", "instance"), [
    ("vertex_webp=accept", {}, {"image": {"bytesBase64Encoded": b64(b"RIFF0000WEBP"), "mimeType": "image/webp"}}),
    ("person_all=allow_all", {"personGeneration": "allow_all"}, {}),
    ("person_all=both", {"personGeneration": "allow_all"}, {}),
])  # fmt: skip
def test_switches_loosen_the_rules(
    make_sim: Any, switch: str, params: dict[str, Any], instance: dict[str, Any]
) -> None:
    name, value = switch.split("=")
    sim = make_sim(switches={name: value})
    with httpx.Client(base_url=sim.vertex_url, headers={"x-goog-api-key": KEY}, trust_env=False) as http:
        assert _start(http, instance, params).status_code == 200


def test_image_over_20_mb_is_refused(http: httpx.Client) -> None:
    huge = {"bytesBase64Encoded": b64(PNG + b"\0" * (20 * 1024 * 1024)), "mimeType": "image/png"}
    _assert_error(_start(http, {"image": huge}, {}), "20 MB")


@pytest.mark.parametrize(("mode", "expected_s"), [("whole", 12), ("continuation", 7)])
def test_extension_output_switch(make_sim: Any, mode: str, expected_s: int) -> None:
    sim = make_sim(switches={"extension_output": mode})
    with httpx.Client(base_url=sim.vertex_url, headers={"x-goog-api-key": KEY}, trust_env=False) as http:
        name = vertex_start(http, {"instances": [{"prompt": "go on", "video": VIDEO}], "parameters": {}}).json()["name"]
        [video] = videos_of(wait_done(lambda: vertex_poll(http, name)))
    assert mp4.durations(video).movie_s == expected_s


def test_extension_input_rules(http: httpx.Client) -> None:
    def extend(data: bytes, ratio: str = "16:9") -> httpx.Response:
        video = {"bytesBase64Encoded": b64(data), "mimeType": "video/mp4"}
        return vertex_start(
            http, {"instances": [{"prompt": "on", "video": video}], "parameters": {"aspectRatio": ratio}}
        )

    _assert_error(extend(cut_clip("16:9", 31, True)), "1 to 30 seconds")
    _assert_error(extend(cut_clip("16:9", 5, True), "9:16"), "aspect ratio")
    _assert_error(extend(b"\0\0\0\x18ftypisom" + b"\0" * 16), "could not be read")
    assert extend(cut_clip("9:16", 30, False), "9:16").status_code == 200
