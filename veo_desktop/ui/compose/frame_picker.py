"""A start/end frame picker: click to choose, drag and drop a file, paste from the clipboard; a thumbnail
preview, a clear button and an inline message.

The widget only gathers input and shows state; it emits `fileChosen(path)` or `bytesChosen(data)` and
the composer imports them through the engine (which validates by content in a worker thread).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage, QMouseEvent, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

PREVIEW_SIZE = QSize(144, 81)
_IMAGE_FORMATS = ("image/png", "image/jpeg", "image/webp")


class FramePicker(QFrame):
    fileChosen = Signal(object)  # Path
    bytesChosen = Signal(object)  # bytes or QImage (to be encoded off the GUI thread)
    cleared = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("framePicker")
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._title = title
        self._dialog: QFileDialog | None = None
        self._preview = QLabel(self)
        self._preview.setObjectName("framePreview")
        self._preview.setFixedSize(PREVIEW_SIZE)
        self._preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._preview.setWordWrap(True)
        self._preview.setCursor(Qt.CursorShape.PointingHandCursor)
        self._preview.setToolTip(self.tr("Choose an image file (you can also drop one here or paste it)"))
        self._preview.setAccessibleName(self.tr("%1 preview").replace("%1", title))
        self._choose = QPushButton(self.tr("Choose…"), self)
        self._choose.setAccessibleName(self.tr("Choose %1").replace("%1", title.lower()))
        self._choose.setToolTip(self.tr("Choose an image file (you can also drop one here or paste it)"))
        self._paste = QPushButton(self.tr("Paste"), self)
        self._paste.setAccessibleName(self.tr("Paste %1 from the clipboard").replace("%1", title.lower()))
        self._clear = QPushButton(self.tr("Clear"), self)
        self._clear.setAccessibleName(self.tr("Clear %1").replace("%1", title.lower()))
        self._info = QLabel(self)
        self._info.setObjectName("frameInfo")
        self._info.setWordWrap(True)
        self._build()
        self._choose.clicked.connect(self.open_dialog)
        self._paste.clicked.connect(self.paste)
        self._clear.clicked.connect(self.cleared.emit)
        self.show_empty()

    def _build(self) -> None:
        """A compact card (two fit side by side in the composer): title and Clear, the preview (click it to
        choose a file), then Choose… and Paste."""
        heading = QLabel(self._title, self)
        heading.setObjectName("fieldLabel")
        self._clear.setObjectName("smallButton")
        head = QHBoxLayout()
        head.setSpacing(4)
        head.addWidget(heading, 1)
        head.addWidget(self._clear)
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for button in (self._choose, self._paste):
            button.setObjectName("smallButton")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(head)
        layout.addWidget(self._preview, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(buttons)
        layout.addWidget(self._info)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Click the preview to choose a file."""
        if event.button() == Qt.MouseButton.LeftButton and self._preview.geometry().contains(
            event.position().toPoint()
        ):
            self.open_dialog()
            event.accept()
            return
        super().mousePressEvent(event)

    # --- state shown ---------------------------------------------------------------------------------
    def show_empty(self, hint: str | None = None) -> None:
        self._preview.setPixmap(QPixmap())
        self._preview.setText(hint or self.tr("Drop an image\nhere"))
        self._clear.setEnabled(False)
        self._info.setProperty("error", False)
        self._info.setText("")
        self._info.hide()
        self._restyle()

    def show_busy(self) -> None:
        self._preview.setPixmap(QPixmap())
        self._preview.setText(self.tr("Checking…"))

    def show_image(self, preview: QImage | None, caption: str) -> None:
        if preview is not None and not preview.isNull():
            pixmap = QPixmap.fromImage(preview).scaled(
                PREVIEW_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
            self._preview.setPixmap(pixmap)
        else:
            self._preview.setText(self.tr("(no preview)"))
        self._clear.setEnabled(True)
        self._set_info(caption, error=False)

    def show_error(self, message: str) -> None:
        """An invalid image: the message inline; whatever was there before stays."""
        if self._preview.pixmap().isNull():
            self._preview.setText(self.tr("Drop an image\nhere"))
        self._set_info(message, error=True)

    def _set_info(self, text: str, *, error: bool) -> None:
        self._info.setText(text)
        self._info.setProperty("error", error)
        self._info.setVisible(bool(text))
        self._restyle()

    def _restyle(self) -> None:
        self._info.style().unpolish(self._info)
        self._info.style().polish(self._info)

    def error_text(self) -> str:
        return self._info.text() if self._info.property("error") else ""

    def setEnabled(self, enabled: bool) -> None:
        super().setEnabled(enabled)
        self.setAcceptDrops(enabled)

    # --- input ---------------------------------------------------------------------------------------
    def open_dialog(self) -> None:
        """Non-blocking: QFileDialog.open(), never exec()."""
        if self._dialog is None:
            self._dialog = QFileDialog(self, self.tr("Choose the %1").replace("%1", self._title.lower()))
            self._dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
            self._dialog.setNameFilter(self.tr("Images (*.png *.jpg *.jpeg *.webp);;All files (*)"))
            self._dialog.fileSelected.connect(lambda path: self.fileChosen.emit(Path(path)))
        self._dialog.open()

    def paste(self) -> None:
        self.take_mime(QGuiApplication.clipboard().mimeData())

    def take_mime(self, mime: QMimeData | None) -> bool:
        """Use a local file URL, raw PNG/JPEG/WEBP bytes or an image from `mime`. True if something was taken."""
        if mime is None:
            return False
        for url in mime.urls():
            if url.isLocalFile():
                self.fileChosen.emit(Path(url.toLocalFile()))
                return True
        for fmt in _IMAGE_FORMATS:
            if mime.hasFormat(fmt):
                self.bytesChosen.emit(bytes(mime.data(fmt).data()))
                return True
        if mime.hasImage():
            image = mime.imageData()
            if isinstance(image, QImage) and not image.isNull():
                self.bytesChosen.emit(image)
                return True
        self.show_error(self.tr("The clipboard has no image; copy an image or an image file first."))
        return False

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        local = any(u.isLocalFile() for u in mime.urls())
        if local or mime.hasImage() or any(mime.hasFormat(f) for f in _IMAGE_FORMATS):
            event.acceptProposedAction()
            self.setProperty("dropping", True)
            self._restyle_self()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: object) -> None:
        self.setProperty("dropping", False)
        self._restyle_self()

    def dropEvent(self, event: QDropEvent) -> None:
        self.setProperty("dropping", False)
        self._restyle_self()
        if self.take_mime(event.mimeData()):
            event.acceptProposedAction()

    def _restyle_self(self) -> None:
        self.style().unpolish(self)
        self.style().polish(self)
