"""The composer's switches that change the price or the picture: audio, Google's prompt rewriting, seed,
people, resize (pad/crop, only with a start frame) and quality.

Each control is enabled only where the chosen model and provider take it; otherwise it is disabled with
a tooltip saying why. `changed` follows every switch, so the composer re-prices live. Randomness (a new
seed) comes from the `rng` argument.
"""

from __future__ import annotations

import random
from typing import Any

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QWidget

from veo_desktop.core.catalogue import ModelInfo
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.request_fields import SEED_MAX
from veo_desktop.ui.compose.choices import field_label
from veo_desktop.ui.compose.segmented import Segmented

CONTROL_FIELDS = (
    "generate_audio",
    "enhance_prompt",
    "seed",
    "person_generation",
    "resize_mode",
    "compression_quality",
)
_REMEMBERED = ("generate_audio", "enhance_prompt", "person_generation", "compression_quality")


class RequestControls(QWidget):
    changed = Signal()

    def __init__(self, provider: str, parent: QWidget | None = None, *, rng: random.Random | None = None) -> None:
        super().__init__(parent)
        self._provider = provider
        self._rng = rng or random.SystemRandom()
        self._model: ModelInfo | None = None
        self._has_start_frame = False
        self._last_seed: int | None = None
        self._build()
        self._connect()

    def _build(self) -> None:
        self.audio = QCheckBox(self.tr("Audio"), self)
        self.audio.setChecked(True)
        self.enhance = QCheckBox(self.tr("Google rewrites your prompt"), self)
        self.enhance.setChecked(True)
        self.seed = QLineEdit(self)
        self.seed.setAccessibleName(self.tr("Seed"))
        self.seed.setPlaceholderText(self.tr("Google chooses"))
        self.seed.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,10}"), self.seed))
        self.seed.setMinimumWidth(self.seed.fontMetrics().horizontalAdvance("4294967295") + 24)  # the largest seed
        self.same_seed = QPushButton(self.tr("Same seed"), self)
        self.same_seed.setToolTip(self.tr("Use the seed of the last video queued"))
        self.same_seed.setEnabled(False)
        self.new_seed = QPushButton(self.tr("New seed"), self)
        self.new_seed.setToolTip(self.tr("Pick a new random seed"))
        self.people = QComboBox(self)
        self.people.setAccessibleName(self.tr("People"))
        self.resize_mode = Segmented(self.tr("Resize"), self)
        self.resize_mode.set_options(
            [
                ("pad", self.tr("Pad"), None, self.tr("Fit the start frame inside the video, with bars")),
                ("crop", self.tr("Crop"), None, self.tr("Fill the video, cutting the start frame's edges")),
            ]
        )
        self.resize_mode.set_value("pad")
        self.quality = Segmented(self.tr("Quality"), self)
        self.quality.set_options(
            [
                ("optimized", self.tr("Optimized"), None, self.tr("Smaller files")),
                ("lossless", self.tr("Lossless"), None, self.tr("Larger files, no compression loss")),
            ]
        )
        self.quality.set_value("optimized")
        seed_row = QHBoxLayout()
        seed_row.setContentsMargins(0, 0, 0, 0)
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.same_seed)
        seed_row.addWidget(self.new_seed)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        form.addRow(field_label(self.tr("Sound"), self), self.audio)
        form.addRow(field_label(self.tr("Prompt"), self), self.enhance)
        form.addRow(field_label(self.tr("Seed"), self), seed_row)
        form.addRow(field_label(self.tr("People"), self), self.people)
        form.addRow(field_label(self.tr("Resize"), self), self.resize_mode)
        form.addRow(field_label(self.tr("Quality"), self), self.quality)

    def _connect(self) -> None:
        self.audio.toggled.connect(lambda _on: self.changed.emit())
        self.enhance.toggled.connect(lambda _on: self.changed.emit())
        self.seed.textChanged.connect(lambda _t: self.changed.emit())
        self.people.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.resize_mode.changed.connect(lambda _v: self.changed.emit())
        self.quality.changed.connect(lambda _v: self.changed.emit())
        self.new_seed.clicked.connect(lambda: self.seed.setText(str(self._rng.randint(0, SEED_MAX))))
        self.same_seed.clicked.connect(self._use_last_seed)

    # --- what the model allows -----------------------------------------------------------------------
    def set_model(self, model: ModelInfo | None, provider: str) -> None:
        self._model, self._provider = model, provider
        if model is None:
            return
        rules, name = model.rules(provider), model.display_name
        self._allow(self.audio, rules.audio_switch, self._audio_reason(rules.audio, name))
        if not rules.audio_switch:
            self.audio.setChecked(rules.audio == "always")
        self._allow(self.enhance, rules.prompt_rewriting, self.tr("%1 always rewrites the prompt").replace("%1", name))
        if not rules.prompt_rewriting:
            self.enhance.setChecked(True)
        no_seed = self.tr("%1 takes no seed here").replace("%1", name)
        for widget in (self.seed, self.same_seed, self.new_seed):
            self._allow(widget, rules.seed, no_seed)
        self.same_seed.setEnabled(rules.seed and self._last_seed is not None)
        self._fill_people(rules.person_generation, rules.person_generation_default)
        no_people = self.tr("%1 has no people setting here").replace("%1", name)
        self._allow(self.people, bool(rules.person_generation), no_people)
        no_quality = self.tr("%1 has no quality setting").replace("%1", name)
        self._allow(self.quality, bool(rules.compression_qualities), no_quality)
        for value in ("optimized", "lossless"):
            self.quality.set_allowed(value, value in rules.compression_qualities, no_quality)
        self._update_resize()

    def set_has_start_frame(self, has: bool) -> None:
        self._has_start_frame = has
        self._update_resize()

    def _update_resize(self) -> None:
        model = self._model
        modes = model.rules(self._provider).resize_modes if model is not None else ()
        if not modes and model is not None:
            why = self.tr("%1 has no resize mode").replace("%1", model.display_name)
        else:
            why = self.tr("Resize applies only to a start frame; add one first")
        self._allow(self.resize_mode, bool(modes) and self._has_start_frame, why)

    def _audio_reason(self, mode: str, name: str) -> str:
        if mode == "always":
            return self.tr("%1 always makes videos with sound").replace("%1", name)
        return self.tr("%1 makes videos without sound").replace("%1", name)

    @staticmethod
    def _allow(widget: QWidget, allowed: bool, reason: str) -> None:
        widget.setEnabled(allowed)
        widget.setToolTip("" if allowed else reason)

    def _fill_people(self, values: tuple[str, ...], default: str | None) -> None:
        names = {
            "dont_allow": self.tr("No people"),
            "allow_adult": self.tr("Adults only"),
            "allowAll": self.tr("People of any age"),
            "allow_all": self.tr("People of any age"),
        }
        current = self.people.currentData()
        self.people.blockSignals(True)
        self.people.clear()
        for value in values:
            label = names.get(value, value)
            if value == default:
                label = self.tr("%1 (default)").replace("%1", label)
            self.people.addItem(label, value)
        keep = self.people.findData(current) if current in values else self.people.findData(default)
        self.people.setCurrentIndex(max(0, keep))
        self.people.blockSignals(False)

    # --- values --------------------------------------------------------------------------------------
    def seed_value(self) -> int | None:
        text = self.seed.text().strip()
        return int(text) if text and self.seed.isEnabled() else None

    def request_fields(self) -> dict[str, Any]:
        """The GenerationRequest fields these controls set (None where the model does not take one)."""
        return {
            "generate_audio": self.audio.isChecked(),
            "enhance_prompt": self.enhance.isChecked(),
            "seed": self.seed_value(),
            "person_generation": self.people.currentData() if self.people.isEnabled() else None,
            "resize_mode": str(self.resize_mode.value()) if self.resize_mode.isEnabled() else None,
            "compression_quality": str(self.quality.value()) if self.quality.isEnabled() else None,
        }

    def remember_seed(self, seed: int | None) -> None:
        """A video was queued with `seed`: "Same seed" brings it back."""
        if seed is not None:
            self._last_seed = seed
        self.same_seed.setEnabled(self.seed.isEnabled() and self._last_seed is not None)

    def _use_last_seed(self) -> None:
        if self._last_seed is not None:
            self.seed.setText(str(self._last_seed))

    def load(self, request: GenerationRequest) -> None:
        self.audio.setChecked(request.generate_audio)
        self.enhance.setChecked(request.enhance_prompt)
        self.seed.setText("" if request.seed is None else str(request.seed))
        if request.person_generation is not None:
            self.people.setCurrentIndex(max(0, self.people.findData(request.person_generation)))
        if request.resize_mode is not None:
            self.resize_mode.set_value(request.resize_mode)
        if request.compression_quality is not None:
            self.quality.set_value(request.compression_quality)

    def save_state(self) -> dict[str, Any]:
        """The switches remembered between sessions (not the seed: a seed is for one shot)."""
        fields = self.request_fields()
        return {name: fields[name] for name in _REMEMBERED if fields[name] is not None}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Set the remembered switches the current model still takes; others keep the model's value."""
        for box, name in ((self.audio, "generate_audio"), (self.enhance, "enhance_prompt")):
            if box.isEnabled() and isinstance(state.get(name), bool):
                box.setChecked(state[name])
        people = self.people.findData(state.get("person_generation"))
        if self.people.isEnabled() and people >= 0:
            self.people.setCurrentIndex(people)
        if self.quality.isEnabled() and state.get("compression_quality") in self.quality.enabled_values():
            self.quality.set_value(state["compression_quality"])
