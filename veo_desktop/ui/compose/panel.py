"""The composer: prompt, negative prompt, the video settings (`choices.VideoChoices`), start/end frames,
count, cost, and the Generate button.

Generate validates, awaits `engine.submit` (which returns at once) and restores the button in `finally`;
clicks while a submit is in flight, or within a double-click interval after one, are ignored, so a
double-click queues once. Errors appear beside their field in plain words; nothing is cleared from the form.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from veo_desktop.core.catalogue import ModelInfo
from veo_desktop.core.errors import BudgetExceeded, StoreError
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.core.validation import MAX_COUNT, ValidationError
from veo_desktop.engine.api import Engine, QueueSnapshot
from veo_desktop.settings import Settings
from veo_desktop.ui.compose.batch import BatchQueuer, batch_file_path
from veo_desktop.ui.compose.choices import CHOICE_ERROR_FIELDS, VideoChoices, field_error_label, field_label
from veo_desktop.ui.compose.controls import CONTROL_FIELDS, RequestControls
from veo_desktop.ui.compose.frame_slots import FRAME_FIELDS, FrameSlots
from veo_desktop.ui.compose.references import ReferenceSlots
from veo_desktop.ui.compose.spending import SpendingLine
from veo_desktop.ui.support.i18n import money_text, number_text
from veo_desktop.ui.support.tasks import TaskKeeper

_ERROR_FIELDS = ("prompt", "negative_prompt", "count", "cost", "general")


class ComposePanel(QWidget):
    submitted = Signal(int)  # how many jobs were queued
    editSaved = Signal(str)  # job id
    message = Signal(str)  # a short note for the status bar

    def __init__(self, engine: Engine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composePanel")
        self.engine = engine
        self.tasks = TaskKeeper()
        self._edit_job_id: str | None = None
        self._continues: tuple[str, str] | None = None  # (job id, sha256): a start frame that is a video's last frame
        self._negative_allowed = True
        self._quiet_until: tuple[object, float] = (None, 0.0)  # (what was queued, until when)
        self._errors: dict[str, QLabel] = {f: field_error_label(self) for f in _ERROR_FIELDS}
        self._build()
        self._errors.update((f, self.choices.errors[f]) for f in CHOICE_ERROR_FIELDS)
        self._connect()
        self._on_model_changed()
        self._on_prompt_changed()

    # --- layout --------------------------------------------------------------------------------------
    def _build(self) -> None:
        self._heading = QLabel(self.tr("New video"), self)
        self._heading.setObjectName("panelTitle")
        self.prompt = QPlainTextEdit(self)
        self.prompt.setPlaceholderText(self.tr("Describe the video: subject, action, style, camera, sound…"))
        self.prompt.setAccessibleName(self.tr("Prompt"))
        self.prompt.setTabChangesFocus(True)
        self.prompt.setMinimumHeight(110)
        self._counter = QLabel(self)
        self._counter.setObjectName("counter")
        self._counter.setAccessibleName(self.tr("Prompt length"))
        self.negative = QPlainTextEdit(self)
        self.negative.setPlaceholderText(self.tr("What to avoid (optional)"))
        self.negative.setAccessibleName(self.tr("Negative prompt"))
        self.negative.setTabChangesFocus(True)
        self.negative.setFixedHeight(52)
        self.choices = VideoChoices(self.engine, self)
        self.controls = RequestControls(self.engine.provider_name, self)
        self.frames = FrameSlots(self.engine, self.tasks, self)
        self.references = ReferenceSlots(self.engine, self.tasks, self)
        self.batch = BatchQueuer(self.engine, self.tasks, self.current_request, self)
        self.setAcceptDrops(True)
        self.count = QSpinBox(self)
        self.count.setRange(1, MAX_COUNT)
        self.count.setAccessibleName(self.tr("Number of videos"))
        self.count.setToolTip(self.tr("How many videos of this request to queue"))
        self.cost = QLabel(self)
        self.cost.setObjectName("costLabel")
        self.cost.setAccessibleName(self.tr("Cost of this request"))
        self.spending = SpendingLine(self)
        self.generate_button = QPushButton(self.tr("Generate"), self)
        self.generate_button.setObjectName("primaryButton")
        self.generate_button.setAccessibleName(self.tr("Generate"))
        self.generate_button.setToolTip(self.tr("Queue this request (Ctrl+Enter)"))
        self.generate_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.cancel_edit_button = QPushButton(self.tr("Cancel edit"), self)
        self.cancel_edit_button.setAccessibleName(self.tr("Cancel edit"))
        self.cancel_edit_button.hide()
        self._lay_out()

    def _lay_out(self) -> None:
        e = self._errors
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(8)
        layout.addWidget(self._heading)
        prompt_head = QHBoxLayout()
        prompt_head.addWidget(field_label(self.tr("Prompt"), self))
        prompt_head.addStretch(1)
        prompt_head.addWidget(self._counter)
        layout.addLayout(prompt_head)
        layout.addWidget(self.prompt, 1)
        layout.addWidget(e["prompt"])
        layout.addWidget(field_label(self.tr("Negative prompt"), self))
        layout.addWidget(self.negative)
        layout.addWidget(e["negative_prompt"])
        layout.addSpacing(4)
        layout.addWidget(self.choices)
        layout.addSpacing(4)
        layout.addWidget(self.controls)
        layout.addSpacing(4)
        layout.addWidget(self.frames)
        layout.addWidget(self.references)
        footer = QHBoxLayout()
        footer.setSpacing(8)
        footer.addWidget(field_label(self.tr("Videos"), self))
        footer.addWidget(self.count)
        footer.addStretch(1)
        footer.addWidget(self.cost)
        layout.addLayout(footer)
        layout.addWidget(e["count"])
        layout.addWidget(self.spending)
        layout.addWidget(e["cost"])
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_edit_button)
        buttons.addWidget(self.generate_button, 1)
        layout.addLayout(buttons)
        layout.addWidget(e["general"])
        layout.addWidget(self.batch)

    def apply_settings(self, settings: Settings) -> None:
        """New settings were saved: the provider (and so the models on offer) may have changed. Keeps the
        chosen model when it still exists."""
        self.choices.reload_models()

    def focus_prompt(self) -> None:
        self.prompt.setFocus()

    def _connect(self) -> None:
        self.prompt.textChanged.connect(self._on_prompt_changed)
        self.negative.textChanged.connect(lambda: self._clear_error("negative_prompt"))
        self.choices.model.currentIndexChanged.connect(lambda _i: self._clear_error("model"))
        self.choices.modelChanged.connect(self._on_model_changed)
        self.choices.changed.connect(self._on_settings_changed)
        self.count.valueChanged.connect(lambda _v: self._on_settings_changed())
        self.controls.changed.connect(self._on_settings_changed)
        self.frames.changed.connect(self._on_inputs_changed)
        self.references.changed.connect(self._on_inputs_changed)
        self.batch.submitted.connect(self.submitted)
        self.batch.message.connect(self.message)
        self.generate_button.clicked.connect(self.generate)
        self.cancel_edit_button.clicked.connect(self.end_edit)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(self.generate)

    # --- model-dependent choices ---------------------------------------------------------------------
    def current_model(self) -> ModelInfo | None:
        return self.choices.current_model()

    def _on_model_changed(self) -> None:
        model = self.current_model()
        self.frames.set_model(model)
        self.references.set_model(model)
        self.controls.set_model(model, self.engine.provider_name)
        self._update_negative_enabled()
        self._on_inputs_changed()

    def _on_inputs_changed(self) -> None:
        """Frames and reference images exclude each other: the other group is disabled with the reason,
        and references force the length they need."""
        has_frames = self.frames.frame("start_frame") is not None
        refs = self.references.references()
        self.references.set_blocked(
            self.tr("Reference images cannot be combined with start or end frames; remove the frames first")
            if has_frames
            else ""
        )
        self.frames.setEnabled(not refs)
        self.frames.setToolTip(
            self.tr("Start and end frames cannot be combined with reference images; remove the references first")
            if refs
            else ""
        )
        self.controls.set_has_start_frame(has_frames)
        model = self.current_model()
        needed = model.reference_duration_s if model is not None and refs else None
        why = self.tr("Reference images need %1 s videos").replace("%1", str(needed))
        self.choices.require_duration(needed, why)
        self._on_settings_changed()

    def _update_negative_enabled(self) -> None:
        """Gemini Omni Flash takes no negative prompt: the field keeps its text but is not sent."""
        model = self.current_model()
        self._negative_allowed = model is None or model.rules(self.engine.provider_name).negative_prompt
        self.negative.setEnabled(self._negative_allowed)
        why = "" if model is None else self.tr("%1 does not take a negative prompt").replace("%1", model.display_name)
        self.negative.setToolTip("" if self._negative_allowed else why)

    def _on_prompt_changed(self) -> None:
        limit = self.engine.catalogue.prompt_max_chars
        n = len(self.prompt.toPlainText().strip())
        self._counter.setText(self.tr("%1 / %2").replace("%1", number_text(n)).replace("%2", number_text(limit)))
        self._counter.setProperty("over", n > limit)
        self._counter.style().unpolish(self._counter)
        self._counter.style().polish(self._counter)
        self._clear_error("prompt")
        self._show_cost()

    def _on_settings_changed(self) -> None:
        for f in ("settings", "sample_count", "count", "cost"):
            self._clear_error(f)
        self._show_cost()

    def _show_cost(self) -> None:
        """The live price; Omni's estimate counts the prompt's characters, so the prompt re-prices too."""
        request = self.current_request()
        count = self.count.value()
        each = self.engine.quote_micros(request, 1)
        if count > 1:
            self.cost.setText(
                self.tr("%1 × %2 = %3")
                .replace("%1", number_text(count))
                .replace("%2", money_text(each))
                .replace("%3", money_text(self.engine.quote_micros(request, count)))
            )
        else:
            self.cost.setText(self.tr("Cost: %1").replace("%1", money_text(each)))

    # --- the request ---------------------------------------------------------------------------------
    def current_request(self) -> GenerationRequest:
        return GenerationRequest(
            **self.choices.request_fields(),
            **self.controls.request_fields(),
            prompt=self.prompt.toPlainText(),
            negative_prompt=self.negative.toPlainText() if self._negative_allowed else "",
            start_frame=self.frames.frame("start_frame"),
            end_frame=self.frames.frame("end_frame"),
            reference_images=self.references.references(),
            continues_job_id=self._continued_job(),
        )

    def _continued_job(self) -> str | None:
        """The job whose last frame the start frame still is (the link goes when the frame is changed)."""
        start, link = self.frames.frame("start_frame"), self._continues
        return link[0] if link and start and start.sha256 == link[1] else None

    def load_request(self, request: GenerationRequest, *, edit_job_id: str | None = None) -> None:
        """Fill the form (Duplicate into composer, Edit). With `edit_job_id`, Generate saves the edit."""
        self.choices.load(request)
        self.prompt.setPlainText(request.prompt)
        self.negative.setPlainText(request.negative_prompt)
        self.frames.load(request)
        start, parent = request.start_frame, request.continues_job_id
        self._continues = (parent, start.sha256) if parent and start else None
        self.references.load(request)
        self.controls.load(request)
        self._edit_job_id = edit_job_id
        editing = edit_job_id is not None
        self._heading.setText(self.tr("Edit waiting video") if editing else self.tr("New video"))
        self.generate_button.setText(self.tr("Save changes") if editing else self.tr("Generate"))
        self.cancel_edit_button.setVisible(editing)
        self.count.setEnabled(not editing)
        self._clear_errors()
        self.prompt.setFocus()

    def end_edit(self) -> None:
        self._edit_job_id = None
        self._heading.setText(self.tr("New video"))
        self.generate_button.setText(self.tr("Generate"))
        self.cancel_edit_button.hide()
        self.count.setEnabled(True)

    @property
    def editing_job_id(self) -> str | None:
        return self._edit_job_id

    # --- frames --------------------------------------------------------------------------------------
    def set_start_frame(self, frame: FrameRef, *, continues_job_id: str | None = None) -> None:
        """Use an image already in the frames folder as the start frame; `continues_job_id`: it is that job's
        last frame, and a video queued with it is linked to that job (its chain shows "continues")."""
        self.frames.set_frame("start_frame", frame)
        self._continues = (continues_job_id, frame.sha256) if continues_job_id else None

    def clear_frame(self, field: str) -> None:
        self.frames.clear(field)

    def frame(self, field: str) -> FrameRef | None:
        return self.frames.frame(field)

    # --- generate ------------------------------------------------------------------------------------
    def generate(self) -> None:
        if self.tasks.busy("submit"):
            return  # a double-click queues once: the second click lands while the first is in flight...
        last_request, until = self._quiet_until
        if time.monotonic() < until and last_request == (self.current_request(), self.count.value()):
            return  # ...or just after it finished
        self.tasks.start("submit", self._submit())

    async def _submit(self) -> None:
        self._clear_errors()
        request, count = self.current_request(), self.count.value()
        label = self.generate_button.text()
        self.generate_button.setEnabled(False)
        self.generate_button.setText(self.tr("Queuing…"))
        try:
            if self._edit_job_id is not None:
                job_id = self._edit_job_id
                await self.engine.edit(job_id, request)
                self.end_edit()
                label = self.generate_button.text()
                self.editSaved.emit(job_id)
                self.message.emit(self.tr("Saved your changes to the waiting video."))
            else:
                jobs = await self.engine.submit(request, count)
                self.controls.remember_seed(request.seed)
                self.submitted.emit(len(jobs))
                text = self.tr("Queued 1 video.") if len(jobs) == 1 else self.tr("Queued %1 videos.")
                self.message.emit(text.replace("%1", number_text(len(jobs))))
            self._quiet_until = ((request, count), time.monotonic() + QApplication.doubleClickInterval() / 1000)
        except ValidationError as exc:
            self.show_error(exc.field, exc.message)
        except BudgetExceeded as exc:
            self.show_error("cost", str(exc))
        except StoreError as exc:
            self.show_error("general", str(exc))
        finally:
            self.generate_button.setText(label)
            self.generate_button.setEnabled(True)

    # --- batch files (drag and drop) ------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if batch_file_path(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        path = batch_file_path(event.mimeData())
        if path is None:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        self.batch.queue_file(path)

    # --- errors --------------------------------------------------------------------------------------
    def show_error(self, field: str, message: str) -> None:
        if field in FRAME_FIELDS:
            self.frames.picker(field).show_error(message)
            return
        if field in ("aspect_ratio", "duration", "resolution", "duration_s", "reference_images", *CONTROL_FIELDS):
            field = "settings"
        label = self._errors.get(field, self._errors["general"])
        label.setText(message)
        label.show()
        focus = {
            "prompt": self.prompt,
            "negative_prompt": self.negative,
            "model": self.choices.model,
            "count": self.count,
        }
        if field in focus:
            focus[field].setFocus()

    def error_text(self, field: str) -> str:
        if field in FRAME_FIELDS:
            return self.frames.picker(field).error_text()
        label = self._errors.get(field)
        return label.text() if label is not None and not label.isHidden() else ""

    def _clear_error(self, field: str) -> None:
        label = self._errors[field]
        label.clear()
        label.hide()

    def _clear_errors(self) -> None:
        for field in self._errors:
            self._clear_error(field)

    # --- snapshot and remembered choices -------------------------------------------------------------
    def set_snapshot(self, snapshot: QueueSnapshot) -> None:
        self.spending.show_ledger(snapshot.ledger)

    def save_state(self) -> dict[str, Any]:
        return {**self.choices.save_state(), **self.controls.save_state(), "count": self.count.value()}

    def restore_state(self, state: dict[str, Any]) -> None:
        self.choices.restore_state(state)
        self.controls.restore_state(state)
        with contextlib.suppress(TypeError, ValueError):
            self.count.setValue(int(state.get("count", 1)))

    def shutdown(self) -> list[asyncio.Task[Any]]:
        """Stop: cancels the panel's tasks and refuses new ones; returns them for the window to await."""
        return self.tasks.close()
