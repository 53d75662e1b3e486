"""Google's own SDK (google-genai 3.x, Vertex AI express mode) works against the simulator unchanged."""

from __future__ import annotations

import time
import warnings

import pytest

from veo_desktop.simulator import Simulator

genai = pytest.importorskip("google.genai")
types = pytest.importorskip("google.genai.types")


def _client(sim: Simulator):  # type: ignore[no-untyped-def]
    return genai.Client(vertexai=True, api_key="sim-key", http_options=types.HttpOptions(base_url=sim.base_url))


def _generate(client, prompt: str, **config):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        # SDK 3.x prefers `source=`; the `prompt=` form still works and is what the brief exercises.
        warnings.simplefilter("ignore", DeprecationWarning)
        return client.models.generate_videos(
            model="veo-3.1-fast-generate-001", prompt=prompt, config=types.GenerateVideosConfig(**config)
        )


def _wait(client, op):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 10
    while not op.done:
        assert time.monotonic() < deadline, "the SDK's operation never finished"
        time.sleep(0.05)
        op = client.operations.get(op)
    return op


def test_sdk_generates_and_polls(sim: Simulator) -> None:
    client = _client(sim)
    try:
        op = _generate(client, "a lighthouse at dawn", aspect_ratio="16:9", duration_seconds=4, number_of_videos=1)
        assert op.name.startswith("projects/123/locations/global/publishers/google/models/veo-3.1-fast-generate-001/")
        op = _wait(client, op)
        video_bytes = op.response.generated_videos[0].video.video_bytes
        assert video_bytes[4:8] == b"ftyp"
        assert op.response.generated_videos[0].video.mime_type == "video/mp4"
    finally:
        client.close()
    assert sim.stats.accepted_starts == 1
    assert sim.stats.starts[0].prompt == "a lighthouse at dawn"


def test_sdk_sees_filter_and_validation_errors(sim: Simulator) -> None:
    client = _client(sim)
    try:
        op = _wait(client, _generate(client, "p [sim:filter]", number_of_videos=2, duration_seconds=4))
        assert op.response.rai_media_filtered_count == 2
        assert op.response.rai_media_filtered_reasons
        assert not op.response.generated_videos
        with pytest.raises(genai.errors.ClientError) as caught:
            _generate(client, "p", resolution="1080p", duration_seconds=4)
        assert caught.value.code == 400
    finally:
        client.close()
