"""Google's own SDK (google-genai 3.6.1, unchanged but for the base URL and the credentials) completes a video
against the simulator: Vertex express, Vertex project mode with a service-account key whose token_uri is the
simulator's, and Gemini Omni over the Interactions API (inline data, and a uri fetched with files.download)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from veo_desktop.simulator import Simulator, http_error, mp4

genai = pytest.importorskip("google.genai")
types = pytest.importorskip("google.genai.types")
service_account = pytest.importorskip("google.oauth2.service_account")

CP = "https://www.googleapis.com/auth/cloud-platform"


def _wait(poll: Callable[[Any], Any], item: Any, done: Callable[[Any], bool]) -> Any:
    deadline = time.monotonic() + 15
    while not done(item):
        assert time.monotonic() < deadline, "the SDK's generation never finished"
        time.sleep(0.05)
        item = poll(item)
    return item


def _generate(client: Any, prompt: str, **config: Any) -> Any:
    op = client.models.generate_videos(
        model="veo-3.1-fast-generate-001",
        source=types.GenerateVideosSource(prompt=prompt),
        config=types.GenerateVideosConfig(**config),
    )
    return _wait(client.operations.get, op, lambda o: bool(o.done))


def _ratio(video_bytes: bytes) -> str:
    _, width, height, fps = mp4.video_facts(video_bytes)
    assert fps == 24
    return "16:9" if width > height else "9:16"


def test_vertex_express_generate_videos(sim: Simulator) -> None:
    client = genai.Client(vertexai=True, api_key="sim-key", http_options=types.HttpOptions(base_url=sim.vertex_url))
    try:
        op = _generate(client, "a lighthouse at dawn", number_of_videos=2, duration_seconds=4, generate_audio=False,
                       aspect_ratio="9:16")  # fmt: skip
    finally:
        client.close()
    assert op.name.startswith("projects/123456789012/locations/global/publishers/google/models/veo-3.1-fast-")
    videos = [g.video.video_bytes for g in op.response.generated_videos]
    assert len(videos) == 2 and videos[0] != videos[1]  # one distinct clip per sample
    for data in videos:
        assert data[4:8] == b"ftyp" and _ratio(data) == "9:16"
        assert mp4.durations(data).tracks == {"vide": 4.0}  # no audio track: generateAudio was false
    assert sim.stats.starts_by_provider == {"vertex": 1}
    polls = [r.path for r in sim.stats.requests if "fetchPredictOperation" in r.path]
    assert polls and all(p.startswith("/v1beta1/projects/123456789012/") for p in polls)


def test_vertex_project_generate_videos_with_a_service_account(sim: Simulator) -> None:
    creds = service_account.Credentials.from_service_account_info(sim.service_account_info(), scopes=[CP])
    client = genai.Client(
        vertexai=True, project="sim-project", location="us-central1", credentials=creds,
        http_options=types.HttpOptions(base_url=sim.vertex_url),
    )  # fmt: skip
    try:
        op = _generate(client, "a fox in the snow", number_of_videos=1, duration_seconds=6, aspect_ratio="16:9")
    finally:
        client.close()
    data = op.response.generated_videos[0].video.video_bytes
    assert _ratio(data) == "16:9" and mp4.durations(data).movie_s == 6.0
    assert set(mp4.durations(data).tracks) == {"vide", "soun"}  # audio by default
    assert sim.stats.token_grants == 1
    assert sim.stats.starts_by_provider == {"vertex-project": 1}
    start = next(r for r in sim.stats.requests if r.path.endswith(":predictLongRunning"))
    assert start.path.startswith("/v1beta1/projects/sim-project/locations/us-central1/")
    assert start.bearer_present and not start.key_present


def test_vertex_project_refused_key_signature(sim: Simulator) -> None:
    info = sim.service_account_info()
    stranger = dict(info)
    from google.auth.exceptions import RefreshError
    from google.auth.transport.requests import Request

    other = sim.service_account_info("other")
    stranger["private_key"] = other["private_key"]  # signed by a key the simulator never paired with this email
    creds = service_account.Credentials.from_service_account_info(stranger, scopes=[CP])
    with pytest.raises(RefreshError, match="invalid_grant"):
        creds.refresh(Request())
    assert sim.stats.token_grants == 0


def _omni(sim: Simulator) -> Any:
    return genai.Client(api_key="sim-key", http_options=types.HttpOptions(base_url=sim.gemini_url))


def test_omni_interactions_inline_data(sim: Simulator) -> None:
    client = _omni(sim)
    try:
        it = client.interactions.create(
            model="gemini-omni-1.1-flash", input="a marble on a chain reaction track", background=True,
            response_format={"type": "video", "aspect_ratio": "9:16", "resolution": "720p", "duration": "5s"},
        )  # fmt: skip
        it = _wait(lambda i: client.interactions.get(i.id), it, lambda i: i.status != "in_progress")
    finally:
        client.close()
    assert it.status == "completed"
    video = it.steps[-1].content[0]
    import base64

    data = base64.b64decode(video.data) if isinstance(video.data, str) else bytes(video.data)
    assert _ratio(data) == "9:16" and mp4.durations(data).movie_s == 5.0
    assert it.usage.output_tokens_by_modality[0].tokens == 5 * 5792
    assert {r.path.split("?")[0] for r in sim.stats.requests if "interactions" in r.path} >= {"/v1/interactions"}


def test_omni_interactions_uri_and_files_download(make_sim: Callable[..., Simulator]) -> None:
    sim = make_sim(switches={"omni_get_after_uri": "uri"}, file_processing_s=0.0)
    client = _omni(sim)
    try:
        it = client.interactions.create(
            model="gemini-omni-1.1-flash", input="a violin on a stage", background=True,
            response_format={"type": "video", "aspect_ratio": "16:9", "resolution": "1080p", "duration": "9s",
                             "delivery": "uri"},
        )  # fmt: skip
        it = _wait(lambda i: client.interactions.get(i.id), it, lambda i: i.status != "in_progress")
        uri = it.steps[-1].content[0].uri
        assert uri.startswith("https://generativelanguage.googleapis.com/v1beta/files/")
        data = client.files.download(file=uri)
    finally:
        client.close()
    assert _ratio(data) == "16:9" and mp4.durations(data).movie_s == 9.0
    assert sim.stats.downloads == 1
    assert sim.stats.blob_credentials_seen == 1  # the SDK follows the redirect with its key still attached


def test_sdk_retries_a_503_on_interactions_create_five_times(sim: Simulator) -> None:
    """The hazard the app avoids: Google's SDK resends a paid create on 5xx (5 attempts by default)."""
    sim.script("start", http_error(503), times=None)
    client = _omni(sim)
    try:
        with pytest.raises(Exception):  # noqa: B017 (the SDK's own error type for a 503)
            client.interactions.create(model="gemini-omni-1.1-flash", input="a boat", background=True)
    finally:
        client.close()
    posts = [r for r in sim.stats.requests if r.method == "POST" and r.path.startswith("/v1/interactions")]
    assert len(posts) == 5
    assert sim.stats.accepted_starts == 0


@pytest.mark.parametrize(("mode", "code"), [("resource_project_invalid", 400), ("credentials_missing", 401)])
def test_express_refusals_as_the_sdk_sees_them(make_sim: Callable[..., Simulator], mode: str, code: int) -> None:
    sim = make_sim(switches={"express_veo": mode})
    client = genai.Client(vertexai=True, api_key="sim-key", http_options=types.HttpOptions(base_url=sim.vertex_url))
    try:
        with pytest.raises(genai.errors.ClientError) as caught:
            _generate(client, "a lighthouse", duration_seconds=4)
    finally:
        client.close()
    assert caught.value.code == code
    assert sim.stats.accepted_starts == 0
