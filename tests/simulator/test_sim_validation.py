"""The simulator refuses what the real servers refuse, in Google's error envelope."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sim_helpers import GEMINI_MODEL, VERTEX_MODEL, gemini_start, vertex_start

from veo_desktop.simulator import Simulator

PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
IMAGE = {"bytesBase64Encoded": PNG_B64, "mimeType": "image/png"}


def _start(
    http: httpx.Client, dialect: str, instance: dict[str, Any], params: dict[str, Any], model: str = ""
) -> httpx.Response:
    body = {"instances": [instance], "parameters": params}
    if dialect == "vertex":
        return vertex_start(http, body, model or VERTEX_MODEL)
    return gemini_start(http, body, model or GEMINI_MODEL)


def _assert_error(response: httpx.Response, code: int, status: str, needle: str = "") -> dict[str, Any]:
    assert response.status_code == code, response.text
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"code", "message", "status", "details"}
    assert error["code"] == code and error["status"] == status
    assert needle in error["message"]
    return error


BAD_REQUESTS = [
    pytest.param({"aspectRatio": "1:1"}, {}, "Aspect ratio", id="ratio"),
    pytest.param({"durationSeconds": 5}, {}, "durationSeconds", id="duration-5"),
    pytest.param({"durationSeconds": 10}, {}, "between 4 and 8, inclusive", id="duration-out-of-bound"),
    pytest.param({"durationSeconds": "abc"}, {}, "durationSeconds", id="duration-text"),
    pytest.param({"durationSeconds": 4, "resolution": "1080p"}, {}, "must be 8", id="1080p-needs-8s"),
    pytest.param({"durationSeconds": 6, "resolution": "4k"}, {}, "must be 8", id="4k-needs-8s"),
    pytest.param({"resolution": "480p"}, {}, "Resolution", id="resolution"),
    pytest.param({}, {"lastFrame": IMAGE}, "`lastFrame` requires `image`", id="last-frame-alone"),
    pytest.param({}, {"image": {"inlineData": {"data": PNG_B64, "mimeType": "image/png"}}},
                 "`inlineData` isn't supported by this model.", id="inline-data"),
    pytest.param({}, {"image": {"bytesBase64Encoded": "!!!", "mimeType": "image/png"}}, "Base64", id="bad-b64"),
    pytest.param({}, {"image": {"bytesBase64Encoded": PNG_B64, "mimeType": "image/gif"}}, "MIME", id="gif"),
    pytest.param({"sampleCount": 5}, {}, "sampleCount", id="samples-5"),
    pytest.param({"personGeneration": "allow_adult"}, {}, "personGeneration", id="person-t2v"),
]  # fmt: skip


@pytest.mark.parametrize("dialect", ["vertex", "gemini"])
@pytest.mark.parametrize(("params", "instance_extra", "needle"), BAD_REQUESTS)
def test_bad_requests_are_400(
    sim: Simulator,
    http: httpx.Client,
    dialect: str,
    params: dict[str, Any],
    instance_extra: dict[str, Any],
    needle: str,
) -> None:
    response = _start(http, dialect, {"prompt": "p", **instance_extra}, {"durationSeconds": 8, **params})
    _assert_error(response, 400, "INVALID_ARGUMENT", needle)
    assert sim.stats.accepted_starts == 0


@pytest.mark.parametrize("dialect", ["vertex", "gemini"])
@pytest.mark.parametrize(
    "params",
    [
        {"durationSeconds": "8"},
        {"durationSeconds": 8.0, "resolution": "1080p"},
        {"durationSeconds": 8, "resolution": "4k", "aspectRatio": "9:16"},
        {"durationSeconds": 4, "negativePrompt": "blurry", "personGeneration": "allow_all"},
        {},
    ],
)
def test_good_requests_are_accepted(http: httpx.Client, dialect: str, params: dict[str, Any]) -> None:
    assert _start(http, dialect, {"prompt": "p"}, params).status_code == 200


def test_image_and_last_frame_accepted(http: httpx.Client) -> None:
    instance = {"prompt": "p", "image": IMAGE, "lastFrame": {**IMAGE, "mimeType": "image/jpeg"}}
    params = {"personGeneration": "allow_adult"}
    assert _start(http, "vertex", instance, params).status_code == 200
    assert _start(http, "gemini", instance, params).status_code == 200


def test_lite_has_no_4k(http: httpx.Client) -> None:
    response = _start(http, "vertex", {"prompt": "p"}, {"resolution": "4k"}, "veo-3.1-lite-generate-001")
    _assert_error(response, 400, "INVALID_ARGUMENT", "Resolution")


@pytest.mark.parametrize("name", ["seed", "generateAudio"])
def test_gemini_refuses_seed_and_audio_vertex_takes_them(http: httpx.Client, name: str) -> None:
    value: Any = 42 if name == "seed" else True
    _assert_error(_start(http, "gemini", {"prompt": "p"}, {name: value}), 400, "INVALID_ARGUMENT", name)
    assert _start(http, "vertex", {"prompt": "p"}, {name: value}).status_code == 200


def test_vertex_limits(http: httpx.Client) -> None:
    _assert_error(_start(http, "vertex", {"prompt": "p"}, {"seed": 2**32}), 400, "INVALID_ARGUMENT", "seed")
    _assert_error(_start(http, "gemini", {"prompt": "p"}, {"sampleCount": 2}), 400, "INVALID_ARGUMENT")
    assert _start(http, "vertex", {"prompt": "p"}, {"sampleCount": 4}).status_code == 200


@pytest.mark.parametrize(
    ("dialect", "model"),
    [
        ("vertex", "veo-9-imaginary"),
        ("gemini", "veo-9-imaginary"),
        ("vertex", "veo-3.0-generate-001"),  # retired
        ("gemini", "veo-2.0-generate-001"),  # retired
        ("vertex", GEMINI_MODEL),  # the other dialect's model
        ("gemini", VERTEX_MODEL),
    ],
)
def test_unknown_retired_or_foreign_model_is_404(http: httpx.Client, dialect: str, model: str) -> None:
    _assert_error(_start(http, dialect, {"prompt": "p"}, {}, model), 404, "NOT_FOUND", model)


def test_body_errors(http: httpx.Client) -> None:
    path = f"/v1beta1/publishers/google/models/{VERTEX_MODEL}:predictLongRunning"
    _assert_error(http.post(path, content=b"{not json"), 400, "INVALID_ARGUMENT", "Invalid JSON")
    _assert_error(http.post(path, json={"instances": []}), 400, "INVALID_ARGUMENT", "instances")
    _assert_error(_start(http, "vertex", {"prompt": "   "}, {}), 400, "INVALID_ARGUMENT", "prompt")
    _assert_error(_start(http, "vertex", {"prompt": "x" * 5000}, {}), 400, "INVALID_ARGUMENT", "too long")


def test_key_missing_or_wrong(sim: Simulator) -> None:
    path = f"/v1beta/models/{GEMINI_MODEL}:predictLongRunning"
    body = {"instances": [{"prompt": "p"}]}
    with httpx.Client(base_url=sim.base_url, trust_env=False) as bare:
        _assert_error(bare.post(path, json=body), 401, "UNAUTHENTICATED")
        error = _assert_error(
            bare.post(path, json=body, headers={"x-goog-api-key": "wrong"}),
            400,
            "INVALID_ARGUMENT",
            "API key not valid",
        )
        assert error["details"][0]["reason"] == "API_KEY_INVALID"
        _assert_error(bare.get("/v1beta/models"), 401, "UNAUTHENTICATED")
        _assert_error(bare.get("/v1beta/files/abc:download?alt=media"), 401, "UNAUTHENTICATED")
    assert sim.stats.accepted_starts == 0
    records = sim.stats.requests
    assert [r.key_present for r in records] == [False, True, False, False]
    assert [r.key_valid for r in records] == [False, False, False, False]
    assert all("wrong" not in repr(r) for r in records)


def test_any_key_accepted_when_api_key_is_none(make_sim) -> None:  # type: ignore[no-untyped-def]
    sim = make_sim(api_key=None)
    with httpx.Client(base_url=sim.base_url, trust_env=False) as bare:
        assert bare.get("/v1beta/models", headers={"x-goog-api-key": "anything"}).status_code == 200
        assert bare.get("/v1beta/models").status_code == 401


def test_key_in_query_is_never_logged(sim: Simulator) -> None:
    with httpx.Client(base_url=sim.base_url, trust_env=False) as bare:
        assert bare.get("/v1beta/models", params={"key": "sim-key"}).status_code == 200
    [record] = sim.stats.requests
    assert record.key_present and record.key_valid
    assert "sim-key" not in record.path and "REDACTED" in record.path


def test_unknown_path_is_404(http: httpx.Client) -> None:
    _assert_error(http.get("/v1beta/somewhere"), 404, "NOT_FOUND")


def test_constructor_refuses_non_loopback_hosts() -> None:
    with pytest.raises(ValueError, match="127"):
        Simulator(host="0.0.0.0")
    with pytest.raises(ValueError, match="127"):
        Simulator(download_host="10.0.0.1")
