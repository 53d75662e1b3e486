"""The app's look: Fusion with a calm palette (light or dark, following the system), one accent colour, the
app icon, a small style sheet for named roles (titles, inline messages, the primary button, toasts) and
the inline-message helpers. `apply_style(app)` once at start; widgets only set object names, never colours.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from veo_desktop.paths import resources_dir

ACCENT = "#4f6ef7"  # a Veo-ish blue-violet; readable on light and dark
ROLE_ERROR, ROLE_HINT, ROLE_WARNING, ROLE_OK = "error", "hint", "warning", "ok"

_LIGHT = {
    QPalette.ColorRole.Window: "#f4f5f8",
    QPalette.ColorRole.WindowText: "#1d2030",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#eef0f5",
    QPalette.ColorRole.Text: "#1d2030",
    QPalette.ColorRole.PlaceholderText: "#8a8fa3",
    QPalette.ColorRole.Button: "#fbfbfd",
    QPalette.ColorRole.ButtonText: "#1d2030",
    QPalette.ColorRole.ToolTipBase: "#1d2030",
    QPalette.ColorRole.ToolTipText: "#f4f5f8",
    QPalette.ColorRole.Highlight: ACCENT,
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#3552d6",
    QPalette.ColorRole.Mid: "#c9ccd8",
    QPalette.ColorRole.Midlight: "#e3e5ed",
    QPalette.ColorRole.Dark: "#9da2b5",
    QPalette.ColorRole.Shadow: "#5c6175",
}
_DARK = {
    QPalette.ColorRole.Window: "#1c1e26",
    QPalette.ColorRole.WindowText: "#e6e8f0",
    QPalette.ColorRole.Base: "#14161c",
    QPalette.ColorRole.AlternateBase: "#22252f",
    QPalette.ColorRole.Text: "#e6e8f0",
    QPalette.ColorRole.PlaceholderText: "#7b8093",
    QPalette.ColorRole.Button: "#2a2d38",
    QPalette.ColorRole.ButtonText: "#e6e8f0",
    QPalette.ColorRole.ToolTipBase: "#e6e8f0",
    QPalette.ColorRole.ToolTipText: "#1c1e26",
    QPalette.ColorRole.Highlight: ACCENT,
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#8ea2ff",
    QPalette.ColorRole.Mid: "#3a3e4c",
    QPalette.ColorRole.Midlight: "#323643",
    QPalette.ColorRole.Dark: "#101116",
    QPalette.ColorRole.Shadow: "#000000",
}

_STYLE_SHEET = """
QLabel#welcomeTitle { font-size: 20pt; font-weight: 600; }
QFrame#welcomeCard { border: 1px solid palette(mid); border-radius: 12px; background: palette(base); }
QFrame#simulatorBox { border-top: 1px solid palette(midlight); padding-top: 12px; }
QFrame#welcomeCard QLineEdit {
    border: 1px solid palette(mid); border-radius: 6px; padding: 6px 8px; background: palette(base);
}
QLabel#errorMessage { color: %(error)s; }
QLabel#warningMessage { color: %(warning)s; }
QLabel#okMessage { color: %(ok)s; }
QLabel#hintMessage { color: %(hint)s; }
QLabel#emptyState, QLabel#playerMessage { color: %(hint)s; font-size: 12pt; padding: 24px; }
QWidget#playerScreen { background: #0b0c10; }
QLabel#playerMessage { color: #c9ccd8; }
QPushButton#primaryButton {
    background: %(accent)s; color: white; border: none; border-radius: 6px; padding: 6px 16px; font-weight: 600;
}
QPushButton#primaryButton:disabled { background: palette(mid); color: palette(window); }
QPushButton#primaryButton:hover { background: %(accent_hover)s; }
QLabel#toast {
    background: rgba(20, 22, 30, 230); color: #f4f5f8; border-radius: 8px; padding: 10px 14px;
}
"""


def is_dark(app: QGuiApplication | None = None) -> bool:
    if app is None:
        instance = QGuiApplication.instance()  # typed as QCoreApplication: narrow it
        app = instance if isinstance(instance, QGuiApplication) else None
    if app is None:
        return False
    scheme = app.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Unknown:
        return app.palette().color(QPalette.ColorRole.Window).lightness() < 128
    return scheme == Qt.ColorScheme.Dark


def make_palette(dark: bool) -> QPalette:
    palette = QPalette()
    for role, colour in (_DARK if dark else _LIGHT).items():
        palette.setColor(role, QColor(colour))
    disabled = QColor("#6b7080" if dark else "#a3a7b6")
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def style_sheet(dark: bool) -> str:
    colours = {
        "accent": ACCENT,
        "accent_hover": "#6580ff" if dark else "#3f5ce6",
        "error": "#ff7b72" if dark else "#c62828",
        "warning": "#f0b454" if dark else "#9a5b00",
        "ok": "#56d364" if dark else "#1f7a34",
        "hint": "#9aa0b4" if dark else "#5c6175",
    }
    return _STYLE_SHEET % colours


def app_icon() -> QIcon:
    path = resources_dir() / "icons" / "veo-desktop.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


def apply_style(app: QApplication, *, dark: bool | None = None) -> None:
    """Fusion + palette + style sheet + icon. `dark=None` follows the system and its later changes."""
    app.setStyle("Fusion")
    app.setWindowIcon(app_icon())
    follow = dark is None

    def refresh() -> None:
        scheme_dark = is_dark(app) if follow else bool(dark)
        app.setPalette(make_palette(scheme_dark))
        app.setStyleSheet(style_sheet(scheme_dark))

    refresh()
    if follow:
        app.styleHints().colorSchemeChanged.connect(lambda *_: refresh())


# --- message helpers -------------------------------------------------------------------------


def message_label(parent: QWidget, role: str = ROLE_ERROR) -> QLabel:
    """An inline message under a field, coloured by role ("error", "hint", "warning", "ok"); hidden while
    empty."""
    label = QLabel(parent)
    label.setObjectName(f"{role}Message")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def show_message(label: QLabel, text: str, role: str | None = None) -> None:
    """Show (or hide, for "") an inline message; `role` re-colours it."""
    if role is not None and label.objectName() != f"{role}Message":
        label.setObjectName(f"{role}Message")
        label.style().unpolish(label)
        label.style().polish(label)
    label.setText(text)
    label.setVisible(bool(text))
