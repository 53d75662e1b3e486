"""The served videos: real H.264 24 fps MP4s of the requested aspect ratio and exact whole-second duration
(1-40 s), with an AAC track unless audio is off. Durations are read from the mvhd/tkhd/mdhd boxes (no
ffprobe); one ffmpeg decode, when ffmpeg is installed, proves the cut files play."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from sim_helpers import omni_body, omni_create, omni_wait, vertex_body, vertex_poll, vertex_start, videos_of, wait_done

from veo_desktop.paths import resources_dir
from veo_desktop.simulator import mp4
from veo_desktop.simulator.media import Video, clip_bytes, cut_clip

CLIPS = resources_dir() / "clips"


def test_shipped_clips_are_small_40s_masters() -> None:
    files = sorted(CLIPS.glob("*.mp4"))
    names = ["sample_16x9.mp4", "sample_9x16.mp4", "sim_16x9_40s.mp4", "sim_9x16_40s.mp4"]
    assert [f.name for f in files] == names  # the samples are the player's short test clips
    assert sum(f.stat().st_size for f in files) < 1_000_000  # far below the 8 MB budget
    for ratio in ("16:9", "9:16"):
        facts = mp4.durations(clip_bytes(ratio))
        assert facts.movie_s == 40.0 and facts.tracks == {"vide": 40.0, "soun": 40.0}


@pytest.mark.parametrize("ratio", ["16:9", "9:16"])
@pytest.mark.parametrize("audio", [True, False])
def test_every_whole_second_from_1_to_40(ratio: str, audio: bool) -> None:
    for seconds in range(1, 41):
        data = cut_clip(ratio, seconds, audio)
        assert data[4:8] == b"ftyp"
        facts = mp4.durations(data)
        assert facts.movie_s == seconds
        assert facts.tracks == ({"vide": seconds, "soun": seconds} if audio else {"vide": seconds})
        assert facts.media_s["vide"] == seconds  # 24 frames a second, exactly
        if audio:
            assert seconds <= facts.media_s["soun"] < seconds + 0.2  # AAC frames plus the encoder's priming
        duration_s, width, height, fps = mp4.video_facts(data)
        assert duration_s == seconds and fps == 24 and (width > height) == (ratio == "16:9")


def test_durations_refuse_what_is_not_an_mp4() -> None:
    with pytest.raises(mp4.Mp4Error):
        mp4.durations(b"<html>not a video</html>")
    with pytest.raises(ValueError, match="1 to 40"):
        cut_clip("16:9", 41, True)


def test_padded_and_tagged_videos_stay_valid() -> None:
    video = Video.make("16:9", 1_000_000, duration_s=4, tag="sample 1")
    data = b"".join(video.iter_range(0, video.size_bytes))
    assert len(data) == 1_000_000 and mp4.durations(data).movie_s == 4.0
    assert data != b"".join(Video.make("16:9", 1_000_000, duration_s=4, tag="sample 2").iter_range(0, 1_000_000))


def test_what_is_served_has_the_requested_duration(http: httpx.Client, gem: httpx.Client) -> None:
    for seconds, audio in ((4, True), (6, False), (8, True)):
        name = vertex_start(http, vertex_body(durationSeconds=seconds, generateAudio=audio)).json()["name"]
        [video] = videos_of(wait_done(lambda name=name: vertex_poll(http, name)))  # type: ignore[misc]
        assert mp4.durations(video).movie_s == seconds
        assert ("soun" in mp4.durations(video).tracks) is audio
    import base64

    for seconds in (3, 10):
        interaction = omni_wait(gem, omni_create(gem, omni_body(duration=f"{seconds}s")).json()["id"])
        data = base64.b64decode(interaction["steps"][-1]["content"][0]["data"])
        assert mp4.durations(data).tracks == {"vide": seconds, "soun": seconds}  # Omni: audio always


def test_cut_clips_decode_without_errors(tmp_path: Path) -> None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg is not installed")
    for name, data in (("a.mp4", cut_clip("16:9", 7, True)), ("b.mp4", cut_clip("9:16", 37, False))):
        path = tmp_path / name
        path.write_bytes(data)
        result = subprocess.run(
            [ffmpeg, "-v", "error", "-i", str(path), "-f", "null", "-"], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0 and result.stderr == ""
