"""The composer's video settings: model (retired ones marked and disabled), aspect ratio, duration,
resolution and variations per job.

Every choice the selected model refuses is disabled with a tooltip that says why, and a choice that
became impossible moves to the nearest allowed one. `changed` follows any choice; `modelChanged` a new
model (the composer then re-checks what depends on it, such as the frame pickers).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QSizePolicy, QSpinBox, QWidget

from veo_desktop.core.catalogue import ASPECT_RATIOS, RESOLUTIONS, DialectRules, ModelInfo
from veo_desktop.core.request import GenerationRequest
from veo_desktop.engine.api import Engine
from veo_desktop.ui.compose.duration import DurationChoice
from veo_desktop.ui.compose.model_menu import model_entry
from veo_desktop.ui.compose.segmented import Segmented, aspect_icon

CHOICE_ERROR_FIELDS = ("model", "settings", "sample_count")


def field_label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("fieldLabel")
    return label


def field_error_label(parent: QWidget) -> QLabel:
    """A validation message beside its field; hidden until there is one."""
    label = QLabel(parent)
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


class VideoChoices(QWidget):
    changed = Signal()
    modelChanged = Signal()

    def __init__(self, engine: Engine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self._models = engine.catalogue.for_provider(engine.provider_name)
        self._required: tuple[int, str] | None = None  # a length the request needs (e.g. references), why
        self.errors: dict[str, QLabel] = {f: field_error_label(self) for f in CHOICE_ERROR_FIELDS}
        self._build()
        self._connect()
        self._on_model_changed()

    def _build(self) -> None:
        self.model = QComboBox(self)
        self.model.setAccessibleName(self.tr("Model"))
        self.model.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)  # long names fit
        self._fill_models()
        self.aspect = Segmented(self.tr("Aspect ratio"), self)
        hints = {"16:9": self.tr("Landscape (16:9)"), "9:16": self.tr("Portrait (9:16)")}
        self.aspect.set_options([(r, r, aspect_icon(r), hints[r]) for r in ASPECT_RATIOS])
        self.aspect.set_value("16:9")
        self.duration = DurationChoice(self)
        self.resolution = Segmented(self.tr("Resolution"), self)
        self.resolution.set_options([(r, r, None, "") for r in RESOLUTIONS])
        self.resolution.set_value("720p")
        self.samples = QSpinBox(self)
        self.samples.setAccessibleName(self.tr("Variations per job"))
        self.samples.setRange(1, 1)
        self.samples.setMinimumWidth(84)
        self.samples.setMaximumWidth(96)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        e = self.errors
        form.addRow(field_label(self.tr("Model"), self), self.model)
        form.addRow("", e["model"])
        form.addRow(field_label(self.tr("Aspect ratio"), self), self.aspect)
        form.addRow(field_label(self.tr("Duration"), self), self.duration)
        form.addRow(field_label(self.tr("Resolution"), self), self.resolution)
        form.addRow("", e["settings"])
        form.addRow(field_label(self.tr("Variations"), self), self.samples)
        form.addRow("", e["sample_count"])

    def _connect(self) -> None:
        self.model.currentIndexChanged.connect(self._on_model_changed)
        self.resolution.changed.connect(lambda _v: self._update_durations())
        for widget in (self.aspect, self.duration, self.resolution):
            widget.changed.connect(lambda _v: self.changed.emit())
        self.samples.valueChanged.connect(lambda _v: self.changed.emit())

    # --- models --------------------------------------------------------------------------------------
    def _fill_models(self) -> None:
        self.model.blockSignals(True)
        self.model.clear()
        for m in self._models:
            entry = model_entry(m, self.engine.provider_name)
            self.model.addItem(entry.label, m.id)
            i = self.model.count() - 1
            self.model.setItemData(i, entry.tooltip, Qt.ItemDataRole.ToolTipRole)
            self._model_item(i).setEnabled(entry.selectable)
        if any(not m.retired for m in self._models):
            default = self.engine.catalogue.default_model(self.engine.provider_name).id
            self.model.setCurrentIndex(max(0, self.model.findData(default)))
        self.model.blockSignals(False)

    def _model_item(self, row: int) -> QStandardItem:
        items = self.model.model()  # a QComboBox's own model is a QStandardItemModel; typed as the base class
        assert isinstance(items, QStandardItemModel)
        return items.item(row)

    def reload_models(self) -> None:
        """Re-read the models after the provider (or the catalogue) changed; keeps the choice when it still exists."""
        current = self.model.currentData()
        self._models = self.engine.catalogue.for_provider(self.engine.provider_name)
        self._fill_models()
        index = self.model.findData(current)
        if index >= 0 and not next(m for m in self._models if m.id == current).retired:
            self.model.setCurrentIndex(index)
        self._on_model_changed()

    def current_model(self) -> ModelInfo | None:
        return self.engine.catalogue.get(self.model.currentData() or "")

    def _rules(self, model: ModelInfo) -> DialectRules:
        return model.rules(self.engine.provider_name)

    # --- what the model allows -----------------------------------------------------------------------
    def _on_model_changed(self) -> None:
        model = self.current_model()
        if model is None:
            return
        for ratio in ASPECT_RATIOS:
            why = self.tr("%1 does not offer %2").replace("%1", model.display_name).replace("%2", ratio)
            self.aspect.set_allowed(ratio, ratio in model.aspect_ratios, why)
        rules = self._rules(model)
        self.model.setToolTip(self.model.itemData(self.model.currentIndex(), Qt.ItemDataRole.ToolTipRole) or "")
        for res in RESOLUTIONS:
            why = self.tr("%1 does not offer %2").replace("%1", model.display_name).replace("%2", res)
            self.resolution.set_allowed(res, res in rules.resolutions, why)
            if res in rules.resolutions and res in rules.requires_8s:
                self.resolution.button(res).setToolTip(self.tr("%1 needs 8 s videos").replace("%1", res))
        for segmented in (self.aspect, self.resolution):
            if segmented.value() not in segmented.enabled_values() and segmented.enabled_values():
                segmented.set_value(segmented.enabled_values()[0])
        self.samples.setRange(1, max(1, rules.sample_count_max))
        many = rules.sample_count_max > 1
        self.samples.setEnabled(many)
        self.samples.setToolTip(
            self.tr("Videos made by one job (one operation at Google)")
            if many
            else self.tr("%1 makes one video per job").replace("%1", model.display_name)
        )
        self._update_durations()
        self.modelChanged.emit()

    def _update_durations(self) -> None:
        model = self.current_model()
        if model is None:
            return
        res = str(self.resolution.value())
        allowed = model.allowed_durations(res, self.engine.provider_name)
        needs_8s = self.tr("%1 needs 8 s videos").replace("%1", res)  # the only reason a model's length is refused
        if self._required is not None and self._required[0] in model.durations_s:
            seconds, why = self._required
            self.duration.set_durations(model.durations_s, (seconds,), lambda _seconds: why)
            self.duration.set_value(seconds)
            return
        self.duration.set_durations(model.durations_s, allowed, lambda _seconds: needs_8s)

    def require_duration(self, seconds: int | None, why: str = "") -> None:
        """Allow only `seconds` (with `why` on the other lengths), or lift that with None."""
        required = None if seconds is None else (seconds, why)
        if required != self._required:
            self._required = required
            self._update_durations()

    # --- values --------------------------------------------------------------------------------------
    def request_fields(self) -> dict[str, Any]:
        """The GenerationRequest fields these choices set."""
        duration = self.duration.value()
        return {
            "model_id": str(self.model.currentData() or ""),
            "aspect_ratio": str(self.aspect.value() or "16:9"),
            "duration_s": duration if isinstance(duration, int) else 8,
            "resolution": str(self.resolution.value() or "720p"),
            "sample_count": self.samples.value(),
        }

    def load(self, request: GenerationRequest) -> None:
        index = self.model.findData(request.model_id)
        if index >= 0:
            self.model.setCurrentIndex(index)
        self.aspect.set_value(request.aspect_ratio)
        self.resolution.set_value(request.resolution)
        self.duration.set_value(request.duration_s)
        self.samples.setValue(request.sample_count)

    def save_state(self) -> dict[str, Any]:
        return {
            "model": self.model.currentData(),
            "aspect_ratio": self.aspect.value(),
            "duration_s": self.duration.value(),
            "resolution": self.resolution.value(),
            "sample_count": self.samples.value(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        index = self.model.findData(state.get("model"))
        if index >= 0 and self._model_item(index).isEnabled():
            self.model.setCurrentIndex(index)
        self.aspect.set_value(state.get("aspect_ratio"))
        self.resolution.set_value(state.get("resolution"))
        self._update_durations()
        try:
            self.duration.set_value(int(state.get("duration_s", 8)))
            self.samples.setValue(int(state.get("sample_count", 1)))
        except (TypeError, ValueError):
            pass
