"""The JSON sidecar beside each video: complete, atomic, readable back."""

from __future__ import annotations

import json
from pathlib import Path

from tests.ui.fixtures_player import completed_view
from veo_desktop.core.request import FrameRef
from veo_desktop.store.videos import SIDECAR_FIELDS, read_sidecar, sidecar_path, write_sidecar


def test_sidecar_has_the_request_costs_and_times(tmp_path: Path) -> None:
    video = tmp_path / "j1-a-fox.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    frame = FrameRef(sha256="f" * 64, mime_type="image/png", width=1280, height=720, size_bytes=10)
    job = completed_view("j1", video, prompt="A fox — em São Paulo", start_frame=frame).job
    written = write_sidecar(job, job.outputs[0])
    assert written == sidecar_path(video) == tmp_path / "j1-a-fox.json"
    data = json.loads(written.read_text(encoding="utf-8"))
    assert set(SIDECAR_FIELDS) <= set(data)
    assert data["prompt"] == "A fox — em São Paulo"
    assert data["start_frame_sha256"] == "f" * 64 and data["end_frame_sha256"] is None
    assert data["operation_name"] == "operations/j1" and data["cost_usd"] == 1.2
    assert read_sidecar(video) == data
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_read_sidecar_tolerates_missing_and_broken_files(tmp_path: Path) -> None:
    video = tmp_path / "v.mp4"
    assert read_sidecar(video) is None
    sidecar_path(video).write_text("{not json", encoding="utf-8")
    assert read_sidecar(video) is None
    sidecar_path(video).write_text("[1, 2]", encoding="utf-8")
    assert read_sidecar(video) is None
