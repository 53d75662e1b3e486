"""Segmented choice buttons (aspect ratio, duration, resolution) with per-option disabled reasons, and the
small drawn rectangles that hint at an aspect ratio."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QWidget


def aspect_icon(ratio: str, *, size: int = 22, colour: str = "#c8d0e0") -> QIcon:
    """A rounded rectangle in the shape of `ratio` ("16:9" or "9:16"), drawn at 2× for high-DPI screens."""
    w_ratio, h_ratio = (int(x) for x in ratio.split(":"))
    scale = 2
    pixmap = QPixmap(size * scale, size * scale)
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(Qt.GlobalColor.transparent)
    long_side = float(size - 4)
    if w_ratio >= h_ratio:
        w, h = long_side, long_side * h_ratio / w_ratio
    else:
        w, h = long_side * w_ratio / h_ratio, long_side
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(colour), 1.6))
    painter.drawRoundedRect(QRectF((size - w) / 2, (size - h) / 2, w, h), 2.5, 2.5)
    painter.end()
    return QIcon(pixmap)


class Segmented(QWidget):
    """A row of exclusive checkable buttons. Options can be disabled with a reason (shown as the tooltip)."""

    changed = Signal(object)

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._buttons: dict[object, QPushButton] = {}
        self._tips: dict[object, str] = {}
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        self._group.buttonToggled.connect(self._on_toggled)

    def set_options(self, options: list[tuple[object, str, QIcon | None, str]]) -> None:
        """(value, label, icon, tooltip) for each option, left to right."""
        for button in self._buttons.values():
            self._group.removeButton(button)
            button.deleteLater()
        self._buttons.clear()
        for i, (value, label, icon, tip) in enumerate(options):
            button = QPushButton(label, self)
            button.setCheckable(True)
            button.setObjectName("segment")
            pos = "only" if len(options) == 1 else "first" if i == 0 else "last" if i == len(options) - 1 else "mid"
            button.setProperty("segment", pos)
            button.setAccessibleName(f"{self.accessibleName()}: {label}")
            button.setToolTip(tip)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            if icon is not None:
                button.setIcon(icon)
                button.setIconSize(QSize(18, 18))
            self._group.addButton(button)
            self._layout.addWidget(button)
            self._buttons[value] = button
            self._tips[value] = tip

    def value(self) -> object:
        for value, button in self._buttons.items():
            if button.isChecked():
                return value
        return None

    def set_value(self, value: object) -> None:
        button = self._buttons.get(value)
        if button is not None and button.isEnabled():
            button.setChecked(True)

    def values(self) -> list[object]:
        return list(self._buttons)

    def enabled_values(self) -> list[object]:
        return [v for v, b in self._buttons.items() if b.isEnabled()]

    def set_allowed(self, value: object, allowed: bool, reason: str = "") -> None:
        button = self._buttons[value]
        button.setEnabled(allowed)
        button.setToolTip(self._tips[value] if allowed else reason)

    def reason(self, value: object) -> str:
        button = self._buttons[value]
        return "" if button.isEnabled() else button.toolTip()

    def button(self, value: object) -> QPushButton:
        return self._buttons[value]

    def _on_toggled(self, button: QPushButton, checked: bool) -> None:
        if checked:
            self.changed.emit(self.value())
