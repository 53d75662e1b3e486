"""The video player: play/pause, seek, loop, volume and mute, frame stepping, errors in plain words.

The frames the widget shows are also kept (the last valid one) so "use the last frame as the next start
frame" can take the picture on screen without decoding the file again. Errors end playback: Qt never sends
EndOfMedia after an error, so `finished` is emitted for both.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QKeyCombination, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QIcon, QImage, QKeySequence, QShortcut
from PySide6.QtMultimedia import QAudioOutput, QMediaMetaData, QMediaPlayer, QVideoFrame, QVideoSink
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QStackedLayout,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

DEFAULT_FPS = 24.0  # Veo renders at 24 fps; used when the file does not say
DEFAULT_VOLUME = 0.8


def format_time(ms: int) -> str:
    """`0:07`, `1:02:03`: what a person reads under a video."""
    total_s = max(0, ms) // 1000
    hours, rest = divmod(total_s, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def step_position(position_ms: int, frames: int, fps: float, duration_ms: int) -> int:
    """The position `frames` frames away from the frame shown at `position_ms`, clamped to the video."""
    frame_ms = 1000.0 / fps
    current = math.floor(position_ms / frame_ms + 1e-6)
    target = max(0, current + frames)
    position = math.ceil(target * frame_ms - 1e-6)
    if duration_ms > 0:
        last_frame = max(0, math.ceil(duration_ms / frame_ms) - 1)
        position = min(position, math.ceil(last_frame * frame_ms - 1e-6))
    return position


class PlayerPanel(QWidget):
    """A QMediaPlayer in a QVideoWidget with a control bar. `play(path)` shows a video; `stop()` stops."""

    finished = Signal()  # played to the end (not looping) or stopped by an error
    errorShown = Signal(str)  # the plain-words message now on screen

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("playerPanel")
        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.audio.setVolume(DEFAULT_VOLUME)
        self.player.setAudioOutput(self.audio)
        self._video = QVideoWidget(self)
        self._video.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._video.setAccessibleName(self.tr("Video"))
        self.player.setVideoOutput(self._video)
        self._last_frame: QVideoFrame | None = None
        self._path: Path | None = None
        self._errored = False
        self._build()
        self._connect()
        self._add_shortcuts()
        self._show_message(self.tr("Select a finished video to play it here."))
        self._sync_controls()

    # --- public API -------------------------------------------------------------------------------

    def video_sink(self) -> QVideoSink:
        return self._video.videoSink()

    def current_path(self) -> Path | None:
        return self._path

    def play(self, path: Path) -> None:
        """Show `path` and start playing it. A missing file is reported, not raised."""
        self.player.stop()
        self._path = Path(path)
        self._last_frame = None
        self._errored = False
        if not self._path.is_file():
            self.player.setSource(QUrl())
            self._fail(
                self.tr("This video file is missing. It may have been moved or deleted:\n%1").replace(
                    "%1", str(self._path)
                )
            )
            return
        self._stack.setCurrentWidget(self._video)
        self.player.setSource(QUrl.fromLocalFile(str(self._path)))
        self.player.play()

    def stop(self) -> None:
        self.player.stop()

    def grab_current_frame(self) -> QImage | None:
        """The picture last shown (kept after the end of the video), or None."""
        if self._last_frame is None:
            return None
        image = self._last_frame.toImage()
        return None if image.isNull() else image

    def frames_per_second(self) -> float:
        rate = self.player.metaData().value(QMediaMetaData.Key.VideoFrameRate)
        try:
            fps = float(rate)
        except (TypeError, ValueError):
            return DEFAULT_FPS
        return fps if 1.0 <= fps <= 240.0 else DEFAULT_FPS

    # --- actions (also the keyboard shortcuts) ---------------------------------------------------------

    @Slot()
    def toggle_play(self) -> None:
        if self.player.source().isEmpty():
            return
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            if self.player.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia:
                self.player.setPosition(0)
            self.player.play()

    @Slot()
    def step_forward(self) -> None:
        self.step(1)

    @Slot()
    def step_back(self) -> None:
        self.step(-1)

    def step(self, frames: int) -> None:
        """Pause and move `frames` frames (negative: back)."""
        if self.player.source().isEmpty():
            return
        self.player.pause()
        target = step_position(self.player.position(), frames, self.frames_per_second(), self.player.duration())
        self.player.setPosition(target)

    @Slot()
    def toggle_mute(self) -> None:
        self.audio.setMuted(not self.audio.isMuted())

    @Slot()
    def toggle_loop(self) -> None:
        self._loop.toggle()

    # --- construction ---------------------------------------------------------------------------------

    def _build(self) -> None:
        self._message = QLabel(self)
        self._message.setObjectName("playerMessage")
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        screen = QWidget(self)
        screen.setObjectName("playerScreen")
        self._stack = QStackedLayout(screen)
        self._stack.addWidget(self._video)
        self._stack.addWidget(self._message)

        style = self.style()
        self._play_button = self._tool(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), self.tr("Play (Space)"), self.tr("Play")
        )
        self._back_button = self._tool(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekBackward),
            self.tr("Previous frame (Left)"),
            self.tr("Previous frame"),
        )
        self._forward_button = self._tool(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward),
            self.tr("Next frame (Right)"),
            self.tr("Next frame"),
        )
        self._position_label = QLabel(format_time(0), self)
        self._position_label.setAccessibleName(self.tr("Current time"))
        self._duration_label = QLabel(format_time(0), self)
        self._duration_label.setAccessibleName(self.tr("Duration"))
        self._seek = QSlider(Qt.Orientation.Horizontal, self)
        self._seek.setAccessibleName(self.tr("Seek"))
        self._seek.setToolTip(self.tr("Seek"))
        self._seek.setRange(0, 0)
        self._seek.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 6)  # never squeezed to a square
        self._loop = self._tool(
            style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), self.tr("Loop (L)"), self.tr("Loop")
        )
        self._loop.setCheckable(True)
        self._mute = self._tool(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaVolume), self.tr("Mute (M)"), self.tr("Mute")
        )
        self._mute.setCheckable(True)
        self._volume = QSlider(Qt.Orientation.Horizontal, self)
        self._volume.setRange(0, 100)
        self._volume.setValue(round(DEFAULT_VOLUME * 100))
        self._volume.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 6)  # the seek bar gets the room
        self._volume.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 3)
        self._volume.setAccessibleName(self.tr("Volume"))
        self._volume.setToolTip(self.tr("Volume"))

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        leading: tuple[QWidget, ...] = (
            self._play_button,
            self._back_button,
            self._forward_button,
            self._position_label,
        )
        trailing: tuple[QWidget, ...] = (self._duration_label, self._loop, self._mute, self._volume)
        for widget in leading:
            bar.addWidget(widget)
        bar.addWidget(self._seek, 1)
        for widget in trailing:
            bar.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(screen, 1)
        layout.addLayout(bar)

    def _tool(self, icon: QIcon, tooltip: str, accessible_name: str) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(icon)
        button.setToolTip(tooltip)
        button.setAccessibleName(accessible_name)
        button.setAutoRaise(True)
        return button

    def _connect(self) -> None:
        self._play_button.clicked.connect(self.toggle_play)
        self._back_button.clicked.connect(self.step_back)
        self._forward_button.clicked.connect(self.step_forward)
        self._seek.sliderMoved.connect(self.player.setPosition)
        self._seek.actionTriggered.connect(self._on_seek_action)
        self._loop.toggled.connect(self._on_loop_toggled)
        self._mute.toggled.connect(self.audio.setMuted)
        self.audio.mutedChanged.connect(self._on_muted_changed)
        self._volume.valueChanged.connect(lambda value: self.audio.setVolume(value / 100))
        self.player.positionChanged.connect(self._on_position)
        self.player.durationChanged.connect(self._on_duration)
        self.player.playbackStateChanged.connect(self._sync_controls)
        self.player.mediaStatusChanged.connect(self._on_status)
        self.player.errorOccurred.connect(self._on_error)
        self.video_sink().videoFrameChanged.connect(self._on_frame)

    def _add_shortcuts(self) -> None:
        keys = (
            (Qt.Key.Key_Space, self.toggle_play),
            (Qt.Key.Key_Left, self.step_back),
            (Qt.Key.Key_Right, self.step_forward),
            (Qt.Key.Key_M, self.toggle_mute),
            (Qt.Key.Key_L, self.toggle_loop),
        )
        for key, slot in keys:
            shortcut = QShortcut(QKeySequence(QKeyCombination(key)), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    # --- player signals ---------------------------------------------------------------------------------

    @Slot(QVideoFrame)
    def _on_frame(self, frame: QVideoFrame) -> None:
        if frame.isValid():  # the sink gets an empty frame at the end; keep the last picture
            self._last_frame = frame

    @Slot("qint64")
    def _on_position(self, position_ms: int) -> None:
        if not self._seek.isSliderDown():
            self._seek.setValue(position_ms)
        self._position_label.setText(format_time(position_ms))

    @Slot("qint64")
    def _on_duration(self, duration_ms: int) -> None:
        self._seek.setRange(0, max(0, duration_ms))
        self._seek.setPageStep(max(1000, duration_ms // 10))
        self._duration_label.setText(format_time(duration_ms))

    @Slot(int)
    def _on_seek_action(self, _action: int) -> None:
        # Clicks on the groove and keyboard moves of the slider seek too, not only drags.
        if not self._seek.isSliderDown():
            self.player.setPosition(self._seek.sliderPosition())

    @Slot(bool)
    def _on_loop_toggled(self, on: bool) -> None:
        self.player.setLoops(QMediaPlayer.Loops.Infinite if on else QMediaPlayer.Loops.Once)

    @Slot(bool)
    def _on_muted_changed(self, muted: bool) -> None:
        self._mute.setChecked(muted)
        icon = QStyle.StandardPixmap.SP_MediaVolumeMuted if muted else QStyle.StandardPixmap.SP_MediaVolume
        self._mute.setIcon(self.style().standardIcon(icon))

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.InvalidMedia:
            self._fail(self.tr("This file cannot be played. It may be damaged or not a video."))
        elif status == QMediaPlayer.MediaStatus.EndOfMedia:
            self.finished.emit()
        self._sync_controls()

    def _on_error(self, error: QMediaPlayer.Error, _detail: str) -> None:
        if error == QMediaPlayer.Error.NoError:
            return
        messages = {
            QMediaPlayer.Error.ResourceError: self.tr(
                "This video could not be opened. It may have been moved, deleted or damaged."
            ),
            QMediaPlayer.Error.FormatError: self.tr("This video's format is not supported on this computer."),
            QMediaPlayer.Error.NetworkError: self.tr("The video could not be read. Please try again."),
            QMediaPlayer.Error.AccessDeniedError: self.tr(
                "Veo Desktop is not allowed to read this video. Check the file's permissions."
            ),
        }
        self._fail(messages.get(error, self.tr("This video cannot be played.")))

    def _fail(self, message: str) -> None:
        if self._errored:  # InvalidMedia and errorOccurred arrive together: one message, one finish
            return
        self._errored = True
        self._show_message(message)
        self._sync_controls()
        self.errorShown.emit(message)
        self.finished.emit()

    def _show_message(self, message: str) -> None:
        self._message.setText(message)
        self._stack.setCurrentWidget(self._message)

    def _sync_controls(self) -> None:
        playing = self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self._play_button.setIcon(self.style().standardIcon(icon))
        label = self.tr("Pause") if playing else self.tr("Play")
        self._play_button.setAccessibleName(label)
        self._play_button.setToolTip(self.tr("%1 (Space)").replace("%1", label))
        usable = not self.player.source().isEmpty() and not self._errored
        for widget in (self._play_button, self._back_button, self._forward_button, self._seek):
            widget.setEnabled(usable)
