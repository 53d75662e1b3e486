"""Style rules for the main window's own roles (panel titles, segmented choices, frame pickers, the queue
table, the detail area). Colours come from the palette `style.apply_style` set, plus its accent, so light
and dark both work; widgets only set object names.

Combo and spin boxes keep Fusion's own drawing (only a minimum height here): a border or padding rule would
make Qt draw their arrows itself, and it draws none without arrow images."""

from __future__ import annotations

from veo_desktop.ui.support.style import ACCENT

WINDOW_STYLE = """
QLabel#panelTitle { font-size: 14pt; font-weight: 600; padding-bottom: 2px; }
QLabel#fieldLabel { color: palette(placeholder-text); font-weight: 600; }
QLabel#counter { color: palette(placeholder-text); }
QLabel#counter[over="true"] { color: #e5534b; font-weight: 600; }
QLabel#summary { color: palette(placeholder-text); padding-left: 8px; }
QLabel#costLabel { font-weight: 600; }
QLabel#spendLabel { color: palette(placeholder-text); }
QLabel#fieldError, QLabel#frameInfo[error="true"] { color: #e5534b; }
QLabel#frameInfo { color: palette(placeholder-text); }
QLabel#placeholder { color: palette(placeholder-text); padding: 16px; }
QLabel#banner {
    background: rgba(240, 180, 84, 40); border: 1px solid rgba(240, 180, 84, 140); border-radius: 6px;
    padding: 6px 10px;
}
QWidget#composePanel, QWidget#rightPanel { background: palette(window); }
QScrollArea#composeScroll { border: none; border-right: 1px solid palette(midlight); }
QPlainTextEdit, QLineEdit {
    border: 1px solid palette(mid); border-radius: 6px; padding: 4px 6px; background: palette(base);
}
QPlainTextEdit:focus, QLineEdit:focus { border: 1px solid %(accent)s; }
QComboBox, QSpinBox { min-height: 24px; }
QFrame#framePicker { border: 1px dashed palette(mid); border-radius: 8px; background: palette(base); }
QFrame#framePicker[dropping="true"] { border: 1px solid %(accent)s; background: rgba(79, 110, 247, 30); }
QFrame#framePicker:disabled { background: transparent; }
QLabel#framePreview {
    background: palette(alternate-base); border-radius: 6px; color: palette(placeholder-text);
}
QPushButton { padding: 5px 12px; border-radius: 6px; border: 1px solid palette(mid); background: palette(button); }
QPushButton:hover { border-color: %(accent)s; }
QPushButton:disabled { color: palette(placeholder-text); border-color: palette(midlight); }
QPushButton#segment { border-radius: 0; padding: 5px 12px; min-width: 40px; }
QPushButton#smallButton { padding: 3px 8px; }
QPushButton#segment[segment="first"] { border-top-left-radius: 6px; border-bottom-left-radius: 6px; }
QPushButton#segment[segment="last"] { border-top-right-radius: 6px; border-bottom-right-radius: 6px; }
QPushButton#segment[segment="only"] { border-radius: 6px; }
QPushButton#segment:checked { background: %(accent)s; color: white; border-color: %(accent)s; }
QPushButton#segment:disabled { background: transparent; }
QPushButton#segment:checked:disabled { color: %(accent)s; }
QPushButton#primaryButton {
    background: %(accent)s; color: white; border: none; border-radius: 8px; padding: 9px 18px;
    font-size: 11pt; font-weight: 600;
}
QPushButton#primaryButton:hover { background: #6580ff; }
QPushButton#primaryButton:disabled { background: palette(mid); color: palette(window); }
QProgressBar { border: none; border-radius: 2px; background: palette(midlight); }
QProgressBar::chunk { border-radius: 2px; background: %(accent)s; }
QTableView#queueTable {
    border: 1px solid palette(midlight); border-radius: 8px; background: palette(base);
    alternate-background-color: palette(alternate-base); selection-background-color: rgba(79, 110, 247, 90);
    selection-color: palette(text);
}
QTableView#queueTable::item { padding: 0 6px; border: none; }
QHeaderView::section {
    background: palette(window); border: none; border-bottom: 1px solid palette(midlight);
    padding: 6px; font-weight: 600; color: palette(placeholder-text);
}
QFrame#jobDetail { border: 1px solid palette(midlight); border-radius: 8px; background: palette(base); }
QLabel#detailTitle { font-weight: 600; }
QLabel#detailReason { color: #e5534b; }
QLabel#detailExplain {
    background: rgba(255, 179, 92, 30); border-radius: 6px; padding: 8px;
}
QLabel#detailMeta { color: palette(placeholder-text); }
QPlainTextEdit#eventLog { font-family: monospace; font-size: 9pt; border: none; background: palette(alternate-base); }
QToolButton#detailTool, QToolButton#primaryTool {
    padding: 4px 10px; border-radius: 6px; border: 1px solid palette(mid); background: palette(button);
}
QToolButton#primaryTool { background: %(accent)s; color: white; border: none; font-weight: 600; }
QSplitter::handle { background: transparent; }
QStatusBar { color: palette(placeholder-text); }
"""


def window_style_sheet() -> str:
    return WINDOW_STYLE % {"accent": ACCENT}
