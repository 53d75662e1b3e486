"""The job detail's "Sent to Google / Google returned" tab: every field of the start request (images by
content hash, parents by job id) and what came back (rewritten prompt, seed, filter reasons, usage tokens;
for a job without a finished video, what its row knows: operation name, filter reasons, error).

The record comes from `Engine.job_record` (the sidecar is read off the GUI thread), loaded again when the
selected job changes or moves on. It shares its place with the event history (a tab each, so the queue keeps
its rows); the values are selectable, and "Copy as JSON" puts the whole record on the clipboard. Side by side
when the detail is wide enough, one under the other (scrolling) when it is not.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from veo_desktop.engine.api import Engine, JobRecord, JobView
from veo_desktop.ui.queue.status_text import tr
from veo_desktop.ui.support.i18n import money_text, number_text

Run = Callable[..., None]  # (name, coroutine, *, replace=False): the panel's kept-task runner

SIDE_BY_SIDE_MIN_W = 620  # narrower than this, "Google returned" goes under "Sent to Google"
HINT_H = 110  # as tall as the event history asks: the record scrolls rather than push the queue's rows away
HASH_SHOWN = 8  # "sha256 1a2b3c4d…"
LONG_VALUE = 60  # a value this long also shows whole in its tooltip


def _labels() -> dict[str, str]:
    """Human labels of the record's keys (each a literal `tr()`, so lupdate finds it)."""
    return {
        "model": tr("Model"),
        "prompt": tr("Prompt"),
        "negative_prompt": tr("Negative prompt"),
        "aspect_ratio": tr("Aspect ratio"),
        "duration_s": tr("Duration"),
        "resolution": tr("Resolution"),
        "sample_count": tr("Variations"),
        "generate_audio": tr("Audio"),
        "enhance_prompt": tr("Prompt rewriting"),
        "seed": tr("Seed"),
        "person_generation": tr("People"),
        "resize_mode": tr("Resize"),
        "compression_quality": tr("Quality"),
        "start_frame_sha256": tr("Start frame"),
        "end_frame_sha256": tr("End frame"),
        "reference_images_sha256": tr("Reference images"),
        "extends_job_id": tr("Extends"),
        "refines_job_id": tr("Refines"),
        "continues_job_id": tr("Continues"),
        "batch": tr("Batch"),
        "operation_name": tr("Operation"),
        "rewritten_prompt": tr("Rewritten prompt"),
        "videos_requested": tr("Videos asked for"),
        "videos_delivered": tr("Videos delivered"),
        "filtered_count": tr("Filtered videos"),
        "filter_reasons": tr("Filter reasons"),
        "usage": tr("Tokens"),
        "actual_cost_usd": tr("Cost by Google's usage"),
        "refund_usd": tr("Refunded"),
        "response_summary": tr("Response"),
        "error_kind": tr("Error kind"),
        "error_message": tr("Error"),
        "note": tr("Note"),
    }


def _none_text(key: str) -> str:
    """What an empty value means for this key."""
    if key == "seed":
        return tr("Google chooses")
    if key in ("person_generation", "resize_mode", "compression_quality"):
        return tr("provider default")
    if key == "rewritten_prompt":
        return tr("not reported")
    if key == "operation_name":
        return tr("not yet")
    return tr("none")


def short_hash(value: str) -> str:
    return f"sha256 {value[:HASH_SHOWN]}…" if len(value) > HASH_SHOWN else f"sha256 {value}"


