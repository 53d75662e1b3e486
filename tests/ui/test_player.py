"""The player: plays offscreen into its video sink, steps frames, loops, mutes, and reports bad files."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer, QVideoFrame
from PySide6.QtTest import QTest

from tests.ui.fixtures_player import dispose, sample_clip
from tests.ui.helpers import until
from veo_desktop.ui.media.frames import first_frame_of, last_frame_of
from veo_desktop.ui.media.player import PlayerPanel, format_time, step_position


@pytest.mark.parametrize(
    ("position_ms", "frames", "fps", "duration_ms", "expected"),
    [
        (0, 1, 24.0, 8000, 42),  # frame 1 starts at 41.67 ms
        (42, 1, 24.0, 8000, 84),
        (42, -1, 24.0, 8000, 0),
        (0, -1, 24.0, 8000, 0),  # never before the start
        (7990, 1, 24.0, 8000, 7959),  # never past the last frame (191 × 41.67)
        (1000, 1, 10.0, 3000, 1100),
        (1050, -1, 10.0, 3000, 900),  # inside frame 10: one back is frame 9
    ],
)
def test_step_position(position_ms: int, frames: int, fps: float, duration_ms: int, expected: int) -> None:
    assert step_position(position_ms, frames, fps, duration_ms) == expected


@pytest.mark.parametrize(("ms", "text"), [(0, "0:00"), (7_999, "0:07"), (62_000, "1:02"), (3_723_000, "1:02:03")])
def test_format_time(ms: int, text: str) -> None:
    assert format_time(ms) == text


async def test_plays_into_the_video_sink_and_keeps_the_last_frame(tmp_path: Path) -> None:
    clip = sample_clip(tmp_path)
    panel = PlayerPanel()
    panel.resize(640, 400)
    panel.show()
    frames: list[QVideoFrame] = []
    panel.video_sink().videoFrameChanged.connect(
        lambda f: frames.append(f) if f.isValid() and not f.toImage().isNull() else None
    )
    finished: list[bool] = []
    panel.finished.connect(lambda: finished.append(True))
    try:
        panel.play(clip)
        await until(lambda: panel.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState)
        await until(lambda: len(frames) >= 3)
        assert frames[-1].toImage().width() > 0
        image = panel.grab_current_frame()
        assert image is not None and not image.isNull()

        panel.step(1)  # stepping pauses
        assert panel.player.playbackState() == QMediaPlayer.PlaybackState.PausedState
        before = panel.player.position()
        panel.step(2)
        await until(lambda: panel.player.position() > before)

        panel.player.setPosition(2_500)
        panel.player.play()
        await until(lambda: finished, timeout_s=15)
        assert panel.grab_current_frame() is not None  # still there after the end
    finally:
        panel.stop()
        await dispose(panel)


async def test_a_missing_file_is_an_error_in_plain_words_and_finishes(tmp_path: Path) -> None:
    panel = PlayerPanel()
    errors: list[str] = []
    finished: list[bool] = []
    panel.errorShown.connect(errors.append)
    panel.finished.connect(lambda: finished.append(True))
    panel.play(tmp_path / "gone.mp4")
    assert finished == [True]
    assert "missing" in errors[0] and "gone.mp4" in errors[0]
    await dispose(panel)


async def test_a_corrupt_file_is_an_error_and_finishes_once(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypisom" + b"garbage" * 200)
    panel = PlayerPanel()
    errors: list[str] = []
    finished: list[bool] = []
    panel.errorShown.connect(errors.append)
    panel.finished.connect(lambda: finished.append(True))
    try:
        panel.play(bad)
        await until(lambda: finished)
        await asyncio.sleep(0.2)
        assert finished == [True] and len(errors) == 1
        assert "QMediaPlayer" not in errors[0]
    finally:
        await dispose(panel)


def test_keyboard_mute_loop_and_play_pause(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    panel = PlayerPanel()
    qtbot.addWidget(panel)
    with qtbot.waitActive(panel):  # a sync test: a short nested wait is safe here
        panel.show()
        panel.activateWindow()
    panel.setFocus()
    QTest.keyClick(panel, Qt.Key.Key_M)
    assert panel.audio.isMuted()
    QTest.keyClick(panel, Qt.Key.Key_M)
    assert not panel.audio.isMuted()
    QTest.keyClick(panel, Qt.Key.Key_L)
    assert panel.player.loops() == QMediaPlayer.Loops.Infinite
    panel.toggle_loop()
    assert panel.player.loops() == QMediaPlayer.Loops.Once
    panel.toggle_play()  # nothing loaded: a no-op, not a crash
    assert panel.player.playbackState() == QMediaPlayer.PlaybackState.StoppedState


async def test_first_and_last_frame_helpers(tmp_path: Path) -> None:
    clip = sample_clip(tmp_path)
    first = await first_frame_of(clip)
    last = await last_frame_of(clip)
    assert first is not None and last is not None
    assert (last.width(), last.height()) == (320, 180)
    assert first != last  # the test pattern's counter moved on
    assert await last_frame_of(tmp_path / "missing.mp4") is None
    await dispose()  # let the grabbers' deferred deletes run


async def test_the_windows_continue_decoder_matches_the_engines(tmp_path: Path) -> None:
    """`last_frame_png` (Qt's FFmpeg, the window's and the bundle's) gives the same picture as the engine's PyAV
    decoder, as PNG bytes, and refuses a missing or broken file with one sentence naming it."""
    import io

    from PIL import Image, ImageChops, ImageStat

    from veo_desktop.core.validation import ValidationError
    from veo_desktop.engine.stills import last_frame_of as pyav_last_frame
    from veo_desktop.ui.media.frames import last_frame_png

    clip = sample_clip(tmp_path)
    qt_png = await last_frame_png(clip, label="The video of job j1")
    av_png = await pyav_last_frame(clip, label="The video of job j1")
    qt_image, av_image = (Image.open(io.BytesIO(png)).convert("RGB") for png in (qt_png, av_png))
    assert qt_png.startswith(b"\x89PNG") and qt_image.size == av_image.size == (320, 180)
    difference = ImageStat.Stat(ImageChops.difference(qt_image, av_image)).mean
    assert max(difference) < 4, difference  # the same last picture (colour conversion may differ by a level or two)
    with pytest.raises(ValidationError, match=r"The video of job j1 is missing .*missing\.mp4"):
        await last_frame_png(tmp_path / "missing.mp4", label="The video of job j1")
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video" * 100)
    with pytest.raises(ValidationError, match="cannot be decoded"):
        await last_frame_png(broken, label="The video of job j1")
    await dispose()
