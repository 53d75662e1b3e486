"""Gemini API dialect: start, GET poll, file download (with Range) and the paged model list."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from sim_helpers import GEMINI_MODEL, file_path, gemini_poll, gemini_start, wait_done

from veo_desktop.core.catalogue import parse_catalogue
from veo_desktop.paths import resources_dir
from veo_desktop.simulator import Simulator
from veo_desktop.simulator.media import clip_bytes


def _body(prompt: str = "a fox in the snow", **params: object) -> dict[str, object]:
    return {"instances": [{"prompt": prompt}], "parameters": {"aspectRatio": "9:16", "durationSeconds": 6, **params}}


def _finished_uri(http: httpx.Client, prompt: str = "a fox in the snow") -> str:
    name = gemini_start(http, _body(prompt)).json()["name"]
    done = wait_done(lambda: gemini_poll(http, name))
    samples = done["response"]["generateVideoResponse"]["generatedSamples"]
    return str(samples[0]["video"]["uri"])


def test_happy_path_and_download(sim: Simulator, http: httpx.Client) -> None:
    response = gemini_start(http, _body())
    assert response.status_code == 200, response.text
    name = response.json()["name"]
    assert re.fullmatch(rf"models/{GEMINI_MODEL}/operations/[a-z0-9]+", name)
    assert gemini_poll(http, name).json() == {"name": name}

    done = wait_done(lambda: gemini_poll(http, name))
    assert done["response"]["@type"] == (
        "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse"
    )
    [sample] = done["response"]["generateVideoResponse"]["generatedSamples"]
    uri = sample["video"]["uri"]
    assert re.fullmatch(r"https://generativelanguage\.googleapis\.com/v1beta/files/[a-z0-9]+:download\?alt=media", uri)

    media = http.get(file_path(uri))
    assert media.status_code == 200
    assert media.headers["content-type"] == "video/mp4"
    assert media.headers["accept-ranges"] == "bytes"
    assert media.content == clip_bytes("9:16")
    assert media.content[4:8] == b"ftyp"
    assert sim.stats.downloads == 1


def test_range_requests(http: httpx.Client) -> None:
    path = file_path(_finished_uri(http))
    clip = clip_bytes("9:16")
    size = len(clip)
    first = http.get(path, headers={"Range": "bytes=0-99"})
    assert first.status_code == 206
    assert first.headers["content-range"] == f"bytes 0-99/{size}"
    assert first.content == clip[:100]
    rest = http.get(path, headers={"Range": "bytes=100-"})
    assert rest.status_code == 206 and rest.content == clip[100:]
    tail = http.get(path, headers={"Range": "bytes=-10"})
    assert tail.content == clip[-10:]
    beyond = http.get(path, headers={"Range": f"bytes={size}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{size}"


def test_download_errors(http: httpx.Client) -> None:
    name = gemini_start(http, _body()).json()["name"]
    path = file_path(_finished_uri(http, "another prompt"))
    assert http.get(path.replace("?alt=media", "")).status_code == 400
    assert http.get("/v1beta/files/doesnotexist:download?alt=media").status_code == 404
    assert gemini_poll(http, name.rpartition("/")[0] + "/nosuchop").status_code == 404


def test_file_is_404_before_the_operation_is_done(make_sim) -> None:  # type: ignore[no-untyped-def]
    sim = make_sim(latency_s=(600.0, 600.0))
    with httpx.Client(base_url=sim.base_url, headers={"x-goog-api-key": "sim-key"}, trust_env=False) as http:
        gemini_start(http, _body())
        assert len(sim.stats.starts) == 1
        file_ids = [f for op in sim.operations() for f in op.file_ids]
        assert http.get(f"/v1beta/files/{file_ids[0]}:download?alt=media").status_code == 404


def test_list_models_is_paged(http: httpx.Client) -> None:
    models: list[dict[str, object]] = []
    token = ""
    pages = 0
    while True:
        response = http.get("/v1beta/models", params={"pageToken": token} if token else None)
        assert response.status_code == 200
        page = response.json()
        models += page["models"]
        pages += 1
        token = page.get("nextPageToken", "")
        if not token:
            break
    assert pages >= 2
    veo = {str(m["name"]) for m in models if "predictLongRunning" in m["supportedGenerationMethods"]}  # type: ignore[operator]
    catalogue = parse_catalogue((resources_dir() / "models.json").read_text())
    expected = {f"models/{m.id}" for m in catalogue.for_provider("gemini", include_retired=False)}
    assert veo == expected
    assert any("generateContent" in m["supportedGenerationMethods"] for m in models)  # type: ignore[operator]
    big = http.get("/v1beta/models", params={"pageSize": 100}).json()
    assert "nextPageToken" not in big and len(big["models"]) == len(models)
    assert http.get("/v1beta/models", params={"pageToken": "garbage!"}).status_code == 400


def test_large_download_is_streamed_and_playable(make_sim, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    size_bytes = 20 * 1024 * 1024
    sim = make_sim(video_size_bytes=size_bytes)
    with httpx.Client(base_url=sim.base_url, headers={"x-goog-api-key": "sim-key"}, trust_env=False) as http:
        path = file_path(_finished_uri(http))
        out = tmp_path / "big.mp4"
        with http.stream("GET", path) as response, out.open("wb") as fh:
            assert int(response.headers["content-length"]) == size_bytes
            for chunk in response.iter_bytes():
                fh.write(chunk)
    assert out.stat().st_size == size_bytes
    _assert_playable(out, expect_width=180)


def test_sample_clips_are_playable(tmp_path: Path) -> None:
    for ratio, width in (("16:9", 320), ("9:16", 180)):
        data = clip_bytes(ratio)
        assert data[4:8] == b"ftyp" and 5_000 < len(data) < 20_000
        out = tmp_path / f"clip_{width}.mp4"
        out.write_bytes(data)
        _assert_playable(out, expect_width=width)


def _assert_playable(path: Path, *, expect_width: int) -> None:
    assert path.read_bytes()[4:8] == b"ftyp"
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        pytest.skip("ffprobe is not installed")
    result = subprocess.run(
        [ffprobe, "-v", "error", "-show_entries", "stream=codec_name,width", "-of", "csv=p=0", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert f"h264,{expect_width}" in result.stdout
    assert "aac" in result.stdout