def value_text(key: str, value: Any) -> str:
    """One value as a person reads it: "off", "42", "8 s", "sha256 1a2b3c4d…", "input 120 · video 5,792"."""
    if value is None or value == "" or value == []:
        return _none_text(key)
    if isinstance(value, bool):
        return tr("on") if value else tr("off")
    if key.endswith("_sha256"):
        hashes = value if isinstance(value, list) else [value]
        return ", ".join(short_hash(str(h)) for h in hashes)
    if key == "duration_s":
        return tr("%1 s").replace("%1", str(value))
    if key.endswith("_usd") and isinstance(value, int | float):
        return money_text(round(value * 1_000_000))
    if key == "usage" and isinstance(value, Mapping):
        return _usage_text(value)
    if isinstance(value, int):
        return number_text(value) if key != "seed" else str(value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _usage_text(usage: Mapping[str, Any]) -> str:
    parts = (
        (tr("input %1"), usage.get("input_tokens")),
        (tr("video %1"), usage.get("video_tokens")),
        (tr("other %1"), usage.get("other_output_tokens")),
    )
    shown = [text.replace("%1", number_text(int(n))) for text, n in parts if isinstance(n, int)]
    return " · ".join(shown) or tr("none")


def record_rows(fields: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) for every key, in the record's order; unknown keys keep their own name."""
    labels = _labels()
    return [(labels.get(key, key.replace("_", " ")), value_text(key, value)) for key, value in fields.items()]


class _Form(QWidget):
    """A heading over label/value rows (a grid: a QFormLayout wraps long values at the wrong width); the
    values are selectable with the mouse and the keyboard."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.heading = QLabel(self)
        self.heading.setObjectName("recordHeading")
        bold = self.heading.font()
        bold.setWeight(bold.Weight.DemiBold)
        self.heading.setFont(bold)
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(2)
        self.grid.setColumnStretch(1, 1)
        self._rows: list[tuple[QLabel, QLabel]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.heading)
        layout.addLayout(self.grid)
        layout.addStretch(1)

    def fill(self, heading: str, rows: list[tuple[str, str]]) -> None:
        self.heading.setText(heading)
        for key, field in self._rows:
            for widget in (key, field):
                self.grid.removeWidget(widget)
                widget.hide()
                widget.deleteLater()
        self._rows = []
        top = Qt.AlignmentFlag.AlignTop
        flags = Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        for row, (label, value) in enumerate(rows):
            key = QLabel(label, self)
            key.setObjectName("recordLabel")
            field = QLabel(value, self)
            field.setObjectName("recordValue")
            field.setTextFormat(Qt.TextFormat.PlainText)
            field.setWordWrap(True)
            field.setAccessibleName(label)
            field.setTextInteractionFlags(flags)
            policy = field.sizePolicy()  # keeps its height-for-width: wrapped lines get their height
            policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)  # a long token never widens the form
            field.setSizePolicy(policy)
            if len(value) > LONG_VALUE:
                field.setToolTip(value)
            key.setBuddy(field)
            self.grid.addWidget(key, row, 0, top)
            self.grid.addWidget(field, row, 1, top)
            self._rows.append((key, field))

    def rows(self) -> list[tuple[str, str]]:
        """What the form shows, (label, value) per row (for tests and the accessibility check)."""
        return [(key.text(), field.text()) for key, field in self._rows]


class RecordSection(QScrollArea):
    """The "Sent to Google / Google returned" tab of the job detail (its "Copy as JSON" button goes in the
    tabs' corner: `copy_button`)."""

    message = Signal(str)

    def __init__(self, engine: Engine, run: Run, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordSection")
        self.setAccessibleName(self.tr("What was sent to Google and what came back"))
        self.engine = engine
        self._run = run
        self._key: tuple[Any, ...] | None = None
        self._ended = False  # the shown job is finished, failed or cancelled
        self.record: JobRecord | None = None
        self.copy_button = QToolButton()
        self.copy_button.setObjectName("detailTool")
        self.copy_button.setText(self.tr("Copy as JSON"))
        self.copy_button.setAccessibleName(self.tr("Copy what was sent and returned as JSON"))
        self.copy_button.setEnabled(False)
        self.sent = _Form("recordSent")
        self.returned = _Form("recordReturned")
        inner = QWidget()
        self._columns = QBoxLayout(QBoxLayout.Direction.TopToBottom, inner)
        self._columns.setContentsMargins(2, 4, 6, 4)
        self._columns.setSpacing(10)
        self._columns.addWidget(self.sent, 1)
        self._columns.addWidget(self.returned, 1)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)  # the width never jumps
        self.setWidget(inner)
        self.copy_button.clicked.connect(self.copy_json)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), HINT_H)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        wide = event.size().width() >= SIDE_BY_SIDE_MIN_W
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self._columns.direction() != direction:
            self._columns.setDirection(direction)

    # --- the record ------------------------------------------------------------------------------------
    def show_view(self, view: JobView | None) -> None:
        """Load the record of this job when it is another job or it moved on (status, attempt, files)."""
        if view is None:
            self._key, self.record = None, None
            self.copy_button.setEnabled(False)
            return
        job = view.job
        key = (job.id, job.status, job.attempt, job.operation_name, len(job.outputs), job.error_message, job.note)
        if key == self._key:
            return
        if self._key is None or self._key[0] != job.id:
            self.record = None  # another job: nothing of the previous one stays on show while it loads
            self.copy_button.setEnabled(False)
            self.sent.fill("", [])
            self.returned.fill("", [])
        self._ended = job.status.is_terminal
        self._key = key
        self._run("record", self._load(job.id, key), replace=True)

    async def _load(self, job_id: str, key: tuple[Any, ...]) -> None:
        record = await self.engine.job_record(job_id)
        if self._key == key:
            self.set_record(record)

    def set_record(self, record: JobRecord) -> None:
        self.record = record
        if record.sent_yet:
            sent = self.tr("Sent to Google")
        elif self._ended:  # cancelled (or failed here) before its start request left
            sent = self.tr("Never sent to Google (it would have been)")
        else:
            sent = self.tr("Will be sent to Google")
        self.sent.fill(sent, record_rows(record.sent))
        answered = {k: v for k, v in record.returned.items() if v not in (None, "", [])}
        if answered or record.from_sidecar:
            self.returned.fill(self.tr("Google returned"), record_rows(record.returned))
        elif not record.sent_yet and self._ended:
            self.returned.fill(self.tr("Nothing came back: nothing was sent"), [])
        else:
            self.returned.fill(self.tr("Google has not answered yet"), [])
        self.copy_button.setEnabled(True)

    def copy_json(self) -> None:
        if self.record is None:
            return
        text = json.dumps(self.record.as_json(), indent=2, ensure_ascii=False)
        QGuiApplication.clipboard().setText(text)
        self.message.emit(self.tr("Copied what was sent to Google and what came back, as JSON."))
