"""The question asked when the window closes while videos are being made: they continue at Google and are
picked up at the next launch, so quitting loses nothing. Non-blocking (`open()`, never `exec()`)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from veo_desktop.ui.support.i18n import number_text


def tr(text: str) -> str:
    """lupdate files module-level `tr("...")` calls under the empty context, so they are looked up there."""
    return QCoreApplication.translate("", text)


def ask_to_quit(parent: QWidget, running: int, answered: Callable[[bool], None]) -> QMessageBox:
    """Open the question; `answered(True)` when the person chose to quit, `answered(False)` to keep it open."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(tr("Videos still generating"))
    box.setText(tr("%1 videos are still being made at Google.").replace("%1", number_text(running)))
    box.setInformativeText(
        tr(
            "They continue there. When you open Veo Desktop again, it picks them up and downloads them. Nothing "
            "is lost and nothing starts again. Waiting videos stay in the queue."
        )
    )
    quit_button = box.addButton(tr("Quit"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(tr("Keep open"), QMessageBox.ButtonRole.RejectRole)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda button: answered(button is quit_button))
    box.open()
    return box
