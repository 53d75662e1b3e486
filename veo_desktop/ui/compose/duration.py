"""The video length: buttons when the model offers a few lengths (Veo: 4, 6, 8 s), a spin box when it offers a
range (Gemini Omni Flash: 3–10 s). Lengths the chosen resolution does not allow are disabled with the reason
as the tooltip; a length that became impossible moves to 8 s, or to the longest allowed one."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSpinBox, QWidget

from veo_desktop.ui.compose.segmented import Segmented

MAX_BUTTONS = 5  # more lengths than this (a range) get a spin box
DEFAULT_S = 8  # Veo's usual length, when the model allows it


class DurationChoice(QWidget):
    changed = Signal(object)  # the new length in seconds

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Duration"))
        self._durations: tuple[int, ...] = ()
        self.buttons = Segmented(self.tr("Duration"), self)
        self.spin = QSpinBox(self)
        self.spin.setAccessibleName(self.tr("Duration"))
        self.spin.setSuffix(self.tr(" s"))
        self.spin.setMinimumWidth(84)
        self.spin.setMaximumWidth(96)
        self.spin.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.buttons)
        layout.addWidget(self.spin)
        layout.addStretch(1)
        self.buttons.changed.connect(self.changed.emit)
        self.spin.valueChanged.connect(self.changed.emit)

    def uses_buttons(self) -> bool:
        return len(self._durations) <= MAX_BUTTONS

    def set_durations(self, durations: Sequence[int], allowed: Sequence[int], why: Callable[[int], str]) -> None:
        """The model's lengths, those allowed now, and why a length is not (`why(seconds)`)."""
        before = self.value()
        if tuple(durations) != self._durations:
            self._durations = tuple(durations)
            label = self.tr("%1 s")
            self.buttons.set_options([(d, label.replace("%1", str(d)), None, "") for d in self._durations])
            self.buttons.setVisible(self.uses_buttons())
            self.spin.setVisible(not self.uses_buttons())
        if not allowed:
            return
        if self.uses_buttons():
            for d in self._durations:
                self.buttons.set_allowed(d, d in allowed, why(d))
        else:
            self.spin.blockSignals(True)
            self.spin.setRange(min(allowed), max(allowed))
            self.spin.blockSignals(False)
            refused = [d for d in self._durations if d not in allowed]
            self.spin.setToolTip(why(refused[0]) if refused else "")
        fallback = DEFAULT_S if DEFAULT_S in allowed else max(allowed)
        self.set_value(before if before in allowed else fallback)

    def value(self) -> int | None:
        if not self._durations:
            return None
        if self.uses_buttons():
            value = self.buttons.value()
            return value if isinstance(value, int) else None
        return self.spin.value()

    def set_value(self, seconds: object) -> None:
        if not isinstance(seconds, int):
            return
        if self.uses_buttons():
            self.buttons.set_value(seconds)
        elif self.spin.minimum() <= seconds <= self.spin.maximum():
            self.spin.setValue(seconds)

    def values(self) -> list[int]:
        return list(self._durations)

    def button(self, seconds: int) -> QPushButton:
        return self.buttons.button(seconds)

    def reason(self, seconds: int) -> str:
        return self.buttons.reason(seconds)
